//! The connection loop against an in-process WebSocket server.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use super::events::Event;
use super::*;
use crate::config::{ApiKey, ClientConfig, ServerAddress};

fn client(port: u16) -> EmbyClient {
    EmbyClient::new(ClientConfig {
        address: ServerAddress::parse("127.0.0.1", port, false).expect("address"),
        api_key: ApiKey::new("secret-key"),
        verify_ssl: true,
        device_id: "ha-test".into(),
        device_name: "HA".into(),
        client_name: "HA".into(),
        client_version: "1".into(),
        timeout: Duration::from_secs(5),
    })
    .expect("client")
}

fn fast() -> WebSocketOptions {
    WebSocketOptions {
        ping_interval: Duration::from_millis(100),
        read_timeout: Duration::from_millis(400),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        stable_after: Duration::from_secs(60),
        register_capabilities: false,
        backoff_seed: Some(1),
        ..WebSocketOptions::default()
    }
}

async fn accept(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (tcp, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .expect("a connection in time")
        .expect("accept");
    tokio_tungstenite::accept_async(tcp)
        .await
        .expect("handshake")
}

async fn next_text(ws: &mut WebSocketStream<TcpStream>) -> String {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = m {
            return t.as_str().to_owned();
        }
    }
}

/// Reads batches until `pred` matches an event (bounded).
async fn wait_for(queue: &EventQueue, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribes_delivers_and_resubscribes_after_a_drop() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let c = client(port);
    let queue = c
        .start_websocket(fast(), &tokio::runtime::Handle::current())
        .expect("start");

    let mut ws = accept(&listener).await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"{"Data":"0,1500","MessageType":"SessionsStart"}"#
    );
    let frame = r#"{"MessageType":"Sessions","Data":[{"Id":"s1","DeviceId":"d1","DeviceName":"TV","SupportsRemoteControl":true}]}"#;
    ws.send(Message::text(frame)).await.expect("send");
    let seen = wait_for(&queue, |e| matches!(e, Event::Sessions { .. })).await;
    assert_eq!(seen[0], Event::Connected);
    let Some(Event::Sessions { sessions }) = seen.last() else {
        panic!("{seen:?}")
    };
    assert_eq!(sessions[0].device_id, "d1");

    ws.send(Message::text("garbage")).await.expect("send");
    drop(ws);
    wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    let mut ws = accept(&listener).await;
    assert!(next_text(&mut ws).await.contains("SessionsStart"));
    wait_for(&queue, |e| *e == Event::Connected).await;

    let stats = c.metrics_snapshot().efficiency_metrics.websocket;
    assert!(stats.connected);
    assert_eq!(stats.reconnections, 1);
    assert_eq!(stats.malformed_frames, 1);
    assert_eq!(stats.messages_by_type.get("Sessions"), Some(&1));
    assert!(!stats.last_error.unwrap_or_default().contains("secret-key"));

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
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let c = client(port);
    let queue = c
        .start_websocket(fast(), &tokio::runtime::Handle::current())
        .expect("start");
    // Accepted but never read again: no pongs, no frames.
    let stalled = accept(&listener).await;
    let seen = wait_for(&queue, |e| matches!(e, Event::Disconnected { .. })).await;
    let Some(Event::Disconnected { reason }) = seen
        .iter()
        .find(|e| matches!(e, Event::Disconnected { .. }))
    else {
        panic!("{seen:?}")
    };
    assert!(reason.contains("no frames"), "{reason}");
    let mut ws = accept(&listener).await;
    assert!(next_text(&mut ws).await.contains("SessionsStart"));
    wait_for(&queue, |e| *e == Event::Connected).await;
    drop(stalled);
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restarting_reconnects_at_once_and_keepalive_follows_the_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let c = client(port);
    let queue = c
        .start_websocket(
            WebSocketOptions {
                read_timeout: Duration::from_secs(30),
                ..fast()
            },
            &tokio::runtime::Handle::current(),
        )
        .expect("start");
    let mut ws = accept(&listener).await;
    next_text(&mut ws).await;
    ws.send(Message::text(
        r#"{"MessageType":"ForceKeepAlive","Data":2}"#,
    ))
    .await
    .expect("send");
    // KeepAlive at half the period (1 s).
    assert_eq!(next_text(&mut ws).await, r#"{"MessageType":"KeepAlive"}"#);
    ws.send(Message::text(r#"{"MessageType":"ServerRestarting"}"#))
        .await
        .expect("send");
    let seen = wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    assert!(seen.contains(&Event::ServerRestarting));
    let mut ws2 = accept(&listener).await;
    assert!(next_text(&mut ws2).await.contains("SessionsStart"));
    c.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_changes_invalidate_before_python_hears() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let c = client(port);
    let queue = c
        .start_websocket(fast(), &tokio::runtime::Handle::current())
        .expect("start");
    let mut ws = accept(&listener).await;
    next_text(&mut ws).await;
    let frame = std::fs::read_to_string(format!(
        "{}/tests/fixtures/emby/emby_ws_librarychanged_4.9.5.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    ws.send(Message::text(frame)).await.expect("send");
    let seen = wait_for(&queue, |e| matches!(e, Event::LibraryChanged { .. })).await;
    let Some(Event::LibraryChanged { items_updated, .. }) = seen.last() else {
        panic!("{seen:?}")
    };
    assert_eq!(items_updated, &vec!["1855520".to_owned()]);
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
    let queue = c
        .start_websocket(
            WebSocketOptions {
                backoff_base: Duration::from_secs(600),
                backoff_max: Duration::from_secs(600),
                ..fast()
            },
            &tokio::runtime::Handle::current(),
        )
        .expect("start");
    wait_for(&queue, |e| matches!(e, Event::Reconnecting { .. })).await;
    tokio::time::timeout(Duration::from_secs(5), c.close())
        .await
        .expect("close returns without waiting for the backoff");
    assert!(queue.is_closed());
    assert!(matches!(
        c.start_websocket(fast(), &tokio::runtime::Handle::current()),
        Err(Error::Closed)
    ));
}
