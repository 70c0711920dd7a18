//! The one error type of the core. Every variant maps to one Python exception (see
//! `python/errors.rs`), and no message ever carries the API key: URLs are redacted before they are
//! formatted into an error.

use std::time::Duration;

/// Everything that can go wrong talking to an Emby server.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The user's host cannot form a URL.
    #[error("invalid host: {0}")]
    InvalidHost(String),
    /// Refused, reset, DNS failure, unreachable.
    #[error("cannot connect to {url}: {reason}")]
    CannotConnect { url: String, reason: String },
    /// No complete answer within the timeout.
    #[error("request to {url} timed out after {:.1} s", timeout.as_secs_f64())]
    Timeout { url: String, timeout: Duration },
    /// TLS handshake or certificate failure.
    #[error("TLS error talking to {url}: {reason}")]
    Ssl { url: String, reason: String },
    /// HTTP 401 or 403.
    #[error("authentication failed for {endpoint} (HTTP {status}): check the API key")]
    InvalidAuth { endpoint: String, status: u16 },
    /// HTTP 404.
    #[error("not found: {endpoint}")]
    NotFound { endpoint: String },
    /// HTTP 5xx.
    #[error("server error HTTP {status} from {endpoint}")]
    Server { endpoint: String, status: u16 },
    /// A body that is not JSON where JSON was due: empty, truncated (short read or cut-off
    /// document) or invalid syntax.
    #[error("unexpected response from {endpoint}: {reason}")]
    InvalidJson { endpoint: String, reason: String },
    /// An HTML page where JSON was due (a reverse proxy's or captive portal's page, a 2xx login
    /// form) or as the body of a 4xx error other than 401/403/404.
    /// `status` is set for error statuses (a 2xx page says nothing more).
    #[error("unexpected response from {endpoint}: an HTML page instead of JSON{}", http_status(*status))]
    HtmlPage {
        endpoint: String,
        status: Option<u16>,
    },
    /// Anything else that is not what Emby should send: other 4xx, JSON of the wrong shape.
    #[error("unexpected response from {endpoint}: {reason}")]
    UnexpectedResponse { endpoint: String, reason: String },
    /// The client was closed.
    #[error("the Emby client is closed")]
    Closed,
    /// An argument the caller gave cannot be sent to Emby (checked before anything is sent;
    /// see [`crate::arguments`]). The message names the argument.
    #[error("{0}")]
    InvalidArgument(String),
}

pub type Result<T> = std::result::Result<T, Error>;

fn http_status(status: Option<u16>) -> String {
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
}

impl Error {
    /// Short stable label, used as the `last_error` kind in metrics and for log de-duplication.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidHost(_) => "invalid_host",
            Error::CannotConnect { .. } => "cannot_connect",
            Error::Timeout { .. } => "timeout",
            Error::Ssl { .. } => "ssl_error",
            Error::InvalidAuth { .. } => "invalid_auth",
            Error::NotFound { .. } => "not_found",
            Error::Server { .. } => "server_error",
            Error::InvalidJson { .. } => "invalid_json",
            Error::HtmlPage { .. } => "html_page",
            Error::UnexpectedResponse { .. } => "unexpected_response",
            Error::Closed => "closed",
            Error::InvalidArgument(_) => "invalid_argument",
        }
    }
}

/// Removes the value of every `api_key`/`ApiKey`/`X-Emby-Token` query parameter from `text`.
/// Used on anything derived from a URL or a library error message before it is shown or logged.
pub fn redact(text: &str) -> String {
    const KEYS: [&str; 4] = ["api_key=", "apikey=", "x-emby-token=", "token="];
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hit = KEYS.iter().find(|k| {
            lower[i..].starts_with(*k)
                && (i == 0
                    || matches!(
                        text.as_bytes()[i - 1],
                        b'?' | b'&' | b' ' | b'"' | b'\'' | b'(' | b','
                    ))
        });
        if let Some(k) = hit {
            out.push_str(&text[i..i + k.len()]);
            out.push_str("REDACTED");
            i += k.len();
            while i < text.len()
                && !matches!(text.as_bytes()[i], b'&' | b' ' | b'"' | b'\'' | b')' | b'#')
            {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Scrubs anything that might hold the key: query-style keys ([`redact`]) and the literal key
/// value itself (a server can echo it in an error body, a frame, or a value serde quotes). The
/// one scrubbing function of the REST and the WebSocket paths.
pub fn scrub(text: &str, key: &str) -> String {
    let redacted = redact(text);
    if key.len() >= 4 && redacted.contains(key) {
        redacted.replace(key, "REDACTED")
    } else {
        redacted
    }
}

impl Error {
    /// This error with [`scrub`] applied to every text it carries.
    pub fn scrubbed(self, key: &str) -> Self {
        let s = |text: String| scrub(&text, key);
        match self {
            Error::InvalidHost(t) => Error::InvalidHost(s(t)),
            Error::InvalidArgument(t) => Error::InvalidArgument(s(t)),
            Error::CannotConnect { url, reason } => Error::CannotConnect {
                url: s(url),
                reason: s(reason),
            },
            Error::Timeout { url, timeout } => Error::Timeout {
                url: s(url),
                timeout,
            },
            Error::Ssl { url, reason } => Error::Ssl {
                url: s(url),
                reason: s(reason),
            },
            Error::InvalidAuth { endpoint, status } => Error::InvalidAuth {
                endpoint: s(endpoint),
                status,
            },
            Error::NotFound { endpoint } => Error::NotFound {
                endpoint: s(endpoint),
            },
            Error::Server { endpoint, status } => Error::Server {
                endpoint: s(endpoint),
                status,
            },
            Error::InvalidJson { endpoint, reason } => Error::InvalidJson {
                endpoint: s(endpoint),
                reason: s(reason),
            },
            Error::HtmlPage { endpoint, status } => Error::HtmlPage {
                endpoint: s(endpoint),
                status,
            },
            Error::UnexpectedResponse { endpoint, reason } => Error::UnexpectedResponse {
                endpoint: s(endpoint),
                reason: s(reason),
            },
            Error::Closed => Error::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_every_key_form() {
        let s = "ws://h:8096/embywebsocket?api_key=SECRET&deviceId=d and https://h/x?X-Emby-Token=SECRET2 (ApiKey=S3)";
        let r = redact(s);
        assert!(!r.contains("SECRET"), "{r}");
        assert!(!r.contains("S3"), "{r}");
        assert!(r.contains("deviceId=d"));
        assert!(r.contains("api_key=REDACTED"));
    }

    #[test]
    fn redact_leaves_other_text_alone() {
        assert_eq!(
            redact("no secrets here, é ünïcode"),
            "no secrets here, é ünïcode"
        );
        assert_eq!(redact("mytoken=1"), "mytoken=1");
    }

    #[test]
    fn scrub_hides_the_literal_key_in_every_variant() {
        let key = "k3y/with&odd=chars";
        let s = scrub(
            r#"{"Echo":"k3y/with&odd=chars"} ws://h/embywebsocket?api_key=k3y"#,
            key,
        );
        assert!(!s.contains("k3y"), "{s}");
        let e = Error::UnexpectedResponse {
            endpoint: format!("/Users/{key}"),
            reason: format!("invalid type: string \"{key}\""),
        }
        .scrubbed(key);
        assert!(!format!("{e} {e:?}").contains(key), "{e:?}");
        // Too short to tell from ordinary text: left alone.
        assert_eq!(scrub("abc", "abc"), "abc");
    }
}
