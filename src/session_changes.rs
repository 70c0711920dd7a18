//! What changed in the sessions since the last time the reader was told: the core keeps the
//! session of every client (Emby DeviceId) it last handed over, so a `Sessions` snapshot (pushed
//! or polled) reaches the reader as the sessions that changed and the clients that left, and a
//! push in which one client of 2,000 pauses costs the reader one session, not 2,000.
//!
//! One tracker per client, fed in the order the reader receives (the Python binding feeds it
//! as it hands each batch or poll over, on the reader's thread), so what it holds is exactly
//! what the reader was told. Single-session events (playback start, progress, stop, session
//! ended) go through it too, so a snapshot after them only repeats what they did not say.
//!
//! Playback progress alone is not a change: while a client plays, every report moves its
//! position (and its last activity, and a transcode's completion), but what Home Assistant
//! shows, a position and the time it was valid, stays true as long as the position reported is
//! within [`POSITION_TOLERANCE_S`] of the one extrapolated from the session last handed over
//! (by the time that passed here, or by the server's own clock between the two reports). So
//! steady playback reaches the reader not at all; a seek, a pause or anything else does.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::models::{PlayState, Session, TranscodingInfo};

/// Seconds a reported position may be off the position extrapolated from the one last handed
/// over before it is a change (a seek): Emby's clients report about every 10 s, not exactly.
pub const POSITION_TOLERANCE_S: f64 = 3.0;

const TICKS_PER_SECOND: f64 = 10_000_000.0;

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
    handed: Vec<Handed>,
    /// DeviceId -> position in `handed`.
    index: HashMap<String, usize>,
}

impl Last {
    fn reindex(&mut self) {
        self.index = self
            .handed
            .iter()
            .enumerate()
            .map(|(i, h)| (h.session.device_id.clone(), i))
            .collect();
    }
}

/// A session as the reader was told it, and when (the anchor of its position). Shared with
/// the snapshot it came in: a WebSocket snapshot hands the very same session again while the
/// client's entry did not change (`SessionReuse`), which compares by address.
#[derive(Debug, Clone)]
struct Handed {
    session: Arc<Session>,
    at: Instant,
}

/// A session of a snapshot: a parsed one shared from the WebSocket ([`Arc`]) or one of a
/// `GET /Sessions` list (copied only when it is a change).
pub trait SnapshotSession: Borrow<Session> {
    /// This session, to keep.
    fn share(&self) -> Arc<Session>;
}

impl SnapshotSession for Session {
    fn share(&self) -> Arc<Session> {
        Arc::new(self.clone())
    }
}

impl SnapshotSession for Arc<Session> {
    fn share(&self) -> Arc<Session> {
        Arc::clone(self)
    }
}

impl Handed {
    /// Whether `new`, received at `now`, tells the reader nothing this did not.
    fn still_says(&self, new: &Session, now: Instant) -> bool {
        same_for_reader(new, &self.session, now.saturating_duration_since(self.at))
    }
}

/// Whether `new` tells the reader nothing that `old`, handed over `elapsed` ago, did not: equal,
/// or only playback progress moved, by about the time that passed.
fn same_for_reader(new: &Session, old: &Session, elapsed: Duration) -> bool {
    // The same session (shared from the snapshot before) first; then the fields a change is
    // likely in, so a pause or a new item is found without reading the rest. (`new == old`
    // implies `same_but_progress`: this is "equal, or only the progress moved".)
    std::ptr::eq(new, old)
        || (same_but_progress(new, old) && (position_as_expected(new, old, elapsed) || new == old))
}

/// The position `new` reports is within the tolerance of `old`'s, moved on while `old` was
/// playing by the time that passed: `elapsed` here, or the server's own time between the two
/// reports (their `LastActivityDate`s), either one. The server's time holds however late a
/// session arrives (a batch after a stall) and whatever clock drives the server (a simulator
/// playing an hour in seconds).
fn position_as_expected(new: &Session, old: &Session, elapsed: Duration) -> bool {
    match (new.play_state.position_ticks, old.play_state.position_ticks) {
        (Some(now), Some(then)) => {
            let playing = old.now_playing_item.is_some() && !old.play_state.is_paused;
            let as_expected_after = |moved: f64| {
                let expected = then as f64 / TICKS_PER_SECOND + if playing { moved } else { 0.0 };
                (now as f64 / TICKS_PER_SECOND - expected).abs() <= POSITION_TOLERANCE_S
            };
            as_expected_after(elapsed.as_secs_f64())
                || server_elapsed(new, old).is_some_and(as_expected_after)
        }
        (now, then) => now == then,
    }
}

/// Seconds between the last activity of `old` and that of `new`, by the server's clock (None
/// when either date is missing or unreadable, or `new`'s is earlier).
fn server_elapsed(new: &Session, old: &Session) -> Option<f64> {
    let seconds = |session: &Session| session.last_activity_date.as_deref().and_then(timestamp);
    let elapsed = seconds(new)? - seconds(old)?;
    (elapsed >= 0.0).then_some(elapsed)
}

/// Seconds since 1970 of an Emby date, `2026-12-03T09:25:41.1234567Z` (the zone is not read:
/// only differences between dates of one server are taken).
fn timestamp(date: &str) -> Option<f64> {
    let b = date.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut fraction = 0.0;
    if b.get(19) == Some(&b'.') {
        let mut scale = 0.1;
        for &d in b[20..].iter().take_while(|d| d.is_ascii_digit()) {
            fraction += f64::from(d - b'0') * scale;
            scale /= 10.0;
        }
    }
    // Days from the civil date (proleptic Gregorian), the year starting in March.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some((days * 86_400 + hour * 3_600 + minute * 60 + second) as f64 + fraction)
}

/// Every field equal but those a progress report moves: the position, the last activity and a
/// transcode's completion. (Destructured whole: a field added to the models is compared
/// unless it is named here.)
fn same_but_progress(a: &Session, b: &Session) -> bool {
    let Session {
        id,
        device_id,
        device_name,
        client,
        application_version,
        user_id,
        user_name,
        supports_remote_control,
        playable_media_types,
        supported_commands,
        last_activity_date: _,
        remote_end_point,
        now_playing_item,
        play_state,
        transcoding_info,
        playlist_index,
        playlist_length,
    } = a;
    // What changes most often first (`&&` stops at the first difference); the lists of
    // commands and media types, the longest to compare, last.
    same_play_state_but_position(play_state, &b.play_state)
        && *now_playing_item == b.now_playing_item
        && same_transcoding_but_completion(transcoding_info.as_ref(), b.transcoding_info.as_ref())
        && *playlist_index == b.playlist_index
        && *playlist_length == b.playlist_length
        && *id == b.id
        && *user_id == b.user_id
        && *user_name == b.user_name
        && *device_id == b.device_id
        && *device_name == b.device_name
        && *client == b.client
        && *application_version == b.application_version
        && *supports_remote_control == b.supports_remote_control
        && *remote_end_point == b.remote_end_point
        && *playable_media_types == b.playable_media_types
        && *supported_commands == b.supported_commands
}

fn same_play_state_but_position(a: &PlayState, b: &PlayState) -> bool {
    let PlayState {
        position_ticks: _,
        can_seek,
        is_paused,
        is_muted,
        volume_level,
        repeat_mode,
        shuffle,
        play_method,
        media_source_id,
    } = a;
    *can_seek == b.can_seek
        && *is_paused == b.is_paused
        && *is_muted == b.is_muted
        && *volume_level == b.volume_level
        && *repeat_mode == b.repeat_mode
        && *shuffle == b.shuffle
        && *play_method == b.play_method
        && *media_source_id == b.media_source_id
}

fn same_transcoding_but_completion(
    a: Option<&TranscodingInfo>,
    b: Option<&TranscodingInfo>,
) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return a.is_none() && b.is_none();
    };
    let TranscodingInfo {
        is_video_direct,
        is_audio_direct,
        video_codec,
        audio_codec,
        container,
        bitrate,
        width,
        height,
        audio_channels,
        completion_percentage: _,
        transcode_reasons,
    } = a;
    *is_video_direct == b.is_video_direct
        && *is_audio_direct == b.is_audio_direct
        && *video_codec == b.video_codec
        && *audio_codec == b.audio_codec
        && *container == b.container
        && *bitrate == b.bitrate
        && *width == b.width
        && *height == b.height
        && *audio_channels == b.audio_channels
        && *transcode_reasons == b.transcode_reasons
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
    pub fn snapshot<S: SnapshotSession>(&self, sessions: &[S]) -> SessionChanges {
        self.snapshot_at(sessions, Instant::now())
    }

    /// [`Self::snapshot`] received at `now` (tests move the clock).
    pub fn snapshot_at<S: SnapshotSession>(&self, sessions: &[S], now: Instant) -> SessionChanges {
        let mut last = self.lock();
        let same_clients = sessions.len() == last.handed.len()
            && sessions.iter().zip(&last.handed).all(|(new, old)| {
                // A shared session is its own client: no need to read its DeviceId.
                let new: &Session = new.borrow();
                std::ptr::eq(new, &*old.session) || new.device_id == old.session.device_id
            });
        let mut changes = SessionChanges::default();
        if same_clients {
            // The sessions replaced are freed on one of our threads, not the reader's.
            let mut replaced = Vec::new();
            for (new, old) in sessions.iter().zip(&mut last.handed) {
                if !old.still_says(new.borrow(), now) {
                    let handed = Handed {
                        session: new.share(),
                        at: now,
                    };
                    replaced.push(std::mem::replace(old, handed).session);
                    changes.changed.push(new.borrow().clone());
                }
            }
            if !replaced.is_empty() {
                crate::graveyard::bury(replaced);
            }
            return changes;
        }
        // The newest session of each client, in the server's order of first appearance.
        let mut order: Vec<&S> = Vec::with_capacity(sessions.len());
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(sessions.len());
        for shared in sessions {
            let session: &Session = shared.borrow();
            if session.device_id.is_empty() {
                continue;
            }
            match index.entry(session.device_id.as_str()) {
                Entry::Vacant(slot) => {
                    slot.insert(order.len());
                    order.push(shared);
                }
                Entry::Occupied(slot) => {
                    let kept = &mut order[*slot.get()];
                    if newer(session, (*kept).borrow()) {
                        *kept = shared;
                    }
                }
            }
        }
        changes.removed = last
            .handed
            .iter()
            .filter(|known| !index.contains_key(known.session.device_id.as_str()))
            .map(|known| known.session.device_id.clone())
            .collect();
        let mut next = Vec::with_capacity(order.len());
        for shared in order {
            let session: &Session = shared.borrow();
            let known = last
                .index
                .get(session.device_id.as_str())
                .map(|&i| &last.handed[i]);
            match known {
                Some(old) if old.still_says(session, now) => next.push(old.clone()),
                _ => {
                    changes.changed.push(session.clone());
                    next.push(Handed {
                        session: shared.share(),
                        at: now,
                    });
                }
            }
        }
        crate::graveyard::bury(std::mem::replace(&mut last.handed, next));
        last.reindex();
        changes
    }

    /// One client's session from a single-session event (`ended`: the session is gone);
    /// whether it told the reader something new (progress alone does not, see the module).
    pub fn apply(&self, session: &Session, ended: bool) -> bool {
        self.apply_at(session, ended, Instant::now())
    }

    /// [`Self::apply`] received at `now` (tests move the clock).
    pub fn apply_at(&self, session: &Session, ended: bool, now: Instant) -> bool {
        if session.device_id.is_empty() {
            return true;
        }
        let mut last = self.lock();
        match (last.index.get(session.device_id.as_str()).copied(), ended) {
            (Some(i), false) => {
                if last.handed[i].still_says(session, now) {
                    return false;
                }
                last.handed[i] = Handed {
                    session: Arc::new(session.clone()),
                    at: now,
                };
            }
            (Some(i), true) => {
                last.handed.remove(i);
                last.reindex();
            }
            (None, false) => {
                let i = last.handed.len();
                last.handed.push(Handed {
                    session: Arc::new(session.clone()),
                    at: now,
                });
                last.index.insert(session.device_id.clone(), i);
            }
            (None, true) => {}
        }
        true
    }

    /// How many clients the tracker knows.
    pub fn len(&self) -> usize {
        self.lock().handed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The session of a `PlaybackStopped` event as it is after the stop: the event still names the
/// item that stopped (and its paused state, volume, stream and transcode); taken as is, the
/// client would show as playing until the next `Sessions` push. Emby lists an idle session's
/// play state without a position, a volume, a media source or a play method, and no transcode.
pub fn stopped(mut session: Session) -> Session {
    session.now_playing_item = None;
    session.transcoding_info = None;
    let play_state = &mut session.play_state;
    play_state.is_paused = false;
    play_state.position_ticks = None;
    play_state.can_seek = false;
    play_state.volume_level = None;
    play_state.play_method = None;
    play_state.media_source_id = None;
    session
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Item, TranscodingInfo};

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

    /// A client playing `ticks` (paused or not), reported at `activity`.
    fn playing(ticks: i64, paused: bool, activity: &str) -> Session {
        let mut s = session("a", activity);
        s.id = "s-a".to_owned();
        s.now_playing_item = Some(Item {
            id: "movie".to_owned(),
            ..Item::default()
        });
        s.play_state.position_ticks = Some(ticks);
        s.play_state.is_paused = paused;
        s
    }

    const SECOND: i64 = 10_000_000;

    #[test]
    fn progress_where_it_was_expected_is_not_a_change() {
        let tracker = SessionTracker::default();
        let t0 = Instant::now();
        assert_eq!(
            tracker
                .snapshot_at(&[playing(0, false, "1")], t0)
                .changed
                .len(),
            1
        );
        // 10 s later the client reports 10.5 s, with a newer activity.
        let report = playing(105 * SECOND / 10, false, "2");
        let t10 = t0 + Duration::from_secs(10);
        assert!(tracker.snapshot_at(&[report], t10).is_empty());
        // The anchor stays the session handed over: 20 s after it, 20.5 s is as expected.
        let report = playing(205 * SECOND / 10, false, "3");
        assert!(
            tracker
                .snapshot_at(&[report], t0 + Duration::from_secs(20))
                .is_empty()
        );
        // A seek: 20 s after the anchor, 60 s reported.
        let seek = playing(60 * SECOND, false, "4");
        let changes = tracker.snapshot_at(&[seek], t0 + Duration::from_secs(20));
        assert_eq!(
            changes.changed[0].play_state.position_ticks,
            Some(60 * SECOND)
        );
        // The single-session event says the same: progress as expected is not new.
        let t25 = t0 + Duration::from_secs(25);
        assert!(!tracker.apply_at(&playing(65 * SECOND, false, "5"), false, t25));
        assert!(tracker.apply_at(&playing(10 * SECOND, false, "6"), false, t25));
    }

    #[test]
    fn progress_is_also_measured_by_the_servers_clock() {
        // A server whose hour passes in moments (a simulator) or a batch that arrives late:
        // the position moved as far as the server's own time between the two reports.
        let tracker = SessionTracker::default();
        let t0 = Instant::now();
        tracker.snapshot_at(&[playing(0, false, "2026-12-31T23:59:55.5000000Z")], t0);
        let moment = t0 + Duration::from_millis(50);
        let report = playing(105 * SECOND / 10, false, "2027-01-01T00:00:05.5000000Z");
        assert!(tracker.snapshot_at(&[report], moment).is_empty());
        // A seek is a change by either clock.
        let seek = playing(60 * SECOND, false, "2027-01-01T00:00:15.5000000Z");
        assert_eq!(tracker.snapshot_at(&[seek], moment).changed.len(), 1);
        // An activity date earlier than the last one, or one that is not a date, says nothing.
        let earlier = playing(75 * SECOND, false, "2027-01-01T00:00:00.0000000Z");
        assert_eq!(tracker.snapshot_at(&[earlier], moment).changed.len(), 1);
        let unreadable = playing(95 * SECOND, false, "soon");
        assert_eq!(tracker.snapshot_at(&[unreadable], moment).changed.len(), 1);
    }

    #[test]
    fn emby_dates_read_as_seconds() {
        assert_eq!(timestamp("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(timestamp("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        assert_eq!(
            timestamp("2026-12-03T09:25:41.2500000Z"),
            Some(1_796_289_941.25)
        );
        assert_eq!(timestamp("2026-13-03T09:25:41Z"), None);
        assert_eq!(timestamp("2026-12-03"), None);
        assert_eq!(timestamp("2026-12-03T09:2x:41Z"), None);
    }

    #[test]
    fn a_paused_client_is_expected_where_it_paused() {
        let tracker = SessionTracker::default();
        let t0 = Instant::now();
        tracker.snapshot_at(&[playing(30 * SECOND, true, "1")], t0);
        let later = t0 + Duration::from_secs(60);
        // Paused: a minute later it is still at 30 s (within the tolerance), not at 90 s.
        assert!(
            tracker
                .snapshot_at(&[playing(31 * SECOND, true, "2")], later)
                .is_empty()
        );
        assert_eq!(
            tracker
                .snapshot_at(&[playing(90 * SECOND, true, "3")], later)
                .changed
                .len(),
            1
        );
        // Resuming is a change however close the position.
        let resumed = playing(90 * SECOND, false, "4");
        assert_eq!(tracker.snapshot_at(&[resumed], later).changed.len(), 1);
    }

    #[test]
    fn anything_but_progress_is_a_change() {
        let tracker = SessionTracker::default();
        let t0 = Instant::now();
        let base = playing(0, false, "1");
        tracker.snapshot_at(std::slice::from_ref(&base), t0);
        let t1 = t0 + Duration::from_secs(1);
        let mut volume = base.clone();
        volume.play_state.volume_level = Some(40);
        let mut other_item = base.clone();
        other_item.now_playing_item = Some(Item {
            id: "episode".to_owned(),
            ..Item::default()
        });
        let mut transcoding = base.clone();
        transcoding.transcoding_info = Some(TranscodingInfo {
            transcode_reasons: vec!["VideoCodecNotSupported".to_owned()],
            ..TranscodingInfo::default()
        });
        let mut stopped_position = base.clone();
        stopped_position.play_state.position_ticks = None;
        for changed in [volume, other_item, transcoding, stopped_position] {
            let changes = tracker.snapshot_at(std::slice::from_ref(&changed), t1);
            assert_eq!(changes.changed, std::slice::from_ref(&changed));
            tracker.snapshot_at(std::slice::from_ref(&base), t1);
        }
        // A transcode's completion alone is progress.
        let mut first = base.clone();
        first.transcoding_info = Some(TranscodingInfo {
            completion_percentage: Some(10.0),
            ..TranscodingInfo::default()
        });
        tracker.snapshot_at(std::slice::from_ref(&first), t1);
        let mut next = first.clone();
        next.transcoding_info = Some(TranscodingInfo {
            completion_percentage: Some(12.5),
            ..TranscodingInfo::default()
        });
        assert!(tracker.snapshot_at(&[next], t1).is_empty());
    }

    #[test]
    fn a_stopped_session_plays_nothing() {
        let mut playing = session("a", "1");
        playing.now_playing_item = Some(Item::default());
        playing.play_state.is_paused = true;
        playing.play_state.position_ticks = Some(5);
        playing.play_state.can_seek = true;
        playing.play_state.volume_level = Some(40);
        playing.play_state.play_method = Some("Transcode".to_owned());
        playing.play_state.media_source_id = Some("source".to_owned());
        playing.transcoding_info = Some(TranscodingInfo::default());
        let after = stopped(playing.clone());
        assert!(after.now_playing_item.is_none() && after.transcoding_info.is_none());
        assert!(!after.play_state.is_paused && !after.play_state.can_seek);
        assert_eq!(after.play_state.position_ticks, None);
        assert_eq!(after.play_state.volume_level, None);
        assert_eq!(after.play_state.play_method, None);
        assert_eq!(after.play_state.media_source_id, None);
        assert_eq!(after.id, playing.id);
    }
}
