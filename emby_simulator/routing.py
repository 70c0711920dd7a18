"""The REST framework of the simulator: routes, the request context, answers, and the helpers
every handler area shares. Handlers live in the `rest_*` modules, one per API area."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiohttp import web

from .auth import Identity
from .clients import Session
from .errors import ApiError, bad_request, not_found
from .fields import DEFAULT_FIELDS
from .media import image_bytes
from .models import Item, User
from .query import ItemQuery, as_int, split
from .state import ServerState

__all__ = ["ApiError", "bad_request", "not_found"]

JSON_TYPE = "application/json"


@dataclass(slots=True)
class Ctx:
    """One request as the handlers see it."""

    request: web.Request
    params: dict[str, str]
    q: dict[str, str]
    """Query parameters, keys lower-cased."""
    identity: Identity
    token_user: User | None
    """The user of a user access token (None for the API key)."""
    session: Session | None
    body: Any = None

    def arg(self, name: str) -> str | None:
        """A query parameter (case-insensitive)."""
        return self.q.get(name.lower())


Handler = Callable[[Any, Ctx], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True, slots=True)
class Route:
    """A method + path template."""

    methods: frozenset[str]
    template: str
    handler: Handler
    public: bool = False
    regex: re.Pattern[str] = field(init=False, compare=False)
    names: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        """Compile the template (`{Name}` matches one segment)."""
        names = tuple(re.findall(r"{(\w+)}", self.template))
        pattern = re.escape(self.template)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), r"([^/]+?)")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "regex", re.compile(f"^{pattern}$", re.IGNORECASE))


ROUTES: list[Route] = []
"""In registration order, which is match order (`/Users/Query` before `/Users/{Id}`)."""


def route(methods: str, template: str, *, public: bool = False) -> Callable[[H], H]:
    """Register a handler for `METHOD[|METHOD] /Template`."""

    def register(handler: H) -> H:
        ROUTES.append(Route(frozenset(methods.split("|")), template, handler, public))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | bool | None:
    """The route and path parameters; False when the path exists for other methods only;
    None when no route has this path."""
    path_exists = False
    for candidate in ROUTES:
        found = candidate.regex.match(path)
        if found is None:
            continue
        if method in candidate.methods or (method == "HEAD" and "GET" in candidate.methods):
            return candidate, dict(zip(candidate.names, found.groups(), strict=True))
        path_exists = True
    return False if path_exists else None


def json_response(data: Any, status: int = 200) -> web.Response:
    """Emby's JSON (compact, UTF-8)."""
    return web.Response(
        body=json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
        status=status,
        content_type=JSON_TYPE,
        charset="utf-8",
    )


def no_content() -> web.Response:
    """204, what Emby answers to commands."""
    return web.Response(status=204)


def query_result(items: list[dict[str, Any]], total: int | None = None) -> web.Response:
    """`{"Items": [...], "TotalRecordCount": n}`."""
    return json_response(
        {"Items": items, "TotalRecordCount": len(items) if total is None else total}
    )


def opt_int(value: Any) -> int | None:
    """An optional integer argument (400 when it is not one)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"not an integer: {value!r}") from None


def arguments(body: dict[str, Any]) -> dict[str, str]:
    """A GeneralCommand's Arguments as strings."""
    found = body.get("Arguments")
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items()}


def body_object(ctx: Ctx) -> dict[str, Any]:
    """The JSON body when it is an object, else empty."""
    return ctx.body if isinstance(ctx.body, dict) else {}


class Lifecycle(Protocol):
    """What handlers may ask of the running server itself."""

    def schedule_restart(self) -> None:
        """Restart after the response went out."""

    def schedule_shutdown(self) -> None:
        """Shut down after the response went out."""


class RestBase:
    """What every handler area shares: the state, the server's lifecycle, lookups and paging."""

    def __init__(self, state: ServerState, lifecycle: Lifecycle) -> None:
        """Bind to the server's state."""
        self.state = state
        self.lifecycle = lifecycle
        self.library = state.library
        self.dto = state.dto
        self.queries = state.queries

    def user(self, user_id: str | None, *, required: bool = True) -> User | None:
        """A user by id; 404 for an unknown one (400 when required and missing)."""
        if not user_id:
            if required:
                raise bad_request("UserId is required")
            return None
        user = self.library.user(user_id)
        if user is None:
            raise not_found("User not found")
        return user

    def item(self, item_id: str) -> Item:
        """An item by id or 404."""
        item = self.library.get(item_id)
        if item is None:
            raise not_found("Item not found")
        return item

    def fields(self, ctx: Ctx) -> set[str]:
        """Requested optional fields plus the defaults."""
        return set(DEFAULT_FIELDS) | set(split(ctx.arg("Fields")))

    def items_json(
        self, items: list[Item], user: User | None, fields: set[str]
    ) -> list[dict[str, Any]]:
        """A list of BaseItemDto."""
        user_id = user.id if user is not None else None
        return [self.dto.item(i, user_id, fields) for i in items]

    def session_param(self, ctx: Ctx) -> Session:
        """The session named by `{Id}` or 404."""
        session = self.state.sessions.by_id(ctx.params["Id"])
        if session is None:
            raise not_found("Session not found")
        return session

    async def run_query(self, ctx: Ctx, user: User | None, query: ItemQuery) -> web.Response:
        """Items query -> QueryResult."""
        try:
            items, total = self.queries.run(user, query)
        except LookupError:
            raise not_found("Parent not found") from None
        return query_result(self.items_json(items, user, self.fields(ctx)), total)

    def paged(self, ctx: Ctx, user: User | None, found: list[Item]) -> web.Response:
        """One page (StartIndex, Limit) of `found` as a QueryResult."""
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = found[start : None if limit is None else start + limit]
        return query_result(self.items_json(page, user, self.fields(ctx)), len(found))

    def image(self, ctx: Ctx, key: str, image_type: str) -> web.Response:
        """An image of `key` (an item or user id) in the requested size and format."""
        width = opt_int(ctx.arg("Width")) or opt_int(ctx.arg("MaxWidth"))
        height = opt_int(ctx.arg("Height")) or opt_int(ctx.arg("MaxHeight"))
        fmt = (ctx.arg("Format") or "").lower()
        body, content_type = image_bytes(key, image_type, width, height, fmt)
        response = web.Response(body=body, content_type=content_type)
        response.headers["Cache-Control"] = (
            "public, max-age=31536000" if ctx.arg("Tag") else "public"
        )
        response.headers["Last-Modified"] = "Sun, 01 Jun 2025 12:00:00 GMT"
        return response
