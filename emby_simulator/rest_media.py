"""REST handlers of playback: PlaybackInfo, item images, and video/audio streams (with Range)."""

from __future__ import annotations

from aiohttp import web

from . import streaming
from .clock import hex_id
from .errors import bad_request, not_found
from .media import media_bytes, media_type_for, range_response
from .routing import (
    Ctx,
    RestBase,
    body_object,
    json_response,
    opt_int,
    route,
)


class MediaRoutes(RestBase):
    """Playback, images and streams."""

    # == Playback and images ====================================================================

    @route("GET|POST", "/Items/{Id}/PlaybackInfo")
    async def playback_info(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.media_type is None or item.type == "TvChannel":
            raise bad_request("Item is not playable")
        body = body_object(ctx)
        bitrate = opt_int(ctx.arg("MaxStreamingBitrate")) or streaming.profile_bitrate(body)
        containers = streaming.direct_play_containers(body, item.media_type)
        play_session = hex_id(
            "play",
            self.library.server_id,
            item.id,
            self.state.clock.seconds,
            len(self.state.requests.records),
        )
        return json_response(
            {
                "MediaSources": [
                    self.dto.media_source(
                        item,
                        max_bitrate=bitrate,
                        play_session_id=play_session,
                        direct_play_containers=containers,
                    )
                ],
                "PlaySessionId": play_session,
            }
        )

    @route("GET|HEAD", "/Items/{Id}/Images/{Type}")
    async def item_image(self, ctx: Ctx) -> web.StreamResponse:
        return self._item_image(ctx, 0)

    @route("GET|HEAD", "/Items/{Id}/Images/{Type}/{Index}")
    async def item_image_index(self, ctx: Ctx) -> web.StreamResponse:
        index = opt_int(ctx.params["Index"])
        if index is None:
            raise not_found("Image not found")
        return self._item_image(ctx, index)

    def _item_image(self, ctx: Ctx, index: int) -> web.Response:
        item = self.item(ctx.params["Id"])
        image_type = next(
            (t for t in item.images if t.lower() == ctx.params["Type"].lower()),
            None,
        )
        # Only images the item advertises exist (EMBY.md 3.4); one of each kind here.
        if image_type is None or index != 0:
            raise not_found("Image not found")
        return self.image(ctx, item.id, image_type)

    @route("GET|HEAD", "/Videos/{Id}/stream")
    async def video_stream(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, None)

    @route("GET|HEAD", "/Videos/{Id}/stream.{Container}")
    async def video_stream_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    @route("GET|HEAD", "/Audio/{Id}/stream")
    async def audio_stream(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, None)

    @route("GET|HEAD", "/Audio/{Id}/stream.{Container}")
    async def audio_stream_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    @route("GET|HEAD", "/Audio/{Id}/universal")
    async def audio_universal(self, ctx: Ctx) -> web.StreamResponse:
        return streaming.universal(self, ctx)

    @route("GET|HEAD", "/Audio/{Id}/universal.{Container}")
    async def audio_universal_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    def _stream(self, ctx: Ctx, container: str | None) -> web.Response:
        item = self.item(ctx.params["Id"])
        if item.media_type is None or item.type == "TvChannel":
            raise not_found("Item is not playable")
        container = (container or ctx.arg("Container") or item.container or "").split(",")[0]
        content_type = media_type_for(item.media_type, container)
        data = media_bytes(item.id, content_type)
        return range_response(ctx.request, data, content_type)
