//! `helm install` / `helm upgrade` / `helm template` commands of a script: the chart they
//! deploy, the values files they pass (`-f`) and the values they set on the command line
//! (`--set key=value`), each at its place in the script.

use crate::syntax::shell;
use crate::syntax::yaml::{self, Node, Style};
use std::ops::Range;

/// One release a script deploys.
#[derive(Debug, Clone)]
pub struct HelmCommand {
    pub release: Option<String>,
    /// As written: `bitnami/redis`, `oci://…/bitnamicharts/redis`, `./charts/redis`.
    pub chart: String,
    /// `-f` / `--values` files, as written, in order (a later one wins).
    pub value_files: Vec<String>,
    /// The `--set` / `--set-string` values as a values tree, nodes at the script's
    /// offsets. `None` when the command sets nothing.
    pub set: Option<Node>,
}

/// Options of helm's install/upgrade/template that take a value (the next word unless
/// written `--opt=value`).
const WITH_VALUE: &[&str] = &[
    "-n",
    "--namespace",
    "--version",
    "--repo",
    "--timeout",
    "-f",
    "--values",
    "--set",
    "--set-string",
    "--set-file",
    "--set-json",
    "--set-literal",
    "--kube-context",
    "--kubeconfig",
    "--description",
    "--post-renderer",
    "--username",
    "--password",
    "--ca-file",
    "--cert-file",
    "--key-file",
    "-o",
    "--output",
    "--name-template",
    "--api-versions",
    "--kube-version",
];

/// The release a `helm` command deploys, if it is one.
pub fn read(command: &shell::Command, text: &str) -> Option<HelmCommand> {
    let (i, program) = command.program()?;
    if shell::basename(&program.value) != "helm" {
        return None;
    }
    let words = &command.words[i + 1..];
    let sub = words.first()?.value.as_str();
    if !matches!(sub, "install" | "upgrade" | "template") {
        return None;
    }
    let mut positional: Vec<&str> = Vec::new();
    let mut value_files = Vec::new();
    let mut sets: Vec<(&shell::Word, Style)> = Vec::new();
    let mut generate_name = false;
    let mut k = 1;
    while k < words.len() {
        let w = &words[k];
        let v = w.value.as_str();
        if let Some((opt, _)) = v.split_once('=').filter(|(o, _)| o.starts_with('-')) {
            if matches!(opt, "--set" | "--set-string") {
                let style = if opt == "--set" {
                    Style::Plain
                } else {
                    Style::DoubleQuoted
                };
                sets.push((w, style));
            } else if matches!(opt, "-f" | "--values") {
                value_files.push(v[opt.len() + 1..].to_string());
            }
            k += 1;
            continue;
        }
        if v.starts_with('-') {
            if v == "--generate-name" || v == "-g" {
                generate_name = true;
            }
            if WITH_VALUE.contains(&v) {
                if let Some(next) = words.get(k + 1) {
                    match v {
                        "--set" => sets.push((next, Style::Plain)),
                        "--set-string" => sets.push((next, Style::DoubleQuoted)),
                        "-f" | "--values" => value_files.push(next.value.clone()),
                        _ => {}
                    }
                }
                k += 2;
            } else {
                k += 1;
            }
            continue;
        }
        positional.push(v);
        k += 1;
    }
    let (release, chart) = match (positional.as_slice(), generate_name) {
        ([chart], true) => (None, *chart),
        ([chart], false) if sub == "template" => (None, *chart),
        ([release, chart, ..], _) => (Some(release.to_string()), *chart),
        _ => return None,
    };
    let mut set: Option<Node> = None;
    for (word, style) in sets {
        for (path, value, range) in assignments(word, text) {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            let node = yaml::nested(&keys, yaml::scalar(&value, style, range));
            set = Some(match set {
                Some(acc) => yaml::layered(&acc, &node),
                None => node,
            });
        }
    }
    if let Some(node) = &mut set {
        // Every value comes from the script: one layer.
        yaml::set_layer(node, 0);
    }
    Some(HelmCommand {
        release,
        chart: chart.to_string(),
        value_files,
        set,
    })
}

/// The `key.path=value` pairs of one `--set` word (`a=1,b.c=x`), with the byte range of
/// each value in the script. Keys with list indexes (`a[0]`) are left out.
fn assignments(word: &shell::Word, text: &str) -> Vec<(Vec<String>, String, Range<usize>)> {
    let raw = &text[word.range.clone()];
    let value = word
        .value
        .strip_prefix("--set-string=")
        .or_else(|| word.value.strip_prefix("--set="))
        .unwrap_or(&word.value);
    let mut out = Vec::new();
    let mut search_from = 0;
    for pair in split_unescaped(value, ',') {
        let Some((key, val)) = pair.split_once('=') else {
            continue;
        };
        let path: Vec<String> = split_unescaped(key, '.')
            .into_iter()
            .map(|k| k.trim_matches('"').replace("\\.", "."))
            .collect();
        if path.iter().any(|k| k.is_empty() || k.contains('[')) {
            continue;
        }
        // The value's place: after `key=` in the word as written (quotes aside).
        let at = raw[search_from..]
            .find(&format!("{}=", key.rsplit('.').next().unwrap_or(key)))
            .map(|p| search_from + p);
        let range = match at {
            Some(p) => {
                let start = p + key.rsplit('.').next().unwrap_or(key).len() + 1;
                let end = (start + val.len()).min(raw.len());
                search_from = end;
                word.range.start + start..word.range.start + end
            }
            None => word.range.clone(),
        };
        out.push((path, val.to_string(), range));
    }
    out
}

/// `text` split at `sep`, except where a backslash escapes it.
fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            out.last_mut().unwrap().push('\\');
            out.last_mut().unwrap().push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(String::new());
        } else {
            out.last_mut().unwrap().push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_with_sets_and_values_files() {
        let text = "helm upgrade --install cache bitnami/redis -n data -f values.yaml \\\n  --set sentinel.enabled=true,replica.replicaCount=3 --set-string auth.password=x\n";
        let script = shell::parse(text);
        let release = read(&script.commands[0], text).expect("a helm release");
        assert_eq!(release.release.as_deref(), Some("cache"));
        assert_eq!(release.chart, "bitnami/redis");
        assert_eq!(release.value_files, ["values.yaml"]);
        let set = release.set.expect("values set");
        let count = set.at("replica.replicaCount").unwrap();
        assert_eq!(count.as_i64(), Some(3));
        assert_eq!(&text[count.span.clone()], "3");
        assert_eq!(set.at("sentinel.enabled").unwrap().as_bool_11(), Some(true));
        assert_eq!(&text[set.at("auth.password").unwrap().span.clone()], "x");
    }

    #[test]
    fn other_helm_commands_are_no_release() {
        for text in [
            "helm repo add bitnami https://x\n",
            "helm list -A\n",
            "kubectl apply -f x\n",
        ] {
            let script = shell::parse(text);
            assert!(read(&script.commands[0], text).is_none(), "{text}");
        }
    }
}
