"""The plain-Python reference of the per-update benchmark: what a pure-Python integration does on
Home Assistant's event loop, done as lean as Python allows.

aiohttp reads the WebSocket (or polls `GET /Sessions`), orjson parses the frame, and the sessions
become the same objects the core hands to the integration (frozen, slotted: the `Session`,
`PlayState`, `NowPlayingItem` and `NowPlayingUserData` of `_core.pyi`, field for field). Each
session is compared with the previous one of its device and, when it changed, its media player
state is written with `hass.states.async_set`: a lower bound of what an entity's state write
costs (no Entity machinery). bench/test_per_update.py measures it next to the integrations.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from homeassistant.core import HomeAssistant

ENTITY_PREFIX = "media_player.reference_"
TICKS_PER_SECOND = 10_000_000


@dataclass(frozen=True, slots=True)
class UserData:
    """NowPlayingUserData."""

    played: bool
    is_favorite: bool
    play_count: int | None
    playback_position_ticks: int | None
    unplayed_item_count: int | None
    last_played_date: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """NowPlayingItem."""

    id: str
    name: str | None
    type: str | None
    media_type: str | None
    collection_type: str | None
    is_folder: bool
    parent_id: str | None
    series_id: str | None
    series_name: str | None
    season_id: str | None
    season_name: str | None
    index_number: int | None
    parent_index_number: int | None
    album: str | None
    album_id: str | None
    album_artist: str | None
    artists: tuple[str, ...]
    channel_name: str | None
    run_time_ticks: int | None
    production_year: int | None
    premiere_date: str | None
    date_created: str | None
    overview: str | None
    official_rating: str | None
    community_rating: float | None
    genres: tuple[str, ...]
    child_count: int | None
    recursive_item_count: int | None
    image_tags: tuple[tuple[str, str], ...]
    backdrop_image_tags: tuple[str, ...]
    series_primary_image_tag: str | None
    parent_thumb_item_id: str | None
    parent_thumb_image_tag: str | None
    parent_backdrop_item_id: str | None
    album_primary_image_tag: str | None
    is_theme_media: bool
    user_data: UserData | None


@dataclass(frozen=True, slots=True)
class PlayState:
    """PlayState."""

    position_ticks: int | None
    can_seek: bool
    is_paused: bool
    is_muted: bool
    volume_level: int | None
    repeat_mode: str | None
    shuffle: bool | None
    play_method: str | None
    media_source_id: str | None


@dataclass(frozen=True, slots=True)
class Session:
    """Session."""

    id: str
    device_id: str
    device_name: str
    client: str
    application_version: str | None
    user_id: str | None
    user_name: str | None
    supports_remote_control: bool
    playable_media_types: tuple[str, ...]
    supported_commands: tuple[str, ...]
    last_activity_date: str | None
    remote_end_point: str | None
    now_playing_item: Item | None
    play_state: PlayState
    playlist_index: int | None
    playlist_length: int | None


def _user_data(raw: Any) -> UserData | None:
    if not isinstance(raw, dict):
        return None
    return UserData(
        played=bool(raw.get("Played", False)),
        is_favorite=bool(raw.get("IsFavorite", False)),
        play_count=raw.get("PlayCount"),
        playback_position_ticks=raw.get("PlaybackPositionTicks"),
        unplayed_item_count=raw.get("UnplayedItemCount"),
        last_played_date=raw.get("LastPlayedDate"),
    )


def _item(raw: Any) -> Item | None:
    if not isinstance(raw, dict):
        return None
    g = raw.get
    return Item(
        id=str(g("Id", "")),
        name=g("Name"),
        type=g("Type"),
        media_type=g("MediaType"),
        collection_type=g("CollectionType"),
        is_folder=bool(g("IsFolder", False)),
        parent_id=g("ParentId"),
        series_id=g("SeriesId"),
        series_name=g("SeriesName"),
        season_id=g("SeasonId"),
        season_name=g("SeasonName"),
        index_number=g("IndexNumber"),
        parent_index_number=g("ParentIndexNumber"),
        album=g("Album"),
        album_id=g("AlbumId"),
        album_artist=g("AlbumArtist"),
        artists=tuple(g("Artists") or ()),
        channel_name=g("ChannelName"),
        run_time_ticks=g("RunTimeTicks"),
        production_year=g("ProductionYear"),
        premiere_date=g("PremiereDate"),
        date_created=g("DateCreated"),
        overview=g("Overview"),
        official_rating=g("OfficialRating"),
        community_rating=g("CommunityRating"),
        genres=tuple(g("Genres") or ()),
        child_count=g("ChildCount"),
        recursive_item_count=g("RecursiveItemCount"),
        image_tags=tuple((g("ImageTags") or {}).items()),
        backdrop_image_tags=tuple(g("BackdropImageTags") or ()),
        series_primary_image_tag=g("SeriesPrimaryImageTag"),
        parent_thumb_item_id=g("ParentThumbItemId"),
        parent_thumb_image_tag=g("ParentThumbImageTag"),
        parent_backdrop_item_id=g("ParentBackdropItemId"),
        album_primary_image_tag=g("AlbumPrimaryImageTag"),
        is_theme_media=bool(g("IsThemeMedia", False)),
        user_data=_user_data(g("UserData")),
    )


def parse_session(raw: dict[str, Any]) -> Session:
    """One SessionInfo as the objects the core builds."""
    state = raw.get("PlayState") or {}
    return Session(
        id=str(raw.get("Id", "")),
        device_id=str(raw.get("DeviceId", "")),
        device_name=str(raw.get("DeviceName", "")),
        client=str(raw.get("Client", "")),
        application_version=raw.get("ApplicationVersion"),
        user_id=raw.get("UserId"),
        user_name=raw.get("UserName"),
        supports_remote_control=bool(raw.get("SupportsRemoteControl", False)),
        playable_media_types=tuple(raw.get("PlayableMediaTypes") or ()),
        supported_commands=tuple(raw.get("SupportedCommands") or ()),
        last_activity_date=raw.get("LastActivityDate"),
        remote_end_point=raw.get("RemoteEndPoint"),
        now_playing_item=_item(raw.get("NowPlayingItem")),
        play_state=PlayState(
            position_ticks=state.get("PositionTicks"),
            can_seek=bool(state.get("CanSeek", False)),
            is_paused=bool(state.get("IsPaused", False)),
            is_muted=bool(state.get("IsMuted", False)),
            volume_level=state.get("VolumeLevel"),
            repeat_mode=state.get("RepeatMode"),
            shuffle=state.get("Shuffle"),
            play_method=state.get("PlayMethod"),
            media_source_id=state.get("MediaSourceId"),
        ),
        playlist_index=raw.get("PlaylistIndex"),
        playlist_length=raw.get("PlaylistLength"),
    )


class ReferenceReader:
    """Sessions over aiohttp + orjson on HA's loop, written as media player states."""

    def __init__(self, hass: HomeAssistant, port: int, api_key: str) -> None:
        """Not connected yet."""
        self.hass = hass
        self.base = f"http://127.0.0.1:{port}"
        self.api_key = api_key
        self.sessions: dict[str, Session] = {}
        self.entity_ids: dict[str, str] = {}
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, websocket: bool) -> None:
        """Connect (and subscribe to Sessions when `websocket`); first state from a poll."""
        self._http = aiohttp.ClientSession()
        await self.poll()
        if websocket:
            self._ws = await self._http.ws_connect(
                f"{self.base}/embywebsocket?api_key={self.api_key}&deviceId=bench-reference"
            )
            await self._ws.send_str('{"MessageType":"SessionsStart","Data":"0,1500"}')
            self._task = self.hass.async_create_background_task(
                self._receive(), "bench reference reader"
            )

    async def stop(self) -> None:
        """Disconnect."""
        if self._task is not None:
            self._task.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()

    async def _receive(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            frame = orjson.loads(msg.data)
            if frame.get("MessageType") == "Sessions" and isinstance(frame.get("Data"), list):
                self.apply([parse_session(raw) for raw in frame["Data"]])

    async def poll(self) -> None:
        """One `GET /Sessions`, applied."""
        assert self._http is not None
        async with self._http.get(
            f"{self.base}/Sessions", headers={"X-Emby-Token": self.api_key}
        ) as response:
            body = await response.read()
        self.apply([parse_session(raw) for raw in orjson.loads(body)])

    def apply(self, sessions: list[Session]) -> None:
        """Write the state of every controllable session that changed."""
        for session in sessions:
            if not session.supports_remote_control:
                continue
            if self.sessions.get(session.device_id) == session:
                continue
            self.sessions[session.device_id] = session
            entity_id = self.entity_ids.setdefault(
                session.device_id, f"{ENTITY_PREFIX}{len(self.entity_ids) + 1}"
            )
            self.hass.states.async_set(entity_id, *media_player_state(session))


def media_player_state(session: Session) -> tuple[str, dict[str, Any]]:
    """State and attributes as a media player entity would write them."""
    item = session.now_playing_item
    if item is None:
        return "idle", {"friendly_name": session.device_name}
    play_state = session.play_state
    attributes: dict[str, Any] = {
        "friendly_name": session.device_name,
        "media_content_id": item.id,
        "media_content_type": item.media_type,
        "media_title": item.name,
        "media_series_title": item.series_name,
        "media_duration": (item.run_time_ticks or 0) // TICKS_PER_SECOND,
        "media_position": (play_state.position_ticks or 0) // TICKS_PER_SECOND,
        "volume_level": (play_state.volume_level or 0) / 100,
        "is_volume_muted": play_state.is_muted,
        "repeat": play_state.repeat_mode,
        "shuffle": bool(play_state.shuffle),
    }
    return ("paused" if play_state.is_paused else "playing"), attributes
