"""Hostile and broken answers, per route, for the fault suite (issue 14).

`Fault` (config.py) covers latency, statuses, HTML error pages and cut JSON; these are the rest a
broken or hostile server can send on one route while the others answer normally: a body that is
not JSON, JSON of the wrong type or full of nulls, a redirect to another origin, a body far
larger than any real answer (streamed without a length), a gzip bomb, and the API key echoed
back. Routes are named by their template exactly (`/Users/{UserId}/Items/Latest`), so one fault
never spills onto the routes below it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web


class BodyFault(StrEnum):
    """What the faulted route answers instead of its real body."""

    TRUNCATED = "truncated"
    """The real JSON cut in half (status 200, JSON content type)."""
    NOT_JSON = "not_json"
    """Plain text with a JSON content type."""
    HTML = "html"
    """A login page of a reverse proxy, status 200."""
    WRONG_TYPE = "wrong_type"
    """Valid JSON of the wrong type: a list where an object is due, and the other way round,
    and every scalar of the real answer as a value of another type."""
    NULL = "null"
    """`null` as the whole body."""
    NULL_FIELDS = "null_fields"
    """The real JSON with every value inside it null."""
    REDIRECT = "redirect"
    """302 to `Hostile.redirect_to` (another origin) with the same path and query."""
    OVERSIZED = "oversized"
    """`Hostile.size` bytes of valid JSON, streamed without a Content-Length."""
    GZIP_BOMB = "gzip_bomb"
    """A small gzip transfer that inflates to `Hostile.size` bytes."""
    ECHO_KEY = "echo_key"
    """HTTP 400 whose body quotes the API key the request carried."""
    BOOTING = "booting"
    """HTTP 503, as Emby answers while it starts."""
    SLOW = "slow"
    """The real answer after `Hostile.delay` seconds (real time)."""


@dataclass(frozen=True, slots=True)
class Hostile:
    """A body fault on the routes `templates` (empty: every route)."""

    body: BodyFault
    templates: tuple[str, ...] = ()
    redirect_to: str = ""
    """Origin of a REDIRECT (`http://127.0.0.1:1234`)."""
    size: int = 80 << 20
    delay: float = 0.0

    def applies_to(self, template: str | None) -> bool:
        """Whether the matched route is faulted."""
        return template is not None and (not self.templates or template in self.templates)


@functools.cache
def _gzip_bomb(size: int) -> bytes:
    """`size` spaces and `[]`, gzip-compressed (about a thousandth of `size`)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    out = [compressor.compress(b"[")]
    left = size
    while left > 0:
        out.append(compressor.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    out.append(compressor.compress(b"]"))
    out.append(compressor.flush())
    return b"".join(out)


def _retype(value: Any) -> Any:
    """Every scalar as a value of another type (ids become numbers, numbers strings...)."""
    if isinstance(value, dict):
        return {k: _retype(v) for k, v in value.items()}
    if isinstance(value, list):
        return {"0": [_retype(v) for v in value]}
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    return "null"


def _nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return dict.fromkeys(value)
    if isinstance(value, list):
        return [_nulls(v) if isinstance(v, dict) else None for v in value]
    return None


def _json(value: Any) -> web.Response:
    return web.Response(text=json.dumps(value), content_type="application/json", charset="utf-8")


def _real_json(response: web.StreamResponse) -> Any:
    body = getattr(response, "body", None)
    if not isinstance(body, bytes | bytearray) or not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


async def _stream(request: web.Request, size: int) -> web.StreamResponse:
    """`size` bytes of a valid JSON list (spaces inside), chunked, no Content-Length."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(b"[")
    chunk = b" " * (1 << 20)
    left = size
    try:
        while left > 0:
            await response.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        await response.write(b"]")
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        # The client gave up reading (what a capped reader does).
        pass
    return response


async def rewrite(
    hostile: Hostile,
    request: web.Request,
    response: web.StreamResponse,
    api_key: str,
) -> web.StreamResponse:
    """The faulted answer of a request whose real answer is `response`."""
    match hostile.body:
        case BodyFault.TRUNCATED:
            text = json.dumps(_real_json(response))
            return web.Response(
                text=text[: max(1, len(text) // 2)], content_type="application/json"
            )
        case BodyFault.NOT_JSON:
            return web.Response(
                text="Service starting, please wait", content_type="application/json"
            )
        case BodyFault.HTML:
            page = "<!DOCTYPE html><html><body><form action=/login>Sign in</form></body></html>"
            return web.Response(text=page, content_type="text/html")
        case BodyFault.WRONG_TYPE:
            real = _real_json(response)
            return _json([_retype(real)] if isinstance(real, dict) else _retype(real))
        case BodyFault.NULL:
            return _json(None)
        case BodyFault.NULL_FIELDS:
            return _json(_nulls(_real_json(response)))
        case BodyFault.REDIRECT:
            return web.Response(
                status=302, headers={"Location": hostile.redirect_to + request.path_qs}
            )
        case BodyFault.OVERSIZED:
            return await _stream(request, hostile.size)
        case BodyFault.GZIP_BOMB:
            return web.Response(
                body=_gzip_bomb(hostile.size),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
        case BodyFault.BOOTING:
            return web.Response(
                status=503, text="Emby Server is starting", content_type="text/plain"
            )
        case BodyFault.SLOW:
            await asyncio.sleep(hostile.delay)
            return response
        case BodyFault.ECHO_KEY:
            echo = {"Error": f"Access token {api_key} is not valid here", "Token": api_key}
            return web.Response(status=400, text=json.dumps(echo), content_type="application/json")
