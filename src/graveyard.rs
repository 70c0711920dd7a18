//! Values the event loop's thread is done with, freed on one of our threads instead.
//!
//! A `Sessions` snapshot is compared on the loop's thread (so the tracker learns what the reader
//! was told, in order), and then only the sessions that changed go on to Python: the rest of
//! the snapshot, and the tracker's sessions that the changed ones replace, about fifty
//! allocations per session, would be freed on the loop's thread, the largest part of a push's
//! cost there. `bury` hands the value over (one allocation, no wake-up of any thread); the
//! threads that produce the next value to compare (the WebSocket reader once it has queued an
//! event and woken the reader, a REST call as it completes) `empty` the graveyard, so it holds
//! at most the values taken since the last push or reply.

use std::sync::{Mutex, PoisonError};

type Grave = Vec<Box<dyn Send>>;

static GRAVEYARD: Mutex<Grave> = Mutex::new(Vec::new());

/// Leaves `value` to be freed by the next `empty`.
pub fn bury<T: Send + 'static>(value: T) {
    GRAVEYARD
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Box::new(value));
}

/// Frees what was buried (here, after letting go of the lock). Call it from our own threads.
pub fn empty() {
    let dead: Grave = {
        let mut grave = GRAVEYARD.lock().unwrap_or_else(PoisonError::into_inner);
        if grave.is_empty() {
            return;
        }
        std::mem::take(&mut *grave)
    };
    drop(dead);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn buried_values_are_freed_by_the_next_empty() {
        // (Other tests empty the graveyard too, so only the end is certain.)
        let value = Arc::new(());
        bury(value.clone());
        empty();
        assert_eq!(Arc::strong_count(&value), 1);
    }
}
