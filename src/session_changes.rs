//! What changed in the sessions since the last time the reader was told: the core keeps the
//! session of every client (Emby DeviceId) it last handed over, so a `Sessions` snapshot (pushed
//! or polled) reaches the reader as the sessions that changed and the clients that left, and a
//! push in which one client of 2,000 pauses costs the reader one session, not 2,000.
//!
//! One tracker per client, fed in the order the reader receives (the Python binding feeds it
//! as it hands each batch or poll over, on the reader's thread), so what it holds is exactly
//! what the reader was told. Single-session events (playback start, progress, stop, session
//! ended) go through it too, so a snapshot after them only repeats what they did not say.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Mutex, PoisonError};

use crate::models::Session;

/// The sessions that changed and the clients (DeviceIds) that left since the last hand-over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionChanges {
    /// New or changed sessions, one per client (the newest one when a client has several).
    pub changed: Vec<Session>,
    /// Clients whose session is gone.
    pub removed: Vec<String>,
}

impl SessionChanges {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Every client's session as last handed over, in the server's order (a snapshot in the same
/// order, the usual case, is compared position by position without hashing a DeviceId).
#[derive(Debug, Default)]
pub struct SessionTracker {
    last: Mutex<Last>,
}

#[derive(Debug, Default)]
struct Last {
    sessions: Vec<Session>,
    /// DeviceId -> position in `sessions`.
    index: HashMap<String, usize>,
}

impl Last {
    fn reindex(&mut self) {
        self.index = self
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.device_id.clone(), i))
            .collect();
    }
}

/// Whether `session` replaces `previous` of the same client: the later activity wins; on a tie,
/// the one listed later (as the server lists them, oldest first).
fn newer(session: &Session, previous: &Session) -> bool {
    session.last_activity_date.as_deref().unwrap_or("")
        >= previous.last_activity_date.as_deref().unwrap_or("")
}

impl SessionTracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Last> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A full session list (a `Sessions` push or `GET /Sessions`): what changed since the last
    /// hand-over. Sessions without a DeviceId belong to no client and are left out. Only the
    /// changed sessions are copied: the list itself is read, never taken apart (the caller
    /// frees it where that costs the reader nothing).
    pub fn snapshot(&self, sessions: &[Session]) -> SessionChanges {
        let mut last = self.lock();
        let same_clients = sessions.len() == last.sessions.len()
            && sessions
                .iter()
                .zip(&last.sessions)
                .all(|(new, old)| new.device_id == old.device_id);
        let mut changes = SessionChanges::default();
        if same_clients {
            for (new, old) in sessions.iter().zip(last.sessions.iter_mut()) {
                if new != old {
                    *old = new.clone();
                    changes.changed.push(new.clone());
                }
            }
            return changes;
        }
        // The newest session of each client, in the server's order of first appearance.
        let mut order: Vec<&Session> = Vec::with_capacity(sessions.len());
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(sessions.len());
        for session in sessions {
            if session.device_id.is_empty() {
                continue;
            }
            match index.entry(session.device_id.as_str()) {
                Entry::Vacant(slot) => {
                    slot.insert(order.len());
                    order.push(session);
                }
                Entry::Occupied(slot) => {
                    let kept = &mut order[*slot.get()];
                    if newer(session, kept) {
                        *kept = session;
                    }
                }
            }
        }
        changes.removed = last
            .sessions
            .iter()
            .filter(|known| !index.contains_key(known.device_id.as_str()))
            .map(|known| known.device_id.clone())
            .collect();
        let mut next = Vec::with_capacity(order.len());
        for session in order {
            let known = last
                .index
                .get(session.device_id.as_str())
                .map(|&i| &last.sessions[i]);
            if known != Some(session) {
                changes.changed.push(session.clone());
            }
            next.push(session.clone());
        }
        last.sessions = next;
        last.reindex();
        changes
    }

    /// One client's session from a single-session event (`ended`: the session is gone).
    pub fn apply(&self, session: &Session, ended: bool) {
        if session.device_id.is_empty() {
            return;
        }
        let mut last = self.lock();
        match (last.index.get(session.device_id.as_str()).copied(), ended) {
            (Some(i), false) => last.sessions[i] = session.clone(),
            (Some(i), true) => {
                last.sessions.remove(i);
                last.reindex();
            }
            (None, false) => {
                let i = last.sessions.len();
                last.sessions.push(session.clone());
                last.index.insert(session.device_id.clone(), i);
            }
            (None, true) => {}
        }
    }

    /// How many clients the tracker knows.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The session of a `PlaybackStopped` event as it is after the stop: the event still names the
/// item that stopped (and its paused state); taken as is, the client would show as playing
/// until the next `Sessions` push.
pub fn stopped(mut session: Session) -> Session {
    session.now_playing_item = None;
    session.play_state.is_paused = false;
    session.play_state.position_ticks = None;
    session.play_state.can_seek = false;
    session
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Item;

    fn session(device: &str, activity: &str) -> Session {
        Session {
            id: format!("s-{device}-{activity}"),
            device_id: device.to_owned(),
            last_activity_date: Some(activity.to_owned()),
            ..Session::default()
        }
    }

    fn devices(sessions: &[Session]) -> Vec<&str> {
        sessions.iter().map(|s| s.device_id.as_str()).collect()
    }

    #[test]
    fn the_first_snapshot_is_all_changed() {
        let tracker = SessionTracker::default();
        let changes = tracker.snapshot(&[session("a", "1"), session("b", "1")]);
        assert_eq!(devices(&changes.changed), ["a", "b"]);
        assert!(changes.removed.is_empty());
        assert_eq!(tracker.len(), 2);
    }

    #[test]
    fn an_unchanged_snapshot_is_empty_and_one_change_is_one_session() {
        let tracker = SessionTracker::default();
        let clients: Vec<Session> = (0..2000).map(|i| session(&i.to_string(), "1")).collect();
        tracker.snapshot(&clients);
        assert!(tracker.snapshot(&clients).is_empty());
        let mut paused = clients;
        paused[1234].play_state.is_paused = true;
        let changes = tracker.snapshot(&paused);
        assert_eq!(devices(&changes.changed), ["1234"]);
        assert!(changes.changed[0].play_state.is_paused);
        assert!(changes.removed.is_empty());
    }

    #[test]
    fn clients_that_left_are_removed_and_new_ones_changed() {
        let tracker = SessionTracker::default();
        tracker.snapshot(&[session("a", "1"), session("b", "1")]);
        let changes = tracker.snapshot(&[session("b", "1"), session("c", "1")]);
        assert_eq!(devices(&changes.changed), ["c"]);
        assert_eq!(changes.removed, ["a"]);
        // Back again: a change, no longer removed.
        let changes = tracker.snapshot(&[session("a", "1"), session("b", "1")]);
        assert_eq!(devices(&changes.changed), ["a"]);
        assert_eq!(changes.removed, ["c"]);
    }

    #[test]
    fn the_newest_session_of_a_client_wins_and_sessions_without_device_are_left_out() {
        let tracker = SessionTracker::default();
        let changes = tracker.snapshot(&[
            session("a", "2"),
            session("a", "1"),
            session("", "3"),
            session("b", "1"),
            session("b", "1"),
        ]);
        assert_eq!(devices(&changes.changed), ["a", "b"]);
        assert_eq!(changes.changed[0].last_activity_date.as_deref(), Some("2"));
        // Equal activity: the one listed later.
        assert_eq!(changes.changed[1].id, "s-b-1");
        assert_eq!(tracker.len(), 2);
    }

    #[test]
    fn single_session_events_are_remembered() {
        let tracker = SessionTracker::default();
        tracker.snapshot(&[session("a", "1"), session("b", "1")]);
        let mut progressed = session("a", "2");
        progressed.play_state.position_ticks = Some(10);
        tracker.apply(&progressed, false);
        // The snapshot that follows says what the event said: nothing new.
        assert!(
            tracker
                .snapshot(&[progressed.clone(), session("b", "1")])
                .is_empty()
        );
        tracker.apply(&session("b", "1"), true);
        let changes = tracker.snapshot(&[progressed, session("b", "1")]);
        assert_eq!(devices(&changes.changed), ["b"]);
        tracker.apply(&session("", "1"), false);
        assert_eq!(tracker.len(), 2);
    }

    #[test]
    fn the_same_clients_in_another_order_changed_nothing() {
        let tracker = SessionTracker::default();
        tracker.snapshot(&[session("a", "1"), session("b", "1"), session("c", "1")]);
        assert!(
            tracker
                .snapshot(&[session("c", "1"), session("a", "1"), session("b", "1")])
                .is_empty()
        );
        // A client first told by an event, then listed by a snapshot: nothing new either.
        tracker.apply(&session("d", "1"), false);
        let changes = tracker.snapshot(&[
            session("c", "1"),
            session("d", "1"),
            session("a", "1"),
            session("b", "2"),
        ]);
        assert_eq!(devices(&changes.changed), ["b"]);
        assert!(changes.removed.is_empty());
    }

    #[test]
    fn a_stopped_session_plays_nothing() {
        let mut playing = session("a", "1");
        playing.now_playing_item = Some(Item::default());
        playing.play_state.is_paused = true;
        playing.play_state.position_ticks = Some(5);
        playing.play_state.can_seek = true;
        let after = stopped(playing.clone());
        assert!(after.now_playing_item.is_none());
        assert!(!after.play_state.is_paused && !after.play_state.can_seek);
        assert_eq!(after.play_state.position_ticks, None);
        assert_eq!(after.id, playing.id);
    }
}
