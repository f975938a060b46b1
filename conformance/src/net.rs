//! A minimal HTTP/1.1 client for loopback health probes (etcd, the operator, the Pulsar broker), so that
//! no HTTP client crate is needed before a kube client exists.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `GET path` against `addr` with `Connection: close`: the status code and the body. Connecting, writing
/// and reading are each bounded by `timeout`.
pub fn http_get(addr: SocketAddr, path: &str, timeout: Duration) -> io::Result<(u16, String)> {
    http_get_with(addr, path, timeout, None)
}

/// [`http_get`] with an `Authorization` header value (e.g. `Bearer <token>`) when given.
pub fn http_get_with(
    addr: SocketAddr,
    path: &str,
    timeout: Duration,
    authorization: Option<&str>,
) -> io::Result<(u16, String)> {
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json, text/plain\r\n{auth}Connection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .lines()
        .next()
        .and_then(|status| status.split_whitespace().nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status line"))?;
    Ok((code, body.to_owned()))
}

/// [`http_get`] on `127.0.0.1:port`: whether it answered `want_code` with a body containing `want_body`.
/// Anything else (not listening yet, another answer) is `false`.
pub fn loopback_answers(port: u16, path: &str, want_code: u16, want_body: &str) -> bool {
    http_get(
        SocketAddr::from(([127, 0, 0, 1], port)),
        path,
        Duration::from_secs(5),
    )
    .is_ok_and(|(code, body)| code == want_code && body.contains(want_body))
}

/// The first non-empty line of `s`, at most 200 characters (for messages).
pub fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener};

    /// Serves one connection with `answer` after reading the whole request head.
    fn serve_once(answer: &'static [u8]) -> (SocketAddr, std::thread::JoinHandle<()>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // Read the whole request head first: answering and closing after a partial read makes the
            // client's remaining writes fail (EPIPE) under load.
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
            }
            s.write_all(answer).unwrap();
        });
        (addr, server)
    }

    #[test]
    fn http_status_line_is_parsed() {
        let (addr, server) = serve_once(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nok");
        let (code, body) =
            http_get(addr, "/admin/v2/brokers/health", Duration::from_secs(10)).unwrap();
        server.join().unwrap();
        assert_eq!(code, 200);
        assert_eq!(body, "ok");
    }

    #[test]
    fn loopback_answers_checks_code_and_body() {
        let (addr, server) = serve_once(b"HTTP/1.1 503 Service Unavailable\r\n\r\nnot ready");
        assert!(!loopback_answers(addr.port(), "/readyz", 200, ""));
        server.join().unwrap();
        let (addr, server) = serve_once(b"HTTP/1.1 200 OK\r\n\r\n{\"health\":\"true\"}");
        assert!(loopback_answers(
            addr.port(),
            "/health",
            200,
            "\"health\":\"true\""
        ));
        server.join().unwrap();
    }

    #[test]
    fn garbage_is_invalid_data() {
        let (addr, server) = serve_once(b"hello");
        let err = http_get(addr, "/", Duration::from_secs(10)).unwrap_err();
        server.join().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn first_line_skips_blank_lines() {
        assert_eq!(first_line("\n  \nfirst\nsecond"), "first");
        assert_eq!(first_line(&"x".repeat(300)).len(), 200);
    }
}
