//! Raw HTTP/1.1 to the worker for the authorization scenarios: any header bytes (proxy headers,
//! non-UTF-8 values, oversized credentials) and any body (hand-made or broken multipart), one
//! request per connection. Every answer is kept so the canary checks can read them.

use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one raw request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The multipart boundary of [`multipart`].
pub const BOUNDARY: &str = "fmesh-authz-boundary-7d3c";

/// Every answer the authorization scenarios got (raw HTTP bodies, `pulsar-admin` and Go client
/// output), for the canary check.
static RECORDED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Keeps `text` (an answer or a client's output) for [`recorded`].
pub fn record(text: &str) {
    match RECORDED.lock() {
        Ok(mut r) => r.push(text.to_owned()),
        Err(p) => p.into_inner().push(text.to_owned()),
    }
}

/// Everything [`record`]ed in this run.
pub fn recorded() -> Vec<String> {
    match RECORDED.lock() {
        Ok(r) => r.clone(),
        Err(p) => p.into_inner().clone(),
    }
}

/// One answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The status code (0 when the connection closed without one).
    pub status: u16,
    /// The body (lossy UTF-8).
    pub body: String,
}

/// A raw client for one worker; it records every answer body.
#[derive(Debug)]
pub struct Raw {
    addr: std::net::SocketAddr,
    seen: Mutex<Vec<String>>,
}

impl Raw {
    /// A client for the worker listening on `addr`.
    pub fn new(addr: std::net::SocketAddr) -> Raw {
        Raw {
            addr,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Every answer body so far (the head too, for a closed connection's bytes).
    pub fn seen(&self) -> Vec<String> {
        match self.seen.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Sends `method path` with `headers` (raw bytes) and `body`; the status and body, or why
    /// there was none.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Result<Answer, String> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr).into_bytes();
        for (name, value) in headers {
            req.extend_from_slice(name.as_bytes());
            req.extend_from_slice(b": ");
            req.extend_from_slice(value);
            req.extend_from_slice(b"\r\n");
        }
        req.extend_from_slice(
            format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        );
        req.extend_from_slice(body);
        let exchange = async {
            let mut s = tokio::net::TcpStream::connect(self.addr).await?;
            s.write_all(&req).await?;
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await?;
            Ok::<_, std::io::Error>(raw)
        };
        let raw = match tokio::time::timeout(TIMEOUT, exchange).await {
            Ok(Ok(raw)) => raw,
            Ok(Err(e)) => return Err(format!("{method} {path}: {e}")),
            Err(_) => return Err(format!("{method} {path}: no answer within {TIMEOUT:?}")),
        };
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(text.clone());
        }
        record(&text);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Ok(Answer {
            status,
            body: dechunk(head, body),
        })
    }

    /// [`Raw::send`] with `Authorization: Bearer <token>` and, when given, `X-Original-Principal`.
    pub async fn as_role(
        &self,
        method: &str,
        path: &str,
        token: &str,
        original: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Answer, String> {
        let bearer = format!("Bearer {token}");
        let mut headers: Vec<(&str, &[u8])> = vec![("Authorization", bearer.as_bytes())];
        if let Some(o) = original {
            headers.push(("X-Original-Principal", o.as_bytes()));
        }
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        if body.is_some() {
            headers.push(("Content-Type", content_type.as_bytes()));
        }
        self.send(method, path, &headers, body.unwrap_or_default())
            .await
    }
}

/// A chunked body joined (the worker answers JSON in chunks sometimes).
fn dechunk(head: &str, body: &str) -> String {
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 {
            break;
        }
        let Some(chunk) = after.get(..n) else {
            out.push_str(after);
            break;
        };
        out.push_str(chunk);
        rest = after
            .get(n..)
            .unwrap_or_default()
            .trim_start_matches("\r\n");
    }
    out
}

/// A multipart form of `(part name, content type, content)` with [`BOUNDARY`].
pub fn multipart(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (name, content_type, content) in parts {
        out.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
        ));
        if let Some(t) = content_type {
            out.push_str(&format!("Content-Type: {t}\r\n"));
        }
        out.push_str(&format!("\r\n{content}\r\n"));
    }
    out.push_str(&format!("--{BOUNDARY}--\r\n"));
    out.into_bytes()
}

/// A create form for `kind`: the config part (`functionConfig`, `sinkConfig`, `sourceConfig`) and,
/// when given, the `url` part.
pub fn create_form(kind: fm_worker::Kind, config: &str, url: Option<&str>) -> Vec<u8> {
    let part = match kind {
        fm_worker::Kind::Function => "functionConfig",
        fm_worker::Kind::Sink => "sinkConfig",
        fm_worker::Kind::Source => "sourceConfig",
    };
    let mut parts = vec![(part, Some("application/json"), config)];
    if let Some(u) = url {
        parts.push(("url", Some("text/plain"), u));
    }
    multipart(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(
            dechunk(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked",
                "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            ),
            "abcde"
        );
        assert_eq!(dechunk("HTTP/1.1 200 OK", "plain"), "plain");
    }

    #[test]
    fn multipart_has_each_part_and_the_end() {
        let f = String::from_utf8(create_form(fm_worker::Kind::Sink, "{}", Some("u"))).unwrap();
        assert!(f.contains("name=\"sinkConfig\"\r\nContent-Type: application/json\r\n\r\n{}\r\n"));
        assert!(f.contains("name=\"url\""));
        assert!(f.ends_with(&format!("--{BOUNDARY}--\r\n")));
    }
}
