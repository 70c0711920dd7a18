"""The Emby media source: `media-source://embymedia/<server id>/<user id>/<node>` for every media
player in Home Assistant (Chromecast, Sonos, ...), browsing the same tree as the Emby players.

Resolving an item asks Emby's PlaybackInfo with a device profile built from the options (maximum
bitrate, the video containers players take): direct play, else direct stream, else HLS; music
through Emby's universal audio route. The URL goes to a player device, which cannot send
headers, so it carries a token: the user's own access token where Emby issues one without a
password, else the API key (docs/MEDIA.md: what Emby allows); the frontend never gets such a
URL: playing in the browser is refused with a clear message.
"""

from typing import Any, override

from embymedia_core import EmbyError
from homeassistant.components.media_player.browse_media import SearchMedia, SearchMediaQuery
from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .browse import PLAYABLE_TYPES, BrowseTree, Node, stream_media_type
from .const import DOMAIN, LOGGER
from .coordinator import EmbyConfigEntry
from .options import EmbyOptions

BITS_PER_MBIT = 1_000_000


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The Emby media source (one for every server)."""
    return EmbyMediaSource(hass)


def _loaded_entries(hass: HomeAssistant) -> list[EmbyConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]


class EmbyMediaSource(MediaSource):
    """Browse and play Emby libraries on any media player."""

    name = "Emby"

    def __init__(self, hass: HomeAssistant) -> None:
        """Initialize the media source."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _entry(self, server_id: str) -> EmbyConfigEntry:
        for entry in _loaded_entries(self.hass):
            if entry.unique_id == server_id:
                return entry
        raise BrowseError(
            translation_domain=DOMAIN,
            translation_key="unknown_server",
            translation_placeholders={"server_id": server_id},
        )

    @staticmethod
    def _check_user(
        entry: EmbyConfigEntry, user_id: str, error: type[BrowseError | Unresolvable]
    ) -> None:
        """An entry set up for one user browses, searches and plays as that user only (a
        media-source id is text anyone can write)."""
        allowed = EmbyOptions.from_entry(entry).user_id
        if allowed is not None and user_id != allowed:
            raise error(
                translation_domain=DOMAIN,
                translation_key="other_user_media",
                translation_placeholders={"user_id": user_id},
            )

    def _tree(self, entry: EmbyConfigEntry, user_id: str) -> BrowseTree:
        server_id = entry.unique_id or ""

        def make(node_id: str, **fields: Any) -> BrowseMediaSource:
            identifier = f"{server_id}/{user_id}/{node_id}".rstrip("/")
            return BrowseMediaSource(domain=DOMAIN, identifier=identifier, **fields)

        return BrowseTree(entry.runtime_data.client, entry.entry_id, user_id, make, mime_types=True)

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Servers, then users (entries set up for all users), then the tree."""
        parts = item.identifier.split("/", 2) if item.identifier else []
        if not parts:
            return self._servers()
        entry = self._entry(parts[0])
        if len(parts) == 1:
            if (user_id := EmbyOptions.from_entry(entry).user_id) is not None:
                return await self._browse(entry, user_id, None)
            return await self._users(entry)
        self._check_user(entry, parts[1], BrowseError)
        try:
            return await self._browse(entry, parts[1], parts[2] if len(parts) == 3 else None)
        except EmbyError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="browse_failed",
                translation_placeholders={"error": str(err)},
            ) from err

    async def _browse(
        self, entry: EmbyConfigEntry, user_id: str, node_id: str | None
    ) -> BrowseMediaSource:
        result = await self._tree(entry, user_id).browse(node_id)
        assert isinstance(result, BrowseMediaSource)
        if node_id is None:
            result.title = entry.title
        return result

    def _servers(self) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.APPS,
            title=self.name,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=entry.unique_id,
                    media_class=MediaClass.DIRECTORY,
                    media_content_type="directory",
                    title=entry.title,
                    can_play=False,
                    can_expand=True,
                )
                for entry in _loaded_entries(self.hass)
            ],
        )

    async def _users(self, entry: EmbyConfigEntry) -> BrowseMediaSource:
        try:
            users = await entry.runtime_data.client.get_users()
        except EmbyError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="browse_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=entry.unique_id,
            media_class=MediaClass.DIRECTORY,
            media_content_type="directory",
            title=entry.title,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=f"{entry.unique_id}/{user['id']}",
                    media_class=MediaClass.DIRECTORY,
                    media_content_type="directory",
                    title=user["name"],
                    can_play=False,
                    can_expand=True,
                )
                for user in users
                if not user["is_disabled"] and not user["is_hidden"]
            ],
        )

    async def async_search_media(
        self, item: MediaSourceItem, query: SearchMediaQuery
    ) -> SearchMedia:
        """Search a user's library (the same ranked search as the Emby players)."""
        parts = item.identifier.split("/", 2) if item.identifier else []
        if len(parts) < 2:
            raise BrowseError(translation_domain=DOMAIN, translation_key="search_needs_user")
        entry = self._entry(parts[0])
        self._check_user(entry, parts[1], BrowseError)
        return await self._tree(entry, parts[1]).async_search(query)

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A stream URL and its MIME type for a player device (never for the browser)."""
        parts = item.identifier.split("/", 2)
        node = Node.parse(parts[2]) if len(parts) == 3 else Node("root")
        if node.kind != "item" or node.args[0] not in PLAYABLE_TYPES:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="nothing_to_play",
                translation_placeholders={"media_id": item.identifier},
            )
        if item.target_media_player is None:
            # The frontend would put the URL in the page: no token may go there.
            raise Unresolvable(translation_domain=DOMAIN, translation_key="browser_playback")
        entry = self._entry(parts[0])
        self._check_user(entry, parts[1], Unresolvable)
        client = entry.runtime_data.client
        item_type, item_id = node.args
        options = EmbyOptions.from_entry(entry)
        bitrate = options.max_streaming_bitrate
        user_id = parts[1]
        await self._async_user_token(entry, user_id)
        try:
            playback = await client.get_playback(
                item_id,
                stream_media_type(item_type),
                user_id=user_id,
                max_streaming_bitrate=bitrate * BITS_PER_MBIT if bitrate else None,
                video_containers=list(options.video_containers),
            )
        except EmbyError as err:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="resolve_failed",
                translation_placeholders={"media_id": item_id, "error": str(err)},
            ) from err
        if playback is None:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="nothing_to_play",
                translation_placeholders={"media_id": item_id},
            )
        return PlayMedia(
            client.player_url(playback["path"], user_id=user_id), playback["mime_type"]
        )

    async def _async_user_token(self, entry: EmbyConfigEntry, user_id: str) -> None:
        """Get the user's own access token for player URLs when Emby issues one without a
        password (users with a password: the URL carries the API key, docs/MEDIA.md)."""
        client = entry.runtime_data.client
        try:
            users = await client.get_users()
            user = next((u for u in users if u["id"] == user_id), None)
            if user is not None and not user["has_password"]:
                await client.user_media_token(user_id, user["name"])
        except EmbyError as err:
            LOGGER.debug("No user token for %s, the API key plays: %s", user_id, err)
