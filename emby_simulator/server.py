"""EmbySimulator: the HTTP server, request accounting, faults, the clock and test hooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

from aiohttp import WSCloseCode, web

from .auth import SECRET_PARAMETERS, Identity, identify
from .clock import Clock, emby_date, hex_id
from .config import Fault, SimulatorConfig
from .dto import Dto, user_data_changed_entry, user_data_dto
from .hostile import Hostile, rewrite
from .library import Item, Library, Timer, User
from .query import QueryEngine, QueryError
from .rest import ApiError, Ctx, RestApi, json_response, match
from .sessions import Session, SessionManager
from .websocket import MISSING, WebSocketHub

_LOGGER = logging.getLogger(__name__)

ADMIN_PREFIX = "/__sim__"
PREFIX = re.compile(r"^/emby(?=/|$)", re.IGNORECASE)
WEBSOCKET_PATH = "/embywebsocket"
LIBRARY_CHANGE_DEBOUNCE = 5.0
"""Simulated seconds Emby batches library changes for (old Emby: LibraryUpdateDuration)."""
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


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it (never the token)."""

    method: str
    path: str
    """As received, without an `/emby` prefix and without the query."""
    template: str | None
    """The matched route (`/Users/{UserId}/Items`), None when none matched."""
    query: dict[str, str]
    body: Any
    status: int
    time: float
    """time.monotonic() at arrival."""
    client: str | None
    """`Client/DeviceId` from the authorization header, if any."""


def template_regex(path: str) -> re.Pattern[str]:
    """`/Users/{id}/Items` -> a regex where each `{...}` matches one segment."""
    parts = re.split(r"({[^/{}]*})", path)
    pattern = "".join(
        "[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
    )
    return re.compile(f"^{pattern}$", re.IGNORECASE)


class EmbySimulator:
    """A faithful Emby 4.8/4.9 server on loopback (REST and `/embywebsocket`).

    Use as `async with EmbySimulator(config) as sim:` or call `start()` / `stop()`.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        """Build the server's state (nothing listens until `start`)."""
        self.config = config or SimulatorConfig()
        self.clock = Clock()
        self.library = Library(self.config, self.clock)
        self.dto = Dto(self.library)
        self.queries = QueryEngine(self.library, self.config.seed)
        self.hub = WebSocketHub(self)
        self.activity_log: list[dict[str, Any]] = []
        self.session_manager = SessionManager(
            self.config,
            library=self.library,
            dto=self.dto,
            clock=self.clock,
            emit=self._on_session_event,
            activity=self._activity,
        )
        self.api = RestApi(self)
        self.fault: Fault | None = None
        self.hostile: Hostile | None = None
        """A body fault on some routes (`emby_simulator.hostile`)."""
        self._fault_rng = random.Random(f"faults-{self.config.seed}")
        self._counts: Counter[str] = Counter()
        self.request_log: list[RequestRecord] = []
        self._tokens: dict[str, str] = {}
        self._pending_library: dict[str, set[str]] = {}
        self._library_deadline: float | None = None
        self._pending_user_data: dict[str, set[str]] = {}
        self._user_data_scheduled = False
        self.has_pending_restart = False
        self.has_update_available = False
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
        self.port = self.config.port
        for n in range(6):
            self._activity(
                f"{self.library.users[n % len(self.library.users)].name} has signed in",
                "AuthenticationSucceeded",
                self.library.users[n % len(self.library.users)].id,
                None,
                when=self.clock.now() - timedelta(hours=6 - n),
            )

    # -- identity -----------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The server's API key."""
        return self.config.api_key

    @property
    def server_id(self) -> str:
        """32-hex server id (stable for a configuration)."""
        return self.library.server_id

    @property
    def server_name(self) -> str:
        """ServerName."""
        return self.config.server_name

    @property
    def url(self) -> str:
        """`http(s)://host:port`."""
        scheme = "https" if self.config.ssl_context is not None else "http"
        return f"{scheme}://{self.config.host}:{self.port}"

    @property
    def users(self) -> list[dict[str, Any]]:
        """Users as `GET /Users` returns them."""
        return [self.dto.user(u) for u in self.library.users]

    @property
    def sessions(self) -> list[Session]:
        """Current sessions (simulated clients and API consumers)."""
        return self.session_manager.all()

    @property
    def websocket_connections(self) -> int:
        """WebSockets accepted since start."""
        return self.hub.connections

    @property
    def sessions_pushes(self) -> int:
        """Sessions frames queued to sockets since start."""
        return self.hub.sessions_pushes

    @property
    def subscriptions(self) -> int:
        """Sockets subscribed to Sessions now."""
        return sum(1 for s in self.hub.sockets if s.sessions_interval is not None)

    @property
    def is_listening(self) -> bool:
        """False while stopped, restarting or shut down."""
        return self._site is not None and not self._down

    @property
    def libraries(self) -> int:
        """Libraries (virtual folders)."""
        return len(self.library.libraries)

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
        site = web.TCPSite(
            self._runner,
            self.config.host,
            self.port,
            ssl_context=self.config.ssl_context,
            reuse_address=True,
        )
        await site.start()
        self._site = site
        server = site._server
        if server is not None and self.port == 0:
            sockets = getattr(server, "sockets", None) or ()
            for sock in sockets:
                self.port = int(sock.getsockname()[1])
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
        await self.hub.close_all(None, code=WSCloseCode.GOING_AWAY)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def restart(self, down_for: float = 1.0) -> None:
        """Like a server restart: `ServerRestarting` to every socket, close them, refuse
        connections for `down_for` real seconds, then listen again on the same port. Library
        and user data survive; clients come back with new session ids."""
        async with self._restart_lock:
            await self.hub.close_all("ServerRestarting")
            await self._stop_listening()
            self.session_manager.reconnect_all()
            await asyncio.sleep(max(down_for, 0.0))
            await self._listen()
            self.has_pending_restart = False
            self.restarts += 1

    async def shutdown(self) -> None:
        """Like `POST /System/Shutdown`: `ServerShuttingDown`, close sockets, stop listening
        (`start()` or `restart()` brings it back)."""
        async with self._restart_lock:
            await self.hub.close_all("ServerShuttingDown")
            await self._stop_listening()
            self.session_manager.reconnect_all()

    def schedule_restart(self) -> None:
        """POST /System/Restart: restart after the response went out."""
        self._spawn(self._delayed(self.restart(self.config.restart_down_for)))

    def schedule_shutdown(self) -> None:
        """POST /System/Shutdown."""
        self._spawn(self._delayed(self.shutdown()))

    async def _delayed(self, coro: Any) -> None:
        await asyncio.sleep(0.05)
        await coro

    def _spawn(self, coro: Any) -> None:
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

    # -- faults -------------------------------------------------------------------------------

    def set_fault(self, fault: Fault | None) -> None:
        """Inject a fault (None clears it). `ws_drop` closes open sockets at once;
        `ws_malformed` sends odd frames with every frame from now on."""
        self.fault = fault
        if fault is not None and fault.ws_drop:
            self._spawn(self.hub.close_all(None, code=WSCloseCode.GOING_AWAY))
        if fault is not None and fault.ws_malformed:
            for socket in self.hub.sockets:
                self.hub._enqueue(socket, self.hub.frame("Ping"))

    def _fault_for(self, path: str) -> Fault | None:
        fault = self.fault
        if fault is None:
            return None
        if not fault.paths:
            return fault
        for pattern in fault.paths:
            regex = template_regex(pattern.rstrip("/"))
            parts = path.split("/")
            # A pattern matches the path or any path below it.
            if any(regex.match("/".join(parts[:n])) for n in range(2, len(parts) + 1)):
                return fault
        return None

    def _error_response(self, status: int, fault: Fault | None) -> web.Response:
        text = STATUS_TEXT.get(status, "Error")
        if fault is not None and fault.html_error:
            page = (
                f"<html>\r\n<head><title>{status} {text}</title></head>\r\n<body>\r\n"
                f"<center><h1>{status} {text}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n"
            )
            return web.Response(status=status, text=page, content_type="text/html")
        return web.Response(status=status, text=text, content_type="text/plain")

    # -- accounting ---------------------------------------------------------------------------

    def request_counts(self) -> dict[str, int]:
        """`"METHOD /path"` -> requests (paths as received, without `/emby` and query)."""
        return dict(self._counts)

    def count(self, path: str, method: str | None = None) -> int:
        """Requests to exactly `path` (`{id}` matches one segment), any method unless given."""
        wanted = method.upper() if method else None
        regex = template_regex(path)
        total = 0
        for key, value in self._counts.items():
            key_method, _, key_path = key.partition(" ")
            if wanted is not None and key_method != wanted:
                continue
            if regex.match(key_path):
                total += value
        return total

    def reset_counts(self) -> None:
        """Forget counts and the request log."""
        self._counts.clear()
        self.request_log.clear()

    @staticmethod
    def cpu_seconds() -> float:
        """CPU time of this process (the bench measures the simulator's thread itself)."""
        return time.process_time()

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
        self._counts[f"{method} {counted_path}"] += 1
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
            fault = self._fault_for(path)
            if fault is not None and (early := await self._apply_fault(fault)) is not None:
                status = early.status
                return early
            if not isinstance(found, tuple):
                status = 404
                return web.Response(status=404, text="Not Found", content_type="text/plain")
            route_, params = found
            token_user = self._authenticate(identity)
            if not route_.public and token_user is False:
                status = 401
                return self._error_response(401, None)
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
            self.request_log.append(
                RequestRecord(
                    method=method,
                    path=counted_path,
                    template=template,
                    query={k: v for k, v in q.items() if k not in SECRET_PARAMETERS},
                    body=_redact(body),
                    status=status,
                    time=arrived,
                    client=identity.label,
                )
            )

    async def _apply_fault(self, fault: Fault) -> web.Response | None:
        if fault.latency > 0:
            await asyncio.sleep(fault.latency)
        if fault.force_status is not None:
            return self._error_response(fault.force_status, fault)
        if fault.error_rate > 0 and self._fault_rng.random() < fault.error_rate:
            return self._error_response(500, fault)
        return None

    def _authenticate(self, identity: Identity) -> User | bool:
        """True for the API key, the User for a user token, False otherwise."""
        token = identity.token
        if token is None:
            return False
        if token == self.config.api_key:
            return True
        user_id = self._tokens.get(token)
        user = self.library.user(user_id) if user_id else None
        return user if user is not None else False

    def _touch_session(
        self, request: web.Request, identity: Identity, user: User | None
    ) -> Session | None:
        """An identified caller (DeviceId and Client) has a session, as on Emby."""
        manager = self.session_manager
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
            remote=self.remote_address(request),
        )

    @staticmethod
    def remote_address(request: web.Request) -> str:
        """The caller's IPv4 address (SessionInfo.RemoteEndPoint is declared ipv4)."""
        remote = request.remote or "127.0.0.1"
        return remote if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", remote) else "127.0.0.1"

    async def _websocket(
        self, request: web.Request, identity: Identity, q: dict[str, str], path: str
    ) -> web.StreamResponse:
        fault = self._fault_for(path)
        if fault is not None:
            early = await self._apply_fault(fault)
            if early is not None:
                return early
            if fault.ws_drop:
                return self._error_response(503, fault)
        token_user = self._authenticate(identity)
        if token_user is False:
            return self._error_response(401, None)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(
                status=400, text="WebSocket upgrade expected", content_type="text/plain"
            )
        user = token_user if isinstance(token_user, User) else None
        device_id = q.get("deviceid") or q.get("device_id") or identity.device_id
        session: Session | None = None
        if device_id:
            session = self.session_manager.by_device(device_id)
            if session is not None and not session.simulated:
                # A (re)connected socket: capabilities must be reported again (EMBY.md 4.6).
                session.capabilities_registered = False
            if session is None:
                session = self.session_manager.api_session(
                    device_id,
                    client=identity.client or "Emby WebSocket",
                    device_name=identity.device or device_id,
                    version=identity.version or "",
                    user=user,
                    remote=self.remote_address(request),
                )
        return await self.hub.handle(request, device_id, user.id if user else None, session)

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

    # -- JSON the REST and WebSocket sides share -------------------------------------------------

    def public_info(self) -> dict[str, Any]:
        """PublicSystemInfo (4.9 shape: address arrays, no ProductName)."""
        return {
            "LocalAddresses": [self.url],
            "RemoteAddresses": [],
            "ServerName": self.server_name,
            "Version": self.config.version,
            "Id": self.server_id,
        }

    def system_info(self) -> dict[str, Any]:
        """SystemInfo."""
        return {
            "SystemUpdateLevel": "Release",
            "OperatingSystemDisplayName": "Linux",
            "PackageName": "emby-server-deb_" + self.config.version + "_amd64.deb",
            "HasPendingRestart": self.has_pending_restart,
            "IsShuttingDown": False,
            "HasImageEnhancers": False,
            "OperatingSystem": "Linux",
            "SupportsLibraryMonitor": True,
            "SupportsLocalPortConfiguration": True,
            "SupportsWakeServer": False,
            "WebSocketPortNumber": self.port,
            "CompletedInstallations": [],
            "CanSelfRestart": True,
            "CanSelfUpdate": False,
            "CanLaunchWebBrowser": False,
            "ProgramDataPath": "/var/lib/emby",
            "ItemsByNamePath": "/var/lib/emby/metadata",
            "CachePath": "/var/lib/emby/cache",
            "LogPath": "/var/lib/emby/logs",
            "InternalMetadataPath": "/var/lib/emby/metadata",
            "TranscodingTempPath": "/var/lib/emby/transcoding-temp",
            "HttpServerPortNumber": self.port,
            "SupportsHttps": self.config.ssl_context is not None,
            "HttpsPortNumber": self.port if self.config.ssl_context is not None else 8920,
            "HasUpdateAvailable": self.has_update_available,
            "SupportsAutoRunAtStartup": False,
            "HardwareAccelerationRequiresPremiere": True,
            "WakeOnLanInfo": [],
        } | self.public_info()

    def sessions_json(
        self,
        controllable_by: str | None = None,
        device_id: str | None = None,
        session_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """`GET /Sessions` (also the Data of Sessions frames)."""
        sessions = self.session_manager.all()
        if device_id:
            sessions = [s for s in sessions if s.device_id == device_id]
        if session_id:
            sessions = [s for s in sessions if s.id == session_id]
        if controllable_by:
            user = self.library.user(controllable_by)
            if user is None:
                return []
            sessions = [
                s
                for s in sessions
                if s.supports_remote_control
                and (
                    s.user_id is None
                    or s.user_id == user.id
                    or user.enable_remote_control_of_other_users
                )
            ]
        return [self.session_manager.to_json(s) for s in sessions]

    def tasks_json(self) -> list[dict[str, Any]]:
        """ScheduledTasksInfo Data."""
        return [self.dto.task(t) for t in self.library.tasks if not t.is_hidden]

    def item_counts(self, user: User | None, favorite: bool | None) -> dict[str, int]:
        """ItemCounts (ArtistCount/BoxSetCount 0 with `item_counts_quirk`, like Emby)."""
        lib = self.library

        def count(item_type: str) -> int:
            total = 0
            for item_id in lib.by_type.get(item_type, ()):
                item = lib.items[item_id]
                if not lib.visible(user, item):
                    continue
                if (
                    favorite is not None
                    and user is not None
                    and lib.user_data_of(user.id, item_id).is_favorite != favorite
                ):
                    continue
                total += 1
            return total

        counts = {
            "MovieCount": count("Movie"),
            "SeriesCount": count("Series"),
            "EpisodeCount": count("Episode"),
            "GameCount": 0,
            "ArtistCount": 0 if self.config.item_counts_quirk else count("MusicArtist"),
            "ProgramCount": 0,
            "GameSystemCount": 0,
            "TrailerCount": 0,
            "SongCount": count("Audio"),
            "AlbumCount": count("MusicAlbum"),
            "MusicVideoCount": 0,
            "BoxSetCount": 0 if self.config.item_counts_quirk else count("BoxSet"),
            "BookCount": 0,
        }
        counts["ItemCount"] = sum(counts.values()) + count("Video")
        return counts

    def plugins(self) -> list[dict[str, Any]]:
        """PluginInfo list."""
        table = (
            ("Open Subtitles", "1.0.42.0", "Download subtitles from OpenSubtitles.com"),
            ("Trakt", "3.4.1.0", "Sync your library with trakt.tv"),
            ("Webhooks", "1.2.3.0", "Send notifications to other services"),
            ("MovieDb", "1.8.2.0", "Movie and TV metadata from TheMovieDb.org"),
            ("TheTVDB", "1.6.9.0", "TV metadata from TheTVDB"),
        )
        return [
            {
                "Name": name,
                "Version": version,
                "ConfigurationFileName": name.replace(" ", "") + ".xml",
                "Description": description,
                "Id": hex_id("plugin", name),
                "ImageTag": hex_id("plugin-image", name),
            }
            for name, version, description in table
        ]

    # -- events from sessions -----------------------------------------------------------------

    def _on_session_event(self, kind: str, session: Session) -> None:
        hub = self.hub
        if kind in ("PlaybackStart", "PlaybackStopped", "PlaybackProgress", "SessionEnded"):
            hub.broadcast(kind, self.session_manager.to_json(session))
        if kind in ("PlaybackStart", "PlaybackStopped") and session.user_id and session.now_playing:
            # Emby saves user data when playback starts (play count, last played) and stops
            # (resume point or played); both saves send UserDataChanged (only progress saves do
            # not, EMBY.md 4.4). The stop's save happens right after this event.
            if kind == "PlaybackStart":
                self.library.store_user_data(
                    session.user_id, session.now_playing
                ).last_played = self.clock.now()
            self._user_data_changed(session.user_id, [session.now_playing])
        # Sessions: pushed on every state change (the interval throttles only progress). A stop
        # is announced before the session is cleared: its snapshot goes out once it is.
        if kind == "PlaybackStopped" and not hub.batching:
            self._soon(lambda: hub.push_sessions(force=True))
        else:
            hub.push_sessions(force=True)

    @staticmethod
    def _soon(callback: Callable[[], object]) -> None:
        """Run after the current call (at once without a running loop)."""
        try:
            asyncio.get_running_loop().call_soon(callback)
        except RuntimeError:
            callback()

    def _activity(
        self,
        name: str,
        entry_type: str,
        user_id: str | None,
        item_id: str | None,
        when: Any = None,
    ) -> None:
        entry: dict[str, Any] = {
            "Id": len(self.activity_log) + 1,
            "Name": name,
            "Type": entry_type,
        }
        if item_id:
            entry["ItemId"] = item_id
        entry["Date"] = emby_date(when or self.clock.now())
        if user_id:
            entry["UserId"] = user_id
        entry["Severity"] = "Info"
        self.activity_log.append(entry)
        if hasattr(self, "hub"):
            self.hub.push_activity([entry])

    # -- time ---------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move simulated time: playback positions, the clients' script, running tasks and
        debounced library changes; queue the frames a real server would send meanwhile.

        Sessions pushes: at most one per subscribed socket per call (state changes force one;
        progress reports of playing clients give one when the socket's interval has passed).
        Call `flush()` to wait until the frames are written.
        """
        with self.hub.batch():
            progressed = self.session_manager.advance(seconds)
            self._advance_tasks()
            if self._library_deadline is not None and self.clock.seconds >= self._library_deadline:
                self._send_pending_library_change()
            if progressed:
                self.hub.push_sessions(force=False)
            if any(t.state == "Running" for t in self.library.tasks):
                self.hub.push_tasks(force=False)

    async def flush(self) -> None:
        """Wait until every queued WebSocket frame has been written."""
        await asyncio.sleep(0)
        await self.hub.flush()

    # -- scheduled tasks ----------------------------------------------------------------------

    def run_task(self, key: str) -> bool:
        """Start a task by key (e.g. RefreshLibrary)."""
        task = next((t for t in self.library.tasks if t.key == key), None)
        return self.run_task_by_id(task.id) if task else False

    def run_task_by_id(self, task_id: str) -> bool:
        """Start a task; it ends during a later `advance` (ScheduledTaskEnded)."""
        task = next((t for t in self.library.tasks if t.id == task_id), None)
        if task is None:
            return False
        if task.state != "Running":
            task.state = "Running"
            task.progress = 0.0
            task.started_at = self.clock.seconds
            self.hub.push_tasks(force=True)
        return True

    def cancel_task(self, task_id: str) -> bool:
        """Cancel a running task (ends as Cancelled)."""
        task = next((t for t in self.library.tasks if t.id == task_id), None)
        if task is None:
            return False
        if task.state == "Running":
            self._finish_task(task, "Cancelled")
        return True

    def _advance_tasks(self) -> None:
        for task in self.library.tasks:
            if task.state != "Running" or task.started_at is None:
                continue
            elapsed = self.clock.seconds - task.started_at
            if elapsed >= task.duration:
                self._finish_task(task, "Completed")
            else:
                task.progress = 100.0 * elapsed / task.duration
                if task.key == "RefreshLibrary":
                    for folder in self.library.libraries:
                        self.hub.broadcast(
                            "RefreshProgress",
                            {"ItemId": folder.id, "Progress": f"{task.progress:.1f}"},
                            lambda s: self.hub.receives_user_events(s, None),
                        )

    def _finish_task(self, task: Any, status: str) -> None:
        now = self.clock.now()
        started = now - timedelta(
            seconds=self.clock.seconds - (task.started_at or self.clock.seconds)
        )
        task.state = "Idle"
        task.progress = None
        task.started_at = None
        task.last_result = {
            "StartTimeUtc": started,
            "EndTimeUtc": now,
            "Status": status,
            "Name": task.name,
            "Key": task.key,
            "Id": task.id,
        }
        self.hub.broadcast("ScheduledTaskEnded", self.dto.task_result(task.last_result))
        self.hub.push_tasks(force=True)

    # -- library changes ----------------------------------------------------------------------

    def _library_update(
        self, added: Iterable[Item], updated: Iterable[Item], removed: Iterable[Item]
    ) -> dict[str, Any]:
        added, updated, removed = list(added), list(updated), list(removed)
        folders_added = sorted({i.parent_id for i in added if i.parent_id})
        folders_removed = sorted({i.parent_id for i in removed if i.parent_id})
        collections = sorted({i.library_id for i in (*added, *removed) if i.library_id})
        data: dict[str, Any] = {
            "FoldersAddedTo": folders_added,
            "FoldersRemovedFrom": folders_removed,
            "ItemsAdded": [i.id for i in added],
            "ItemsRemoved": [i.id for i in removed],
            "ItemsUpdated": [i.id for i in updated],
            "CollectionFolders": collections,
        }
        data["IsEmpty"] = not any(data.values())
        return data

    def _send_library_change(self, data: dict[str, Any]) -> int:
        return self.hub.broadcast(
            "LibraryChanged", data, lambda s: self.hub.receives_user_events(s, None)
        )

    def _queue_library_change(
        self, added: Sequence[Item] = (), updated: Sequence[Item] = ()
    ) -> None:
        """A change made through the API: sent after Emby's debounce (5 simulated s)."""
        pending = self._pending_library
        pending.setdefault("added", set()).update(i.id for i in added)
        pending.setdefault("updated", set()).update(i.id for i in updated)
        if self._library_deadline is None:
            self._library_deadline = self.clock.seconds + LIBRARY_CHANGE_DEBOUNCE

    def _send_pending_library_change(self) -> None:
        lib = self.library
        added = [
            lib.items[i] for i in sorted(self._pending_library.get("added", ())) if i in lib.items
        ]
        updated = [
            lib.items[i]
            for i in sorted(self._pending_library.get("updated", ()))
            if i in lib.items and i not in self._pending_library.get("added", ())
        ]
        self._pending_library = {}
        self._library_deadline = None
        if added or updated:
            self._send_library_change(self._library_update(added, updated, ()))

    def trigger_library_change(
        self,
        items_added: int | Sequence[str] = 0,
        items_updated: int | Sequence[str] = (),
        items_removed: int | Sequence[str] = (),
    ) -> dict[str, Any]:
        """Change the library now and send `LibraryChanged` (real Data shape) to the sockets
        that receive it. Counts create movies / pick existing movies; id lists name items."""
        lib = self.library
        if isinstance(items_added, int):
            added = lib.add_movies(items_added)
        else:
            added = [i for i in (lib.get(x) for x in items_added) if i is not None]
        updated = self._pick(items_updated, exclude={i.id for i in added})
        for item in updated:
            lib.touch(item)
        to_remove = self._pick(items_removed, exclude={i.id for i in (*added, *updated)})
        removed: list[Item] = []
        for item in to_remove:
            removed.extend(lib.remove(item))
        data = self._library_update(added, updated, removed)
        self._send_library_change(data)
        return data

    def _pick(self, wanted: int | Sequence[str], exclude: set[str]) -> list[Item]:
        lib = self.library
        if isinstance(wanted, int):
            movies = [lib.items[i] for i in lib.by_type.get("Movie", ()) if i not in exclude]
            return movies[:wanted]
        found = []
        for item_id in wanted:
            item = lib.get(str(item_id))
            if item is None:
                raise KeyError(f"no item {item_id}")
            found.append(item)
        return found

    def refresh_item(self, item: Item) -> None:
        """POST /Items/{Id}/Refresh: metadata refreshed, reported as an update."""
        self.library.touch(item)
        self._queue_library_change(updated=[item])

    def create_playlist(self, name: str, item_ids: list[str], media_type: str | None) -> Item:
        """POST /Playlists."""
        lib = self.library
        folder = next((v for v in lib.views if v.collection_type == "playlists"), None)
        if folder is None:
            folder = lib._special_folder("PlaylistsFolder", "Playlists", "playlists")
        playlist = lib.add(
            Item(
                id=lib.new_id(),
                type="Playlist",
                name=name,
                library_id=folder.id,
                parent_id=folder.id,
                created=self.clock.now(),
                collection_type="music" if (media_type or "").lower() == "audio" else None,
            )
        )
        self.add_to_playlist(playlist, item_ids, announce=False)
        self._queue_library_change(added=[playlist])
        return playlist

    def add_to_playlist(self, playlist: Item, item_ids: list[str], *, announce: bool = True) -> int:
        """POST /Playlists/{Id}/Items; returns how many entries were added."""
        added = 0
        for item_id in item_ids:
            item = self.library.get(item_id)
            if item is None:
                raise ApiError(404, f"Item {item_id} not found")
            for playable in self.library.playable(item):
                playlist.entries.append((self.library.new_entry_id(), playable.id))
                added += 1
        if announce:
            self._queue_library_change(updated=[playlist])
        return added

    def remove_from_playlist(self, playlist: Item, entry_ids: list[str]) -> None:
        """POST /Playlists/{Id}/Items/Delete?EntryIds=."""
        wanted = set(entry_ids)
        playlist.entries = [e for e in playlist.entries if e[0] not in wanted]
        self._queue_library_change(updated=[playlist])

    def create_collection(self, name: str, item_ids: list[str]) -> Item:
        """POST /Collections."""
        lib = self.library
        folder = next((v for v in lib.views if v.collection_type == "boxsets"), None)
        if folder is None:
            folder = lib._special_folder("CollectionFolder", "Collections", "boxsets")
        box = lib.add(
            Item(
                id=lib.new_id(),
                type="BoxSet",
                name=name,
                library_id=folder.id,
                parent_id=folder.id,
                created=self.clock.now(),
            )
        )
        lib._images(box, "Primary")
        self.change_collection(box, add=item_ids, announce=False)
        self._queue_library_change(added=[box])
        return box

    def change_collection(
        self,
        box: Item,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        *,
        announce: bool = True,
    ) -> None:
        """Add or remove collection members."""
        for item_id in add:
            if self.library.get(item_id) is None:
                raise ApiError(404, f"Item {item_id} not found")
            if item_id not in box.children:
                box.children.append(item_id)
        box.children = [c for c in box.children if c not in set(remove)]
        if announce:
            self._queue_library_change(updated=[box])

    # -- user data ----------------------------------------------------------------------------

    def _user_data_changed(self, user_id: str, item_ids: Iterable[str]) -> None:
        """Queue UserDataChanged; changes of one loop iteration go out as one frame (Emby
        debounces 500 ms; the simulator sends right after the request that caused them)."""
        self._pending_user_data.setdefault(user_id, set()).update(item_ids)
        if not self._user_data_scheduled:
            self._user_data_scheduled = True
            try:
                asyncio.get_running_loop().call_soon(self._send_user_data)
            except RuntimeError:
                self._send_user_data()

    def _send_user_data(self) -> None:
        self._user_data_scheduled = False
        pending, self._pending_user_data = self._pending_user_data, {}
        for user_id, item_ids in pending.items():
            entries = [
                user_data_changed_entry(self.library.user_data_of(user_id, i), i)
                for i in sorted(item_ids)
            ]
            self.hub.broadcast(
                "UserDataChanged",
                {"UserId": user_id, "UserDataList": entries},
                lambda s, uid=user_id: self.hub.receives_user_events(s, uid),  # type: ignore[misc]
            )

    def set_played(
        self, user: User, item: Item, played: bool, date: str | None = None
    ) -> dict[str, Any]:
        """Mark (un)played, folders included; returns the item's UserItemDataDto."""
        lib = self.library
        targets = [item] + (
            [c for c in lib.playable(item) if c is not item] if item.is_folder else []
        )
        for target in targets:
            data = lib.store_user_data(user.id, target.id)
            if played:
                if not data.played:
                    data.play_count += 1
                data.played = True
                data.position_ticks = 0
                data.last_played = self.clock.now()
            else:
                data.played = False
        self._user_data_changed(user.id, [t.id for t in targets])
        return self._user_data_result(user, item)

    def set_favorite(self, user: User, item: Item, favorite: bool) -> dict[str, Any]:
        """Add or remove a favorite; returns the item's UserItemDataDto."""
        self.library.store_user_data(user.id, item.id).is_favorite = favorite
        self._user_data_changed(user.id, [item.id])
        return self._user_data_result(user, item)

    def _user_data_result(self, user: User, item: Item) -> dict[str, Any]:
        data = self.library.user_data_of(user.id, item.id)
        out = user_data_dto(data, item)
        out["Key"] = item.id
        out["ItemId"] = item.id
        return out

    def trigger_user_data_change(
        self,
        user_id: str,
        item_ids: Sequence[str],
        *,
        played: bool | None = True,
        favorite: bool | None = None,
    ) -> dict[str, Any]:
        """Change a user's data now (played and/or favorite) and send UserDataChanged to the
        sockets that receive it; returns the frame's Data."""
        user = self.library.user(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}")
        for item_id in item_ids:
            if self.library.get(item_id) is None:
                raise KeyError(f"no item {item_id}")
            data = self.library.store_user_data(user.id, item_id)
            if played is not None:
                if played and not data.played:
                    data.play_count += 1
                    data.last_played = self.clock.now()
                data.played = played
                data.position_ticks = 0
            if favorite is not None:
                data.is_favorite = favorite
        entries = [
            user_data_changed_entry(self.library.user_data_of(user.id, i), i) for i in item_ids
        ]
        payload = {"UserId": user.id, "UserDataList": entries}
        self.hub.broadcast(
            "UserDataChanged", payload, lambda s: self.hub.receives_user_events(s, user.id)
        )
        return payload

    # -- users and tokens ---------------------------------------------------------------------

    @staticmethod
    def user_password(user: User) -> str:
        """Users' passwords: their lower-case name (empty for users without one)."""
        return user.name.lower() if user.has_password else ""

    def issue_token(self, user: User) -> str:
        """A user access token."""
        token = hex_id("token", self.server_id, user.id, len(self._tokens), time.monotonic_ns())
        self._tokens[token] = user.id
        user.last_login = self.clock.now()
        return token

    def revoke_token(self, token: str) -> None:
        """POST /Sessions/Logout."""
        self._tokens.pop(token, None)

    # -- live TV ------------------------------------------------------------------------------

    def timer_for(self, program: Item, *, series: bool) -> Timer:
        """A (not yet stored) timer for a programme."""
        now = self.clock.now()
        return Timer(
            id=hex_id("timer", self.server_id, program.id, series),
            channel_id=program.series_id or "",
            program_id=program.id,
            name=program.name,
            start=program.start or now,
            end=program.end or now,
            series=series,
        )

    def create_timer(self, body: dict[str, Any], *, series: bool) -> Timer:
        """POST /LiveTv/Timers and /LiveTv/SeriesTimers (body: TimerInfoDto with ProgramId)."""
        program = self.library.get(str(body.get("ProgramId", "")))
        if program is None or program.type != "Program":
            raise ApiError(400, "ProgramId must name a programme of the guide")
        timer = self.timer_for(program, series=series)
        target = self.library.series_timers if series else self.library.timers
        if all(t.id != timer.id for t in target):
            target.append(timer)
        return timer

    def cancel_timer(self, timer_id: str, *, series: bool) -> bool:
        """Delete a timer; False if unknown."""
        target = self.library.series_timers if series else self.library.timers
        for timer in target:
            if timer.id == timer_id:
                target.remove(timer)
                return True
        return False

    # -- control hooks (tests) ----------------------------------------------------------------

    def _session(self, device_id: str) -> Session:
        session = self.session_manager.by_device(device_id)
        if session is None:
            raise KeyError(f"no session for device {device_id}")
        return session

    def start_playback(self, device_id: str, item_id: str, position_s: float = 0) -> None:
        """The client starts playing an item (PlaybackStart, Sessions)."""
        self.session_manager.start_playback(self._session(device_id), item_id, position_s)

    def pause(self, device_id: str) -> None:
        """The client pauses."""
        self.session_manager.set_paused(self._session(device_id), True)

    def unpause(self, device_id: str) -> None:
        """The client resumes."""
        self.session_manager.set_paused(self._session(device_id), False)

    def stop_playback(self, device_id: str) -> None:
        """The client stops (PlaybackStopped, Sessions)."""
        self.session_manager.stop_playback(self._session(device_id))

    def add_client(
        self,
        client: str = "Emby Web",
        device_name: str = "Simulated Browser",
        device_id: str | None = None,
        user_id: str | None = None,
        **kwargs: Any,
    ) -> Session:
        """A new client connects (Sessions push); returns its session."""
        user = self.library.user(user_id) if user_id else None
        if user_id and user is None:
            raise KeyError(f"no user {user_id}")
        return self.session_manager.add_client(
            client=client, device_name=device_name, device_id=device_id, user=user, **kwargs
        )

    def remove_client(self, device_id: str) -> None:
        """A client disconnects (SessionEnded, Sessions push)."""
        self.session_manager.remove_client(device_id)

    def send_ws(self, message_type: str, data: Any = MISSING) -> int:
        """A raw frame to every socket (Data left out unless given); returns how many."""
        return self.hub.broadcast(message_type, data)

    def flood_sessions(self, n: int) -> None:
        """`n` Sessions frames back to back to every socket."""
        for socket in list(self.hub.sockets):
            for _ in range(n):
                self.hub.send(socket, "Sessions", self.sessions_json())
        self.hub.sessions_pushes += n * len(self.hub.sockets)

    def set_pending_restart(self, pending: bool = True) -> None:
        """HasPendingRestart; setting it sends RestartRequired to every socket."""
        if pending and not self.has_pending_restart:
            self.hub.broadcast("RestartRequired")
        self.has_pending_restart = pending

    def set_update_available(self, available: bool = True) -> None:
        """HasUpdateAvailable in /System/Info."""
        self.has_update_available = available


def _json_object(data: Any) -> dict[str, Any]:
    """A JSON object or a ValueError (for the admin endpoints)."""
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    return data


def _redact(body: Any) -> Any:
    """A request body for the log, without passwords."""
    if isinstance(body, dict):
        return {
            k: ("***" if k.lower() in ("pw", "password", "token") else v) for k, v in body.items()
        }
    return body
