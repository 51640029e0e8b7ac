//! A guard in front of the protocol decoder: frames are read and checked here, and only
//! well-formed JSON-RPC messages reach `tower-lsp-server`.
//!
//! Why: the decoder stops for good after one undecodable frame (its framed reader ends the
//! stream on the first error), so one garbled message from a client, an extension or a proxy
//! would end the session. Here a bad body is logged and dropped (a request with a readable id
//! gets an error reply), a bad header is skipped up to the next `Content-Length`, and bodies
//! over a size limit are discarded without being held in memory.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message accepted (a `didOpen` carries a whole file).
pub(crate) const MAX_MESSAGE: usize = 256 << 20;
const MAX_HEADER_LINE: usize = 8 << 10;

/// Copies valid frames from `input` to `output` until `input` ends.
pub(crate) async fn guard(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut reader = BufReader::with_capacity(64 << 10, input);
    loop {
        let length = match read_headers(&mut reader).await {
            Ok(Some(n)) => n,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!("dropping a malformed message header: {e}");
                continue;
            }
        };
        if length > MAX_MESSAGE {
            tracing::warn!(
                "dropping a {length}-byte message: larger than the {MAX_MESSAGE}-byte limit"
            );
            if skip(&mut reader, length).await.is_err() {
                break;
            }
            continue;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            tracing::warn!("input ended inside a message");
            break;
        }
        let forwarded = match check(&body) {
            Ok(()) => body,
            Err((reason, id)) => {
                tracing::warn!("dropping an undecodable message: {reason}");
                match id {
                    // Let the server answer the request with an error, so the client is not
                    // left waiting.
                    Some(id) => serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": "picket/invalidMessage" })
                        .to_string()
                        .into_bytes(),
                    None => continue,
                }
            }
        };
        let header = format!("Content-Length: {}\r\n\r\n", forwarded.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&forwarded).await.is_err()
        {
            break;
        }
        let _ = output.flush().await;
    }
    let _ = output.shutdown().await;
}

/// A decodable JSON-RPC message, or why not and its id if one can be read.
fn check(body: &[u8]) -> Result<(), (String, Option<serde_json::Value>)> {
    if serde_json::from_slice::<Request>(body).is_ok()
        || serde_json::from_slice::<Response>(body).is_ok()
    {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => Err((format!("invalid JSON ({e})"), None)),
        Ok(v) => {
            let id = v
                .get("id")
                .filter(|id| id.is_string() || id.is_number())
                .cloned();
            Err((
                "not a JSON-RPC 2.0 request, notification or response".to_owned(),
                id,
            ))
        }
    }
}

/// Reads one header block; returns the content length, `None` at the end of input.
async fn read_headers(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<usize>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_any = false;
    loop {
        let Some(line) = read_line_capped(reader).await? else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !saw_any {
                // Stray blank lines between messages.
                continue;
            }
            return match length {
                Some(Ok(n)) => Ok(Some(n)),
                Some(Err(e)) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
                None => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "no Content-Length header",
                )),
            };
        }
        saw_any = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
            );
        }
    }
}

/// One line (with its `\n`), at most [`MAX_HEADER_LINE`] bytes kept; `None` at end of input.
async fn read_line_capped(
    reader: &mut (impl AsyncBufRead + Unpin),
) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if line.is_empty() { None } else { Some(line) });
        }
        let (take, done) = match memchr_newline(buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        if done {
            return Ok(Some(line));
        }
    }
}

fn memchr_newline(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

async fn skip(reader: &mut (impl AsyncRead + Unpin), mut n: usize) -> std::io::Result<()> {
    let mut chunk = vec![0; 64 << 10];
    while n > 0 {
        let want = n.min(chunk.len());
        let got = reader.read(&mut chunk[..want]).await?;
        if got == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        n -= got;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    async fn run(input: &[u8]) -> String {
        let (mut tx, rx) = tokio::io::duplex(64 << 10);
        let mut out = std::io::Cursor::new(Vec::new());
        let input = input.to_vec();
        let writer = tokio::spawn(async move {
            tx.write_all(&input).await.unwrap();
        });
        guard(rx, &mut out).await;
        writer.await.unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[tokio::test]
    async fn good_frames_pass_bad_ones_are_dropped_or_answered() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let ok2 = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;
        let mut input = String::new();
        input.push_str(&frame(ok));
        input.push_str(&frame("{not json"));
        input.push_str("Garbage-Header\r\n\r\n");
        input.push_str("Content-Length: nine\r\n\r\n");
        input.push_str(&frame(r#"{"id": 5, "hello": true}"#));
        input.push_str(&frame("[1, 2]"));
        input.push_str(&frame(ok2));
        let out = run(input.as_bytes()).await;
        // Compare the messages, not their bytes (key order depends on serde_json's features).
        let mut reader = std::io::BufReader::new(out.as_bytes());
        let mut messages = Vec::new();
        while let Some(m) = picket_test_utils::lsp::read_message(&mut reader).unwrap() {
            messages.push(m);
        }
        let expected: Vec<serde_json::Value> = [
            ok,
            r#"{"jsonrpc":"2.0","id":5,"method":"picket/invalidMessage"}"#,
            ok2,
        ]
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
        assert_eq!(messages, expected);
    }

    #[tokio::test]
    async fn an_oversized_header_line_does_not_grow_memory() {
        let mut input = vec![b'x'; 1 << 20];
        input.extend_from_slice(b"\r\n\r\n");
        input.extend_from_slice(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#).as_bytes());
        let out = run(&input).await;
        assert!(out.ends_with(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    }
}
