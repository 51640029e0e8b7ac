//! Picket's language server.
//!
//! Architecture Invariant: this is the only crate that knows the Language Server Protocol.
//! Conversions between byte offsets and protocol positions live in [`convert`] and nowhere else.
//!
//! Architecture Invariant: document changes are applied in order, before any `.await`, under a
//! plain mutex; every diagnostic set carries the document version it was computed from, and
//! stale sets are dropped. Analysis runs on blocking threads behind `catch_unwind`, so a bug
//! costs one diagnostics run, not the server.

pub mod convert;
mod navigation;
mod runtime;
mod server;
mod settings;
mod state;
mod transport;
mod workspace;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::{LspService, Server};

/// Serves the protocol over stdin and stdout until the client exits. Returns whether the client
/// asked for `shutdown` before `exit` (the process should then exit with status 0, else 1).
pub async fn run_stdio() -> bool {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| server::Backend::new(client, flag));
    let (guarded_in, server_in) = tokio::io::duplex(1 << 20);
    let guard = tokio::spawn(transport::guard(tokio::io::stdin(), guarded_in));
    // One message at a time, in order: text changes must apply in the order they were sent.
    // Diagnostics run in background tasks, so this costs no responsiveness.
    Server::new(server_in, tokio::io::stdout(), socket)
        .concurrency_level(1)
        .serve(service)
        .await;
    guard.abort();
    shutdown.load(Ordering::SeqCst)
}
