//! Live answers as text that reports can point into.
//!
//! A finding about a running deployment has no file. Each sentinel and data node asked
//! becomes a shown-only text in the workspace, named by its address as a URI
//! (`redis-sentinel://10.0.0.1:26379`, `redis://10.0.0.2:6379`), holding what it answered,
//! one `field value` per line. Diagnostics point at the value they are about, so every
//! output format (full, json, sarif, github, …) shows a location and an excerpt.

use super::snapshot::{entry_address, Fields, Reply, Snapshot};
use crate::source::{FileId, Span};
use crate::Workspace;
use std::collections::HashMap;

/// The display name of a sentinel's transcript.
pub fn sentinel_name(address: &str) -> String {
    format!("redis-sentinel://{address}")
}

/// The display name of a cluster node's transcript.
pub fn cluster_name(address: &str) -> String {
    format!("redis-cluster://{address}")
}

/// The display name of a data node's transcript.
pub fn node_name(address: &str) -> String {
    format!("redis://{address}")
}

#[derive(Default)]
struct Writer {
    text: String,
    spans: Vec<(String, std::ops::Range<usize>)>,
}

impl Writer {
    fn comment(&mut self, line: &str) {
        self.text.push_str("# ");
        self.text.push_str(&one_line(line));
        self.text.push('\n');
    }

    /// A header line (`SENTINEL MASTER mymaster`), its whole text under `key`.
    fn header(&mut self, indent: usize, line: &str, key: String) {
        self.text.push_str(&" ".repeat(indent));
        let start = self.text.len();
        self.text.push_str(&one_line(line));
        self.spans.push((key, start..self.text.len()));
        self.text.push('\n');
    }

    /// `field value`, the value (or the field when the value is empty) under `key`.
    fn field(&mut self, indent: usize, field: &str, value: &str, key: String) {
        self.text.push_str(&" ".repeat(indent));
        let field_start = self.text.len();
        self.text.push_str(&one_line(field));
        let field_end = self.text.len();
        let value = one_line(value);
        let range = if value.is_empty() {
            field_start..field_end
        } else {
            self.text.push(' ');
            let start = self.text.len();
            self.text.push_str(&value);
            start..self.text.len()
        };
        self.spans.push((key, range));
        self.text.push('\n');
    }

    fn fields(&mut self, indent: usize, fields: &Fields, prefix: &str) {
        for (field, value) in fields {
            self.field(indent, field, value, format!("{prefix}|{field}"));
        }
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Where each live answer is, once the transcripts are in the workspace.
#[derive(Debug, Default)]
pub struct Transcripts {
    spans: HashMap<String, Span>,
    /// The files the transcripts were added as.
    files: std::collections::HashSet<crate::source::FileId>,
}

impl Transcripts {
    /// Whether a file is one of the transcripts (the running side).
    pub fn contains_file(&self, file: crate::source::FileId) -> bool {
        self.files.contains(&file)
    }

    /// Add one shown-only text per sentinel and per data node of the snapshot.
    pub fn add(workspace: &mut Workspace, snapshot: &Snapshot) -> Transcripts {
        let mut out = Transcripts::default();
        for sentinel in &snapshot.sentinels {
            let mut w = Writer::default();
            let s = format!("s|{}", sentinel.address);
            w.comment(&format!(
                "the sentinel at {}, as `redis-halint verify` found it (read-only commands)",
                sentinel.address
            ));
            w.field(0, "address", &sentinel.address, s.clone());
            if let Some(error) = &sentinel.error {
                w.field(0, "error", error, format!("{s}|error"));
            }
            if let Some(required) = sentinel.password_required {
                w.field(
                    0,
                    "password-required",
                    if required { "yes" } else { "no" },
                    format!("{s}|password"),
                );
            }
            for master in &sentinel.masters {
                let m = format!("{s}|m|{}", master.name);
                w.header(0, &format!("SENTINEL MASTER {}", master.name), m.clone());
                if let Some(error) = &master.error {
                    w.field(2, "error", error, format!("{m}|error"));
                }
                w.fields(2, &master.fields, &format!("{m}|f"));
                if let Some(reply) = &master.ckquorum {
                    w.header(
                        0,
                        &format!("SENTINEL CKQUORUM {}", master.name),
                        format!("{m}|ckhead"),
                    );
                    let text = match reply {
                        Reply::Ok(t) | Reply::Err(t) => t,
                    };
                    w.header(2, text, format!("{m}|ck"));
                }
                if !master.replicas.is_empty() {
                    w.header(
                        0,
                        &format!("SENTINEL REPLICAS {}", master.name),
                        format!("{m}|rhead"),
                    );
                    for (i, replica) in master.replicas.iter().enumerate() {
                        let addr = entry_address(replica).unwrap_or_else(|| format!("#{i}"));
                        let r = format!("{m}|r|{addr}");
                        w.header(2, &format!("replica {addr}"), r.clone());
                        w.fields(4, replica, &r);
                    }
                }
                if !master.sentinels.is_empty() {
                    w.header(
                        0,
                        &format!("SENTINEL SENTINELS {}", master.name),
                        format!("{m}|phead"),
                    );
                    for (i, peer) in master.sentinels.iter().enumerate() {
                        let addr = entry_address(peer).unwrap_or_else(|| format!("#{i}"));
                        let p = format!("{m}|p|{addr}");
                        w.header(2, &format!("sentinel {addr}"), p.clone());
                        w.fields(4, peer, &p);
                    }
                }
            }
            out.store(workspace, sentinel_name(&sentinel.address), w);
        }
        for node in &snapshot.nodes {
            let mut w = Writer::default();
            let n = format!("n|{}", node.address);
            w.comment(&format!(
                "the data node at {}, as `redis-halint verify` found it (read-only commands)",
                node.address
            ));
            w.field(0, "address", &node.address, n.clone());
            if let Some(error) = &node.error {
                w.field(0, "error", error, format!("{n}|error"));
            }
            if let Some(required) = node.password_required {
                w.field(
                    0,
                    "password-required",
                    if required { "yes" } else { "no" },
                    format!("{n}|password"),
                );
            }
            if !node.replication.is_empty() {
                w.header(0, "INFO replication", format!("{n}|ihead"));
                w.fields(2, &node.replication, &format!("{n}|i"));
            }
            if !node.config.is_empty() {
                w.header(0, "CONFIG GET", format!("{n}|chead"));
                w.fields(2, &node.config, &format!("{n}|c"));
            }
            out.store(workspace, node_name(&node.address), w);
        }
        for node in &snapshot.cluster {
            let mut w = Writer::default();
            let c = format!("c|{}", node.address);
            w.comment(&format!(
                "the cluster node at {}, as `redis-halint verify` found it (read-only commands)",
                node.address
            ));
            w.field(0, "address", &node.address, c.clone());
            if let Some(error) = &node.error {
                w.field(0, "error", error, format!("{c}|error"));
            }
            if !node.info.is_empty() {
                w.header(0, "CLUSTER INFO", format!("{c}|ihead"));
                w.fields(2, &node.info, &format!("{c}|i"));
            }
            if !node.nodes.is_empty() {
                w.header(0, "CLUSTER NODES", format!("{c}|nhead"));
                for line in &node.nodes {
                    let id = line.split_whitespace().next().unwrap_or_default();
                    w.header(2, line, format!("{c}|n|{id}"));
                }
            }
            out.store(workspace, cluster_name(&node.address), w);
        }
        out
    }

    /// A cluster node's transcript: its `address` line, a `CLUSTER INFO` field, or the
    /// `CLUSTER NODES` line of a node id.
    pub fn cluster(&self, address: &str) -> Span {
        self.get(&[format!("c|{address}")])
    }

    pub fn cluster_error(&self, address: &str) -> Span {
        self.get(&[format!("c|{address}|error"), format!("c|{address}")])
    }

    pub fn cluster_info(&self, address: &str, field: &str) -> Span {
        self.get(&[format!("c|{address}|i|{field}"), format!("c|{address}")])
    }

    pub fn cluster_node(&self, address: &str, id: &str) -> Span {
        self.get(&[format!("c|{address}|n|{id}"), format!("c|{address}")])
    }

    fn store(&mut self, workspace: &mut Workspace, name: String, w: Writer) {
        let id: FileId = workspace.set_shown_only(name, w.text);
        self.files.insert(id);
        for (key, range) in w.spans {
            self.spans
                .entry(key)
                .or_insert_with(|| Span::new(id, range.start, range.end));
        }
    }

    fn get(&self, keys: &[String]) -> Span {
        keys.iter()
            .find_map(|k| self.spans.get(k).copied())
            .expect("the transcript of every endpoint has an address line")
    }

    /// The sentinel's `address` line.
    pub fn sentinel(&self, sentinel: &str) -> Span {
        self.get(&[format!("s|{sentinel}")])
    }

    /// The sentinel's connection error (or its address).
    pub fn sentinel_error(&self, sentinel: &str) -> Span {
        self.get(&[format!("s|{sentinel}|error"), format!("s|{sentinel}")])
    }

    pub fn sentinel_password(&self, sentinel: &str) -> Span {
        self.get(&[format!("s|{sentinel}|password"), format!("s|{sentinel}")])
    }

    /// The `SENTINEL MASTER` header for `name` (or the sentinel's address).
    pub fn master(&self, sentinel: &str, name: &str) -> Span {
        self.get(&[format!("s|{sentinel}|m|{name}"), format!("s|{sentinel}")])
    }

    pub fn master_error(&self, sentinel: &str, name: &str) -> Span {
        self.get(&[
            format!("s|{sentinel}|m|{name}|error"),
            format!("s|{sentinel}|m|{name}"),
            format!("s|{sentinel}"),
        ])
    }

    /// One field of the `SENTINEL MASTER` reply.
    pub fn master_field(&self, sentinel: &str, name: &str, field: &str) -> Span {
        self.get(&[
            format!("s|{sentinel}|m|{name}|f|{field}"),
            format!("s|{sentinel}|m|{name}"),
            format!("s|{sentinel}"),
        ])
    }

    pub fn ckquorum(&self, sentinel: &str, name: &str) -> Span {
        self.get(&[
            format!("s|{sentinel}|m|{name}|ck"),
            format!("s|{sentinel}|m|{name}"),
            format!("s|{sentinel}"),
        ])
    }

    /// A field of a replica entry of `SENTINEL REPLICAS` (or the entry's header).
    pub fn replica_field(&self, sentinel: &str, name: &str, replica: &str, field: &str) -> Span {
        let m = format!("s|{sentinel}|m|{name}");
        self.get(&[
            format!("{m}|r|{replica}|{field}"),
            format!("{m}|r|{replica}"),
            format!("{m}|rhead"),
            m,
            format!("s|{sentinel}"),
        ])
    }

    /// A field of a peer entry of `SENTINEL SENTINELS` (or the entry's header).
    pub fn peer_field(&self, sentinel: &str, name: &str, peer: &str, field: &str) -> Span {
        let m = format!("s|{sentinel}|m|{name}");
        self.get(&[
            format!("{m}|p|{peer}|{field}"),
            format!("{m}|p|{peer}"),
            format!("{m}|f|num-other-sentinels"),
            m,
            format!("s|{sentinel}"),
        ])
    }

    /// The data node's `address` line.
    pub fn node(&self, node: &str) -> Option<Span> {
        self.spans.get(&format!("n|{node}")).copied()
    }

    pub fn node_error(&self, node: &str) -> Option<Span> {
        self.spans
            .get(&format!("n|{node}|error"))
            .or_else(|| self.spans.get(&format!("n|{node}")))
            .copied()
    }

    pub fn node_password(&self, node: &str) -> Option<Span> {
        self.spans
            .get(&format!("n|{node}|password"))
            .or_else(|| self.spans.get(&format!("n|{node}")))
            .copied()
    }

    /// A field of the node's `INFO replication`.
    pub fn node_info(&self, node: &str, field: &str) -> Option<Span> {
        [
            format!("n|{node}|i|{field}"),
            format!("n|{node}|ihead"),
            format!("n|{node}"),
        ]
        .iter()
        .find_map(|k| self.spans.get(k).copied())
    }

    /// A `CONFIG GET` value of the node.
    pub fn node_config(&self, node: &str, field: &str) -> Option<Span> {
        [
            format!("n|{node}|c|{field}"),
            format!("n|{node}|chead"),
            format!("n|{node}"),
        ]
        .iter()
        .find_map(|k| self.spans.get(k).copied())
    }
}
