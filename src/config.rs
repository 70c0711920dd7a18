//! Where the server is and who we are to it: host parsing, the secret API key, and the identity
//! (the `MediaBrowser` authorization header) that makes Home Assistant one device in Emby.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

/// The API key. Its `Debug` and `Display` never show the value, so it cannot leak into a log line
/// or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_owned())
    }
    /// The raw value, for the `X-Emby-Token` header and the WebSocket query only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(**redacted**)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**redacted**")
    }
}

/// A server address after normalising user input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    pub host: String,
    pub port: u16,
    pub ssl: bool,
    /// Path prefix such as `/emby`, without a trailing slash; empty for none.
    pub base_path: String,
}

impl ServerAddress {
    /// Accepts a bare host (`emby.local`, `10.0.0.2`, `[::1]`), `host:port`, or a pasted URL
    /// (`https://emby.example/emby`). A scheme or port in the text wins over the separate fields.
    pub fn parse(input: &str, port: u16, ssl: bool) -> Result<Self> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
            return Err(Error::InvalidHost(format!(
                "{input:?} is not a host name or URL"
            )));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("{}://{trimmed}", if ssl { "https" } else { "http" })
        };
        let url =
            Url::parse(&with_scheme).map_err(|e| Error::InvalidHost(format!("{input:?}: {e}")))?;
        let ssl = match url.scheme() {
            "https" | "wss" => true,
            "http" | "ws" => false,
            other => return Err(Error::InvalidHost(format!("unsupported scheme {other:?}"))),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(Error::InvalidHost(format!("{input:?} has no host"))),
        };
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(Error::InvalidHost(format!(
                "{input:?}: remove query, fragment or credentials"
            )));
        }
        // A port written in the text wins; otherwise the form's port field. (`Url` forgets a port
        // equal to the scheme's default, so look at the authority as typed.)
        let authority = with_scheme
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("");
        let typed_port = authority.rsplit_once(':').filter(|(h, p)| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (!h.starts_with('[') || h.ends_with(']'))
        });
        let port = match typed_port {
            Some(_) => url.port_or_known_default().unwrap_or(port),
            None => port,
        };
        if port == 0 {
            return Err(Error::InvalidHost("port 0".into()));
        }
        let base_path = url.path().trim_end_matches('/').to_owned();
        Ok(Self {
            host,
            port,
            ssl,
            base_path,
        })
    }

    fn host_for_url(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// `http(s)://host:port/base`, never with credentials.
    pub fn http_base(&self) -> String {
        let scheme = if self.ssl { "https" } else { "http" };
        format!(
            "{scheme}://{}:{}{}",
            self.host_for_url(),
            self.port,
            self.base_path
        )
    }

    /// `ws(s)://host:port/base`, never with credentials.
    pub fn ws_base(&self) -> String {
        let scheme = if self.ssl { "wss" } else { "ws" };
        format!(
            "{scheme}://{}:{}{}",
            self.host_for_url(),
            self.port,
            self.base_path
        )
    }
}

/// Everything needed to talk to one server as one Home Assistant instance.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub address: ServerAddress,
    pub api_key: ApiKey,
    pub verify_ssl: bool,
    /// Unique per Home Assistant instance (Emby lists each device id as one device).
    pub device_id: String,
    pub device_name: String,
    pub client_name: String,
    pub client_version: String,
    /// Default per-request timeout (10 s unless overridden).
    pub timeout: Duration,
}

impl ClientConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// The identity of the sign-ins that get user tokens for player URLs: a device of its own
    /// (`<device id>-media`), so they never touch the session of our API key and WebSocket.
    pub fn media_authorization_header(&self) -> String {
        fn clean(v: &str) -> String {
            v.chars()
                .filter(|c| *c != '"' && *c != ',' && !c.is_control())
                .collect()
        }
        format!(
            "MediaBrowser Client=\"{}\", Device=\"{} media\", DeviceId=\"{}-media\", Version=\"{}\"",
            clean(&self.client_name),
            clean(&self.device_name),
            clean(&self.device_id),
            clean(&self.client_version),
        )
    }

    /// The `MediaBrowser` authorization header value (identity, plus the token so the server ties
    /// our requests and the WebSocket to one session).
    pub fn authorization_header(&self) -> String {
        fn clean(v: &str) -> String {
            v.chars()
                .filter(|c| *c != '"' && *c != ',' && !c.is_control())
                .collect()
        }
        format!(
            "MediaBrowser Client=\"{}\", Device=\"{}\", DeviceId=\"{}\", Version=\"{}\", Token=\"{}\"",
            clean(&self.client_name),
            clean(&self.device_name),
            clean(&self.device_id),
            clean(&self.client_version),
            clean(self.api_key.expose()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ServerAddress {
        ServerAddress::parse(s, 8096, false).expect(s)
    }

    #[test]
    fn bare_hosts() {
        assert_eq!(p("emby.local").http_base(), "http://emby.local:8096");
        assert_eq!(p("10.0.0.2:9000").http_base(), "http://10.0.0.2:9000");
        assert_eq!(p("[::1]").http_base(), "http://[::1]:8096");
        assert_eq!(p(" emby.local/ ").host, "emby.local");
    }

    #[test]
    fn pasted_urls() {
        let a = p("https://emby.example.com/emby/");
        assert!(a.ssl);
        assert_eq!(a.port, 8096);
        assert_eq!(a.base_path, "/emby");
        assert_eq!(a.ws_base(), "wss://emby.example.com:8096/emby");
        assert_eq!(p("http://h:8097").port, 8097);
        assert_eq!(p("https://h:443").http_base(), "https://h:443");
    }

    #[test]
    fn invalid_hosts() {
        for bad in [
            "",
            "  ",
            "ftp://h",
            "http://",
            "a b",
            "http://h/?x=1",
            "http://u:p@h",
        ] {
            let r = ServerAddress::parse(bad, 8096, false);
            assert!(r.is_err(), "{bad:?} gave {r:?}");
        }
    }

    #[test]
    fn api_key_never_printed() {
        let k = ApiKey::new("supersecret");
        assert!(!format!("{k:?} {k}").contains("supersecret"));
    }
}
