//! Emby WebSocket frames: `{"MessageType": .., "Data": .., "MessageId": ..}`, parsed defensively
//! straight into the [`Event`]s Python gets.
//!
//! The envelope is a typed struct that borrows `Data` as raw JSON text; the type's own model is
//! then parsed from that text (no `serde_json::Value` tree in between). `Data` may be missing, a
//! number, a string (sometimes holding JSON), an object or an array, depending on the type and
//! the server version (EMBY.md 4.2). A frame that cannot be what its type promises is reported
//! as [`Malformed`] with a stable kind, never as a panic.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::events::Event;
use crate::models::{ActivityLogEntry, ScheduledTask, Session};
use crate::shared_sessions::SessionReuse;

/// What a text frame asks of the connection. Moved once, into the queue: boxing the event
/// would cost an allocation per frame to save a copy.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Frame {
    /// An event for Python (the loop acts on some first: cache invalidation, reconnect).
    Event(Event),
    /// The server wants a `KeepAlive` within this many seconds.
    ForceKeepAlive(u64),
    /// Nothing to do: `KeepAlive`, `Ping`, or a type we do not act on.
    Ignored,
}

/// A parsed frame and the `MessageType` it is counted under in `messages_by_type`.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub message_type: String,
    pub frame: Frame,
}

/// Why a frame was skipped; `kind()` is stable for counting and log de-duplication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    /// Not JSON at all (or a JSON value that is not an object).
    NotJson,
    /// No string `MessageType`.
    NoMessageType,
    /// The `Data` of a known type has the wrong shape.
    BadData(&'static str),
}

impl Malformed {
    pub fn kind(&self) -> String {
        match self {
            Malformed::NotJson => "not_json".to_owned(),
            Malformed::NoMessageType => "no_message_type".to_owned(),
            Malformed::BadData(t) => format!("bad_data:{t}"),
        }
    }
}

/// The envelope: both members borrowed as raw JSON, interpreted once the type is known.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "MessageType", borrow, default)]
    message_type: Option<&'a RawValue>,
    #[serde(rename = "Data", borrow, default)]
    data: Option<&'a RawValue>,
}

/// An id as Emby sends it: a non-empty string or a number; anything else reads as none.
#[derive(Debug, Default)]
struct Id(Option<String>);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id((!v.is_empty()).then(|| v.to_owned())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Id, E> {
                // serde_json's own spelling of the number (as `Value` would have it).
                Ok(Id(serde_json::Number::from_f64(v).map(|n| n.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_unit<E>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_none<E>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Id, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Id, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// Lenient id list: strings or numbers, others skipped; a single id read as a list of one.
fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    let text = raw.get();
    let list = if text.starts_with('[') {
        serde_json::from_str::<Vec<Id>>(text).map(|l| l.into_iter().filter_map(|i| i.0).collect())
    } else {
        serde_json::from_str::<Id>(text).map(|i| i.0.into_iter().collect())
    };
    list.map_err(serde::de::Error::custom)
}

/// `LibraryUpdateInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct LibraryChange {
    #[serde(deserialize_with = "ids")]
    items_added: Vec<String>,
    #[serde(deserialize_with = "ids")]
    items_updated: Vec<String>,
    #[serde(deserialize_with = "ids")]
    items_removed: Vec<String>,
    #[serde(deserialize_with = "ids")]
    folders_added_to: Vec<String>,
    #[serde(deserialize_with = "ids")]
    folders_removed_from: Vec<String>,
}

/// `UserDataChanged`: the user, and the entries of the items whose data changed.
#[derive(Default, Deserialize)]
#[serde(default)]
struct UserDataChange<'a> {
    #[serde(rename = "UserId")]
    user_id: Id,
    #[serde(rename = "UserDataList", borrow)]
    list: Option<&'a RawValue>,
}

/// One entry of `UserDataList` (`ItemId`, older servers `Id`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct UserDataEntry {
    item_id: Id,
    id: Id,
}

/// `TaskResult` of `ScheduledTaskEnded` (the id is `Id`, on some servers `Key`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct TaskEnded {
    id: Id,
    key: Id,
    name: Id,
    status: Id,
}

/// `NotificationAdded`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Notification {
    name: Id,
    description: Id,
    level: Id,
}

/// A user object (`UserUpdated`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct UserRef {
    id: Id,
}

fn is_object(json: &str) -> bool {
    json.starts_with('{')
}

/// `Data` as JSON text (`null` when absent); a string that holds JSON is unwrapped (some
/// servers double-encode).
fn data_text(data: Option<&RawValue>) -> Cow<'_, str> {
    let Some(raw) = data else {
        return Cow::Borrowed("null");
    };
    let text = raw.get();
    if text.starts_with('"')
        && let Ok(inner) = serde_json::from_str::<String>(text)
    {
        let t = inner.trim_start();
        if (t.starts_with('{') || t.starts_with('['))
            && serde_json::from_str::<IgnoredAny>(t).is_ok()
        {
            return Cow::Owned(t.to_owned());
        }
    }
    Cow::Borrowed(text)
}

/// A model parsed from an object; anything else (or a wrong shape) is bad data of `kind`.
fn object<'a, T: Deserialize<'a>>(kind: &'static str, json: &'a str) -> Result<T, Malformed> {
    if !is_object(json) {
        return Err(Malformed::BadData(kind));
    }
    serde_json::from_str(json).map_err(|_| Malformed::BadData(kind))
}

/// The objects of an array that parse as `T` (one odd entry does not cost the whole list);
/// anything but an array is bad data of `kind`.
fn list_of<T: for<'a> Deserialize<'a>>(
    kind: &'static str,
    json: &str,
) -> Result<Vec<T>, Malformed> {
    let entries: Vec<&RawValue> = if json.starts_with('[') {
        serde_json::from_str(json).map_err(|_| Malformed::BadData(kind))?
    } else {
        return Err(Malformed::BadData(kind));
    };
    Ok(entries
        .into_iter()
        .filter(|e| is_object(e.get()))
        .filter_map(|e| serde_json::from_str(e.get()).ok())
        .collect())
}

/// The sessions of a `Sessions` array, those as they were in the connection's previous
/// snapshot shared from it (as [`list_of`]: an odd entry is left out, anything but an array
/// is bad data).
fn sessions(json: &str, reuse: &mut SessionReuse) -> Result<Vec<Arc<Session>>, Malformed> {
    const KIND: &str = "Sessions";
    if !json.starts_with('[') {
        return Err(Malformed::BadData(KIND));
    }
    let entries: Vec<&RawValue> =
        serde_json::from_str(json).map_err(|_| Malformed::BadData(KIND))?;
    let entries: Vec<&str> = entries.into_iter().map(RawValue::get).collect();
    let read = reuse.read(&entries, |entry| {
        Ok::<_, Infallible>(if is_object(entry) {
            serde_json::from_str(entry).ok()
        } else {
            None
        })
    });
    Ok(read.unwrap_or_else(|never| match never {}))
}

/// A lenient record of an object (all fields none for anything else).
fn fields<'a, T: Default + Deserialize<'a>>(json: &'a str) -> T {
    if is_object(json) {
        serde_json::from_str(json).unwrap_or_default()
    } else {
        T::default()
    }
}

/// Parses one text frame on its own.
pub fn parse_frame(text: &str) -> Result<Received, Malformed> {
    parse_frame_reusing(text, &mut SessionReuse::default())
}

/// Parses one text frame of a connection: a `Sessions` snapshot shares the sessions that are
/// as they were in the previous one.
pub fn parse_frame_reusing(text: &str, reuse: &mut SessionReuse) -> Result<Received, Malformed> {
    if !text.trim_start().starts_with('{') {
        return Err(Malformed::NotJson);
    }
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|_| Malformed::NotJson)?;
    let message_type = envelope
        .message_type
        .and_then(|t| serde_json::from_str::<String>(t.get()).ok())
        .ok_or(Malformed::NoMessageType)?;
    let data = data_text(envelope.data);
    let data = data.as_ref();
    let event = match message_type.as_str() {
        "Sessions" => Event::Sessions {
            sessions: sessions(data, reuse)?,
        },
        "PlaybackStart" => Event::PlaybackStart {
            session: object::<Session>("PlaybackStart", data)?,
        },
        "PlaybackStopped" => Event::PlaybackStopped {
            session: object::<Session>("PlaybackStopped", data)?,
        },
        "PlaybackProgress" => Event::PlaybackProgress {
            session: object::<Session>("PlaybackProgress", data)?,
        },
        "SessionEnded" => Event::SessionEnded {
            session: object::<Session>("SessionEnded", data)?,
        },
        "LibraryChanged" => {
            let c: LibraryChange = object("LibraryChanged", data)?;
            Event::LibraryChanged {
                items_added: c.items_added,
                items_updated: c.items_updated,
                items_removed: c.items_removed,
                folders_added_to: c.folders_added_to,
                folders_removed_from: c.folders_removed_from,
            }
        }
        "UserDataChanged" => {
            let change: UserDataChange<'_> = object("UserDataChanged", data)?;
            let user_id = change
                .user_id
                .0
                .ok_or(Malformed::BadData("UserDataChanged"))?;
            let item_ids = change
                .list
                .filter(|l| l.get().starts_with('['))
                .and_then(|l| serde_json::from_str::<Vec<&RawValue>>(l.get()).ok())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|e| {
                    let entry: UserDataEntry = fields(e.get());
                    entry.item_id.0.or(entry.id.0)
                })
                .collect();
            Event::UserDataChanged { user_id, item_ids }
        }
        "ServerRestarting" => Event::ServerRestarting,
        "ServerShuttingDown" => Event::ServerShuttingDown,
        "RestartRequired" => Event::RestartRequired,
        "ScheduledTaskEnded" => {
            let t: TaskEnded = fields(data);
            Event::ScheduledTaskEnded {
                task_id: t.id.0.or(t.key.0),
                name: t.name.0,
                status: t.status.0,
            }
        }
        "ScheduledTasksInfo" => Event::ScheduledTasksInfo {
            tasks: list_of::<ScheduledTask>("ScheduledTasksInfo", data)?,
        },
        // New activity-log entries (after `ActivityLogEntryStart`): a list, or one entry.
        "ActivityLogEntry" => Event::ActivityLogEntry {
            entries: if is_object(data) {
                vec![object::<ActivityLogEntry>("ActivityLogEntry", data)?]
            } else {
                list_of("ActivityLogEntry", data)?
            },
        },
        // A plugin installed, updated or removed (or its installation ended).
        "PackageInstalling"
        | "PackageInstallationCompleted"
        | "PackageInstallationFailed"
        | "PackageInstallationCancelled"
        | "PluginUninstalled" => Event::PluginsChanged {
            message_type: message_type.clone(),
        },
        "NotificationAdded" => {
            let n: Notification = fields(data);
            Event::NotificationAdded {
                name: n.name.0,
                description: n.description.0,
                level: n.level.0,
            }
        }
        "UserUpdated" => Event::UserUpdated {
            user_id: user_id(data),
        },
        "UserDeleted" => Event::UserDeleted {
            user_id: user_id(data),
        },
        "ForceKeepAlive" => {
            let secs = serde_json::from_str::<u64>(data).ok().or_else(|| {
                serde_json::from_str::<String>(data)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
            });
            // Jellyfin and Emby send 60; anything absurd falls back to it.
            let secs = secs.filter(|s| (2..=3600).contains(s)).unwrap_or(60);
            return Ok(Received {
                message_type,
                frame: Frame::ForceKeepAlive(secs),
            });
        }
        _ => {
            return Ok(Received {
                message_type,
                frame: Frame::Ignored,
            });
        }
    };
    Ok(Received {
        message_type,
        frame: Frame::Event(event),
    })
}

/// `UserUpdated` carries a user object, `UserDeleted` the bare id.
fn user_id(data: &str) -> Option<String> {
    if is_object(data) {
        fields::<UserRef>(data).id.0
    } else {
        serde_json::from_str::<Id>(data).ok().and_then(|i| i.0)
    }
}

/// The fuzzing oracle (the `frame` target of `fuzz/`, the corpus replay and the seeded mutation
/// tests): parsing `text` never panics, a parsed frame is counted under its own `MessageType`, a
/// rejected one under a known kind, every event converts to the JSON Python gets, tagged by
/// serde, and a frame read a second time on a connection (its sessions shared from the first
/// read) reads the same.
#[doc(hidden)]
pub fn check_frame(text: &str) {
    let mut reuse = SessionReuse::default();
    let first = parse_frame_reusing(text, &mut reuse);
    assert_eq!(parse_frame_reusing(text, &mut reuse), first, "{text}");
    match first {
        Ok(received) => {
            // Read independently of the envelope: as a `Value` where the frame is one (a number
            // beyond f64 is not, but raw `Data` of a type we ignore may hold one), else as a
            // struct of that one member.
            #[derive(Deserialize)]
            struct Declared {
                #[serde(rename = "MessageType")]
                message_type: String,
            }
            let declared = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => v
                    .get("MessageType")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                Err(_) => serde_json::from_str::<Declared>(text)
                    .ok()
                    .map(|d| d.message_type),
            };
            assert_eq!(
                declared.as_deref(),
                Some(received.message_type.as_str()),
                "{text}"
            );
            match received.frame {
                Frame::Event(event) => {
                    let converted = serde_json::to_value(&event);
                    assert!(converted.is_ok(), "{text}: {converted:?}");
                    let tag = converted
                        .ok()
                        .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_owned)));
                    assert_eq!(tag.as_deref(), Some(event.tag().as_str()), "{text}");
                }
                Frame::ForceKeepAlive(secs) => assert!((2..=3600).contains(&secs), "{text}"),
                Frame::Ignored => {}
            }
        }
        Err(m) => {
            let kind = m.kind();
            assert!(
                ["not_json", "no_message_type"].contains(&kind.as_str())
                    || kind.starts_with("bad_data:"),
                "{kind}"
            );
        }
    }
}

/// A client frame.
pub fn outbound(message_type: &str, data: Option<&str>) -> String {
    match data {
        Some(d) => serde_json::json!({ "MessageType": message_type, "Data": d }).to_string(),
        None => serde_json::json!({ "MessageType": message_type }).to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
