"""The simulator's internal records: items, users, their data, timers and scheduled tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import LIBRARY_EPOCH

#: Item types whose items are folders (their children are other items).
FOLDER_TYPES = frozenset(
    {
        "CollectionFolder",
        "UserView",
        "PlaylistsFolder",
        "Series",
        "Season",
        "MusicAlbum",
        "MusicArtist",
        "BoxSet",
        "Playlist",
        "Folder",
    }
)
#: Types that are never returned by item queries (they are reached through their own endpoints).
NON_LIBRARY_TYPES = frozenset(
    {
        "CollectionFolder",
        "UserView",
        "PlaylistsFolder",
        "Genre",
        "MusicGenre",
        "Studio",
        "Person",
        "TvChannel",
        "Program",
        "Recording",
    }
)
VIDEO_TYPES = frozenset({"Movie", "Episode", "Video", "MusicVideo", "Trailer", "Recording"})


def sort_name(name: str) -> str:
    """Emby's default sort name: lower case, without a leading article."""
    lowered = name.lower()
    for article in ("the ", "a ", "an "):
        if lowered.startswith(article):
            return lowered[len(article) :]
    return lowered


@dataclass(slots=True, eq=False)
class Item:
    """One library item (internal form; `dto.py` turns it into Emby's JSON)."""

    id: str
    type: str
    name: str
    library_id: str | None = None
    """The library (collection folder) it belongs to; None for folders outside libraries."""
    parent_id: str | None = None
    children: list[str] = field(default_factory=list)
    collection_type: str | None = None
    year: int | None = None
    premiere: datetime | None = None
    created: datetime = LIBRARY_EPOCH
    runtime_ticks: int | None = None
    genres: list[str] = field(default_factory=list)
    studios: list[str] = field(default_factory=list)
    people: list[tuple[str, str, str]] = field(default_factory=list)
    """(person id, role, person type)."""
    official_rating: str | None = None
    community_rating: float | None = None
    critic_rating: float | None = None
    overview: str | None = None
    series_id: str | None = None
    season_id: str | None = None
    index: int | None = None
    parent_index: int | None = None
    album_id: str | None = None
    artist_ids: list[str] = field(default_factory=list)
    container: str | None = None
    path: str | None = None
    size: int | None = None
    bitrate: int | None = None
    width: int | None = None
    height: int | None = None
    images: dict[str, str] = field(default_factory=dict)
    """Image type -> tag (`Backdrop` is listed as BackdropImageTags)."""
    provider_ids: dict[str, str] = field(default_factory=dict)
    channel_number: str | None = None
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    revision: int = 0
    """Bumped on every update; part of the image tags and Etag."""
    entries: list[tuple[str, str]] = field(default_factory=list)
    """Playlists: (PlaylistItemId, item id) in order."""

    @property
    def is_folder(self) -> bool:
        """Whether the item has children."""
        return self.type in FOLDER_TYPES

    @property
    def media_type(self) -> str | None:
        """Emby's MediaType (Video, Audio) for playable items."""
        if self.type in VIDEO_TYPES or self.type == "TvChannel":
            return "Video"
        if self.type == "Audio":
            return "Audio"
        return None

    @property
    def sort_key(self) -> str:
        """Emby's SortName (episodes and tracks sort by their numbers)."""
        if self.type in ("Episode", "Audio", "Season") and self.index is not None:
            return f"{self.parent_index or 0:04d}{self.index:04d} - {sort_name(self.name)}"
        return sort_name(self.name)


@dataclass(slots=True)
class UserData:
    """One user's state of one item."""

    played: bool = False
    play_count: int = 0
    is_favorite: bool = False
    position_ticks: int = 0
    last_played: datetime | None = None


@dataclass(slots=True)
class User:
    """An Emby user (internal form)."""

    id: str
    name: str
    is_administrator: bool
    is_hidden: bool = False
    is_disabled: bool = False
    enable_remote_control_of_other_users: bool = True
    enabled_folders: list[str] | None = None
    """None: every library (EnableAllFolders)."""
    has_password: bool = True
    primary_image_tag: str | None = None
    created: datetime = LIBRARY_EPOCH
    last_login: datetime | None = None
    last_activity: datetime | None = None


@dataclass(slots=True)
class Timer:
    """A scheduled Live TV recording (or a series recording rule)."""

    id: str
    channel_id: str
    program_id: str
    name: str
    start: datetime
    end: datetime
    status: str = "New"
    series: bool = False


@dataclass(slots=True)
class Task:
    """A scheduled task."""

    id: str
    key: str
    name: str
    category: str
    description: str
    is_hidden: bool = False
    state: str = "Idle"
    progress: float | None = None
    duration: float = 60.0
    """Simulated seconds one run takes."""
    started_at: float | None = None
    last_result: dict[str, Any] | None = None
    interval_hours: float | None = 24.0
