//! Opening the socket: the URL, the shared TLS configuration and the handshake, with errors that
//! say what went wrong and never carry the key.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::config::ClientConfig;
pub use crate::error::scrub;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Largest message and frame we accept: a `Sessions` snapshot of a busy server is tens of KB; a
/// home server never needs the 64 MiB default, and a hostile one must not make us buffer it.
const MAX_MESSAGE: usize = 16 << 20;
const MAX_FRAME: usize = 8 << 20;

/// `ws(s)://host:port[/base]/embywebsocket?api_key=..&deviceId=..` (EMBY.md 4.1). Holds the key:
/// never log it, use [`display_url`].
pub fn websocket_url(config: &ClientConfig) -> Result<url::Url, String> {
    let mut url = url::Url::parse(&format!("{}/embywebsocket", config.address.ws_base()))
        .map_err(|e| format!("invalid WebSocket URL: {e}"))?;
    url.query_pairs_mut()
        .append_pair("api_key", config.api_key.expose())
        .append_pair("deviceId", &config.device_id);
    Ok(url)
}

/// The WebSocket URL without its query (safe to log).
pub fn display_url(config: &ClientConfig) -> String {
    format!("{}/embywebsocket", config.address.ws_base())
}

/// Opens the socket to the server of `config` with `tls` (the REST client's configuration, so
/// `verify_ssl` means the same for both) within `timeout`. Errors are short, redacted sentences.
pub async fn connect(
    config: &ClientConfig,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> Result<Socket, String> {
    let url = websocket_url(config)?;
    let request = url.as_str().into_client_request().map_err(|e| {
        scrub(
            &format!("invalid WebSocket request: {e}"),
            config.api_key.expose(),
        )
    })?;
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_FRAME));
    // An explicit connector: without one tokio-tungstenite reloads the system roots on every
    // connect, and could decide trust differently from the REST client.
    let connector = if config.address.ssl {
        Connector::Rustls(tls)
    } else {
        Connector::Plain
    };
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(ws_config),
        true,
        Some(connector),
    );
    match tokio::time::timeout(timeout, connecting).await {
        Err(_) => Err(format!(
            "connect timed out after {:.1} s",
            timeout.as_secs_f64()
        )),
        Ok(Err(e)) => Err(scrub(&describe(&e), config.api_key.expose())),
        Ok(Ok((socket, _response))) => Ok(socket),
    }
}

/// One sentence per way a handshake fails.
fn describe(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as E;
    if let Some(tls) = crate::tls::find_error(e) {
        return format!("TLS failed: {tls}");
    }
    match e {
        E::Http(response) => {
            let status = response.status();
            match status.as_u16() {
                401 | 403 => format!("the server rejected the API key (HTTP {})", status.as_u16()),
                404 => "the server has no WebSocket endpoint here (HTTP 404)".to_owned(),
                _ => format!(
                    "the server refused the WebSocket (HTTP {})",
                    status.as_u16()
                ),
            }
        }
        E::Io(io) => format!("connect failed: {io}"),
        E::Tls(t) => format!("TLS failed: {t}"),
        other => format!("connect failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ApiKey, ServerAddress};

    fn config(host: &str, ssl: bool) -> ClientConfig {
        ClientConfig {
            address: ServerAddress::parse(host, 8096, ssl).expect("address"),
            api_key: ApiKey::new("k3y/with&odd=chars"),
            verify_ssl: true,
            device_id: "ha device".into(),
            device_name: "HA".into(),
            client_name: "HA".into(),
            client_version: "1".into(),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn urls_keep_the_base_path_and_encode_the_query() {
        let url = websocket_url(&config("https://emby.example:8920/emby/", false)).expect("url");
        assert_eq!(
            url.as_str(),
            "wss://emby.example:8920/emby/embywebsocket?api_key=k3y%2Fwith%26odd%3Dchars&deviceId=ha+device"
        );
        let url = websocket_url(&config("10.0.0.2", false)).expect("url");
        assert_eq!(url.scheme(), "ws");
        assert_eq!(url.path(), "/embywebsocket");
        assert_eq!(
            display_url(&config("[::1]", true)),
            "wss://[::1]:8096/embywebsocket"
        );
    }

    #[test]
    fn scrub_hides_the_literal_key_too() {
        let s = scrub(
            r#"{"Echo":"k3y/with&odd=chars"} ws://h/embywebsocket?api_key=k3y"#,
            "k3y/with&odd=chars",
        );
        assert!(!s.contains("k3y"), "{s}");
    }
}
