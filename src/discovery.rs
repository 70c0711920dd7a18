//! Emby's UDP server discovery: the datagram `who is EmbyServer?` sent to port 7359 is answered
//! by every Emby server that hears it with JSON `{"Address", "Id", "Name"}`.
//!
//! The target is the caller's: production sends to the broadcast address, every test and tool of
//! this repository to a responder on 127.0.0.1. The wait is bounded; answers are parsed
//! defensively (size, JSON shape, a usable address) and anything else is skipped.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::UdpSocket;
use tokio::time::Instant;

use crate::arguments::invalid;
use crate::config::ServerAddress;
use crate::error::{Error, Result};

/// The port Emby listens on for discovery.
pub const DISCOVERY_PORT: u16 = 7359;
/// What Emby answers to (its own clients send exactly this).
pub const DISCOVERY_MESSAGE: &[u8] = b"who is EmbyServer?";
/// The production target: the local network's broadcast address.
pub const BROADCAST_TARGET: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::BROADCAST), DISCOVERY_PORT);
/// Answers longer than this are not Emby's (its answer is about 150 bytes).
const MAX_ANSWER: usize = 4096;
/// The longest wait a caller may ask for.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// One server that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveredServer {
    /// The server id (`Id`), also what `/System/Info` reports.
    pub id: String,
    /// The server name (`Name`); the id when the server sent none.
    pub name: String,
    /// The address the server gave (`Address`, e.g. `http://192.168.1.10:8096`).
    pub address: String,
    /// `address` split into what a client needs.
    pub host: String,
    pub port: u16,
    pub ssl: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    address: Option<String>,
    id: Option<String>,
    name: Option<String>,
}

/// Parses one answer; None for anything that is not a usable Emby answer.
pub fn parse_answer(datagram: &[u8]) -> Option<DiscoveredServer> {
    if datagram.len() > MAX_ANSWER {
        return None;
    }
    let answer: Answer = serde_json::from_slice(datagram).ok()?;
    let id = answer.id?.trim().to_owned();
    if id.is_empty() || id.len() > 128 || id.chars().any(|c| c.is_control() || c == '/') {
        return None;
    }
    let address = answer.address?.trim().to_owned();
    let parsed = ServerAddress::parse(&address, 8096, false).ok()?;
    let name = answer
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.clone());
    let host = if parsed.host.contains(':') {
        format!("[{}]{}", parsed.host, parsed.base_path)
    } else {
        format!("{}{}", parsed.host, parsed.base_path)
    };
    Some(DiscoveredServer {
        id,
        name,
        address,
        host,
        port: parsed.port,
        ssl: parsed.ssl,
    })
}

fn socket_error(target: SocketAddr, err: &std::io::Error) -> Error {
    Error::CannotConnect {
        url: format!("udp://{target}"),
        reason: err.to_string(),
    }
}

/// The checked arguments of a discovery call: `target` an IP address (the broadcast address in
/// production, 127.0.0.1 in tests), `port` not 0, `wait` a positive number of seconds up to
/// [`MAX_WAIT`].
pub fn discovery_arguments(target: &str, port: u16, wait: f64) -> Result<(SocketAddr, Duration)> {
    let ip: IpAddr = target
        .trim()
        .parse()
        .map_err(|_| invalid(format!("target {target:?} is not an IP address")))?;
    if port == 0 {
        return Err(invalid("port must be 1 to 65535"));
    }
    if !(wait.is_finite() && wait > 0.0 && wait <= MAX_WAIT.as_secs_f64()) {
        return Err(invalid(format!(
            "wait must be a positive number of seconds (at most {})",
            MAX_WAIT.as_secs()
        )));
    }
    Ok((SocketAddr::new(ip, port), Duration::from_secs_f64(wait)))
}

/// Sends the discovery datagram to `target` and collects the answers that arrive within
/// `wait` (one per server id, in arrival order).
pub async fn discover(target: SocketAddr, wait: Duration) -> Result<Vec<DiscoveredServer>> {
    let wait = wait.min(MAX_WAIT);
    let bind: SocketAddr = match target {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| socket_error(target, &e))?;
    let broadcast =
        matches!(target.ip(), IpAddr::V4(ip) if ip.is_broadcast() || ip.octets()[3] == 255);
    if broadcast {
        socket
            .set_broadcast(true)
            .map_err(|e| socket_error(target, &e))?;
    }
    socket
        .send_to(DISCOVERY_MESSAGE, target)
        .await
        .map_err(|e| socket_error(target, &e))?;

    let deadline = Instant::now() + wait;
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut buf = vec![0u8; MAX_ANSWER + 1];
    loop {
        let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
        match received {
            Err(_elapsed) => break,
            Ok(Ok((len, from))) => match parse_answer(&buf[..len]) {
                Some(server) if seen.insert(server.id.clone()) => found.push(server),
                Some(_) => {}
                None => {
                    log::debug!(target: "embymedia_core::discovery", "skipped a {len}-byte answer from {from} that is not Emby's");
                }
            },
            // ICMP "port unreachable" surfaces as a receive error on some systems: nobody
            // listens there, which is an answer of no server, not a failure.
            Ok(Err(e)) => {
                log::debug!(target: "embymedia_core::discovery", "discovery receive: {e}");
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::ConnectionReset
                ) {
                    return Err(socket_error(target, &e));
                }
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn discovery_arguments_are_checked_in_the_core() {
        use super::discovery_arguments;
        use crate::error::Error;
        let (addr, wait) = discovery_arguments(" 127.0.0.1 ", 7359, 2.0).expect("valid");
        assert_eq!(addr.to_string(), "127.0.0.1:7359");
        assert_eq!(wait, std::time::Duration::from_secs(2));
        for (target, port, wait) in [
            ("emby.local", 7359, 2.0),
            ("127.0.0.1", 0, 2.0),
            ("127.0.0.1", 7359, 0.0),
            ("127.0.0.1", 7359, f64::NAN),
            ("127.0.0.1", 7359, 31.0),
        ] {
            assert!(matches!(
                discovery_arguments(target, port, wait),
                Err(Error::InvalidArgument(_))
            ));
        }
    }

    use super::*;

    const ANSWER: &str = r#"{"Address":"http://127.0.0.1:8096","Id":"ae3349983dbe45d9aa1d317a7753483e","Name":"Living room","EndpointAddress":null}"#;

    /// A responder on loopback that answers each discovery datagram with `answers`.
    async fn responder(answers: Vec<Vec<u8>>) -> (SocketAddr, tokio::task::JoinHandle<usize>) {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let addr = socket.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let mut asked = 0;
            while let Ok(Ok((len, from))) =
                tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf)).await
            {
                if &buf[..len] != DISCOVERY_MESSAGE {
                    continue;
                }
                asked += 1;
                for answer in &answers {
                    socket.send_to(answer, from).await.expect("send");
                }
            }
            asked
        });
        (addr, task)
    }

    #[test]
    fn parses_emby_answers_defensively() {
        let server = parse_answer(ANSWER.as_bytes()).expect("answer");
        assert_eq!(server.id, "ae3349983dbe45d9aa1d317a7753483e");
        assert_eq!(server.name, "Living room");
        assert_eq!(
            (server.host.as_str(), server.port, server.ssl),
            ("127.0.0.1", 8096, false)
        );

        let https = parse_answer(br#"{"Address":"https://emby.lan:8920/emby","Id":"x1"}"#)
            .expect("https answer");
        assert_eq!(
            (https.host.as_str(), https.port, https.ssl),
            ("emby.lan/emby", 8920, true)
        );
        assert_eq!(https.name, "x1");
        let v6 = parse_answer(br#"{"Address":"http://[fe80::1]:8096","Id":"x2","Name":" "}"#)
            .expect("v6");
        assert_eq!(v6.host, "[fe80::1]");

        for bad in [
            &b"who is EmbyServer?"[..],
            b"",
            b"null",
            b"[]",
            b"{}",
            br#"{"Address":"http://h:8096"}"#,
            br#"{"Address":"http://h:8096","Id":""}"#,
            br#"{"Address":"http://h:8096","Id":"a/b"}"#,
            br#"{"Address":"http://h:8096","Id":7}"#,
            br#"{"Id":"abc","Name":"x"}"#,
            br#"{"Address":"","Id":"abc"}"#,
            br#"{"Address":"http://h:8096","Id":"abc""#,
        ] {
            assert_eq!(parse_answer(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        let mut huge = br#"{"Address":"http://h:8096","Id":"abc","Name":""#.to_vec();
        huge.extend(std::iter::repeat_n(b'x', MAX_ANSWER));
        huge.extend(br#""}"#);
        assert_eq!(parse_answer(&huge), None);
    }

    #[tokio::test]
    async fn finds_a_loopback_responder_once() {
        let other = br#"{"Address":"http://127.0.0.1:8097","Id":"second","Name":"Second"}"#;
        let (addr, task) = responder(vec![
            b"garbage".to_vec(),
            ANSWER.as_bytes().to_vec(),
            ANSWER.as_bytes().to_vec(), // the same server twice: listed once
            other.to_vec(),
        ])
        .await;
        let found = discover(addr, Duration::from_millis(500))
            .await
            .expect("discover");
        let ids: Vec<&str> = found.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["ae3349983dbe45d9aa1d317a7753483e", "second"]);
        assert_eq!(found[1].port, 8097);
        task.abort();
    }

    #[tokio::test]
    async fn no_responder_is_an_empty_answer_after_the_wait() {
        // A loopback port nobody listens on (bound, then released).
        let addr = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind")
            .local_addr()
            .expect("addr");
        let found = discover(addr, Duration::from_millis(200))
            .await
            .expect("discover");
        assert!(found.is_empty());
    }
}
