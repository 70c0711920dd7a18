"""Configuration of the simulated server and of the faults it can inject."""

from __future__ import annotations

import dataclasses
import hashlib
import ssl
from dataclasses import dataclass, field
from typing import Any, Literal

#: Libraries (Emby "virtual folders") in the order `SimulatorConfig.libraries` takes them.
LIBRARY_KINDS: tuple[tuple[str, str], ...] = (
    ("Movies", "movies"),
    ("TV Shows", "tvshows"),
    ("Music", "music"),
    ("Home Videos", "homevideos"),
)


@dataclass(frozen=True, slots=True)
class Fault:
    """What goes wrong, for every endpoint or only those matching `paths`.

    `paths` holds path prefixes or templates (`/Users/{id}/Items`, `{id}` matches one segment);
    a template matches the path and everything below it. Empty means every endpoint (the admin
    endpoints under `/__sim__` are never faulted).
    """

    latency: float = 0.0
    """Seconds (real time) added before every matching response, WebSocket upgrades included."""
    error_rate: float = 0.0
    """Probability that a matching request fails with 500 (or `force_status`); the draws come
    from a generator seeded with `SimulatorConfig.seed`, so a run is reproducible."""
    force_status: int | None = None
    """Every matching request gets this status (with an Emby-like body)."""
    paths: tuple[str, ...] = ()
    html_error: bool = False
    """Error bodies are an HTML page, as a reverse proxy in front of Emby would send."""
    malformed_json: bool = False
    """Successful JSON bodies are cut in half (invalid JSON, right content type)."""
    ws_drop: bool = False
    """Close every WebSocket and refuse new upgrades (503) while set."""
    ws_stall: bool = False
    """Keep sockets open but send nothing and answer nothing, not even WebSocket pings."""
    ws_malformed: bool = False
    """Send odd frames: non-JSON text, binary, `Data` of the wrong type or missing, unknown
    `MessageType`; valid frames keep flowing between them."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """A fault from a JSON object of its fields (unknown fields are an error)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        values = dict(data)
        if "paths" in values:
            paths = values["paths"]
            if isinstance(paths, str):
                paths = [paths]
            values["paths"] = tuple(str(p) for p in paths)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """The simulated server. Defaults are small, so a test's server starts in milliseconds."""

    api_key: str = "simulator-key"
    users: int = 3
    clients: int = 6
    playing: int = 2
    version: str = "4.9.5.0"
    server_name: str = "Emby Simulator"
    server_id: str | None = None
    """32 hex digits; by default derived from the rest of the configuration (stable)."""
    libraries: int = 4
    """How many of Movies, TV Shows, Music, Home Videos exist (in that order, 1 to 4)."""
    movies: int = 40
    series: int = 6
    seasons_per_series: int = 2
    episodes_per_season: int = 6
    artists: int = 4
    albums: int = 8
    tracks_per_album: int = 8
    home_videos: int = 6
    playlists: int = 2
    collections: int = 2
    channels: int = 6
    recordings: int = 3
    timers: int = 2
    series_timers: int = 1
    host: str = "127.0.0.1"
    port: int = 0
    """0: a free port, chosen at start (then kept across `restart`)."""
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)
    realtime: bool = False
    """True: a background task moves the simulated clock with wall time (CLI, demo, bench).
    False: the clock moves only with `EmbySimulator.advance`."""
    script: bool = True
    """Clients act on their own (start, pause, resume, seek, stop, change items) as time passes."""
    item_counts_quirk: bool = True
    """`/Items/Counts` reports ArtistCount and BoxSetCount as 0, as real Emby does (EMBY.md 3.3)."""
    api_key_user_events: Literal["capabilities", "never", "always"] = "capabilities"
    """When LibraryChanged/UserDataChanged reach a socket opened with the API key (EMBY.md 4.6;
    see `emby_simulator.websocket`): after `POST /Sessions/Capabilities[/Full]` for its device
    (default), never (the open-source Emby rule), or always."""
    restart_down_for: float = 1.0
    """Real seconds the server stays down after `POST /System/Restart`."""
    seed: int = 1

    def __post_init__(self) -> None:
        """Reject configurations no server could have."""
        for name in (
            "users",
            "clients",
            "playing",
            "movies",
            "series",
            "seasons_per_series",
            "episodes_per_season",
            "artists",
            "albums",
            "tracks_per_album",
            "home_videos",
            "playlists",
            "collections",
            "channels",
            "recordings",
            "timers",
            "series_timers",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.users < 1:
            raise ValueError("an Emby server has at least one user (its administrator)")
        if not 1 <= self.libraries <= len(LIBRARY_KINDS):
            raise ValueError(f"libraries must be 1 to {len(LIBRARY_KINDS)}")
        if self.playing > self.clients:
            raise ValueError("playing cannot exceed clients")
        if not self.api_key:
            raise ValueError("api_key must not be empty")
        if self.server_id is not None and (
            len(self.server_id) != 32 or any(c not in "0123456789abcdef" for c in self.server_id)
        ):
            raise ValueError("server_id must be 32 lowercase hex digits")
        if self.api_key_user_events not in ("capabilities", "never", "always"):
            raise ValueError("api_key_user_events must be capabilities, never or always")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be 0 to 65535")

    def effective_server_id(self) -> str:
        """The configured server id, or one derived from the configuration: the same
        configuration always gives the same id, two different servers different ids."""
        if self.server_id is not None:
            return self.server_id
        identity = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("host", "port", "ssl_context", "realtime", "server_id")
        }
        return hashlib.md5(
            repr(sorted(identity.items())).encode(), usedforsecurity=False
        ).hexdigest()
