//! WebSocket statistics for the diagnostics snapshot: atomics on the per-message path, a lock
//! only for rare things (a new message type, an error, a connection change).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::metrics::{WebSocketStats, WebSocketStatsSource};

use super::events::EventQueue;

/// Message types counted without a lock (everything the protocol module handles).
const KNOWN: [&str; 24] = [
    "Sessions",
    "PlaybackStart",
    "PlaybackStopped",
    "PlaybackProgress",
    "SessionEnded",
    "LibraryChanged",
    "UserDataChanged",
    "ServerRestarting",
    "ServerShuttingDown",
    "RestartRequired",
    "ScheduledTaskEnded",
    "ScheduledTasksInfo",
    "ActivityLogEntry",
    "PackageInstalling",
    "PackageInstallationCompleted",
    "PackageInstallationFailed",
    "PackageInstallationCancelled",
    "PluginUninstalled",
    "NotificationAdded",
    "UserUpdated",
    "UserDeleted",
    "ForceKeepAlive",
    "KeepAlive",
    "Ping",
];

/// At most this many distinct unknown types are counted by name (a hostile server cannot grow
/// the map); the rest go under "other".
const MAX_OTHER_TYPES: usize = 64;

pub struct Stats {
    epoch: Instant,
    connected: AtomicBool,
    messages: AtomicU64,
    known: [AtomicU64; KNOWN.len()],
    other: Mutex<BTreeMap<String, u64>>,
    malformed: AtomicU64,
    reconnections: AtomicU64,
    /// Milliseconds since `epoch` of the last frame (0: none yet).
    last_message_ms: AtomicU64,
    connected_since: Mutex<Option<Instant>>,
    /// Microseconds of finished connections.
    past_uptime_us: AtomicU64,
    last_error: Mutex<Option<String>>,
    queue: Arc<EventQueue>,
}

impl Stats {
    pub fn new(queue: Arc<EventQueue>) -> Self {
        Self {
            epoch: Instant::now(),
            connected: AtomicBool::new(false),
            messages: AtomicU64::new(0),
            known: Default::default(),
            other: Mutex::new(BTreeMap::new()),
            malformed: AtomicU64::new(0),
            reconnections: AtomicU64::new(0),
            last_message_ms: AtomicU64::new(0),
            connected_since: Mutex::new(None),
            past_uptime_us: AtomicU64::new(0),
            last_error: Mutex::new(None),
            queue,
        }
    }

    /// A text frame arrived (for `last_message_age_s`; pings and pongs do not count).
    pub fn record_message_time(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_message_ms.store(ms.max(1), Ordering::Relaxed);
    }

    pub fn record_message(&self, label: &str) {
        self.messages.fetch_add(1, Ordering::Relaxed);
        if let Some(i) = KNOWN.iter().position(|k| *k == label) {
            self.known[i].fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut other = self.other.lock().unwrap_or_else(|e| e.into_inner());
        let key = if other.contains_key(label) || other.len() < MAX_OTHER_TYPES {
            label.to_owned()
        } else {
            "other".to_owned()
        };
        *other.entry(key).or_default() += 1;
    }

    pub fn record_malformed(&self) {
        self.malformed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_connected(&self, now: Instant, reconnect: bool) {
        self.connected.store(true, Ordering::Relaxed);
        if reconnect {
            self.reconnections.fetch_add(1, Ordering::Relaxed);
        }
        *self
            .connected_since
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(now);
    }

    pub fn set_disconnected(&self, now: Instant) {
        self.connected.store(false, Ordering::Relaxed);
        if let Some(since) = self
            .connected_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let us = u64::try_from(now.duration_since(since).as_micros()).unwrap_or(u64::MAX);
            self.past_uptime_us.fetch_add(us, Ordering::Relaxed);
        }
    }

    /// Keeps the newest error (already redacted by the caller).
    pub fn set_error(&self, error: String) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }
}

impl WebSocketStatsSource for Stats {
    fn snapshot(&self) -> WebSocketStats {
        let now = Instant::now();
        let current = self
            .connected_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|since| now.duration_since(since).as_secs_f64())
            .unwrap_or(0.0);
        let past = self.past_uptime_us.load(Ordering::Relaxed) as f64 / 1e6;
        let mut by_type: BTreeMap<String, u64> = KNOWN
            .iter()
            .zip(&self.known)
            .map(|(k, c)| ((*k).to_owned(), c.load(Ordering::Relaxed)))
            .filter(|(_, c)| *c > 0)
            .collect();
        by_type.extend(
            self.other
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, v)| (k.clone(), *v)),
        );
        let last_ms = self.last_message_ms.load(Ordering::Relaxed);
        WebSocketStats {
            connected: self.is_connected(),
            messages_received: self.messages.load(Ordering::Relaxed),
            messages_by_type: by_type,
            malformed_frames: self.malformed.load(Ordering::Relaxed),
            dropped_events: self.queue.dropped(),
            uptime_hours: current / 3600.0,
            total_uptime_hours: (past + current) / 3600.0,
            reconnections: self.reconnections.load(Ordering::Relaxed),
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            last_message_age_s: (last_ms > 0).then(|| {
                (self.epoch.elapsed().as_millis() as f64 - last_ms as f64).max(0.0) / 1000.0
            }),
        }
    }
}
