//! The REST client against a hostile or broken server (issue 14, defects 1-3): a redirect never
//! carries the API key to another origin, a key echoed in a body never reaches an error, and a
//! body (gzip included) never grows past the documented limit.

mod support;

use std::io::Write;

use embymedia_core::Error;
use embymedia_core::client::MAX_BODY_BYTES;
use support::{KEY, Reply, TestServer};

const USERS: &str = r#"[{"Id":"u1","Name":"Ann","Policy":{"IsAdministrator":true}}]"#;

fn sends_the_key(server: &TestServer) -> bool {
    server.seen().iter().any(|r| {
        r.header("X-Emby-Token").is_some()
            || r.header("X-Emby-Authorization")
                .is_some_and(|h| h.contains(KEY))
            || r.query.iter().any(|(_, v)| v.contains(KEY))
    })
}

/// Defect 1. Seen failing before the fix: reqwest followed the 302/307 to the other port with
/// `X-Emby-Token` and `X-Emby-Authorization`, and the call succeeded.
#[tokio::test]
async fn a_redirect_to_another_origin_never_carries_the_key() {
    let elsewhere = TestServer::start(|_| Reply::json(USERS)).await;
    let target = format!("http://127.0.0.1:{}/Users", elsewhere.port);
    let redirect_to = target.clone();
    let server = TestServer::start(move |_| Reply::redirect(302, redirect_to.clone())).await;
    let client = server.client();

    for status in [301, 302, 303, 307, 308] {
        let location = target.clone();
        server.set_handler(move |_| Reply::redirect(status, location.clone()));
        let e = client
            .get_users()
            .await
            .expect_err("a cross-origin redirect fails");
        let text = e.to_string();
        assert_eq!(e.kind(), "unexpected_response", "{text}");
        assert!(text.contains("redirected to another origin"), "{text}");
        assert!(
            text.contains(&format!("http://127.0.0.1:{}", elsewhere.port)),
            "{text}"
        );
        assert!(!text.contains(KEY), "{text}");
    }
    // A POST (307 keeps the method and the body) is refused the same way.
    let location = format!(
        "http://127.0.0.1:{}/Sessions/s1/Playing/Pause",
        elsewhere.port
    );
    server.set_handler(move |_| Reply::redirect(307, location.clone()));
    client
        .playstate("s1", "Stop", None)
        .await
        .expect_err("a cross-origin redirect of a POST fails");
    // Another host name of the same machine is another origin too (`localhost`).
    let location = format!("http://localhost:{}/Users", server.port);
    server.set_handler(move |_| Reply::redirect(302, location.clone()));
    client.get_users().await.expect_err("another host name");

    assert_eq!(elsewhere.total(), 0, "{:?}", elsewhere.seen());
    assert!(!sends_the_key(&elsewhere));
}

/// A redirect on the same origin (a reverse proxy adding a slash) is still followed, with the key.
#[tokio::test]
async fn a_redirect_on_the_same_origin_is_followed() {
    let server = TestServer::start(|r| {
        if r.path == "/Users" {
            Reply::redirect(302, "/emby/Users")
        } else {
            Reply::json(USERS)
        }
    })
    .await;
    let users = server.client().get_users().await.expect("followed");
    assert_eq!(users.len(), 1);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("X-Emby-Token"), Some(KEY));
}

/// Defect 2. Seen failing before the fix: the literal key came back in the error text (the body
/// hint of a 400, and serde's "invalid type: string ..." of a 2xx body of the wrong shape).
#[tokio::test]
async fn a_key_echoed_by_the_server_never_reaches_an_error() {
    let server = TestServer::start(|_| Reply::json("")).await;
    let client = server.client();
    let echoes = [
        Reply {
            status: 400,
            content_type: "text/plain",
            ..Reply::json(format!("Invalid token {KEY} for this route"))
        },
        Reply {
            status: 409,
            ..Reply::json(format!(r#"{{"Error":"bad key","Key":"{KEY}"}}"#))
        },
        Reply::json(format!(
            r#"[{{"Id":"u1","Name":"Ann","Policy":{{"IsAdministrator":"{KEY}"}}}}]"#
        )),
        Reply::json(format!(r#"[{{"Id":"u1","Name":"Ann","Policy":{KEY}}}]"#)),
        Reply::json(format!("{KEY} is not JSON")),
    ];
    for reply in echoes {
        server.set_handler(move |_| reply.clone());
        let e = client.get_users().await.expect_err("an unusable answer");
        let text = format!("{e} {e:?}");
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("/Users"), "{text}");
    }
}

fn gzip(len: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).expect("gzip");
        left -= n;
    }
    encoder.finish().expect("gzip")
}

fn says_too_large(e: &Error) {
    let text = e.to_string();
    assert_eq!(e.kind(), "unexpected_response", "{text}");
    assert!(
        text.contains(&format!(
            "larger than the {} MiB limit",
            MAX_BODY_BYTES >> 20
        )),
        "{text}"
    );
}

/// Defect 3. Seen failing before the fix: the gzip body inflated in full (the image came back
/// with every byte), and the announced 1 GiB body was read until the server closed.
#[tokio::test]
async fn bodies_are_capped_gzip_included() {
    // A gzip bomb: a small transfer inflating past the limit, on a JSON and a bytes endpoint.
    let bomb = gzip(MAX_BODY_BYTES + (4 << 20));
    assert!(bomb.len() < MAX_BODY_BYTES / 64, "{}", bomb.len());
    let body = bomb.clone();
    let server = TestServer::start(move |_| {
        Reply {
            content_type: "image/jpeg",
            ..Reply::json("")
        }
        .header("Content-Encoding", "gzip")
        .with_body(body.clone())
    })
    .await;
    let client = server.client();
    match client.get_image("i1", "Primary", None, None).await {
        Ok(image) => panic!("an image inflating past the limit: {} bytes", image.0.len()),
        Err(e) => says_too_large(&e),
    }
    let body = bomb.clone();
    server.set_handler(move |_| {
        Reply::json("")
            .header("Content-Encoding", "gzip")
            .with_body(body.clone())
    });
    says_too_large(&client.get_users().await.expect_err("JSON past the limit"));

    // A body announced larger than the limit is refused before it is read.
    server.set_handler(|_| Reply {
        declared_len: Some(1 << 30),
        ..Reply::json("[")
    });
    says_too_large(&client.get_users().await.expect_err("announced 1 GiB"));

    // Just under the limit, inflated, is still a valid answer.
    let mut users = USERS.as_bytes().to_vec();
    users.extend(std::iter::repeat_n(b' ', MAX_BODY_BYTES - users.len()));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&users).expect("gzip");
    let exact = encoder.finish().expect("gzip");
    server.set_handler(move |_| {
        Reply::json("")
            .header("Content-Encoding", "gzip")
            .with_body(exact.clone())
    });
    assert_eq!(client.get_users().await.expect("at the limit").len(), 1);
}
