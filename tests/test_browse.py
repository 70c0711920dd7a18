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
)
from homeassistant.components.media_player import DOMAIN as MP_DOMAIN
from homeassistant.components.media_source import (
    Unresolvable,
    async_resolve_media,
)
from homeassistant.components.media_source import http as media_source_http
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
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
from emby_simulator import EmbySimulator, Fault, SimulatorConfig
from emby_simulator.auth import Identity

API_KEY = "test-api-key"
NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
ITEMS = "/Users/{id}/Items"
FRONTEND_URLS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def no_key_reaches_the_frontend() -> Iterator[None]:
    """After the module: every URL handed to the frontend was collected, none holds the key."""
    FRONTEND_URLS.clear()
    yield
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
            message |= {"media_content_type": media_type, "media_content_id": ""}
        return await self._send(message)

    async def search_classes(self, query: str, classes: list[str]) -> dict[str, Any]:
        return await self._send(
            {
                "type": "media_player/search_media",
                "entity_id": self.entity_id,
                "search_query": query,
                "media_filter_classes": classes,
            }
        )

    async def source(self, content_id: str, *, expect: bool = True) -> dict[str, Any]:
        response = await self._send(
            {"type": "media_source/browse_media", "media_content_id": content_id}
        )
        if not expect:
            return response
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
    assert movies["title"] == "Movies"
    all_movies = await browser.browse(child(movies, "All movies")["media_content_id"])
    assert all_movies["title"] == "All movies"
    assert [c["title"] for c in movies["children"]] == [
        "A-Z", "Year", "Decade", "Genre", "Studio", "Collections", "All movies",
    ]  # fmt: skip
    letters = await browser.browse(child(movies, "A-Z")["media_content_id"])
    assert [c["title"] for c in letters["children"]][:3] == ["#", "A", "B"]
    first_letter = (
        next(c for c in simulator.library.items.values() if c.type == "Movie").sort_key[0].upper()
    )
    letter = await browser.browse(child(letters, first_letter)["media_content_id"])
    assert_items(letter, "movie", can_play=True)
    assert all(
        c["title"].upper().removeprefix("THE ").startswith(first_letter) for c in letter["children"]
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
    assert_items(
        await browser.browse(studios["children"][0]["media_content_id"]), "movie", can_play=True
    )
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

    assert sum(f"/api/{DOMAIN}/image/" in url for url in FRONTEND_URLS) > 50, "collected"
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


LARGE = SimulatorConfig(
    api_key=API_KEY, users=1, clients=3, playing=0, script=False, movies=50_000,
    series=1, artists=1, albums=1, home_videos=1,
)  # fmt: skip


@pytest.mark.parametrize("simulator_config", [LARGE], ids=["50k-movies"])
async def test_large_library_pages_through_the_cache(
    hass: HomeAssistant,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """A 50,000-movie library: a page is one request for 100 items; the same folder again
    within 5 minutes is no request (the simulator's log); the next page is one more; after
    LibraryChanged the folder is fetched fresh."""
    root = await browser.browse()
    movies = await browser.browse(child(root, "Movies")["media_content_id"])
    all_movies = child(movies, "All movies")["media_content_id"]

    before = simulator.count(ITEMS)
    page = await browser.browse(all_movies)
    assert simulator.count(ITEMS) == before + 1
    request = simulator.request_log[-1]
    assert (request.query["startindex"], request.query["limit"]) == ("0", str(PAGE_SIZE))
    assert len(page["children"]) == PAGE_SIZE + 1
    assert page["not_shown"] == 50_000 - PAGE_SIZE
    assert_items(page, "movie", can_play=True)
    more = page["children"][-1]
    assert more["title"] == f"Next page ({PAGE_SIZE + 1}-{2 * PAGE_SIZE} of 50000)"

    assert await browser.browse(all_movies) == page
    assert simulator.count(ITEMS) == before + 1, "the second browse came from the cache"

    second = await browser.browse(more["media_content_id"])
    assert simulator.count(ITEMS) == before + 2
    assert simulator.request_log[-1].query["startindex"] == str(PAGE_SIZE)
    assert {c["media_content_id"] for c in second["children"]}.isdisjoint(
        c["media_content_id"] for c in page["children"]
    )

    letters = await browser.browse(child(movies, "A-Z")["media_content_id"])
    letter = await browser.browse(child(letters, "Q")["media_content_id"])
    assert simulator.request_log[-1].query["namestartswith"] == "Q"
    assert 0 < len(letter["children"]) <= PAGE_SIZE + 1
    hash_page = await browser.browse(child(letters, "#")["media_content_id"])
    assert simulator.request_log[-1].query["namelessthan"] == "A"
    assert hash_page["children"] == []

    # LibraryChanged (pushed over the WebSocket) drops the cached listings.
    counted = simulator.count(ITEMS)
    for _ in range(200):  # Emby routes it to our socket once capabilities are in
        if simulator.user_event_sockets == 1:
            break
        await hass.async_add_executor_job(__import__("time").sleep, 0.05)
    simulator.trigger_library_change(items_added=1)
    for _ in range(200):
        await browser.browse(all_movies)
        if simulator.count(ITEMS) > counted:
            break
        await hass.async_add_executor_job(__import__("time").sleep, 0.05)
    assert simulator.count(ITEMS) == counted + 1
    await browser.browse(all_movies)
    assert simulator.count(ITEMS) == counted + 1

    # The refresh button's call drops every cached listing too.
    init_integration.runtime_data.client.invalidate_all()
    await browser.browse(all_movies)
    assert simulator.count(ITEMS) == counted + 2


def first(sim: EmbySimulator, item_type: str) -> Any:
    """The first simulated item of a type."""
    return sim.library.items[sim.library.by_type[item_type][0]]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_media_source_browses_the_same_tree(
    hass: HomeAssistant,
    setup_media_source: None,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """media-source://embymedia: servers, users (an all-users entry), then the same tree, with
    MIME types on playable items (how speakers filter) and thumbnails through the view."""
    top = await browser.source(f"media-source://{DOMAIN}")
    assert [c["title"] for c in top["children"]] == [init_integration.title]
    server = await browser.source(top["children"][0]["media_content_id"])
    user = next(u for u in simulator.library.users if u.name == server["children"][0]["title"])
    tree = await browser.source(server["children"][0]["media_content_id"])
    assert tree["media_content_id"] == f"media-source://{DOMAIN}/{simulator.server_id}/{user.id}"
    assert [c["title"] for c in tree["children"]][:3] == [
        "Continue watching", "Next up", "Recently added",
    ]  # fmt: skip
    home = await browser.source(child(tree, "Home Videos")["media_content_id"])
    assert home["children"][0]["media_content_type"] == "video/mp4"
    assert home["children"][0]["thumbnail"].startswith(f"/api/{DOMAIN}/image/")
    music = await browser.source(child(tree, "Music")["media_content_id"])
    albums = await browser.source(child(music, "Albums")["media_content_id"])
    assert albums["children"]
    unknown = await browser._send(
        {"type": "media_source/browse_media", "media_content_id": f"media-source://{DOMAIN}/nope"}
    )
    assert not unknown["success"]


async def resolve(hass: HomeAssistant, sim: EmbySimulator, item: Any, user_id: str) -> Any:
    """Resolve an item of the media source for a (Chromecast-like) player device."""
    media_id = f"media-source://{DOMAIN}/{sim.server_id}/{user_id}/item/{item.type}/{item.id}"
    return await async_resolve_media(hass, media_id, "media_player.living_room_cast")


@pytest.mark.parametrize(
    ("entry_options", "expected"),
    [
        (NO_WEBSOCKET, {"Video": "DirectPlay", "Movie": "DirectStream", "Audio": "flac"}),
        (
            {**NO_WEBSOCKET, CONF_MAX_STREAMING_BITRATE: 1},
            {"Video": "Transcode", "Movie": "Transcode", "Audio": "mp3"},
        ),
    ],
    ids=["no-limit", "1-mbit"],
)
async def test_media_source_resolves_each_play_method(
    hass: HomeAssistant,
    setup_media_source: None,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    expected: dict[str, str],
) -> None:
    """Direct play (an mp4 home video), direct stream (an mkv movie remuxed to mp4), HLS (over
    the bitrate option), music through the universal route; each URL is served by Emby with
    the MIME type announced; the token is in the URL for the player device only."""
    user_id = simulator.library.users[0].id
    session = ClientSession()
    try:
        video = await resolve(hass, simulator, first(simulator, "Video"), user_id)
        movie = await resolve(hass, simulator, first(simulator, "Movie"), user_id)
        audio = max(
            (simulator.library.items[i] for i in simulator.library.by_type["Audio"]),
            key=lambda item: item.bitrate or 0,
        )
        assert audio.bitrate > 1_000_000
        track = await resolve(hass, simulator, audio, user_id)
        base = f"http://127.0.0.1:{simulator.port}"
        for play, kind in ((video, "Video"), (movie, "Movie")):
            assert play.url.startswith(base)
            assert f"api_key={API_KEY}" in play.url
            if expected[kind] == "DirectPlay":
                assert "/stream?Static=true" in play.url
                assert play.mime_type == "video/mp4"
            elif expected[kind] == "DirectStream":
                assert "Static" not in play.url and "Container=mp4" in play.url
                assert play.mime_type == "video/mp4"
            else:
                assert "/master.m3u8?" in play.url
                assert play.mime_type == "application/vnd.apple.mpegurl"
            async with session.get(play.url) as response:
                assert response.status == 200
                if expected[kind] == "Transcode":
                    master = await response.text()
                    assert master.startswith("#EXTM3U")
                    main = play.url.split("master.m3u8")[0] + master.splitlines()[-1]
                    async with session.get(main) as playlist:
                        segment = (await playlist.text()).splitlines()[5]
                    segment_url = play.url.split("master.m3u8")[0] + segment
                    async with session.get(segment_url) as ts:
                        assert ts.content_type == "video/mp2t"
        assert "/Audio/" in track.url and "/universal?" in track.url
        assert track.mime_type == ("audio/flac" if expected["Audio"] == "flac" else "audio/mpeg")
        async with session.get(track.url) as response:
            assert response.status == 200
            assert response.content_type == track.mime_type
        request = next(
            r for r in reversed(simulator.request_log) if "playbackinfo" in r.path.lower()
        )
        assert request.method == "POST"
    finally:
        await session.close()

    # A user without a password: the URL carries that user's own token, not the API key
    # (one sign-in as the media device, then reused).
    free = next(u for u in simulator.library.users if not u.has_password)
    signins = simulator.count("/Users/AuthenticateByName")
    for _ in range(2):
        own = await resolve(hass, simulator, first(simulator, "Video"), free.id)
        assert API_KEY not in own.url and "api_key=" in own.url
    assert simulator.count("/Users/AuthenticateByName") == signins + 1
    async with ClientSession() as session, session.get(own.url) as response:
        assert response.status == 200
    token = own.url.partition("api_key=")[2]
    owner = simulator.state.tokens.authenticate(Identity(token=token))
    assert owner is not True and getattr(owner, "id", None) == free.id, "that user's token"

    # The browser (no target player) gets no URL with a token: a clear refusal instead.
    movie = first(simulator, "Movie")
    movie_id = f"media-source://{DOMAIN}/{simulator.server_id}/{user_id}/item/Movie/{movie.id}"
    with pytest.raises(Unresolvable) as err:
        await async_resolve_media(hass, movie_id, None)
    assert err.value.translation_key == "browser_playback"
    folder_id = f"media-source://{DOMAIN}/{simulator.server_id}/{user_id}/item/MusicAlbum/x"
    with pytest.raises(Unresolvable):
        await async_resolve_media(hass, folder_id, "media_player.living_room_cast")


async def play(hass: HomeAssistant, entity_id: str, media_type: str, media_id: str) -> None:
    """The play_media action."""
    await hass.services.async_call(
        MP_DOMAIN,
        "play_media",
        {
            ATTR_ENTITY_ID: entity_id,
            ATTR_MEDIA_CONTENT_TYPE: media_type,
            ATTR_MEDIA_CONTENT_ID: media_id,
        },
        blocking=True,
    )


def played(sim: EmbySimulator) -> list[str]:
    """Item ids of the last play command."""
    request = next(r for r in reversed(sim.request_log) if r.path.endswith("/Playing"))
    return str(request.query["itemids"]).split(",")


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_play_by_browse_id_and_by_name(
    hass: HomeAssistant,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Folders expand to their items in order; a name plays the best match of the type asked
    (exact name before prefix, the asked type before others); no match is a translated error."""
    entity_id = browser.entity_id
    lib = simulator.library
    album = first(simulator, "MusicAlbum")
    await play(hass, entity_id, "album", f"item/MusicAlbum/{album.id}")
    assert played(simulator) == [t.id for t in lib.children_of(album)]
    season = first(simulator, "Season")
    await play(hass, entity_id, "season", f"item/Season/{season.id}")
    assert played(simulator) == [e.id for e in lib.children_of(season)]

    movies = [lib.items[i] for i in lib.by_type["Movie"]]
    movies[0].name, movies[1].name, album.name = "Harbor", "Harbor Lights", "Harbor"
    episode, track = first(simulator, "Episode"), first(simulator, "Audio")
    artist, playlist = first(simulator, "MusicArtist"), first(simulator, "Playlist")
    for media_type, query, expected in (
        ("movie", "Harbor", [movies[0].id]),
        ("movie", "harbor l", [movies[1].id]),
        ("video", "harbor", [movies[0].id]),  # ambiguous: both movies hold it, exact wins
        ("album", "Harbor", [t.id for t in lib.children_of(album)]),
        ("episode", episode.name, [episode.id]),
        ("music", track.name, [track.id]),
        ("playlist", playlist.name, [entry for _, entry in playlist.entries]),
    ):
        await play(hass, entity_id, media_type, query)
        assert played(simulator) == expected, (media_type, query)
    await play(hass, entity_id, "artist", artist.name)
    tracks = played(simulator)
    assert tracks and all(
        lib.items[t].type == "Audio" and artist.id in lib.items[t].artist_ids for t in tracks
    )

    with pytest.raises(ServiceValidationError) as err:
        await play(hass, entity_id, "movie", "No Such Film At All")
    assert err.value.translation_key == "no_match"
    assert err.value.translation_placeholders == {
        "query": "No Such Film At All",
        "media_type": "movie",
    }


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_search_media(
    hass: HomeAssistant,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """search_media returns typed results, best match first, filtered by media type."""
    lib = simulator.library
    movie = first(simulator, "Movie")
    album = first(simulator, "MusicAlbum")
    movie.name, album.name = "Zebra Dawn", "Zebra"
    everything = await browser.search("zebra")
    assert everything["success"], everything
    results = everything["result"]["result"]
    assert [(r["title"], r["media_class"]) for r in results][:2] == [
        ("Zebra", "album"),
        ("Zebra Dawn", "movie"),
    ]
    assert all(r["thumbnail"].startswith(f"/api/{DOMAIN}/image/") for r in results)
    only_movies = await browser.search("zebra", "movie")
    assert only_movies["success"], only_movies
    assert [r["media_class"] for r in only_movies["result"]["result"]] == ["movie"]
    albums = (await browser.search_classes("zebra", ["album"]))["result"]["result"]
    assert [r["title"] for r in albums] == ["Zebra"]
    assert lib  # the library answered through the browse cache


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_media_source_search(
    hass: HomeAssistant,
    setup_media_source: None,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """The media source searches a user's library with the same ranking; above a user it
    says what to open first (Home Assistant 2026.10 and later: media source search)."""
    if not hasattr(media_source_http, "websocket_search_media"):
        pytest.skip("this Home Assistant has no media source search")
    user = simulator.library.users[0]
    first(simulator, "Movie").name = "Yonder Quay"
    found = await browser._send(
        {
            "type": "media_source/search_media",
            "media_content_id": f"media-source://{DOMAIN}/{simulator.server_id}/{user.id}",
            "search_query": "yonder",
        }
    )
    assert found["success"], found
    (result,) = found["result"]["result"]
    assert result["title"] == "Yonder Quay" and result["media_class"] == "movie"
    assert result["media_content_id"].startswith(f"media-source://{DOMAIN}/{simulator.server_id}/")
    above = await browser._send(
        {
            "type": "media_source/search_media",
            "media_content_id": f"media-source://{DOMAIN}/{simulator.server_id}",
            "search_query": "yonder",
        }
    )
    assert not above["success"]


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_errors_are_translated(
    hass: HomeAssistant,
    setup_media_source: None,
    browser: Browser,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """Emby failing while browsing, searching, playing or resolving, and a client nobody is
    signed in on (entry for all users): translated errors, no traceback, the key nowhere."""
    user = simulator.library.users[0]
    album = first(simulator, "MusicAlbum")
    movie = first(simulator, "Movie")
    source = f"media-source://{DOMAIN}/{simulator.server_id}"
    simulator.set_fault(Fault(force_status=500, paths=("/Users/{id}/Items", "/Users/{id}/Views")))
    failed = await browser._send(
        {
            "type": "media_player/browse_media",
            "entity_id": browser.entity_id,
            "media_content_id": f"{source}/{user.id}/item/MusicAlbum/{album.id}",
            "media_content_type": "album",
        }
    )
    assert not failed["success"] and API_KEY not in str(failed)
    assert not (await browser.search("harbor"))["success"]
    assert not (await browser.source(f"{source}/{user.id}", expect=False))["success"]
    if hasattr(media_source_http, "websocket_search_media"):
        searched = await browser._send(
            {"type": "media_source/search_media", "media_content_id": f"{source}/{user.id}",
             "search_query": "x"}
        )  # fmt: skip
        assert not searched["success"]
    for media_type, media_id in (("movie", "Harbor"), ("album", f"item/MusicAlbum/{album.id}")):
        with pytest.raises(HomeAssistantError) as err:
            await play(hass, browser.entity_id, media_type, media_id)
        assert err.value.translation_key == "play_failed"

    simulator.set_fault(Fault(force_status=500, paths=("/Items/{id}/PlaybackInfo", "/Users")))
    with pytest.raises(Unresolvable) as unresolved:
        await resolve(hass, simulator, movie, user.id)
    assert unresolved.value.translation_key == "resolve_failed"
    assert not (await browser.source(source, expect=False))["success"]
    simulator.set_fault(None)

    # An empty folder plays nothing; a client nobody is signed in on cannot browse.
    empty = simulator.library.items[simulator.library.by_type["Playlist"][0]]
    empty.entries.clear()
    with pytest.raises(ServiceValidationError) as nothing:
        await play(hass, browser.entity_id, "playlist", f"item/Playlist/{empty.id}")
    assert nothing.value.translation_key == "nothing_to_play"
    simulator.add_client(
        client="Kiosk App", device_name="Kiosk", device_id="kiosk", playable_media_types=["Video"]
    )
    await init_integration.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()
    kiosk = er.async_get(hass).async_get_entity_id(
        MP_DOMAIN, DOMAIN, f"{simulator.server_id}_kiosk"
    )
    assert kiosk is not None
    anonymous = await Browser(browser.ws, kiosk)._send(
        {"type": "media_player/browse_media", "entity_id": kiosk}
    )
    assert not anonymous["success"]


@pytest.mark.parametrize("entry_user_id", ["placeholder"])
async def test_media_source_of_a_single_user_entry(
    hass: HomeAssistant,
    setup_media_source: None,
    hass_ws_client: WebSocketGenerator,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """An entry for one user opens that user's tree under its server directly."""
    user = simulator.library.users[0]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, "user_id": user.id}
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    browser = Browser(await hass_ws_client(hass), "")
    tree = await browser.source(f"media-source://{DOMAIN}/{simulator.server_id}")
    assert tree["title"] == mock_config_entry.title
    assert child(tree, "Movies")["media_content_id"].startswith(
        f"media-source://{DOMAIN}/{simulator.server_id}/{user.id}/view/"
    )
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
