"""Browse, media source, play and search by name, against the simulator, through the same
WebSocket commands the frontend sends.

Every URL the frontend receives in this module (thumbnails, media ids, resolved URLs) is
collected; the module ends by checking that none holds the API key (`FRONTEND_URLS`).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import ClientSession
from homeassistant.components.media_player import (
    ATTR_MEDIA_CONTENT_ID,
    ATTR_MEDIA_CONTENT_TYPE,
    BrowseError,
)
from homeassistant.components.media_player import DOMAIN as MP_DOMAIN
from homeassistant.components.media_source import (
    Unresolvable,
    async_resolve_media,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.embymedia.browse import PAGE_SIZE
from custom_components.embymedia.const import (
    CONF_ENABLE_WEBSOCKET,
    CONF_MAX_STREAMING_BITRATE,
    DOMAIN,
)
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"
NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
ITEMS = "/Users/{id}/Items"
FRONTEND_URLS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def no_key_reaches_the_frontend() -> Iterator[None]:
    """After the module: every URL handed to the frontend was collected, none holds the key."""
    FRONTEND_URLS.clear()
    yield
    assert len(FRONTEND_URLS) > 100, "the collector saw the browse results"
    leaks = [u for u in FRONTEND_URLS if API_KEY in u or "api_key" in u.lower()]
    assert not leaks, leaks[:5]


def collect(value: Any) -> None:
    """Record every string of a frontend answer that is a URL, path or media id."""
    if isinstance(value, dict):
        for v in value.values():
            collect(v)
    elif isinstance(value, list):
        for v in value:
            collect(v)
    elif isinstance(value, str) and ("/" in value or value.startswith("http")):
        FRONTEND_URLS.append(value)


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The default library, clients without their own script."""
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, script=False)


@pytest.fixture
async def setup_media_source(hass: HomeAssistant) -> None:
    """Home Assistant's media source (loaded by default_config in a real install)."""
    assert await async_setup_component(hass, "media_source", {})


def android(hass: HomeAssistant, sim: EmbySimulator) -> tuple[str, str]:
    """(entity id, user id) of the Android client's media player."""
    session = next(s for s in sim.sessions if s.client == "Emby for Android")
    entity_id = er.async_get(hass).async_get_entity_id(
        MP_DOMAIN, DOMAIN, f"{sim.server_id}_{session.device_id}"
    )
    assert entity_id is not None and session.user_id is not None
    return entity_id, session.user_id


class Browser:
    """The frontend's browse_media and search_media WebSocket commands."""

    def __init__(self, ws: Any, entity_id: str) -> None:
        self.ws = ws
        self.entity_id = entity_id
        self.id = 0

    async def _send(self, message: dict[str, Any]) -> dict[str, Any]:
        self.id += 1
        await self.ws.send_json({"id": self.id, **message})
        response: dict[str, Any] = await self.ws.receive_json()
        assert response["id"] == self.id
        collect(response)
        return response

    async def browse(self, content_id: str | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "media_player/browse_media", "entity_id": self.entity_id}
        if content_id is not None:
            message |= {"media_content_id": content_id, "media_content_type": "directory"}
        response = await self._send(message)
        assert response["success"], response
        result: dict[str, Any] = response["result"]
        return result

    async def search(self, query: str, media_type: str | None = None) -> dict[str, Any]:
        message = {
            "type": "media_player/search_media",
            "entity_id": self.entity_id,
            "search_query": query,
        }
        if media_type:
            message["media_content_type"] = media_type
        return await self._send(message)

    async def source(self, content_id: str) -> dict[str, Any]:
        response = await self._send(
            {"type": "media_source/browse_media", "media_content_id": content_id}
        )
        assert response["success"], response
        result: dict[str, Any] = response["result"]
        return result


@pytest.fixture
async def browser(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> AsyncIterator[Browser]:
    """The frontend, browsing the Android client's media player."""
    entity_id, _ = android(hass, simulator)
    yield Browser(await hass_ws_client(hass), entity_id)


def child(folder: dict[str, Any], title: str) -> dict[str, Any]:
    """The child of a browse result with this title."""
    found = [c for c in folder["children"] if c["title"] == title]
    assert found, f"no {title!r} in {[c['title'] for c in folder['children']]}"
    return found[0]


def assert_items(folder: dict[str, Any], media_class: str, *, can_play: bool) -> None:
    """Every child is a typed item with a thumbnail through Home Assistant's image view."""
    items = [c for c in folder["children"] if not c["title"].startswith("Next page")]
    assert items, folder["title"]
    for item in items:
        assert item["media_class"] == media_class, item
        assert item["can_play"] is can_play
        assert item["thumbnail"].startswith(f"/api/{DOMAIN}/image/"), item


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_every_browse_level(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    browser: Browser,
    simulator: EmbySimulator,
) -> None:
    """Rows at the top, then each library's menus down to playable items, typed, with
    thumbnails that load through the image view."""
    root = await browser.browse()
    titles = [c["title"] for c in root["children"]]
    assert titles[:3] == ["Continue watching", "Next up", "Recently added"]
    assert {"Movies", "TV Shows", "Music", "Home Videos", "Live TV"} <= set(titles)
    for row in ("Continue watching", "Next up", "Recently added"):
        folder = await browser.browse(child(root, row)["media_content_id"])
        assert folder["children"], row
        assert all(c["thumbnail"] for c in folder["children"])

    movies = await browser.browse(child(root, "Movies")["media_content_id"])
    assert [c["title"] for c in movies["children"]] == [
        "A-Z", "Year", "Decade", "Genre", "Studio", "Collections", "All movies",
    ]  # fmt: skip
    letters = await browser.browse(child(movies, "A-Z")["media_content_id"])
    assert [c["title"] for c in letters["children"]][:3] == ["#", "A", "B"]
    first_letter = next(
        c for c in simulator.library.items.values() if c.type == "Movie"
    ).sort_key[0].upper()
    letter = await browser.browse(child(letters, first_letter)["media_content_id"])
    assert_items(letter, "movie", can_play=True)
    assert all(
        c["title"].upper().removeprefix("THE ").startswith(first_letter)
        for c in letter["children"]
    )
    client = await hass_client()
    thumbnail = await client.get(letter["children"][0]["thumbnail"])
    assert thumbnail.status == 200 and thumbnail.content_type.startswith("image/")

    for menu, kind in (("Year", "year"), ("Decade", "decade"), ("Genre", "genre")):
        listing = await browser.browse(child(movies, menu)["media_content_id"])
        assert listing["children"], menu
        first = await browser.browse(listing["children"][0]["media_content_id"])
        assert_items(first, "movie", can_play=True)
        del kind
    studios = await browser.browse(child(movies, "Studio")["media_content_id"])
    assert_items(await browser.browse(studios["children"][0]["media_content_id"]), "movie", can_play=True)
    collections = await browser.browse(child(movies, "Collections")["media_content_id"])
    assert collections["children"][0]["can_expand"] and collections["children"][0]["can_play"]
    boxset = await browser.browse(collections["children"][0]["media_content_id"])
    assert boxset["children"]

    tv = await browser.browse(child(root, "TV Shows")["media_content_id"])
    series_list = await browser.browse(child(tv, "All series")["media_content_id"])
    assert_items(series_list, "tv_show", can_play=True)
    series = await browser.browse(series_list["children"][0]["media_content_id"])
    assert_items(series, "season", can_play=True)
    season = await browser.browse(series["children"][0]["media_content_id"])
    assert_items(season, "episode", can_play=True)
    assert not season["children"][0]["can_expand"]
    assert (await browser.browse(child(tv, "Genre")["media_content_id"]))["children"]

    music = await browser.browse(child(root, "Music")["media_content_id"])
    artists = await browser.browse(
        child(await browser.browse(child(music, "Artists")["media_content_id"]), "#")[
            "media_content_id"
        ].replace("/%23", "/%23")
    )
    del artists
    all_artists_letters = await browser.browse(child(music, "Artists")["media_content_id"])
    artist_items = []
    for entry in all_artists_letters["children"]:
        page = await browser.browse(entry["media_content_id"])
        artist_items += page["children"]
        if artist_items:
            break
    assert artist_items and artist_items[0]["media_class"] == "artist"
    albums = await browser.browse(artist_items[0]["media_content_id"])
    assert_items(albums, "album", can_play=True)
    tracks = await browser.browse(albums["children"][0]["media_content_id"])
    assert_items(tracks, "track", can_play=True)
    assert (await browser.browse(child(music, "Genre")["media_content_id"]))["children"]
    playlists = await browser.browse(child(music, "Playlists")["media_content_id"])
    assert playlists["children"][0]["media_class"] == "playlist"
    assert (await browser.browse(playlists["children"][0]["media_content_id"]))["children"]

    live = await browser.browse(child(root, "Live TV")["media_content_id"])
    assert live["children"] and live["children"][0]["media_class"] == "channel"
    home = await browser.browse(child(root, "Home Videos")["media_content_id"])
    assert_items(home, "video", can_play=True)

    bad = await browser._send(
        {
            "type": "media_player/browse_media",
            "entity_id": browser.entity_id,
            "media_content_id": "nonsense/x",
            "media_content_type": "directory",
        }
    )
    assert not bad["success"]


