//! Efficiency metrics: plain atomics, no lock on the hot path.
//!
//! API calls are counted per endpoint template in a fixed array indexed by [`Endpoint`]; latency
//! goes into a small log-bucket histogram per endpoint from which the p95 is read. Cache counters
//! live here too so that one [`Metrics::snapshot`] returns the whole diagnostics section.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;

use crate::endpoint::Endpoint;

/// Histogram buckets: bucket `i` holds durations in `[2^((i-1)/2), 2^(i/2))` ms (√2 steps) from
/// 1 ms to about 46 s (beyond any request timeout); the last bucket takes everything longer.
const BUCKETS: usize = 32;

fn bucket_of(ms: f64) -> usize {
    if ms < 1.0 {
        return 0;
    }
    // 2 * log2(ms), rounded up: the first bucket whose upper bound exceeds ms.
    let b = (2.0 * ms.log2()).floor() as usize + 1;
    b.min(BUCKETS - 1)
}

fn bucket_upper_ms(b: usize) -> f64 {
    2f64.powf(b as f64 / 2.0)
}

/// Counters of one endpoint.
#[derive(Default)]
struct ApiCounter {
    count: AtomicU64,
    errors: AtomicU64,
    total_us: AtomicU64,
    buckets: [AtomicU64; BUCKETS],
}

impl ApiCounter {
    fn record(&self, elapsed: Duration, ok: bool) {
        self.count.fetch_add(1, Relaxed);
        if !ok {
            self.errors.fetch_add(1, Relaxed);
        }
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.total_us.fetch_add(us, Relaxed);
        self.buckets[bucket_of(us as f64 / 1000.0)].fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> Option<ApiCallStats> {
        let count = self.count.load(Relaxed);
        if count == 0 {
            return None;
        }
        let counts: Vec<u64> = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        // Upper bound of the bucket holding the 95th percentile (an over-estimate by < √2).
        let rank = (total as f64 * 0.95).ceil() as u64;
        let mut seen = 0;
        let mut p95 = 0.0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank && *c > 0 {
                p95 = bucket_upper_ms(i);
                break;
            }
        }
        Some(ApiCallStats {
            count,
            avg_ms: round2(self.total_us.load(Relaxed) as f64 / 1000.0 / count as f64),
            p95_ms: round2(p95),
            errors: self.errors.load(Relaxed),
        })
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Counters of one cache.
#[derive(Default)]
pub struct CacheCounters {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub coalesced: AtomicU64,
    pub evictions: AtomicU64,
}

/// Counters of one Home Assistant coordinator (recorded by Python).
#[derive(Default)]
struct CoordinatorCounter {
    updates: AtomicU64,
    failures: AtomicU64,
    total_us: AtomicU64,
}

/// Anything that can report WebSocket statistics (the WebSocket layer plugs itself in).
pub trait WebSocketStatsSource: Send + Sync {
    fn snapshot(&self) -> WebSocketStats;
}

/// All metrics of one client.
pub struct Metrics {
    api: Box<[ApiCounter]>,
    pub browse: CacheCounters,
    pub discovery: CacheCounters,
    /// Waiters that joined an in-flight uncached request instead of sending their own.
    pub inflight_coalesced: AtomicU64,
    /// Coordinators are few (one per kind) and recorded once per update, not per request: a map
    /// behind a mutex, with the counters themselves atomic.
    coordinators: Mutex<BTreeMap<String, Arc<CoordinatorCounter>>>,
    websocket: OnceLock<Arc<dyn WebSocketStatsSource>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            api: (0..Endpoint::COUNT)
                .map(|_| ApiCounter::default())
                .collect(),
            browse: CacheCounters::default(),
            discovery: CacheCounters::default(),
            inflight_coalesced: AtomicU64::new(0),
            coordinators: Mutex::new(BTreeMap::new()),
            websocket: OnceLock::new(),
        }
    }
}

impl Metrics {
    /// One upstream request to `endpoint` finished after `elapsed`.
    pub fn record_api_call(&self, endpoint: Endpoint, elapsed: Duration, ok: bool) {
        self.api[endpoint.index()].record(elapsed, ok);
    }

    /// The answer of a request already recorded turned out unusable (not JSON, wrong shape):
    /// the request counts as an error.
    pub fn record_api_unusable(&self, endpoint: Endpoint) {
        self.api[endpoint.index()].errors.fetch_add(1, Relaxed);
    }

    /// One coordinator update (called by Python after each refresh).
    pub fn record_coordinator_update(&self, name: &str, duration: Duration, success: bool) {
        let counter = {
            let mut map = self.coordinators.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(name) {
                Some(c) => c.clone(),
                None => map.entry(name.to_owned()).or_default().clone(),
            }
        };
        counter.updates.fetch_add(1, Relaxed);
        if !success {
            counter.failures.fetch_add(1, Relaxed);
        }
        let us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        counter.total_us.fetch_add(us, Relaxed);
    }

    /// Plugs in the WebSocket statistics (once; later calls are ignored).
    pub fn set_websocket(&self, source: Arc<dyn WebSocketStatsSource>) {
        let _ = self.websocket.set(source);
    }

    /// `(count, errors)` of one endpoint, for tests and benchmarks.
    pub fn api_count(&self, endpoint: Endpoint) -> (u64, u64) {
        let c = &self.api[endpoint.index()];
        (c.count.load(Relaxed), c.errors.load(Relaxed))
    }

    pub fn efficiency(&self) -> EfficiencyMetrics {
        let api_calls = Endpoint::ALL
            .iter()
            .filter_map(|e| {
                self.api[e.index()]
                    .snapshot()
                    .map(|s| (e.template().to_owned(), s))
            })
            .collect();
        let coordinators = {
            let map = self.coordinators.lock().unwrap_or_else(|e| e.into_inner());
            map.iter()
                .map(|(name, c)| {
                    let updates = c.updates.load(Relaxed);
                    let avg = if updates == 0 {
                        0.0
                    } else {
                        c.total_us.load(Relaxed) as f64 / 1000.0 / updates as f64
                    };
                    (
                        name.clone(),
                        CoordinatorStats {
                            updates,
                            failures: c.failures.load(Relaxed),
                            avg_duration_ms: round2(avg),
                        },
                    )
                })
                .collect()
        };
        EfficiencyMetrics {
            api_calls,
            websocket: self
                .websocket
                .get()
                .map(|w| w.snapshot())
                .unwrap_or_default(),
            coordinators,
        }
    }
}

/// `ApiCallStats` of the contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApiCallStats {
    pub count: u64,
    pub avg_ms: f64,
    pub p95_ms: f64,
    pub errors: u64,
}

/// `WebSocketStats` of the contract; all zeros until a WebSocket source is plugged in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WebSocketStats {
    pub connected: bool,
    pub messages_received: u64,
    pub messages_by_type: BTreeMap<String, u64>,
    pub malformed_frames: u64,
    pub dropped_events: u64,
    pub uptime_hours: f64,
    pub total_uptime_hours: f64,
    pub reconnections: u64,
    pub last_error: Option<String>,
    pub last_message_age_s: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CoordinatorStats {
    pub updates: u64,
    pub failures: u64,
    pub avg_duration_ms: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EfficiencyMetrics {
    pub api_calls: BTreeMap<String, ApiCallStats>,
    pub websocket: WebSocketStats,
    pub coordinators: BTreeMap<String, CoordinatorStats>,
}

/// `CacheStats` of the contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub coalesced: u64,
    pub entries: u64,
    pub evictions: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_entries: Option<u64>,
    pub ttl_seconds: u64,
}

impl CacheCounters {
    pub fn stats(&self, entries: u64, max_entries: Option<u64>, ttl: Duration) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            coalesced: self.coalesced.load(Relaxed),
            entries,
            evictions: self.evictions.load(Relaxed),
            max_entries,
            ttl_seconds: ttl.as_secs(),
        }
    }
}

/// `CacheStatsSnapshot` of the contract: totals over both caches, then each cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CacheStatsSnapshot {
    pub hits: u64,
    pub misses: u64,
    pub coalesced: u64,
    pub entries: u64,
    pub browse: CacheStats,
    pub discovery: CacheStats,
    pub inflight_coalesced: u64,
}

impl CacheStatsSnapshot {
    pub fn new(browse: CacheStats, discovery: CacheStats, inflight_coalesced: u64) -> Self {
        Self {
            hits: browse.hits + discovery.hits,
            misses: browse.misses + discovery.misses,
            coalesced: browse.coalesced + discovery.coalesced + inflight_coalesced,
            entries: browse.entries + discovery.entries,
            browse,
            discovery,
            inflight_coalesced,
        }
    }
}

/// `MetricsSnapshot` of the contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricsSnapshot {
    pub efficiency_metrics: EfficiencyMetrics,
    pub cache_stats: CacheStatsSnapshot,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_bounded() {
        let mut last = 0;
        for ms in [0.1, 0.9, 1.0, 1.5, 2.0, 3.0, 10.0, 100.0, 1e4, 1e9] {
            let b = bucket_of(ms);
            assert!(b >= last && b < BUCKETS, "{ms} -> {b}");
            if b < BUCKETS - 1 {
                assert!(ms < bucket_upper_ms(b), "{ms} below upper bound of {b}");
            }
            last = b;
        }
    }

    #[test]
    fn p95_and_average() {
        let m = Metrics::default();
        for _ in 0..95 {
            m.record_api_call(Endpoint::Sessions, Duration::from_millis(10), true);
        }
        for _ in 0..5 {
            m.record_api_call(Endpoint::Sessions, Duration::from_millis(1000), false);
        }
        let e = m.efficiency();
        let s = &e.api_calls["/Sessions"];
        assert_eq!((s.count, s.errors), (100, 5));
        assert!((s.avg_ms - 59.5).abs() < 0.01, "{}", s.avg_ms);
        // The 95th value is 10 ms: its bucket's upper bound is within √2 above it.
        assert!(
            s.p95_ms > 10.0 && s.p95_ms <= 10.0 * 2f64.sqrt() + 0.01,
            "{}",
            s.p95_ms
        );
        assert_eq!(e.api_calls.len(), 1, "endpoints never called are left out");
    }

    #[test]
    fn coordinators_and_default_websocket() {
        let m = Metrics::default();
        m.record_coordinator_update("session", Duration::from_millis(100), true);
        m.record_coordinator_update("session", Duration::from_millis(300), false);
        let e = m.efficiency();
        assert_eq!(
            e.coordinators["session"],
            CoordinatorStats {
                updates: 2,
                failures: 1,
                avg_duration_ms: 200.0
            }
        );
        assert!(!e.websocket.connected);
    }
}
