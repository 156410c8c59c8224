//! The engine for the playground, as WebAssembly with a plain C ABI (no wasm-bindgen,
//! so the page needs no generated glue): the page writes a UTF-8 JSON request into
//! memory from [`alloc`], calls [`check`], and reads the answer at [`result_ptr`].
//!
//! Request: `{"files": [{"name": "sentinel.conf", "text": "…"}], "target": "redis-7.2"}`.
//! Answer: `{"findings": <the JSON array of `check --output-format json`>,
//! "files": [{"name", "text"}], "error": null}` where `text` is the file with every
//! secret replaced by a placeholder: the page shows and keeps that text, so a password
//! never stays in the page or in a shared link.

use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::{Settings, Target, Workspace};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Deserialize, Serialize, Clone)]
pub struct File {
    pub name: String,
    pub text: String,
}

#[derive(Deserialize)]
struct Request {
    files: Vec<File>,
    #[serde(default)]
    target: Option<String>,
}

#[derive(Serialize)]
struct Answer {
    findings: serde_json::Value,
    files: Vec<File>,
    error: Option<String>,
}

thread_local! {
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Memory for the page to write a request into.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Give back memory from [`alloc`].
///
/// # Safety
/// `ptr` and `len` come from one call of [`alloc`].
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// Check the request at `ptr` (`len` bytes of JSON); the answer's length is returned
/// and its bytes are at [`result_ptr`] until the next call.
///
/// # Safety
/// `ptr` points to `len` initialised bytes.
#[no_mangle]
pub unsafe extern "C" fn check(ptr: *const u8, len: usize) -> usize {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let answer = answer(bytes);
    RESULT.with(|r| {
        *r.borrow_mut() = answer.into_bytes();
        r.borrow().len()
    })
}

#[no_mangle]
pub extern "C" fn result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

fn answer(bytes: &[u8]) -> String {
    let answer = match serde_json::from_slice::<Request>(bytes) {
        Ok(request) => match run(&request) {
            Ok((findings, files)) => Answer {
                findings,
                files,
                error: None,
            },
            Err(e) => Answer {
                findings: serde_json::Value::Array(Vec::new()),
                files: request.files,
                error: Some(e),
            },
        },
        Err(e) => Answer {
            findings: serde_json::Value::Array(Vec::new()),
            files: Vec::new(),
            error: Some(format!("bad request: {e}")),
        },
    };
    serde_json::to_string(&answer).expect("serializable")
}

fn workspace(files: &[File], target: Target) -> Workspace {
    let mut workspace = Workspace::new(Settings {
        target,
        ..Settings::default()
    });
    for f in files {
        workspace.set_file(PathBuf::from(&f.name), f.text.as_str(), true);
    }
    workspace
}

/// The files with their secrets replaced, and the findings on those texts (the same
/// findings: a placeholder has the length of the value, and equal values get equal
/// placeholders, so every comparison of passwords comes out as before).
fn run(request: &Request) -> Result<(serde_json::Value, Vec<File>), String> {
    let target = match &request.target {
        Some(t) if !t.is_empty() => Target::parse(t)?,
        _ => Target::default(),
    };
    let files = redact(&request.files, target);
    let workspace = workspace(&files, target);
    let diagnostics = workspace.check();
    let json = render(
        &workspace,
        &diagnostics,
        OutputFormat::Json,
        RenderOptions::default(),
    );
    let findings = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    Ok((findings, files))
}

/// Every secret value replaced by a placeholder of the same length (quotes kept).
pub fn redact(files: &[File], target: Target) -> Vec<File> {
    let workspace = workspace(files, target);
    let mut placeholders: HashMap<String, String> = HashMap::new();
    files
        .iter()
        .map(|f| {
            let Some(id) = workspace.file_id(&PathBuf::from(&f.name)) else {
                return f.clone();
            };
            let mut spans: Vec<_> = workspace
                .secret_spans(id)
                .into_iter()
                .map(|s| s.range())
                .chain(commented_secrets(&f.text))
                .filter(|r| {
                    r.end <= f.text.len()
                        && f.text.is_char_boundary(r.start)
                        && f.text.is_char_boundary(r.end)
                })
                .collect();
            spans.sort_by_key(|r| (r.start, r.end));
            spans.dedup();
            let mut text = f.text.clone();
            let mut last_start = usize::MAX;
            for range in spans.into_iter().rev() {
                if range.end > last_start {
                    continue; // overlapping: the later one was replaced already
                }
                last_start = range.start;
                let value = &f.text[range.clone()];
                let next = placeholders.len();
                let replacement = placeholders
                    .entry(value.to_string())
                    .or_insert_with(|| placeholder(value, next))
                    .clone();
                text.replace_range(range, &replacement);
            }
            File {
                name: f.name.clone(),
                text,
            }
        })
        .collect()
}

/// Values of password directives that are commented out (`# requirepass "…"`): not
/// settings, so the engine does not mask them, but still passwords someone may share.
fn commented_secrets(text: &str) -> Vec<std::ops::Range<usize>> {
    const KEYS: [&[&str]; 4] = [
        &["requirepass"],
        &["masterauth"],
        &["sentinel", "auth-pass", "*"],
        &["sentinel", "sentinel-pass"],
    ];
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(body) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        // Words with their byte ranges in the file.
        let mut words = Vec::new();
        let base = start + (line.len() - body.len());
        let mut at = 0;
        for word in body.split([' ', '\t', '\r', '\n']) {
            if !word.is_empty() {
                words.push((word, base + at..base + at + word.len()));
            }
            at += word.len() + 1;
        }
        for key in KEYS {
            let matches = key.len() < words.len()
                && key
                    .iter()
                    .zip(&words)
                    .all(|(k, (w, _))| *k == "*" || w.eq_ignore_ascii_case(k));
            if matches {
                // A quoted value runs to its closing quote (it may hold blanks).
                let word = words[key.len()].1.clone();
                let rest = &text[word.start..start + line.trim_end().len()];
                let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
                let end = match quote.and_then(|q| rest[1..].find(q)) {
                    Some(close) => word.start + close + 2,
                    None => word.end,
                };
                out.push(word.start..end);
            }
        }
    }
    out
}

/// `value` with its characters (inside quotes) replaced by letters that spell `index`
/// and then `x`, as long as the value in bytes.
fn placeholder(value: &str, index: usize) -> String {
    let quoted = value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')));
    let (open, inner, close) = if quoted {
        (
            &value[..1],
            &value[1..value.len() - 1],
            &value[value.len() - 1..],
        )
    } else {
        ("", value, "")
    };
    let mut letters = String::new();
    let mut n = index;
    loop {
        letters.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    let mut out: String = letters.chars().take(inner.len()).collect();
    while out.len() < inner.len() {
        out.push('x');
    }
    format!("{open}{out}{close}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<File> {
        list.iter()
            .map(|(n, t)| File {
                name: n.to_string(),
                text: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn secrets_become_placeholders_and_findings_stay() {
        let input = files(&[
            (
                "master.conf",
                "port 6379\nbind 10.0.0.1\nrequirepass Sup3rSecret\nmasterauth Sup3rSecret\n",
            ),
            (
                "sentinel.conf",
                "port 26379\nsentinel monitor mymaster 10.0.0.1 6379 2\nsentinel auth-pass mymaster OtherSecret\n",
            ),
        ]);
        let request = Request {
            files: input.clone(),
            target: None,
        };
        let plain = {
            let w = workspace(&input, Target::default());
            let d = w.check();
            render(&w, &d, OutputFormat::Json, RenderOptions::default())
        };
        let (findings, redacted) = run(&request).unwrap();
        let all: String = redacted.iter().map(|f| f.text.clone()).collect();
        assert!(
            !all.contains("Sup3rSecret") && !all.contains("OtherSecret"),
            "{all}"
        );
        for (a, b) in input.iter().zip(&redacted) {
            assert_eq!(a.text.len(), b.text.len());
        }
        // The same findings, at the same places (the JSON of the CLI on the real texts).
        let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
        assert_eq!(findings, plain);
        assert!(
            findings.to_string().contains("sentinel-auth-pass-mismatch"),
            "{findings}"
        );
    }

    #[test]
    fn commented_out_passwords_are_replaced_too() {
        let input = files(&[(
            "sentinel.conf",
            "# requirepass \"Old Secret!\"\n  #sentinel auth-pass mymaster Hidden1\n# requirepass\nport 26379\n",
        )]);
        let out = redact(&input, Target::default());
        assert!(
            !out[0].text.contains("Secret") && !out[0].text.contains("Hidden1"),
            "{}",
            out[0].text
        );
        assert!(out[0].text.contains("# requirepass \""), "{}", out[0].text);
        assert_eq!(out[0].text.len(), input[0].text.len());
    }

    #[test]
    fn placeholders_differ_per_value_and_keep_quotes() {
        assert_eq!(placeholder("\"abcdef\"", 0), "\"axxxxx\"");
        assert_eq!(placeholder("abcdef", 27), "bbxxxx");
        assert_ne!(placeholder("abc", 1), placeholder("abd", 2));
    }
}
