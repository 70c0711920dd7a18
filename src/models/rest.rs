//! Models of the metadata (genres, studios, persons, artists, years), playlist and collection,
//! live TV and administration endpoints, with the conventions of [`crate::models`]: PascalCase
//! in, snake_case out, missing and `null` alike, unknown fields ignored, ids opaque strings.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::{Item, null_default};

/// An id Emby sends as a string or, for some records (activity log entries), as a number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OpaqueId(pub String);

impl<'de> Deserialize<'de> for OpaqueId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = OpaqueId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (string or integer)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OpaqueId, E> {
                Ok(OpaqueId(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OpaqueId, E> {
                Ok(OpaqueId(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OpaqueId, E> {
                Ok(OpaqueId(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list Emby sends either bare or wrapped in a `QueryResult` (`{"Items": [...]}`), depending
/// on the route's version.
#[derive(Debug, Clone, PartialEq)]
pub struct ListOrQueryResult<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListOrQueryResult<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped<T> {
            #[serde(rename = "Items", default = "Vec::new")]
            items: Vec<T>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<T> {
            List(Vec<T>),
            Wrapped(Wrapped<T>),
        }
        match Option::<Either<T>>::deserialize(d)? {
            Some(Either::List(v)) => Ok(Self(v)),
            Some(Either::Wrapped(w)) => Ok(Self(w.items)),
            None => Ok(Self(Vec::new())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------------------------

model! {
    /// `UserLibrary.TagItem`: one entry of `GET /Years`.
    pub struct NameId {
        pub id: String,
        pub name: String,
    }
}

model! {
    /// `QueryResult_UserLibrary.TagItem` (`GET /Years`).
    pub struct NameIdResult {
        pub items: Vec<NameId>,
        pub total_record_count: i64,
    }
}

// ---------------------------------------------------------------------------------------------
// Playlists and collections
// ---------------------------------------------------------------------------------------------

/// An entry of `GET /Playlists/{Id}/Items`: the item and its entry id in the playlist (what
/// `remove_from_playlist` takes; the same item may be in a playlist twice).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct PlaylistItem {
    #[serde(flatten)]
    pub item: Item,
    #[serde(
        rename(deserialize = "PlaylistItemId", serialize = "playlist_item_id"),
        default,
        deserialize_with = "null_default"
    )]
    pub playlist_item_id: Option<String>,
}

model! {
    /// `GET /Playlists/{Id}/Items`.
    pub struct PlaylistItemsResult {
        pub items: Vec<PlaylistItem>,
        pub total_record_count: i64,
    }
}

model! {
    /// `Playlists.PlaylistCreationResult` (`POST /Playlists`).
    pub struct PlaylistCreated {
        pub id: String,
        pub name: Option<String>,
        pub item_added_count: Option<i64>,
    }
}

model! {
    /// `Playlists.AddToPlaylistResult` (`POST /Playlists/{Id}/Items`).
    pub struct AddedToPlaylist {
        pub id: Option<String>,
        pub item_added_count: Option<i64>,
    }
}

model! {
    /// `Collections.CollectionCreationResult` (`POST /Collections`).
    pub struct CollectionCreated {
        pub id: String,
        pub name: Option<String>,
    }
}

// ---------------------------------------------------------------------------------------------
// Live TV
// ---------------------------------------------------------------------------------------------

model! {
    /// `LiveTv.LiveTvInfo` (`GET /LiveTv/Info`).
    pub struct LiveTvInfo {
        pub is_enabled: bool,
        pub enabled_users: Vec<String>,
    }
}

model! {
    /// `LiveTv.TimerInfoDto` and `LiveTv.SeriesTimerInfoDto` (`type` tells them apart:
    /// `Timer` or `SeriesTimer`), reduced to what the sensors and actions read.
    pub struct Timer {
        pub id: String,
        #[serde(rename(deserialize = "Type"))]
        pub r#type: Option<String>,
        pub name: Option<String>,
        pub status: Option<String>,
        pub channel_id: Option<String>,
        pub channel_name: Option<String>,
        pub program_id: Option<String>,
        pub series_timer_id: Option<String>,
        pub start_date: Option<String>,
        pub end_date: Option<String>,
        pub run_time_ticks: Option<i64>,
        pub pre_padding_seconds: Option<i64>,
        pub post_padding_seconds: Option<i64>,
    }
}

model! {
    /// `QueryResult_LiveTv.TimerInfoDto` / `QueryResult_LiveTv.SeriesTimerInfoDto`.
    pub struct TimersResult {
        pub items: Vec<Timer>,
        pub total_record_count: i64,
    }
}

// ---------------------------------------------------------------------------------------------
// Administration
// ---------------------------------------------------------------------------------------------

model! {
    /// `ActivityLogEntry` (`GET /System/ActivityLog/Entries`; Emby's id is a number).
    pub struct ActivityLogEntry {
        pub id: OpaqueId,
        pub name: Option<String>,
        #[serde(rename(deserialize = "Type"))]
        pub r#type: Option<String>,
        pub overview: Option<String>,
        pub short_overview: Option<String>,
        pub item_id: Option<String>,
        pub user_id: Option<String>,
        pub date: Option<String>,
        pub severity: Option<String>,
    }
}

model! {
    /// `QueryResult_ActivityLogEntry`.
    pub struct ActivityLogResult {
        pub items: Vec<ActivityLogEntry>,
        pub total_record_count: i64,
    }
}

model! {
    /// `Devices.DeviceInfo` (`GET /Devices`).
    pub struct Device {
        pub id: String,
        pub name: Option<String>,
        pub app_name: Option<String>,
        pub app_version: Option<String>,
        pub last_user_id: Option<String>,
        pub last_user_name: Option<String>,
        pub date_last_activity: Option<String>,
    }
}

model! {
    /// `Plugins.PluginInfo` (`GET /Plugins`).
    pub struct Plugin {
        pub id: String,
        pub name: String,
        pub version: Option<String>,
        pub description: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers() {
        let e: ActivityLogEntry =
            serde_json::from_str(r#"{"Id":42,"Name":"n","Type":"SessionStarted","Severity":null}"#)
                .expect("parse");
        assert_eq!(e.id.0, "42");
        assert_eq!(e.r#type.as_deref(), Some("SessionStarted"));
        assert!(e.severity.is_none());
        let v = serde_json::to_value(&e).expect("serialize");
        assert_eq!(v["id"], "42");
        assert_eq!(v["type"], "SessionStarted");
    }

    #[test]
    fn list_or_query_result() {
        let a: ListOrQueryResult<Device> =
            serde_json::from_str(r#"[{"Id":"d","Name":"TV"}]"#).expect("bare");
        let b: ListOrQueryResult<Device> =
            serde_json::from_str(r#"{"Items":[{"Id":"d","Name":"TV"}],"TotalRecordCount":1}"#)
                .expect("wrapped");
        let c: ListOrQueryResult<Device> = serde_json::from_str("null").expect("null");
        assert_eq!(a, b);
        assert_eq!(a.0[0].name.as_deref(), Some("TV"));
        assert!(c.0.is_empty());
        assert!(serde_json::from_str::<ListOrQueryResult<Device>>("3").is_err());
    }

    #[test]
    fn playlist_entries_keep_the_item_and_their_entry_id() {
        let r: PlaylistItemsResult = serde_json::from_str(
            r#"{"Items":[{"Id":"7","Name":"Song","Type":"Audio","PlaylistItemId":"e1","RunTimeTicks":10},
                         {"Id":"8","PlaylistItemId":null}],"TotalRecordCount":2}"#,
        )
        .expect("parse");
        assert_eq!(r.items[0].item.id, "7");
        assert_eq!(r.items[0].item.r#type.as_deref(), Some("Audio"));
        assert_eq!(r.items[0].playlist_item_id.as_deref(), Some("e1"));
        assert_eq!(r.items[1].playlist_item_id, None);
        let v = serde_json::to_value(&r.items[0]).expect("serialize");
        let o = v.as_object().expect("object");
        assert_eq!(o["playlist_item_id"], "e1");
        assert_eq!(o["run_time_ticks"], 10);
        assert_eq!(o.len(), 38, "every Item key plus playlist_item_id");
    }
}
