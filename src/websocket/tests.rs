//! The connection loop against an in-process server: plain or TLS WebSocket, plus the one REST
//! call the loop makes (`POST /Sessions/Capabilities/Full`) on the same port.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

use super::events::Event;
use super::*;
use crate::cache::{CacheKind, Tags};
use crate::coalesce::AnyArc;
use crate::config::{ApiKey, ClientConfig, ServerAddress};

const KEY: &str = "secret-key-0123";
const WAIT: Duration = Duration::from_secs(10);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
type ServerWs = WebSocketStream<Box<dyn Io>>;

/// What the test server saw besides sockets.
#[derive(Default)]
struct Seen {
    capabilities: AtomicUsize,
    tls_failures: AtomicUsize,
    reject_websocket: AtomicBool,
}

/// An Emby stand-in: accepts WebSockets (handed to the test with their request URI), answers
/// the capabilities POST with 204, optionally over TLS.
struct TestServer {
    port: u16,
    sockets: mpsc::UnboundedReceiver<(ServerWs, String)>,
    seen: Arc<Seen>,
}

impl TestServer {
    async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tx, sockets) = mpsc::unbounded_channel();
        let seen = Arc::new(Seen::default());
        let s = seen.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (tx, s, tls) = (tx.clone(), s.clone(), tls.clone());
                tokio::spawn(async move {
                    let io: Box<dyn Io> = match tls {
                        Some(acceptor) => match acceptor.accept(tcp).await {
                            Ok(stream) => Box::new(stream),
                            Err(_) => {
                                s.tls_failures.fetch_add(1, Ordering::SeqCst);
                                return;
                            }
                        },
                        None => {
                            if is_post(&tcp).await {
                                serve_posts(tcp, &s).await;
                                return;
                            }
                            Box::new(tcp)
                        }
                    };
                    let uri = Arc::new(std::sync::Mutex::new(String::new()));
                    let u = uri.clone();
                    let reject = s.reject_websocket.load(Ordering::SeqCst);
                    #[allow(clippy::result_large_err)] // tungstenite's callback signature
                    let callback = move |req: &Request, resp: Response| {
                        *u.lock().expect("lock") = req.uri().to_string();
                        if reject {
                            let mut e = ErrorResponse::new(Some("no".into()));
                            *e.status_mut() =
                                tokio_tungstenite::tungstenite::http::StatusCode::UNAUTHORIZED;
                            return Err(e);
                        }
                        Ok(resp)
                    };
                    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(io, callback).await {
                        let uri = uri.lock().expect("lock").clone();
                        let _ = tx.send((ws, uri));
                    }
                });
            }
        });
        Self {
            port,
            sockets,
            seen,
        }
    }

    async fn accept(&mut self) -> (ServerWs, String) {
        tokio::time::timeout(WAIT, self.sockets.recv())
            .await
            .expect("a WebSocket in time")
            .expect("server running")
    }

    /// Waits (bounded) until `n` capabilities POSTs arrived.
    async fn capabilities_reach(&self, n: usize) {
        tokio::time::timeout(WAIT, async {
            while self.seen.capabilities.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "{} capabilities POSTs, wanted {n}",
                self.seen.capabilities.load(Ordering::SeqCst)
            )
        });
    }
}

async fn is_post(tcp: &TcpStream) -> bool {
    let mut buf = [0u8; 5];
    for _ in 0..200 {
        match tcp.peek(&mut buf).await {
            Ok(n) if n >= 5 => return &buf == b"POST ",
            Ok(0) | Err(_) => return false,
            Ok(_) => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
    false
}

/// Minimal HTTP/1.1: every request on the connection gets 204; capabilities POSTs are counted.
async fn serve_posts(mut tcp: TcpStream, seen: &Seen) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        if head.starts_with("post /sessions/capabilities/full")
            && head.contains(&KEY.to_ascii_lowercase())
        {
            seen.capabilities.fetch_add(1, Ordering::SeqCst);
        }
        buf.drain(..head_end + length);
        if tcp
            .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    }
}

fn client_for(port: u16, ssl: bool, verify_ssl: bool) -> EmbyClient {
    EmbyClient::new(ClientConfig {
        address: ServerAddress::parse("127.0.0.1", port, ssl).expect("address"),
        api_key: ApiKey::new(KEY),
        verify_ssl,
        device_id: "ha-test".into(),
        device_name: "HA".into(),
        client_name: "HA".into(),
        client_version: "1".into(),
        timeout: Duration::from_secs(5),
    })
    .expect("client")
}

fn client(port: u16) -> EmbyClient {
    client_for(port, false, true)
}

/// Quick reconnects; a read deadline long enough that a test server which reads (and so answers
/// pings) only now and then is not declared dead on a loaded machine.
fn fast() -> WebSocketOptions {
    WebSocketOptions {
        ping_interval: Duration::from_secs(1),
        read_timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        stable_after: Duration::from_secs(60),
        register_capabilities: false,
        capabilities_retry: Duration::from_millis(50),
        backoff_seed: Some(1),
        ..WebSocketOptions::default()
    }
}

fn start(c: &EmbyClient, options: WebSocketOptions) -> Arc<EventQueue> {
    c.start_websocket(options, &tokio::runtime::Handle::current())
        .expect("start")
}

async fn next_text(ws: &mut ServerWs) -> String {
    loop {
        let m = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = m {
            return t.as_str().to_owned();
        }
    }
}

async fn send_text(ws: &mut ServerWs, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
}

/// Reads batches until `pred` matches an event (bounded); returns everything read.
async fn wait_for(queue: &EventQueue, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    tokio::time::timeout(WAIT, async {
        loop {
            let batch = queue.next_batch(64).await;
            assert!(!batch.is_empty(), "queue closed; seen {seen:?}");
            let hit = batch.iter().any(&pred);
            seen.extend(batch);
            if hit {
                return;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("event not seen; seen {seen:?}"));
    seen
}

fn websocket_stats(c: &EmbyClient) -> crate::metrics::WebSocketStats {
    c.metrics_snapshot().efficiency_metrics.websocket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribes_registers_delivers_and_resubscribes_after_a_drop() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(
        &c,
        WebSocketOptions {
            register_capabilities: true,
            ..fast()
        },
    );

    let (mut ws, uri) = server.accept().await;
    assert_eq!(
        uri,
        format!("/embywebsocket?api_key={KEY}&deviceId=ha-test"),
        "the URL Emby's own clients use"
    );
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"Data":"0,1500","MessageType":"SessionsStart"}"#
    );
    server.capabilities_reach(1).await;
    let frame = r#"{"MessageType":"Sessions","Data":[{"Id":"s1","DeviceId":"d1","DeviceName":"TV","SupportsRemoteControl":true}]}"#;
    send_text(&mut ws, frame).await;
    let seen = wait_for(&queue, |e| matches!(e, Event::Sessions { .. })).await;
    assert_eq!(seen[0], Event::Connected);
    let Some(Event::Sessions { sessions }) = seen.last() else {
        panic!("{seen:?}")
    };
    assert_eq!(sessions[0].device_id, "d1");

    send_text(&mut ws, "garbage").await;
    drop(ws);
    let seen = wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    assert!(
        seen.iter().any(|e| matches!(e, Event::Disconnected { .. })),
        "{seen:?}"
    );
    // Every subscription again, and the capabilities again (Emby forgets them per socket).
    let (mut ws, _) = server.accept().await;
    assert!(next_text(&mut ws).await.contains("SessionsStart"));
    wait_for(&queue, |e| *e == Event::Connected).await;
    server.capabilities_reach(2).await;

    let stats = websocket_stats(&c);
    assert!(stats.connected);
    assert_eq!(stats.reconnections, 1);
    assert_eq!(stats.malformed_frames, 1);
    assert_eq!(stats.messages_by_type.get("Sessions"), Some(&1));
    assert!(stats.last_message_age_s.is_some());
    assert!(stats.total_uptime_hours >= stats.uptime_hours);
    assert!(!stats.last_error.unwrap_or_default().contains(KEY));

    c.close().await;
    assert!(
        queue
            .next_batch(64)
            .await
            .iter()
            .all(|e| !matches!(e, Event::Sessions { .. }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_socket_is_detected_and_replaced() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(
        &c,
        WebSocketOptions {
            ping_interval: Duration::from_millis(100),
            read_timeout: Duration::from_millis(400),
            ..fast()
        },
    );
    // Accepted but never read again: no pongs, no frames.
    let (stalled, _) = server.accept().await;
    let seen = wait_for(&queue, |e| matches!(e, Event::Disconnected { .. })).await;
    let Some(Event::Disconnected { reason }) = seen
        .iter()
        .find(|e| matches!(e, Event::Disconnected { .. }))
    else {
        panic!("{seen:?}")
    };
    assert!(reason.contains("no frames"), "{reason}");
    let (mut ws, _) = server.accept().await;
    assert!(next_text(&mut ws).await.contains("SessionsStart"));
    wait_for(&queue, |e| *e == Event::Connected).await;
    assert!(
        websocket_stats(&c)
            .last_error
            .is_some_and(|e| e.contains("no frames"))
    );
    drop(stalled);
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_server_that_answers_pings_stays_connected() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(
        &c,
        WebSocketOptions {
            ping_interval: Duration::from_millis(200),
            read_timeout: Duration::from_secs(2),
            ..fast()
        },
    );
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    // Keep reading (so tungstenite answers our pings) for several read deadlines.
    let reader = tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
    // Twice the read deadline without a single message: only the pongs keep it alive.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let stats = websocket_stats(&c);
    assert!(stats.connected);
    assert_eq!(stats.reconnections, 0);
    assert_eq!(
        queue.try_batch(64),
        events::TryBatch::Ready(vec![Event::Connected])
    );
    c.close().await;
    reader.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarting_reconnects_at_once_and_keepalive_follows_the_server() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(
        &c,
        WebSocketOptions {
            read_timeout: Duration::from_secs(30),
            ping_interval: Duration::from_secs(30),
            ..fast()
        },
    );
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    send_text(&mut ws, r#"{"MessageType":"ForceKeepAlive","Data":2}"#).await;
    // KeepAlive at once, then at half the period (1 s).
    assert_eq!(next_text(&mut ws).await, r#"{"MessageType":"KeepAlive"}"#);
    let started = std::time::Instant::now();
    assert_eq!(next_text(&mut ws).await, r#"{"MessageType":"KeepAlive"}"#);
    assert!(started.elapsed() >= Duration::from_millis(800));
    send_text(&mut ws, r#"{"MessageType":"ServerRestarting"}"#).await;
    let seen = wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    assert!(seen.contains(&Event::ServerRestarting));
    assert!(seen.contains(&Event::Disconnected {
        reason: "the server is restarting".into()
    }));
    let (mut ws2, _) = server.accept().await;
    assert!(next_text(&mut ws2).await.contains("SessionsStart"));
    send_text(&mut ws2, r#"{"MessageType":"ServerShuttingDown"}"#).await;
    let seen = wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    assert!(seen.contains(&Event::ServerShuttingDown));
    c.close().await;
}

async fn cached(c: &EmbyClient, key: &str, tags: Tags, value: u32) -> u32 {
    let any = c
        .inner
        .caches
        .get_or_fetch(
            CacheKind::Browse,
            key.to_owned(),
            tags,
            move || async move { Ok(Arc::new(value) as AnyArc) },
        )
        .await
        .expect("cache");
    *any.downcast::<u32>().expect("u32")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_and_user_data_changes_invalidate_before_python_hears() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let item = |id: &str| Tags {
        user: Some("u1".into()),
        items: vec![id.to_owned()],
        listing: false,
    };
    let other_user = Tags {
        user: Some("u2".into()),
        items: vec!["7".into()],
        listing: false,
    };
    assert_eq!(cached(&c, "item", item("1855520"), 1).await, 1);
    assert_eq!(cached(&c, "unrelated", item("42"), 1).await, 1);
    assert_eq!(cached(&c, "u2", other_user.clone(), 1).await, 1);

    let queue = start(&c, fast());
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    let frame = std::fs::read_to_string(format!(
        "{}/tests/fixtures/emby/emby_ws_librarychanged_4.9.5.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    send_text(&mut ws, &frame).await;
    let seen = wait_for(&queue, |e| matches!(e, Event::LibraryChanged { .. })).await;
    let Some(Event::LibraryChanged { items_updated, .. }) = seen.last() else {
        panic!("{seen:?}")
    };
    assert_eq!(items_updated, &vec!["1855520".to_owned()]);
    // By the time the event is readable, the updated item is gone and nothing else is.
    assert_eq!(cached(&c, "item", item("1855520"), 2).await, 2);
    assert_eq!(cached(&c, "unrelated", item("42"), 2).await, 1);

    send_text(
        &mut ws,
        r#"{"MessageType":"UserDataChanged","Data":{"UserId":"u1","UserDataList":[{"ItemId":"42","Played":true}]}}"#,
    )
    .await;
    let seen = wait_for(&queue, |e| matches!(e, Event::UserDataChanged { .. })).await;
    assert_eq!(
        seen.last(),
        Some(&Event::UserDataChanged {
            user_id: "u1".into(),
            item_ids: vec!["42".into()]
        })
    );
    assert_eq!(cached(&c, "unrelated", item("42"), 3).await, 3);
    assert_eq!(cached(&c, "u2", other_user, 3).await, 1);
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_drops_what_was_cached_before_python_hears() {
    // Changes announced while no socket listened were never seen: after a reconnect nothing
    // cached before it may be served (the first connect keeps the setup's fresh answers).
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let tags = || Tags {
        user: Some("u1".into()),
        items: vec!["42".into()],
        listing: true,
    };
    let queue = start(&c, fast());
    let (ws, _) = server.accept().await;
    wait_for(&queue, |e| *e == Event::Connected).await;
    assert_eq!(cached(&c, "listing", tags(), 1).await, 1);
    assert_eq!(
        cached(&c, "listing", tags(), 2).await,
        1,
        "cached while connected"
    );
    drop(ws);
    let (_ws, _) = server.accept().await;
    wait_for(&queue, |e| *e == Event::Connected).await;
    assert_eq!(cached(&c, "listing", tags(), 3).await, 3);
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_frame_shape_is_handled_and_malformed_ones_are_counted_and_skipped() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(&c, fast());
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    let malformed = [
        "this is not json",
        r#"{"MessageType":"Sessions","Data":42}"#,
        r#"{"MessageType":"Sessions","Data":"not a list"}"#,
        r#"{"MessageType":"LibraryChanged","Data":[1,2,3]}"#,
        r#"{"MessageType":"UserDataChanged"}"#,
        r#"{"Data":{"MessageTypeMissing":true}}"#,
        "[]",
        r#"{"MessageType":"Sessions","Data":[{"#,
        r#"{"MessageType":"PlaybackStart","Data":"a string"}"#,
    ];
    for frame in malformed {
        send_text(&mut ws, frame).await;
    }
    ws.send(Message::binary(b"\x00\x01binary".to_vec()))
        .await
        .expect("send");
    let good = [
        r#"{"MessageType":"Ping"}"#,
        r#"{"MessageType":"NoSuchMessageType","Data":{"Anything":true}}"#,
        r#"{"MessageType":"ForceKeepAlive","Data":"sixty"}"#,
        r#"{"MessageType":"RestartRequired"}"#,
        r#"{"MessageType":"UserDeleted","Data":"u9"}"#,
        r#"{"MessageType":"UserUpdated","Data":{"Id":"u8","Name":"x"}}"#,
        r#"{"MessageType":"NotificationAdded","Data":{"Name":"n","Description":"d","Level":"Normal"}}"#,
        r#"{"MessageType":"ScheduledTaskEnded","Data":{"Id":"t1","Name":"Scan","Status":"Completed"}}"#,
        r#"{"MessageType":"ScheduledTasksInfo","Data":[{"Id":"t1","Name":"Scan","State":"Running","CurrentProgressPercentage":12.5}]}"#,
        r#"{"MessageType":"PlaybackStart","Data":{"Id":"s1","DeviceId":"d1"}}"#,
        r#"{"MessageType":"PlaybackProgress","Data":{"Id":"s1","DeviceId":"d1","PlayState":{"PositionTicks":5}}}"#,
        r#"{"MessageType":"PlaybackStopped","Data":{"Id":"s1","DeviceId":"d1"}}"#,
        r#"{"MessageType":"SessionEnded","Data":{"Id":"s1","DeviceId":"d1"}}"#,
        r#"{"MessageType":"KeepAlive"}"#,
    ];
    for frame in good {
        send_text(&mut ws, frame).await;
    }
    let seen = wait_for(&queue, |e| matches!(e, Event::SessionEnded { .. })).await;
    let kinds: Vec<String> = seen
        .iter()
        .map(|e| {
            serde_json::to_value(e).expect("json")["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "connected",
            "restart_required",
            "user_deleted",
            "user_updated",
            "notification_added",
            "scheduled_task_ended",
            "scheduled_tasks_info",
            "playback_start",
            "playback_progress",
            "playback_stopped",
            "session_ended",
        ]
    );
    assert!(seen.contains(&Event::UserUpdated {
        user_id: Some("u8".into())
    }));
    // Wait for the KeepAlive frame (the last one sent) to be counted.
    tokio::time::timeout(WAIT, async {
        while !websocket_stats(&c)
            .messages_by_type
            .contains_key("KeepAlive")
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("counted");
    let stats = websocket_stats(&c);
    assert_eq!(stats.malformed_frames, malformed.len() as u64 + 1);
    assert_eq!(stats.messages_received, good.len() as u64);
    assert_eq!(stats.messages_by_type.get("NoSuchMessageType"), Some(&1));
    assert_eq!(stats.messages_by_type.get("Ping"), Some(&1));
    // ForceKeepAlive with a bad period still gets us sending KeepAlive (60 s default).
    assert_eq!(next_text(&mut ws).await, r#"{"MessageType":"KeepAlive"}"#);
    assert!(
        stats.connected,
        "malformed frames never cost the connection"
    );
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_keeps_the_queue_bounded_and_the_newest_snapshot() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let capacity = 64;
    let queue = start(
        &c,
        WebSocketOptions {
            queue_capacity: capacity,
            read_timeout: Duration::from_secs(30),
            ..fast()
        },
    );
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    let n = 10_000;
    for i in 0..n {
        let frame =
            format!(r#"{{"MessageType":"Sessions","Data":[{{"Id":"s","DeviceId":"n{i}"}}]}}"#);
        ws.feed(Message::text(frame)).await.expect("feed");
        if i % 10 == 0 {
            let frame = format!(r#"{{"MessageType":"UserDeleted","Data":"u{i}"}}"#);
            ws.feed(Message::text(frame)).await.expect("feed");
        }
    }
    ws.flush().await.expect("flush");
    tokio::time::timeout(Duration::from_secs(30), async {
        while websocket_stats(&c).messages_received < (n + n / 10) as u64 {
            assert!(queue.len() <= capacity);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("every frame read");
    assert!(queue.len() <= capacity);
    let stats = websocket_stats(&c);
    // Everything that did not fit was counted: one Connected + n snapshots + n/10 others in.
    let delivered = queue.len() as u64;
    assert_eq!(stats.dropped_events + delivered, 1 + (n + n / 10) as u64);
    let batch = queue.next_batch(capacity).await;
    assert_eq!(batch[0], Event::Connected, "state changes survive a flood");
    let Some(Event::Sessions { sessions }) =
        batch.iter().find(|e| matches!(e, Event::Sessions { .. }))
    else {
        panic!("no snapshot kept")
    };
    assert_eq!(
        sessions[0].device_id,
        format!("n{}", n - 1),
        "the newest one"
    );
    assert_eq!(
        batch
            .iter()
            .filter(|e| matches!(e, Event::Sessions { .. }))
            .count(),
        1
    );
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_during_a_backoff_wait_returns_at_once() {
    // Nothing listens on this port: every connect fails and the loop waits a long backoff.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let c = client(port);
    let queue = start(
        &c,
        WebSocketOptions {
            backoff_base: Duration::from_secs(600),
            backoff_max: Duration::from_secs(600),
            ..fast()
        },
    );
    wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    let stats = websocket_stats(&c);
    assert!(!stats.connected);
    assert!(
        stats
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("connect failed")),
        "{stats:?}"
    );
    tokio::time::timeout(Duration::from_secs(5), c.close())
        .await
        .expect("close returns without waiting for the backoff");
    assert!(queue.is_closed());
    assert!(queue.next_batch(8).await.is_empty());
    assert!(matches!(
        c.start_websocket(fast(), &tokio::runtime::Handle::current()),
        Err(Error::Closed)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_says_goodbye_and_ends_the_stream() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(&c, fast());
    let (mut ws, _) = server.accept().await;
    next_text(&mut ws).await;
    wait_for(&queue, |e| *e == Event::Connected).await;
    tokio::time::timeout(Duration::from_secs(5), c.close())
        .await
        .expect("close is prompt");
    let goodbye = tokio::time::timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                other => panic!("no Close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("in time");
    assert_eq!(goodbye.map(|f| u16::from(f.code)), Some(1001));
    assert_eq!(
        queue.next_batch(8).await,
        vec![Event::Disconnected {
            reason: "the client was closed".into()
        }]
    );
    assert!(queue.next_batch(8).await.is_empty(), "the stream ends");
    assert!(!websocket_stats(&c).connected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stable_connection_resets_the_backoff() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let queue = start(
        &c,
        WebSocketOptions {
            stable_after: Duration::from_millis(300),
            read_timeout: Duration::from_secs(30),
            ..fast()
        },
    );
    let attempt_after = |seen: Vec<Event>| {
        seen.into_iter()
            .find_map(|e| match e {
                Event::Reconnecting { attempt, .. } => Some(attempt),
                _ => None,
            })
            .expect("reconnecting")
    };
    // Two short-lived connections: the attempt count grows.
    let (ws, _) = server.accept().await;
    drop(ws);
    assert_eq!(
        attempt_after(wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await),
        1
    );
    let (ws, _) = server.accept().await;
    drop(ws);
    assert_eq!(
        attempt_after(wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await),
        2
    );
    // A connection that outlived stable_after: the next delay starts from the base again.
    let (ws, _) = server.accept().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(ws);
    assert_eq!(
        attempt_after(wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await),
        1
    );
    c.close().await;
}

#[tokio::test(start_paused = true)]
async fn the_reconnect_schedule_is_exponential_with_full_jitter() {
    // Every connect fails at once (no I/O), and the paused clock jumps over each backoff wait:
    // the test sees the production schedule (1 s base, 5 min cap) without waiting for it.
    let c = client(9);
    let queue = Arc::new(EventQueue::new(64));
    let stats = Arc::new(Stats::new(queue.clone()));
    let attempts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let a = attempts.clone();
    let connect: Connect = Box::new(move || {
        a.lock().expect("lock").push(tokio::time::Instant::now());
        Box::pin(async { Err("connect failed: refused".to_owned()) })
    });
    let options = WebSocketOptions {
        backoff_base: Duration::from_secs(1),
        backoff_max: Duration::from_secs(300),
        backoff_seed: Some(42),
        ..fast()
    };
    let task = tokio::spawn(run(c.clone(), options, queue.clone(), stats, connect));
    let mut expected =
        backoff::Backoff::new(Duration::from_secs(1), Duration::from_secs(300), Some(42));
    let mut delays = Vec::new();
    let mut caps = Vec::new();
    while delays.len() < 14 {
        for event in queue.next_batch(64).await {
            let Event::Reconnecting { delay_s, attempt } = event else {
                panic!("{event:?}")
            };
            caps.push(expected.cap());
            let want = expected.next_delay();
            assert_eq!(attempt as usize, delays.len() + 1);
            assert!(
                (delay_s - want.as_secs_f64()).abs() < 1e-9,
                "{delay_s} {want:?}"
            );
            assert!(want <= *caps.last().expect("cap"));
            delays.push(want);
        }
    }
    assert_eq!(
        caps.iter().map(Duration::as_secs).collect::<Vec<_>>(),
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300, 300]
    );
    // Each attempt came one delay after the one before (tokio timers tick in milliseconds).
    let attempts = attempts.lock().expect("lock").clone();
    for (i, pair) in attempts.windows(2).enumerate().take(delays.len()) {
        let waited = pair[1].duration_since(pair[0]);
        assert!(
            waited >= delays[i] && waited <= delays[i] + Duration::from_millis(1),
            "attempt {i}: waited {waited:?} for {:?}",
            delays[i]
        );
    }
    c.lifecycle().cancel();
    task.await.expect("the loop ends on close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_key_is_reported_without_the_key() {
    let server = TestServer::start(None).await;
    server.seen.reject_websocket.store(true, Ordering::SeqCst);
    let c = client(server.port);
    let queue = start(&c, fast());
    wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    let error = websocket_stats(&c).last_error.expect("an error");
    assert_eq!(error, "the server rejected the API key (HTTP 401)");
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_tasks_subscription_is_sent_when_asked() {
    let mut server = TestServer::start(None).await;
    let c = client(server.port);
    let _queue = start(
        &c,
        WebSocketOptions {
            sessions_interval_ms: 2000,
            scheduled_tasks_interval_ms: Some(5000),
            ..fast()
        },
    );
    let (mut ws, _) = server.accept().await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"Data":"0,2000","MessageType":"SessionsStart"}"#
    );
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"Data":"0,5000","MessageType":"ScheduledTasksInfoStart"}"#
    );
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"Data":"0,1000","MessageType":"ActivityLogEntryStart"}"#
    );
    c.close().await;
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wss_honours_verify_ssl_like_the_rest_client() {
    let mut server = TestServer::start(Some(tls_acceptor())).await;

    // verify_ssl on: a self-signed certificate is refused, and the error says why.
    let strict = client_for(server.port, true, true);
    let queue = start(&strict, fast());
    wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    let error = websocket_stats(&strict).last_error.expect("an error");
    assert!(error.starts_with("TLS failed"), "{error}");
    assert!(
        error.to_ascii_lowercase().contains("certificate"),
        "{error}"
    );
    // The server sees the client's alert a moment after the client gave up.
    tokio::time::timeout(WAIT, async {
        while server.seen.tls_failures.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server saw the handshake fail");
    assert!(server.sockets.try_recv().is_err(), "no socket got through");
    strict.close().await;

    // verify_ssl off: the same server is accepted, and frames flow over TLS.
    let lenient = client_for(server.port, true, false);
    let queue = start(&lenient, fast());
    let (mut ws, _) = server.accept().await;
    assert!(next_text(&mut ws).await.contains("SessionsStart"));
    send_text(&mut ws, r#"{"MessageType":"RestartRequired"}"#).await;
    wait_for(&queue, |e| *e == Event::RestartRequired).await;
    assert!(websocket_stats(&lenient).connected);
    lenient.close().await;
}
