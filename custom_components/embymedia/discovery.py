"""Per-user discovery data: what a user might watch next (latest, resume, next up) and the
user's counts, one coordinator per user. Every row is one Emby request; the optional rows are
fetched only while an entity shows them."""

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, override

from embymedia_core import EmbyClient
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer

from .const import (
    COORDINATOR_DISCOVERY,
    DISCOVERY_EVENT_DELAY,
    DISCOVERY_PUSHED_INTERVAL,
    DISCOVERY_SCAN_INTERVAL,
    LOGGER,
)
from .coordinator import EmbyConfigEntry, EmbyCoordinator, unchanged

if TYPE_CHECKING:
    from collections.abc import Iterable

    from embymedia_core import Item, ItemsResult

# How many discovery rows (latest, resume, next up) to keep per user.
DISCOVERY_LIMIT = 20


@dataclass(frozen=True, slots=True)
class EmbyDiscoveryData:
    """What one user might watch next, and the user's counts (None: a row no entity shows)."""

    latest: list[Item]
    resume: ItemsResult
    next_up: ItemsResult
    suggestions: ItemsResult | None = None
    favorites: int | None = None
    watched: int | None = None
    playlists: int | None = None


class DiscoveryRow(StrEnum):
    """One row of a user's discovery data (one Emby request each)."""

    LATEST = "latest"
    RESUME = "resume"
    NEXT_UP = "next_up"
    SUGGESTIONS = "suggestions"
    FAVORITES = "favorites"
    WATCHED = "watched"
    PLAYLISTS = "playlists"


# Rows every user has (the default entities and media browsing show them); the others are
# fetched only while an entity shows them.
BASE_DISCOVERY_ROWS: Final = frozenset(
    {DiscoveryRow.LATEST, DiscoveryRow.RESUME, DiscoveryRow.NEXT_UP}
)
ALL_DISCOVERY_ROWS: Final = frozenset(DiscoveryRow)
# Playback and user data move resume points, next episodes, favorites and what was watched;
# "recently added" changes only with the library, so these events leave it alone.
USER_EVENT_ROWS: Final = frozenset(
    {DiscoveryRow.RESUME, DiscoveryRow.NEXT_UP, DiscoveryRow.FAVORITES, DiscoveryRow.WATCHED}
)
# A library change adds or removes items: new items, a new next episode, changed counts.
LIBRARY_EVENT_ROWS: Final = frozenset(
    {
        DiscoveryRow.LATEST,
        DiscoveryRow.NEXT_UP,
        DiscoveryRow.FAVORITES,
        DiscoveryRow.WATCHED,
        DiscoveryRow.PLAYLISTS,
    }
)
# Items kept per row for the sensors' attributes and the images.
SUGGESTIONS_LIMIT = 10


class EmbyDiscoveryCoordinator(EmbyCoordinator[EmbyDiscoveryData]):
    """Discovery rows of one user: every row every 30 minutes while polling (every 6 hours
    while the WebSocket pushes the events that change them); after events, only the rows those
    events made stale (`async_refresh_rows`)."""

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: EmbyConfigEntry,
        client: EmbyClient,
        user_id: str,
        user_name: str,
    ) -> None:
        """Initialize the discovery coordinator of one user."""
        super().__init__(
            hass,
            config_entry,
            client,
            name=COORDINATOR_DISCOVERY,
            update_interval=DISCOVERY_SCAN_INTERVAL,
            pushed_interval=DISCOVERY_PUSHED_INTERVAL,
            # Trailing: the events of one playback stop, or of one burst, cost one refresh.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=DISCOVERY_EVENT_DELAY, immediate=False
            ),
        )
        self.user_id = user_id
        self.user_name = user_name
        self._stale_rows: set[DiscoveryRow] = set()

    async def async_refresh_rows(self, rows: Iterable[DiscoveryRow]) -> None:
        """Mark rows stale and refresh them after the event delay (debounced); rows no entity
        shows cost nothing."""
        wanted = {row for row in rows if row in BASE_DISCOVERY_ROWS or self.wants(row)}
        if not wanted:
            return
        self._stale_rows.update(wanted)
        await self.async_request_refresh()

    @override
    def _has_row(self, row: str) -> bool:
        data = self.data
        return (
            data is None
            or {
                DiscoveryRow.SUGGESTIONS: data.suggestions,
                DiscoveryRow.FAVORITES: data.favorites,
                DiscoveryRow.WATCHED: data.watched,
                DiscoveryRow.PLAYLISTS: data.playlists,
            }.get(DiscoveryRow(row), True)
            is not None
        )

    @callback
    @override
    def _async_fetch_row(self, row: str) -> None:
        self.config_entry.async_create_background_task(
            self.hass,
            self.async_refresh_rows([DiscoveryRow(row)]),
            name=f"{self.name} {self.user_id} {row}",
        )

    def _rows_due(self) -> frozenset[DiscoveryRow]:
        """Every row on the first fetch and on a timed refresh; otherwise only the rows events
        made stale. Optional rows only while an entity shows them."""
        if self.data is None or not self._stale_rows:
            rows = ALL_DISCOVERY_ROWS
        else:
            rows = frozenset(self._stale_rows)
        return frozenset(row for row in rows if row in BASE_DISCOVERY_ROWS or self.wants(row))

    async def _async_count(self, **query: Any) -> int:
        result = await self.client.get_items(self.user_id, recursive=True, limit=0, **query)
        return result["total_record_count"]

    @override
    async def _async_fetch(self) -> EmbyDiscoveryData:
        rows = self._rows_due()
        previous = self.data
        # This coordinator is the cache of these rows: a refresh must reach the server.
        # (The core's discovery cache has a 30-minute TTL, so a timed refresh would otherwise
        # often get the rows it fetched last time.)
        self.client.invalidate_user(self.user_id)

        latest, resume, next_up = await asyncio.gather(
            self.client.get_latest(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.LATEST in rows
            else unchanged(previous.latest),
            self.client.get_resume(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.RESUME in rows
            else unchanged(previous.resume),
            self.client.get_next_up(self.user_id, limit=DISCOVERY_LIMIT)
            if previous is None or DiscoveryRow.NEXT_UP in rows
            else unchanged(previous.next_up),
        )
        suggestions, favorites, watched, playlists = await asyncio.gather(
            self.client.get_suggestions(self.user_id, limit=SUGGESTIONS_LIMIT)
            if DiscoveryRow.SUGGESTIONS in rows
            else unchanged(previous.suggestions if previous else None),
            self._async_favorites()
            if DiscoveryRow.FAVORITES in rows
            else unchanged(previous.favorites if previous else None),
            self._async_count(filters=["IsPlayed"], include_item_types=["Movie", "Episode"])
            if DiscoveryRow.WATCHED in rows
            else unchanged(previous.watched if previous else None),
            self._async_playlists()
            if DiscoveryRow.PLAYLISTS in rows
            else unchanged(previous.playlists if previous else None),
        )
        # Only a fetch that succeeded clears what it fetched (a failed one leaves it stale).
        self._stale_rows -= rows
        return EmbyDiscoveryData(
            latest=latest,
            resume=resume,
            next_up=next_up,
            suggestions=suggestions,
            favorites=favorites,
            watched=watched,
            playlists=playlists,
        )

    async def _async_favorites(self) -> int:
        counts = await self.client.get_item_counts(self.user_id, is_favorite=True)
        return counts["item_count"]

    async def _async_playlists(self) -> int:
        return (await self.client.get_playlists(self.user_id, limit=0))["total_record_count"]
