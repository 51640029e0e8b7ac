//! A small, synchronous Language Server Protocol client that drives a server process over
//! pipes: for end-to-end tests and for `cargo xtask bench`.
//!
//! It answers the server's own requests (`window/workDoneProgress/create`,
//! `workspace/diagnostic/refresh`, `client/registerCapability`, `workspace/configuration`,
//! `window/showMessageRequest` with [`Client::message_choice`], `workspace/applyEdit` as
//! applied) so a server never waits on it, and keeps them and notifications until a test asks
//! for them.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running server and the client side of its pipes.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    queue: VecDeque<Value>,
    epoch: Instant,
    last_arrival: Option<Instant>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
    /// Notifications received so far, by method.
    received: std::collections::HashMap<String, usize>,
    /// How long to wait for any one message before giving up (a hang detector, not a
    /// performance assertion).
    pub timeout: Duration,
    /// The title of the action to choose when the server asks with `window/showMessageRequest`
    /// (none is chosen when it offers no such action, or when this is `None`).
    pub message_choice: Option<String>,
    /// Leave `window/showMessageRequest` unanswered, for the test to answer with
    /// [`Client::respond`] (a user who takes their time).
    pub hold_message_requests: bool,
}

/// Reads one framed message; `Ok(None)` at end of stream.
pub fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Value>> {
    match read_frame(reader)? {
        None => Ok(None),
        Some(body) => serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
    }
}

/// Reads one frame's body; `Ok(None)` at end of stream.
fn read_frame(reader: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse().ok();
        }
    }
    let length = length.ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, "message without Content-Length")
    })?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The key under which the reader records when a message arrived (microseconds since the
/// client started), before parsing it: latency figures then exclude the client's own JSON
/// parsing.
const ARRIVAL: &str = "$picketArrivalMicros";

/// Frames a message.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

impl Client {
    /// Starts `program args…` with piped stdio.
    pub fn spawn(program: &Path, args: &[&str], envs: &[(&str, &str)]) -> io::Result<Client> {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let stderr_pipe = child
            .stderr
            .take()
            .ok_or_else(|| io::Error::other("no stderr"))?;
        let (tx, rx) = mpsc::channel();
        let epoch = Instant::now();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(body)) = read_frame(&mut reader) {
                let arrived = epoch.elapsed().as_micros() as u64;
                let Ok(mut msg) = serde_json::from_slice::<Value>(&body) else {
                    break;
                };
                if let Some(obj) = msg.as_object_mut() {
                    obj.insert(ARRIVAL.to_owned(), json!(arrived));
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                }
                line.clear();
            }
        });
        Ok(Client {
            child,
            stdin,
            rx,
            queue: VecDeque::new(),
            epoch,
            last_arrival: None,
            next_id: 0,
            stderr,
            received: std::collections::HashMap::new(),
            timeout: Duration::from_secs(60),
            message_choice: None,
            hold_message_requests: false,
        })
    }

    fn note_arrival(&mut self, msg: &Value) {
        self.last_arrival = msg[ARRIVAL]
            .as_u64()
            .map(|us| self.epoch + Duration::from_micros(us));
    }

    /// When the message last returned by [`Client::wait_notification`] (or
    /// [`Client::diagnostics_for`]) arrived, before the client parsed it.
    pub fn last_arrival(&self) -> Option<Instant> {
        self.last_arrival
    }

    /// How many `method` notifications have arrived so far (consumed or not).
    pub fn notifications_received(&self, method: &str) -> usize {
        self.received.get(method).copied().unwrap_or(0)
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory of the server in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Writes raw bytes to the server (to test broken messages).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stdin.write_all(bytes)?;
        self.stdin.flush()
    }

    fn send(&mut self, message: &Value) -> io::Result<()> {
        let bytes = frame(message);
        self.send_raw(&bytes)
    }

    /// Answers the server's request `id` with `result`.
    pub fn respond(&mut self, id: &Value, result: Value) -> io::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }))
    }

    pub fn notify(&mut self, method: &str, params: Value) -> io::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Receives the next message, answering the server's requests on the way.
    fn recv(&mut self, deadline: Instant) -> io::Result<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no message from the server; stderr:\n{}", self.stderr()),
                ));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the server closed its output; stderr:\n{}", self.stderr()),
                ));
            }
        };
        let held = self.hold_message_requests
            && msg["method"] == "window/showMessageRequest"
            && msg.get("id").is_some();
        // A request from the server: answer it (unless held).
        if msg.get("method").is_some() && msg.get("id").is_some() && !held {
            let result = match msg["method"].as_str() {
                Some("workspace/configuration") => {
                    let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                    json!(vec![Value::Null; n])
                }
                Some("window/showMessageRequest") => msg["params"]["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| {
                        self.message_choice
                            .as_deref()
                            .is_some_and(|c| a["title"] == c)
                    })
                    .cloned()
                    .unwrap_or(Value::Null),
                Some("workspace/applyEdit") => json!({ "applied": true }),
                _ => Value::Null,
            };
            let reply = json!({ "jsonrpc": "2.0", "id": msg["id"].clone(), "result": result });
            self.send(&reply)?;
            // Handed on like a notification, so that a test can wait for it.
            return Ok(msg);
        }
        if let Some(method) = msg.get("method").and_then(Value::as_str) {
            *self.received.entry(method.to_owned()).or_default() += 1;
        }
        Ok(msg)
    }

    /// Sends a request and waits for its response; notifications that arrive meanwhile are
    /// kept for [`Client::wait_notification`]. Returns the `result`, or the `error` as `Err`.
    pub fn request(&mut self, method: &str, params: Value) -> io::Result<Result<Value, Value>> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        let deadline = Instant::now() + self.timeout;
        loop {
            let msg = self.recv(deadline)?;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return Ok(match msg.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
                });
            }
            self.queue.push_back(msg);
        }
    }

    /// Waits for a notification (or server request, already answered) `method` whose params
    /// satisfy `pred`; earlier notifications that do not match are dropped, earlier server
    /// requests are kept for a later wait.
    pub fn wait_notification(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> io::Result<Value> {
        self.wait_message(method, pred).map(|m| m["params"].clone())
    }

    /// Like [`Client::wait_notification`], returning the whole message (a server request's
    /// `id` with it).
    pub fn wait_message(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> io::Result<Value> {
        let mut kept = VecDeque::new();
        let found = self.find_message(method, &pred, &mut kept);
        kept.extend(self.queue.drain(..));
        self.queue = kept;
        found
    }

    fn find_message(
        &mut self,
        method: &str,
        pred: &impl Fn(&Value) -> bool,
        kept: &mut VecDeque<Value>,
    ) -> io::Result<Value> {
        while let Some(msg) = self.queue.pop_front() {
            if msg["method"] == method && pred(&msg["params"]) {
                self.note_arrival(&msg);
                return Ok(msg);
            }
            if msg.get("id").is_some() && msg.get("method").is_some() {
                kept.push_back(msg);
            }
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let msg = self.recv(deadline)?;
            if msg["method"] == method && pred(&msg["params"]) {
                self.note_arrival(&msg);
                return Ok(msg);
            }
            if msg.get("id").is_some() && msg.get("method").is_some() {
                kept.push_back(msg);
            }
        }
    }

    /// Messages received and not consumed yet (after draining what has arrived).
    pub fn drain(&mut self) -> Vec<Value> {
        while let Ok(m) = self.rx.try_recv() {
            self.queue.push_back(m);
        }
        self.queue.drain(..).collect()
    }

    /// `initialize` then `initialized`; returns the server's `InitializeResult`.
    pub fn initialize(&mut self, capabilities: Value, root_uri: Option<&str>) -> io::Result<Value> {
        let params = json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "workspaceFolders": root_uri.map(|u| json!([{ "uri": u, "name": "root" }])),
            "capabilities": capabilities,
        });
        let result = self
            .request("initialize", params)?
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.notify("initialized", json!({}))?;
        Ok(result)
    }

    pub fn did_open(&mut self, uri: &str, version: i32, text: &str) -> io::Result<()> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": version, "text": text } }),
        )
    }

    /// An incremental change: replace `range` (`[[line, char], [line, char]]`) with `text`.
    pub fn did_change(
        &mut self,
        uri: &str,
        version: i32,
        range: [[u32; 2]; 2],
        text: &str,
    ) -> io::Result<()> {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{
                    "range": { "start": { "line": range[0][0], "character": range[0][1] },
                               "end": { "line": range[1][0], "character": range[1][1] } },
                    "text": text,
                }],
            }),
        )
    }

    /// Waits for `publishDiagnostics` of `uri` at `version`.
    pub fn diagnostics_for(&mut self, uri: &str, version: i32) -> io::Result<Vec<Value>> {
        let params = self.wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        })?;
        Ok(params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// `shutdown` and `exit`, then waits for the process.
    pub fn shutdown(mut self) -> io::Result<std::process::ExitStatus> {
        let _ = self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the server did not exit",
                ));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Where `needle` first occurs in `text`, as `(line, start, end)` in UTF-16 code units (or bytes
/// when `utf16` is false). Computed here, independently of the server's conversion code.
pub fn locate(text: &str, needle: &str, utf16: bool) -> (u64, u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let (line, start) = position_at(text, at, utf16);
    let width = |s: &str| {
        if utf16 {
            s.encode_utf16().count() as u64
        } else {
            s.len() as u64
        }
    };
    (line, start, start + width(needle))
}

/// The `(line, character)` of byte `offset` in `text`, in UTF-16 code units or bytes.
pub fn position_at(text: &str, offset: usize, utf16: bool) -> (u64, u64) {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = before.matches('\n').count() as u64 + before.matches('\r').count() as u64
        - before.matches("\r\n").count() as u64;
    let col = &before[line_start..];
    let character = if utf16 {
        col.encode_utf16().count() as u64
    } else {
        col.len() as u64
    };
    (line, character)
}

/// A text with a `$0` cursor marker: the text without it, and the cursor as an LSP position
/// (UTF-16) in JSON, ready for a request's `position`.
pub fn cursor(marked: &str) -> (String, Value) {
    let at = marked.find("$0").expect("a `$0` cursor marker");
    let text = format!("{}{}", &marked[..at], &marked[at + 2..]);
    let (line, character) = position_at(&text, at, true);
    (text, json!({ "line": line, "character": character }))
}
