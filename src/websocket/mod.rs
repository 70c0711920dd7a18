//! The Emby WebSocket: one connection per client, kept alive and re-established by itself.
//!
//! After each connect it subscribes to `Sessions` and registers the session's capabilities (the
//! condition under which Emby routes LibraryChanged and UserDataChanged to an API-key socket,
//! EMBY.md 4.6; see docs/WEBSOCKET.md). Liveness: our own pings and a read deadline (an idle
//! server may send nothing for minutes, but it answers pings), and `KeepAlive` at half the
//! period the server asks for with `ForceKeepAlive`. Reconnects use exponential backoff with
//! full jitter, reset after a stable connection; `ServerRestarting` / `ServerShuttingDown`
//! start the cycle at once. Every frame is parsed defensively; library and user-data changes
//! invalidate the caches here, before Python hears of them.

pub mod backoff;
pub mod events;
pub mod protocol;
pub mod stats;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::client::EmbyClient;
use crate::error::{Error, Result, redact};
use backoff::Backoff;
use events::{Event, EventQueue};
use protocol::{Inbound, parse_frame, type_label};
use stats::Stats;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Timing and behaviour of the connection; production defaults, shorter in tests.
#[derive(Debug, Clone)]
pub struct WebSocketOptions {
    /// The `SessionsStart` throttle asked of the server (500-10000 ms).
    pub sessions_interval_ms: u32,
    /// How often we ping the server.
    pub ping_interval: Duration,
    /// No frame at all (pongs included) for this long: the socket is dead.
    pub read_timeout: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A connection that lasted this long resets the backoff.
    pub stable_after: Duration,
    /// Bound of the event queue.
    pub queue_capacity: usize,
    /// POST `/Sessions/Capabilities/Full` after each connect.
    pub register_capabilities: bool,
    /// Seed of the backoff jitter (tests); random when None.
    pub backoff_seed: Option<u64>,
}

impl Default for WebSocketOptions {
    fn default() -> Self {
        Self {
            sessions_interval_ms: 1500,
            ping_interval: Duration::from_secs(30),
            read_timeout: Duration::from_secs(75),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            stable_after: Duration::from_secs(60),
            queue_capacity: 1024,
            register_capabilities: true,
            backoff_seed: None,
        }
    }
}

/// What `start_websocket` hands out: the event queue and the statistics.
pub struct WebSocketHandle {
    pub queue: Arc<EventQueue>,
    pub stats: Arc<Stats>,
}

impl EmbyClient {
    /// Starts the WebSocket task on `runtime` (once per client; later calls return the same
    /// queue). The task is owned by the client's lifecycle: `close()` and `shutdown_all()` stop it.
    pub fn start_websocket(
        &self,
        options: WebSocketOptions,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Arc<EventQueue>> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let mut started = false;
        let handle = self.inner.websocket.get_or_init(|| {
            started = true;
            let queue = Arc::new(EventQueue::new(options.queue_capacity));
            let stats = Arc::new(Stats::new(queue.clone()));
            self.metrics().set_websocket(stats.clone());
            WebSocketHandle { queue, stats }
        });
        if started {
            let task = run(
                self.clone(),
                options,
                handle.queue.clone(),
                handle.stats.clone(),
            );
            self.lifecycle().tracker().spawn_on(task, runtime);
        }
        Ok(handle.queue.clone())
    }
}

/// The connect / read / back off loop, until the client closes.
async fn run(
    client: EmbyClient,
    options: WebSocketOptions,
    queue: Arc<EventQueue>,
    stats: Arc<Stats>,
) {
    let token = client.lifecycle().token().clone();
    let mut backoff = Backoff::new(
        options.backoff_base,
        options.backoff_max,
        options.backoff_seed,
    );
    let mut logged: HashSet<String> = HashSet::new();
    let mut ever_connected = false;
    let server = client.server_url().to_owned();
    loop {
        let attempt = tokio::select! {
            biased;
            () = token.cancelled() => break,
            r = connect(&client) => r,
        };
        match attempt {
            Ok(socket) => {
                stats.set_connected(Instant::now(), ever_connected);
                if ever_connected {
                    log::info!(target: "embymedia_core::websocket", "WebSocket to {server} re-established");
                } else {
                    log::debug!(target: "embymedia_core::websocket", "WebSocket to {server} connected");
                }
                ever_connected = true;
                queue.push(Event::Connected);
                let since = Instant::now();
                let reason = tokio::select! {
                    biased;
                    () = token.cancelled() => {
                        stats.set_disconnected(Instant::now());
                        break;
                    }
                    reason = session(socket, &client, &options, &queue, &stats, &mut logged) => reason,
                };
                stats.set_disconnected(Instant::now());
                log::info!(target: "embymedia_core::websocket", "WebSocket to {server} lost: {reason}");
                stats.set_error(reason.clone());
                queue.push(Event::Disconnected { reason });
                if since.elapsed() >= options.stable_after {
                    backoff.reset();
                }
            }
            Err(reason) => {
                // The first failure is worth a line; the retries of a down server are not.
                if backoff.attempt() == 0 {
                    log::warn!(target: "embymedia_core::websocket", "WebSocket to {server} failed: {reason}");
                } else {
                    log::debug!(target: "embymedia_core::websocket", "WebSocket to {server} failed: {reason}");
                }
                stats.set_error(reason);
            }
        }
        let delay = backoff.next_delay();
        queue.push(Event::Reconnecting {
            delay_s: delay.as_secs_f64(),
            attempt: backoff.attempt(),
        });
        tokio::select! {
            biased;
            () = token.cancelled() => break,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// Opens the socket (same TLS configuration and timeout as the REST client). The URL carries
/// the key, so it is never logged and errors are redacted.
async fn connect(client: &EmbyClient) -> std::result::Result<Socket, String> {
    let config = client.config();
    let mut url = url::Url::parse(&format!("{}/embywebsocket", config.address.ws_base()))
        .map_err(|e| format!("invalid WebSocket URL: {e}"))?;
    url.query_pairs_mut()
        .append_pair("api_key", config.api_key.expose())
        .append_pair("deviceId", &config.device_id);
    let request = url
        .as_str()
        .into_client_request()
        .map_err(|e| redact(&format!("invalid WebSocket request: {e}")))?;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(32 << 20))
        .max_frame_size(Some(16 << 20));
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(ws_config),
        true,
        Some(Connector::Rustls(client.tls_config())),
    );
    match tokio::time::timeout(config.timeout, connecting).await {
        Err(_) => Err(format!(
            "connect timed out after {:.1} s",
            config.timeout.as_secs_f64()
        )),
        Ok(Err(e)) => Err(redact(&format!("connect failed: {e}"))),
        Ok(Ok((socket, _))) => Ok(socket),
    }
}

enum Next {
    Continue,
    KeepAliveEvery(Duration),
    Reconnect(String),
}

/// One connection: subscribe, then read until it ends; returns why it ended.
async fn session(
    socket: Socket,
    client: &EmbyClient,
    options: &WebSocketOptions,
    queue: &EventQueue,
    stats: &Stats,
    logged: &mut HashSet<String>,
) -> String {
    let (mut sink, mut stream) = socket.split();
    let subscribe = protocol::outbound(
        "SessionsStart",
        Some(&format!("0,{}", options.sessions_interval_ms)),
    );
    if let Err(e) = sink.send(Message::text(subscribe)).await {
        return redact(&format!("subscribe failed: {e}"));
    }
    if options.register_capabilities {
        let c = client.clone();
        client.lifecycle().tracker().spawn(async move {
            if let Err(e) = c.register_capabilities().await {
                log::warn!(
                    target: "embymedia_core::websocket",
                    "registering capabilities failed (library and user-data events may not arrive): {e}"
                );
            }
        });
    }
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + options.ping_interval,
        options.ping_interval,
    );
    let mut keepalive: Option<tokio::time::Interval> = None;
    let mut deadline = tokio::time::Instant::now() + options.read_timeout;
    loop {
        let keepalive_tick = async {
            match keepalive.as_mut() {
                Some(i) => {
                    i.tick().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            message = stream.next() => {
                let message = match message {
                    None => return "connection closed".to_owned(),
                    Some(Err(e)) => return redact(&format!("read failed: {e}")),
                    Some(Ok(m)) => m,
                };
                deadline = tokio::time::Instant::now() + options.read_timeout;
                stats.record_frame();
                let next = match message {
                    Message::Text(text) => handle_text(text.as_str(), client, queue, stats, logged),
                    Message::Binary(_) => {
                        malformed(stats, logged, "binary", "");
                        Next::Continue
                    }
                    Message::Close(frame) => {
                        return match frame {
                            Some(f) => format!("closed by the server ({})", u16::from(f.code)),
                            None => "closed by the server".to_owned(),
                        };
                    }
                    // Pings are answered by tungstenite on the next poll; pongs prove liveness.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Next::Continue,
                };
                match next {
                    Next::Continue => {}
                    Next::Reconnect(reason) => return reason,
                    Next::KeepAliveEvery(period) => {
                        let mut i = tokio::time::interval(period);
                        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        keepalive = Some(i);
                    }
                }
            }
            _ = ping.tick() => {
                if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                    return redact(&format!("ping failed: {e}"));
                }
            }
            () = keepalive_tick => {
                if let Err(e) = sink.send(Message::text(protocol::outbound("KeepAlive", None))).await {
                    return redact(&format!("keepalive failed: {e}"));
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                return format!(
                    "no frames or pongs for {:.1} s",
                    options.read_timeout.as_secs_f64()
                );
            }
        }
    }
}

fn malformed(stats: &Stats, logged: &mut HashSet<String>, kind: &str, text: &str) {
    stats.record_malformed();
    if logged.insert(kind.to_owned()) {
        let snippet: String = text.chars().take(120).collect();
        log::warn!(
            target: "embymedia_core::websocket",
            "skipping malformed WebSocket frames ({kind}), first one: {}",
            redact(&snippet)
        );
    }
}

fn handle_text(
    text: &str,
    client: &EmbyClient,
    queue: &EventQueue,
    stats: &Stats,
    logged: &mut HashSet<String>,
) -> Next {
    let inbound = match parse_frame(text) {
        Ok(i) => i,
        Err(m) => {
            malformed(stats, logged, &m.kind(), text);
            return Next::Continue;
        }
    };
    stats.record_message(type_label(&inbound));
    let event = match inbound {
        Inbound::Sessions(sessions) => Event::Sessions { sessions },
        Inbound::PlaybackStart(session) => Event::PlaybackStart { session },
        Inbound::PlaybackStopped(session) => Event::PlaybackStopped { session },
        Inbound::PlaybackProgress(session) => Event::PlaybackProgress { session },
        Inbound::SessionEnded(session) => Event::SessionEnded { session },
        Inbound::LibraryChanged(c) => {
            client.invalidate_for_library_change(c.all_ids());
            Event::LibraryChanged {
                items_added: c.items_added,
                items_updated: c.items_updated,
                items_removed: c.items_removed,
                folders_added_to: c.folders_added_to,
                folders_removed_from: c.folders_removed_from,
            }
        }
        Inbound::UserDataChanged { user_id, item_ids } => {
            client.invalidate_for_user_data(&user_id);
            Event::UserDataChanged { user_id, item_ids }
        }
        Inbound::ServerRestarting => {
            queue.push(Event::ServerRestarting);
            return Next::Reconnect("the server is restarting".to_owned());
        }
        Inbound::ServerShuttingDown => {
            queue.push(Event::ServerShuttingDown);
            return Next::Reconnect("the server is shutting down".to_owned());
        }
        Inbound::RestartRequired => Event::RestartRequired,
        Inbound::ScheduledTaskEnded(t) => Event::ScheduledTaskEnded {
            task_id: t.task_id,
            name: t.name,
            status: t.status,
        },
        Inbound::ScheduledTasksInfo(tasks) => Event::ScheduledTasksInfo { tasks },
        Inbound::NotificationAdded(n) => Event::NotificationAdded {
            name: n.name,
            description: n.description,
            level: n.level,
        },
        Inbound::UserUpdated(user_id) => Event::UserUpdated { user_id },
        Inbound::UserDeleted(user_id) => Event::UserDeleted { user_id },
        Inbound::ForceKeepAlive(secs) => {
            return Next::KeepAliveEvery(Duration::from_millis(secs.saturating_mul(500)));
        }
        Inbound::KeepAlive | Inbound::Ping | Inbound::Other(_) => return Next::Continue,
    };
    queue.push(event);
    Next::Continue
}

#[cfg(test)]
mod tests;
