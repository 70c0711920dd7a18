//! The media source's playback decision against canned PlaybackInfo answers: the device profile
//! sent, direct play before direct stream before HLS, the universal audio route, MIME types, and
//! the token only in the player URL.

mod support;

use embymedia_core::playback::{PlayMethod, PlaybackProfile};
use embymedia_core::urls::StreamKind;
use support::{KEY, Reply, TestServer};

fn answer(item: &str) -> Reply {
    let source = match item {
        "direct" => {
            r#"{"Id":"m1","Container":"mp4","SupportsDirectPlay":true,"SupportsDirectStream":true,"SupportsTranscoding":true}"#
        }
        "remux" => {
            r#"{"Id":"m2","Container":"mkv","SupportsDirectPlay":false,"SupportsDirectStream":true,"SupportsTranscoding":true}"#
        }
        "hls" => {
            r#"{"Id":"m3","Container":"mkv","SupportsDirectPlay":false,"SupportsDirectStream":false,"SupportsTranscoding":true,"TranscodingUrl":"/videos/hls/master.m3u8?MediaSourceId=m3&api_key=LEAK","TranscodingSubProtocol":"hls"}"#
        }
        "song" => {
            r#"{"Id":"m4","Container":"flac","SupportsDirectPlay":true,"SupportsDirectStream":true}"#
        }
        "loud" => {
            r#"{"Id":"m5","Container":"flac","SupportsDirectPlay":false,"SupportsDirectStream":false,"SupportsTranscoding":true}"#
        }
        _ => return Reply::json(r#"{"MediaSources":[],"PlaySessionId":"ps"}"#),
    };
    Reply::json(format!(
        r#"{{"MediaSources":[{source}],"PlaySessionId":"ps"}}"#
    ))
}

#[tokio::test]
async fn direct_play_then_direct_stream_then_hls_and_universal_audio() {
    let server = TestServer::start(|r| {
        let item = r.path.split('/').nth(2).unwrap_or_default().to_owned();
        answer(&item)
    })
    .await;
    let client = server.client();
    let profile = PlaybackProfile::new(Some(8_000_000), None, None).expect("profile");

    let direct = client
        .get_playback("direct", Some("u1"), StreamKind::Video, &profile)
        .await
        .expect("answer")
        .expect("playable");
    assert_eq!(direct.method, PlayMethod::DirectPlay);
    assert_eq!(
        direct.path,
        "/Videos/direct/stream?Static=true&Container=mp4&MediaSourceId=m1&DeviceId=test-device"
    );
    assert_eq!(direct.mime_type, "video/mp4");
    let sent = server.seen().pop().expect("request");
    let body: serde_json::Value = serde_json::from_slice(&sent.body).expect("json");
    assert_eq!(body["UserId"], "u1");
    assert_eq!(body["MaxStreamingBitrate"], 8_000_000);
    assert_eq!(
        body["DeviceProfile"]["DirectPlayProfiles"][0]["Container"],
        "mp4,m4v,webm"
    );

    let remux = client
        .get_playback("remux", None, StreamKind::Video, &profile)
        .await
        .expect("answer")
        .expect("playable");
    assert_eq!(remux.method, PlayMethod::DirectStream);
    assert!(
        remux
            .path
            .contains("Container=mp4&MediaSourceId=m2&AudioCodec=aac&VideoCodec=h264")
    );
    assert!(!remux.path.contains("Static"));

    let hls = client
        .get_playback("hls", None, StreamKind::Video, &profile)
        .await
        .expect("answer")
        .expect("playable");
    assert_eq!(hls.method, PlayMethod::Transcode);
    assert_eq!(hls.path, "/videos/hls/master.m3u8?MediaSourceId=m3");
    assert_eq!(hls.mime_type, "application/vnd.apple.mpegurl");

    let song = client
        .get_playback("song", Some("u1"), StreamKind::Audio, &profile)
        .await
        .expect("answer")
        .expect("playable");
    assert_eq!(song.method, PlayMethod::DirectPlay);
    assert!(
        song.path
            .starts_with("/Audio/song/universal?UserId=u1&DeviceId=test-device")
    );
    assert!(song.path.contains("Container=mp3%2Caac%2Cm4a%2Cflac"));
    assert_eq!(song.mime_type, "audio/flac");
    let loud = client
        .get_playback("loud", None, StreamKind::Audio, &profile)
        .await
        .expect("answer")
        .expect("playable");
    assert_eq!(
        (loud.method, loud.mime_type.as_str()),
        (PlayMethod::Transcode, "audio/mpeg")
    );

    assert_eq!(
        client
            .get_playback("none", None, StreamKind::Video, &profile)
            .await
            .expect("answer"),
        None
    );
    for playback in [&direct, &remux, &hls, &song] {
        assert!(!playback.path.contains(KEY) && !playback.path.contains("LEAK"));
    }
    let url = client.player_url(&hls.path, None).expect("relative path");
    assert_eq!(
        url,
        format!("{}{}&api_key={KEY}", client.server_url(), hls.path)
    );
}
