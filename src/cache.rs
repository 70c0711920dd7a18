//! The browse cache (5 min, 500 entries, LRU) and the per-user discovery cache (30 min).
//!
//! Both are moka `future::Cache`s with pure LRU eviction. Concurrent identical misses are coalesced
//! by moka (`or_try_insert_with`: one upstream request, every caller gets its result, errors are
//! shared but never stored). Freshness is decided by an injectable [`Clock`] against each entry's
//! insertion time, so TTL behaviour is tested without sleeping; moka's own TTL (slightly longer) is
//! only the memory backstop. moka has no hit/miss counters: they are counted here.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use moka::future::Cache;
use moka::policy::EvictionPolicy;

use crate::coalesce::AnyArc;
use crate::error::{Error, Result};
use crate::metrics::{CacheCounters, CacheStats, Metrics};

pub const BROWSE_TTL: Duration = Duration::from_secs(5 * 60);
pub const BROWSE_MAX_ENTRIES: u64 = 500;
pub const DISCOVERY_TTL: Duration = Duration::from_secs(30 * 60);
/// The discovery cache holds a handful of entries per user; the bound only guards memory.
pub const DISCOVERY_MAX_ENTRIES: u64 = 1000;

/// Monotonic time as seen by the caches.
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary fixed origin.
    fn now(&self) -> Duration;
}

/// The real monotonic clock.
#[derive(Debug)]
pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        Self(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A clock that only moves when told to (tests, benchmarks).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        self.0
            .fetch_add(u64::try_from(by.as_millis()).unwrap_or(u64::MAX), Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.0.load(Relaxed))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    Browse,
    Discovery,
}

/// What a cached response depends on, for invalidation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// The user whose view this is (None for server-wide data).
    pub user: Option<String>,
    /// The item (detail) or parent folder (listing) ids the response is about.
    pub items: Vec<String>,
    /// A listing: any library change may add or remove entries of it.
    pub listing: bool,
}

#[derive(Clone)]
struct Entry {
    value: AnyArc,
    inserted: Duration,
    tags: Arc<Tags>,
}

struct OneCache {
    cache: Cache<String, Entry>,
    ttl: Duration,
    max_entries: u64,
}

impl OneCache {
    fn new(
        name: &str,
        ttl: Duration,
        max_entries: u64,
        metrics: &Arc<Metrics>,
        kind: CacheKind,
    ) -> Self {
        let m = metrics.clone();
        let cache = Cache::builder()
            .name(name)
            .max_capacity(max_entries)
            .eviction_policy(EvictionPolicy::lru())
            // Backstop only: freshness is decided against the injectable clock.
            .time_to_live(ttl + Duration::from_secs(60))
            .support_invalidation_closures()
            .eviction_listener(move |_k, _v, cause| {
                if cause.was_evicted() {
                    counters(&m, kind).evictions.fetch_add(1, Relaxed);
                }
            })
            .build();
        Self {
            cache,
            ttl,
            max_entries,
        }
    }

    fn invalidate_if(&self, pred: impl Fn(&Tags) -> bool + Send + Sync + 'static) {
        // Cannot fail: closures are enabled at build time.
        let _ = self.cache.invalidate_entries_if(move |_, e| pred(&e.tags));
    }
}

fn counters(m: &Metrics, kind: CacheKind) -> &CacheCounters {
    match kind {
        CacheKind::Browse => &m.browse,
        CacheKind::Discovery => &m.discovery,
    }
}

/// Both caches of one client.
pub struct Caches {
    browse: OneCache,
    discovery: OneCache,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
}

impl Caches {
    pub fn new(clock: Arc<dyn Clock>, metrics: &Arc<Metrics>) -> Self {
        Self::with_limits(clock, metrics, BROWSE_MAX_ENTRIES, DISCOVERY_MAX_ENTRIES)
    }

    pub fn with_limits(
        clock: Arc<dyn Clock>,
        metrics: &Arc<Metrics>,
        browse_max: u64,
        discovery_max: u64,
    ) -> Self {
        Self {
            browse: OneCache::new("browse", BROWSE_TTL, browse_max, metrics, CacheKind::Browse),
            discovery: OneCache::new(
                "discovery",
                DISCOVERY_TTL,
                discovery_max,
                metrics,
                CacheKind::Discovery,
            ),
            clock,
            metrics: metrics.clone(),
        }
    }

    fn cache(&self, kind: CacheKind) -> &OneCache {
        match kind {
            CacheKind::Browse => &self.browse,
            CacheKind::Discovery => &self.discovery,
        }
    }

    /// The cached value of `key`, or the result of `fetch` (stored on success). Concurrent
    /// callers of a missing key share one `fetch`.
    pub async fn get_or_fetch<F, Fut>(
        &self,
        kind: CacheKind,
        key: String,
        tags: Tags,
        fetch: F,
    ) -> Result<AnyArc>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AnyArc>> + Send + 'static,
    {
        let c = self.cache(kind);
        let counters = counters(&self.metrics, kind);
        if let Some(e) = c.cache.get(&key).await {
            if self.clock.now().saturating_sub(e.inserted) < c.ttl {
                counters.hits.fetch_add(1, Relaxed);
                return Ok(e.value);
            }
            // Expired by our clock: drop it and fetch anew.
            c.cache.invalidate(&key).await;
            counters.evictions.fetch_add(1, Relaxed);
        }
        let clock = self.clock.clone();
        let tags = Arc::new(tags);
        let fut = fetch();
        let entry = c
            .cache
            .entry(key)
            .or_try_insert_with(async move {
                let value = fut.await?;
                Ok::<_, Error>(Entry {
                    value,
                    inserted: clock.now(),
                    tags,
                })
            })
            .await
            .map_err(|e: Arc<Error>| (*e).clone())?;
        if entry.is_fresh() {
            counters.misses.fetch_add(1, Relaxed);
        } else {
            counters.coalesced.fetch_add(1, Relaxed);
        }
        Ok(entry.into_value().value)
    }

    pub fn invalidate_all(&self) {
        self.browse.cache.invalidate_all();
        self.discovery.cache.invalidate_all();
    }

    /// Everything cached for `user` (their listings, discovery rows, item details).
    pub fn invalidate_user(&self, user: &str) {
        for c in [&self.browse, &self.discovery] {
            let u = user.to_owned();
            c.invalidate_if(move |t| t.user.as_deref() == Some(u.as_str()));
        }
    }

    /// Every response about `item` (its detail, listings of it as a parent).
    pub fn invalidate_item(&self, item: &str) {
        self.invalidate_items(&[item.to_owned()], false);
    }

    /// Responses about any of `items`; with `listings`, also every listing (a library change can
    /// add or remove entries of any listing, including recursive and discovery ones).
    pub fn invalidate_items(&self, items: &[String], listings: bool) {
        for c in [&self.browse, &self.discovery] {
            let ids = items.to_vec();
            c.invalidate_if(move |t| {
                (listings && t.listing) || t.items.iter().any(|i| ids.contains(i))
            });
        }
    }

    /// Runs moka's pending maintenance (exact entry counts, evictions) — tests and benches.
    pub async fn run_pending_tasks(&self) {
        self.browse.cache.run_pending_tasks().await;
        self.discovery.cache.run_pending_tasks().await;
    }

    /// Whether `key` is currently stored (ignoring freshness) — tests.
    pub fn contains(&self, kind: CacheKind, key: &str) -> bool {
        self.cache(kind).cache.contains_key(key)
    }

    /// Entries are counted, not taken from moka's `entry_count`, which lags behind until its
    /// maintenance runs (diagnostics would show 0 right after the first responses). At most a
    /// few hundred entries: cheap for a diagnostics read.
    pub fn stats(&self, m: &Metrics) -> (CacheStats, CacheStats) {
        let one = |c: &OneCache, kind, max: Option<u64>| {
            let entries = u64::try_from(c.cache.iter().count()).unwrap_or(u64::MAX);
            counters(m, kind).stats(entries, max, c.ttl)
        };
        (
            one(
                &self.browse,
                CacheKind::Browse,
                Some(self.browse.max_entries),
            ),
            one(&self.discovery, CacheKind::Discovery, None),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn setup(max: u64) -> (Caches, Arc<ManualClock>, Arc<Metrics>) {
        let clock = Arc::new(ManualClock::default());
        let metrics = Arc::new(Metrics::default());
        let caches = Caches::with_limits(clock.clone(), &metrics, max, max);
        (caches, clock, metrics)
    }

    async fn get(
        c: &Caches,
        kind: CacheKind,
        key: &str,
        tags: Tags,
        calls: &Arc<AtomicUsize>,
    ) -> u32 {
        let calls = calls.clone();
        let v = c
            .get_or_fetch(kind, key.to_owned(), tags, move || async move {
                let n = calls.fetch_add(1, Relaxed) as u32;
                Ok(Arc::new(n) as AnyArc)
            })
            .await
            .expect("fetch");
        *v.downcast::<u32>().expect("u32")
    }

    #[tokio::test]
    async fn hit_then_ttl_expiry_with_controlled_clock() {
        let (c, clock, m) = setup(10);
        let calls = Arc::new(AtomicUsize::new(0));
        assert_eq!(
            get(&c, CacheKind::Browse, "a", Tags::default(), &calls).await,
            0
        );
        clock.advance(BROWSE_TTL - Duration::from_secs(1));
        assert_eq!(
            get(&c, CacheKind::Browse, "a", Tags::default(), &calls).await,
            0,
            "still fresh"
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            get(&c, CacheKind::Browse, "a", Tags::default(), &calls).await,
            1,
            "expired at TTL"
        );
        let (b, _) = c.stats(&m);
        assert_eq!((b.hits, b.misses, b.evictions), (1, 2, 1));
        // Discovery keeps 30 minutes.
        assert_eq!(
            get(&c, CacheKind::Discovery, "d", Tags::default(), &calls).await,
            2
        );
        clock.advance(Duration::from_secs(29 * 60));
        assert_eq!(
            get(&c, CacheKind::Discovery, "d", Tags::default(), &calls).await,
            2
        );
        clock.advance(Duration::from_secs(60));
        assert_eq!(
            get(&c, CacheKind::Discovery, "d", Tags::default(), &calls).await,
            3
        );
    }

    #[tokio::test]
    async fn lru_evicts_least_recently_used() {
        let (c, _, m) = setup(3);
        let calls = Arc::new(AtomicUsize::new(0));
        for k in ["a", "b", "c"] {
            get(&c, CacheKind::Browse, k, Tags::default(), &calls).await;
            c.run_pending_tasks().await;
        }
        // Touch "a": "b" becomes the least recently used.
        get(&c, CacheKind::Browse, "a", Tags::default(), &calls).await;
        c.run_pending_tasks().await;
        get(&c, CacheKind::Browse, "d", Tags::default(), &calls).await;
        c.run_pending_tasks().await;
        assert!(c.contains(CacheKind::Browse, "a"));
        assert!(!c.contains(CacheKind::Browse, "b"), "LRU victim");
        assert!(c.contains(CacheKind::Browse, "c") && c.contains(CacheKind::Browse, "d"));
        let (b, _) = c.stats(&m);
        assert_eq!((b.entries, b.evictions, b.max_entries), (3, 1, Some(3)));
    }

    #[tokio::test]
    async fn evictions_follow_recency_not_insertion_or_frequency() {
        let (c, _, m) = setup(3);
        let calls = Arc::new(AtomicUsize::new(0));
        let touch = |k: &'static str| {
            let (c, calls) = (&c, calls.clone());
            async move {
                get(c, CacheKind::Browse, k, Tags::default(), &calls).await;
                c.run_pending_tasks().await;
            }
        };
        for k in ["a", "b", "c"] {
            touch(k).await;
        }
        // "a" is read often but long ago; "c" is the least recently used after these reads.
        for k in ["a", "a", "a", "c", "b", "a"] {
            touch(k).await;
        }
        touch("d").await;
        assert!(!c.contains(CacheKind::Browse, "c"), "first victim: c");
        touch("e").await;
        assert!(!c.contains(CacheKind::Browse, "b"), "second victim: b");
        for k in ["a", "d", "e"] {
            assert!(c.contains(CacheKind::Browse, k), "{k} kept");
        }
        assert_eq!(calls.load(Relaxed), 5, "hits never refetched");
        let (b, _) = c.stats(&m);
        assert_eq!((b.entries, b.evictions, b.hits, b.misses), (3, 2, 6, 5));
    }

    #[tokio::test]
    async fn entry_counts_are_exact_without_maintenance() {
        let (c, _, m) = setup(10);
        let calls = Arc::new(AtomicUsize::new(0));
        for k in ["a", "b"] {
            get(&c, CacheKind::Browse, k, Tags::default(), &calls).await;
        }
        get(&c, CacheKind::Discovery, "d", Tags::default(), &calls).await;
        let (b, d) = c.stats(&m);
        assert_eq!((b.entries, d.entries), (2, 1));
        c.invalidate_all();
        let (b, d) = c.stats(&m);
        assert_eq!((b.entries, d.entries), (0, 0));
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let (c, _, m) = setup(10);
        let r = c
            .get_or_fetch(CacheKind::Browse, "k".into(), Tags::default(), || async {
                Err(Error::Server {
                    endpoint: "/x".into(),
                    status: 500,
                })
            })
            .await;
        assert!(matches!(r, Err(Error::Server { status: 500, .. })));
        let calls = Arc::new(AtomicUsize::new(0));
        assert_eq!(
            get(&c, CacheKind::Browse, "k", Tags::default(), &calls).await,
            0
        );
        assert_eq!(
            calls.load(Relaxed),
            1,
            "the error was not served from the cache"
        );
        assert_eq!(m.browse.misses.load(Relaxed), 1);
    }

    #[tokio::test]
    async fn invalidation_by_user_item_and_library_change() {
        let (c, _, _) = setup(50);
        let calls = Arc::new(AtomicUsize::new(0));
        let user = |u: &str, items: &[&str], listing| Tags {
            user: Some(u.into()),
            items: items.iter().map(|s| (*s).to_owned()).collect(),
            listing,
        };
        let entries = [
            ("u1-detail-7", user("u1", &["7"], false), CacheKind::Browse),
            ("u1-list-p1", user("u1", &["p1"], true), CacheKind::Browse),
            ("u2-detail-8", user("u2", &["8"], false), CacheKind::Browse),
            ("u2-latest", user("u2", &[], true), CacheKind::Discovery),
        ];
        async fn fill(c: &Caches, entries: &[(&str, Tags, CacheKind)], calls: &Arc<AtomicUsize>) {
            for (k, t, kind) in entries {
                get(c, *kind, k, t.clone(), calls).await;
            }
        }
        let present = |c: &Caches| {
            entries
                .iter()
                .map(|(k, _, kind)| c.contains(*kind, k))
                .collect::<Vec<_>>()
        };
        fill(&c, &entries, &calls).await;
        c.invalidate_user("u1");
        c.run_pending_tasks().await;
        assert_eq!(present(&c), [false, false, true, true]);

        fill(&c, &entries, &calls).await;
        c.invalidate_item("p1");
        c.run_pending_tasks().await;
        assert_eq!(present(&c), [true, false, true, true]);

        fill(&c, &entries, &calls).await;
        c.invalidate_items(&["8".to_owned()], true);
        c.run_pending_tasks().await;
        assert_eq!(present(&c), [true, false, false, false]);

        fill(&c, &entries, &calls).await;
        c.invalidate_all();
        c.run_pending_tasks().await;
        assert_eq!(present(&c), [false, false, false, false]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_share_one_fetch() {
        let (c, _, m) = setup(10);
        let c = Arc::new(c);
        let calls = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let mut handles = Vec::new();
        for _ in 0..8 {
            let (c, calls, barrier) = (c.clone(), calls.clone(), barrier.clone());
            handles.push(tokio::spawn(async move {
                barrier.wait().await;
                c.get_or_fetch(
                    CacheKind::Browse,
                    "k".into(),
                    Tags::default(),
                    move || async move {
                        calls.fetch_add(1, Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(Arc::new(5u8) as AnyArc)
                    },
                )
                .await
            }));
        }
        for h in handles {
            assert!(h.await.expect("join").is_ok());
        }
        assert_eq!(calls.load(Relaxed), 1);
        assert_eq!(m.browse.misses.load(Relaxed), 1);
        assert_eq!(m.browse.coalesced.load(Relaxed), 7);
    }
}
