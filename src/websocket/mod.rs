//! The Emby WebSocket: one connection per client, kept alive and re-established by itself.
//!
//! After each connect it subscribes to `Sessions` and registers the session's capabilities (the
//! condition under which Emby routes LibraryChanged and UserDataChanged to an API-key socket,
//! EMBY.md 4.6; see docs/WEBSOCKET.md). Liveness: our own pings and a read deadline (an idle
//! server may send nothing for minutes, but it answers pings), and `KeepAlive` at half the
//! period the server asks for with `ForceKeepAlive`. Reconnects use exponential backoff with
//! full jitter, reset after a stable connection; `ServerRestarting` / `ServerShuttingDown`
//! start the cycle at once. Every frame is parsed defensively; library and user-data changes
//! invalidate the caches here, before Python hears of them, and so does a reconnect (the
//! changes of the gap went unannounced).

pub mod backoff;
pub mod connection;
pub mod events;
pub mod options;
pub mod protocol;
pub mod stats;

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

use crate::client::EmbyClient;
use crate::error::{Error, Result};
use crate::shared_sessions::SessionReuse;
use backoff::Backoff;
use connection::{Socket, scrub};
use events::{Event, EventQueue};
use protocol::{Frame, parse_frame_reusing};
use stats::Stats;

pub use options::{WebSocketOptions, WebSocketSettings};

const LOG: &str = "embymedia_core::websocket";

/// What `start_websocket` hands out: the event queue and the statistics.
pub struct WebSocketHandle {
    pub queue: Arc<EventQueue>,
    pub stats: Arc<Stats>,
}

impl crate::client::Attachment for WebSocketHandle {
    /// Ends `events()` streams (after what is queued). shutdown_all (interpreter exit) does
    /// not: nobody is left to read them.
    fn closed(&self) {
        self.queue.close();
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl EmbyClient {
    /// Starts the WebSocket task on `runtime` (once per client; later calls return the same
    /// queue and ignore `options`). The task is owned by the client's lifecycle: `close()` and
    /// `shutdown_all()` stop it.
    pub fn start_websocket(
        &self,
        options: WebSocketOptions,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Arc<EventQueue>> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let mut started = false;
        let slot = self.inner.websocket.get_or_init(|| {
            started = true;
            let queue = Arc::new(EventQueue::new(options.queue_capacity));
            let stats = Arc::new(Stats::new(queue.clone()));
            self.metrics().set_websocket(stats.clone());
            Box::new(WebSocketHandle { queue, stats })
        });
        let Some(handle) = slot.as_any().downcast_ref::<WebSocketHandle>() else {
            unreachable!("the client's WebSocket slot holds a WebSocketHandle");
        };
        if started {
            let (config, tls) = (self.config().clone(), self.tls_config());
            let timeout = options.connect_timeout.unwrap_or(config.timeout);
            let connect: Connect = Box::new(move || {
                let (config, tls) = (config.clone(), tls.clone());
                Box::pin(async move { connection::connect(&config, tls, timeout).await })
            });
            let task = run(
                self.clone(),
                options,
                handle.queue.clone(),
                handle.stats.clone(),
                connect,
            );
            self.lifecycle().tracker().spawn_on(task, runtime);
        }
        Ok(handle.queue.clone())
    }
}

/// State of the connection loop that outlives one connection.
struct Shared<'a> {
    client: &'a EmbyClient,
    options: &'a WebSocketOptions,
    queue: &'a EventQueue,
    stats: &'a Stats,
    /// Malformed-frame kinds already logged (each is logged once per client).
    logged: HashSet<String>,
    /// The last `Sessions` snapshot, for the next one to share what did not change.
    sessions: SessionReuse,
}

/// Opens one connection (the real one is [`connection::connect`]; tests put in others to drive
/// the loop on a paused clock).
type Connect = Box<
    dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = std::result::Result<Socket, String>> + Send>>
        + Send
        + Sync,
>;

/// The connect / read / back off loop, until the client closes.
async fn run(
    client: EmbyClient,
    options: WebSocketOptions,
    queue: Arc<EventQueue>,
    stats: Arc<Stats>,
    connect: Connect,
) {
    let token = client.lifecycle().token().clone();
    let mut backoff = Backoff::new(
        options.backoff_base,
        options.backoff_max,
        options.backoff_seed,
    );
    let mut shared = Shared {
        client: &client,
        options: &options,
        queue: &queue,
        stats: &stats,
        logged: HashSet::new(),
        sessions: SessionReuse::default(),
    };
    let mut ever_connected = false;
    let server = connection::display_url(client.config());
    loop {
        let attempt = tokio::select! {
            biased;
            () = token.cancelled() => break,
            r = connect() => r,
        };
        match attempt {
            Ok(socket) => {
                let since = Instant::now();
                stats.set_connected(since, ever_connected);
                if ever_connected {
                    log::info!(target: LOG, "WebSocket to {server} re-established");
                    // The library and user-data changes of the gap were announced to no one:
                    // nothing cached before it may be served once Python hears `connected`.
                    client.invalidate_all();
                } else {
                    log::debug!(target: LOG, "WebSocket to {server} connected");
                }
                ever_connected = true;
                queue.push(Event::Connected);
                let reason = session(socket, &mut shared, &token).await;
                stats.set_disconnected(Instant::now());
                if token.is_cancelled() {
                    queue.push(Event::Disconnected {
                        reason: "the client was closed".to_owned(),
                    });
                    break;
                }
                log::info!(target: LOG, "WebSocket to {server} lost: {reason}");
                stats.set_error(reason.clone());
                queue.push(Event::Disconnected { reason });
                if since.elapsed() >= options.stable_after {
                    backoff.reset();
                }
            }
            Err(reason) => {
                // The first failure is worth a line; the retries of a down server are not.
                if backoff.attempt() == 0 {
                    log::warn!(target: LOG, "WebSocket to {server} failed: {reason}");
                } else {
                    log::debug!(target: LOG, "WebSocket to {server} failed: {reason}");
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

type Sink = SplitSink<Socket, Message>;

/// Writes one message within the read deadline (a peer that stopped reading fills our socket
/// buffer; the write must not wait for it forever).
async fn send(
    sink: &mut Sink,
    message: Message,
    within: Duration,
) -> std::result::Result<(), String> {
    match tokio::time::timeout(within, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the server stopped reading (write blocked {:.1} s)",
            within.as_secs_f64()
        )),
    }
}

/// Registers capabilities for this connection, retrying a few times while it lasts (the POST
/// can race a server that is still starting up). Without it Emby does not route library and
/// user-data events to an API-key socket (EMBY.md 4.6).
async fn register_capabilities(client: EmbyClient, retry: Duration, connection: CancellationToken) {
    const ATTEMPTS: u32 = 3;
    for attempt in 1..=ATTEMPTS {
        let result = tokio::select! {
            biased;
            () = connection.cancelled() => return,
            r = client.register_capabilities() => r,
        };
        match result {
            Ok(()) => {
                log::debug!(target: LOG, "capabilities registered");
                return;
            }
            Err(Error::Closed) => return,
            Err(e) if attempt == ATTEMPTS => {
                log::warn!(
                    target: LOG,
                    "registering capabilities failed (library and user-data events may not arrive): {e}"
                );
            }
            Err(e) => {
                log::debug!(target: LOG, "registering capabilities failed, retrying: {e}");
                tokio::select! {
                    () = connection.cancelled() => return,
                    () = tokio::time::sleep(retry) => {}
                }
            }
        }
    }
}

enum Next {
    Continue,
    KeepAliveEvery(Duration),
    Reconnect(String),
}

/// One connection: subscribe, then read until it ends; returns why it ended. When the client
/// closes, says goodbye with a Close frame (bounded) and returns.
async fn session(socket: Socket, shared: &mut Shared<'_>, token: &CancellationToken) -> String {
    let options = shared.options;
    let key = shared.client.config().api_key.expose().to_owned();
    let (mut sink, mut stream) = socket.split();
    for frame in options.subscriptions() {
        if let Err(e) = send(&mut sink, Message::text(frame), options.read_timeout).await {
            return scrub(&format!("subscribe failed: {e}"), &key);
        }
    }
    // Ends the capabilities task with this connection (whatever way it ends).
    let connection = token.child_token();
    let _end_of_connection = connection.clone().drop_guard();
    if options.register_capabilities {
        let task = register_capabilities(
            shared.client.clone(),
            options.capabilities_retry,
            connection.clone(),
        );
        shared.client.lifecycle().tracker().spawn(task);
    }
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + options.ping_interval,
        options.ping_interval,
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
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
            () = token.cancelled() => {
                let goodbye = Message::Close(Some(CloseFrame {
                    code: CloseCode::Away,
                    reason: "client closed".into(),
                }));
                let _ = send(&mut sink, goodbye, Duration::from_millis(500)).await;
                return "the client was closed".to_owned();
            }
            message = stream.next() => {
                let message = match message {
                    None => return "connection closed".to_owned(),
                    Some(Err(e)) => return scrub(&format!("read failed: {e}"), &key),
                    Some(Ok(m)) => m,
                };
                deadline = tokio::time::Instant::now() + options.read_timeout;
                let next = match message {
                    Message::Text(text) => {
                        shared.stats.record_message_time();
                        handle_text(text.as_str(), shared)
                    }
                    Message::Binary(bytes) => {
                        malformed(shared, "binary", &String::from_utf8_lossy(&bytes));
                        Next::Continue
                    }
                    Message::Close(frame) => {
                        return match frame {
                            Some(f) if !f.reason.is_empty() => format!(
                                "closed by the server ({}: {})",
                                u16::from(f.code),
                                scrub(&f.reason, &key)
                            ),
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
                        // First tick at once: the server wants to hear from us now.
                        let mut i = tokio::time::interval(period);
                        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        keepalive = Some(i);
                    }
                }
            }
            _ = ping.tick() => {
                if let Err(e) = send(&mut sink, Message::Ping(Default::default()), options.read_timeout).await {
                    return scrub(&format!("ping failed: {e}"), &key);
                }
            }
            () = keepalive_tick => {
                let frame = Message::text(protocol::outbound("KeepAlive", None));
                if let Err(e) = send(&mut sink, frame, options.read_timeout).await {
                    return scrub(&format!("keepalive failed: {e}"), &key);
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

fn malformed(shared: &mut Shared<'_>, kind: &str, text: &str) {
    shared.stats.record_malformed();
    if shared.logged.insert(kind.to_owned()) {
        let snippet: String = text.chars().take(120).collect();
        log::warn!(
            target: LOG,
            "skipping malformed WebSocket frames ({kind}), first one: {}",
            scrub(&snippet, shared.client.config().api_key.expose())
        );
    }
}

fn handle_text(text: &str, shared: &mut Shared<'_>) -> Next {
    let received = match parse_frame_reusing(text, &mut shared.sessions) {
        Ok(r) => r,
        Err(m) => {
            malformed(shared, &m.kind(), text);
            return Next::Continue;
        }
    };
    let (client, queue) = (shared.client, shared.queue);
    shared.stats.record_message(&received.message_type);
    let event = match received.frame {
        Frame::Event(event) => event,
        Frame::ForceKeepAlive(secs) => {
            return Next::KeepAliveEvery(Duration::from_millis(secs.saturating_mul(500)));
        }
        Frame::Ignored => return Next::Continue,
    };
    // The caches learn of a change before Python does.
    let next = match &event {
        Event::LibraryChanged {
            items_added,
            items_updated,
            items_removed,
            folders_added_to,
            folders_removed_from,
        } => {
            client.invalidate_for_library_change(
                items_added
                    .iter()
                    .chain(items_updated)
                    .chain(items_removed)
                    .chain(folders_added_to)
                    .chain(folders_removed_from)
                    .map(String::as_str),
            );
            Next::Continue
        }
        Event::UserDataChanged { user_id, .. } => {
            client.invalidate_for_user_data(user_id);
            Next::Continue
        }
        Event::ServerRestarting => Next::Reconnect("the server is restarting".to_owned()),
        Event::ServerShuttingDown => Next::Reconnect("the server is shutting down".to_owned()),
        _ => Next::Continue,
    };
    queue.push(event);
    next
}

#[cfg(test)]
mod tests;
