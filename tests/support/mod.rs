//! A tiny HTTP/1.1 server on loopback for the client tests: it records every request and answers
//! with whatever the test's handler says (status, body, delay, a body cut short).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use embymedia_core::cache::Clock;
use embymedia_core::{ApiKey, ClientConfig, EmbyClient, ServerAddress};

/// The API key of every test client: distinctive, so a leak is easy to find.
pub const KEY: &str = "K3Y-s3cr3t-0123456789";

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Announce this Content-Length but send only `body`, then close (a truncated transfer).
    pub declared_len: Option<usize>,
    /// Extra response headers (`Location`, `Content-Encoding`).
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            content_type: "application/json; charset=utf-8",
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
            declared_len: None,
            headers: Vec::new(),
        }
    }

    pub fn status(status: u16) -> Self {
        Self {
            status,
            content_type: "text/plain",
            body: Vec::new(),
            delay: Duration::ZERO,
            declared_len: None,
            headers: Vec::new(),
        }
    }

    pub fn html(status: u16) -> Self {
        Self {
            status,
            content_type: "text/html",
            body: b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>".to_vec(),
            delay: Duration::ZERO,
            declared_len: None,
            headers: Vec::new(),
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Self::status(status).header("Location", location)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

pub struct TestServer {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Arc<Mutex<Handler>>,
}

impl TestServer {
    pub async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Mutex<Handler>> = Arc::new(Mutex::new(Arc::new(handler)));
        let (s, h) = (seen.clone(), handler.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (s, h) = (s.clone(), h.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, s, h).await;
                });
            }
        });
        Self {
            port,
            seen,
            handler,
        }
    }

    pub fn set_handler(&self, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) {
        *self.handler.lock().expect("lock") = Arc::new(handler);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// Requests whose path is `path`.
    pub fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|r| r.path == path).count()
    }

    pub fn total(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }

    pub fn client(&self) -> EmbyClient {
        client_for(self.port)
    }

    pub fn client_with_clock(&self, clock: Arc<dyn Clock>) -> EmbyClient {
        EmbyClient::with_clock(config(self.port), clock).expect("client")
    }
}

pub fn config(port: u16) -> ClientConfig {
    ClientConfig {
        address: ServerAddress::parse("127.0.0.1", port, false).expect("address"),
        api_key: ApiKey::new(KEY),
        verify_ssl: true,
        device_id: "test-device".to_owned(),
        device_name: "Test".to_owned(),
        client_name: "Test".to_owned(),
        client_version: "1.0".to_owned(),
        timeout: Duration::from_secs(10),
    }
}

pub fn client_for(port: u16) -> EmbyClient {
    EmbyClient::new(config(port)).expect("client")
}

async fn serve(
    stream: tokio::net::TcpStream,
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Arc<Mutex<Handler>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let request = Seen {
        method,
        // Still percent-encoded: the tests use plain ids.
        path: path.to_owned(),
        query: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body,
    };
    seen.lock().expect("lock").push(request.clone());
    let handle = handler.lock().expect("lock").clone();
    let reply = handle(&request);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let reason = if reply.status < 300 { "OK" } else { "Error" };
    let extra: String = reply
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        reply.declared_len.unwrap_or(reply.body.len())
    );
    write.write_all(head.as_bytes()).await?;
    write.write_all(&reply.body).await?;
    write.flush().await?;
    write.shutdown().await
}
