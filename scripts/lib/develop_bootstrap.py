"""Set up the Home Assistant of `scripts/develop` through its own HTTP and WebSocket APIs.

Run in the develop venv while Home Assistant starts: waits for it, does onboarding (owner user,
core config, analytics, integration step), creates a long-lived access token and adds an embymedia
config entry for the Emby server in EMBY_URL / EMBY_API_KEY (the bundled simulator unless the
developer set them). Every step is skipped when already done, so a later start only checks and
prints the login. The login, the token and the entry ids are kept in CONFIG/.develop/login.json
(mode 0600); `scripts/develop --reset` wipes them with the config.

Only the standard library and aiohttp (a Home Assistant dependency) are used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

DOMAIN = "embymedia"
USERNAME = "dev"
DISPLAY_NAME = "Developer"
TOKEN_CLIENT_NAME = "scripts/develop"
TOKEN_LIFESPAN_DAYS = 3650
STATE_FILE = Path(".develop") / "login.json"
# Onboarding steps, in the order the frontend does them.
STEP_USER, STEP_CORE_CONFIG, STEP_ANALYTICS, STEP_INTEGRATION = (
    "user",
    "core_config",
    "analytics",
    "integration",
)
# Where the instance says it is (the onboarding map and country picker): with a country set, Home
# Assistant raises no "country not configured" repair. A fixed place keeps runs alike.
HOME_CONFIG: dict[str, Any] = {
    "location_name": "Home",
    "latitude": 52.3731,
    "longitude": 4.8922,
    "elevation": 0,
    "country": "NL",
    "currency": "EUR",
    "unit_system": "metric",
}
# Home Assistant's own notice that a venv ("Core") installation is unsupported: the development and
# e2e instances are one on purpose, so the bootstrap ignores it as a user would in Repairs.
INSTALLATION_NOTICE = ("homeassistant", "deprecated_method")
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
# Emby's default HTTP and HTTPS ports, used when EMBY_URL names none.
EMBY_HTTP_PORT, EMBY_HTTPS_PORT = 8096, 8920


class BootstrapError(Exception):
    """A step failed; the message says what to do."""


@dataclass
class State:
    """What the bootstrap keeps between starts (CONFIG/.develop/login.json, 0600)."""

    path: Path
    username: str = USERNAME
    password: str = ""
    token: str = ""
    # Emby URL -> the config entry id created for it.
    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, config_dir: Path) -> State:
        """The stored state, or a fresh one (with a new random password) when there is none."""
        path = config_dir / STATE_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path=path, password=secrets.token_urlsafe(12))
        except (OSError, ValueError) as err:
            raise BootstrapError(
                f"cannot read {path} ({err}); scripts/develop --reset starts over"
            ) from err
        if not isinstance(raw, dict):
            raise BootstrapError(
                f"{path} is not a JSON object; scripts/develop --reset starts over"
            )
        entries = raw.get("entries")
        return cls(
            path=path,
            username=str(raw.get("username") or USERNAME),
            password=str(raw.get("password") or secrets.token_urlsafe(12)),
            token=str(raw.get("token") or ""),
            entries=(
                {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}
            ),
        )

    def save(self) -> None:
        """Write atomically, readable by the owner only (it holds a password and a token)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.parent.chmod(0o700)
        data = {
            "username": self.username,
            "password": self.password,
            "token": self.token,
            "entries": self.entries,
        }
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        tmp.chmod(0o600)
        tmp.replace(self.path)


@dataclass(frozen=True)
class EmbyTarget:
    """The Emby server the config entry is for."""

    url: str
    api_key: str
    verify_ssl: bool
    label: str

    def user_step(self) -> dict[str, Any]:
        """The fields of the config flow's user step (the flow accepts a pasted URL as host)."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BootstrapError(f"EMBY_URL must look like http://host:8096, not {self.url!r}")
        ssl = parts.scheme == "https"
        try:
            port = parts.port or (EMBY_HTTPS_PORT if ssl else EMBY_HTTP_PORT)
        except ValueError as err:
            raise BootstrapError(f"EMBY_URL has an invalid port: {self.url!r}") from err
        return {
            "host": self.url,
            "port": port,
            "ssl": ssl,
            "api_key": self.api_key,
            "verify_ssl": self.verify_ssl,
        }


def say(message: str) -> None:
    """Progress for the developer (stdout is the terminal of scripts/develop)."""
    print(f"    {message}", flush=True)


class HomeAssistantApi:
    """The few REST and WebSocket calls onboarding and the config flow need.

    `base` is prefixed to every path: a URL, or "" for a client that already has one (tests).
    """

    def __init__(self, session: Any, base: str, client_id: str) -> None:
        """`session` is an aiohttp ClientSession (or a test client with the same methods)."""
        self._session = session
        self._base = base.rstrip("/")
        self.client_id = client_id
        self.bearer = ""

    def _headers(self, token: str | None = None) -> dict[str, str]:
        token = token if token is not None else self.bearer
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        token: str | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, Any]:
        """(status, JSON body or text); raises BootstrapError on a status outside `ok`."""
        async with self._session.request(
            method,
            self._base + path,
            json=json_body,
            data=form,
            headers=self._headers(token),
            timeout=REQUEST_TIMEOUT,
        ) as response:
            text = await response.text()
            try:
                body: Any = json.loads(text) if text else None
            except ValueError:
                body = text
            if response.status not in ok:
                raise BootstrapError(f"{method} {path} answered {response.status}: {text[:300]}")
            return response.status, body

    async def onboarding_status(self) -> dict[str, bool] | None:
        """Steps and whether each is done; None once onboarding is complete (the views go away)."""
        status, body = await self.request("GET", "/api/onboarding", ok=(200, 404))
        if status == 404:
            return None
        steps = {str(step["step"]): bool(step["done"]) for step in body}
        # Done during this run of Home Assistant (the views stay until it restarts).
        return None if all(steps.values()) else steps

    async def token_from_code(self, code: str) -> str:
        """Exchange an authorization code for an access token."""
        _, body = await self.request(
            "POST",
            "/auth/token",
            form={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
            token="",
        )
        return str(body["access_token"])

    async def login(self, username: str, password: str) -> str:
        """An access token through the login flow (what the frontend's login page does)."""
        _, flow = await self.request(
            "POST",
            "/auth/login_flow",
            json_body={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
            token="",
        )
        _, result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json_body={"client_id": self.client_id, "username": username, "password": password},
            token="",
        )
        if result.get("type") != "create_entry":
            raise BootstrapError(
                f"Home Assistant refused the login of {username!r} stored in the develop state "
                f"({result.get('errors')}); scripts/develop --reset starts over"
            )
        return await self.token_from_code(str(result["result"]))

    async def token_valid(self, token: str) -> bool:
        """Whether Home Assistant accepts `token`."""
        status, _ = await self.request("GET", "/api/", token=token, ok=(200, 401, 403))
        return status == 200

    async def websocket(self, *commands: dict[str, Any]) -> list[Any]:
        """Run WebSocket commands with the bearer token; returns each result."""
        results: list[Any] = []
        async with self._session.ws_connect(self._base + "/api/websocket") as ws:
            hello = await ws.receive_json(timeout=30)
            if hello.get("type") != "auth_required":
                raise BootstrapError(f"unexpected WebSocket greeting {hello.get('type')!r}")
            await ws.send_json({"type": "auth", "access_token": self.bearer})
            auth = await ws.receive_json(timeout=30)
            if auth.get("type") != "auth_ok":
                raise BootstrapError(f"WebSocket authentication failed: {auth.get('message')}")
            for number, command in enumerate(commands, start=1):
                await ws.send_json({"id": number, **command})
                while True:
                    answer = await ws.receive_json(timeout=60)
                    if answer.get("id") == number and answer.get("type") == "result":
                        break
                if not answer.get("success"):
                    raise BootstrapError(
                        f"WebSocket {command['type']} failed: {answer.get('error')}"
                    )
                results.append(answer.get("result"))
        return results

    async def websocket_first_event(self, command: dict[str, Any]) -> Any:
        """The first event of a subscription command (then the socket closes)."""
        async with self._session.ws_connect(self._base + "/api/websocket") as ws:
            await ws.receive_json(timeout=30)
            await ws.send_json({"type": "auth", "access_token": self.bearer})
            auth = await ws.receive_json(timeout=30)
            if auth.get("type") != "auth_ok":
                raise BootstrapError(f"WebSocket authentication failed: {auth.get('message')}")
            await ws.send_json({"id": 1, **command})
            while True:
                answer = await ws.receive_json(timeout=60)
                if answer.get("type") == "result" and not answer.get("success"):
                    raise BootstrapError(
                        f"WebSocket {command['type']} failed: {answer.get('error')}"
                    )
                if answer.get("type") == "event":
                    return answer.get("event")


async def wait_for_http(api: HomeAssistantApi, within: float) -> dict[str, bool] | None:
    """Wait until Home Assistant serves HTTP (it starts after the frontend is set up, so the
    onboarding answer is final by then); returns the onboarding status."""
    deadline = time.monotonic() + within
    next_note = time.monotonic() + 30
    while True:
        try:
            return await api.onboarding_status()
        except (aiohttp.ClientError, TimeoutError, BootstrapError):
            pass
        now = time.monotonic()
        if now > deadline:
            raise BootstrapError(
                f"Home Assistant did not answer within {within:.0f} s; see its log"
            )
        if now > next_note:
            say("still waiting for Home Assistant (a first start installs its frontend from PyPI)")
            next_note = now + 60
        await asyncio.sleep(1)


async def wait_until_running(api: HomeAssistantApi, within: float) -> None:
    """Wait until Home Assistant finished starting (every integration set up or timed out)."""
    deadline = time.monotonic() + within
    while True:
        _, config = await api.request("GET", "/api/config")
        if config.get("state") == "RUNNING":
            return
        if time.monotonic() > deadline:
            raise BootstrapError(
                f"Home Assistant is still {config.get('state')} after {within:.0f} s"
            )
        await asyncio.sleep(1)


async def onboard(api: HomeAssistantApi, state: State, status: dict[str, bool] | None) -> None:
    """Finish whatever onboarding step is left, and leave a working long-lived token in `state`
    and in `api.bearer`."""
    if status is None and state.token and await api.token_valid(state.token):
        api.bearer = state.token
        return
    if status is not None and not status.get(STEP_USER, False):
        # The password is stored before the user exists, so an interrupted run can log in later.
        state.save()
        _, body = await api.request(
            "POST",
            "/api/onboarding/users",
            json_body={
                "client_id": api.client_id,
                "name": DISPLAY_NAME,
                "username": state.username,
                "password": state.password,
                "language": "en",
            },
            token="",
        )
        api.bearer = await api.token_from_code(str(body["auth_code"]))
        say(f"created the owner {state.username!r}")
    elif state.path.exists():
        api.bearer = await api.login(state.username, state.password)
    else:
        raise BootstrapError(
            "Home Assistant was onboarded outside scripts/develop, so its login is unknown; "
            "scripts/develop --reset starts over"
        )
    if status is not None:
        if not status.get(STEP_CORE_CONFIG, False):
            # What the frontend's location step saves before it finishes the step.
            await api.websocket({"type": "config/core/update", **HOME_CONFIG})
        for step in (STEP_CORE_CONFIG, STEP_ANALYTICS):
            if not status.get(step, False):
                await api.request("POST", f"/api/onboarding/{step}", json_body={})
        if not status.get(STEP_INTEGRATION, False):
            # The step the frontend finishes with; it needs a login session (not a long-lived
            # token), which is why the token is created after it.
            await api.request(
                "POST",
                "/api/onboarding/integration",
                json_body={"client_id": api.client_id, "redirect_uri": api.client_id},
            )
        say("onboarding done")
    if not (state.token and await api.token_valid(state.token)):
        # Names are unique per user: a lost token must not block making a new one.
        name = f"{TOKEN_CLIENT_NAME} {time.strftime('%Y-%m-%d')} {secrets.token_hex(3)}"
        (token,) = await api.websocket(
            {
                "type": "auth/long_lived_access_token",
                "client_name": name,
                "lifespan": TOKEN_LIFESPAN_DAYS,
            }
        )
        state.token = str(token)
        state.save()
        say("created a long-lived access token")
    api.bearer = state.token


async def installation_type(api: HomeAssistantApi) -> str:
    """Home Assistant's installation type, from its system health data."""
    info = await api.websocket_first_event({"type": "system_health/info"})
    data = info.get("data", {}).get("homeassistant", {}).get("info", {})
    return str(data.get("installation_type", ""))


async def ignore_installation_notice(api: HomeAssistantApi, within: float) -> bool:
    """Ignore INSTALLATION_NOTICE, which a Core installation raises just after it started (waits
    up to `within` seconds for it); returns whether there was one to ignore."""
    if await installation_type(api) != "Home Assistant Core":
        return False
    domain, issue_id = INSTALLATION_NOTICE
    deadline = time.monotonic() + within
    while True:
        (listing,) = await api.websocket({"type": "repairs/list_issues"})
        found = [
            issue
            for issue in listing["issues"]
            if (issue["domain"], issue["issue_id"]) == INSTALLATION_NOTICE
        ]
        if found and found[0].get("ignored"):
            return True
        if found:
            await api.websocket(
                {
                    "type": "repairs/ignore_issue",
                    "domain": domain,
                    "issue_id": issue_id,
                    "ignore": True,
                }
            )
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.5)


async def entries(api: HomeAssistantApi) -> list[dict[str, Any]]:
    """The embymedia config entries."""
    _, body = await api.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    return list(body)


def flow_failure(step: dict[str, Any]) -> str:
    """Why a config flow step did not go on, in words."""
    errors = step.get("errors") or {}
    hints = {
        "cannot_connect": "the Emby server cannot be reached",
        "invalid_auth": "Emby rejected the API key",
        "invalid_host": "the host is not valid",
        "timeout": "the Emby server did not answer in time",
        "ssl_error": "the TLS handshake failed (EMBY_VERIFY_SSL=0 skips verification)",
        "unsupported_version": "the Emby server is too old",
    }
    if errors:
        return ", ".join(f"{hints.get(key, key)} ({key})" for key in errors.values())
    return f"{step.get('type')} {step.get('reason') or step.get('step_id')}"


async def add_entry(api: HomeAssistantApi, target: EmbyTarget) -> str | None:
    """Run the config flow as the UI would; returns the new entry id (None: already there)."""
    _, step = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        json_body={"handler": DOMAIN, "show_advanced_options": False},
    )
    for answer in (target.user_step(), {"user_id": "all"}):
        if step.get("type") == "abort" and step.get("reason") == "already_configured":
            return None
        if step.get("type") != "form":
            raise BootstrapError(f"the embymedia config flow stopped: {flow_failure(step)}")
        _, step = await api.request(
            "POST", f"/api/config/config_entries/flow/{step['flow_id']}", json_body=answer
        )
        if step.get("type") == "form" and step.get("errors"):
            raise BootstrapError(f"adding {target.label} failed: {flow_failure(step)}")
    if step.get("type") == "abort" and step.get("reason") == "already_configured":
        return None
    if step.get("type") != "create_entry":
        raise BootstrapError(f"the embymedia config flow ended with {flow_failure(step)}")
    return str(step["result"]["entry_id"])


async def ensure_entry(api: HomeAssistantApi, state: State, target: EmbyTarget) -> dict[str, Any]:
    """An embymedia entry for `target` (added unless the one made earlier still exists)."""
    known = state.entries.get(target.url)
    existing = {entry["entry_id"]: entry for entry in await entries(api)}
    if known not in existing:
        entry_id = await add_entry(api, target)
        if entry_id is None:
            say(f"{target.label} already has a config entry")
        else:
            state.entries[target.url] = entry_id
            state.save()
            say(f"added the embymedia config entry for {target.label}")
        existing = {entry["entry_id"]: entry for entry in await entries(api)}
        known = entry_id
    if known in existing:
        return existing[known]
    if existing:
        return next(iter(existing.values()))
    raise BootstrapError("no embymedia config entry exists after the config flow")


async def wait_entry_loaded(
    api: HomeAssistantApi, entry: dict[str, Any], within: float
) -> dict[str, Any]:
    """The entry once it left the setup states (loaded, or failed with a reason)."""
    deadline = time.monotonic() + within
    while entry.get("state") in ("not_loaded", "setup_in_progress") or (
        entry.get("state") == "setup_retry" and time.monotonic() < deadline
    ):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
        current = {e["entry_id"]: e for e in await entries(api)}
        entry = current.get(entry["entry_id"], entry)
    return entry


async def media_players(api: HomeAssistantApi, entry_id: str, within: float) -> dict[str, str]:
    """entity_id -> state of the entry's media players, once its sessions arrived."""
    deadline = time.monotonic() + within
    while True:
        registry, states = await api.websocket(
            {"type": "config/entity_registry/list"}, {"type": "get_states"}
        )
        ids = {
            e["entity_id"]
            for e in registry
            if e.get("config_entry_id") == entry_id and e["entity_id"].startswith("media_player.")
        }
        players = {s["entity_id"]: s["state"] for s in states if s["entity_id"] in ids}
        if any(value == "playing" for value in players.values()) or time.monotonic() > deadline:
            return players
        await asyncio.sleep(1)


async def bootstrap(
    api: HomeAssistantApi,
    state: State,
    target: EmbyTarget,
    *,
    http_timeout: float,
    start_timeout: float,
    players_timeout: float = 20.0,
    notice_timeout: float = 30.0,
) -> list[tuple[str, str]]:
    """Every step; returns the summary lines (label, value) for the developer."""
    status = await wait_for_http(api, http_timeout)
    await onboard(api, state, status)
    await wait_until_running(api, start_timeout)
    await ignore_installation_notice(api, notice_timeout)
    entry = await ensure_entry(api, state, target)
    entry = await wait_entry_loaded(api, entry, 60)
    summary = f"{entry.get('title')} ({target.label}, {target.url})"
    if entry.get("state") != "loaded":
        reason = entry.get("reason") or "see the log"
        summary += f": entry {entry.get('state')} ({reason})"
    else:
        players = await media_players(api, str(entry["entry_id"]), players_timeout)
        playing = sum(value == "playing" for value in players.values())
        summary += f": {len(players)} media players, {playing} playing"
    return [
        ("Login", f"{state.username} / {state.password}"),
        ("Token", state.token),
        ("Emby", summary),
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line (scripts/develop passes it)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, type=Path, help="Home Assistant config dir")
    parser.add_argument("--url", default="http://127.0.0.1:8123", help="where to reach HA")
    parser.add_argument(
        "--public-url", default="http://localhost:8123", help="the URL printed and used as client"
    )
    parser.add_argument("--label", default="Emby server", help="what EMBY_URL is, for messages")
    parser.add_argument("--http-timeout", type=float, default=1800.0)
    parser.add_argument("--start-timeout", type=float, default=900.0)
    return parser.parse_args(argv)


async def main_async(args: argparse.Namespace) -> int:
    """Run the bootstrap and print the summary."""
    url, api_key = os.environ.get("EMBY_URL", ""), os.environ.get("EMBY_API_KEY", "")
    if not url or not api_key:
        print("error: EMBY_URL and EMBY_API_KEY must both be set", file=sys.stderr)
        return 2
    target = EmbyTarget(
        url=url.rstrip("/"),
        api_key=api_key,
        verify_ssl=os.environ.get("EMBY_VERIFY_SSL", "1") not in ("0", "false", "no"),
        label=args.label,
    )
    client_id = args.public_url.rstrip("/") + "/"
    try:
        state = State.load(args.config)
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, args.url, client_id)
            lines = await bootstrap(
                api,
                state,
                target,
                http_timeout=args.http_timeout,
                start_timeout=args.start_timeout,
            )
    except BootstrapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (aiohttp.ClientError, TimeoutError) as err:
        print(f"error: talking to Home Assistant failed: {err!r}", file=sys.stderr)
        return 1
    width = max(len(label) for label, _ in lines)
    print()
    print(f"  {'URL'.ljust(width)}  {args.public_url}")
    for label, value in lines:
        print(f"  {label.ljust(width)}  {value}")
    print(flush=True)
    return 0


def main() -> int:
    """Entry point."""
    return asyncio.run(main_async(parse_args(sys.argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
