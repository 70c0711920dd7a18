//! The REST client against a tiny HTTP server on loopback: every method reaches its route with
//! declared parameters only, caches and coalescing save requests (counted by the server), errors
//! map to distinct kinds without the API key, and metrics are kept per endpoint template.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use embymedia_core::browse::ItemsQuery;
use embymedia_core::cache::ManualClock;
use embymedia_core::client::with_timeout;
use embymedia_core::endpoint::{Endpoint, Method};
use embymedia_core::metadata::NamesQuery;
use embymedia_core::{EmbyClient, Error};
use futures_util::future::join_all;
use support::{KEY, Reply, Seen, TestServer};

/// The endpoint a request was made to: the matching template with the most literal segments.
fn endpoint_of(r: &Seen) -> Option<Endpoint> {
    let segs: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
    Endpoint::ALL
        .iter()
        .copied()
        .filter(|e| e.method().as_str() == r.method)
        .filter(|e| {
            let t: Vec<&str> = e.template().split('/').filter(|s| !s.is_empty()).collect();
            t.len() == segs.len()
                && t.iter()
                    .zip(&segs)
                    .all(|(t, s)| t.starts_with('{') || t.eq_ignore_ascii_case(s))
        })
        .max_by_key(|e| {
            e.template()
                .split('/')
                .filter(|s| !s.starts_with('{'))
                .count()
        })
}

const ITEMS: &str = r#"{"Items":[{"Id":"i1","Name":"One","Type":"Movie"}],"TotalRecordCount":1}"#;

/// A plausible answer for every endpoint.
fn emby(r: &Seen) -> Reply {
    let Some(endpoint) = endpoint_of(r) else {
        return Reply::status(404);
    };
    use Endpoint::*;
    match endpoint {
        SystemInfoPublic | SystemInfo => {
            Reply::json(r#"{"Id":"srv","ServerName":"Emby","Version":"4.9.5.0"}"#)
        }
        SystemPing => Reply {
            content_type: "text/plain",
            ..Reply::json("Emby Server")
        },
        Users => Reply::json(r#"[{"Id":"u1","Name":"Ann","Policy":{"IsAdministrator":true}}]"#),
        UsersQuery => {
            Reply::json(r#"{"Items":[{"Id":"u1","Name":"Ann","Policy":{}}],"TotalRecordCount":1}"#)
        }
        Sessions | VirtualFolders | ScheduledTasks => Reply::json("[]"),
        VirtualFoldersQuery => Reply::json(r#"{"Items":[],"TotalRecordCount":0}"#),
        UserItem => Reply::json(r#"{"Id":"i1","Name":"One"}"#),
        LatestItems => Reply::json(r#"[{"Id":"i1"}]"#),
        Plugins => Reply::json(r#"[{"Id":"p1","Name":"Trakt","Version":"3.4.1.0"}]"#),
        Devices => Reply::json(r#"{"Items":[{"Id":"d1","Name":"TV"}],"TotalRecordCount":1}"#),
        LiveTvInfo => Reply::json(r#"{"IsEnabled":true,"EnabledUsers":["u1"]}"#),
        ItemCounts => Reply::json(r#"{"MovieCount":3}"#),
        Years => Reply::json(r#"{"Items":[{"Name":"1999","Id":"1999"}],"TotalRecordCount":1}"#),
        ActivityLog => Reply::json(
            r#"{"Items":[{"Id":7,"Name":"Ann signed in","Type":"AuthenticationSucceeded","Severity":"Info"}],"TotalRecordCount":1}"#,
        ),
        LiveTvTimers | LiveTvSeriesTimers => Reply::json(
            r#"{"Items":[{"Id":"t1","Type":"Timer","ProgramId":"p","Status":"New"}],"TotalRecordCount":1}"#,
        ),
        LiveTvTimerDefaults => {
            Reply::json(r#"{"ProgramId":"prog1","ChannelId":"c1","PrePaddingSeconds":60}"#)
        }
        PlaylistItems => {
            Reply::json(r#"{"Items":[{"Id":"i1","PlaylistItemId":"e1"}],"TotalRecordCount":1}"#)
        }
        AuthenticateByName => Reply::json(r#"{"AccessToken":"USERTOKEN","User":{"Id":"u1"}}"#),
        PlaybackInfo => Reply::json(
            r#"{"MediaSources":[{"Id":"m1","SupportsDirectPlay":true,"TranscodingUrl":"/videos/i1/master.m3u8?api_key=LEAK&DeviceId=d"}],"PlaySessionId":"ps"}"#,
        ),
        ItemImage => Reply {
            content_type: "image/png",
            ..Reply::json("\u{89}PNG")
        },
        CreatePlaylist => Reply::json(r#"{"Id":"pl1","Name":"Mix","ItemAddedCount":2}"#),
        AddToPlaylist => Reply::json(r#"{"Id":"pl1","ItemAddedCount":1}"#),
        CreateCollection => Reply::json(r#"{"Id":"bx1","Name":"Saga"}"#),
        MarkPlayed | MarkUnplayed | AddFavorite | RemoveFavorite => {
            Reply::json(r#"{"Played":true,"IsFavorite":true,"PlayCount":1,"Key":"i1"}"#)
        }
        _ if endpoint.method() == Method::Post => Reply::status(204),
        _ => Reply::json(ITEMS),
    }
}

/// Calls every request-making method of the client once.
async fn call_everything(c: &EmbyClient) -> Result<(), Error> {
    let ids = vec!["i1".to_owned(), "i2".to_owned()];
    let names = NamesQuery {
        parent_id: Some("lib".into()),
        include_item_types: vec!["Movie".into()],
        start_index: Some(0),
        limit: Some(10),
        search_term: Some("a".into()),
        sort_order: Some("Descending".into()),
    };
    c.get_public_info().await?;
    c.get_system_info().await?;
    assert!(c.ping(None).await?);
    c.restart_server().await?;
    c.shutdown_server().await?;
    c.get_users().await?;
    c.get_sessions().await?;
    c.play("s1", &ids, "PlayNow", Some(10)).await?;
    c.playstate("s1", "Seek", Some(10)).await?;
    c.general_command(
        "s1",
        "SetVolume",
        &[("Volume".to_owned(), "5".to_owned())].into(),
    )
    .await?;
    c.send_message("s1", "hi", "hdr", Some(5000)).await?;
    c.register_capabilities().await?;
    let info = c
        .get_playback_info("i1", Some("u1"), Some(8_000_000))
        .await?;
    let url = info.media_sources[0]
        .transcoding_url
        .clone()
        .unwrap_or_default();
    assert!(!url.contains("LEAK"), "{url}");
    // A user token for player URLs: one sign-in, as the media device, then used by player_url.
    assert!(
        c.player_url("/Audio/a/universal?x=1", Some("u1"))?
            .ends_with(&format!("&api_key={KEY}"))
    );
    c.user_media_token("u1", "Ann").await?;
    c.user_media_token("u1", "Ann").await?;
    assert_eq!(
        c.player_url("/Audio/a/universal", Some("u1"))?,
        format!("{}/Audio/a/universal?api_key=USERTOKEN", c.server_url())
    );
    assert!(
        c.player_url("/x", Some("u2"))?
            .ends_with(&format!("?api_key={KEY}"))
    );
    let (bytes, ct) = &*c.get_image("i1", "Primary", Some("tag"), Some(300)).await?;
    assert_eq!((bytes.len(), ct.as_str()), (5, "image/png"));
    c.get_views("u1").await?;
    let query = ItemsQuery {
        parent_id: Some("p".into()),
        include_item_types: vec!["Movie".into()],
        recursive: true,
        fields: vec!["Overview".into()],
        sort_by: vec!["SortName".into()],
        sort_order: Some("Ascending".into()),
        start_index: Some(0),
        limit: Some(5),
        genres: vec!["Action".into(), "Sci-Fi, Fantasy".into()],
        studios: vec!["A24".into()],
        years: vec![1999, 2000],
        filters: vec!["IsFavorite".into()],
        search_term: Some("x".into()),
        ids: ids.clone(),
        name_starts_with: Some("B".into()),
        name_less_than: Some("C".into()),
        artist_ids: vec!["a1".into()],
    };
    c.get_items("u1", &query).await?;
    c.get_item("u1", "i1").await?;
    c.get_seasons("u1", "series").await?;
    c.get_episodes("u1", "series", Some("season")).await?;
    c.get_similar("u1", "i1", 5).await?;
    c.get_instant_mix("u1", "i1", 5).await?;
    c.get_virtual_folders().await?;
    c.get_item_counts(Some("u1"), None).await?;
    c.get_item_counts(Some("u1"), Some(true)).await?;
    c.get_item_counts(None, None).await?;
    c.get_latest("u1", 5, Some("lib")).await?;
    c.get_resume("u1", 5).await?;
    c.get_next_up("u1", 5).await?;
    c.get_suggestions("u1", 5).await?;
    c.get_genres("u1", &names).await?;
    c.get_music_genres("u1", &names).await?;
    c.get_studios("u1", &names).await?;
    c.get_artists("u1", &names).await?;
    c.get_persons("u1", &names, &["Actor".to_owned()]).await?;
    let years = c.get_years("u1", &names).await?;
    assert_eq!(years.items[0].name, "1999");
    c.get_playlists("u1", Some(0), Some(5)).await?;
    c.get_collections("u1", None, None).await?;
    let entries = c.get_playlist_items("u1", "pl1", Some(0), Some(5)).await?;
    assert_eq!(entries.items[0].playlist_item_id.as_deref(), Some("e1"));
    let created = c.create_playlist("Mix", &ids, Some("Audio")).await?;
    assert_eq!(created.map(|p| p.id).as_deref(), Some("pl1"));
    assert_eq!(c.add_to_playlist("pl1", &ids, Some("u1")).await?, Some(1));
    c.remove_from_playlist("pl1", &["e1".to_owned()]).await?;
    let created = c.create_collection("Saga", &ids, Some("lib")).await?;
    assert_eq!(created.map(|b| b.id).as_deref(), Some("bx1"));
    c.add_to_collection("bx1", &ids).await?;
    c.remove_from_collection("bx1", &ids).await?;
    for data in [
        c.mark_played("u1", "i1").await?,
        c.mark_unplayed("u1", "i1").await?,
        c.add_favorite("u1", "i1").await?,
        c.remove_favorite("u1", "i1").await?,
    ] {
        assert!(data.is_some_and(|d| d.played && d.is_favorite && d.play_count == Some(1)));
    }
    assert!(c.get_live_tv_info().await?.is_enabled);
    c.get_channels("u1", Some(true), Some(0), Some(5)).await?;
    c.get_recordings(Some("u1"), Some(false), Some(0), Some(5))
        .await?;
    assert_eq!(
        c.get_timers(Some("c1"), Some("st1")).await?.items[0].id,
        "t1"
    );
    c.get_series_timers().await?;
    c.create_timer("prog1").await?;
    c.create_series_timer("prog1").await?;
    c.cancel_timer("t1").await?;
    c.cancel_series_timer("st1").await?;
    c.get_scheduled_tasks().await?;
    c.run_scheduled_task("task").await?;
    c.refresh_library().await?;
    c.refresh_item("lib", true).await?;
    let log = c
        .get_activity_log(Some(0), Some(10), Some("2025-01-01T00:00:00Z"))
        .await?;
    assert_eq!(log.items[0].id.0, "7");
    assert_eq!(c.get_devices().await?[0].id, "d1");
    assert_eq!(c.get_plugins().await?[0].name, "Trakt");
    Ok(())
}

#[tokio::test]
async fn every_method_uses_its_route_with_declared_parameters_only() {
    let server = TestServer::start(emby).await;
    let client = server.client();
    call_everything(&client).await.expect("every call succeeds");
    // The fallbacks of the two routes missing from the OpenAPI description.
    server.set_handler(|r| {
        if r.path == "/Users" || r.path == "/Library/VirtualFolders" {
            Reply::status(404)
        } else {
            emby(r)
        }
    });
    client.get_users().await.expect("users via /Users/Query");
    client
        .get_virtual_folders()
        .await
        .expect("folders via /Query");

    let mut reached = BTreeSet::new();
    for r in server.seen() {
        let endpoint = endpoint_of(&r).unwrap_or_else(|| panic!("unknown route {r:?}"));
        reached.insert(endpoint.template());
        for (name, value) in &r.query {
            assert!(
                endpoint.query_params().contains(&name.as_str()),
                "{} sent {name}",
                endpoint.template()
            );
            assert!(!value.contains(KEY));
        }
        assert_eq!(
            r.header("X-Emby-Token"),
            Some(KEY),
            "the key goes in a header"
        );
        let auth = r.header("X-Emby-Authorization").unwrap_or_default();
        if endpoint == Endpoint::AuthenticateByName {
            // The sign-in for player URLs is a device of its own, with no token of ours.
            assert!(auth.contains(r#"DeviceId="test-device-media""#), "{auth}");
            assert!(!auth.contains(KEY) && !auth.contains("Token="), "{auth}");
            let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
            assert_eq!(body, serde_json::json!({"Username": "Ann", "Pw": ""}));
            continue;
        }
        assert!(auth.contains(r#"DeviceId="test-device""#), "{auth}");
        if endpoint == Endpoint::LiveTvCreateTimer {
            let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
            assert_eq!(
                body["PrePaddingSeconds"], 60,
                "the defaults are posted back whole"
            );
        }
    }
    let url_only = [
        Endpoint::VideoStream,
        Endpoint::AudioStream,
        Endpoint::AudioUniversal,
    ];
    for e in Endpoint::ALL {
        assert_eq!(
            reached.contains(e.template()),
            !url_only.contains(e),
            "{} reached by some method",
            e.template()
        );
    }
    let genres = server
        .seen()
        .into_iter()
        .find(|r| r.path == "/Users/u1/Items")
        .expect("items");
    assert!(
        genres
            .query
            .contains(&("Genres".to_owned(), "Action|Sci-Fi, Fantasy".to_owned()))
    );
    assert!(
        genres
            .query
            .contains(&("Years".to_owned(), "1999,2000".to_owned()))
    );
    // The letters of the browse tree's A-Z index.
    for pair in [
        ("NameStartsWith", "B"),
        ("NameLessThan", "C"),
        ("ArtistIds", "a1"),
    ] {
        assert!(
            genres
                .query
                .contains(&(pair.0.to_owned(), pair.1.to_owned())),
            "{pair:?}"
        );
    }
}

#[tokio::test]
async fn concurrent_identical_uncached_gets_send_one_request() {
    // A current-thread runtime polls all ten futures before any response can be read, so every
    // one of them finds the request in flight: deterministic, no sleeps.
    let server = TestServer::start(|r| emby(r).delayed(Duration::from_millis(50))).await;
    let client = server.client();
    let results = join_all((0..10).map(|_| client.get_sessions())).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count("/Sessions"), 1);
    let snap = client.metrics_snapshot();
    assert_eq!(snap.cache_stats.inflight_coalesced, 9);
    assert_eq!(snap.efficiency_metrics.api_calls["/Sessions"].count, 1);
    // Completed flights are gone at once: the next call is a new request.
    client.get_sessions().await.expect("sessions");
    assert_eq!(server.count("/Sessions"), 2);
}

#[tokio::test]
async fn concurrent_identical_cached_gets_send_one_request_then_hit() {
    let server = TestServer::start(|r| emby(r).delayed(Duration::from_millis(50))).await;
    let client = server.client();
    let results = join_all((0..10).map(|_| client.get_views("u1"))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.count("/Users/u1/Views"), 1);
    client.get_views("u1").await.expect("hit");
    assert_eq!(server.count("/Users/u1/Views"), 1, "served from the cache");
    let browse = client.metrics_snapshot().cache_stats.browse;
    assert_eq!((browse.misses, browse.coalesced, browse.hits), (1, 9, 1));
}

#[tokio::test]
async fn ttl_per_cache_with_a_controlled_clock() {
    let server = TestServer::start(emby).await;
    let clock = Arc::new(ManualClock::default());
    let client = server.client_with_clock(clock.clone());
    client.get_views("u1").await.expect("views");
    client.get_latest("u1", 5, None).await.expect("latest");
    clock.advance(Duration::from_secs(5 * 60 - 1));
    client.get_views("u1").await.expect("views");
    assert_eq!(server.count("/Users/u1/Views"), 1, "fresh before 5 min");
    clock.advance(Duration::from_secs(1));
    client.get_views("u1").await.expect("views");
    assert_eq!(
        server.count("/Users/u1/Views"),
        2,
        "browse entries expire at 5 min"
    );
    client.get_latest("u1", 5, None).await.expect("latest");
    assert_eq!(
        server.count("/Users/u1/Items/Latest"),
        1,
        "discovery keeps 30 min"
    );
    clock.advance(Duration::from_secs(25 * 60));
    client.get_latest("u1", 5, None).await.expect("latest");
    assert_eq!(server.count("/Users/u1/Items/Latest"), 2);
}

#[tokio::test]
async fn invalidation_by_user_item_and_parent() {
    let server = TestServer::start(emby).await;
    let client = server.client();
    let by_parent = |p: &str| ItemsQuery {
        parent_id: Some(p.to_owned()),
        ..ItemsQuery::default()
    };
    client
        .get_items("u1", &by_parent("lib"))
        .await
        .expect("items");
    client
        .get_items("u1", &by_parent("other"))
        .await
        .expect("items");
    client.get_latest("u1", 5, None).await.expect("latest");
    client.get_latest("u2", 5, None).await.expect("latest");
    client.get_item("u2", "i9").await.expect("item");
    let n = server.total();

    client.invalidate_item("lib");
    client
        .get_items("u1", &by_parent("lib"))
        .await
        .expect("items");
    client
        .get_items("u1", &by_parent("other"))
        .await
        .expect("items");
    assert_eq!(
        server.total(),
        n + 1,
        "only the listing of that parent was dropped"
    );

    client.invalidate_user("u1");
    client.get_latest("u1", 5, None).await.expect("latest");
    client.get_latest("u2", 5, None).await.expect("latest");
    assert_eq!(server.total(), n + 2, "discovery is per user");

    // Marking an item played drops the user's views and the item at once, before any event.
    client.get_item("u1", "i9").await.expect("item");
    let before = server.count("/Users/u1/Items/i9");
    client.mark_played("u1", "i9").await.expect("played");
    client.get_item("u1", "i9").await.expect("item");
    client.get_latest("u1", 5, None).await.expect("latest");
    assert_eq!(server.count("/Users/u1/Items/i9"), before + 1);
    assert_eq!(server.count("/Users/u1/Items/Latest"), 3);
    client.get_item("u2", "i9").await.expect("item");
    assert_eq!(
        server.count("/Users/u2/Items/i9"),
        2,
        "every response about the item"
    );

    client.invalidate_all();
    client.get_latest("u2", 5, None).await.expect("latest");
    assert_eq!(server.count("/Users/u2/Items/Latest"), 2);
}

#[tokio::test]
async fn errors_are_never_cached() {
    let server = TestServer::start(|_| Reply::status(500)).await;
    let client = server.client();
    assert!(matches!(
        client.get_views("u1").await,
        Err(Error::Server { status: 500, .. })
    ));
    server.set_handler(emby);
    client
        .get_views("u1")
        .await
        .expect("second try reaches the server");
    assert_eq!(server.count("/Users/u1/Views"), 2);
    let api = &client.metrics_snapshot().efficiency_metrics.api_calls["/Users/{UserId}/Views"];
    assert_eq!((api.count, api.errors), (2, 1));
}

#[tokio::test]
async fn error_kinds_are_distinct_and_never_show_the_key() {
    let server = TestServer::start(emby).await;
    let client = server.client();
    let check = |e: &Error, kind: &str, says: &str| {
        let text = e.to_string();
        assert_eq!(e.kind(), kind, "{text}");
        assert!(text.contains(says), "{text:?} should say {says:?}");
        assert!(!text.contains(KEY), "{text}");
    };
    let cases: Vec<(Reply, &str, &str)> = vec![
        (Reply::status(401), "invalid_auth", "HTTP 401"),
        (Reply::status(403), "invalid_auth", "HTTP 403"),
        (Reply::status(404), "not_found", "/System/Info"),
        (Reply::status(503), "server_error", "HTTP 503"),
        (Reply::html(502), "server_error", "HTTP 502"),
        (
            Reply::html(200),
            "html_page",
            "an HTML page instead of JSON",
        ),
        (
            Reply::html(400),
            "html_page",
            "HTML page instead of JSON (HTTP 400)",
        ),
        (
            Reply::json(r#"{"Id":"srv","Serv"#),
            "invalid_json",
            "truncated JSON",
        ),
        (Reply::json("not json"), "invalid_json", "invalid JSON"),
        (Reply::json(""), "invalid_json", "an empty body"),
        (
            Reply::json(r#"{"Id":["a list"]}"#),
            "unexpected_response",
            "unexpected shape",
        ),
        (
            Reply {
                declared_len: Some(500),
                ..Reply::json(r#"{"Id":"srv""#)
            },
            "invalid_json",
            "truncated body",
        ),
        (Reply::status(400), "unexpected_response", "HTTP 400"),
    ];
    for (reply, kind, says) in cases {
        server.set_handler(move |_| reply.clone());
        let e = client.get_system_info().await.expect_err(kind);
        check(&e, kind, says);
    }

    server.set_handler(|r| emby(r).delayed(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    let e = with_timeout(Some(Duration::from_millis(200)), client.get_system_info())
        .await
        .expect_err("timeout");
    check(&e, "timeout", "timed out after 0.2 s");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the per-call timeout applied"
    );

    let refused = support::client_for(free_port().await);
    let e = refused.get_system_info().await.expect_err("refused");
    check(&e, "cannot_connect", "cannot connect to http://127.0.0.1:");

    let snapshot = serde_json::to_string(&client.metrics_snapshot()).expect("json");
    assert!(!snapshot.contains(KEY));
    let info = &client.metrics_snapshot().efficiency_metrics.api_calls["/System/Info"];
    assert_eq!(
        (info.count, info.errors),
        (14, 14),
        "unusable answers count as errors: {snapshot}"
    );
}

#[tokio::test]
async fn ids_that_are_not_a_path_segment_never_reach_the_server() {
    let server = TestServer::start(emby).await;
    let client = server.client();
    for id in ["", ".", ".."] {
        assert!(matches!(
            client.mark_played("u1", id).await,
            Err(Error::NotFound { .. })
        ));
    }
    assert_eq!(server.total(), 0);
}

#[tokio::test]
async fn metrics_per_endpoint_template() {
    let server = TestServer::start(|r| emby(r).delayed(Duration::from_millis(20))).await;
    let client = server.client();
    for u in ["u1", "u2", "u3"] {
        client.get_item(u, "i1").await.expect("item");
    }
    server.set_handler(|_| Reply::status(500));
    assert!(client.get_item("u1", "i2").await.is_err());
    let snapshot = client.metrics_snapshot();
    let calls = &snapshot.efficiency_metrics.api_calls;
    assert_eq!(
        calls.keys().collect::<Vec<_>>(),
        ["/Users/{UserId}/Items/{Id}"]
    );
    let s = &calls["/Users/{UserId}/Items/{Id}"];
    assert_eq!((s.count, s.errors), (4, 1));
    assert!(s.avg_ms >= 15.0 && s.p95_ms >= s.avg_ms, "{s:?}");
    let b = &snapshot.cache_stats.browse;
    assert_eq!(
        (b.misses, b.hits, b.max_entries, b.ttl_seconds),
        (3, 0, Some(500), 300)
    );
    assert_eq!(b.entries, 3);
    assert_eq!(snapshot.cache_stats.discovery.ttl_seconds, 1800);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_leaves_the_client_working() {
    let server = TestServer::start(|r| emby(r).delayed(Duration::from_secs(5))).await;
    let client = server.client();
    let call = {
        let c = client.clone();
        tokio::spawn(async move { c.get_views("u1").await })
    };
    for _ in 0..500 {
        if server.total() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    call.abort();
    assert!(call.await.expect_err("aborted").is_cancelled());
    server.set_handler(emby);
    client.get_views("u1").await.expect("a new request");
    assert_eq!(server.count("/Users/u1/Views"), 2);
    let started = std::time::Instant::now();
    client.close().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(client.get_views("u1").await, Err(Error::Closed)));
}

async fn free_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    l.local_addr().expect("addr").port()
}

#[tokio::test]
async fn remote_control_bodies_and_the_play_pause_fallback() {
    // A Roku-like client: Pause and Unpause are refused (HTML error page), PlayPause works.
    let server = TestServer::start(|r| {
        if r.path.ends_with("/Playing/Pause") || r.path.ends_with("/Playing/Unpause") {
            Reply::html(400)
        } else if r.path.ends_with("/Playing/Stop") {
            Reply::status(400)
        } else {
            emby(r)
        }
    })
    .await;
    let client = server.client();
    client
        .playstate("s1", "Pause", None)
        .await
        .expect("retried as PlayPause");
    client
        .playstate("s1", "Unpause", None)
        .await
        .expect("retried as PlayPause");
    assert_eq!(server.count("/Sessions/s1/Playing/PlayPause"), 2);
    let e = client
        .playstate("s1", "Stop", None)
        .await
        .expect_err("Stop has no fallback");
    assert_eq!(e.kind(), "unexpected_response");
    assert_eq!(server.count("/Sessions/s1/Playing/PlayPause"), 2);
    // A command Emby does not have is the caller's mistake, reported before anything is sent.
    assert!(matches!(
        client.playstate("s1", "Dance", None).await,
        Err(Error::InvalidArgument(m)) if m.contains("Dance")
    ));
    assert!(matches!(
        client.play("s1", &["1".to_owned()], "PlayLater", None).await,
        Err(Error::InvalidArgument(m)) if m.contains("PlayLater")
    ));
    assert_eq!(server.count("/Sessions/s1/Playing/Dance"), 0);

    let args = [
        ("Header".to_owned(), "Hi".to_owned()),
        ("TimeoutMs".to_owned(), "5000".to_owned()),
    ]
    .into();
    client
        .general_command("s1", "DisplayMessage", &args)
        .await
        .expect("command");
    let sent = server
        .seen()
        .into_iter()
        .find(|r| r.path == "/Sessions/s1/Command")
        .expect("command sent");
    let body: serde_json::Value = serde_json::from_slice(&sent.body).expect("json body");
    assert_eq!(
        body,
        serde_json::json!({"Name": "DisplayMessage", "Arguments": {"Header": "Hi", "TimeoutMs": "5000"}})
    );
    client
        .send_message("s1", "a & b", "", None)
        .await
        .expect("message");
    let sent = server
        .seen()
        .into_iter()
        .find(|r| r.path == "/Sessions/s1/Message")
        .expect("message sent");
    assert_eq!(
        sent.query,
        [
            ("Text".to_owned(), "a & b".to_owned()),
            ("Header".to_owned(), String::new())
        ],
        "no TimeoutMs: a modal message"
    );
}

#[tokio::test]
async fn a_handle_with_its_own_timeout_shares_everything_else() {
    let server = TestServer::start(|r| emby(r).delayed(Duration::from_millis(600))).await;
    let client = server.client();
    let quick = client.with_default_timeout(Duration::from_millis(200));
    assert_eq!(quick.timeout(), Duration::from_millis(200));
    assert_eq!(client.timeout(), client.config().timeout);
    let e = quick.get_sessions().await.expect_err("timed out");
    assert_eq!(e.kind(), "timeout");
    assert!(e.to_string().contains("timed out after 0.2 s"), "{e}");
    client.get_views("u1").await.expect("the default timeout");
    quick
        .get_views("u1")
        .await
        .expect("the shared cache answers");
    assert_eq!(server.count("/Users/u1/Views"), 1);
    let calls = &client.metrics_snapshot().efficiency_metrics.api_calls;
    assert_eq!(calls["/Sessions"].errors, 1, "shared metrics");
    quick.close().await;
    assert!(client.is_closed(), "one lifecycle");
}

#[tokio::test]
async fn a_polled_session_as_it_was_is_shared_and_an_odd_entry_fails_the_answer() {
    let tv = r#"{"Id":"s1","DeviceId":"tv","PlayState":{"IsPaused":false}}"#;
    let phone = r#"{"Id":"s2","DeviceId":"phone"}"#;
    let answer = move |first: &str| {
        let body = format!("[{first},{phone}]");
        move |_: &Seen| Reply::json(body.clone())
    };
    let server = TestServer::start(answer(tv)).await;
    let client = server.client();
    let before = client.get_sessions().await.expect("sessions");
    server.set_handler(answer(&tv.replace("false", "true")));
    let after = client.get_sessions().await.expect("sessions");
    assert!(after[0].play_state.is_paused);
    assert!(
        Arc::ptr_eq(&before[1], &after[1]),
        "the phone was not read again"
    );
    // Not a session: the whole answer is unusable (a poll must not lose a client quietly).
    server.set_handler(answer("5"));
    assert!(matches!(
        client.get_sessions().await,
        Err(Error::UnexpectedResponse { .. })
    ));
}
