"""Type stubs for the Rust extension module ``embymedia_core._core``.

This file is the contract between the Rust core and the Home Assistant integration. Every Emby
request, cache, coalescing decision and metric lives in Rust; Python receives plain dicts and lists
shaped by the TypedDicts below (snake_case keys; a key is always present, ``None`` where Emby sent
nothing), except for the models every session update carries: ``Session`` and what it holds are
frozen classes with read-only attributes of the same names (cheaper per update, measured in
docs/ARCHITECTURE.md). Ids are opaque strings and times are integer ticks (1 s = 10,000,000 ticks).

A small answer the core gives from its caches (at most 32 items) is converted once and handed out
again, the same object, while the cache holds it: answers are shared, like a coordinator's data.
Read them; never change them (copy first).
"""

from collections.abc import AsyncIterator
from typing import Any, ClassVar, Literal, NotRequired, Protocol, Self, TypedDict, final

__version__: str

# --------------------------------------------------------------------------------------------------
# Exceptions. Every error raised by the core is an EmbyError; messages never contain the API key.
# --------------------------------------------------------------------------------------------------

class EmbyError(Exception):
    """Base class of every error raised by the core."""

class EmbyConnectionError(EmbyError):
    """The server could not be reached (refused, DNS failure, reset, unreachable host)."""

class EmbyTimeoutError(EmbyConnectionError):
    """The request did not complete within its timeout."""

class EmbySslError(EmbyConnectionError):
    """TLS failed: bad or self-signed certificate with verify_ssl on, or a TLS/plain mismatch."""

class EmbyAuthError(EmbyError):
    """HTTP 401/403: the API key is wrong, revoked or lacks rights."""

class EmbyNotFoundError(EmbyError):
    """HTTP 404: the item, session or endpoint does not exist."""

class EmbyServerError(EmbyError):
    """HTTP 5xx from the server. ``status`` carries the code."""

    status: int

class EmbyResponseError(EmbyError):
    """An unexpected response: JSON of the wrong shape, another 4xx; base of the two below."""

class EmbyInvalidJsonError(EmbyResponseError):
    """The body was not JSON where JSON was due: empty, truncated or invalid."""

class EmbyHtmlError(EmbyResponseError):
    """An HTML page (proxy, portal or error page) where JSON was due."""

    status: int | None
    """The HTTP code of an error page; None for a page sent with a 2xx status."""

class EmbyClosedError(EmbyError):
    """The client was closed; no further calls are possible."""

class InvalidArgumentError(ValueError):
    """An argument the server could not take (an empty or malformed id, a value out of range),
    raised before anything is sent; the message names the argument."""

class InvalidHostError(EmbyError):
    """The host given by the user cannot be turned into a URL."""

# --------------------------------------------------------------------------------------------------
# Models (what the integration reads; Rust parses the full Emby JSON and keeps these fields).
# --------------------------------------------------------------------------------------------------

class PublicSystemInfo(TypedDict):
    id: str
    server_name: str
    version: str
    local_address: str | None

class SystemInfo(TypedDict):
    id: str
    server_name: str
    version: str
    operating_system: str | None
    operating_system_display_name: str | None
    has_pending_restart: bool
    has_update_available: bool
    is_shutting_down: bool
    can_self_restart: bool
    supports_library_monitor: bool
    http_server_port_number: int | None
    https_port_number: int | None
    local_address: str | None
    wan_address: str | None

class User(TypedDict):
    id: str
    name: str
    is_administrator: bool
    is_hidden: bool
    is_disabled: bool
    last_activity_date: str | None
    primary_image_tag: str | None
    has_password: bool

class UserData(TypedDict):
    played: bool
    is_favorite: bool
    play_count: int | None
    playback_position_ticks: int | None
    unplayed_item_count: int | None
    last_played_date: str | None

class Item(TypedDict):
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
    artists: list[str]
    channel_name: str | None
    run_time_ticks: int | None
    production_year: int | None
    premiere_date: str | None
    date_created: str | None
    overview: str | None
    official_rating: str | None
    community_rating: float | None
    genres: list[str]
    child_count: int | None
    recursive_item_count: int | None
    image_tags: dict[str, str]
    backdrop_image_tags: list[str]
    series_primary_image_tag: str | None
    parent_thumb_item_id: str | None
    parent_thumb_image_tag: str | None
    parent_backdrop_item_id: str | None
    album_primary_image_tag: str | None
    is_theme_media: bool
    user_data: UserData | None

class PlayStateDict(TypedDict):
    position_ticks: int | None
    can_seek: bool
    is_paused: bool
    is_muted: bool
    volume_level: int | None
    repeat_mode: str | None
    shuffle: bool | None
    play_method: str | None
    media_source_id: str | None

class TranscodingInfoDict(TypedDict):
    is_video_direct: bool
    is_audio_direct: bool
    video_codec: str | None
    audio_codec: str | None
    container: str | None
    bitrate: int | None
    width: int | None
    height: int | None
    audio_channels: int | None
    completion_percentage: float | None
    transcode_reasons: list[str]

class SessionDict(TypedDict):
    id: str
    device_id: str
    device_name: str
    client: str
    application_version: str | None
    user_id: str | None
    user_name: str | None
    supports_remote_control: bool
    playable_media_types: list[str]
    supported_commands: list[str]
    last_activity_date: str | None
    remote_end_point: str | None
    now_playing_item: Item | None
    play_state: PlayStateDict
    transcoding_info: TranscodingInfoDict | None
    playlist_index: int | None
    playlist_length: int | None

@final
class NowPlayingUserData:
    """``UserData`` of a session's now-playing item."""

    @property
    def played(self) -> bool: ...
    @property
    def is_favorite(self) -> bool: ...
    @property
    def play_count(self) -> int | None: ...
    @property
    def playback_position_ticks(self) -> int | None: ...
    @property
    def unplayed_item_count(self) -> int | None: ...
    @property
    def last_played_date(self) -> str | None: ...
    def __eq__(self, other: object) -> bool: ...
    def __replace__(self, **changes: Any) -> Self:
        """A copy with the named fields changed (``copy.replace``); TypeError on a wrong name or type."""
    def to_dict(self) -> UserData:
        """The dict form (the keys are the attribute names; nested models are dicts too)."""

@final
class NowPlayingItem:
    """The item a session plays (the fields of ``Item``)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def media_type(self) -> str | None: ...
    @property
    def collection_type(self) -> str | None: ...
    @property
    def is_folder(self) -> bool: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def series_id(self) -> str | None: ...
    @property
    def series_name(self) -> str | None: ...
    @property
    def season_id(self) -> str | None: ...
    @property
    def season_name(self) -> str | None: ...
    @property
    def index_number(self) -> int | None: ...
    @property
    def parent_index_number(self) -> int | None: ...
    @property
    def album(self) -> str | None: ...
    @property
    def album_id(self) -> str | None: ...
    @property
    def album_artist(self) -> str | None: ...
    @property
    def artists(self) -> list[str]: ...
    @property
    def channel_name(self) -> str | None: ...
    @property
    def run_time_ticks(self) -> int | None: ...
    @property
    def production_year(self) -> int | None: ...
    @property
    def premiere_date(self) -> str | None: ...
    @property
    def date_created(self) -> str | None: ...
    @property
    def overview(self) -> str | None: ...
    @property
    def official_rating(self) -> str | None: ...
    @property
    def community_rating(self) -> float | None: ...
    @property
    def genres(self) -> list[str]: ...
    @property
    def child_count(self) -> int | None: ...
    @property
    def recursive_item_count(self) -> int | None: ...
    @property
    def image_tags(self) -> dict[str, str]: ...
    @property
    def backdrop_image_tags(self) -> list[str]: ...
    @property
    def series_primary_image_tag(self) -> str | None: ...
    @property
    def parent_thumb_item_id(self) -> str | None: ...
    @property
    def parent_thumb_image_tag(self) -> str | None: ...
    @property
    def parent_backdrop_item_id(self) -> str | None: ...
    @property
    def album_primary_image_tag(self) -> str | None: ...
    @property
    def is_theme_media(self) -> bool: ...
    @property
    def user_data(self) -> NowPlayingUserData | None: ...
    def __eq__(self, other: object) -> bool: ...
    def __replace__(self, **changes: Any) -> Self:
        """A copy with the named fields changed (``copy.replace``); TypeError on a wrong name or type."""
    def to_dict(self) -> Item:
        """The dict form (the keys are the attribute names; nested models are dicts too)."""

@final
class PlayState:
    """Player state of a session."""

    @property
    def position_ticks(self) -> int | None: ...
    @property
    def can_seek(self) -> bool: ...
    @property
    def is_paused(self) -> bool: ...
    @property
    def is_muted(self) -> bool: ...
    @property
    def volume_level(self) -> int | None: ...
    @property
    def repeat_mode(self) -> str | None: ...
    @property
    def shuffle(self) -> bool | None: ...
    @property
    def play_method(self) -> str | None: ...
    @property
    def media_source_id(self) -> str | None: ...
    def __eq__(self, other: object) -> bool: ...
    def __replace__(self, **changes: Any) -> Self:
        """A copy with the named fields changed (``copy.replace``); TypeError on a wrong name or type."""
    def to_dict(self) -> PlayStateDict:
        """The dict form (the keys are the attribute names; nested models are dicts too)."""

@final
class TranscodingInfo:
    """What Emby converts for a transcoding session and why (absent for direct play)."""

    @property
    def is_video_direct(self) -> bool: ...
    @property
    def is_audio_direct(self) -> bool: ...
    @property
    def video_codec(self) -> str | None: ...
    @property
    def audio_codec(self) -> str | None: ...
    @property
    def container(self) -> str | None: ...
    @property
    def bitrate(self) -> int | None: ...
    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...
    @property
    def audio_channels(self) -> int | None: ...
    @property
    def completion_percentage(self) -> float | None: ...
    @property
    def transcode_reasons(self) -> list[str]:
        """Emby's ``TranscodeReason`` names, e.g. ``VideoCodecNotSupported``."""
    def __eq__(self, other: object) -> bool: ...
    def __replace__(self, **changes: Any) -> Self:
        """A copy with the named fields changed (``copy.replace``); TypeError on a wrong name or type."""
    def to_dict(self) -> TranscodingInfoDict:
        """The dict form (the keys are the attribute names; nested models are dicts too)."""

@final
class Session:
    """A client session (``get_sessions()``, WebSocket session events); ``==`` compares every field."""

    # The parts of a session, as bits of ``changed_parts()``.
    PART_DEVICE: ClassVar[int]
    """``device_name``, ``client``, ``application_version``."""
    PART_CAPABILITIES: ClassVar[int]
    """What the client can be asked to do now: ``supports_remote_control``,
    ``playable_media_types``, ``supported_commands``, ``playlist_length``,
    ``play_state.can_seek`` and whether it has a now-playing item."""
    PART_PLAY_STATE: ClassVar[int]
    """Any field of ``play_state``."""
    PART_ITEM: ClassVar[int]
    """Any field of ``now_playing_item`` (or whether there is one)."""
    PART_USER: ClassVar[int]
    """``user_id``, ``user_name``."""
    PART_TRANSCODING: ClassVar[int]
    """``transcoding_info``."""
    PART_OTHER: ClassVar[int]
    """``id``, ``device_id``, ``last_activity_date``, ``remote_end_point``, ``playlist_index``."""
    PART_ALL: ClassVar[int]
    """Every part."""

    def changed_parts(self, other: Session, /) -> int:
        """The parts (``PART_*`` bits) in which this session differs from ``other`` (0: the same),
        compared in the core without reading a field into Python."""

    @property
    def id(self) -> str: ...
    @property
    def device_id(self) -> str: ...
    @property
    def device_name(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def application_version(self) -> str | None: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def user_name(self) -> str | None: ...
    @property
    def supports_remote_control(self) -> bool: ...
    @property
    def playable_media_types(self) -> list[str]: ...
    @property
    def supported_commands(self) -> list[str]: ...
    @property
    def last_activity_date(self) -> str | None: ...
    @property
    def remote_end_point(self) -> str | None: ...
    @property
    def now_playing_item(self) -> NowPlayingItem | None: ...
    @property
    def play_state(self) -> PlayState: ...
    @property
    def transcoding_info(self) -> TranscodingInfo | None: ...
    @property
    def playlist_index(self) -> int | None: ...
    @property
    def playlist_length(self) -> int | None: ...
    @property
    def is_playing(self) -> bool:
        """Whether a now-playing item that is not theme media plays (without building the item)."""
    def __eq__(self, other: object) -> bool: ...
    def __replace__(self, **changes: Any) -> Self:
        """A copy with the named fields changed (``copy.replace``); TypeError on a wrong name or type."""
    def to_dict(self) -> SessionDict:
        """The dict form (the keys are the attribute names; nested models are dicts too)."""

class ItemsResult(TypedDict):
    items: list[Item]
    total_record_count: int

class ItemCounts(TypedDict):
    movie_count: int
    series_count: int
    episode_count: int
    song_count: int
    album_count: int
    artist_count: int
    music_video_count: int
    box_set_count: int
    book_count: int
    trailer_count: int
    program_count: int
    item_count: int

class VirtualFolder(TypedDict):
    id: str
    item_id: str | None
    name: str
    collection_type: str | None
    locations: list[str]
    refresh_status: str | None
    refresh_progress: float | None

class TaskResult(TypedDict):
    status: str | None
    start_time_utc: str | None
    end_time_utc: str | None
    error_message: str | None

class ScheduledTask(TypedDict):
    id: str
    key: str | None
    name: str
    state: str
    category: str | None
    current_progress_percentage: float | None
    is_hidden: bool
    last_execution_result: TaskResult | None

class NameId(TypedDict):
    id: str
    name: str

class NameIdResult(TypedDict):
    items: list[NameId]
    total_record_count: int

class PlaylistItem(Item):
    playlist_item_id: str | None
    """The entry's id in the playlist: what ``remove_from_playlist`` takes."""

class PlaylistItemsResult(TypedDict):
    items: list[PlaylistItem]
    total_record_count: int

class PlaylistCreated(TypedDict):
    id: str
    name: str | None
    item_added_count: int | None

class CollectionCreated(TypedDict):
    id: str
    name: str | None

class LiveTvInfo(TypedDict):
    is_enabled: bool
    enabled_users: list[str]

class Timer(TypedDict):
    """A scheduled recording (``type`` "Timer") or a series timer (``type`` "SeriesTimer")."""

    id: str
    type: str | None
    name: str | None
    status: str | None
    channel_id: str | None
    channel_name: str | None
    program_id: str | None
    series_timer_id: str | None
    start_date: str | None
    end_date: str | None
    run_time_ticks: int | None
    pre_padding_seconds: int | None
    post_padding_seconds: int | None

class TimersResult(TypedDict):
    items: list[Timer]
    total_record_count: int

class ActivityLogEntry(TypedDict):
    id: str
    name: str | None
    type: str | None
    overview: str | None
    short_overview: str | None
    item_id: str | None
    user_id: str | None
    date: str | None
    severity: str | None

class ActivityLogResult(TypedDict):
    items: list[ActivityLogEntry]
    total_record_count: int

class Device(TypedDict):
    id: str
    name: str | None
    app_name: str | None
    app_version: str | None
    last_user_id: str | None
    last_user_name: str | None
    date_last_activity: str | None

class Plugin(TypedDict):
    id: str
    name: str
    version: str | None
    description: str | None

class MediaSource(TypedDict):
    id: str | None
    name: str | None
    container: str | None
    protocol: str | None
    size: int | None
    bitrate: int | None
    run_time_ticks: int | None
    supports_direct_play: bool
    supports_direct_stream: bool
    supports_transcoding: bool
    transcoding_url: str | None
    """Relative to the server URL, without any credentials."""
    transcoding_sub_protocol: str | None
    transcoding_container: str | None

class Playback(TypedDict):
    """How an item will be played (``get_playback``)."""

    method: Literal["DirectPlay", "DirectStream", "Transcode"]
    path: str
    """Relative to the server URL, without credentials."""
    mime_type: str
    media_source_id: str | None
    play_session_id: str | None

class PlaybackInfo(TypedDict):
    media_sources: list[MediaSource]
    play_session_id: str | None
    error_code: str | None

# --------------------------------------------------------------------------------------------------
# Metrics snapshot (the diagnostics format of EFFICIENCY.md).
# --------------------------------------------------------------------------------------------------

class ApiCallStats(TypedDict):
    count: int
    avg_ms: float
    p95_ms: float
    errors: int

class WebSocketStats(TypedDict):
    connected: bool
    messages_received: int
    messages_by_type: dict[str, int]
    malformed_frames: int
    dropped_events: int
    uptime_hours: float
    total_uptime_hours: float
    reconnections: int
    last_error: str | None
    last_message_age_s: float | None

class CoordinatorStats(TypedDict):
    updates: int
    failures: int
    avg_duration_ms: float

class EfficiencyMetrics(TypedDict):
    api_calls: dict[str, ApiCallStats]
    websocket: WebSocketStats
    coordinators: dict[str, CoordinatorStats]

class CacheStats(TypedDict):
    hits: int
    misses: int
    coalesced: int
    entries: int
    evictions: int
    max_entries: NotRequired[int]
    ttl_seconds: int

class CacheStatsSnapshot(TypedDict):
    hits: int
    misses: int
    coalesced: int
    entries: int
    browse: CacheStats
    discovery: CacheStats
    inflight_coalesced: int

class MetricsSnapshot(TypedDict):
    efficiency_metrics: EfficiencyMetrics
    cache_stats: CacheStatsSnapshot

# --------------------------------------------------------------------------------------------------
# WebSocket events (delivered in batches, in order).
# --------------------------------------------------------------------------------------------------

class ConnectedEvent(TypedDict):
    type: Literal["connected"]

class DisconnectedEvent(TypedDict):
    type: Literal["disconnected"]
    reason: str

class ReconnectingEvent(TypedDict):
    type: Literal["reconnecting"]
    delay_s: float
    attempt: int

class SessionsEvent(TypedDict):
    """A ``Sessions`` snapshot (pushed, or ``get_session_changes``) as what changed since the
    sessions last handed over: the new or changed ``sessions`` (the newest per DeviceId, none
    without one) and the DeviceIds ``removed``."""

    type: Literal["sessions"]
    sessions: list[Session]
    removed: list[str]

class PlaybackEvent(TypedDict):
    """One client's session (``playback_stopped``: as it is after the stop, playing nothing)."""

    type: Literal["playback_start", "playback_stopped", "playback_progress", "session_ended"]
    session: Session

class LibraryChangedEvent(TypedDict):
    type: Literal["library_changed"]
    items_added: list[str]
    items_updated: list[str]
    items_removed: list[str]
    folders_added_to: list[str]
    folders_removed_from: list[str]

class UserDataChangedEvent(TypedDict):
    type: Literal["user_data_changed"]
    user_id: str
    item_ids: list[str]

class ServerEvent(TypedDict):
    type: Literal["server_restarting", "server_shutting_down", "restart_required"]

class ScheduledTaskEndedEvent(TypedDict):
    type: Literal["scheduled_task_ended"]
    task_id: str | None
    name: str | None
    status: str | None

class ScheduledTasksInfoEvent(TypedDict):
    type: Literal["scheduled_tasks_info"]
    tasks: list[ScheduledTask]

class ActivityLogEntryEvent(TypedDict):
    type: Literal["activity_log_entry"]
    entries: list[ActivityLogEntry]

class PluginsChangedEvent(TypedDict):
    type: Literal["plugins_changed"]
    message_type: str
    """PackageInstalling, PackageInstallationCompleted/Failed/Cancelled or PluginUninstalled."""

class NotificationEvent(TypedDict):
    type: Literal["notification_added"]
    name: str | None
    description: str | None
    level: str | None

class UserEvent(TypedDict):
    type: Literal["user_updated", "user_deleted"]
    user_id: str | None

type Event = (
    ConnectedEvent
    | DisconnectedEvent
    | ReconnectingEvent
    | SessionsEvent
    | PlaybackEvent
    | LibraryChangedEvent
    | UserDataChangedEvent
    | ServerEvent
    | ScheduledTaskEndedEvent
    | ScheduledTasksInfoEvent
    | ActivityLogEntryEvent
    | PluginsChangedEvent
    | NotificationEvent
    | UserEvent
)

@final
class EventStream:
    """Event batches, in order; the stream ends when the client is closed.

    Read it from the event loop: watch ``fileno()`` with ``loop.add_reader`` and ``take()`` each
    batch when it is readable (one turn of the loop per batch, nothing else woken), or iterate
    with ``async for`` (the same descriptor, one batch at a time). One reader per client:
    several streams of one client share (and split) the same queue. A cancelled ``__anext__``
    takes nothing; the next read gets the batch.
    """

    def __aiter__(self) -> AsyncIterator[list[Event]]: ...
    async def __anext__(self) -> list[Event]: ...
    def fileno(self) -> int:
        """The descriptor to watch for reading: readable while events, or the end of the
        stream, wait to be taken. OSError when the process is out of descriptors."""
    def take(self) -> list[Event] | None:
        """The events waiting, without waiting: a batch (at most 256 events; the descriptor
        stays readable while more wait), ``[]`` when none wait, None once the stream ended."""
    def release(self) -> None:
        """Close the descriptor ``fileno()`` gave, at once rather than when the stream is
        garbage collected (remove the loop's reader first). The events stay queued;
        ``fileno()`` makes a new descriptor."""
    @property
    def pending(self) -> int:
        """Events queued and not yet read (at most ``capacity``)."""
    @property
    def capacity(self) -> int:
        """Bound of the queue: beyond it, older Sessions snapshots and progress reports are
        superseded first, then the oldest events dropped (counted in ``dropped_events``)."""

# --------------------------------------------------------------------------------------------------
# The client: one per config entry / Emby server.
# --------------------------------------------------------------------------------------------------

type PlayCommand = Literal["PlayNow", "PlayNext", "PlayLast", "PlayInstantMix", "PlayShuffle"]
type PlaystateCommand = Literal[
    "Stop",
    "Pause",
    "Unpause",
    "NextTrack",
    "PreviousTrack",
    "Seek",
    "Rewind",
    "FastForward",
    "PlayPause",
]

PLAY_COMMANDS: tuple[PlayCommand, ...]
"""Every `PlayCommand` the core sends."""
PLAYSTATE_COMMANDS: tuple[PlaystateCommand, ...]
"""Every `PlaystateCommand` the core sends (`Seek` needs `seek_position_ticks`)."""
POSITION_TOLERANCE_S: float
"""Seconds a reported position may be off the one extrapolated from the session last handed
over before it is a change: within it, playback progress alone reaches no reader (sessions,
playback events)."""
SESSIONS_INTERVAL_MS_MIN: int
"""Lowest `sessions_interval_ms` of `EmbyClient.events` (Emby's SessionsStart throttle)."""
SESSIONS_INTERVAL_MS_MAX: int
"""Highest `sessions_interval_ms` of `EmbyClient.events`."""
DEFAULT_SESSIONS_INTERVAL_MS: int
"""The `sessions_interval_ms` of `EmbyClient.events` when none is given."""

class NamesListing(Protocol):
    """`get_genres`, `get_music_genres`, `get_studios`, `get_artists`: names used by the items
    below `parent_id` (recursive), sorted by name (browse cache, per user)."""

    async def __call__(
        self,
        user_id: str,
        *,
        parent_id: str | None = None,
        include_item_types: list[str] | None = None,
        start_index: int | None = None,
        limit: int | None = None,
        search_term: str | None = None,
        sort_order: Literal["Ascending", "Descending"] | None = None,
    ) -> ItemsResult: ...

def parse_host(host: str, port: int, ssl: bool) -> tuple[str, int, bool, str]:
    """Normalise user input (host or pasted URL) to (host, port, ssl, base_path).

    A bare IPv6 literal is accepted (the host comes back without brackets); a link to Emby's web
    app keeps only its server part. Raises InvalidHostError when the input cannot form a URL,
    for a port outside 1..65535 (or no int), an IPv6 zone id or credentials in the URL.
    """

def position_ticks(seconds: float) -> int:
    """Emby ticks (100 ns) of a media position in seconds. Raises InvalidArgumentError (a
    ValueError) for NaN, infinities, negative positions and ones beyond Emby's 64-bit ticks."""

def parse_api_key(api_key: str) -> str:
    """The API key without surrounding blanks. Raises InvalidArgumentError (a ValueError whose
    message never holds the key) when it is empty, longer than 256 characters, or holds anything
    but printable ASCII without blanks."""

class DiscoveredServer(TypedDict):
    """A server that answered Emby's UDP discovery."""

    id: str
    name: str
    address: str
    """As the server gave it, e.g. ``http://192.168.1.10:8096``."""
    host: str
    """``address`` split for ``EmbyClient`` (a base path stays in the host)."""
    port: int
    ssl: bool

async def discover_servers(
    target: str, *, port: int = 7359, wait: float = 2.0
) -> list[DiscoveredServer]:
    """Send ``who is EmbyServer?`` to ``target`` (an IP address: the broadcast address in
    production, a responder on 127.0.0.1 in tests) and return the servers that answered within
    ``wait`` seconds (0 < wait <= 30), one per server id. Answers that are not Emby's are
    skipped. ValueError for a target that is not an IP address or a bad wait;
    EmbyConnectionError when the socket cannot be opened or the datagram not sent.
    """

def shutdown_all() -> None:
    """Synchronously stop every client's background tasks (the package's atexit hook).

    For interpreter exit only (nothing may reach into Python while it finalizes): awaitables
    still pending stay pending, event streams hand nothing more to Python from the core's
    threads and the core logs nothing. Calls made afterwards are answered at once: REST calls
    raise `EmbyClosedError`, `close()` returns, a reader gets what is queued and then the end.
    """

@final
class EmbyClient:
    def __init__(
        self,
        host: str,
        port: int,
        api_key: str,
        *,
        ssl: bool = False,
        verify_ssl: bool = True,
        device_id: str,
        device_name: str = "Home Assistant",
        client_name: str = "Home Assistant",
        client_version: str = "0.0.0",
        timeout: float = 10.0,
    ) -> None:
        """Build the client (one pooled HTTP client; no I/O happens here). Raises InvalidHostError
        for the host or the port (see `parse_host`), InvalidArgumentError for the API key (see
        `parse_api_key`) or the timeout."""

    @property
    def server_url(self) -> str:
        """Base URL of the server, without credentials (safe to log)."""

    @property
    def timeout(self) -> float:
        """The timeout of every request made through this client, in seconds (default 10)."""

    def with_timeout(self, timeout: float) -> EmbyClient:
        """This client with another timeout (seconds, 0 < t <= 86400) for every call made through
        it: same connections, caches, metrics and WebSocket; ``close()`` on either closes both.
        InvalidArgumentError (a ValueError) for a bad timeout."""

    # System. `timeout` (seconds) is the HTTP request's own, replacing the client's default: the
    # request is aborted and recorded as a timeout (hence not asyncio.timeout, ASYNC109). A call
    # that joins an identical request in flight waits for that request.
    async def get_public_info(
        self,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> PublicSystemInfo: ...
    async def get_system_info(
        self,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> SystemInfo: ...
    async def ping(self, *, timeout: float | None = None) -> bool: ...  # noqa: ASYNC109
    async def restart_server(self) -> None: ...
    async def shutdown_server(self) -> None: ...
    # Users and sessions
    async def get_users(self) -> list[User]: ...
    async def get_sessions(self) -> list[Session]: ...
    async def get_session_changes(self) -> SessionsEvent:
        """``GET /Sessions`` as what changed since the sessions last handed over by this method
        or by ``events()`` (the first call: every client)."""
    # Remote control
    async def play(
        self,
        session_id: str,
        item_ids: list[str],
        command: PlayCommand = "PlayNow",
        *,
        start_position_ticks: int | None = None,
    ) -> None: ...
    async def playstate(
        self, session_id: str, command: PlaystateCommand, *, seek_position_ticks: int | None = None
    ) -> None:
        """Send a playstate command; Pause/Unpause fall back to PlayPause when the client rejects them."""

    async def general_command(
        self, session_id: str, name: str, arguments: dict[str, str] | None = None
    ) -> None: ...
    async def send_message(
        self, session_id: str, text: str, header: str = "", timeout_ms: int | None = None
    ) -> None: ...
    # Library (browse cache: 5 min TTL, 500 entries, LRU; concurrent identical calls coalesced)
    async def get_views(self, user_id: str) -> list[Item]: ...
    async def get_items(
        self,
        user_id: str,
        *,
        parent_id: str | None = None,
        include_item_types: list[str] | None = None,
        recursive: bool = False,
        fields: list[str] | None = None,
        sort_by: list[str] | None = None,
        sort_order: Literal["Ascending", "Descending"] | None = None,
        start_index: int | None = None,
        limit: int | None = None,
        genres: list[str] | None = None,
        studios: list[str] | None = None,
        years: list[int] | None = None,
        filters: list[str] | None = None,
        search_term: str | None = None,
        ids: list[str] | None = None,
        name_starts_with: str | None = None,
        name_less_than: str | None = None,
        artist_ids: list[str] | None = None,
    ) -> ItemsResult:
        """Genres and studios are joined with `|`, years with `,` (as Emby expects).
        `name_starts_with` / `name_less_than` match the sort name (an A-Z index)."""
    async def get_item(self, user_id: str, item_id: str) -> Item: ...
    async def get_seasons(self, user_id: str, series_id: str) -> ItemsResult: ...
    async def get_episodes(
        self, user_id: str, series_id: str, *, season_id: str | None = None
    ) -> ItemsResult: ...
    async def get_similar(self, user_id: str, item_id: str, *, limit: int = 20) -> ItemsResult: ...
    async def get_instant_mix(
        self, user_id: str, item_id: str, *, limit: int = 50
    ) -> ItemsResult: ...
    async def get_virtual_folders(self) -> list[VirtualFolder]: ...
    # Discovery (per-user cache, 30 min TTL): with a user_id, library statistics and (with
    # is_favorite=True) favorites counts; server-wide counts go to the browse cache.
    async def get_item_counts(
        self, user_id: str | None = None, *, is_favorite: bool | None = None
    ) -> ItemCounts: ...
    async def get_latest(
        self, user_id: str, *, limit: int = 20, parent_id: str | None = None
    ) -> list[Item]: ...
    async def get_resume(self, user_id: str, *, limit: int = 20) -> ItemsResult: ...
    async def get_next_up(self, user_id: str, *, limit: int = 20) -> ItemsResult: ...
    async def get_suggestions(self, user_id: str, *, limit: int = 20) -> ItemsResult: ...
    # Images: bytes and content type, for Home Assistant's authenticated image proxy
    async def get_image(
        self,
        item_id: str,
        image_type: str = "Primary",
        *,
        max_width: int | None = None,
        tag: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> tuple[bytes, str]: ...
    # Metadata (browse cache, per user): names used by the items below `parent_id` (recursive),
    # sorted by name.
    get_genres: NamesListing
    get_music_genres: NamesListing
    get_studios: NamesListing
    get_artists: NamesListing
    async def get_persons(
        self,
        user_id: str,
        *,
        parent_id: str | None = None,
        include_item_types: list[str] | None = None,
        person_types: list[str] | None = None,
        start_index: int | None = None,
        limit: int | None = None,
        search_term: str | None = None,
        sort_order: Literal["Ascending", "Descending"] | None = None,
    ) -> ItemsResult: ...
    async def get_years(
        self,
        user_id: str,
        *,
        parent_id: str | None = None,
        include_item_types: list[str] | None = None,
        start_index: int | None = None,
        limit: int | None = None,
        sort_order: Literal["Ascending", "Descending"] | None = None,
    ) -> NameIdResult: ...
    # Playlists and collections. Listings use the browse cache; every change drops the cached
    # responses it affects at once (ValueError for empty or comma-holding ids, or an empty name).
    async def get_playlists(
        self, user_id: str, *, start_index: int | None = None, limit: int | None = None
    ) -> ItemsResult: ...
    async def get_playlist_items(
        self,
        user_id: str,
        playlist_id: str,
        *,
        start_index: int | None = None,
        limit: int | None = None,
    ) -> PlaylistItemsResult: ...
    async def create_playlist(
        self, name: str, item_ids: list[str] | None = None, *, media_type: str | None = None
    ) -> PlaylistCreated | None:
        """None when the server answered without the created playlist."""
    async def add_to_playlist(
        self, playlist_id: str, item_ids: list[str], *, user_id: str | None = None
    ) -> int | None:
        """How many entries were added, when the server says."""
    async def remove_from_playlist(self, playlist_id: str, entry_ids: list[str]) -> None:
        """`entry_ids` are the `playlist_item_id`s of `get_playlist_items`."""
    async def get_collections(
        self, user_id: str, *, start_index: int | None = None, limit: int | None = None
    ) -> ItemsResult:
        """The collections (box sets) the user sees; their items: get_items(parent_id=...)."""
    async def create_collection(
        self, name: str, item_ids: list[str] | None = None, *, parent_id: str | None = None
    ) -> CollectionCreated | None: ...
    async def add_to_collection(self, collection_id: str, item_ids: list[str]) -> None: ...
    async def remove_from_collection(self, collection_id: str, item_ids: list[str]) -> None: ...
    # User data: the item's new user data (None when the server sent none). The user's cached
    # views and every cached response about the item are dropped at once, before Emby's
    # UserDataChanged arrives.
    async def mark_played(self, user_id: str, item_id: str) -> UserData | None: ...
    async def mark_unplayed(self, user_id: str, item_id: str) -> UserData | None: ...
    async def add_favorite(self, user_id: str, item_id: str) -> UserData | None: ...
    async def remove_favorite(self, user_id: str, item_id: str) -> UserData | None: ...
    # Live TV (channels: browse cache per user; the rest is not cached)
    async def get_live_tv_info(self) -> LiveTvInfo: ...
    async def get_channels(
        self,
        user_id: str,
        *,
        is_favorite: bool | None = None,
        start_index: int | None = None,
        limit: int | None = None,
    ) -> ItemsResult: ...
    async def get_recordings(
        self,
        *,
        user_id: str | None = None,
        is_in_progress: bool | None = None,
        start_index: int | None = None,
        limit: int | None = None,
    ) -> ItemsResult: ...
    async def get_timers(
        self, *, channel_id: str | None = None, series_timer_id: str | None = None
    ) -> TimersResult: ...
    async def get_series_timers(self) -> TimersResult: ...
    async def create_timer(self, program_id: str) -> None:
        """Record one programme with the server's default timer settings."""
    async def create_series_timer(self, program_id: str) -> None:
        """Record every episode of the programme's series with the server's defaults."""
    async def cancel_timer(self, timer_id: str) -> None: ...
    async def cancel_series_timer(self, series_timer_id: str) -> None: ...
    # Playback
    async def get_playback_info(
        self,
        item_id: str,
        *,
        user_id: str | None = None,
        max_streaming_bitrate: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> PlaybackInfo: ...
    async def get_playback(
        self,
        item_id: str,
        media_type: str,
        *,
        user_id: str | None = None,
        max_streaming_bitrate: int | None = None,
        video_containers: list[str] | None = None,
        audio_containers: list[str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Playback | None:
        """PlaybackInfo with a device profile (direct play of the containers given, else HLS
        h264/aac for video, mp3 for audio), then direct play, else direct stream, else transcode;
        audio always through `/Audio/{id}/universal`. None when Emby offers no way to play it.
        ValueError for a media type other than Video/Audio, a bitrate of 0 or a bad container.
        """
    async def user_media_token(self, user_id: str, user_name: str) -> None:
        """Sign in as a user without a password (empty one) once, as the device
        `<device id>-media`, and keep that user's access token for `player_url`. Only for users
        whose `has_password` is false."""
    def player_url(self, path: str, *, user_id: str | None = None) -> str:
        """The absolute URL of a `Playback.path` with a token in the query, for a player device
        that cannot send headers (never for the frontend): `user_id`'s token from
        `user_media_token` when there is one, else the API key. ValueError unless `path`
        starts with `/`."""
    def stream_path(
        self,
        item_id: str,
        media_type: str,
        *,
        static: bool = True,
        container: str | None = None,
        media_source_id: str | None = None,
        start_time_ticks: int | None = None,
        audio_codec: str | None = None,
        video_codec: str | None = None,
        max_bitrate: int | None = None,
        audio_stream_index: int | None = None,
        subtitle_stream_index: int | None = None,
    ) -> str:
        """`/Videos/{id}/stream?...` or `/Audio/{id}/stream?...`, relative to `server_url`.

        No credentials: Home Assistant's proxy fetches it with its own. `static` streams the file
        as it is; otherwise Emby transcodes to `container` and the codecs (`max_bitrate` in bit/s).
        ValueError for a media type other than Video/Audio (any case) or an unusable id.
        """
    def image_path(
        self,
        item_id: str,
        image_type: str = "Primary",
        *,
        tag: str | None = None,
        max_width: int | None = None,
        max_height: int | None = None,
        quality: int | None = None,
    ) -> str:
        """`/Items/{id}/Images/{type}?...`, relative to `server_url`, without credentials.

        ValueError for an image type Emby does not have (matched case-insensitively), a quality
        above 100 or an unusable id.
        """
    # Server administration
    async def get_scheduled_tasks(self) -> list[ScheduledTask]: ...
    async def run_scheduled_task(self, task_id: str) -> None: ...
    async def refresh_library(self) -> None: ...
    async def refresh_item(self, item_id: str, *, recursive: bool = True) -> None:
        """Rescan one library or folder."""
    async def get_activity_log(
        self,
        *,
        start_index: int | None = None,
        limit: int | None = None,
        min_date: str | None = None,
    ) -> ActivityLogResult:
        """Newest first; `min_date` is an ISO 8601 UTC time."""
    async def get_devices(self) -> list[Device]: ...
    async def get_plugins(self) -> list[Plugin]: ...
    # Cache control (the refresh button; also used internally on LibraryChanged / UserDataChanged)
    def invalidate_all(self) -> None:
        """Drop every browse and discovery entry (the refresh button)."""
    def invalidate_user(self, user_id: str) -> None:
        """Drop everything cached for one user: listings, discovery rows, item details."""
    def invalidate_item(self, item_id: str) -> None:
        """Drop every response about one item: its details and the listings it is the parent of."""
    # Metrics
    def record_coordinator_update(self, name: str, duration_s: float, success: bool) -> None:
        """Count one coordinator refresh (`coordinators` section of the snapshot)."""
    def metrics(self) -> MetricsSnapshot:
        """The whole diagnostics section at once: `efficiency_metrics` (api_calls per endpoint
        template with count, avg_ms, p95_ms, errors; websocket; coordinators) and `cache_stats`
        (hits, misses, coalesced, entries in total and per cache, evictions, TTLs)."""
    # WebSocket
    def events(
        self,
        *,
        sessions_interval_ms: int | None = None,
        ping_interval_s: float | None = None,
        read_timeout_s: float | None = None,
        backoff_base_s: float | None = None,
        backoff_max_s: float | None = None,
        stable_after_s: float | None = None,
        scheduled_tasks_interval_ms: int | None = None,
        queue_capacity: int | None = None,
    ) -> EventStream:
        """Start the WebSocket (once per client; later calls ignore the options) and return the
        event stream.

        The connection subscribes to sessions (``sessions_interval_ms``, 500-10000, is the
        server's throttle for progress pushes) and, when ``scheduled_tasks_interval_ms`` is
        given (500-600000), to scheduled-task progress and the activity log
        (``activity_log_entry``); it registers capabilities so library and user-data events
        reach an API-key socket, keeps itself alive (our pings every
        ``ping_interval_s``, a read deadline of ``read_timeout_s``, KeepAlive when the server
        asks) and reconnects by itself with exponential backoff and full jitter
        (``backoff_base_s`` doubling up to ``backoff_max_s``, reset after ``stable_after_s`` of
        a stable connection), subscribing again each time. ``queue_capacity`` (16-100000)
        bounds the events waiting for Python. The timing knobs exist for tests; left out
        (None), each is the production value (sessions 1500 ms, pings 30 s, read deadline 75 s,
        backoff 1 s to 300 s, stable after 60 s, queue 1024). Raises InvalidArgumentError (a
        ValueError) for out-of-range values and EmbyClosedError after `close()`.
        """

    async def close(self) -> None:
        """Stop the WebSocket and every background task; idempotent."""
