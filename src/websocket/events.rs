//! Events for Python and the bounded queue that carries them.
//!
//! The queue never grows without bound: a new `Sessions` snapshot replaces any queued one (only
//! the newest matters), as does a session's newer progress report its older one; when the queue
//! is still full, the oldest event that is not a connection-state change is dropped. Everything
//! superseded or dropped is counted. Batches are handed out in order, so Python wakes once per
//! burst. Rust readers wait with `next_batch`; an event loop watches the queue's wake-up
//! descriptor (`wake`) and takes batches with `try_batch` when it is readable.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use tokio::sync::Notify;

use crate::models::{ActivityLogEntry, ScheduledTask, Session};

mod tag;
mod wake;

pub use wake::Wake;

/// One event of the `events()` stream (the `Event` TypedDicts of `_core.pyi`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Connected,
    Disconnected {
        reason: String,
    },
    Reconnecting {
        delay_s: f64,
        attempt: u32,
    },
    Sessions {
        /// Shared with the connection's [`super::protocol::SessionReuse`] (and the tracker
        /// that is handed them), so an unchanged session is neither parsed nor copied again.
        sessions: Vec<Arc<Session>>,
    },
    PlaybackStart {
        session: Session,
    },
    PlaybackStopped {
        session: Session,
    },
    PlaybackProgress {
        session: Session,
    },
    SessionEnded {
        session: Session,
    },
    LibraryChanged {
        items_added: Vec<String>,
        items_updated: Vec<String>,
        items_removed: Vec<String>,
        folders_added_to: Vec<String>,
        folders_removed_from: Vec<String>,
    },
    UserDataChanged {
        user_id: String,
        item_ids: Vec<String>,
    },
    ServerRestarting,
    ServerShuttingDown,
    RestartRequired,
    ScheduledTaskEnded {
        task_id: Option<String>,
        name: Option<String>,
        status: Option<String>,
    },
    ScheduledTasksInfo {
        tasks: Vec<ScheduledTask>,
    },
    ActivityLogEntry {
        entries: Vec<ActivityLogEntry>,
    },
    PluginsChanged {
        message_type: String,
    },
    NotificationAdded {
        name: Option<String>,
        description: Option<String>,
        level: Option<String>,
    },
    UserUpdated {
        user_id: Option<String>,
    },
    UserDeleted {
        user_id: Option<String>,
    },
}

impl Event {
    /// The event's `type` as serde writes it (`"playback_start"`): for converters that build
    /// an event's dict themselves (the Python binding's sessions are objects, not dicts).
    pub fn tag(&self) -> String {
        match self.serialize(tag::TagOnly) {
            Err(tag::Found::Tag(t)) => t,
            // Unreachable for this internally tagged enum; the name keeps it visible if not.
            _ => "unknown".to_owned(),
        }
    }

    /// Connection-state events are the last to be dropped when the queue overflows: losing one
    /// would leave Python with the wrong idea of whether pushes arrive.
    fn is_connection_state(&self) -> bool {
        matches!(
            self,
            Event::Connected | Event::Disconnected { .. } | Event::Reconnecting { .. }
        )
    }

    /// Whether `newer` makes this queued event worthless: a newer `Sessions` snapshot replaces
    /// any older one, a newer progress report of a session replaces its older one.
    fn superseded_by(&self, newer: &Event) -> bool {
        match (self, newer) {
            (Event::Sessions { .. }, Event::Sessions { .. }) => true,
            (Event::PlaybackProgress { session: a }, Event::PlaybackProgress { session: b }) => {
                a.id == b.id && a.device_id == b.device_id
            }
            _ => false,
        }
    }
}

/// What [`EventQueue::try_batch`] found.
#[derive(Debug, PartialEq)]
pub enum TryBatch {
    Ready(Vec<Event>),
    Empty,
    Closed,
}

struct State {
    events: VecDeque<Event>,
    closed: bool,
}

impl State {
    /// Drops one event to make room: the oldest that is not a connection-state event, else the
    /// oldest of all.
    fn evict(&mut self) {
        let i = self
            .events
            .iter()
            .position(|e| !e.is_connection_state())
            .unwrap_or(0);
        self.events.remove(i);
    }
}

/// Bounded, coalescing, multi-consumer-safe queue of events.
pub struct EventQueue {
    state: Mutex<State>,
    notify: Notify,
    /// Made by the first reader that asks for it, closed when that reader releases it; while
    /// it exists every change the reader must see signals it.
    wake: Mutex<Option<Arc<Wake>>>,
    capacity: usize,
    dropped: AtomicU64,
}

impl EventQueue {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                events: VecDeque::with_capacity(capacity.min(1024)),
                closed: false,
            }),
            notify: Notify::new(),
            wake: Mutex::new(None),
            capacity: capacity.max(2),
            dropped: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues an event (ignored once closed).
    pub fn push(&self, event: Event) {
        {
            let mut s = self.lock();
            if s.closed {
                return;
            }
            // The newest snapshot supersedes a queued one; it goes to the back so it is still
            // read after the events that came before it. At most one can be queued, so one
            // removal suffices.
            if let Some(i) = s.events.iter().position(|e| e.superseded_by(&event)) {
                s.events.remove(i);
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            if s.events.len() >= self.capacity {
                s.evict();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            s.events.push_back(event);
        }
        self.notify.notify_one();
        self.signal();
        // What the reader left of earlier snapshots is freed here, on this thread, once the
        // reader has been woken: the freeing is not on the way of the event.
        crate::graveyard::empty();
    }

    fn signal(&self) {
        if let Some(wake) = self.wake_slot().as_ref() {
            wake.signal();
        }
    }

    fn wake_slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Wake>>> {
        self.wake.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The wake-up descriptor: readable while events (or the end of the stream) wait. Made on
    /// the first call after none or a release (an error: the process is out of descriptors).
    pub fn wake(&self) -> std::io::Result<Arc<Wake>> {
        let mut slot = self.wake_slot();
        if let Some(wake) = slot.as_ref() {
            return Ok(wake.clone());
        }
        let wake = Arc::new(Wake::new()?);
        *slot = Some(wake.clone());
        drop(slot);
        if !self.is_empty() || self.is_closed() {
            wake.signal();
        }
        Ok(wake)
    }

    /// The wake-up descriptor if one was made (nothing is made here).
    pub fn current_wake(&self) -> Option<Arc<Wake>> {
        self.wake_slot().clone()
    }

    /// Closes the wake-up descriptor (its reader is done with it: remove it from the event
    /// loop first). Its descriptors are closed here, not when the queue is dropped, which may
    /// wait for Python's garbage collector.
    pub fn release_wake(&self) {
        let released = self.wake_slot().take();
        drop(released);
    }

    /// Takes up to `max` events if some are queued, without waiting.
    pub fn try_batch(&self, max: usize) -> TryBatch {
        let mut s = self.lock();
        if !s.events.is_empty() {
            let n = s.events.len().min(max.max(1));
            let batch: Vec<Event> = s.events.drain(..n).collect();
            if !s.events.is_empty() {
                // Another consumer (or the next turn of the event loop) takes the rest.
                self.notify.notify_one();
                self.signal();
            } else if s.closed {
                // The reader comes back once more, for the end.
                self.signal();
            }
            return TryBatch::Ready(batch);
        }
        if s.closed {
            TryBatch::Closed
        } else {
            TryBatch::Empty
        }
    }

    /// Waits for events and takes up to `max` of them; an empty batch means the queue was closed.
    /// Cancel-safe: dropping the future takes nothing.
    pub async fn next_batch(&self, max: usize) -> Vec<Event> {
        loop {
            let notified = self.notify.notified();
            match self.try_batch(max) {
                TryBatch::Ready(batch) => return batch,
                TryBatch::Closed => return Vec::new(),
                TryBatch::Empty => {}
            }
            notified.await;
        }
    }

    /// Ends every iterator once the queued events are read.
    pub fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
        self.signal();
        // What the reader left of earlier snapshots is freed here, on this thread, once the
        // reader has been woken: the freeing is not on the way of the event.
        crate::graveyard::empty();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    pub fn len(&self) -> usize {
        self.lock().events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Events dropped or superseded so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(n: usize) -> Event {
        Event::Sessions {
            sessions: (0..n).map(|_| Arc::new(Session::default())).collect(),
        }
    }

    #[tokio::test]
    async fn sessions_snapshots_coalesce_and_keep_order() {
        let q = EventQueue::new(16);
        q.push(sessions(1));
        q.push(Event::Connected);
        q.push(sessions(2));
        let batch = q.next_batch(10).await;
        assert_eq!(batch, vec![Event::Connected, sessions(2)]);
        assert_eq!(q.dropped(), 1);
    }

    #[tokio::test]
    async fn a_flood_stays_bounded() {
        let q = EventQueue::new(64);
        for i in 0..10_000 {
            q.push(sessions(i % 3));
            q.push(Event::UserDataChanged {
                user_id: i.to_string(),
                item_ids: Vec::new(),
            });
        }
        assert!(q.len() <= 64);
        assert!(q.dropped() >= 10_000);
        let batch = q.next_batch(1000).await;
        assert!(batch.len() <= 64);
        // The newest events survive.
        assert!(batch.contains(&Event::UserDataChanged {
            user_id: "9999".into(),
            item_ids: Vec::new()
        }));
    }

    #[tokio::test]
    async fn close_ends_waiters_after_the_rest_is_read() {
        let q = std::sync::Arc::new(EventQueue::new(8));
        let waiter = {
            let q = q.clone();
            tokio::spawn(async move { q.next_batch(8).await })
        };
        tokio::task::yield_now().await;
        q.push(Event::Connected);
        assert_eq!(waiter.await.expect("join"), vec![Event::Connected]);
        q.push(Event::RestartRequired);
        q.close();
        q.push(Event::Connected);
        assert_eq!(q.next_batch(8).await, vec![Event::RestartRequired]);
        assert!(q.next_batch(8).await.is_empty());
    }

    fn progress(id: &str, ticks: i64) -> Event {
        let mut session = Session {
            id: id.to_owned(),
            device_id: format!("dev-{id}"),
            ..Session::default()
        };
        session.play_state.position_ticks = Some(ticks);
        Event::PlaybackProgress { session }
    }

    #[tokio::test]
    async fn progress_coalesces_per_session() {
        let q = EventQueue::new(16);
        q.push(progress("a", 1));
        q.push(progress("b", 1));
        q.push(progress("a", 2));
        assert_eq!(
            q.next_batch(10).await,
            vec![progress("b", 1), progress("a", 2)]
        );
        assert_eq!(q.dropped(), 1);
    }

    #[tokio::test]
    async fn overflow_keeps_connection_state_events() {
        let q = EventQueue::new(4);
        q.push(Event::Disconnected {
            reason: "gone".into(),
        });
        q.push(Event::Connected);
        for i in 0..10 {
            q.push(Event::UserUpdated {
                user_id: Some(i.to_string()),
            });
        }
        let batch = q.next_batch(10).await;
        assert_eq!(
            batch,
            vec![
                Event::Disconnected {
                    reason: "gone".into()
                },
                Event::Connected,
                Event::UserUpdated {
                    user_id: Some("8".into())
                },
                Event::UserUpdated {
                    user_id: Some("9".into())
                },
            ]
        );
        assert_eq!(q.dropped(), 8);
        // A queue full of state changes still stays bounded.
        for _ in 0..10 {
            q.push(Event::Connected);
        }
        assert_eq!(q.len(), 4);
    }

    #[test]
    fn the_wake_descriptor_follows_the_queue() {
        let q = EventQueue::new(4);
        q.push(Event::Connected);
        // Made after an event was queued: readable at once.
        let wake = q.wake().expect("a socket pair");
        assert!(wake.is_signalled());
        wake.clear();
        assert_eq!(q.try_batch(8), TryBatch::Ready(vec![Event::Connected]));
        q.push(Event::RestartRequired);
        assert!(wake.is_signalled(), "a push signals");
        wake.clear();
        q.push(Event::ServerRestarting);
        // A batch that leaves events behind signals again: the reader comes back for them.
        assert_eq!(
            q.try_batch(1),
            TryBatch::Ready(vec![Event::RestartRequired])
        );
        assert!(wake.is_signalled());
        wake.clear();
        assert_eq!(
            q.try_batch(1),
            TryBatch::Ready(vec![Event::ServerRestarting])
        );
        assert!(!wake.is_signalled());
        q.push(Event::Connected);
        q.close();
        assert!(wake.is_signalled(), "the end of the stream signals");
        wake.clear();
        assert_eq!(q.try_batch(8), TryBatch::Ready(vec![Event::Connected]));
        assert!(
            wake.is_signalled(),
            "the last batch: readable again, for the end"
        );
        wake.clear();
        assert_eq!(q.try_batch(8), TryBatch::Closed);
        assert_eq!(q.wake().expect("made").fd(), wake.fd(), "one per queue");
        q.release_wake();
        assert!(q.current_wake().is_none());
        let again = q.wake().expect("a socket pair");
        assert!(
            again.is_signalled(),
            "made again after the end: readable at once"
        );
    }

    #[tokio::test]
    async fn a_cancelled_wait_takes_nothing() {
        let q = EventQueue::new(8);
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(20), q.next_batch(8)).await;
        assert!(waited.is_err());
        q.push(Event::Connected);
        assert_eq!(q.next_batch(8).await, vec![Event::Connected]);
    }

    #[test]
    fn serializes_like_the_contract() {
        let v = serde_json::to_value(Event::Reconnecting {
            delay_s: 1.5,
            attempt: 2,
        })
        .expect("json");
        assert_eq!(
            v,
            serde_json::json!({"type": "reconnecting", "delay_s": 1.5, "attempt": 2})
        );
        let v = serde_json::to_value(Event::ServerRestarting).expect("json");
        assert_eq!(v, serde_json::json!({"type": "server_restarting"}));
    }

    #[test]
    fn the_tag_is_the_serialized_type() {
        let session = Session::default();
        for event in [
            Event::Connected,
            Event::Sessions {
                sessions: vec![Arc::new(session.clone())],
            },
            Event::PlaybackStart {
                session: session.clone(),
            },
            Event::PlaybackStopped {
                session: session.clone(),
            },
            Event::PlaybackProgress {
                session: session.clone(),
            },
            Event::SessionEnded { session },
            Event::UserDeleted { user_id: None },
        ] {
            let json = serde_json::to_value(&event).expect("json");
            assert_eq!(json["type"], event.tag(), "{event:?}");
        }
        assert_eq!(
            Event::PlaybackProgress {
                session: Session::default()
            }
            .tag(),
            "playback_progress"
        );
    }
}
