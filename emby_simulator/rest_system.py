"""REST handlers of the system, users and sign-in, scheduled tasks, devices and plugins."""

from __future__ import annotations

from aiohttp import web

from .auth import remote_address
from .clock import emby_date
from .errors import ApiError, bad_request, not_found
from .models import User
from .query import as_bool, as_int
from .routing import (
    Ctx,
    RestBase,
    body_object,
    json_response,
    no_content,
    query_result,
    route,
)


class SystemRoutes(RestBase):
    """System, users, tasks, devices and plugins."""

    # == System =================================================================================

    @route("GET", "/System/Info/Public", public=True)
    async def system_info_public(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.state.system.public_info())

    @route("GET", "/System/Info")
    async def system_info(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.state.system.system_info())

    @route("GET|POST|HEAD", "/System/Ping", public=True)
    async def ping(self, ctx: Ctx) -> web.StreamResponse:
        return web.Response(text="Emby Server", content_type="text/plain")

    @route("POST", "/System/Restart")
    async def restart(self, ctx: Ctx) -> web.StreamResponse:
        self.lifecycle.schedule_restart()
        return no_content()

    @route("POST", "/System/Shutdown")
    async def shutdown(self, ctx: Ctx) -> web.StreamResponse:
        self.lifecycle.schedule_shutdown()
        return no_content()

    @route("GET", "/System/ActivityLog/Entries")
    async def activity_log(self, ctx: Ctx) -> web.StreamResponse:
        entries = list(reversed(self.state.activity.entries))
        has_user = as_bool(ctx.arg("HasUserId"))
        if has_user is not None:
            entries = [e for e in entries if ("UserId" in e) == has_user]
        if min_date := ctx.arg("MinDate"):
            entries = [e for e in entries if e["Date"] >= min_date]
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = entries[start : None if limit is None else start + limit]
        return query_result(page, len(entries))

    # == Users ==================================================================================

    @route("GET", "/Users")
    async def users(self, ctx: Ctx) -> web.StreamResponse:
        users = self._filtered_users(ctx)
        return json_response([self.dto.user(u) for u in users])

    def _filtered_users(self, ctx: Ctx) -> list[User]:
        users = list(self.library.users)
        hidden = as_bool(ctx.arg("IsHidden"))
        disabled = as_bool(ctx.arg("IsDisabled"))
        if hidden is not None:
            users = [u for u in users if u.is_hidden == hidden]
        if disabled is not None:
            users = [u for u in users if u.is_disabled == disabled]
        return users

    @route("GET", "/Users/Query")
    async def users_query(self, ctx: Ctx) -> web.StreamResponse:
        users = self._filtered_users(ctx)
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = users[start : None if limit is None else start + limit]
        return query_result([self.dto.user(u) for u in page], len(users))

    @route("GET", "/Users/Public", public=True)
    async def users_public(self, ctx: Ctx) -> web.StreamResponse:
        users = [u for u in self.library.users if not u.is_hidden and not u.is_disabled]
        return json_response([self.dto.user(u) for u in users])

    @route("POST", "/Users/AuthenticateByName", public=True)
    async def authenticate(self, ctx: Ctx) -> web.StreamResponse:
        body = body_object(ctx)
        name = str(body.get("Username") or ctx.arg("Username") or "")
        user = next((u for u in self.library.users if u.name.lower() == name.lower()), None)
        if ctx.identity.device_id is None or ctx.identity.client is None:
            raise bad_request("Authorization header with Client and DeviceId is required")
        password = str(body.get("Pw") or ctx.arg("Pw") or "")
        if user is None or user.is_disabled or password != self.state.tokens.user_password(user):
            raise ApiError(401, "Invalid username or password entered.")
        token = self.state.tokens.issue(user)
        session = self.state.sessions.api_session(
            ctx.identity.device_id,
            client=ctx.identity.client,
            device_name=ctx.identity.device or ctx.identity.device_id,
            version=ctx.identity.version or "",
            user=user,
            remote=remote_address(ctx.request.remote),
        )
        return json_response(
            {
                "User": self.dto.user(user),
                "SessionInfo": self.state.session_json.to_json(session),
                "AccessToken": token,
                "ServerId": self.library.server_id,
            }
        )

    @route("POST", "/Sessions/Logout")
    async def logout(self, ctx: Ctx) -> web.StreamResponse:
        if ctx.token_user is not None and ctx.identity.token:
            self.state.tokens.revoke(ctx.identity.token)
        return no_content()

    @route("GET", "/Users/{Id}")
    async def user_by_id(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["Id"])
        assert user is not None
        return json_response(self.dto.user(user))

    @route("GET|HEAD", "/Users/{Id}/Images/{Type}")
    async def user_image(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["Id"])
        assert user is not None
        if ctx.params["Type"].lower() != "primary" or not user.primary_image_tag:
            raise not_found("Image not found")
        return self.image(ctx, user.id, "Primary")

    # == Scheduled tasks, devices, plugins ======================================================

    @route("GET", "/ScheduledTasks")
    async def tasks(self, ctx: Ctx) -> web.StreamResponse:
        tasks = self.library.tasks
        hidden = as_bool(ctx.arg("IsHidden"))
        if hidden is not None:
            tasks = [t for t in tasks if t.is_hidden == hidden]
        return json_response([self.dto.task(t) for t in tasks])

    @route("GET", "/ScheduledTasks/{Id}")
    async def task(self, ctx: Ctx) -> web.StreamResponse:
        task = next((t for t in self.library.tasks if t.id == ctx.params["Id"]), None)
        if task is None:
            raise not_found("Task not found")
        return json_response(self.dto.task(task))

    @route("POST", "/ScheduledTasks/Running/{Id}")
    async def task_run(self, ctx: Ctx) -> web.StreamResponse:
        if not self.state.tasks.run_by_id(ctx.params["Id"]):
            raise not_found("Task not found")
        return no_content()

    @route("DELETE", "/ScheduledTasks/Running/{Id}")
    async def task_cancel_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.task_cancel(ctx)

    @route("POST", "/ScheduledTasks/Running/{Id}/Delete")
    async def task_cancel(self, ctx: Ctx) -> web.StreamResponse:
        if not self.state.tasks.cancel(ctx.params["Id"]):
            raise not_found("Task not found")
        return no_content()

    @route("GET", "/Devices")
    async def devices(self, ctx: Ctx) -> web.StreamResponse:
        devices = [
            {k: emby_date(v) if k == "DateLastActivity" else v for k, v in d.items()}
            for d in self.state.sessions.devices.values()
        ]
        return query_result(devices)

    @route("GET", "/Plugins")
    async def plugins(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.state.system.plugins())
