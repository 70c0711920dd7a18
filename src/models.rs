//! Emby's JSON, parsed into the shapes the integration reads.
//!
//! Every model deserializes Emby's PascalCase JSON and serializes with snake_case keys (the shape
//! `_core.pyi` promises Python). Emby omits most fields when they are empty and some clients send
//! `null` for the same thing, so both are treated alike: `Option` fields become `None`, lists,
//! maps and flags their empty/false value. Unknown fields are ignored, ids are opaque strings and
//! times are integer ticks.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// `null` and a missing field both give `T::default()`.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Emby marks "no position in a playlist" with -1 on inactive sessions: that is `None`.
fn non_negative<'de, D>(d: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<i64>::deserialize(d)?.filter(|v| *v >= 0))
}

/// A list of strings where entries of another type (`null`, a number) are dropped, not fatal.
fn strings_only<'de, D>(d: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let values = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|v| match v {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// Declares a model with the project's serde conventions on every field.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
        #[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
        pub struct $name {
            $( $(#[$fmeta])* #[serde(default, deserialize_with = "null_default")] pub $field: $ty, )*
        }
    };
}

// Models of the metadata, playlist and collection, live TV and administration endpoints.
mod rest;
pub use rest::*;
#[doc(hidden)]
pub mod oracle;

model! {
    /// `GET /System/Info/Public` (no authentication needed).
    pub struct PublicSystemInfo {
        pub id: String,
        pub server_name: String,
        pub version: String,
        pub local_address: Option<String>,
        /// Emby 4.9 sends `LocalAddresses` instead of `LocalAddress`; folded into `local_address`.
        #[serde(skip_serializing)]
        pub local_addresses: Vec<String>,
    }
}

impl PublicSystemInfo {
    /// Fills `local_address` from `LocalAddresses` when only the 4.9 form was sent.
    pub(crate) fn normalize(mut self) -> Self {
        if self.local_address.is_none() {
            self.local_address = self.local_addresses.first().cloned();
        }
        self
    }
}

model! {
    /// `GET /System/Info`.
    pub struct SystemInfo {
        pub id: String,
        pub server_name: String,
        pub version: String,
        pub operating_system: Option<String>,
        pub operating_system_display_name: Option<String>,
        pub has_pending_restart: bool,
        pub has_update_available: bool,
        pub is_shutting_down: bool,
        pub can_self_restart: bool,
        pub supports_library_monitor: bool,
        pub http_server_port_number: Option<i64>,
        pub https_port_number: Option<i64>,
        pub local_address: Option<String>,
        pub wan_address: Option<String>,
        #[serde(skip_serializing)]
        pub local_addresses: Vec<String>,
    }
}

impl SystemInfo {
    pub(crate) fn normalize(mut self) -> Self {
        if self.local_address.is_none() {
            self.local_address = self.local_addresses.first().cloned();
        }
        self
    }
}

model! {
    /// `UserDto.Policy`, of which we keep the flags the integration reads.
    pub struct UserPolicy {
        pub is_administrator: bool,
        pub is_hidden: bool,
        pub is_disabled: bool,
    }
}

model! {
    /// `UserDto` as Emby sends it (flags nested in `Policy`).
    pub struct RawUser {
        pub id: String,
        pub name: String,
        pub last_activity_date: Option<String>,
        pub primary_image_tag: Option<String>,
        pub has_password: bool,
        pub policy: UserPolicy,
    }
}

/// A user, with the policy flags lifted to the top level.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub is_administrator: bool,
    pub is_hidden: bool,
    pub is_disabled: bool,
    pub last_activity_date: Option<String>,
    pub primary_image_tag: Option<String>,
    /// Whether signing in needs a password (Emby issues a user token without one otherwise).
    pub has_password: bool,
}

impl From<RawUser> for User {
    fn from(u: RawUser) -> Self {
        Self {
            id: u.id,
            name: u.name,
            is_administrator: u.policy.is_administrator,
            is_hidden: u.policy.is_hidden,
            is_disabled: u.policy.is_disabled,
            last_activity_date: u.last_activity_date,
            primary_image_tag: u.primary_image_tag,
            has_password: u.has_password,
        }
    }
}

impl<'de> Deserialize<'de> for User {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawUser::deserialize(d).map(User::from)
    }
}

model! {
    /// Per-user state of an item (`UserItemDataDto`). For Python a dict, except inside a
    /// session's now-playing item (the `NowPlayingUserData` pyclass, `src/python/models.rs`).
    #[cfg_attr(feature = "python", pyo3::pyclass(frozen, eq, get_all, from_py_object, name = "NowPlayingUserData", module = "embymedia_core._core"))]
    pub struct UserData {
        pub played: bool,
        pub is_favorite: bool,
        pub play_count: Option<i64>,
        pub playback_position_ticks: Option<i64>,
        pub unplayed_item_count: Option<i64>,
        pub last_played_date: Option<String>,
    }
}

model! {
    /// `BaseItemDto`, reduced to what the integration shows and browses. For Python a dict in
    /// listings, the `NowPlayingItem` pyclass inside a session.
    #[cfg_attr(feature = "python", pyo3::pyclass(frozen, eq, get_all, from_py_object, name = "NowPlayingItem", module = "embymedia_core._core"))]
    pub struct Item {
        pub id: String,
        pub name: Option<String>,
        #[serde(rename(deserialize = "Type"))]
        pub r#type: Option<String>,
        pub media_type: Option<String>,
        pub collection_type: Option<String>,
        pub is_folder: bool,
        pub parent_id: Option<String>,
        pub series_id: Option<String>,
        pub series_name: Option<String>,
        pub season_id: Option<String>,
        pub season_name: Option<String>,
        pub index_number: Option<i64>,
        pub parent_index_number: Option<i64>,
        pub album: Option<String>,
        pub album_id: Option<String>,
        pub album_artist: Option<String>,
        pub artists: Vec<String>,
        pub channel_name: Option<String>,
        pub run_time_ticks: Option<i64>,
        pub production_year: Option<i64>,
        pub premiere_date: Option<String>,
        pub date_created: Option<String>,
        pub overview: Option<String>,
        pub official_rating: Option<String>,
        pub community_rating: Option<f64>,
        pub genres: Vec<String>,
        pub child_count: Option<i64>,
        pub recursive_item_count: Option<i64>,
        pub image_tags: BTreeMap<String, String>,
        pub backdrop_image_tags: Vec<String>,
        pub series_primary_image_tag: Option<String>,
        pub parent_thumb_item_id: Option<String>,
        pub parent_thumb_image_tag: Option<String>,
        pub parent_backdrop_item_id: Option<String>,
        pub album_primary_image_tag: Option<String>,
        pub is_theme_media: bool,
        pub user_data: Option<UserData>,
    }
}

model! {
    /// `PlayerStateInfo` of a session (the `PlayState` pyclass).
    #[cfg_attr(feature = "python", pyo3::pyclass(frozen, eq, get_all, from_py_object, name = "PlayState", module = "embymedia_core._core"))]
    pub struct PlayState {
        pub position_ticks: Option<i64>,
        pub can_seek: bool,
        pub is_paused: bool,
        pub is_muted: bool,
        pub volume_level: Option<i64>,
        pub repeat_mode: Option<String>,
        pub shuffle: Option<bool>,
        pub play_method: Option<String>,
        pub media_source_id: Option<String>,
    }
}

/// `TranscodingInfo` of a session that Emby transcodes (the `TranscodingInfo` pyclass): what it
/// converts and why. Emby leaves it out for direct play; `null` reads the same. Written out
/// rather than with `model!` because the reasons list has its own lenient reader.
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(
        frozen,
        eq,
        get_all,
        from_py_object,
        name = "TranscodingInfo",
        module = "embymedia_core._core"
    )
)]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct TranscodingInfo {
    #[serde(default, deserialize_with = "null_default")]
    pub is_video_direct: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub is_audio_direct: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub video_codec: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub audio_codec: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub container: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub bitrate: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub width: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub height: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub audio_channels: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub completion_percentage: Option<f64>,
    /// `TranscodeReason` names (`VideoCodecNotSupported`, ...), as Emby spells them.
    #[serde(default, deserialize_with = "strings_only")]
    pub transcode_reasons: Vec<String>,
}

/// `SessionInfo` (`GET /Sessions`, and the WebSocket's `Sessions`/playback messages). Python
/// gets the `Session` pyclass: these fields as read-only attributes, converted when read
/// (cheaper per update than a dict, measured: docs/ARCHITECTURE.md).
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(
        frozen,
        eq,
        get_all,
        from_py_object,
        name = "Session",
        module = "embymedia_core._core"
    )
)]
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all(deserialize = "PascalCase", serialize = "snake_case"))]
pub struct Session {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub device_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub device_name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub client: String,
    #[serde(default, deserialize_with = "null_default")]
    pub application_version: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub supports_remote_control: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub playable_media_types: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub supported_commands: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub last_activity_date: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub remote_end_point: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub now_playing_item: Option<Item>,
    #[serde(default, deserialize_with = "null_default")]
    pub play_state: PlayState,
    #[serde(default, deserialize_with = "null_default")]
    pub transcoding_info: Option<TranscodingInfo>,
    #[serde(default, deserialize_with = "non_negative")]
    pub playlist_index: Option<i64>,
    #[serde(default, deserialize_with = "non_negative")]
    pub playlist_length: Option<i64>,
}

model! {
    /// `QueryResult_BaseItemDto`.
    pub struct ItemsResult {
        pub items: Vec<Item>,
        pub total_record_count: i64,
    }
}

model! {
    /// `QueryResult_UserDto` (`/Users/Query`, the fallback of `/Users`).
    pub struct UsersResult {
        pub items: Vec<User>,
        pub total_record_count: i64,
    }
}

model! {
    /// `GET /Items/Counts`.
    pub struct ItemCounts {
        pub movie_count: i64,
        pub series_count: i64,
        pub episode_count: i64,
        pub song_count: i64,
        pub album_count: i64,
        pub artist_count: i64,
        pub music_video_count: i64,
        pub box_set_count: i64,
        pub book_count: i64,
        pub trailer_count: i64,
        pub program_count: i64,
        pub item_count: i64,
    }
}

model! {
    /// `VirtualFolderInfo` (`GET /Library/VirtualFolders`).
    pub struct VirtualFolder {
        pub id: String,
        pub item_id: Option<String>,
        pub name: String,
        pub collection_type: Option<String>,
        pub locations: Vec<String>,
        pub refresh_status: Option<String>,
        pub refresh_progress: Option<f64>,
    }
}

model! {
    /// `QueryResult_VirtualFolderInfo` (`/Library/VirtualFolders/Query`).
    pub struct VirtualFoldersResult {
        pub items: Vec<VirtualFolder>,
        pub total_record_count: i64,
    }
}

model! {
    /// `TaskResult`: the last run of a scheduled task.
    pub struct TaskResult {
        pub status: Option<String>,
        pub start_time_utc: Option<String>,
        pub end_time_utc: Option<String>,
        pub error_message: Option<String>,
    }
}

model! {
    /// `TaskInfo` (`GET /ScheduledTasks`, WebSocket `ScheduledTasksInfo`).
    pub struct ScheduledTask {
        pub id: String,
        pub key: Option<String>,
        pub name: String,
        pub state: String,
        pub category: Option<String>,
        pub current_progress_percentage: Option<f64>,
        pub is_hidden: bool,
        pub last_execution_result: Option<TaskResult>,
    }
}

model! {
    /// One `MediaSourceInfo` of a `PlaybackInfoResponse`.
    pub struct MediaSource {
        pub id: Option<String>,
        pub name: Option<String>,
        pub container: Option<String>,
        pub protocol: Option<String>,
        pub size: Option<i64>,
        pub bitrate: Option<i64>,
        pub run_time_ticks: Option<i64>,
        pub supports_direct_play: bool,
        pub supports_direct_stream: bool,
        pub supports_transcoding: bool,
        /// Server-relative; any `api_key` Emby put in it is removed.
        pub transcoding_url: Option<String>,
        pub transcoding_sub_protocol: Option<String>,
        pub transcoding_container: Option<String>,
    }
}

model! {
    /// `PlaybackInfoResponse` (`POST /Items/{Id}/PlaybackInfo`).
    pub struct PlaybackInfo {
        pub media_sources: Vec<MediaSource>,
        pub play_session_id: Option<String>,
        pub error_code: Option<String>,
    }
}

impl PlaybackInfo {
    /// Strips credentials from the transcoding URLs (they go to Home Assistant's proxy, and
    /// from there possibly to a browser).
    pub(crate) fn normalize(mut self) -> Self {
        for s in &mut self.media_sources {
            if let Some(url) = s.transcoding_url.take() {
                s.transcoding_url = Some(strip_credentials(&url));
            }
        }
        self
    }
}

/// Removes `api_key`, `ApiKey`, `X-Emby-Token` and `Token` query parameters from a URL or path.
pub fn strip_credentials(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            !matches!(
                name.as_str(),
                "api_key" | "apikey" | "x-emby-token" | "token"
            )
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_are_alike() {
        let a: Item = serde_json::from_str(r#"{"Id":"1"}"#).expect("parse");
        let b: Item = serde_json::from_str(
            r#"{"Id":"1","Name":null,"Genres":null,"ImageTags":null,"IsFolder":null,"UserData":null}"#,
        )
        .expect("parse");
        assert_eq!(a, b);
        assert!(a.genres.is_empty() && a.name.is_none() && !a.is_folder);
    }

    #[test]
    fn keys_serialize_snake_case_and_are_all_present() {
        let item: Item = serde_json::from_str(
            r#"{"Id":"7","Type":"Movie","RunTimeTicks":72000000000,"ImageTags":{"Primary":"t"}}"#,
        )
        .expect("parse");
        let v = serde_json::to_value(&item).expect("serialize");
        let obj = v.as_object().expect("object");
        assert_eq!(obj["type"], "Movie");
        assert_eq!(obj["run_time_ticks"], 72_000_000_000i64);
        assert_eq!(obj["image_tags"]["Primary"], "t");
        assert!(obj["user_data"].is_null());
        assert_eq!(obj.len(), 37, "every Item key of the contract");
    }

    #[test]
    fn user_policy_is_lifted() {
        let u: User = serde_json::from_str(
            r#"{"Name":"a","Id":"u1","HasPassword":false,"Policy":{"IsAdministrator":true,"IsHidden":false},"Configuration":{}}"#,
        )
        .expect("parse");
        assert!(u.is_administrator && !u.is_disabled && !u.has_password);
        let v = serde_json::to_value(&u).expect("serialize");
        assert_eq!(v.as_object().map(|o| o.len()), Some(8));
    }

    #[test]
    fn playlist_sentinel_is_none() {
        let s: Session =
            serde_json::from_str(r#"{"Id":"s","PlaylistIndex":-1,"NowPlayingItem":null}"#)
                .expect("parse");
        assert_eq!(s.playlist_index, None);
        assert!(s.now_playing_item.is_none());
        assert!(!s.play_state.is_paused);
    }

    #[test]
    fn transcoding_urls_lose_the_key() {
        let p: PlaybackInfo = serde_json::from_str(
            r#"{"MediaSources":[{"Id":"m","TranscodingUrl":"/videos/1/master.m3u8?DeviceId=d&api_key=SECRET&X-Emby-Token=S2&Static=false"}],"PlaySessionId":"p"}"#,
        )
        .expect("parse");
        let url = p.normalize().media_sources[0]
            .transcoding_url
            .clone()
            .expect("url");
        assert_eq!(url, "/videos/1/master.m3u8?DeviceId=d&Static=false");
        assert_eq!(strip_credentials("/a?api_key=x"), "/a");
    }

    #[test]
    fn public_info_takes_first_local_address() {
        let p: PublicSystemInfo = serde_json::from_str::<PublicSystemInfo>(
            r#"{"LocalAddresses":["http://10.0.0.2:8096"],"ServerName":"s","Version":"4.9.5.0","Id":"x"}"#,
        )
        .expect("parse")
        .normalize();
        assert_eq!(p.local_address.as_deref(), Some("http://10.0.0.2:8096"));
        let v = serde_json::to_value(&p).expect("serialize");
        assert!(v.get("local_addresses").is_none());
    }

    #[test]
    fn transcoding_info_is_optional_and_lenient() {
        let s: Session = serde_json::from_str(
            r#"{"Id":"s","TranscodingInfo":{"IsVideoDirect":false,"IsAudioDirect":true,"VideoCodec":"h264","AudioCodec":null,"Bitrate":4000000,"Width":1280,"CompletionPercentage":12.5,"TranscodeReasons":["VideoCodecNotSupported",null,7,"ContainerBitrateExceedsLimit"],"CpuHistory":[]}}"#,
        )
        .expect("parse");
        let t = s.transcoding_info.expect("transcoding info");
        assert!(!t.is_video_direct);
        assert!(t.is_audio_direct);
        assert_eq!(t.video_codec.as_deref(), Some("h264"));
        assert_eq!(t.audio_codec, None);
        assert_eq!(t.bitrate, Some(4_000_000));
        assert_eq!(t.width, Some(1280));
        assert_eq!(t.height, None);
        assert_eq!(t.completion_percentage, Some(12.5));
        assert_eq!(
            t.transcode_reasons,
            ["VideoCodecNotSupported", "ContainerBitrateExceedsLimit"]
        );
        for json in [r#"{"Id":"s"}"#, r#"{"Id":"s","TranscodingInfo":null}"#] {
            let s: Session = serde_json::from_str(json).expect("parse");
            assert_eq!(s.transcoding_info, None, "{json}");
        }
        let s: Session = serde_json::from_str(
            r#"{"Id":"s","TranscodingInfo":{"TranscodeReasons":null,"IsVideoDirect":null}}"#,
        )
        .expect("parse");
        let t = s.transcoding_info.expect("transcoding info");
        assert!(t.transcode_reasons.is_empty());
        assert!(!t.is_video_direct);
    }
}
