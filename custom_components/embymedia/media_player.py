"""Media players: one per Emby client, controlled through the core where the client can be
remote controlled (the others show state and metadata only)."""

import hashlib
from typing import TYPE_CHECKING, Any, Final, cast, override

from embymedia_core import (
    POSITION_TOLERANCE_S,
    EmbyError,
    InvalidArgumentError,
    Session,
    position_ticks,
)
from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.components.media_player.const import (
    ATTR_MEDIA_ENQUEUE,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
    RepeatMode,
)
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from .browse import BrowseTree, make_browse_media
from .const import DOMAIN, LOGGER
from .coordinator import EmbyConfigEntry, EmbySessionCoordinator
from .entity import EmbyClientEntity, async_setup_client_entities
from .event_bus import playing_item
from .options import entry_user_id
from .play import OWN_MEDIA_SOURCE_PREFIX, async_play_ids, media_source_node

try:  # Home Assistant 2026.8 and later
    from homeassistant.components.media_player.const import (
        MediaPlayerDeviceClass,
        MediaPlayerEnqueue,
    )
except ImportError:  # 2026.3: defined in the component itself
    from homeassistant.components.media_player import (  # type: ignore[attr-defined]
        MediaPlayerDeviceClass,
        MediaPlayerEnqueue,
    )

if TYPE_CHECKING:
    from embymedia_core import NowPlayingItem, PlayCommand, PlaystateCommand

# Entities only read coordinator data; commands go to the server, which relays them.
PARALLEL_UPDATES = 0

TICKS_PER_SECOND: Final = 10_000_000
# Width asked of Emby for the now-playing picture (Emby scales it down, keeping the ratio).
IMAGE_MAX_WIDTH: Final = 600

# Playback controls every remote-controllable Emby client accepts (`/Sessions/{Id}/Playing/..`;
# Emby lists only general commands in SupportedCommands).
BASE_FEATURES: Final = (
    MediaPlayerEntityFeature.PLAY
    | MediaPlayerEntityFeature.PAUSE
    | MediaPlayerEntityFeature.STOP
    | MediaPlayerEntityFeature.NEXT_TRACK
    | MediaPlayerEntityFeature.PREVIOUS_TRACK
)

# HA's enqueue modes as Emby play commands. Emby has no "play now, keep the queue": PLAY
# replaces the queue like REPLACE.
ENQUEUE_COMMANDS: Final[dict[MediaPlayerEnqueue | None, PlayCommand]] = {
    None: "PlayNow",
    MediaPlayerEnqueue.PLAY: "PlayNow",
    MediaPlayerEnqueue.REPLACE: "PlayNow",
    MediaPlayerEnqueue.NEXT: "PlayNext",
    MediaPlayerEnqueue.ADD: "PlayLast",
}

REPEAT_MODES: Final = {
    "RepeatNone": RepeatMode.OFF,
    "RepeatAll": RepeatMode.ALL,
    "RepeatOne": RepeatMode.ONE,
}
EMBY_REPEAT_MODES: Final = {mode: emby for emby, mode in REPEAT_MODES.items()}

ITEM_MEDIA_TYPES: Final = {
    "Movie": MediaType.MOVIE,
    "Episode": MediaType.EPISODE,
    "Series": MediaType.TVSHOW,
    "Season": MediaType.SEASON,
    "Audio": MediaType.MUSIC,
    "MusicAlbum": MediaType.ALBUM,
    "MusicArtist": MediaType.ARTIST,
    "MusicVideo": MediaType.VIDEO,
    "Video": MediaType.VIDEO,
    "Trailer": MediaType.VIDEO,
    "TvChannel": MediaType.CHANNEL,
    "Program": MediaType.CHANNEL,
    "Recording": MediaType.VIDEO,
    "AudioBook": MediaType.PODCAST,
    "Photo": MediaType.IMAGE,
    "Playlist": MediaType.PLAYLIST,
}
MEDIA_TYPES: Final = {"Video": MediaType.VIDEO, "Audio": MediaType.MUSIC, "Photo": MediaType.IMAGE}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a media player for every client, now and as clients appear."""
    async_setup_client_entities(entry, Platform.MEDIA_PLAYER, async_add_entities, EmbyMediaPlayer)


def media_content_type(item: NowPlayingItem) -> MediaType | None:
    """Home Assistant's media type of an Emby item."""
    if (kind := ITEM_MEDIA_TYPES.get(item.type or "")) is not None:
        return kind
    return MEDIA_TYPES.get(item.media_type or "")


def now_playing_image(item: NowPlayingItem) -> tuple[str, str, str] | None:
    """(item id, image type, tag) of the picture that shows an item, or None.

    Episodes show their series poster and tracks their album cover when they have no picture
    of their own; only images the item advertises are asked for (others are a 404).
    """
    tags = item.image_tags
    if item.type == "Episode" and item.series_id and item.series_primary_image_tag:
        return item.series_id, "Primary", item.series_primary_image_tag
    if tag := tags.get("Primary"):
        return item.id, "Primary", tag
    if item.album_id and item.album_primary_image_tag:
        return item.album_id, "Primary", item.album_primary_image_tag
    if tag := tags.get("Thumb"):
        return item.id, "Thumb", tag
    if item.parent_thumb_item_id and item.parent_thumb_image_tag:
        return item.parent_thumb_item_id, "Thumb", item.parent_thumb_image_tag
    if item.backdrop_image_tags:
        return item.id, "Backdrop", item.backdrop_image_tags[0]
    return None


# Feature bits as plain ints: combining enum members costs microseconds each, and every update
# of a client derives its features again.
_BASE: Final = int(BASE_FEATURES)
_PLAYABLE: Final = int(
    MediaPlayerEntityFeature.PLAY_MEDIA
    | MediaPlayerEntityFeature.MEDIA_ENQUEUE
    | MediaPlayerEntityFeature.BROWSE_MEDIA
    | MediaPlayerEntityFeature.SEARCH_MEDIA
)
_SEEK: Final = int(MediaPlayerEntityFeature.SEEK)
_CLEAR_PLAYLIST: Final = int(MediaPlayerEntityFeature.CLEAR_PLAYLIST)
_VOLUME_MUTE: Final = int(MediaPlayerEntityFeature.VOLUME_MUTE)
_VOLUME_STEP: Final = int(MediaPlayerEntityFeature.VOLUME_STEP)
_SHUFFLE_SET: Final = int(MediaPlayerEntityFeature.SHUFFLE_SET)
_COMMAND_FEATURES: Final = {
    "SetVolume": int(MediaPlayerEntityFeature.VOLUME_SET),
    "SetShuffle": int(MediaPlayerEntityFeature.SHUFFLE_SET),
    "SetRepeatMode": int(MediaPlayerEntityFeature.REPEAT_SET),
}


def feature_bits(session: Session) -> int:
    """What the client really supports, as MediaPlayerEntityFeature bits: its SupportedCommands,
    PlayableMediaTypes and the PlayState of what it plays. A client that cannot be remote
    controlled (Infuse, a DLNA renderer) shows what it plays and offers no control."""
    if not session.supports_remote_control:
        return 0
    commands = set(session.supported_commands)
    features = _BASE
    if session.playable_media_types:
        features |= _PLAYABLE
    playing = session.now_playing_item is not None
    if playing and session.play_state.can_seek:
        features |= _SEEK
    for command, feature in _COMMAND_FEATURES.items():
        if command in commands:
            features |= feature
    if {"Mute", "Unmute"} <= commands or "ToggleMute" in commands:
        features |= _VOLUME_MUTE
    if {"VolumeUp", "VolumeDown"} <= commands:
        features |= _VOLUME_STEP
    if playing and (session.playlist_length or 0) > 0:
        features |= _CLEAR_PLAYLIST
    return features


def device_class(session: Session) -> MediaPlayerDeviceClass | None:
    """Speakers are clients that play audio only."""
    return MediaPlayerDeviceClass.SPEAKER if session.playable_media_types == ["Audio"] else None


# The playback attributes, in the order _async_set_playback takes them.
_PLAYBACK_ATTRS: Final = (
    "_attr_state",
    "_attr_volume_level",
    "_attr_is_volume_muted",
    "_attr_repeat",
    "_attr_shuffle",
)


_NO_ITEM: Final = object()

# The parts the state, volume, mute, repeat, shuffle and media attributes derive from (the
# shuffle default follows the features).
_PLAYBACK_INPUTS: Final = Session.PART_PLAY_STATE | Session.PART_ITEM | Session.PART_CAPABILITIES


class EmbyMediaPlayer(EmbyClientEntity, MediaPlayerEntity, RestoreEntity):
    """An Emby client as a media player (named after its device).

    A client known from an earlier run that is not connected now is off with the features it
    had (restored), so a command says it is not connected instead of "not supported".
    """

    _attr_name = None
    # Pictures go through Home Assistant's authenticated proxy: the Emby URL needs the API key.
    _attr_media_image_remotely_accessible = False

    def __init__(self, coordinator: EmbySessionCoordinator, device_id: str) -> None:
        """Initialize the media player of the client `device_id`."""
        super().__init__(coordinator, device_id)
        self._attr_media_image_hash = None
        # The picture of what plays, and the last one fetched (one per client is all a
        # frontend asks for; the browser caches it by its hash).
        self._image: tuple[str, str, str] | None = None
        self._image_cache: tuple[str, bytes, str] | None = None
        # Position anchor: the raw ticks last reported, the position in seconds at the anchor
        # time, and what it belonged to (item, paused).
        self._reported_ticks: int | None = None
        self._anchor: float | None = None
        self._anchor_key: tuple[str, bool] | None = None
        # The item the media attributes were derived from (_NO_ITEM: none derived yet).
        self._item: object = _NO_ITEM
        # What was last assigned: (feature bits, device class) and _PLAYBACK_ATTRS' values
        # (None: Home Assistant's default of each).
        self._capabilities: tuple[int, MediaPlayerDeviceClass | None] = (-1, None)
        self._playback: tuple[object, ...] = (None,) * len(_PLAYBACK_ATTRS)
        # The session the attributes were last derived from (None: derive everything).
        self._derived: Session | None = None
        self._async_update_attrs()

    @callback
    @override
    def _async_update_attrs(self) -> None:
        session = self.session
        if session is None:
            # What it could do when last seen (or, not seen in this run, restored).
            if self._last_session is not None:
                self._async_set_capabilities(self._last_session)
            self._async_set_playback(MediaPlayerState.OFF, None, None, None, None)
            self._async_set_item(None)
            self._derived = None
            return
        # Only what the parts that changed since the last derivation touch is derived again (a
        # pause: the state and the position; the features and media attributes stay).
        parts = Session.PART_ALL if self._derived is None else session.changed_parts(self._derived)
        self._derived = session
        if parts & Session.PART_CAPABILITIES:
            features = self._async_set_capabilities(session)
        else:
            features = self._capabilities[0]
        if not parts & _PLAYBACK_INPUTS:
            return
        play_state = session.play_state
        # Theme media plays while browsing: the client is idle. The item is read (a copy of
        # every field) only when it changed; otherwise it is the one derived last.
        # (Not the first derivation, so `_item` holds what the last one derived.)
        item = (
            playing_item(session)
            if parts & Session.PART_ITEM
            else cast("NowPlayingItem | None", self._item)
        )
        if item is None:
            state = MediaPlayerState.IDLE
        elif play_state.is_paused:
            state = MediaPlayerState.PAUSED
        else:
            state = MediaPlayerState.PLAYING
        # Idle clients and some apps (Roku) report no volume: keep the last one known.
        volume = self._playback[1]
        if (level := play_state.volume_level) is not None:
            volume = min(max(level, 0), 100) / 100
        shuffle = play_state.shuffle
        if shuffle is None and features & _SHUFFLE_SET:
            shuffle = False  # Emby leaves Shuffle out while it is off
        self._async_set_playback(
            state,
            volume,
            play_state.is_muted,
            REPEAT_MODES.get(play_state.repeat_mode or ""),
            shuffle,
        )
        if parts & Session.PART_ITEM:
            self._async_set_item(item, play_state.position_ticks, paused=play_state.is_paused)
        else:
            self._async_set_position(
                item.id if item else None, play_state.position_ticks, play_state.is_paused
            )

    @callback
    def _async_set_capabilities(self, session: Session) -> int:
        """Supported features and device class of a session; returns the feature bits. The
        attributes are assigned only when they change: assigning one drops Home Assistant's
        cached value, which the next state write computes again."""
        capabilities = (feature_bits(session), device_class(session))
        if capabilities != self._capabilities:
            if capabilities[0] != self._capabilities[0]:
                self._attr_supported_features = MediaPlayerEntityFeature(capabilities[0])
            self._attr_device_class = capabilities[1]
            self._capabilities = capabilities
        return capabilities[0]

    @callback
    def _async_set_playback(self, *values: object) -> None:
        """State, volume, mute, repeat and shuffle (_PLAYBACK_ATTRS), each assigned only when
        it changed (a pause changes the state alone)."""
        if values == self._playback:
            return
        for name, value, before in zip(_PLAYBACK_ATTRS, values, self._playback, strict=True):
            if value != before:
                setattr(self, name, value)
        self._playback = values

    @callback
    def _async_set_item(
        self,
        item: NowPlayingItem | None,
        position_ticks: int | None = None,
        *,
        paused: bool = False,
    ) -> None:
        """Media attributes of the item that plays (None: nothing plays). Derived again only
        when the item changed (`==` compares it in the core): a pause, a seek or a volume
        change moves the position alone."""
        if item == self._item:
            self._async_set_position(item.id if item else None, position_ticks, paused)
            return
        self._item = item
        self._attr_media_content_id = item.id if item else None
        self._attr_media_content_type = media_content_type(item) if item else None
        self._attr_media_title = item.name if item else None
        self._attr_media_series_title = item.series_name if item else None
        self._attr_media_season = None
        self._attr_media_episode = None
        self._attr_media_track = None
        self._attr_media_channel = item.channel_name if item else None
        if item is not None and item.type == "Episode":
            if (season := item.parent_index_number) is not None:
                self._attr_media_season = str(season)
            if (episode := item.index_number) is not None:
                self._attr_media_episode = str(episode)
        elif item is not None and item.type == "Audio":
            self._attr_media_track = item.index_number
        artists = item.artists if item else []
        self._attr_media_artist = ", ".join(artists) if artists else None
        self._attr_media_album_name = item.album if item else None
        self._attr_media_album_artist = item.album_artist if item else None
        runtime = item.run_time_ticks if item else None
        self._attr_media_duration = runtime // TICKS_PER_SECOND if runtime else None
        self._async_set_position(item.id if item else None, position_ticks, paused)
        self._image = now_playing_image(item) if item else None
        self._attr_media_image_hash = (
            None
            if self._image is None
            else hashlib.sha256(":".join(self._image).encode()).hexdigest()[:16]
        )

    @callback
    def _async_set_position(self, item_id: str | None, ticks: int | None, paused: bool) -> None:
        """Position and its update time, moved only when the position really changed.

        The frontend extrapolates from (position, updated_at) while playing. The core hands
        over no session whose only change is progress within POSITION_TOLERANCE_S of that
        extrapolation; a session changed for another reason (volume, say) repeats a position
        that moved on, so the same rule keeps the anchor here. A new anchor is set when the item
        or the paused state changes, or when the reported position is off the extrapolated one
        by more than the tolerance.
        """
        if item_id is None or ticks is None:
            self._reported_ticks = self._anchor = self._anchor_key = None
            self._attr_media_position = None
            self._attr_media_position_updated_at = None
            return
        now = dt_util.utcnow()
        position = ticks / TICKS_PER_SECOND
        key = (item_id, paused)
        anchored_at = self._attr_media_position_updated_at
        if key == self._anchor_key and self._anchor is not None and anchored_at is not None:
            if ticks == self._reported_ticks:
                return
            expected = self._anchor + (0.0 if paused else (now - anchored_at).total_seconds())
            if abs(position - expected) <= POSITION_TOLERANCE_S:
                self._reported_ticks = ticks
                return
        self._reported_ticks = ticks
        self._anchor = position
        self._anchor_key = key
        self._attr_media_position = int(position)
        self._attr_media_position_updated_at = now

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the features of a client that has not been seen in this run."""
        await super().async_added_to_hass()
        if self._last_session is None and (last := await self.async_get_last_state()):
            self._attr_supported_features = MediaPlayerEntityFeature(
                int(last.attributes.get("supported_features", 0))
            )

    @override
    async def async_get_media_image(self) -> tuple[bytes | None, str | None]:
        """The picture of what plays, fetched by the core with the API key (never exposed)."""
        if (image := self._image) is None or (key := self._attr_media_image_hash) is None:
            return None, None
        if self._image_cache is not None and self._image_cache[0] == key:
            return self._image_cache[1], self._image_cache[2]
        item_id, image_type, tag = image
        try:
            data, content_type = await self.coordinator.client.get_image(
                item_id, image_type, max_width=IMAGE_MAX_WIDTH, tag=tag
            )
        except EmbyError as err:
            LOGGER.debug("No %s image for item %s: %s", image_type, item_id, err)
            return None, None
        self._image_cache = (key, data, content_type)
        return data, content_type

    # Playback ------------------------------------------------------------------------------

    async def _async_playstate(
        self, command: PlaystateCommand, *, seek_position_ticks: int | None = None
    ) -> None:
        client = self.coordinator.client
        await self._async_command(
            command,
            lambda session_id: client.playstate(
                session_id, command, seek_position_ticks=seek_position_ticks
            ),
        )

    async def _async_general(self, name: str, arguments: dict[str, str] | None = None) -> None:
        client = self.coordinator.client
        await self._async_command(
            name, lambda session_id: client.general_command(session_id, name, arguments)
        )

    @override
    async def async_media_play(self) -> None:
        """Resume playback."""
        await self._async_playstate("Unpause")

    @override
    async def async_media_pause(self) -> None:
        """Pause playback."""
        await self._async_playstate("Pause")

    @override
    async def async_media_play_pause(self) -> None:
        """Toggle between playing and paused in one command."""
        await self._async_playstate("PlayPause")

    @override
    async def async_media_stop(self) -> None:
        """Stop playback."""
        await self._async_playstate("Stop")

    @override
    async def async_media_next_track(self) -> None:
        """Play the next item of the queue."""
        await self._async_playstate("NextTrack")

    @override
    async def async_media_previous_track(self) -> None:
        """Play the previous item (or restart the current one, as the client decides)."""
        await self._async_playstate("PreviousTrack")

    @override
    async def async_media_seek(self, position: float) -> None:
        """Seek to a position in seconds."""
        try:
            ticks = position_ticks(position)
        except InvalidArgumentError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_argument",
                translation_placeholders={"action": "media_seek", "error": str(err)},
            ) from err
        await self._async_playstate("Seek", seek_position_ticks=ticks)

    @override
    async def async_clear_playlist(self) -> None:
        """Clear the play queue. Emby's queue lives only while something plays (there is no
        command that empties it and keeps playing): stopping clears it."""
        await self._async_playstate("Stop")

    @override
    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play Emby items now, next or last (enqueue): ids, a browse id or a name."""
        ids = await async_play_ids(
            self._browse_tree(), self.coordinator.server_id, media_type, media_id
        )
        command = ENQUEUE_COMMANDS.get(kwargs.get(ATTR_MEDIA_ENQUEUE), "PlayNow")
        client = self.coordinator.client
        await self._async_command(command, lambda session_id: client.play(session_id, ids, command))

    # Browse and search (as the client's user) -----------------------------------------------

    def _browse_tree(self) -> BrowseTree:
        session = self.session or self._last_session
        entry = self.coordinator.config_entry
        user_id = (session.user_id if session else None) or entry_user_id(entry)
        if not user_id:
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_user")
        return BrowseTree(self.coordinator.client, entry.entry_id, user_id, make_browse_media)

    @override
    async def async_browse_media(
        self,
        media_content_type: MediaType | str | None = None,
        media_content_id: str | None = None,
    ) -> BrowseMedia:
        """The browse tree as the client's user sees it (libraries, rows, A-Z, pages)."""
        tree = self._browse_tree()
        if media_content_id and media_content_id.startswith(OWN_MEDIA_SOURCE_PREFIX):
            try:
                media_content_id = media_source_node(media_content_id, self.coordinator.server_id)
            except ServiceValidationError as err:
                raise BrowseError(
                    translation_domain=DOMAIN,
                    translation_key="other_server_media",
                    translation_placeholders={"media_id": media_content_id},
                ) from err
        try:
            return await tree.browse(media_content_id)
        except EmbyError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="browse_failed",
                translation_placeholders={"error": str(err)},
            ) from err

    @override
    async def async_search_media(self, query: SearchMediaQuery) -> SearchMedia:
        """Items whose name holds the query, typed, best match first (used by Assist)."""
        return await self._browse_tree().async_search(query)

    # Volume, shuffle, repeat ---------------------------------------------------------------

    @override
    async def async_set_volume_level(self, volume: float) -> None:
        """Set the volume (0..1)."""
        level = min(max(round(volume * 100), 0), 100)
        await self._async_general("SetVolume", {"Volume": str(level)})

    @override
    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute (ToggleMute for clients that only know that)."""
        commands = set(self._require_session().supported_commands)
        if {"Mute", "Unmute"} <= commands or "ToggleMute" not in commands:
            await self._async_general("Mute" if mute else "Unmute")
        elif self._attr_is_volume_muted != mute:
            await self._async_general("ToggleMute")

    @override
    async def async_volume_up(self) -> None:
        """Turn the volume up one step (the client decides how much)."""
        await self._async_general("VolumeUp")

    @override
    async def async_volume_down(self) -> None:
        """Turn the volume down one step."""
        await self._async_general("VolumeDown")

    @override
    async def async_set_shuffle(self, shuffle: bool) -> None:
        """Shuffle the queue or play it in order."""
        await self._async_general("SetShuffle", {"Shuffle": "true" if shuffle else "false"})

    @override
    async def async_set_repeat(self, repeat: RepeatMode) -> None:
        """Repeat nothing, the queue, or one item."""
        await self._async_general("SetRepeatMode", {"RepeatMode": EMBY_REPEAT_MODES[repeat]})
