//! How the connection behaves: the production defaults, the ranges Emby and the queue accept,
//! and the checked conversion from the plain numbers a caller (Python) gives.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::protocol;
use crate::arguments::{in_range, seconds};
use crate::error::Result;

/// The `SessionsStart` throttle Emby accepts, in milliseconds.
pub const SESSIONS_INTERVAL_MS: RangeInclusive<u32> = 500..=10_000;
/// The production `SessionsStart` throttle, in milliseconds.
pub const DEFAULT_SESSIONS_INTERVAL_MS: u32 = 1500;
/// The `ScheduledTasksInfoStart` interval Emby accepts, in milliseconds.
pub const SCHEDULED_TASKS_INTERVAL_MS: RangeInclusive<u32> = 500..=600_000;
/// `ActivityLogEntryStart` throttle (the value first-party clients ask for).
const ACTIVITY_LOG_INTERVAL_MS: u32 = 1000;
/// Bounds of the event queue's capacity.
pub const QUEUE_CAPACITY: RangeInclusive<usize> = 16..=100_000;

/// Timing and behaviour of the connection; production defaults, shorter in tests.
#[derive(Debug, Clone)]
pub struct WebSocketOptions {
    /// The `SessionsStart` throttle asked of the server (500-10000 ms).
    pub sessions_interval_ms: u32,
    /// Also subscribe to `ScheduledTasksInfo` with this interval, and to `ActivityLogEntry`
    /// (None: neither; Emby pushes tasks on a timer while subscribed, so it costs traffic).
    pub scheduled_tasks_interval_ms: Option<u32>,
    /// How often we ping the server.
    pub ping_interval: Duration,
    /// No frame at all (pongs included) for this long: the socket is dead. Also bounds every
    /// write, so a peer that stopped reading cannot block us either.
    pub read_timeout: Duration,
    /// Handshake timeout (TCP, TLS and HTTP upgrade); None: the client's request timeout.
    pub connect_timeout: Option<Duration>,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A connection that lasted this long resets the backoff.
    pub stable_after: Duration,
    /// Bound of the event queue.
    pub queue_capacity: usize,
    /// POST `/Sessions/Capabilities/Full` after each connect.
    pub register_capabilities: bool,
    /// Pause between attempts to register capabilities (3 attempts per connection).
    pub capabilities_retry: Duration,
    /// Seed of the backoff jitter (tests); random when None.
    pub backoff_seed: Option<u64>,
}

impl Default for WebSocketOptions {
    fn default() -> Self {
        Self {
            sessions_interval_ms: DEFAULT_SESSIONS_INTERVAL_MS,
            scheduled_tasks_interval_ms: None,
            ping_interval: Duration::from_secs(30),
            read_timeout: Duration::from_secs(75),
            connect_timeout: None,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            stable_after: Duration::from_secs(60),
            queue_capacity: 1024,
            register_capabilities: true,
            capabilities_retry: Duration::from_secs(5),
            backoff_seed: None,
        }
    }
}

impl WebSocketOptions {
    /// The frames that (re)establish our subscriptions, sent after every connect.
    pub fn subscriptions(&self) -> Vec<String> {
        let mut frames = vec![protocol::outbound(
            "SessionsStart",
            Some(&format!("0,{}", self.sessions_interval_ms)),
        )];
        if let Some(ms) = self.scheduled_tasks_interval_ms {
            frames.push(protocol::outbound(
                "ScheduledTasksInfoStart",
                Some(&format!("0,{ms}")),
            ));
            // The other admin feed: Emby sends an entry as it is logged (the interval only
            // throttles), so last activity and watch time need no polling.
            frames.push(protocol::outbound(
                "ActivityLogEntryStart",
                Some(&format!("0,{ACTIVITY_LOG_INTERVAL_MS}")),
            ));
        }
        frames
    }
}

/// The knobs a caller may set, in the caller's units; `None` keeps the production default.
#[derive(Debug, Clone, Default)]
pub struct WebSocketSettings {
    pub sessions_interval_ms: Option<u32>,
    pub ping_interval_s: Option<f64>,
    pub read_timeout_s: Option<f64>,
    pub backoff_base_s: Option<f64>,
    pub backoff_max_s: Option<f64>,
    pub stable_after_s: Option<f64>,
    pub scheduled_tasks_interval_ms: Option<u32>,
    pub queue_capacity: Option<usize>,
}

impl WebSocketSettings {
    /// The options these settings stand for; `InvalidArgument` naming the first knob out of
    /// range (intervals and the queue as above, durations positive and at most a day).
    pub fn options(&self) -> Result<WebSocketOptions> {
        let defaults = WebSocketOptions::default();
        let secs = |name: &str, value: Option<f64>, default: Duration| {
            value.map_or(Ok(default), |v| seconds(name, v))
        };
        Ok(WebSocketOptions {
            sessions_interval_ms: in_range(
                "sessions_interval_ms",
                self.sessions_interval_ms
                    .unwrap_or(defaults.sessions_interval_ms),
                &SESSIONS_INTERVAL_MS,
            )?,
            ping_interval: secs(
                "ping_interval_s",
                self.ping_interval_s,
                defaults.ping_interval,
            )?,
            read_timeout: secs("read_timeout_s", self.read_timeout_s, defaults.read_timeout)?,
            backoff_base: secs("backoff_base_s", self.backoff_base_s, defaults.backoff_base)?,
            backoff_max: secs("backoff_max_s", self.backoff_max_s, defaults.backoff_max)?,
            stable_after: secs("stable_after_s", self.stable_after_s, defaults.stable_after)?,
            scheduled_tasks_interval_ms: self
                .scheduled_tasks_interval_ms
                .map(|ms| {
                    in_range(
                        "scheduled_tasks_interval_ms",
                        ms,
                        &SCHEDULED_TASKS_INTERVAL_MS,
                    )
                })
                .transpose()?,
            queue_capacity: in_range(
                "queue_capacity",
                self.queue_capacity.unwrap_or(defaults.queue_capacity),
                &QUEUE_CAPACITY,
            )?,
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn no_settings_are_the_production_defaults() {
        let o = WebSocketSettings::default().options().expect("defaults");
        assert_eq!(o.sessions_interval_ms, 1500);
        assert_eq!(o.ping_interval, Duration::from_secs(30));
        assert_eq!(o.queue_capacity, 1024);
        assert_eq!(o.scheduled_tasks_interval_ms, None);
        assert!(SESSIONS_INTERVAL_MS.contains(&DEFAULT_SESSIONS_INTERVAL_MS));
    }

    #[test]
    fn settings_are_checked_and_converted() {
        let o = WebSocketSettings {
            sessions_interval_ms: Some(500),
            read_timeout_s: Some(0.25),
            scheduled_tasks_interval_ms: Some(600_000),
            queue_capacity: Some(16),
            ..WebSocketSettings::default()
        }
        .options()
        .expect("in range");
        assert_eq!(o.read_timeout, Duration::from_millis(250));
        assert_eq!(o.scheduled_tasks_interval_ms, Some(600_000));
        let refused = |s: WebSocketSettings, name: &str| match s.options() {
            Err(Error::InvalidArgument(m)) => assert!(m.starts_with(name), "{m}"),
            other => panic!("{name}: {other:?}"),
        };
        let none = WebSocketSettings::default;
        refused(
            WebSocketSettings {
                sessions_interval_ms: Some(10_001),
                ..none()
            },
            "sessions_interval_ms",
        );
        refused(
            WebSocketSettings {
                scheduled_tasks_interval_ms: Some(499),
                ..none()
            },
            "scheduled_tasks_interval_ms",
        );
        refused(
            WebSocketSettings {
                queue_capacity: Some(1),
                ..none()
            },
            "queue_capacity",
        );
        refused(
            WebSocketSettings {
                backoff_max_s: Some(-1.0),
                ..none()
            },
            "backoff_max_s",
        );
        refused(
            WebSocketSettings {
                ping_interval_s: Some(f64::NAN),
                ..none()
            },
            "ping_interval_s",
        );
    }
}
