//! Single-flight for requests that are not cached: concurrent identical GETs share one upstream
//! request and its result (or error). The entry is removed as soon as the request completes, or
//! when its last waiter is cancelled, so nothing is ever served from here after the fact.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use crate::error::Result;

/// A parsed response shared by every waiter (type-erased; the caller knows the type).
pub type AnyArc = Arc<dyn Any + Send + Sync>;
type Flight = Shared<BoxFuture<'static, Result<AnyArc>>>;

/// A flight and the number of callers awaiting it.
struct Entry {
    flight: Flight,
    waiters: usize,
}

#[derive(Default)]
pub struct SingleFlight {
    inflight: Mutex<HashMap<String, Entry>>,
}

/// Removes the flight from the map when it completed or when its last waiter goes away.
struct Leave<'a> {
    sf: &'a SingleFlight,
    key: &'a str,
    flight: &'a Flight,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut map = self.sf.lock();
        if let Some(entry) = map.get_mut(self.key) {
            if entry.flight.ptr_eq(self.flight) {
                entry.waiters -= 1;
                if entry.waiters == 0 || entry.flight.peek().is_some() {
                    map.remove(self.key);
                }
            }
        }
    }
}

impl SingleFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.inflight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `make()` unless an identical request is in flight, in which case its result is
    /// awaited instead. Returns the result and whether this call joined another one.
    pub async fn run<F>(&self, key: String, make: impl FnOnce() -> F) -> (Result<AnyArc>, bool)
    where
        F: Future<Output = Result<AnyArc>> + Send + 'static,
    {
        let (flight, joined) = {
            let mut map = self.lock();
            match map.get_mut(&key) {
                Some(entry) => {
                    entry.waiters += 1;
                    (entry.flight.clone(), true)
                }
                None => {
                    let flight = make().boxed().shared();
                    let entry = Entry {
                        flight: flight.clone(),
                        waiters: 1,
                    };
                    map.insert(key.clone(), entry);
                    (flight, false)
                }
            }
        };
        let _leave = Leave {
            sf: self,
            key: &key,
            flight: &flight,
        };
        (flight.clone().await, joined)
    }

    /// Requests currently in flight (for tests).
    pub fn len(&self) -> usize {
        self.lock().len()
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
            let n = sf.lock().get("k").map(|e| e.waiters);
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
