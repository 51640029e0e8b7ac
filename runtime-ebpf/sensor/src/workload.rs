//! A scripted workload with known behaviour, for the live tests and `picket-sensor bench`:
//! it runs programs, connects, sends DNS queries and plain datagrams, uses a capability and
//! writes files, each exactly as often as asked, so a profile of it can be checked fact by fact.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;

/// What to do, in this order (also the hidden `workload` command's options).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Script {
    /// Programs to run (each waited for), `count` times each.
    #[arg(long)]
    pub exec: Vec<PathBuf>,
    /// TCP servers to connect to, `count` times each.
    #[arg(long)]
    pub connect: Vec<SocketAddr>,
    /// UDP addresses to send a DNS query (for `example.com`, type A) to, `count` times each.
    #[arg(long)]
    pub dns: Vec<SocketAddr>,
    /// UDP addresses to send a plain datagram (`picket`, not DNS) to, `count` times each.
    #[arg(long)]
    pub udp: Vec<SocketAddr>,
    /// Files to create and give to uid/gid 65534 (uses CAP_CHOWN when run as root).
    #[arg(long)]
    pub chown: Vec<PathBuf>,
    /// Files to create and write.
    #[arg(long)]
    pub write: Vec<PathBuf>,
    /// Null syscalls (`getppid`) to make, for the syscall overhead benchmark.
    #[arg(long, default_value_t = 0)]
    pub syscalls: u64,
    /// Repetitions of `exec` and `connect`.
    #[arg(long, default_value_t = 1)]
    pub count: u64,
}

/// What the run took, per step, in nanoseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    pub exec_ns: u128,
    pub connect_ns: u128,
    pub syscalls_ns: u128,
}

/// Runs the script.
pub fn run(script: &Script) -> anyhow::Result<Timing> {
    let count = script.count.max(1);
    let mut timing = Timing::default();

    let t = Instant::now();
    for program in &script.exec {
        for _ in 0..count {
            let status = Command::new(program)
                .status()
                .with_context(|| format!("running {}", program.display()))?;
            anyhow::ensure!(status.success(), "{} failed: {status}", program.display());
        }
    }
    timing.exec_ns = t.elapsed().as_nanos();

    let t = Instant::now();
    for addr in &script.connect {
        for i in 0..count {
            let stream = TcpStream::connect(addr)
                .with_context(|| format!("connecting to {addr} (connection {i})"))?;
            // Close with a reset: no TIME_WAIT, so 100,000 connections do not run out of ports.
            reset_on_close(&stream)?;
        }
    }
    timing.connect_ns = t.elapsed().as_nanos();

    for addr in &script.dns {
        let bind: SocketAddr = if addr.is_ipv4() {
            "0.0.0.0:0".parse()?
        } else {
            "[::]:0".parse()?
        };
        let socket = UdpSocket::bind(bind)?;
        // An answer, when a server gives one, is read (so that its names are seen); none is
        // waited for long.
        socket.set_read_timeout(Some(std::time::Duration::from_millis(300)))?;
        for _ in 0..count {
            socket
                .send_to(&dns_query(), addr)
                .with_context(|| format!("sending a DNS query to {addr}"))?;
            let mut buf = [0u8; 512];
            let _ = socket.recv_from(&mut buf);
        }
    }

    for addr in &script.udp {
        let bind: SocketAddr = if addr.is_ipv4() {
            "0.0.0.0:0".parse()?
        } else {
            "[::]:0".parse()?
        };
        let socket = UdpSocket::bind(bind)?;
        for _ in 0..count {
            socket
                .send_to(b"picket", addr)
                .with_context(|| format!("sending a datagram to {addr}"))?;
        }
    }

    for path in &script.chown {
        std::fs::write(path, b"owned\n").with_context(|| format!("writing {}", path.display()))?;
        std::os::unix::fs::chown(path, Some(65534), Some(65534))
            .with_context(|| format!("chown 65534:65534 {}", path.display()))?;
    }
    for path in &script.write {
        std::fs::write(path, b"picket\n").with_context(|| format!("writing {}", path.display()))?;
    }

    let t = Instant::now();
    for _ in 0..script.syscalls {
        // `getppid` cannot be cached by libc: a real syscall each time.
        std::hint::black_box(std::os::unix::process::parent_id());
    }
    timing.syscalls_ns = t.elapsed().as_nanos();
    Ok(timing)
}

/// Sets `SO_LINGER` to zero, so that closing sends a reset.
fn reset_on_close(stream: &TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    #[allow(unsafe_code)]
    // SAFETY: the fd is open for the call; `linger` is a valid `struct linger` of the given size.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A DNS query for `example.com`, type A.
fn dns_query() -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["example", "com"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

/// Accepts connections on `addr` until killed; prints `listening <port>` once bound.
pub fn serve(addr: SocketAddr, out: &mut dyn Write) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    deepen_backlog(&listener);
    writeln!(out, "listening {}", listener.local_addr()?.port())?;
    out.flush()?;
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        // Take whatever the client sent, if anything, without waiting for it.
        stream.set_nonblocking(true)?;
        let mut buf = [0u8; 64];
        let _ = stream.read(&mut buf);
    }
    Ok(())
}

/// Raises the accept queue from std's 128 to the system's maximum, so that a burst of
/// connections is not refused (a refused handshake never completes on the server side).
fn deepen_backlog(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    #[allow(unsafe_code)]
    // SAFETY: the fd is a listening socket, open for the call.
    unsafe {
        libc::listen(listener.as_raw_fd(), libc::SOMAXCONN.max(4096));
    }
}

/// Receives UDP datagrams on `addr` until killed; prints `listening <port>` once bound.
/// With `answers`, a datagram that is a DNS query gets an answer giving those addresses.
pub fn serve_udp(
    addr: SocketAddr,
    answers: &[std::net::IpAddr],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let socket = UdpSocket::bind(addr).with_context(|| format!("listening on {addr} (UDP)"))?;
    writeln!(out, "listening {}", socket.local_addr()?.port())?;
    out.flush()?;
    let mut buf = [0u8; 512];
    loop {
        // Errors (e.g. ICMP-induced ones) do not end the server.
        let Ok((n, from)) = socket.recv_from(&mut buf) else {
            continue;
        };
        if answers.is_empty() {
            continue;
        }
        if let Some(answer) = crate::dns::answer_to(&buf[..n], answers) {
            let _ = socket.send_to(&answer, from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_query_is_well_formed() {
        let q = dns_query();
        assert_eq!(&q[4..6], &[0, 1], "one question");
        assert_eq!(&q[12..20], b"\x07example");
        assert_eq!(&q[q.len() - 4..], &[0, 1, 0, 1], "type A, class IN");
    }

    #[test]
    fn sends_plain_datagrams() {
        let plain = UdpSocket::bind("127.0.0.1:0").unwrap();
        let script = Script {
            udp: vec![plain.local_addr().unwrap()],
            count: 2,
            ..Default::default()
        };
        run(&script).unwrap();
        // Loopback datagrams are queued by the time `send_to` returns; the timeout only keeps
        // a broken script from hanging the test.
        plain
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 512];
        for _ in 0..2 {
            let n = plain.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"picket");
        }
    }

    #[test]
    fn runs_a_script_without_privileges() {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Script {
            exec: vec!["/bin/true".into()],
            connect: vec![addr],
            write: vec![dir.path().join("w")],
            syscalls: 10,
            count: 2,
            ..Default::default()
        };
        run(&script).unwrap();
        assert_eq!(std::fs::read(dir.path().join("w")).unwrap(), b"picket\n");
        listener.set_nonblocking(true).unwrap();
        assert!(
            listener.accept().is_ok(),
            "the connections reached the listener"
        );
    }
}
