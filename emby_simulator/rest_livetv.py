"""REST handlers of Live TV: info, channels, recordings, timers and series timers."""

from __future__ import annotations

from aiohttp import web

from .errors import not_found
from .fields import ALL_FIELDS
from .query import as_bool
from .routing import (
    Ctx,
    RestBase,
    body_object,
    json_response,
    no_content,
    query_result,
    route,
)


class LiveTvRoutes(RestBase):
    """Live TV."""

    # == Live TV ================================================================================

    @route("GET", "/LiveTv/Info")
    async def live_tv_info(self, ctx: Ctx) -> web.StreamResponse:
        enabled = bool(self.library.by_type.get("TvChannel"))
        return json_response(
            {
                "IsEnabled": enabled,
                "EnabledUsers": [u.id for u in self.library.users] if enabled else [],
            }
        )

    @route("GET", "/LiveTv/Channels")
    async def channels(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        channels = self.library.of_type("TvChannel")
        if as_bool(ctx.arg("IsFavorite")) and user is not None:
            channels = [c for c in channels if self.library.user_data_of(user.id, c.id).is_favorite]
        return self.paged(ctx, user, channels)

    @route("GET", "/LiveTv/Channels/{Id}")
    async def channel(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.type != "TvChannel":
            raise not_found("Channel not found")
        user = self.user(ctx.arg("UserId"), required=False)
        return json_response(self.dto.item(item, user.id if user else None, set(ALL_FIELDS)))

    @route("GET", "/LiveTv/Recordings")
    async def recordings(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        recordings = self.library.of_type("Recording")
        in_progress = as_bool(ctx.arg("IsInProgress"))
        if in_progress is not None:
            recordings = [r for r in recordings if (r.status == "InProgress") == in_progress]
        return self.paged(ctx, user, recordings)

    @route("GET", "/LiveTv/Recordings/{Id}")
    async def recording(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.type != "Recording":
            raise not_found("Recording not found")
        user = self.user(ctx.arg("UserId"), required=False)
        return json_response(self.dto.item(item, user.id if user else None, set(ALL_FIELDS)))

    @route("GET", "/LiveTv/Timers")
    async def timers(self, ctx: Ctx) -> web.StreamResponse:
        timers = self.library.timers
        if channel := ctx.arg("ChannelId"):
            timers = [t for t in timers if t.channel_id == channel]
        return query_result([self.dto.timer(t) for t in timers])

    @route("GET", "/LiveTv/Timers/Defaults")
    async def timer_defaults(self, ctx: Ctx) -> web.StreamResponse:
        program_id = ctx.arg("ProgramId")
        program = self.library.get(program_id) if program_id else None
        if program_id and (program is None or program.type != "Program"):
            raise not_found("Program not found")
        program = program or self.library.of_type("Program")[0]
        return json_response(self.dto.timer(self.state.timers.for_program(program, series=True)))

    @route("POST", "/LiveTv/Timers")
    async def create_timer(self, ctx: Ctx) -> web.StreamResponse:
        self.state.timers.create(body_object(ctx), series=False)
        return no_content()

    @route("GET", "/LiveTv/Timers/{Id}")
    async def timer(self, ctx: Ctx) -> web.StreamResponse:
        timer = next((t for t in self.library.timers if t.id == ctx.params["Id"]), None)
        if timer is None:
            raise not_found("Timer not found")
        return json_response(self.dto.timer(timer))

    @route("DELETE", "/LiveTv/Timers/{Id}")
    async def cancel_timer_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.cancel_timer(ctx)

    @route("POST", "/LiveTv/Timers/{Id}/Delete")
    async def cancel_timer(self, ctx: Ctx) -> web.StreamResponse:
        if not self.state.timers.cancel(ctx.params["Id"], series=False):
            raise not_found("Timer not found")
        return no_content()

    @route("GET", "/LiveTv/SeriesTimers")
    async def series_timers(self, ctx: Ctx) -> web.StreamResponse:
        return query_result([self.dto.timer(t) for t in self.library.series_timers])

    @route("POST", "/LiveTv/SeriesTimers")
    async def create_series_timer(self, ctx: Ctx) -> web.StreamResponse:
        self.state.timers.create(body_object(ctx), series=True)
        return no_content()

    @route("DELETE", "/LiveTv/SeriesTimers/{Id}")
    async def cancel_series_timer_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.cancel_series_timer(ctx)

    @route("POST", "/LiveTv/SeriesTimers/{Id}/Delete")
    async def cancel_series_timer(self, ctx: Ctx) -> web.StreamResponse:
        if not self.state.timers.cancel(ctx.params["Id"], series=True):
            raise not_found("Timer not found")
        return no_content()
