"""EmbySimulator: the aiohttp shell around the simulated server's state.

It listens, restarts and shuts down; it routes each request (REST, `/embywebsocket`, the admin
endpoints under `/__sim__`), authenticates it, applies the injected fault and accounts for it.
What the server knows and how that changes lives in `state.py` and its modules; the test hooks
are in `controls.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self

from aiohttp import WSCloseCode, web

from .accounting import RequestRecord, redact
from .auth import SECRET_PARAMETERS, Identity, identify, remote_address
from .clients import Session
from .config import Fault, SimulatorConfig
from .controls import SimulatorControls
from .hostile import Hostile, rewrite
from .models import User
from .query import QueryError
from .rest import ApiError, Ctx, RestApi, json_response, match
from .state import ServerState
from .websocket import WebSocketEndpoint

__all__ = ["EmbySimulator", "RequestRecord"]

_LOGGER = logging.getLogger(__name__)

ADMIN_PREFIX = "/__sim__"
PREFIX = re.compile(r"^/emby(?=/|$)", re.IGNORECASE)
WEBSOCKET_PATH = "/embywebsocket"
REALTIME_TICK = 1.0
STATUS_TEXT = {
    400: "Bad Request",
    401: "Access token is invalid or expired.",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_response(status: int, fault: Fault | None) -> web.Response:
    """An error as Emby (plain text) or, with `html_error`, a reverse proxy sends it."""
    text = STATUS_TEXT.get(status, "Error")
    if fault is not None and fault.html_error:
        page = (
            f"<html>\r\n<head><title>{status} {text}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {text}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )
        return web.Response(status=status, text=page, content_type="text/html")
    return web.Response(status=status, text=text, content_type="text/plain")


class EmbySimulator(SimulatorControls):
    """A faithful Emby 4.8/4.9 server on loopback (REST and `/embywebsocket`).

    Use as `async with EmbySimulator(config) as sim:` or call `start()` / `stop()`.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        """Build the server's state (nothing listens until `start`)."""
        self.state = ServerState(config or SimulatorConfig())
        self.websocket = WebSocketEndpoint(
            self.state.hub, self.state.faults, self.state.sessions.end_api_session
        )
        self.api = RestApi(self.state, self)
        self.hostile: Hostile | None = None
        """A body fault on some routes (`emby_simulator.hostile`)."""
        self._app = web.Application(client_max_size=8 * 1024 * 1024)
        self._app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._down = False
        self._ticker: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._restart_lock = asyncio.Lock()
        self.restarts = 0
        """Completed restarts (`restart()`, `POST /System/Restart`)."""

    @property
    def is_listening(self) -> bool:
        """False while stopped, restarting or shut down."""
        return self._site is not None and not self._down

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        """Start listening."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    async def start(self) -> None:
        """Listen (port 0: a free port, kept for restarts); idempotent."""
        if self._runner is None:
            self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
            await self._runner.setup()
        if self._site is None:
            await self._listen()
        if self.config.realtime and self._ticker is None:
            self._ticker = asyncio.create_task(self._realtime(), name="emby-sim-realtime")

    async def _listen(self) -> None:
        assert self._runner is not None
        system = self.state.system
        site = web.TCPSite(
            self._runner,
            self.config.host,
            system.port,
            ssl_context=self.config.ssl_context,
            reuse_address=True,
        )
        await site.start()
        self._site = site
        server = site._server
        if server is not None and system.port == 0:
            sockets = getattr(server, "sockets", None) or ()
            for sock in sockets:
                system.port = int(sock.getsockname()[1])
                break
        self._down = False

    async def _stop_listening(self) -> None:
        self._down = True
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._runner is not None and self._runner.server is not None:
            # Keep-alive connections would still reach us: close them too.
            await self._runner.server.shutdown(0.5)

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for task in list(self._background):
            task.cancel()
        await self.websocket.close_all(None, code=WSCloseCode.GOING_AWAY)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def restart(self, down_for: float = 1.0) -> None:
        """Like a server restart: `ServerRestarting` to every socket, close them, refuse
        connections for `down_for` real seconds, then listen again on the same port. Library
        and user data survive; clients come back with new session ids."""
        async with self._restart_lock:
            await self.websocket.close_all("ServerRestarting")
            await self._stop_listening()
            self.state.sessions.reconnect_all()
            await asyncio.sleep(max(down_for, 0.0))
            await self._listen()
            self.state.system.has_pending_restart = False
            self.restarts += 1

    async def shutdown(self) -> None:
        """Like `POST /System/Shutdown`: `ServerShuttingDown`, close sockets, stop listening
        (`start()` or `restart()` brings it back)."""
        async with self._restart_lock:
            await self.websocket.close_all("ServerShuttingDown")
            await self._stop_listening()
            self.state.sessions.reconnect_all()

    def schedule_restart(self) -> None:
        """POST /System/Restart: restart after the response went out."""
        self._spawn(self._delayed(self.restart(self.config.restart_down_for)))

    def schedule_shutdown(self) -> None:
        """POST /System/Shutdown."""
        self._spawn(self._delayed(self.shutdown()))

    async def flush(self) -> None:
        """Wait until every queued WebSocket frame has been written."""
        await asyncio.sleep(0)
        await self.websocket.flush()

    async def _delayed(self, coro: Coroutine[Any, Any, None]) -> None:
        await asyncio.sleep(0.05)
        await coro

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _realtime(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(REALTIME_TICK)
            now = loop.time()
            try:
                self.advance(now - last)
            except Exception:
                _LOGGER.exception("simulated clock step failed")
            last = now

    def _fault_changed(self, fault: Fault | None) -> None:
        if fault is not None and fault.ws_drop:
            self._spawn(self.websocket.close_all(None, code=WSCloseCode.GOING_AWAY))
        if fault is not None and fault.ws_malformed:
            self.state.hub.ping_all()

    async def _fault_response(self, fault: Fault) -> web.Response | None:
        status = await self.state.faults.failure_status(fault)
        return None if status is None else error_response(status, fault)

    # -- HTTP dispatch ------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        if raw_path.startswith(ADMIN_PREFIX):
            return await self._admin(request, raw_path[len(ADMIN_PREFIX) :])
        if self._down:
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable
        arrived = time.monotonic()
        counted_path = PREFIX.sub("", raw_path) or "/"
        path = PREFIX.sub("", request.path) or "/"
        if len(path) > 1:
            path = path.rstrip("/")
        method = request.method.upper()
        self.state.requests.arrived(method, counted_path)
        q = {k.lower(): v for k, v in request.query.items()}
        identity = identify(request.headers, q)
        template: str | None = None
        body: Any = None
        status = 500
        try:
            if path.lower() == WEBSOCKET_PATH:
                template = WEBSOCKET_PATH
                response = await self._websocket(request, identity, q, path)
                status = response.status
                return response
            found = match(method, path)
            template = found[0].template if isinstance(found, tuple) else None
            fault = self.state.faults.for_path(path)
            if fault is not None and (early := await self._fault_response(fault)) is not None:
                status = early.status
                return early
            if not isinstance(found, tuple):
                status = 404
                return web.Response(status=404, text="Not Found", content_type="text/plain")
            route_, params = found
            token_user = self.state.tokens.authenticate(identity)
            if not route_.public and token_user is False:
                status = 401
                return error_response(401, None)
            user = token_user if isinstance(token_user, User) else None
            if request.can_read_body:
                raw = await request.read()
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = None
            session = (
                self._touch_session(request, identity, user) if token_user is not False else None
            )
            ctx = Ctx(request, params, q, identity, user, session, body)
            try:
                response = await route_.handler(self.api, ctx)
            except ApiError as err:
                response = web.Response(status=err.status, text=err.text, content_type="text/plain")
            except QueryError as err:
                response = web.Response(status=400, text=str(err), content_type="text/plain")
            if (hostile := self.hostile) is not None and hostile.applies_to(template):
                response = await rewrite(hostile, request, response, self.config.api_key)
            if (
                fault is not None
                and fault.malformed_json
                and response.content_type == "application/json"
            ):
                assert isinstance(response, web.Response)
                payload = (
                    bytes(response.body) if isinstance(response.body, bytes | bytearray) else b""
                )
                response.body = payload[: max(1, len(payload) // 2)]
            status = response.status
        except web.HTTPException as err:
            status = err.status
            raise
        except Exception:
            _LOGGER.exception("simulator error on %s %s", method, path)
            status = 500
            return web.Response(status=500, text="Internal Server Error", content_type="text/plain")
        else:
            return response
        finally:
            self.state.requests.record(
                RequestRecord(
                    method=method,
                    path=counted_path,
                    template=template,
                    query={k: v for k, v in q.items() if k not in SECRET_PARAMETERS},
                    body=redact(body),
                    status=status,
                    time=arrived,
                    client=identity.label,
                )
            )

    def _touch_session(
        self, request: web.Request, identity: Identity, user: User | None
    ) -> Session | None:
        """An identified caller (DeviceId and Client) has a session, as on Emby."""
        manager = self.state.sessions
        if identity.device_id is None:
            return None
        existing = manager.by_device(identity.device_id)
        if existing is not None and existing.simulated:
            return existing
        if identity.client is None and existing is None:
            return None
        return manager.api_session(
            identity.device_id,
            client=identity.client or (existing.client if existing else "Unknown"),
            device_name=identity.device or identity.device_id,
            version=identity.version or "",
            user=user,
            remote=remote_address(request.remote),
        )

    async def _websocket(
        self, request: web.Request, identity: Identity, q: dict[str, str], path: str
    ) -> web.StreamResponse:
        fault = self.state.faults.for_path(path)
        if fault is not None:
            early = await self._fault_response(fault)
            if early is not None:
                return early
            if fault.ws_drop:
                return error_response(503, fault)
        token_user = self.state.tokens.authenticate(identity)
        if token_user is False:
            return error_response(401, None)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(
                status=400, text="WebSocket upgrade expected", content_type="text/plain"
            )
        user = token_user if isinstance(token_user, User) else None
        device_id = q.get("deviceid") or q.get("device_id") or identity.device_id
        session: Session | None = None
        if device_id:
            manager = self.state.sessions
            session = manager.by_device(device_id)
            if session is not None and not session.simulated:
                # A (re)connected socket: capabilities must be reported again (EMBY.md 4.6).
                session.capabilities_registered = False
            if session is None:
                session = manager.api_session(
                    device_id,
                    client=identity.client or "Emby WebSocket",
                    device_name=identity.device or device_id,
                    version=identity.version or "",
                    user=user,
                    remote=remote_address(request.remote),
                )
        return await self.websocket.handle(request, device_id, user.id if user else None, session)

    # -- admin endpoints (other processes: bench, scripts/develop) ----------------------------

    async def _admin(self, request: web.Request, sub: str) -> web.StreamResponse:
        method = request.method.upper()
        q = {k.lower(): v for k, v in request.query.items()}
        try:
            if sub == "/counts" and method == "GET":
                return json_response(self.request_counts())
            if sub == "/reset" and method == "POST":
                self.reset_counts()
                return web.Response(status=204)
            if sub == "/fault" and method == "POST":
                raw = await request.read()
                data = json.loads(raw) if raw.strip() else None
                self.set_fault(Fault.from_json(_json_object(data)) if data is not None else None)
                return web.Response(status=204)
            if sub == "/advance" and method == "POST":
                self.advance(float(q.get("seconds", "0")))
                await self.flush()
                return web.Response(status=204)
            if sub == "/restart" and method == "POST":
                self._spawn(self._delayed(self.restart(float(q.get("down_for", "1")))))
                return web.Response(status=202)
            if sub == "/library_change" and method == "POST":
                raw = await request.read()
                data = _json_object(json.loads(raw) if raw.strip() else {})
                sent = self.trigger_library_change(
                    items_added=data.get("items_added", 1),
                    items_updated=data.get("items_updated", ()),
                    items_removed=data.get("items_removed", ()),
                )
                await self.flush()
                return json_response(sent)
            if sub == "/sessions" and method == "GET":
                return json_response(self.sessions_json())
        except (ValueError, TypeError) as err:
            return web.Response(status=400, text=str(err), content_type="text/plain")
        return web.Response(status=404, text="Not Found", content_type="text/plain")


def _json_object(data: Any) -> dict[str, Any]:
    """A JSON object or a TypeError (for the admin endpoints)."""
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    return data
