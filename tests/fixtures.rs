//! Real Emby captures (tests/fixtures/emby, see SOURCES.md) parse into the core's models
//! without losing the fields the integration reads.

use embymedia_core::models::{Item, ItemsResult, PublicSystemInfo, Session};
use serde::de::DeserializeOwned;

fn load<T: DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/fixtures/emby/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

#[test]
fn playing_roku_session() {
    let sessions: Vec<Session> = load("emby_sessions_playing_roku_4x.json");
    let s = &sessions[0];
    assert_eq!(s.id, "f1fd0596d93fc5ad959006d3cdafcc71");
    assert_eq!(s.device_id, "9f53d43e-e5f7-5161-881a-d91843d0d372");
    assert_eq!(s.device_name, "Roku Ultra");
    assert_eq!(s.client, "Roku SG");
    assert_eq!(s.application_version.as_deref(), Some("4.1.31"));
    assert_eq!(s.user_name.as_deref(), Some("mark"));
    assert!(s.supports_remote_control);
    assert_eq!(s.supported_commands.len(), 16);
    assert_eq!(s.playable_media_types, ["Audio", "Video", "Photo"]);
    assert_eq!((s.playlist_index, s.playlist_length), (Some(0), Some(1)));
    let p = &s.play_state;
    assert_eq!(p.position_ticks, Some(13_720_000_000));
    assert!(p.can_seek && p.is_paused && !p.is_muted);
    assert_eq!(p.volume_level, None, "Roku reports no volume");
    assert_eq!(p.play_method.as_deref(), Some("Transcode"));
    assert_eq!(p.repeat_mode.as_deref(), Some("RepeatNone"));
    assert_eq!(
        p.media_source_id.as_deref(),
        Some("5b65209d5560efc10bedf1ea143817c6")
    );
    let n = s.now_playing_item.as_ref().expect("playing");
    assert_eq!(n.id, "4784184");
    assert_eq!(n.name.as_deref(), Some("VIII"));
    assert_eq!(n.r#type.as_deref(), Some("Episode"));
    assert_eq!(n.media_type.as_deref(), Some("Video"));
    assert_eq!(n.series_name.as_deref(), Some("The Old Man"));
    assert_eq!(n.season_name.as_deref(), Some("Season 2"));
    assert_eq!((n.index_number, n.parent_index_number), (Some(1), Some(2)));
    assert_eq!(n.run_time_ticks, Some(28_670_080_000));
    assert_eq!(n.production_year, Some(2024));
    assert_eq!(n.series_id.as_deref(), Some("4692721"));
    assert_eq!(n.parent_id.as_deref(), Some("4784183"));
    assert_eq!(
        n.series_primary_image_tag.as_deref(),
        Some("26c3f00231652d41f2f5770ac09e02d2")
    );
    assert_eq!(n.parent_thumb_item_id.as_deref(), Some("4692721"));
    assert_eq!(
        n.image_tags.get("Primary").map(String::as_str),
        Some("c54b3fb5f2a4101f671b584f15cfb01a")
    );
    assert!(!n.is_folder && !n.is_theme_media);
}

#[test]
fn idle_sessions_have_no_item_and_a_reduced_play_state() {
    for name in [
        "emby_sessions_idle_roku_4x.json",
        "emby_sessions_emby_web_idle_4.8.0.47.json",
    ] {
        let sessions: Vec<Session> = load(name);
        let s = &sessions[0];
        assert!(s.now_playing_item.is_none(), "{name}");
        assert_eq!(s.play_state.position_ticks, None, "{name}");
        assert_eq!(s.play_state.volume_level, None, "{name}");
        assert!(!s.play_state.is_paused && !s.play_state.can_seek, "{name}");
        assert!(s.supports_remote_control, "{name}");
    }
    let web: Vec<Session> = load("emby_sessions_emby_web_idle_4.8.0.47.json");
    assert_eq!(web[0].client, "Emby Web");
    assert_eq!(web[0].application_version.as_deref(), Some("4.8.0.47"));
    assert_eq!(web[0].supported_commands.len(), 35);
    assert!(web[0].supported_commands.iter().any(|c| c == "SetVolume"));
    assert_eq!(web[0].playlist_length, Some(19));
}

#[test]
fn android_sessions() {
    let partial: Session = load("emby_session_android_playstate_playing_partial.json");
    let p = &partial.play_state;
    assert_eq!(p.volume_level, Some(87));
    assert_eq!(p.position_ticks, Some(3_101_980_000));
    assert_eq!(p.play_method.as_deref(), Some("DirectStream"));
    assert!(!p.is_paused);
    assert_eq!(partial.client, "Emby for Android");

    let tail: Session = load("emby_session_tail_android_nowplaying_episode.json");
    assert_eq!(tail.device_id, "aab13fa6d995d7cc");
    assert_eq!(tail.application_version.as_deref(), Some("3.4.36"));
    assert_eq!(tail.supported_commands.len(), 36);
    let n = tail.now_playing_item.expect("an episode");
    assert_eq!(n.id, "4803776");
    assert_eq!(n.series_name.as_deref(), Some("Will Trent"));
    assert_eq!((n.parent_index_number, n.index_number), (Some(3), Some(7)));
    assert_eq!(n.season_id.as_deref(), Some("4795178"));
}

#[test]
fn items_listing_keeps_paging_and_user_data() {
    let r: ItemsResult = load("emby_user_items_series_trimmed.json");
    assert_eq!(
        r.total_record_count, 340,
        "the server's total, not the page length"
    );
    assert_eq!(r.items.len(), 3);
    let first = &r.items[0];
    assert_eq!(first.id, "4759942");
    assert_eq!(first.name.as_deref(), Some("Acapulco (2021)"));
    assert_eq!(first.r#type.as_deref(), Some("Series"));
    assert!(first.is_folder);
    assert_eq!(first.genres, ["Comedy"]);
    assert_eq!(first.image_tags.len(), 3);
    assert_eq!(
        first.date_created.as_deref(),
        Some("2024-05-15T18:50:08.0000000Z")
    );
    let ud = first.user_data.as_ref().expect("user data");
    assert!(ud.played && ud.is_favorite);
    assert_eq!((ud.unplayed_item_count, ud.play_count), (Some(0), Some(0)));
    let second = r.items[1].user_data.as_ref().expect("user data");
    assert_eq!(second.unplayed_item_count, Some(6));
    assert!(!second.played);
}

#[test]
fn season_and_virtual_episode() {
    let season: Item = load("emby_item_season.json");
    assert_eq!(season.id, "4747809");
    assert_eq!(season.r#type.as_deref(), Some("Season"));
    assert_eq!(season.series_id.as_deref(), Some("64"));
    assert_eq!(season.series_name.as_deref(), Some("Family Guy"));
    assert_eq!(season.index_number, Some(1));
    assert_eq!(season.production_year, Some(1999));
    assert_eq!(
        season.parent_thumb_image_tag.as_deref(),
        Some("283b54dfc4b196dbc98a46701574b483")
    );
    assert!(season.user_data.as_ref().is_some_and(|u| u.played));

    let episode: Item = load("emby_item_episode_virtual.json");
    assert_eq!(episode.id, "4793866");
    assert_eq!(episode.media_type.as_deref(), Some("Video"));
    assert_eq!(episode.season_name.as_deref(), Some("Season 11"));
    assert!(episode.image_tags.is_empty());
    assert_eq!(
        episode
            .user_data
            .as_ref()
            .and_then(|u| u.unplayed_item_count),
        None,
        "absent in the capture"
    );
}

#[test]
fn public_info_of_4_9() {
    let info: PublicSystemInfo = load("emby_system_info_public_4.9.5.json");
    assert_eq!(info.id, "6c17e0e282e84f7c92e8358ebf054111");
    assert_eq!(info.server_name, "emby.example.org");
    assert_eq!(info.version, "4.9.5.0");
    assert_eq!(
        info.local_address, None,
        "4.9 sends an empty LocalAddresses list"
    );
}
