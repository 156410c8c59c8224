//! Protocol tests: spawn `redis-halint server` and speak JSON-RPC over its stdio, as an
//! editor does.

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Generous: the machine running the tests may be busy. Latency is printed, not asserted.
const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages received but not consumed yet.
    backlog: VecDeque<Value>,
    next_id: i64,
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    fn spawn(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redis-halint"))
            .arg("server")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn redis-halint server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length from the server")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("server sends JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The first message (backlog first) that satisfies `pred`; others stay in the backlog.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.backlog.push_back(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "timed out waiting for {what}; received: {:#?}",
                        self.backlog
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "server closed its output waiting for {what}; received: {:#?}",
                        self.backlog
                    )
                }
            }
        }
    }

    fn response(&mut self, id: Value) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m.get("id") == Some(&id) && m.get("method").is_none()
        })
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let response = self.response(json!(id));
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next publishDiagnostics for `uri` whose diagnostics satisfy `pred`.
    fn diagnostics(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Value {
        self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && pred(m["params"]["diagnostics"].as_array().unwrap())
        })["params"]
            .clone()
    }

    fn initialize(&mut self, root: Option<&Path>, options: Value) -> Value {
        let folders = match root {
            Some(root) => json!([{"uri": uri(root), "name": "root"}]),
            None => Value::Null,
        };
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root.map(uri),
                "capabilities": {},
                "workspaceFolders": folders,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "redis", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// shutdown + exit; the exit status.
    fn finish(mut self) -> std::process::ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rules(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["data"]["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn has_rule(diagnostics: &[Value], rule: &str) -> bool {
    rules(diagnostics).iter().any(|r| r == rule)
}

/// Byte offset of an LSP (UTF-16) position.
fn offset(text: &str, line: u64, character: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16() as u64;
    }
    text.len()
}

fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let pos = |p: &Value| {
                offset(
                    text,
                    p["line"].as_u64().unwrap(),
                    p["character"].as_u64().unwrap(),
                )
            };
            (
                pos(&r["start"]),
                pos(&r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn diagnostics_arrive_after_did_open_of_a_2000_line_file() {
    let mut text = String::new();
    for i in 0..1999 {
        match i % 40 {
            0 => text.push_str(&format!("################ SECTION {i} ################\n")),
            1 => text.push_str("#\n"),
            _ => text.push_str(&format!(
                "# {i}: commented-out defaults, as in the stock redis.conf\n"
            )),
        }
    }
    text.push_str("port 6379\nappendonly true\n"); // an error on the last line
    assert!(text.lines().count() >= 2000);
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    let uri = "file:///nonexistent/big/redis.conf";
    let started = Instant::now();
    client.open(uri, &text);
    let params = client.diagnostics(uri, |d| !d.is_empty());
    let latency = started.elapsed();
    println!(
        "diagnostics {} ms after didOpen of a {}-line file",
        latency.as_millis(),
        text.lines().count()
    );
    let diagnostics = params["diagnostics"].as_array().unwrap();
    let d = diagnostics
        .iter()
        .find(|d| d["data"]["rule"] == "invalid-value")
        .expect("invalid-value");
    assert_eq!(d["range"]["start"], json!({"line": 2000, "character": 11}));
    assert_eq!(d["code"], "S004");
    assert_eq!(d["source"], "redis-halint");
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/redis-halint/redis-halint/blob/main/rules/invalid-value.md"
    );
    assert_eq!(params["version"], 1);
    assert!(client.finish().success());
}

#[test]
fn incremental_changes_update_diagnostics_with_utf16_ranges() {
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    let uri = "file:///nonexistent/inc/redis.conf";
    client.open(uri, "# é😀\nloglevel \"é😀\"\nappendonly true\n");
    let first = client.diagnostics(uri, |d| has_rule(d, "invalid-value"));
    let ranges: Vec<Value> = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["range"].clone())
        .collect();
    // `"é😀"` is 5 UTF-16 units (the emoji is two), 8 bytes.
    assert!(
        ranges.contains(
            &json!({"start": {"line": 1, "character": 9}, "end": {"line": 1, "character": 14}})
        ),
        "{ranges:?}"
    );
    assert!(
        ranges.contains(
            &json!({"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 15}})
        ),
        "{ranges:?}"
    );

    // Fix both values, then break a name, in incremental edits (positions in UTF-16).
    client.change(uri, 2, json!([
        {"range": {"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 15}}, "text": "yes"},
        {"range": {"start": {"line": 1, "character": 9}, "end": {"line": 1, "character": 14}}, "text": "notice"},
    ]));
    let second = client.diagnostics(uri, |d| !has_rule(d, "invalid-value"));
    assert_eq!(second["version"], 2);
    assert_eq!(second["diagnostics"], json!([]));

    client.change(uri, 3, json!([
        {"range": {"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 5}}, "text": "maxmemroy 1gb\n"},
    ]));
    // Line 0 is now "# maxmemroy 1gb" (a comment) and line 1 is the emoji-free rest: the
    // comment hides it. Replace the `# ` to make it a directive.
    client.change(uri, 4, json!([
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}}, "text": ""},
    ]));
    let third = client.diagnostics(uri, |d| has_rule(d, "unknown-directive"));
    assert_eq!(third["version"], 4);
    let d = &third["diagnostics"][0];
    assert_eq!(
        d["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 9}})
    );
    assert!(client.finish().success());
}

#[test]
fn applying_a_code_action_removes_its_diagnostic() {
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    let uri = "file:///nonexistent/fix/redis.conf";
    let text = "port 6379\nappendonly true\nmaxmemroy 1gb\n";
    client.open(uri, text);
    let params = client.diagnostics(uri, |d| {
        has_rule(d, "invalid-value") && has_rule(d, "unknown-directive")
    });
    let diagnostics = params["diagnostics"].as_array().unwrap().clone();
    let target = diagnostics
        .iter()
        .find(|d| d["data"]["rule"] == "invalid-value")
        .unwrap();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": target["range"], "context": {"diagnostics": [target]}}),
    );
    let actions = actions.as_array().unwrap();
    let quickfix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["diagnostics"][0]["data"]["rule"] == "invalid-value")
        .unwrap_or_else(|| panic!("no quick fix in {actions:#?}"));
    assert!(!quickfix["title"].as_str().unwrap().contains("unsafe"));
    assert!(actions
        .iter()
        .any(|a| a["kind"] == "source.fixAll.redis-halint"));

    // The unknown directive's fix (a rename) changes behaviour: it says so.
    let unknown = diagnostics
        .iter()
        .find(|d| d["data"]["rule"] == "unknown-directive")
        .unwrap();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": unknown["range"], "context": {"diagnostics": [unknown]}}),
    );
    let rename = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .unwrap();
    assert!(
        rename["title"].as_str().unwrap().contains("unsafe"),
        "{rename}"
    );

    let edits = quickfix["edit"]["changes"][uri].as_array().unwrap();
    let fixed = apply_edits(text, edits);
    assert_eq!(fixed, "port 6379\nappendonly yes\nmaxmemroy 1gb\n");
    client.change(uri, 2, json!([{"text": fixed}]));
    let after = client.diagnostics(uri, |d| !has_rule(d, "invalid-value"));
    assert_eq!(after["version"], 2);
    assert_eq!(
        rules(after["diagnostics"].as_array().unwrap()),
        vec!["unknown-directive"]
    );
    assert!(client.finish().success());
}

#[test]
fn cross_file_findings_use_the_workspace_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let redis = root.join("redis.conf");
    let sentinel = root.join("sentinel.conf");
    std::fs::write(
        &redis,
        "port 6379\nbind 10.0.0.5\nrequirepass secret-one\nmasterauth secret-one\n",
    )
    .unwrap();
    // Not on loopback: a group on one host gets no min-replicas-to-write-missing.
    let sentinel_text = "port 26379\nsentinel monitor mymaster 10.0.0.5 6379 1\nsentinel auth-pass mymaster secret-two\n";
    std::fs::write(&sentinel, sentinel_text).unwrap();
    let (redis_uri, sentinel_uri) = (uri(&redis), uri(&sentinel));

    let mut client = Client::spawn(&[]);
    client.initialize(Some(&root), Value::Null);
    client.open(&sentinel_uri, sentinel_text);
    // The sentinel's auth-pass differs from the password of redis.conf, which is not open.
    let params = client.diagnostics(&sentinel_uri, |d| {
        has_rule(d, "sentinel-auth-pass-mismatch") && has_rule(d, "min-replicas-to-write-missing")
    });
    let diagnostics = params["diagnostics"].as_array().unwrap();
    let mismatch = diagnostics
        .iter()
        .find(|d| d["data"]["rule"] == "sentinel-auth-pass-mismatch")
        .unwrap();
    assert_eq!(
        mismatch["relatedInformation"][0]["location"]["uri"],
        redis_uri
    );
    assert_eq!(
        mismatch["relatedInformation"][0]["location"]["range"]["start"],
        json!({"line": 2, "character": 12})
    );
    assert!(
        !params.to_string().contains("secret-"),
        "a password leaked: {params}"
    );
    // A finding of redis.conf (not open) that involves the open sentinel.conf is published
    // for redis.conf, and shown at its label in sentinel.conf.
    let on_disk = client.diagnostics(&redis_uri, |d| has_rule(d, "min-replicas-to-write-missing"));
    assert_eq!(on_disk["version"], Value::Null);
    assert_eq!(
        on_disk["diagnostics"][0]["relatedInformation"][0]["location"]["uri"],
        sentinel_uri
    );
    let mirrored = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["data"]["rule"] == "min-replicas-to-write-missing")
        .unwrap()
        .clone();
    assert_eq!(
        mirrored["relatedInformation"][0]["location"]["uri"],
        redis_uri
    );

    // Editing the open buffer (not the disk) fixes the mismatch: buffers override the disk.
    client.change(&sentinel_uri, 2, json!([{"range": {"start": {"line": 2, "character": 28}, "end": {"line": 2, "character": 38}}, "text": "secret-one"}]));
    let params = client.diagnostics(&sentinel_uri, |d| {
        !has_rule(d, "sentinel-auth-pass-mismatch")
    });
    assert_eq!(params["version"], 2);

    // A file that is not open changes on disk: the watcher's notification re-checks.
    std::fs::write(
        &redis,
        "port 6379\nbind 10.0.0.5\nrequirepass secret-three\nmasterauth secret-three\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": redis_uri, "type": 2}]}),
    );
    client.diagnostics(&sentinel_uri, |d| {
        has_rule(d, "sentinel-auth-pass-mismatch")
    });

    // Closing the buffer clears what it showed.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": sentinel_uri}}),
    );
    client.diagnostics(&sentinel_uri, |d| d.is_empty());
    client.diagnostics(&redis_uri, |d| d.is_empty());
    assert!(client.finish().success());
}

#[test]
fn malformed_messages_and_unknown_methods_do_not_crash_the_server() {
    let mut client = Client::spawn(&[]);
    // Before initialize, requests are refused, not fatal.
    let id = client.send_request("textDocument/hover", json!({}));
    assert_eq!(client.response(json!(id))["error"]["code"], -32002);
    client.initialize(None, Value::Null);

    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let parse_error = client.response(Value::Null);
    assert_eq!(parse_error["error"]["code"], -32700);
    client.send(json!({"jsonrpc": "2.0", "id": 99}));
    assert_eq!(client.response(json!(99))["error"]["code"], -32600);
    client.send_raw(b"X-Nonsense: yes\r\n\r\n");
    assert_eq!(client.response(Value::Null)["error"]["code"], -32700);

    let id = client.send_request("foo/bar", json!({}));
    assert_eq!(client.response(json!(id))["error"]["code"], -32601);
    let id = client.send_request("textDocument/hover", json!(42));
    assert_eq!(client.response(json!(id))["error"]["code"], -32602);
    client.notify("foo/unknownNotification", json!({"x": 1}));
    client.notify("textDocument/didChange", json!({"nonsense": true}));
    client.change(
        "file:///never/opened.conf",
        2,
        json!([{"text": "port 1\n"}]),
    );

    // Requests about documents that are not open are answered.
    let at = json!({"textDocument": {"uri": "file:///never/opened.conf"}, "position": {"line": 0, "character": 0}});
    assert_eq!(
        client.request("textDocument/hover", at.clone()),
        Value::Null
    );
    assert_eq!(client.request("textDocument/completion", at), Value::Null);
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}});
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///never/opened.conf"}, "range": range, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions, json!([]));

    // Still serving.
    let uri = "file:///nonexistent/ok/redis.conf";
    client.open(uri, "port 6379\n");
    client.diagnostics(uri, |d| d.is_empty());
    assert!(client.finish().success());
}

#[test]
fn hover_and_completion_come_from_the_knowledge_base() {
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    let uri = "file:///nonexistent/hc/sentinel.conf";
    client.open(
        uri,
        "port 26379\nsentinel monitor mymaster redis-master 6379 2\nsentinel \n",
    );
    let params = client.diagnostics(uri, |d| {
        has_rule(d, "hostname-monitor-without-resolve-hostnames")
    });
    assert!(!params["diagnostics"].as_array().unwrap().is_empty());
    let hover = |client: &mut Client, line: u32, character: u32| -> String {
        let result = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        result["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let port = hover(&mut client, 0, 1);
    assert!(
        port.contains("**port**") && port.contains("Default"),
        "{port}"
    );
    let monitor = hover(&mut client, 1, 11);
    assert!(
        monitor.contains("<master-name> <ip|host> <port> <quorum>"),
        "{monitor}"
    );
    // Inside the finding's range: the rule's summary.
    let on_host = hover(&mut client, 1, 28);
    assert!(
        on_host.contains("N001") && on_host.contains("hostname-monitor-without-resolve-hostnames"),
        "{on_host}"
    );

    let labels = |result: Value| -> Vec<String> {
        result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let keywords = labels(client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 9}}),
    ));
    assert!(
        keywords.contains(&"resolve-hostnames".to_string()),
        "{keywords:?}"
    );
    client.change(uri, 2, json!([{"range": {"start": {"line": 2, "character": 9}, "end": {"line": 2, "character": 9}}, "text": "resolve-hostnames "}]));
    let values = labels(client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 27}}),
    ));
    assert_eq!(values, vec!["yes", "no"]);
    assert!(client.finish().success());
}

#[test]
fn target_version_comes_from_initialization_options() {
    let text = "port 6379\nlocale-collate C\n";
    let uri = "file:///nonexistent/tv/redis.conf";
    for (options, expected) in [
        (json!({"targetVersion": "redis-7.0"}), true),
        (Value::Null, false),
    ] {
        let mut client = Client::spawn(&[]);
        client.initialize(None, options);
        client.open(uri, text);
        let params = client.diagnostics(uri, |_| true);
        assert_eq!(
            has_rule(
                params["diagnostics"].as_array().unwrap(),
                "directive-not-in-version"
            ),
            expected,
            "{params}"
        );
        assert!(client.finish().success());
    }
    // A bad target version is reported to the user, not fatal.
    let mut client = Client::spawn(&[]);
    client.initialize(None, json!({"targetVersion": "redis-0.1"}));
    client.wait_for("showMessage", |m| m["method"] == "window/showMessage");
    assert!(client.finish().success());
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn requests_are_answered_while_a_check_runs() {
    // A file large enough that its check takes a while: the hover sent right after the
    // didOpen is answered by the message loop before the worker's check is done.
    let mut text = String::new();
    for i in 0..200_000 {
        text.push_str(&format!("save {} 1\n", i + 1));
    }
    text.push_str("appendonly true\n");
    let mut client = Client::spawn(&[]);
    client.initialize(None, Value::Null);
    let uri = "file:///nonexistent/slow/redis.conf";
    client.open(uri, &text);
    let started = Instant::now();
    let id = client.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
    );
    let response = client.response(json!(id));
    let answered = started.elapsed();
    assert!(response["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("**save**"));
    let published_before = client
        .backlog
        .iter()
        .any(|m| m["method"] == "textDocument/publishDiagnostics");
    let params = client.diagnostics(uri, |d| !d.is_empty());
    let checked = started.elapsed();
    println!(
        "hover answered after {} ms, diagnostics after {} ms",
        answered.as_millis(),
        checked.as_millis()
    );
    assert!(!published_before, "the hover waited for the check");
    assert!(has_rule(
        params["diagnostics"].as_array().unwrap(),
        "invalid-value"
    ));
    assert!(client.finish().success());
}

#[test]
fn compose_finding_appears_when_its_sentinel_conf_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let compose = root.join("docker-compose.yml");
    let sentinel = root.join("sentinel1.conf");
    std::fs::write(
        &compose,
        "services:\n  sentinel1:\n    image: redis:7.2\n    command: redis-sentinel /etc/redis/sentinel.conf\n    volumes:\n      - ./sentinel1.conf:/etc/redis/sentinel.conf\n",
    )
    .unwrap();
    let sentinel_text = "port 26379\nsentinel monitor mymaster 10.0.0.10 6379 2\n";
    std::fs::write(&sentinel, sentinel_text).unwrap();
    let (compose_uri, sentinel_uri) = (uri(&compose), uri(&sentinel));

    let mut client = Client::spawn(&[]);
    client.initialize(Some(&root), Value::Null);
    client.open(&sentinel_uri, sentinel_text);
    // The compose file is not open: its finding is published for it, and shown in the
    // open sentinel1.conf, which it involves.
    let on_disk = client.diagnostics(&compose_uri, |d| {
        has_rule(d, "compose-sentinel-single-file-bind")
    });
    assert_eq!(on_disk["version"], Value::Null);
    client.diagnostics(&sentinel_uri, |d| {
        has_rule(d, "compose-sentinel-single-file-bind")
    });
    assert!(client.finish().success());
}

#[test]
fn reads_and_reloads_the_cli_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let config = root.join("redis-halint.toml");
    std::fs::write(
        &config,
        "[lint]\nignore = [\"hostname-monitor-without-resolve-hostnames\"]\n",
    )
    .unwrap();
    let sentinel = root.join("sentinel.conf");
    let text = "port 26379\nsentinel monitor mymaster redis-0 6379 2\nsentinel down-after-milliseconds mymaster 500\n";
    std::fs::write(&sentinel, text).unwrap();
    let sentinel_uri = uri(&sentinel);
    let mut client = Client::spawn(&[]);
    client.initialize(Some(&root), Value::Null);
    client.open(&sentinel_uri, text);
    client.diagnostics(&sentinel_uri, |d| {
        has_rule(d, "down-after-too-low")
            && !has_rule(d, "hostname-monitor-without-resolve-hostnames")
    });
    // The file changes on disk: the server re-reads it.
    std::fs::write(&config, "[lint]\nignore = []\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    client.diagnostics(&sentinel_uri, |d| {
        has_rule(d, "hostname-monitor-without-resolve-hostnames")
    });
    assert!(client.finish().success());
}

/// The language server applies the settings `check` applies, through the same engine
/// function: severity overrides, `ignore`, and a nested `redis-halint.toml` nearest to
/// the files under it. Its published diagnostics (code, severity, range) are those of
/// `check --output-format json` on the same tree.
#[test]
fn published_diagnostics_equal_check_with_the_same_configs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    };
    // Two sentinels of one master, quorum 1, a down-after of 500 ms.
    let sentinel = "port 26379\nsentinel resolve-hostnames yes\nsentinel announce-hostnames yes\nsentinel monitor mymaster 10.0.0.5 6379 1\nsentinel down-after-milliseconds mymaster 500\n";
    for d in ["east", "west"] {
        write(&format!("{d}/sentinel-a/sentinel.conf"), sentinel);
        write(&format!("{d}/sentinel-b/sentinel.conf"), sentinel);
    }
    write(
        "redis-halint.toml",
        "[lint.severity]\nsentinel-count-below-three = \"warning\"\nquorum-below-majority = \"warning\"\n",
    );
    // The nested config replaces the root one for the files under it.
    write(
        "west/redis-halint.toml",
        "[lint]\nignore = [\"down-after-too-low\"]\n[lint.severity]\nquorum-below-majority = \"error\"\n",
    );

    let cli = Command::new(env!("CARGO_BIN_EXE_redis-halint"))
        .args([
            "check",
            "--output-format",
            "json",
            "--fail-on",
            "never",
            ".",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&cli.stdout).unwrap();
    let severity_number = |s: &str| match s {
        "error" => 1,
        "warning" => 2,
        _ => 3,
    };
    let mut expected: Vec<(String, String, i64, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["code"].as_str().unwrap().to_string(),
                severity_number(f["severity"].as_str().unwrap()),
                f["line"].as_u64().unwrap() - 1,
                f["column"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    expected.sort();
    // The configs did something: an override, a nested override and a nested ignore.
    assert!(
        expected
            .iter()
            .any(|e| e.0.starts_with("east") && e.1 == "Q001" && e.2 == 2),
        "{expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|e| e.0.starts_with("west") && e.1 == "Q005" && e.2 == 1),
        "{expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|e| e.0.starts_with("east") && e.1 == "T001"),
        "{expected:?}"
    );
    assert!(
        !expected
            .iter()
            .any(|e| e.0.starts_with("west") && e.1 == "T001"),
        "{expected:?}"
    );

    let mut client = Client::spawn(&[]);
    client.initialize(Some(&root), Value::Null);
    let files = [
        "east/sentinel-a/sentinel.conf",
        "east/sentinel-b/sentinel.conf",
        "west/sentinel-a/sentinel.conf",
        "west/sentinel-b/sentinel.conf",
    ];
    for f in files {
        client.open(&uri(&root.join(f)), sentinel);
    }
    let mut published = Vec::new();
    for f in files {
        let wanted = expected.iter().filter(|e| e.0 == f).count();
        let params = client.diagnostics(&uri(&root.join(f)), |d| {
            d.iter().filter(|x| x["data"]["mirrored"] != true).count() == wanted
        });
        for d in params["diagnostics"].as_array().unwrap() {
            if d["data"]["mirrored"] == true {
                continue;
            }
            published.push((
                f.to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_i64().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
            ));
        }
    }
    published.sort();
    assert_eq!(published, expected);
    assert!(client.finish().success());
}

/// A Jinja template is checked as the file it renders, in the editor as by `check`, and
/// an edit of the template is rendered again.
#[test]
fn jinja_template_findings_follow_edits_of_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let role = root.join("roles/redis");
    std::fs::create_dir_all(role.join("templates")).unwrap();
    std::fs::create_dir_all(role.join("tasks")).unwrap();
    std::fs::write(
        role.join("tasks/main.yml"),
        "- name: sentinel config\n  template:\n    src: sentinel.conf.j2\n    dest: /etc/redis/sentinel.conf\n",
    )
    .unwrap();
    let template = role.join("templates/sentinel.conf.j2");
    let exposed = "port 26379\nbind 0.0.0.0\ndir /var/lib/redis\nsentinel monitor mymaster {{ groups['redis'][0] }} 6379 2\n";
    std::fs::write(&template, exposed).unwrap();
    let template_uri = uri(&template);

    let mut client = Client::spawn(&[]);
    client.initialize(Some(&root), Value::Null);
    client.open(&template_uri, exposed);
    client.diagnostics(&template_uri, |d| {
        has_rule(d, "sentinel-exposed-unauthenticated")
    });
    // A password is set: rendered again, the template is no longer exposed.
    client.change(
        &template_uri,
        2,
        json!([{ "text": format!("{exposed}requirepass {{{{ sentinel_password }}}}\n") }]),
    );
    client.diagnostics(&template_uri, |d| {
        !has_rule(d, "sentinel-exposed-unauthenticated")
    });
    assert!(client.finish().success());
}
