//! Frames of every shape, the real captures, the fuzz corpus and seeded mutations through the
//! oracle.

use super::*;
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/emby/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// What `text` parses to, without its message type.
fn frame(text: &str) -> Result<Frame, Malformed> {
    parse_frame(text).map(|r| r.frame)
}

#[test]
fn real_library_changed_frame() {
    let Ok(Frame::Event(Event::LibraryChanged {
        items_added,
        items_updated,
        ..
    })) = frame(&fixture("emby_ws_librarychanged_4.9.5.json"))
    else {
        panic!("not parsed")
    };
    assert_eq!(items_updated, vec!["1855520".to_owned()]);
    assert!(items_added.is_empty());
}

#[test]
fn real_user_data_changed_frame() {
    let Ok(Frame::Event(Event::UserDataChanged { user_id, item_ids })) =
        frame(&fixture("emby_ws_userdatachanged_4.9.5.json"))
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
    let text = serde_json::json!({"MessageType": "Sessions", "Data": sessions}).to_string();
    let Ok(Received {
        message_type,
        frame: Frame::Event(Event::Sessions { sessions: list }),
    }) = parse_frame(&text)
    else {
        panic!("not parsed")
    };
    assert_eq!(message_type, "Sessions");
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
        frame(r#"{"MessageType":"ForceKeepAlive","Data":60}"#),
        Ok(Frame::ForceKeepAlive(60))
    );
    assert_eq!(frame(r#"{"MessageType":"Ping"}"#), Ok(Frame::Ignored));
    assert_eq!(
        parse_frame(r#"{"MessageType":"KeepAlive","MessageId":"x"}"#),
        Ok(Received {
            message_type: "KeepAlive".to_owned(),
            frame: Frame::Ignored
        })
    );
}

#[test]
fn activity_log_entries_and_plugin_changes() {
    let text = r#"{"MessageType":"ActivityLogEntry","Data":[{"Id":7,"Name":"Ann is playing X","Type":"playback.start","UserId":"u1","Date":"2026-11-24T12:00:00.0000000Z","Severity":"Info"},5]}"#;
    let Ok(Frame::Event(Event::ActivityLogEntry { entries })) = frame(text) else {
        panic!("not parsed: {text}");
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].r#type.as_deref(), Some("playback.start"));
    assert_eq!(entries[0].user_id.as_deref(), Some("u1"));
    let single = r#"{"MessageType":"ActivityLogEntry","Data":{"Id":8,"Name":null}}"#;
    assert!(matches!(
        frame(single),
        Ok(Frame::Event(Event::ActivityLogEntry { entries })) if entries.len() == 1
    ));
    assert_eq!(
        frame(r#"{"MessageType":"ActivityLogEntry","Data":"x"}"#),
        Err(Malformed::BadData("ActivityLogEntry"))
    );
    for t in [
        "PackageInstallationCompleted",
        "PluginUninstalled",
        "PackageInstalling",
    ] {
        let text = format!(r#"{{"MessageType":"{t}","Data":{{"Name":"Trakt"}}}}"#);
        assert_eq!(
            frame(&text),
            Ok(Frame::Event(Event::PluginsChanged {
                message_type: t.to_owned()
            }))
        );
        check_frame(&text);
    }
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
            let r = frame(&format!(r#"{{"MessageType":"{t}"{data}}}"#));
            assert!(
                matches!(
                    r,
                    Err(Malformed::BadData(_))
                        | Ok(Frame::Event(
                            Event::Sessions { .. } | Event::ScheduledTasksInfo { .. }
                        ))
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
        frame(r#"{"MessageType":"ForceKeepAlive","Data":"abc"}"#),
        Ok(Frame::ForceKeepAlive(60))
    );
    assert_eq!(
        frame(r#"{"MessageType":"ForceKeepAlive","Data":" 30 "}"#),
        Ok(Frame::ForceKeepAlive(30))
    );
}

#[test]
fn double_encoded_data_and_numeric_ids() {
    let r = frame(
        r#"{"MessageType":"LibraryChanged","Data":"{\"ItemsAdded\":[12,\"13\",null],\"ItemsRemoved\":7}"}"#,
    );
    let Ok(Frame::Event(Event::LibraryChanged {
        items_added,
        items_removed,
        ..
    })) = r
    else {
        panic!("{r:?}")
    };
    assert_eq!(items_added, vec!["12".to_owned(), "13".to_owned()]);
    assert_eq!(
        items_removed,
        vec!["7".to_owned()],
        "a single id is a list of one"
    );
    assert_eq!(
        frame(r#"{"MessageType":"UserDeleted","Data":"42"}"#),
        Ok(Frame::Event(Event::UserDeleted {
            user_id: Some("42".into())
        }))
    );
    assert_eq!(
        frame(r#"{"MessageType":"UserUpdated","Data":{"Id":7,"Name":"a"}}"#),
        Ok(Frame::Event(Event::UserUpdated {
            user_id: Some("7".into())
        }))
    );
    assert_eq!(
        frame(
            r#"{"MessageType":"UserDataChanged","Data":{"UserId":"u","UserDataList":[{"ItemId":""," Id":1},{"Id":2},5,{"ItemId":"3"}]}}"#
        ),
        Ok(Frame::Event(Event::UserDataChanged {
            user_id: "u".into(),
            item_ids: vec!["2".into(), "3".into()],
        }))
    );
    assert_eq!(
        frame(
            r#"{"MessageType":"ScheduledTaskEnded","Data":{"Key":"k","Name":"Scan","Status":null}}"#
        ),
        Ok(Frame::Event(Event::ScheduledTaskEnded {
            task_id: Some("k".into()),
            name: Some("Scan".into()),
            status: None,
        }))
    );
}

#[test]
fn one_bad_session_does_not_cost_the_snapshot() {
    let r = frame(
        r#"{"MessageType":"Sessions","Data":[{"DeviceId":"a","Id":"1"},5,{"DeviceId":"b","Id":"2"}]}"#,
    );
    let Ok(Frame::Event(Event::Sessions { sessions: list })) = r else {
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

/// The `Sessions` frame of `entries` (JSON texts).
fn sessions_frame(entries: &[&str]) -> String {
    format!(
        r#"{{"MessageType":"Sessions","Data":[{}]}}"#,
        entries.join(",")
    )
}

fn sessions_of(text: &str, reuse: &mut SessionReuse) -> Vec<Arc<Session>> {
    match parse_frame_reusing(text, reuse) {
        Ok(Received {
            frame: Frame::Event(Event::Sessions { sessions }),
            ..
        }) => sessions,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_session_as_it_was_is_shared_not_parsed_again() {
    let (tv, phone, paused) = (
        r#"{"DeviceId":"tv","Id":"1","PlayState":{"PositionTicks":10}}"#,
        r#"{"DeviceId":"phone","Id":"2"}"#,
        r#"{"DeviceId":"tv","Id":"1","PlayState":{"PositionTicks":10,"IsPaused":true}}"#,
    );
    let mut reuse = SessionReuse::default();
    let first = sessions_of(&sessions_frame(&[tv, "7", phone]), &mut reuse);
    let second = sessions_of(&sessions_frame(&[paused, "7", phone]), &mut reuse);
    // Whatever is shared, each frame reads as it would on its own.
    for (text, read) in [
        (sessions_frame(&[tv, "7", phone]), &first),
        (sessions_frame(&[paused, "7", phone]), &second),
    ] {
        let Ok(Frame::Event(Event::Sessions { sessions })) = frame(&text) else {
            panic!("{text}")
        };
        assert_eq!(&sessions, read);
    }
    assert!(second[0].play_state.is_paused);
    assert!(!Arc::ptr_eq(&first[0], &second[0]));
    assert!(Arc::ptr_eq(&first[1], &second[1]));
    // Another place in the list is another entry: read again.
    let moved = sessions_of(&sessions_frame(&[phone, paused]), &mut reuse);
    assert_eq!(moved[0], first[1]);
    assert!(!Arc::ptr_eq(&moved[0], &first[1]));
    assert_eq!(moved[1], second[0]);
    // A frame that is not a list forgets nothing, and breaks nothing.
    let bad = parse_frame_reusing(r#"{"MessageType":"Sessions","Data":5}"#, &mut reuse);
    assert_eq!(bad, Err(Malformed::BadData("Sessions")));
    let again = sessions_of(&sessions_frame(&[phone, paused]), &mut reuse);
    assert!(Arc::ptr_eq(&again[0], &moved[0]));
}
