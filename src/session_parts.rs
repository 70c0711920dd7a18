//! Which parts of a session differ between two reports of one client: a bit per part, so a
//! reader that derives different things from different parts (a media player's features, its
//! state, its media attributes) redoes only what the change touched. One call compares the
//! structs where they live; reading the fields into Python to compare them there would build
//! every list and nested object first.

use crate::models::Session;

/// The client's name and version: `device_name`, `client`, `application_version`.
pub const DEVICE: u32 = 1;
/// What the client can be asked to do now: `supports_remote_control`, `playable_media_types`,
/// `supported_commands`, `playlist_length`, `play_state.can_seek`, and whether it has a
/// now-playing item (seeking and the queue apply only while something plays).
pub const CAPABILITIES: u32 = 1 << 1;
/// Any field of `play_state` (position, paused, volume, mute, repeat, shuffle, ...).
pub const PLAY_STATE: u32 = 1 << 2;
/// Any field of `now_playing_item` (or whether there is one).
pub const ITEM: u32 = 1 << 3;
/// `user_id` and `user_name`.
pub const USER: u32 = 1 << 4;
/// `transcoding_info`.
pub const TRANSCODING: u32 = 1 << 5;
/// The rest: `id`, `device_id`, `last_activity_date`, `remote_end_point`, `playlist_index`.
pub const OTHER: u32 = 1 << 6;
/// Every part.
pub const ALL: u32 = (1 << 7) - 1;

/// The parts in which `new` differs from `old` (0: the same session). `new` is taken apart
/// field by field, so a field added to `Session` does not compile here until it has its part.
#[must_use]
pub fn changed_parts(new: &Session, old: &Session) -> u32 {
    if std::ptr::eq(new, old) {
        return 0;
    }
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
        last_activity_date,
        remote_end_point,
        now_playing_item,
        play_state,
        transcoding_info,
        playlist_index,
        playlist_length,
    } = new;
    let mut parts = 0;
    if *device_name != old.device_name
        || *client != old.client
        || *application_version != old.application_version
    {
        parts |= DEVICE;
    }
    if *supports_remote_control != old.supports_remote_control
        || *playable_media_types != old.playable_media_types
        || *supported_commands != old.supported_commands
        || *playlist_length != old.playlist_length
        || play_state.can_seek != old.play_state.can_seek
        || now_playing_item.is_some() != old.now_playing_item.is_some()
    {
        parts |= CAPABILITIES;
    }
    if *play_state != old.play_state {
        parts |= PLAY_STATE;
    }
    if *now_playing_item != old.now_playing_item {
        parts |= ITEM;
    }
    if *user_id != old.user_id || *user_name != old.user_name {
        parts |= USER;
    }
    if *transcoding_info != old.transcoding_info {
        parts |= TRANSCODING;
    }
    if *id != old.id
        || *device_id != old.device_id
        || *last_activity_date != old.last_activity_date
        || *remote_end_point != old.remote_end_point
        || *playlist_index != old.playlist_index
    {
        parts |= OTHER;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Item, PlayState};

    /// A change made to a copy of a session.
    type Change = fn(&mut Session);

    fn playing() -> Session {
        Session {
            id: "s1".into(),
            device_id: "d1".into(),
            device_name: "Living Room".into(),
            client: "Emby Theater".into(),
            supports_remote_control: true,
            supported_commands: vec!["SetVolume".into(), "Mute".into()],
            now_playing_item: Some(Item {
                id: "i1".into(),
                ..Item::default()
            }),
            play_state: PlayState {
                position_ticks: Some(10),
                can_seek: true,
                ..PlayState::default()
            },
            ..Session::default()
        }
    }

    /// Every field of `Session` changed alone, with the part it must report.
    #[test]
    fn each_field_belongs_to_its_part() {
        let old = playing();
        let cases: Vec<(Change, u32)> = vec![
            (|s| s.id = "s2".into(), OTHER),
            (|s| s.device_id = "d2".into(), OTHER),
            (|s| s.device_name = "Bedroom".into(), DEVICE),
            (|s| s.client = "Emby Web".into(), DEVICE),
            (|s| s.application_version = Some("4.9".into()), DEVICE),
            (|s| s.user_id = Some("u".into()), USER),
            (|s| s.user_name = Some("Ann".into()), USER),
            (|s| s.supports_remote_control = false, CAPABILITIES),
            (
                |s| s.playable_media_types = vec!["Audio".into()],
                CAPABILITIES,
            ),
            (
                |s| s.supported_commands.push("ToggleMute".into()),
                CAPABILITIES,
            ),
            (
                |s| s.last_activity_date = Some("2026-12-04T00:00:00Z".into()),
                OTHER,
            ),
            (|s| s.remote_end_point = Some("10.0.0.2".into()), OTHER),
            (|s| s.playlist_index = Some(1), OTHER),
            (|s| s.playlist_length = Some(3), CAPABILITIES),
            (
                |s| s.transcoding_info = Some(Default::default()),
                TRANSCODING,
            ),
            (|s| s.play_state.is_paused = true, PLAY_STATE),
            (|s| s.play_state.position_ticks = Some(20), PLAY_STATE),
            (|s| s.play_state.can_seek = false, CAPABILITIES | PLAY_STATE),
            (
                |s| {
                    if let Some(item) = s.now_playing_item.as_mut() {
                        item.name = Some("x".into());
                    }
                },
                ITEM,
            ),
            (|s| s.now_playing_item = None, CAPABILITIES | ITEM),
        ];
        for (change, part) in cases {
            let mut new = playing();
            change(&mut new);
            assert_eq!(changed_parts(&new, &old), part, "{new:?}");
        }
    }

    #[test]
    fn the_same_session_differs_in_nothing() {
        let session = playing();
        assert_eq!(changed_parts(&session, &session), 0);
        assert_eq!(changed_parts(&session, &session.clone()), 0);
    }

    #[test]
    fn parts_add_up() {
        let old = playing();
        let mut new = playing();
        new.play_state.is_paused = true;
        new.last_activity_date = Some("2026-12-04T00:00:05Z".into());
        assert_eq!(changed_parts(&new, &old), PLAY_STATE | OTHER);
        assert_eq!(changed_parts(&Session::default(), &old) & !ALL, 0);
    }
}
