"""Streaming as Emby serves it to a player that asked PlaybackInfo with a device profile: which
play method a profile allows, the universal audio route (the file when its container is
accepted, else a transcode to `TranscodingContainer`), and HLS (master playlist, media playlist,
segments) for video transcodes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import not_found
from .media import media_bytes, media_type_for, range_response
from .query import split
from .routing import Ctx, RestBase, route

if TYPE_CHECKING:
    from .models import Item

HLS_TYPE = "application/x-mpegURL"
SEGMENT_SECONDS = 6


def direct_play_containers(body: dict[str, Any], media_type: str) -> set[str] | None:
    """The containers a `DeviceProfile` plays as they are for a media type (None: no profile,
    everything plays)."""
    profile = body.get("DeviceProfile")
    if not isinstance(profile, dict):
        return None
    found: set[str] = set()
    for entry in profile.get("DirectPlayProfiles") or []:
        if isinstance(entry, dict) and str(entry.get("Type", "")).lower() == media_type.lower():
            found.update(c.lower() for c in split(str(entry.get("Container", ""))))
    return found


def profile_bitrate(body: dict[str, Any]) -> int | None:
    """`MaxStreamingBitrate` of the request or of its device profile."""
    profile = body.get("DeviceProfile")
    for value in (
        body.get("MaxStreamingBitrate"),
        profile.get("MaxStreamingBitrate") if isinstance(profile, dict) else None,
    ):
        if isinstance(value, int) and value > 0:
            return value
    return None


def playable(api: RestBase, ctx: Ctx) -> Item:
    """The item of a stream route, or 404 when it has no stream."""
    item = api.item(ctx.params["Id"])
    if item.media_type is None or item.type == "TvChannel":
        raise not_found("Item is not playable")
    return item


def universal(api: RestBase, ctx: Ctx) -> web.Response:
    """`/Audio/{Id}/universal`: the file as it is when `Container` lists its container and it
    fits `MaxStreamingBitrate`, else the transcode `TranscodingContainer` (mp3 by default) names."""
    item = playable(api, ctx)
    accepted = {c.lower() for c in split(ctx.arg("Container"))}
    own = (item.container or "mp3").lower()
    limit = ctx.arg("MaxStreamingBitrate")
    fits = not limit or not limit.isdigit() or (item.bitrate or 0) <= int(limit)
    as_is = fits and (not accepted or own in accepted)
    container = own if as_is else ctx.arg("TranscodingContainer") or "mp3"
    content_type = media_type_for(item.media_type or "Audio", container)
    return range_response(ctx.request, media_bytes(item.id, content_type), content_type)


@route("GET|HEAD", "/Videos/{Id}/master.m3u8")
async def video_master(api: RestBase, ctx: Ctx) -> web.StreamResponse:
    playable(api, ctx)
    bitrate = ctx.arg("VideoBitrate") or ctx.arg("VideoBitRate") or "4000000"
    query = ctx.request.query_string
    body = (
        "#EXTM3U\n"
        f'#EXT-X-STREAM-INF:BANDWIDTH={bitrate},CODECS="avc1.640028,mp4a.40.2"\n'
        f"main.m3u8?{query}\n"
    )
    return web.Response(text=body, content_type=HLS_TYPE)


@route("GET|HEAD", "/Videos/{Id}/main.m3u8")
async def video_media_playlist(api: RestBase, ctx: Ctx) -> web.StreamResponse:
    item = playable(api, ctx)
    seconds = max((item.runtime_ticks or 0) // 10_000_000, SEGMENT_SECONDS)
    count = -(-seconds // SEGMENT_SECONDS)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}"]
    lines.append("#EXT-X-PLAYLIST-TYPE:VOD")
    # Emby repeats the playlist's query (token included) on every segment: a player that
    # cannot send headers fetches segments as it fetched the playlist.
    query = ctx.request.query_string
    for n in range(count):
        lines += [f"#EXTINF:{SEGMENT_SECONDS}.0,", f"hls1/main/{n}.ts?{query}"]
    lines.append("#EXT-X-ENDLIST")
    return web.Response(text="\n".join(lines) + "\n", content_type=HLS_TYPE)


@route("GET|HEAD", "/Videos/{Id}/hls1/{PlaylistId}/{SegmentId}.{SegmentContainer}")
async def video_segment(api: RestBase, ctx: Ctx) -> web.StreamResponse:
    item = playable(api, ctx)
    data = media_bytes(f"{item.id}/{ctx.params['SegmentId']}", "video/mp2t")
    return web.Response(body=data, content_type="video/mp2t")
