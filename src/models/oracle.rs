//! The fuzzing oracle of the REST models (the `rest` target of `fuzz/`, and its stable-toolchain
//! replay in the tests below): any bytes as the body of any endpoint's model never panic the
//! parser, an unusable body is one of the known error kinds, and what parses converts to the
//! snake_case JSON Python gets.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;
use crate::client::parse_json;
use crate::endpoint::Endpoint;

/// Parses `body` as `T` the way the client does and checks the outcome.
fn check<T: DeserializeOwned + Serialize>(body: &[u8], content_type: Option<&str>) {
    match parse_json::<T>(body, content_type, Endpoint::SystemInfo) {
        Ok(value) => {
            let json = serde_json::to_value(&value);
            assert!(json.is_ok(), "{json:?}");
        }
        Err(e) => assert!(
            ["invalid_json", "html_page", "unexpected_response"].contains(&e.kind()),
            "{e:?}"
        ),
    }
}

/// How many models [`check_rest_body`] chooses from.
pub const MODELS: u8 = 24;

/// The first byte picks the model (and whether the body is declared JSON or HTML), the rest is
/// the body.
#[doc(hidden)]
pub fn check_rest_body(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = if selector & 0x80 == 0 {
        Some("application/json; charset=utf-8")
    } else {
        Some("text/html")
    };
    match selector % MODELS {
        0 => {
            if let Ok(info) =
                parse_json::<PublicSystemInfo>(body, content_type, Endpoint::SystemInfoPublic)
            {
                let _ = info.normalize();
            }
            check::<PublicSystemInfo>(body, content_type);
        }
        1 => {
            if let Ok(info) = parse_json::<SystemInfo>(body, content_type, Endpoint::SystemInfo) {
                let _ = info.normalize();
            }
            check::<SystemInfo>(body, content_type);
        }
        2 => check::<Vec<User>>(body, content_type),
        3 => check::<UsersResult>(body, content_type),
        4 => check::<Vec<Session>>(body, content_type),
        5 => check::<ItemsResult>(body, content_type),
        6 => check::<Vec<Item>>(body, content_type),
        7 => check::<Item>(body, content_type),
        8 => check::<ItemCounts>(body, content_type),
        9 => check::<Vec<VirtualFolder>>(body, content_type),
        10 => check::<VirtualFoldersResult>(body, content_type),
        11 => check::<Vec<ScheduledTask>>(body, content_type),
        12 => check::<Vec<Plugin>>(body, content_type),
        13 => check::<Vec<Device>>(body, content_type),
        14 => check::<LiveTvInfo>(body, content_type),
        15 => check::<TimersResult>(body, content_type),
        16 => check::<NameIdResult>(body, content_type),
        17 => check::<ActivityLogResult>(body, content_type),
        18 => check::<PlaylistItemsResult>(body, content_type),
        19 => check::<PlaybackInfo>(body, content_type),
        20 => check::<UserData>(body, content_type),
        21 => check::<PlaylistCreated>(body, content_type),
        22 => check::<CollectionCreated>(body, content_type),
        _ => check::<Vec<TaskResult>>(body, content_type),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real payloads (tests/fixtures/emby) and the committed corpus, each as every model.
    fn corpus() -> Vec<Vec<u8>> {
        let mut inputs = Vec::new();
        for dir in ["tests/fixtures/emby", "fuzz/corpus/rest"] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for path in files {
                if path.extension().is_some_and(|x| x == "md") {
                    continue;
                }
                let body = std::fs::read(&path).expect("corpus file");
                if body.len() > 1 << 20 {
                    continue; // the OpenAPI file: nothing a model parses
                }
                if dir.ends_with("rest") {
                    inputs.push(body);
                } else {
                    for selector in 0..MODELS {
                        let mut input = vec![selector];
                        input.extend_from_slice(&body);
                        inputs.push(input);
                    }
                }
            }
        }
        inputs
    }

    fn fuzz(seed: u64, iterations: u64, deadline: Option<std::time::Instant>) -> u64 {
        let corpus = corpus();
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut done = 0;
        while done < iterations && deadline.is_none_or(|d| std::time::Instant::now() < d) {
            let mut input = corpus[rng.usize(0..corpus.len())].clone();
            for _ in 0..rng.usize(1..8) {
                crate::websocket::protocol::tests::mutate(&mut rng, &mut input, &corpus);
            }
            let outcome = std::panic::catch_unwind(|| check_rest_body(&input));
            assert!(
                outcome.is_ok(),
                "seed {seed}, input {:?}",
                String::from_utf8_lossy(&input)
            );
            done += 1;
        }
        done
    }

    #[test]
    fn the_rest_corpus_replays_cleanly() {
        let corpus = corpus();
        assert!(corpus.len() >= 200, "{} inputs", corpus.len());
        for input in &corpus {
            check_rest_body(input);
        }
    }

    #[test]
    fn seeded_mutations_of_rest_bodies_pass_the_oracle() {
        assert_eq!(fuzz(20_261_202, 5_000, None), 5_000);
    }

    /// The stable-toolchain fuzzer of `scripts/fuzz` for the REST models (FUZZ_SECONDS,
    /// FUZZ_SEED).
    #[test]
    #[ignore = "long-running; scripts/fuzz runs it when cargo-fuzz is unavailable"]
    fn fuzz_rest_for_a_while() {
        let seconds: u64 = std::env::var("FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        let seed: u64 = std::env::var("FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| fastrand::u64(..));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let done = fuzz(seed, u64::MAX, Some(deadline));
        println!("fuzzed {done} REST bodies in {seconds} s (FUZZ_SEED={seed})");
    }
}
