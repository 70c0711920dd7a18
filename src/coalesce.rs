//! Single-flight for requests that are not cached: concurrent identical GETs share one upstream
//! request and its result (or error). The flight removes its own entry the moment the request
//! completes (before any waiter is woken), and the last waiter removes it when cancelled, so
//! nothing is ever served from here after the fact.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use crate::error::Result;

/// A parsed response shared by every waiter (type-erased; the caller knows the type).
pub type AnyArc = Arc<dyn Any + Send + Sync>;
type Flight = Shared<BoxFuture<'static, Result<AnyArc>>>;
type Map = Arc<Mutex<HashMap<String, Entry>>>;

/// A flight and the number of callers awaiting it.
struct Entry {
    flight: Flight,
    /// Tells this flight from a later one under the same key.
    id: u64,
    waiters: usize,
}

#[derive(Default)]
pub struct SingleFlight {
    inflight: Map,
    next_id: AtomicU64,
}

fn lock(map: &Map) -> MutexGuard<'_, HashMap<String, Entry>> {
    map.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the entry of flight `id` under `key`, if it is still there.
fn remove(map: &Map, key: &str, id: u64) {
    let mut map = lock(map);
    if map.get(key).is_some_and(|e| e.id == id) {
        map.remove(key);
    }
}

/// Leaves a flight: the last waiter to go away (cancelled) removes it.
struct Leave<'a> {
    sf: &'a SingleFlight,
    key: &'a str,
    id: u64,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut map = lock(&self.sf.inflight);
        if let Some(entry) = map.get_mut(self.key) {
            if entry.id == self.id {
                entry.waiters -= 1;
                if entry.waiters == 0 {
                    map.remove(self.key);
                }
            }
        }
    }
}

impl SingleFlight {
    /// Runs `make()` unless an identical request is in flight, in which case its result is
    /// awaited instead. Returns the result and whether this call joined another one.
    pub async fn run<F>(&self, key: String, make: impl FnOnce() -> F) -> (Result<AnyArc>, bool)
    where
        F: Future<Output = Result<AnyArc>> + Send + 'static,
    {
        let (flight, id, joined) = {
            let mut map = lock(&self.inflight);
            match map.get_mut(&key) {
                Some(entry) => {
                    entry.waiters += 1;
                    (entry.flight.clone(), entry.id, true)
                }
                None => {
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    let request = make();
                    let (owner, own_key) = (self.inflight.clone(), key.clone());
                    let flight = async move {
                        let result = request.await;
                        // Done: later callers must send their own request.
                        remove(&owner, &own_key, id);
                        result
                    }
                    .boxed()
                    .shared();
                    let entry = Entry {
                        flight: flight.clone(),
                        id,
                        waiters: 1,
                    };
                    map.insert(key.clone(), entry);
                    (flight, id, false)
                }
            }
        };
        let _leave = Leave {
            sf: self,
            key: &key,
            id,
        };
        (flight.await, joined)
    }

    /// Requests currently in flight (for tests).
    pub fn len(&self) -> usize {
        lock(&self.inflight).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_identical_calls_share_one_run() {
        let sf = Arc::new(SingleFlight::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let mut handles = Vec::new();
        for _ in 0..10 {
            let (sf, runs, rx) = (sf.clone(), runs.clone(), release_rx.clone());
            handles.push(tokio::spawn(async move {
                sf.run("k".into(), move || async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    let mut rx = rx;
                    let _ = rx.wait_for(|v| *v).await;
                    Ok(Arc::new(42u32) as AnyArc)
                })
                .await
            }));
        }
        // Every task has joined once the flight has 10 waiters.
        for _ in 0..200 {
            let n = lock(&sf.inflight).get("k").map(|e| e.waiters);
            if n == Some(10) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        release_tx.send(true).expect("send");
        let mut joined = 0;
        for h in handles {
            let (r, j) = h.await.expect("join");
            let v = r.expect("ok").downcast::<u32>().expect("u32");
            assert_eq!(*v, 42);
            joined += usize::from(j);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(joined, 9);
        assert!(sf.is_empty(), "completed flights are removed at once");
    }

    #[tokio::test]
    async fn errors_are_shared_but_not_kept() {
        let sf = SingleFlight::default();
        let (r, _) = sf
            .run("k".into(), || async {
                Err(Error::Closed) as Result<AnyArc>
            })
            .await;
        assert!(matches!(r, Err(Error::Closed)));
        assert!(sf.is_empty());
        let (r, joined) = sf
            .run("k".into(), || async { Ok(Arc::new(1u8) as AnyArc) })
            .await;
        assert!(r.is_ok() && !joined);
    }

    #[tokio::test]
    async fn cancelled_last_waiter_removes_the_flight() {
        let sf = SingleFlight::default();
        let fut = sf.run("k".into(), || async {
            std::future::pending::<()>().await;
            Ok(Arc::new(()) as AnyArc)
        });
        let r = tokio::time::timeout(Duration::from_millis(10), fut).await;
        assert!(r.is_err(), "timed out");
        assert!(sf.is_empty());
    }
}
