//! Ownership of background work: every client has a [`Lifecycle`] (a `CancellationToken` and a
//! `TaskTracker`); every in-flight request and background task is tracked by it, and a process-wide
//! registry of live lifecycles lets [`shutdown_all`] stop everything synchronously before the
//! interpreter finalizes (tokio threads touching Python during finalization crash the process).

use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::error::{Error, Result};

/// Cancellation and task tracking of one client.
#[derive(Debug, Default)]
pub struct Lifecycle {
    cancel: CancellationToken,
    tracker: TaskTracker,
}

fn registry() -> &'static Mutex<Vec<Weak<Lifecycle>>> {
    static REGISTRY: Mutex<Vec<Weak<Lifecycle>>> = Mutex::new(Vec::new());
    &REGISTRY
}

impl Lifecycle {
    /// A new lifecycle, registered for [`shutdown_all`].
    pub fn new() -> Arc<Self> {
        let lc = Arc::new(Self::default());
        let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
        reg.retain(|w| w.strong_count() > 0);
        reg.push(Arc::downgrade(&lc));
        lc
    }

    /// Cancelled when the client closes; background tasks select on it.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Tracks background tasks (`tracker().spawn(...)`), so close waits for them.
    pub fn tracker(&self) -> &TaskTracker {
        &self.tracker
    }

    pub fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Runs `fut` as tracked work that ends with [`Error::Closed`] as soon as the client closes.
    pub async fn run<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        if self.cancel.is_cancelled() {
            return Err(Error::Closed);
        }
        let _tracked = self.tracker.token();
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => Err(Error::Closed),
            r = fut => r,
        }
    }

    /// Cancels everything and stops accepting work (idempotent, does not wait).
    pub fn cancel(&self) {
        self.cancel.cancel();
        self.tracker.close();
    }

    /// Cancels and waits until every tracked task and request has finished.
    pub async fn close(&self) {
        self.cancel();
        self.tracker.wait().await;
    }
}

/// Cancels every live client and blocks until their tasks ended or `timeout` passed.
/// Must not be called from inside a tokio runtime thread (it blocks on `handle`).
pub fn shutdown_all(handle: &tokio::runtime::Handle, timeout: Duration) {
    let live: Vec<Arc<Lifecycle>> = {
        let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
        reg.retain(|w| w.strong_count() > 0);
        reg.iter().filter_map(Weak::upgrade).collect()
    };
    if live.is_empty() {
        return;
    }
    for lc in &live {
        lc.cancel();
    }
    handle.block_on(async {
        let all = async {
            for lc in &live {
                lc.tracker.wait().await;
            }
        };
        let _ = tokio::time::timeout(timeout, all).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_all_cancels_and_waits_for_tasks() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let lc = Lifecycle::new();
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (lc2, f2) = (lc.clone(), finished.clone());
        lc.tracker().spawn_on(
            async move {
                lc2.token().cancelled().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                f2.store(true, std::sync::atomic::Ordering::SeqCst);
            },
            rt.handle(),
        );
        shutdown_all(rt.handle(), Duration::from_secs(5));
        assert!(finished.load(std::sync::atomic::Ordering::SeqCst));
        assert!(lc.is_closed());
        let r = rt.block_on(lc.run(async { Ok(1) }));
        assert!(matches!(r, Err(Error::Closed)));
    }
}
