"""REST handlers of sessions and remote control: listing, play queue, capabilities,
play/playstate/general commands and messages."""

from __future__ import annotations

from aiohttp import web

from .clients import PLAY_COMMANDS, PLAYSTATE_COMMANDS, Session
from .errors import bad_request, not_found
from .query import split
from .routing import (
    Ctx,
    RestBase,
    arguments,
    body_object,
    json_response,
    no_content,
    opt_int,
    query_result,
    route,
)


class SessionRoutes(RestBase):
    """Sessions and remote control."""

    # == Sessions and remote control ============================================================

    @route("GET", "/Sessions")
    async def sessions(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(
            self.state.sessions_json(
                controllable_by=ctx.arg("ControllableByUserId"),
                device_id=ctx.arg("DeviceId"),
                session_id=ctx.arg("Id"),
            )
        )

    @route("GET", "/Sessions/PlayQueue")
    async def play_queue(self, ctx: Ctx) -> web.StreamResponse:
        manager = self.state.sessions
        session = None
        if session_id := ctx.arg("Id"):
            session = manager.by_id(session_id)
        elif device_id := ctx.arg("DeviceId"):
            session = manager.by_device(device_id)
        if session is None:
            raise not_found("Session not found")
        items = [self.library.items[i] for i in session.queue if i in self.library.items]
        return query_result(self.items_json(items, None, self.fields(ctx)))

    @route("POST", "/Sessions/Capabilities")
    async def capabilities(self, ctx: Ctx) -> web.StreamResponse:
        session = self._capabilities_session(ctx)
        self.state.sessions.register_capabilities(session, {}, ctx.q)
        return no_content()

    @route("POST", "/Sessions/Capabilities/Full")
    async def capabilities_full(self, ctx: Ctx) -> web.StreamResponse:
        session = self._capabilities_session(ctx)
        body = body_object(ctx)
        self.state.sessions.register_capabilities(session, body, ctx.q)
        return no_content()

    def _capabilities_session(self, ctx: Ctx) -> Session:
        manager = self.state.sessions
        if (session_id := ctx.arg("Id")) and (found := manager.by_id(session_id)) is not None:
            return found
        if ctx.session is not None:
            return ctx.session
        raise bad_request("No session for this request: send a DeviceId (X-Emby-Authorization)")

    @route("POST", "/Sessions/{Id}/Playing")
    async def play(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = body_object(ctx)
        item_ids = split(ctx.arg("ItemIds")) or [str(i) for i in body.get("ItemIds", [])]
        command = ctx.arg("PlayCommand") or body.get("PlayCommand")
        if not item_ids:
            raise bad_request("ItemIds is required")
        if command not in PLAY_COMMANDS:
            raise bad_request(f"PlayCommand must be one of {sorted(PLAY_COMMANDS)}")
        start = ctx.arg("StartPositionTicks") or body.get("StartPositionTicks")
        self.state.sessions.play(
            session,
            item_ids,
            str(command),
            start_ticks=opt_int(start),
            start_index=opt_int(ctx.arg("StartIndex") or body.get("StartIndex")),
            audio_index=opt_int(ctx.arg("AudioStreamIndex") or body.get("AudioStreamIndex")),
            subtitle_index=opt_int(
                ctx.arg("SubtitleStreamIndex") or body.get("SubtitleStreamIndex")
            ),
        )
        return no_content()

    @route("POST", "/Sessions/{Id}/Playing/{Command}")
    async def playstate(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        command = next(
            (c for c in PLAYSTATE_COMMANDS if c.lower() == ctx.params["Command"].lower()), None
        )
        if command is None:
            raise bad_request(f"Unknown playstate command {ctx.params['Command']!r}")
        body = body_object(ctx)
        seek = opt_int(ctx.arg("SeekPositionTicks") or body.get("SeekPositionTicks"))
        self.state.sessions.playstate(session, command, seek)
        return no_content()

    @route("POST", "/Sessions/{Id}/Command")
    async def general_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = body_object(ctx)
        name = body.get("Name") or ctx.arg("Name")
        if not name:
            raise bad_request("Name is required")
        self.state.sessions.general_command(session, str(name), arguments(body))
        return no_content()

    @route("POST", "/Sessions/{Id}/Command/{Command}")
    async def named_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = body_object(ctx)
        args = arguments(body)
        for key, value in ctx.q.items():
            if key not in ("api_key", "x-emby-token"):
                args.setdefault(key, value)
        self.state.sessions.general_command(session, ctx.params["Command"], args)
        return no_content()

    @route("POST", "/Sessions/{Id}/Message")
    async def message(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = body_object(ctx)
        text = ctx.arg("Text") or body.get("Text")
        if text is None:
            raise bad_request("Text is required")
        header = ctx.arg("Header") or body.get("Header") or ""
        timeout = opt_int(ctx.arg("TimeoutMs") or body.get("TimeoutMs"))
        self.state.sessions.message(session, str(header), str(text), timeout)
        return no_content()

    @route("POST", "/Sessions/{Id}/Viewing")
    async def viewing(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        self.state.sessions.general_command(
            session,
            "DisplayContent",
            {"ItemId": ctx.arg("ItemId") or "", "ItemType": ctx.arg("ItemType") or ""},
        )
        return no_content()

    @route("POST", "/Sessions/{Id}/System/{Command}")
    async def system_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        self.state.sessions.general_command(session, ctx.params["Command"], {})
        return no_content()
