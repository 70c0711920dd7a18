//! Where the server is and who we are to it: host parsing, the secret API key, and the identity
//! (the `MediaBrowser` authorization header) that makes Home Assistant one device in Emby.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::arguments::invalid;
use crate::error::{Error, Result};

/// The longest DNS name and label (RFC 1035): a longer one can never resolve.
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// `port` when it is a TCP port (1 to 65535); `InvalidHost` otherwise (a port is part of the
/// address the user gave, or stored by hand).
pub fn port(value: i64) -> Result<u16> {
    u16::try_from(value)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| Error::InvalidHost(format!("port {value} is not between 1 and 65535")))
}

/// Bare IPv6 literals (`::1`, `fe80::1`) get their brackets, so a URL can hold them; zone ids
/// (`fe80::1%eth0`) are refused (an HTTP client cannot use them).
fn bracket_ipv6(input: &str) -> Result<String> {
    let zone = |text: &str| {
        Error::InvalidHost(format!(
            "{text:?}: IPv6 zone ids (%..) are not supported; use a global address or a host name"
        ))
    };
    let inner = input
        .strip_prefix('[')
        .and_then(|rest| rest.split(']').next());
    if inner.is_some_and(|i| i.contains('%')) {
        return Err(zone(input));
    }
    if input.contains("://") || input.starts_with('[') {
        return Ok(input.to_owned());
    }
    let (address, zone_id) = input.split_once('%').unwrap_or((input, ""));
    if address.parse::<std::net::Ipv6Addr>().is_ok() {
        if !zone_id.is_empty() {
            return Err(zone(input));
        }
        return Ok(format!("[{address}]"));
    }
    Ok(input.to_owned())
}

/// The base path of a pasted URL: a link to Emby's web app (`/emby/web/index.html#!/home`) is
/// cut before `/web`, whose query and fragment are the app's (`true` in the second field).
fn base_path(path: &str) -> (String, bool) {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.iter().position(|s| s.eq_ignore_ascii_case("web")) {
        Some(web) => (segments[..web].join("/"), true),
        None => (path.trim_end_matches('/').to_owned(), false),
    }
}

/// The API key. Its `Debug` and `Display` never show the value, so it cannot leak into a log line
/// or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// The longest API key accepted (Emby's are 32 hex digits; user tokens are as short).
pub const MAX_API_KEY_LEN: usize = 256;

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_owned())
    }

    /// A key as typed by a user: surrounding blanks are dropped; what remains must be 1 to
    /// [`MAX_API_KEY_LEN`] printable ASCII characters without blanks (it travels in an HTTP
    /// header and a URL query). `InvalidArgument` otherwise, whose message never holds the key.
    pub fn parse(key: &str) -> Result<Self> {
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(invalid("api_key must not be empty"));
        }
        if trimmed.len() > MAX_API_KEY_LEN {
            return Err(invalid(format!(
                "api_key is longer than {MAX_API_KEY_LEN} characters"
            )));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "api_key may hold only letters, digits and punctuation (no blanks or other characters)",
            ));
        }
        Ok(Self(trimmed.to_owned()))
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
        // Messages quote the input, unless it may hold credentials (`user:password@host`).
        let shown = if input.contains('@') {
            "the address (credentials left out)"
        } else {
            input
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
            return Err(Error::InvalidHost(format!(
                "{shown:?} is not a host name or URL"
            )));
        }
        let trimmed = bracket_ipv6(trimmed)?;
        let with_scheme = if trimmed.contains("://") {
            trimmed.clone()
        } else {
            format!("{}://{trimmed}", if ssl { "https" } else { "http" })
        };
        let url =
            Url::parse(&with_scheme).map_err(|e| Error::InvalidHost(format!("{shown:?}: {e}")))?;
        let ssl = match url.scheme() {
            "https" | "wss" => true,
            "http" | "ws" => false,
            other => return Err(Error::InvalidHost(format!("unsupported scheme {other:?}"))),
        };
        let host = match url.host() {
            Some(url::Host::Domain(d))
                if d.len() > MAX_DOMAIN_LEN
                    || d.split('.').any(|label| label.len() > MAX_LABEL_LEN) =>
            {
                return Err(Error::InvalidHost(
                    "the host name is longer than DNS allows".to_owned(),
                ));
            }
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(Error::InvalidHost(format!("{shown:?} has no host"))),
        };
        let (base_path, web_app) = base_path(url.path());
        if !url.username().is_empty() || url.password().is_some() {
            // Not echoed: what precedes the `@` may be a password.
            return Err(Error::InvalidHost(
                "remove the user name and password from the URL".to_owned(),
            ));
        }
        if !web_app && (url.query().is_some() || url.fragment().is_some()) {
            return Err(Error::InvalidHost(format!(
                "{shown:?}: remove the query and fragment"
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
            "http://h/emby#top",
            "http://h/?",
            "http://u:p@h",
            "http://:secret@h",
            "http://user@h",
            "fe80::1%eth0",
            "[fe80::1%25eth0]:8096",
            "http://[fe80::1%25eth0]/",
            "http://h:65536",
            "http://h:0",
            "h:-1",
            "h:abc",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "mailto:a@b",
            &"a".repeat(64),
            &format!("{}.local", ["abcdefghij"; 25].join(".")),
        ] {
            let r = ServerAddress::parse(bad, 8096, false);
            assert!(r.is_err(), "{bad:?} gave {r:?}");
        }
    }

    #[test]
    fn ipv6_literals_get_brackets() {
        assert_eq!(p("::1").http_base(), "http://[::1]:8096");
        assert_eq!(p("fe80::1").host, "fe80::1");
        assert_eq!(p("[::1]:8097").port, 8097);
        assert_eq!(
            p("http://[::1]:8097/emby").ws_base(),
            "ws://[::1]:8097/emby"
        );
        let zone = ServerAddress::parse("fe80::1%eth0", 8096, false);
        assert!(
            matches!(&zone, Err(Error::InvalidHost(m)) if m.contains("zone")),
            "{zone:?}"
        );
    }

    #[test]
    fn web_app_links_keep_the_server_part() {
        let a = p("http://emby.local:8097/web/index.html#!/home?x=1");
        assert_eq!(
            (a.http_base().as_str(), a.base_path.as_str()),
            ("http://emby.local:8097", "")
        );
        let b = p("https://h/emby/web/index.html#!/item?id=7&serverId=abc");
        assert_eq!(b.http_base(), "https://h:8096/emby");
        assert_eq!(p("h:8096/emby/").base_path, "/emby");
    }

    #[test]
    fn credentials_in_urls_are_refused_without_echoing_them() {
        for url in [
            "http://:hunter2@h",
            "http://me:hunter2@h/emby",
            "http://me:hunter2@h:99999",
            "me:hunter2@h?x#y",
        ] {
            let e = ServerAddress::parse(url, 8096, false);
            assert!(
                matches!(&e, Err(Error::InvalidHost(m)) if !m.contains("hunter2")),
                "{e:?}"
            );
        }
    }

    #[test]
    fn ports_are_tcp_ports() {
        assert_eq!(port(1).ok(), Some(1));
        assert_eq!(port(65_535).ok(), Some(65_535));
        for bad in [0, -1, 65_536, i64::MAX, i64::MIN] {
            let e = port(bad);
            assert!(
                matches!(&e, Err(Error::InvalidHost(m)) if m.contains("65535")),
                "{e:?}"
            );
        }
    }

    #[test]
    fn api_keys_are_trimmed_printable_ascii() {
        let key = |k: &str| ApiKey::parse(k).map(|k| k.expose().to_owned());
        assert_eq!(key(" 0123abcd\n\t").ok().as_deref(), Some("0123abcd"));
        let long = "k".repeat(MAX_API_KEY_LEN);
        assert_eq!(key(&long).ok(), Some(long.clone()));
        for bad in ["", " \t\n", "ab cd", "ab\ncd", "cl\u{e9}", "ab\u{0}cd"] {
            let e = key(bad);
            assert!(
                matches!(&e, Err(Error::InvalidArgument(m)) if m.starts_with("api_key")),
                "{bad:?}: {e:?}"
            );
        }
        let too_long = key(&format!("{long}k"));
        assert!(matches!(&too_long, Err(Error::InvalidArgument(m)) if !m.contains("kkkk")));
    }

    #[test]
    fn api_key_never_printed() {
        let k = ApiKey::new("supersecret");
        assert!(!format!("{k:?} {k}").contains("supersecret"));
    }
}
