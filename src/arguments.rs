//! Argument checks of the public API. What Emby could not take is an [`Error::InvalidArgument`]
//! before anything is sent, whoever the caller: the Python binding only converts, so every rule
//! about an argument lives here (or beside the type it builds) and `cargo test` covers it.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

use crate::error::{Error, Result};

/// The longest timeout or interval a caller may give, in seconds (a day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// The error for `message` (which names the argument).
pub fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidArgument(message.into())
}

/// A duration given in seconds (`name` for the message): finite, positive, at most a day.
pub fn seconds(name: &str, value: f64) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value <= MAX_SECONDS {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(invalid(format!(
            "{name} must be a positive number of seconds (at most 86400)"
        )))
    }
}

/// A `timeout` keyword in seconds; `None` keeps the client's own.
pub fn timeout(value: Option<f64>) -> Result<Option<Duration>> {
    value.map(|t| seconds("timeout", t)).transpose()
}

/// Emby's ticks per second (100 ns ticks).
pub const TICKS_PER_SECOND: f64 = 10_000_000.0;

/// A media position in seconds as Emby ticks: finite and not negative, and no more ticks than
/// Emby's 64-bit fields hold (about 29,000 years).
pub fn position_ticks(seconds: f64) -> Result<i64> {
    let ticks = (seconds * TICKS_PER_SECOND).round();
    // `i64::MAX as f64` rounds up to 2^63: the comparison must be strict.
    #[allow(clippy::cast_precision_loss)]
    let limit = i64::MAX as f64;
    if ticks.is_finite() && ticks >= 0.0 && ticks < limit {
        #[allow(clippy::cast_possible_truncation)]
        Ok(ticks as i64)
    } else {
        Err(invalid(
            "position must be a finite, non-negative number of seconds",
        ))
    }
}

/// A position given in ticks: not negative.
pub fn ticks(name: &str, value: Option<i64>) -> Result<Option<i64>> {
    match value {
        Some(t) if t < 0 => Err(invalid(format!("{name} must not be negative"))),
        other => Ok(other),
    }
}

/// `value` when it lies in `range`.
pub fn in_range<T: PartialOrd + Display + Copy>(
    name: &str,
    value: T,
    range: &RangeInclusive<T>,
) -> Result<T> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(invalid(format!(
            "{name} must be between {} and {}",
            range.start(),
            range.end()
        )))
    }
}

/// `value` when it is one of `allowed` (`what` names it in the message).
pub fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} {value:?} is not one of {}",
            allowed.join(", ")
        )))
    }
}

/// An id that cannot be one (empty, `.`, `..` in a path; empty or holding a comma in a list).
pub fn not_an_id(name: &str, value: &str) -> Error {
    invalid(format!("{name} {value:?} is not an Emby id"))
}

/// Ids Emby gets joined with `,`: none may be empty or hold a comma (an empty list is fine).
pub fn id_list(name: &str, ids: &[String]) -> Result<()> {
    match ids.iter().find(|i| i.trim().is_empty() || i.contains(',')) {
        Some(bad) => Err(not_an_id(name, bad)),
        None => Ok(()),
    }
}

/// As [`id_list`], and at least one.
pub fn ids(name: &str, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Err(invalid(format!("{name} must not be empty")));
    }
    id_list(name, ids)
}

/// A name for something new (playlist, collection), without surrounding blanks.
pub fn name(name: &str) -> Result<&str> {
    match name.trim() {
        "" => Err(invalid("name must not be empty")),
        trimmed => Ok(trimmed),
    }
}

/// `SortOrder`: `Ascending` or `Descending` (absent: the server's default).
pub fn sort_order(order: Option<&str>) -> Result<()> {
    match order {
        None | Some("Ascending" | "Descending") => Ok(()),
        Some(_) => Err(invalid(
            "sort_order must be \"Ascending\" or \"Descending\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        match r {
            Err(Error::InvalidArgument(m)) => m,
            other => panic!("not an invalid argument: {other:?}"),
        }
    }

    #[test]
    fn seconds_are_positive_finite_and_at_most_a_day() {
        assert_eq!(seconds("t", 1.5).ok(), Some(Duration::from_millis(1500)));
        assert_eq!(
            seconds("t", 86_400.0).ok(),
            Some(Duration::from_secs(86_400))
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 86_400.5] {
            assert!(message(seconds("ping_interval_s", bad)).starts_with("ping_interval_s "));
        }
        assert_eq!(timeout(None).ok(), Some(None));
        assert!(message(timeout(Some(0.0))).starts_with("timeout must be"));
    }

    #[test]
    fn ranges_and_choices_name_the_argument() {
        assert_eq!(in_range("n", 500_u32, &(500..=10_000)).ok(), Some(500));
        assert_eq!(
            message(in_range(
                "sessions_interval_ms",
                10_001_u32,
                &(500..=10_000)
            )),
            "sessions_interval_ms must be between 500 and 10000"
        );
        assert!(one_of("command", "Pause", &["Pause"]).is_ok());
        assert_eq!(
            message(one_of("command", "Up", &["Pause", "Stop"])),
            "command \"Up\" is not one of Pause, Stop"
        );
        assert!(sort_order(Some("Descending")).is_ok() && sort_order(None).is_ok());
        assert!(message(sort_order(Some("Up"))).contains("sort_order"));
    }

    #[test]
    fn positions_are_finite_non_negative_ticks() {
        assert_eq!(position_ticks(0.0).ok(), Some(0));
        assert_eq!(position_ticks(1.5).ok(), Some(15_000_000));
        assert_eq!(position_ticks(-0.0).ok(), Some(0));
        assert_eq!(position_ticks(9.0e11).ok(), Some(9_000_000_000_000_000_000));
        for bad in [
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            9.3e11,
        ] {
            assert!(
                message(position_ticks(bad)).starts_with("position "),
                "{bad}"
            );
        }
        assert_eq!(ticks("t", Some(0)).ok(), Some(Some(0)));
        assert_eq!(ticks("t", None).ok(), Some(None));
        assert_eq!(
            message(ticks("seek_position_ticks", Some(-1))),
            "seek_position_ticks must not be negative"
        );
    }

    #[test]
    fn ids_and_names() {
        let list = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(id_list("item_ids", &[]).is_ok());
        assert!(ids("item_ids", &list(&["1", "a b"])).is_ok());
        assert_eq!(message(ids("item_ids", &[])), "item_ids must not be empty");
        assert_eq!(
            message(id_list("person_types", &list(&["Actor", "1,2"]))),
            "person_types \"1,2\" is not an Emby id"
        );
        assert!(message(ids("entry_ids", &list(&[" "]))).contains("not an Emby id"));
        assert_eq!(name("  Mix ").ok(), Some("Mix"));
        assert_eq!(message(name(" \t")), "name must not be empty");
    }
}
