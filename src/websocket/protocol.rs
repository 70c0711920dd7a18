//! Emby WebSocket frames: `{"MessageType": .., "Data": .., "MessageId": ..}`, parsed defensively.
//!
//! `Data` may be missing, a number, a string (sometimes holding JSON), an object or an array,
//! depending on the type and the server version (EMBY.md 4.2). A frame that cannot be what its
//! type promises is reported as [`Malformed`] with a stable kind, never as a panic.

use serde::Deserialize;
use serde_json::Value;

use crate::models::{ScheduledTask, Session};

/// What the server said, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    Sessions(Vec<Session>),
    PlaybackStart(Session),
    PlaybackStopped(Session),
    PlaybackProgress(Session),
    SessionEnded(Session),
    LibraryChanged(LibraryChange),
    UserDataChanged {
        user_id: String,
        item_ids: Vec<String>,
    },
    ServerRestarting,
    ServerShuttingDown,
    RestartRequired,
    ScheduledTaskEnded(TaskEnded),
    ScheduledTasksInfo(Vec<ScheduledTask>),
    NotificationAdded(Notification),
    UserUpdated(Option<String>),
    UserDeleted(Option<String>),
    /// The server wants a `KeepAlive` within this many seconds.
    ForceKeepAlive(u64),
    KeepAlive,
    Ping,
    /// A type we do not act on (counted by type, ignored).
    Other(String),
}

/// `LibraryUpdateInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LibraryChange {
    #[serde(deserialize_with = "ids")]
    pub items_added: Vec<String>,
    #[serde(deserialize_with = "ids")]
    pub items_updated: Vec<String>,
    #[serde(deserialize_with = "ids")]
    pub items_removed: Vec<String>,
    #[serde(deserialize_with = "ids")]
    pub folders_added_to: Vec<String>,
    #[serde(deserialize_with = "ids")]
    pub folders_removed_from: Vec<String>,
}

impl LibraryChange {
    /// Every id the change is about (for cache invalidation).
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        self.items_added
            .iter()
            .chain(&self.items_updated)
            .chain(&self.items_removed)
            .chain(&self.folders_added_to)
            .chain(&self.folders_removed_from)
            .map(String::as_str)
    }
}

/// `TaskResult` of `ScheduledTaskEnded`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskEnded {
    pub task_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
}

/// `NotificationAdded`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    pub name: Option<String>,
    pub description: Option<String>,
    pub level: Option<String>,
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

/// Lenient id list: strings or numbers, nulls skipped, a non-array read as empty.
fn ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Array(a) => a.into_iter().filter_map(id_of).collect(),
        other => id_of(other).into_iter().collect(),
    })
}

fn id_of(v: Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `Data` as a JSON value: a string that holds JSON is unwrapped (some servers double-encode).
fn data_value(data: Option<Value>) -> Value {
    match data {
        Some(Value::String(s)) => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                serde_json::from_str(t).unwrap_or(Value::String(s))
            } else {
                Value::String(s)
            }
        }
        Some(v) => v,
        None => Value::Null,
    }
}

fn session(kind: &'static str, v: Value) -> Result<Session, Malformed> {
    if !v.is_object() {
        return Err(Malformed::BadData(kind));
    }
    serde_json::from_value(v).map_err(|_| Malformed::BadData(kind))
}

fn string_field(v: &Value, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| v.get(*n).cloned().and_then(id_of))
}

/// Parses one text frame.
pub fn parse_frame(text: &str) -> Result<Inbound, Malformed> {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        return Err(Malformed::NotJson);
    };
    let Some(Value::String(message_type)) = frame.remove("MessageType") else {
        return Err(Malformed::NoMessageType);
    };
    let data = data_value(frame.remove("Data"));
    Ok(match message_type.as_str() {
        "Sessions" => match data {
            Value::Array(list) => Inbound::Sessions(
                // One odd entry does not cost the whole snapshot.
                list.into_iter()
                    .filter(Value::is_object)
                    .filter_map(|s| serde_json::from_value(s).ok())
                    .collect(),
            ),
            _ => return Err(Malformed::BadData("Sessions")),
        },
        "PlaybackStart" => Inbound::PlaybackStart(session("PlaybackStart", data)?),
        "PlaybackStopped" => Inbound::PlaybackStopped(session("PlaybackStopped", data)?),
        "PlaybackProgress" => Inbound::PlaybackProgress(session("PlaybackProgress", data)?),
        "SessionEnded" => Inbound::SessionEnded(session("SessionEnded", data)?),
        "LibraryChanged" => {
            if !data.is_object() {
                return Err(Malformed::BadData("LibraryChanged"));
            }
            Inbound::LibraryChanged(
                serde_json::from_value(data).map_err(|_| Malformed::BadData("LibraryChanged"))?,
            )
        }
        "UserDataChanged" => {
            let user_id =
                string_field(&data, &["UserId"]).ok_or(Malformed::BadData("UserDataChanged"))?;
            let item_ids = match data.get("UserDataList") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(|d| string_field(d, &["ItemId", "Id"]))
                    .collect(),
                _ => Vec::new(),
            };
            Inbound::UserDataChanged { user_id, item_ids }
        }
        "ServerRestarting" => Inbound::ServerRestarting,
        "ServerShuttingDown" => Inbound::ServerShuttingDown,
        "RestartRequired" => Inbound::RestartRequired,
        "ScheduledTaskEnded" => Inbound::ScheduledTaskEnded(TaskEnded {
            task_id: string_field(&data, &["Id", "Key"]),
            name: string_field(&data, &["Name"]),
            status: string_field(&data, &["Status"]),
        }),
        "ScheduledTasksInfo" => match data {
            Value::Array(list) => Inbound::ScheduledTasksInfo(
                list.into_iter()
                    .filter(Value::is_object)
                    .filter_map(|t| serde_json::from_value(t).ok())
                    .collect(),
            ),
            _ => return Err(Malformed::BadData("ScheduledTasksInfo")),
        },
        "NotificationAdded" => Inbound::NotificationAdded(Notification {
            name: string_field(&data, &["Name"]),
            description: string_field(&data, &["Description"]),
            level: string_field(&data, &["Level"]),
        }),
        "UserUpdated" => Inbound::UserUpdated(user_id(data)),
        "UserDeleted" => Inbound::UserDeleted(user_id(data)),
        "ForceKeepAlive" => {
            let secs = match &data {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            // Jellyfin and Emby send 60; anything absurd falls back to it.
            Inbound::ForceKeepAlive(secs.filter(|s| (2..=3600).contains(s)).unwrap_or(60))
        }
        "KeepAlive" => Inbound::KeepAlive,
        "Ping" => Inbound::Ping,
        _ => Inbound::Other(message_type),
    })
}

/// `UserUpdated` carries a user object, `UserDeleted` the bare id.
fn user_id(data: Value) -> Option<String> {
    match data {
        Value::Object(_) => string_field(&data, &["Id"]),
        other => id_of(other),
    }
}

/// The stable label a frame is counted under in `messages_by_type`.
pub fn type_label(inbound: &Inbound) -> &str {
    match inbound {
        Inbound::Sessions(_) => "Sessions",
        Inbound::PlaybackStart(_) => "PlaybackStart",
        Inbound::PlaybackStopped(_) => "PlaybackStopped",
        Inbound::PlaybackProgress(_) => "PlaybackProgress",
        Inbound::SessionEnded(_) => "SessionEnded",
        Inbound::LibraryChanged(_) => "LibraryChanged",
        Inbound::UserDataChanged { .. } => "UserDataChanged",
        Inbound::ServerRestarting => "ServerRestarting",
        Inbound::ServerShuttingDown => "ServerShuttingDown",
        Inbound::RestartRequired => "RestartRequired",
        Inbound::ScheduledTaskEnded(_) => "ScheduledTaskEnded",
        Inbound::ScheduledTasksInfo(_) => "ScheduledTasksInfo",
        Inbound::NotificationAdded(_) => "NotificationAdded",
        Inbound::UserUpdated(_) => "UserUpdated",
        Inbound::UserDeleted(_) => "UserDeleted",
        Inbound::ForceKeepAlive(_) => "ForceKeepAlive",
        Inbound::KeepAlive => "KeepAlive",
        Inbound::Ping => "Ping",
        Inbound::Other(t) => t,
    }
}

/// The fuzzing oracle (the `frame` target of `fuzz/`, the corpus replay and the seeded mutation
/// tests): parsing `text` never panics, a parsed frame is counted under its own `MessageType`, a
/// rejected one under a known kind, and whatever was parsed converts to the JSON Python gets.
#[doc(hidden)]
pub fn check_frame(text: &str) {
    match parse_frame(text) {
        Ok(inbound) => {
            let declared = serde_json::from_str::<Value>(text).ok().and_then(|v| {
                v.get("MessageType")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            assert_eq!(declared.as_deref(), Some(type_label(&inbound)), "{text}");
            let converted = match &inbound {
                Inbound::Sessions(list) => serde_json::to_value(list),
                Inbound::PlaybackStart(s)
                | Inbound::PlaybackStopped(s)
                | Inbound::PlaybackProgress(s)
                | Inbound::SessionEnded(s) => serde_json::to_value(s),
                Inbound::ScheduledTasksInfo(tasks) => serde_json::to_value(tasks),
                _ => Ok(Value::Null),
            };
            assert!(converted.is_ok(), "{text}: {converted:?}");
            if let Inbound::ForceKeepAlive(secs) = inbound {
                assert!((2..=3600).contains(&secs), "{text}");
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
pub(crate) mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/emby/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    #[test]
    fn real_library_changed_frame() {
        let Ok(Inbound::LibraryChanged(c)) =
            parse_frame(&fixture("emby_ws_librarychanged_4.9.5.json"))
        else {
            panic!("not parsed")
        };
        assert_eq!(c.items_updated, vec!["1855520".to_owned()]);
        assert!(c.items_added.is_empty());
    }

    #[test]
    fn real_user_data_changed_frame() {
        let Ok(Inbound::UserDataChanged { user_id, item_ids }) =
            parse_frame(&fixture("emby_ws_userdatachanged_4.9.5.json"))
        else {
            panic!("not parsed")
        };
        assert!(!user_id.is_empty());
        assert!(!item_ids.is_empty());
    }

    #[test]
    fn real_sessions_as_a_frame() {
        let sessions: Value =
            serde_json::from_str(&fixture("emby_sessions_playing_roku_4x.json")).expect("json");
        let frame = serde_json::json!({"MessageType": "Sessions", "Data": sessions}).to_string();
        let Ok(Inbound::Sessions(list)) = parse_frame(&frame) else {
            panic!("not parsed")
        };
        assert_eq!(list.len(), 1);
        assert!(list[0].now_playing_item.is_some());
        assert!(!list[0].device_id.is_empty());
    }

    #[test]
    fn control_frames_of_the_captures() {
        let frames: Value =
            serde_json::from_str(&fixture("ws_control_frames_examples.json")).expect("json");
        let list = frames
            .as_array()
            .or_else(|| frames.get("frames").and_then(Value::as_array))
            .cloned()
            .unwrap_or_default();
        assert!(!list.is_empty());
        for entry in list {
            let frame = entry.get("frame").cloned().unwrap_or(entry);
            // Every capture parses or is reported, never panics.
            let _ = parse_frame(&frame.to_string());
        }
        assert_eq!(
            parse_frame(r#"{"MessageType":"ForceKeepAlive","Data":60}"#),
            Ok(Inbound::ForceKeepAlive(60))
        );
        assert_eq!(parse_frame(r#"{"MessageType":"Ping"}"#), Ok(Inbound::Ping));
        assert_eq!(
            parse_frame(r#"{"MessageType":"KeepAlive","MessageId":"x"}"#),
            Ok(Inbound::KeepAlive)
        );
    }

    #[test]
    fn data_in_every_shape() {
        for data in [
            "",
            r#","Data":null"#,
            r#","Data":5"#,
            r#","Data":"x""#,
            r#","Data":[1]"#,
        ] {
            for t in [
                "PlaybackStart",
                "LibraryChanged",
                "UserDataChanged",
                "Sessions",
                "ScheduledTasksInfo",
            ] {
                let r = parse_frame(&format!(r#"{{"MessageType":"{t}"{data}}}"#));
                assert!(
                    matches!(
                        r,
                        Err(Malformed::BadData(_))
                            | Ok(Inbound::Sessions(_) | Inbound::ScheduledTasksInfo(_))
                    ),
                    "{t} {data}: {r:?}"
                );
            }
            for t in [
                "ServerRestarting",
                "UserDeleted",
                "NotificationAdded",
                "Whatever",
            ] {
                assert!(parse_frame(&format!(r#"{{"MessageType":"{t}"{data}}}"#)).is_ok());
            }
        }
        assert_eq!(parse_frame("not json"), Err(Malformed::NotJson));
        assert_eq!(parse_frame("[1,2]"), Err(Malformed::NotJson));
        assert_eq!(parse_frame(r#"{"Data":1}"#), Err(Malformed::NoMessageType));
        assert_eq!(
            parse_frame(r#"{"MessageType":7}"#),
            Err(Malformed::NoMessageType)
        );
        assert_eq!(
            parse_frame(r#"{"MessageType":"ForceKeepAlive","Data":"abc"}"#),
            Ok(Inbound::ForceKeepAlive(60))
        );
    }

    #[test]
    fn double_encoded_data_and_numeric_ids() {
        let r = parse_frame(
            r#"{"MessageType":"LibraryChanged","Data":"{\"ItemsAdded\":[12,\"13\",null]}"}"#,
        );
        let Ok(Inbound::LibraryChanged(c)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(c.items_added, vec!["12".to_owned(), "13".to_owned()]);
        assert_eq!(
            parse_frame(r#"{"MessageType":"UserDeleted","Data":"42"}"#),
            Ok(Inbound::UserDeleted(Some("42".into())))
        );
        assert_eq!(
            parse_frame(r#"{"MessageType":"UserUpdated","Data":{"Id":"7","Name":"a"}}"#),
            Ok(Inbound::UserUpdated(Some("7".into())))
        );
    }

    #[test]
    fn one_bad_session_does_not_cost_the_snapshot() {
        let r = parse_frame(
            r#"{"MessageType":"Sessions","Data":[{"DeviceId":"a","Id":"1"},5,{"DeviceId":"b","Id":"2"}]}"#,
        );
        let Ok(Inbound::Sessions(list)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(list.len(), 2);
    }

    fn corpus() -> Vec<Vec<u8>> {
        let dir = format!("{}/fuzz/corpus/frame", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fuzz corpus")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read(p).expect("corpus file"))
            .collect()
    }

    /// Every committed corpus input (real captures, the simulator's odd frames, and whatever
    /// the fuzzer found worth keeping) passes the oracle.
    #[test]
    fn the_fuzz_corpus_replays_cleanly() {
        let corpus = corpus();
        assert!(corpus.len() >= 30, "{} inputs", corpus.len());
        let mut parsed = 0;
        for input in &corpus {
            let text = String::from_utf8_lossy(input);
            check_frame(&text);
            parsed += usize::from(parse_frame(&text).is_ok());
        }
        assert!(
            parsed >= 20,
            "most seeds are real, parseable frames: {parsed}"
        );
    }

    /// One mutation of `input` in the manner of libFuzzer's simplest mutators.
    pub(crate) fn mutate(rng: &mut fastrand::Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
        const TOKENS: [&[u8]; 12] = [
            b"null",
            b"\"Data\"",
            b"\"MessageType\"",
            b"[]",
            b"{}",
            b"-1",
            b"1e309",
            b"\"\\u0000\"",
            b"\"Sessions\"",
            b"\"ForceKeepAlive\"",
            b"18446744073709551616",
            b"\"PlayState\"",
        ];
        let at = |rng: &mut fastrand::Rng, len: usize| rng.usize(0..=len);
        match rng.u8(0..6) {
            0 if !input.is_empty() => {
                let i = rng.usize(0..input.len());
                input[i] ^= 1 << rng.u8(0..8);
            }
            1 if !input.is_empty() => {
                let i = rng.usize(0..input.len());
                let n = rng.usize(1..=(input.len() - i).min(16));
                input.drain(i..i + n);
            }
            2 => {
                let i = at(rng, input.len());
                let token = TOKENS[rng.usize(0..TOKENS.len())];
                input.splice(i..i, token.iter().copied());
            }
            3 if !corpus.is_empty() => {
                // Splice a piece of another input.
                let other = &corpus[rng.usize(0..corpus.len())];
                if !other.is_empty() {
                    let from = rng.usize(0..other.len());
                    let to = rng.usize(from..=other.len().min(from + 64));
                    let i = at(rng, input.len());
                    input.splice(i..i, other[from..to].iter().copied());
                }
            }
            4 if !input.is_empty() => {
                let i = rng.usize(0..input.len());
                input[i] = rng.u8(..);
            }
            _ => {
                let i = at(rng, input.len());
                input.truncate(i);
            }
        }
    }

    /// Runs seeded mutations of the corpus through the oracle for `iterations` inputs or until
    /// `deadline`; on a failure the seed and the input are printed.
    fn fuzz_mutations(seed: u64, iterations: u64, deadline: Option<std::time::Instant>) -> u64 {
        let corpus = corpus();
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut done = 0;
        while done < iterations && deadline.is_none_or(|d| std::time::Instant::now() < d) {
            let mut input = corpus[rng.usize(0..corpus.len())].clone();
            for _ in 0..rng.usize(1..8) {
                mutate(&mut rng, &mut input, &corpus);
            }
            let text = String::from_utf8_lossy(&input).into_owned();
            let outcome = std::panic::catch_unwind(|| check_frame(&text));
            assert!(outcome.is_ok(), "seed {seed}, input {text:?}");
            done += 1;
        }
        done
    }

    #[test]
    fn seeded_mutations_of_the_corpus_pass_the_oracle() {
        assert_eq!(fuzz_mutations(20_261_125, 20_000, None), 20_000);
    }

    /// The stable-toolchain fuzzer of `scripts/fuzz` (FUZZ_SECONDS, FUZZ_SEED).
    #[test]
    #[ignore = "long-running; scripts/fuzz runs it when cargo-fuzz is unavailable"]
    fn fuzz_for_a_while() {
        let seconds: u64 = std::env::var("FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        let seed: u64 = std::env::var("FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| fastrand::u64(..));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let done = fuzz_mutations(seed, u64::MAX, Some(deadline));
        println!("fuzzed {done} inputs in {seconds} s (FUZZ_SEED={seed})");
    }

    /// A seeded generator of hostile frames (the stable-toolchain companion of the fuzz target).
    #[test]
    fn random_frames_never_panic() {
        let mut rng = fastrand::Rng::with_seed(7);
        let pieces = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"MessageType\"",
            "\"Data\"",
            "\"Sessions\"",
            "\"LibraryChanged\"",
            "\"UserDataChanged\"",
            "\"PlaybackStart\"",
            "null",
            "1e999",
            "-1",
            "\"\\u0000\"",
            "\"ItemsAdded\"",
            "[{}]",
            "\"UserId\"",
            "\"UserDataList\"",
        ];
        for _ in 0..20_000 {
            let n = rng.usize(0..24);
            let text: String = (0..n).map(|_| pieces[rng.usize(0..pieces.len())]).collect();
            check_frame(&text);
        }
    }
}
