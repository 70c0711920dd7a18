//! Reading a response body with a size limit, applied after decompression so that a small gzip
//! transfer cannot inflate into hundreds of MiB inside Home Assistant.

use bytes::{Bytes, BytesMut};

/// Largest response body accepted, after decompression: 64 MiB.
///
/// Sized on the largest legitimate answer with room to spare: `/Sessions` of 2,000 clients (half
/// of them playing, with their `NowPlayingItem`) is about 5 MiB, and a page of 1,000 movies with
/// overview, people, studios and media sources about 4 MiB (both measured against
/// `emby_simulator`), so even an unusual 10,000-item page fits; item images are a few MiB. The
/// WebSocket has its own limit per message (16 MiB, `websocket::connection`).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// How a capped read failed.
pub(crate) enum BodyError {
    /// More than [`MAX_BODY_BYTES`] (announced or read).
    TooLarge,
    Transport(reqwest::Error),
}

/// The sentence of [`BodyError::TooLarge`].
pub(crate) fn too_large_reason() -> String {
    format!(
        "the response body is larger than the {} MiB limit",
        MAX_BODY_BYTES >> 20
    )
}

/// Reads the whole (decoded) body, failing as soon as it passes `limit` bytes; a body announced
/// larger than the limit is refused before any of it is read.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Bytes, BodyError> {
    if resp
        .content_length()
        .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit))
    {
        return Err(BodyError::TooLarge);
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        len += chunk.len();
        if len > limit {
            return Err(BodyError::TooLarge);
        }
        chunks.push(chunk);
    }
    Ok(match chunks.len() {
        0 => Bytes::new(),
        // Most bodies arrive in one chunk: no copy.
        1 => chunks.swap_remove(0),
        _ => {
            let mut body = BytesMut::with_capacity(len);
            for chunk in chunks {
                body.extend_from_slice(&chunk);
            }
            body.freeze()
        }
    })
}
