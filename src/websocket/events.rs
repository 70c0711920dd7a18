//! Events for Python and the bounded queue that carries them.
//!
//! The queue never grows without bound: a new `Sessions` snapshot replaces any queued one (only
//! the newest matters), and when it is full the oldest event is dropped and counted. Batches are
//! handed out in order, so Python wakes once per burst.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::sync::Notify;

use crate::models::{ScheduledTask, Session};

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
        sessions: Vec<Session>,
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

struct State {
    events: VecDeque<Event>,
    closed: bool,
}

/// Bounded, coalescing, multi-consumer-safe queue of events.
pub struct EventQueue {
    state: Mutex<State>,
    notify: Notify,
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
            if matches!(event, Event::Sessions { .. }) {
                // The newest snapshot supersedes a queued one; it goes to the back so it is
                // still read after the events that came before it.
                if let Some(i) = s
                    .events
                    .iter()
                    .position(|e| matches!(e, Event::Sessions { .. }))
                {
                    s.events.remove(i);
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
            if s.events.len() >= self.capacity {
                s.events.pop_front();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            s.events.push_back(event);
        }
        self.notify.notify_one();
    }

    /// Waits for events and takes up to `max` of them; an empty batch means the queue was closed.
    pub async fn next_batch(&self, max: usize) -> Vec<Event> {
        loop {
            let notified = self.notify.notified();
            {
                let mut s = self.lock();
                if !s.events.is_empty() {
                    let n = s.events.len().min(max.max(1));
                    let batch: Vec<Event> = s.events.drain(..n).collect();
                    if !s.events.is_empty() {
                        // Another consumer may take the rest.
                        self.notify.notify_one();
                    }
                    return batch;
                }
                if s.closed {
                    return Vec::new();
                }
            }
            notified.await;
        }
    }

    /// Ends every iterator once the queued events are read.
    pub fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
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
            sessions: vec![Session::default(); n],
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
}
