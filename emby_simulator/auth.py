"""Who is calling: the token and the client identity of a request (EMBY.md 2).

Token lookup follows the old Emby server: `Token=` inside the (X-Emby-)Authorization header, then
the `X-Emby-Token` and `X-MediaBrowser-Token` headers, then the `api_key` query parameter (and
`X-Emby-Token` as a query parameter, which Emby Web 4.8 sends).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Identity:
    """What a request says about its sender (the token itself is never logged)."""

    token: str | None
    client: str | None = None
    device: str | None = None
    device_id: str | None = None
    version: str | None = None

    @property
    def label(self) -> str | None:
        """`Client/DeviceId` for logs, without any secret."""
        if self.client is None and self.device_id is None:
            return None
        return f"{self.client or '?'}/{self.device_id or '?'}"


def parse_authorization(header: str) -> dict[str, str] | None:
    """`MediaBrowser Client="x", Device="y", ...` -> {"client": "x", ...} (keys lower-cased);
    None when the scheme is not MediaBrowser/Emby."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() not in ("mediabrowser", "emby"):
        return None
    values: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        values[key.strip().lower()] = unquote(value.strip().strip('"'))
    return values


def identify(headers: Mapping[str, str], query: Mapping[str, str]) -> Identity:
    """The identity of a request; `query` has lower-cased keys."""
    auth: dict[str, str] = {}
    for name in ("X-Emby-Authorization", "Authorization"):
        value = headers.get(name)
        if value:
            parsed = parse_authorization(value)
            if parsed is not None:
                auth = parsed
                break
    token = (
        auth.get("token")
        or headers.get("X-Emby-Token")
        or headers.get("X-MediaBrowser-Token")
        or query.get("api_key")
        or query.get("x-emby-token")
        or None
    )
    return Identity(
        token=token,
        client=auth.get("client") or headers.get("X-Emby-Client") or query.get("x-emby-client"),
        device=auth.get("device")
        or headers.get("X-Emby-Device-Name")
        or query.get("x-emby-device-name"),
        device_id=auth.get("deviceid")
        or headers.get("X-Emby-Device-Id")
        or query.get("x-emby-device-id")
        or query.get("deviceid")
        or query.get("device_id"),
        version=auth.get("version")
        or headers.get("X-Emby-Client-Version")
        or query.get("x-emby-client-version"),
    )


#: Query parameters that carry secrets and never enter the request log.
SECRET_PARAMETERS = frozenset({"api_key", "x-emby-token", "apikey", "token", "pw", "password"})


def remote_address(remote: str | None) -> str:
    """The caller's IPv4 address (SessionInfo.RemoteEndPoint is declared ipv4)."""
    remote = remote or "127.0.0.1"
    return remote if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", remote) else "127.0.0.1"
