//! Sessions read once: a `Sessions` snapshot (a WebSocket push or a `GET /Sessions` answer)
//! repeats most sessions byte for byte, since only the playing ones move on between two. Each
//! reader of snapshots (the WebSocket connection, the REST client) keeps the entries of the
//! last one; an entry equal to the one at its place there is shared ([`Arc`]) instead of
//! parsed again, and the session tracker, handed the very same session, compares it by
//! address (`crate::session_changes`). A push of 20 sessions with two playing parses two.

use std::ops::Range;
use std::sync::Arc;

use crate::models::Session;

/// The entries of the last snapshot read, and the session each read as.
#[derive(Debug, Default)]
pub struct SessionReuse {
    /// The entries' JSON texts, one after the other.
    text: String,
    /// Each entry: where its text is in `text`, and its session (none: not a session).
    entries: Vec<(Range<usize>, Option<Arc<Session>>)>,
    /// The buffer of the previous `text`, kept for the next one.
    spare: String,
}

impl SessionReuse {
    /// The sessions of a snapshot given as the JSON texts of its array's entries, in order:
    /// an entry as it was at its place in the last snapshot is shared, any other is `read`
    /// (`Ok(None)`: not a session, left out). An error of `read` is returned as is, and the
    /// last snapshot stays the one to compare with.
    pub fn read<'a, E>(
        &mut self,
        entries: &[&'a str],
        mut read: impl FnMut(&'a str) -> Result<Option<Session>, E>,
    ) -> Result<Vec<Arc<Session>>, E> {
        let mut text = std::mem::take(&mut self.spare);
        text.clear();
        let mut kept = Vec::with_capacity(entries.len());
        let mut sessions = Vec::with_capacity(entries.len());
        for (i, &entry) in entries.iter().enumerate() {
            let session = match self.entries.get(i) {
                Some((was, session)) if self.text.get(was.clone()) == Some(entry) => {
                    session.clone()
                }
                _ => match read(entry) {
                    Ok(session) => session.map(Arc::new),
                    Err(e) => {
                        self.spare = text;
                        return Err(e);
                    }
                },
            };
            let start = text.len();
            text.push_str(entry);
            kept.push((start..text.len(), session.clone()));
            sessions.extend(session);
        }
        self.spare = std::mem::replace(&mut self.text, text);
        self.entries = kept;
        Ok(sessions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reuse: &mut SessionReuse, entries: &[&str]) -> Vec<Arc<Session>> {
        reuse
            .read(entries, |e| {
                Ok::<_, serde_json::Error>(serde_json::from_str::<Session>(e).ok())
            })
            .expect("read")
    }

    #[test]
    fn an_entry_as_it_was_is_shared_and_a_changed_one_read() {
        let (tv, phone, paused) = (
            r#"{"DeviceId":"tv","PlayState":{"PositionTicks":10}}"#,
            r#"{"DeviceId":"phone"}"#,
            r#"{"DeviceId":"tv","PlayState":{"PositionTicks":10,"IsPaused":true}}"#,
        );
        let mut reuse = SessionReuse::default();
        let first = read_all(&mut reuse, &[tv, "7", phone]);
        assert_eq!(first.len(), 2, "7 is not a session");
        let second = read_all(&mut reuse, &[paused, "7", phone]);
        assert!(second[0].play_state.is_paused);
        assert!(Arc::ptr_eq(&first[1], &second[1]));
        // Another place is another entry: read again, and the same.
        let moved = read_all(&mut reuse, &[phone, paused]);
        assert!(!Arc::ptr_eq(&moved[0], &second[1]));
        assert_eq!(moved[0], second[1]);
    }

    #[test]
    fn a_failed_read_keeps_the_last_snapshot() {
        let phone = r#"{"DeviceId":"phone"}"#;
        let mut reuse = SessionReuse::default();
        let first = read_all(&mut reuse, &[phone]);
        let failed = reuse.read(&[phone, "{"], |e| {
            serde_json::from_str::<Session>(e).map(Some)
        });
        assert!(failed.is_err());
        let again = read_all(&mut reuse, &[phone]);
        assert!(Arc::ptr_eq(&first[0], &again[0]));
    }
}
