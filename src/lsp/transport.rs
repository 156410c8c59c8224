//! JSON-RPC framing over stdio (`Content-Length` headers, JSON bodies).
//!
//! `lsp-server`'s own stdio transport stops reading at the first malformed payload, which
//! ends the session. This one answers a body that is not JSON with a JSON-RPC parse error
//! (`id: null`), a JSON value that is not a message with an invalid-request error, resyncs
//! on the next `Content-Length` header after garbage, and keeps reading.

use crossbeam_channel::{bounded, select, unbounded, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

/// A body larger than this is skipped, not buffered.
const MAX_BODY: usize = 256 * 1024 * 1024;

pub struct IoThreads {
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Wait until every message the server sent has been written. The reader thread is
    /// left alone: after `exit` it has returned, and after EOF it has too.
    pub fn join(self) {
        let _ = self.writer.join();
    }
}

/// A connection over this process's stdin and stdout.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_client, outgoing) = bounded::<Message>(0);
    let (raw_tx, raw_rx) = unbounded::<String>();
    let writer = thread::Builder::new()
        .name("lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            write_loop(&mut stdout.lock(), outgoing, raw_rx);
        })
        .expect("spawn writer thread");
    let (incoming_tx, incoming) = bounded::<Message>(0);
    thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            read_loop(&mut stdin.lock(), &incoming_tx, &raw_tx);
        })
        .expect("spawn reader thread");
    (
        Connection {
            sender: to_client,
            receiver: incoming,
        },
        IoThreads { writer },
    )
}

fn write_loop(out: &mut impl Write, messages: Receiver<Message>, raw: Receiver<String>) {
    loop {
        select! {
            recv(messages) -> msg => match msg {
                Ok(msg) => {
                    if msg.write(out).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            },
            recv(raw) -> text => if let Ok(text) = text {
                if write_frame(out, &text).is_err() {
                    return;
                }
            },
        }
    }
}

fn write_frame(out: &mut impl Write, text: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    out.flush()
}

/// Read frames until EOF or until `exit` was passed on.
pub fn read_loop(input: &mut impl BufRead, messages: &Sender<Message>, raw: &Sender<String>) {
    loop {
        let frame = match read_frame(input) {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(_) => return,
        };
        let body = match frame {
            Frame::Body(body) => body,
            Frame::Bad(reason) => {
                let _ = raw.send(error_response(
                    serde_json::Value::Null,
                    ErrorCode::ParseError,
                    &reason,
                ));
                continue;
            }
        };
        match decode(&body) {
            Ok(msg) => {
                let is_exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if messages.send(msg).is_err() || is_exit {
                    return;
                }
            }
            Err(reply) => {
                let _ = raw.send(reply);
            }
        }
    }
}

enum Frame {
    Body(Vec<u8>),
    /// Headers that announce no usable body.
    Bad(String),
}

fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut size: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue; // stray blank line between frames
            }
            break;
        }
        saw_header = true;
        // Searching anywhere in the line resyncs after garbage without a newline.
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.rfind("content-length:") {
            let value = text[at + "content-length:".len()..].trim();
            size = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("invalid Content-Length header: {value:?}")),
            );
        }
    }
    let size = match size {
        None => return Ok(Some(Frame::Bad("no Content-Length header".into()))),
        Some(Err(reason)) => return Ok(Some(Frame::Bad(reason))),
        Some(Ok(size)) => size,
    };
    if size > MAX_BODY {
        io::copy(&mut input.take(size as u64), &mut io::sink())?;
        return Ok(Some(Frame::Bad(format!(
            "message of {size} bytes is larger than {MAX_BODY}"
        ))));
    }
    let mut body = vec![0; size];
    input.read_exact(&mut body)?;
    Ok(Some(Frame::Body(body)))
}

/// A message, or the error response to send back.
fn decode(body: &[u8]) -> Result<Message, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        error_response(
            serde_json::Value::Null,
            ErrorCode::ParseError,
            &format!("malformed JSON: {e}"),
        )
    })?;
    let id = match value.get("id") {
        Some(id @ (serde_json::Value::Number(_) | serde_json::Value::String(_))) => id.clone(),
        _ => serde_json::Value::Null,
    };
    serde_json::from_value::<Message>(value).map_err(|e| {
        error_response(
            id,
            ErrorCode::InvalidRequest,
            &format!("not a JSON-RPC message: {e}"),
        )
    })
}

fn error_response(id: serde_json::Value, code: ErrorCode, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> (Vec<Message>, Vec<String>) {
        let (tx, rx) = unbounded();
        let (raw_tx, raw_rx) = unbounded();
        read_loop(&mut io::Cursor::new(input.as_bytes()), &tx, &raw_tx);
        drop((tx, raw_tx));
        (rx.iter().collect(), raw_rx.iter().collect())
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn survives_garbage_and_keeps_reading() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7}"#),
            frame("[1,2]"),
            "garbage without headers\r\n\r\n".to_string(),
            "Content-Length: abc\r\n\r\n".to_string(),
            frame(ok),
        ]
        .concat();
        let (messages, errors) = frames(&input);
        assert_eq!(messages.len(), 1);
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].contains("-32700"));
        assert!(errors[1].contains("\"id\":7") && errors[1].contains("-32600"));
    }

    #[test]
    fn resyncs_on_a_header_after_garbage() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!("{{\"half\": {}", frame(ok));
        let (messages, _) = frames(&input);
        assert_eq!(messages.len(), 1);
    }
}
