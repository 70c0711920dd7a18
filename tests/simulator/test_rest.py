"""REST behaviour: authentication forms, prefix, errors, counting, queries, user data, media."""

import io
import struct
import zlib
from typing import Any

import aiohttp
import pytest

from emby_simulator import EmbySimulator, SimulatorConfig

from .conftest import API_KEY, AUTH, HEADERS, get_json


async def status_of(
    http: aiohttp.ClientSession, url: str, method: str = "GET", **kwargs: Any
) -> tuple[int, str]:
    async with http.request(method, url, **kwargs) as response:
        return response.status, await response.text()


async def test_auth_forms(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """X-Emby-Token, api_key, the MediaBrowser/Emby Authorization header (either header name);
    a wrong or missing key is 401 except for the public endpoints."""
    url = sim.url + "/System/Info"
    ok = [
        {"headers": {"X-Emby-Token": API_KEY}},
        {"params": {"api_key": API_KEY}},
        {"headers": {"X-Emby-Authorization": AUTH + f', Token="{API_KEY}"'}},
        {"headers": {"Authorization": f'Emby Client="c", DeviceId="d", Token="{API_KEY}"'}},
        {"headers": {"X-MediaBrowser-Token": API_KEY}},
    ]
    for kwargs in ok:
        assert (await status_of(http, url, **kwargs))[0] == 200, kwargs
    bad = [
        {},
        {"headers": {"X-Emby-Token": "wrong"}},
        {"params": {"api_key": "wrong"}},
        {"headers": {"Authorization": f"Bearer {API_KEY}"}},
        {"headers": {"X-Emby-Authorization": AUTH}},  # identity but no token
    ]
    for kwargs in bad:
        status, text = await status_of(http, url, **kwargs)
        assert status == 401, kwargs
        assert API_KEY not in text
    for public in ("/System/Info/Public", "/System/Ping"):
        assert (await status_of(http, sim.url + public))[0] == 200
    status, text = await status_of(http, sim.url + "/System/Ping", "POST")
    assert (status, text) == (200, "Emby Server")


async def test_prefix_case_and_unknown_paths(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """`/emby` prefix and any case work; unknown paths are a plain-text 404."""
    public = await get_json(http, sim, "/emby/System/Info/Public")
    assert public == {
        "LocalAddresses": [sim.url],
        "RemoteAddresses": [],
        "ServerName": "Emby Simulator",
        "Version": "4.9.5.0",
        "Id": sim.server_id,
    }
    assert "ProductName" not in public  # Emby, not Jellyfin (EMBY.md 2.5)
    assert (await get_json(http, sim, "/system/info"))["Id"] == sim.server_id
    status, text = await status_of(http, sim.url + "/No/Such/Thing", headers=HEADERS)
    assert (status, text) == (404, "Not Found")
    # A known path with a method it does not have is not found either.
    assert (await status_of(http, sim.url + "/System/Info", "DELETE", headers=HEADERS))[0] == 404


async def test_counting(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Counts by raw path (no prefix, no query); count() is exact and takes `{id}` templates;
    the request log never holds the key."""
    uid = sim.users[0]["Id"]
    await get_json(http, sim, "/System/Info")
    await get_json(http, sim, "/emby/System/Info", api_key=API_KEY)
    await get_json(http, sim, "/System/Info/Public")
    await get_json(http, sim, f"/Users/{uid}/Items", Limit="1")
    await get_json(http, sim, f"/Users/{sim.users[1]['Id']}/Items", Limit="1")
    await get_json(http, sim, f"/Users/{uid}/Items/Latest")
    await status_of(http, sim.url + "/System/Info", headers={"X-Emby-Token": "nope"})
    counts = sim.request_counts()
    assert counts["GET /System/Info"] == 3
    assert counts[f"GET /Users/{uid}/Items"] == 1
    assert sim.count("/System/Info") == 3
    assert sim.count("/System/Info/Public") == 1
    assert sim.count("/Users/{id}/Items") == 2
    assert sim.count("/Users/{id}/Items/Latest") == 1
    assert sim.count("/Users/{id}/Items", method="POST") == 0
    assert sim.count("/Sessions") == 0
    assert all(API_KEY not in repr(record) for record in sim.request_log)
    assert {r.status for r in sim.request_log if r.path == "/System/Info"} == {200, 401}
    info = next(r for r in sim.request_log if r.template == "/Users/{UserId}/Items/Latest")
    assert info.method == "GET"
    sim.reset_counts()
    assert sim.request_counts() == {}
    assert sim.request_log == []


async def test_admin_endpoints_are_not_counted(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """`/__sim__/*` needs no key and is never counted."""
    await get_json(http, sim, "/System/Info")
    async with http.get(sim.url + "/__sim__/counts") as response:
        assert await response.json() == {"GET /System/Info": 1}
    async with http.post(sim.url + "/__sim__/fault", json={"force_status": 503}) as response:
        assert response.status == 204
    assert (await status_of(http, sim.url + "/System/Info", headers=HEADERS))[0] == 503
    async with http.post(sim.url + "/__sim__/fault", data="null") as response:
        assert response.status == 204
    assert sim.fault is None
    async with http.post(sim.url + "/__sim__/fault", json={"nope": 1}) as response:
        assert response.status == 400
    async with http.post(sim.url + "/__sim__/advance", params={"seconds": "30"}) as response:
        assert response.status == 204
    assert sim.clock.seconds == 30
    async with http.post(sim.url + "/__sim__/library_change", json={"items_added": 2}) as response:
        assert len((await response.json())["ItemsAdded"]) == 2
    async with http.post(sim.url + "/__sim__/reset") as response:
        assert response.status == 204
    assert sim.request_counts() == {}


async def test_items_query(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Filters, sorting, paging and the delimiters of the specification."""
    uid = sim.users[0]["Id"]
    path = f"/Users/{uid}/Items"
    movies = await get_json(http, sim, path, Recursive="true", IncludeItemTypes="Movie")
    assert movies["TotalRecordCount"] == 40 == len(movies["Items"])
    names = [m["Name"] for m in movies["Items"]]
    assert all(m["Type"] == "Movie" and m["ServerId"] == sim.server_id for m in movies["Items"])
    assert all(isinstance(m["RunTimeTicks"], int) for m in movies["Items"])
    sort_names = [sim.library.get(m["Id"]).sort_key for m in movies["Items"]]  # type: ignore[union-attr]
    assert sort_names == sorted(sort_names)
    page = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Movie", StartIndex="10", Limit="5"
    )
    assert page["TotalRecordCount"] == 40
    assert [m["Name"] for m in page["Items"]] == names[10:15]
    by_year = await get_json(
        http,
        sim,
        path,
        Recursive="true",
        IncludeItemTypes="Movie",
        SortBy="ProductionYear,SortName",
        SortOrder="Descending",
    )
    years = [m["ProductionYear"] for m in by_year["Items"]]
    assert years == sorted(years, reverse=True)
    genre = sim.library.of_type("Movie")[0].genres[0]
    other = "Western" if genre != "Western" else "Action"
    genres = await get_json(
        http,
        sim,
        path,
        Recursive="true",
        IncludeItemTypes="Movie",
        Genres=f"{genre}|{other}",
        Fields="Genres",
    )
    assert genres["Items"]
    assert all({genre, other} & set(m["Genres"]) for m in genres["Items"])
    year = sim.library.of_type("Movie")[0].year
    in_years = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Movie", Years=f"{year},1800"
    )
    assert in_years["Items"] and all(m["ProductionYear"] == year for m in in_years["Items"])
    favorites = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Movie", Filters="IsFavorite"
    )
    assert all(m["UserData"]["IsFavorite"] for m in favorites["Items"])
    played = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Movie", IsPlayed="true"
    )
    unplayed = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Movie", IsPlayed="false"
    )
    assert played["TotalRecordCount"] + unplayed["TotalRecordCount"] == 40
    assert played["TotalRecordCount"] > 0
    resumable = await get_json(http, sim, path, Recursive="true", Filters="IsResumable")
    assert all(m["UserData"]["PlaybackPositionTicks"] > 0 for m in resumable["Items"])
    ids = [m["Id"] for m in movies["Items"][:3]][::-1]
    by_ids = await get_json(http, sim, path, Ids=",".join(ids))
    assert [m["Id"] for m in by_ids["Items"]] == ids
    term = names[0].split()[-1].lower()
    search = await get_json(http, sim, path, Recursive="true", SearchTerm=term)
    assert search["Items"] and all(term in m["Name"].lower() for m in search["Items"])
    person = sim.library.of_type("Movie")[0].people[0][0]
    with_person = await get_json(http, sim, path, Recursive="true", PersonIds=person)
    assert sim.library.of_type("Movie")[0].id in {m["Id"] for m in with_person["Items"]}
    artist = sim.library.of_type("MusicArtist")[0].id
    by_artist = await get_json(
        http, sim, path, Recursive="true", IncludeItemTypes="Audio", ArtistIds=artist
    )
    assert by_artist["Items"] and all(
        artist in [a["Id"] for a in t["ArtistItems"]] for t in by_artist["Items"]
    )
    # Views at the root; a bad number is a 400.
    root = await get_json(http, sim, path)
    assert {v["CollectionType"] for v in root["Items"]} >= {"movies", "tvshows", "music"}
    assert (await status_of(http, sim.url + path, headers=HEADERS, params={"Limit": "x"}))[0] == 400
    assert (await status_of(http, sim.url + path, headers=HEADERS, params={"ParentId": "999999"}))[
        0
    ] == 404
    assert (await status_of(http, sim.url + "/Users/nobody/Items", headers=HEADERS))[0] == 404


async def test_fields(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """List items carry a reduced set unless Fields asks; single items carry everything."""
    uid = sim.users[0]["Id"]
    movie = sim.library.of_type("Movie")[0].id
    plain = await get_json(http, sim, f"/Users/{uid}/Items", Ids=movie)
    assert "Overview" not in plain["Items"][0] and "People" not in plain["Items"][0]
    rich = await get_json(
        http, sim, f"/Users/{uid}/Items", Ids=movie, Fields="Overview,People,MediaSources"
    )
    assert {"Overview", "People", "MediaSources"} <= set(rich["Items"][0])
    single = await get_json(http, sim, f"/Users/{uid}/Items/{movie}")
    assert {"Overview", "People", "MediaSources", "MediaStreams", "Chapters", "Path"} <= set(single)
    assert single["UserData"]["PlaybackPositionTicks"] >= 0


async def test_latest_resume_next_up(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Latest is a bare array (episodes grouped into series); Resume and NextUp are QueryResults."""
    uid = sim.users[0]["Id"]
    latest = await get_json(http, sim, f"/Users/{uid}/Items/Latest", Limit="5")
    assert isinstance(latest, list) and 0 < len(latest) <= 5
    dates = [item["DateCreated"] for item in latest if item["Type"] != "Series"]
    assert dates == sorted(dates, reverse=True)
    episodes = await get_json(
        http,
        sim,
        f"/Users/{uid}/Items/Latest",
        IncludeItemTypes="Episode",
        GroupItems="false",
        Limit="3",
    )
    assert [e["Type"] for e in episodes] == ["Episode"] * 3
    grouped = await get_json(http, sim, f"/Users/{uid}/Items/Latest", IncludeItemTypes="Episode")
    assert {e["Type"] for e in grouped} == {"Series"}
    assert all(e["ChildCount"] > 1 for e in grouped)
    # A series with one new episode (among the newest) is listed as that episode.
    first, second = (sim.library.episodes_of(s.id)[0] for s in sim.library.of_type("Series")[:2])
    first.created = second.created = sim.clock.now()
    top = await get_json(
        http, sim, f"/Users/{uid}/Items/Latest", IncludeItemTypes="Episode", Limit="2"
    )
    assert {e["Id"] for e in top} == {first.id, second.id}
    resume = await get_json(http, sim, f"/Users/{uid}/Items/Resume")
    assert set(resume) == {"Items", "TotalRecordCount"}
    assert all(
        not i["UserData"]["Played"] and i["UserData"]["PlaybackPositionTicks"] > 0
        for i in resume["Items"]
    )
    next_up = await get_json(http, sim, "/Shows/NextUp", UserId=uid)
    assert next_up["TotalRecordCount"] > 0
    assert all(e["Type"] == "Episode" and not e["UserData"]["Played"] for e in next_up["Items"])
    assert (await status_of(http, sim.url + "/Shows/NextUp", headers=HEADERS))[0] == 400


async def test_counts_quirk(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Items/Counts reports ArtistCount and BoxSetCount as 0, as Emby does; /Artists and a
    BoxSet query give the real numbers (the workaround of EMBY.md 3.3)."""
    counts = await get_json(http, sim, "/Items/Counts")
    assert counts["MovieCount"] == 40 and counts["EpisodeCount"] == 6 * 2 * 6
    assert counts["SongCount"] == 8 * 8 and counts["AlbumCount"] == 8
    assert counts["ArtistCount"] == 0 and counts["BoxSetCount"] == 0
    artists = await get_json(http, sim, "/Artists", Limit="0")
    assert artists["TotalRecordCount"] == 4 and artists["Items"] == []
    boxsets = await get_json(
        http, sim, "/Items", IncludeItemTypes="BoxSet", Recursive="true", Limit="0"
    )
    assert boxsets["TotalRecordCount"] == 2


async def test_user_data_endpoints(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Played and favorite, with Emby's POST .../Delete twins and DELETE."""
    uid = sim.users[1]["Id"]
    movie = sim.library.of_type("Movie")[5].id
    url = sim.url + f"/Users/{uid}"
    async with http.post(f"{url}/PlayedItems/{movie}", headers=HEADERS) as response:
        data = await response.json()
    assert data["Played"] is True and data["ItemId"] == movie and data["PlayCount"] >= 1
    async with http.delete(f"{url}/PlayedItems/{movie}", headers=HEADERS) as response:
        assert (await response.json())["Played"] is False
    async with http.post(f"{url}/FavoriteItems/{movie}", headers=HEADERS) as response:
        assert (await response.json())["IsFavorite"] is True
    item = await get_json(http, sim, f"/Users/{uid}/Items/{movie}")
    assert item["UserData"]["IsFavorite"] is True
    async with http.post(f"{url}/FavoriteItems/{movie}/Delete", headers=HEADERS) as response:
        assert (await response.json())["IsFavorite"] is False
    series = sim.library.of_type("Series")[0]
    async with http.post(f"{url}/PlayedItems/{series.id}", headers=HEADERS) as response:
        assert response.status == 200
    item = await get_json(http, sim, f"/Users/{uid}/Items/{series.id}")
    assert item["UserData"]["Played"] is True and item["UserData"]["UnplayedItemCount"] == 0


async def test_playlists_and_collections(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Create, add, remove; entries carry PlaylistItemId."""
    tracks = [t.id for t in sim.library.of_type("Audio")[:3]]
    async with http.post(
        sim.url + "/Playlists",
        headers=HEADERS,
        params={"Name": "Mine", "Ids": ",".join(tracks[:2])},
    ) as r:
        created = await r.json()
    assert created["ItemAddedCount"] == 2
    url = sim.url + f"/Playlists/{created['Id']}/Items"
    async with http.post(url, headers=HEADERS, params={"Ids": tracks[2]}) as r:
        assert (await r.json())["ItemAddedCount"] == 1
    entries = await get_json(http, sim, f"/Playlists/{created['Id']}/Items")
    assert [e["Id"] for e in entries["Items"]] == tracks
    first = entries["Items"][0]["PlaylistItemId"]
    async with http.post(url + "/Delete", headers=HEADERS, params={"EntryIds": first}) as r:
        assert r.status == 204
    entries = await get_json(http, sim, f"/Playlists/{created['Id']}/Items")
    assert [e["Id"] for e in entries["Items"]] == tracks[1:]
    movies = [m.id for m in sim.library.of_type("Movie")[:2]]
    async with http.post(
        sim.url + "/Collections", headers=HEADERS, params={"Name": "Set", "Ids": movies[0]}
    ) as r:
        box = await r.json()
    async with http.post(
        sim.url + f"/Collections/{box['Id']}/Items", headers=HEADERS, params={"Ids": movies[1]}
    ) as r:
        assert r.status == 204
    uid = sim.users[0]["Id"]
    children = await get_json(http, sim, f"/Users/{uid}/Items", ParentId=box["Id"])
    assert {c["Id"] for c in children["Items"]} == set(movies)
    async with http.post(
        sim.url + f"/Collections/{box['Id']}/Items/Delete",
        headers=HEADERS,
        params={"Ids": movies[0]},
    ) as r:
        assert r.status == 204
    children = await get_json(http, sim, f"/Users/{uid}/Items", ParentId=box["Id"])
    assert [c["Id"] for c in children["Items"]] == movies[1:]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    # The image data inflates to exactly the declared rows.
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width)
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int]:
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    at = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[at + 5 : at + 9])
    return width, height


async def test_images(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Advertised images exist (JPEG, PNG for logos) and honour the size; others are 404."""
    movie = next(m for m in sim.library.of_type("Movie") if "Logo" in m.images)
    url = sim.url + f"/Items/{movie.id}/Images"
    async with http.get(
        f"{url}/Primary",
        headers=HEADERS,
        params={"maxWidth": "120", "tag": movie.images["Primary"]},
    ) as r:
        assert r.status == 200 and r.content_type == "image/jpeg"
        body = await r.read()
    assert jpeg_size(body) == (120, 180)
    async with http.get(f"{url}/Logo", headers=HEADERS, params={"Height": "50"}) as r:
        assert r.content_type == "image/png"
        assert png_size(await r.read())[1] == 50
    async with http.get(
        f"{url}/Backdrop/0", headers=HEADERS, params={"Format": "png", "MaxWidth": "64"}
    ) as r:
        assert r.content_type == "image/png"
        assert png_size(await r.read()) == (64, 36)
    episode = sim.library.of_type("Episode")[0]
    assert (await status_of(http, sim.url + f"/Items/{episode.id}/Images/Logo", headers=HEADERS))[
        0
    ] == 404
    assert (await status_of(http, f"{url}/Primary"))[0] == 401
    pil = pytest.importorskip("PIL.Image")
    with pil.open(io.BytesIO(body)) as image:  # a real decoder reads our JPEG
        image.load()
        assert image.size == (120, 180)


async def test_streams_and_playback_info(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Content types per container, Range support, direct play vs transcode by bitrate."""
    track = sim.library.of_type("Audio")[0]
    movie = sim.library.of_type("Movie")[0]
    async with http.get(sim.url + f"/Audio/{track.id}/universal", headers=HEADERS) as r:
        assert r.status == 200 and r.content_type == "audio/flac"
        whole = await r.read()
    assert whole.startswith(b"fLaC")
    async with http.get(
        sim.url + f"/Audio/{track.id}/stream.mp3",
        params={"api_key": API_KEY},
        headers={"Range": "bytes=10-19"},
    ) as r:
        assert r.status == 206 and r.content_type == "audio/mpeg"
        assert r.headers["Content-Range"].startswith("bytes 10-19/")
        assert len(await r.read()) == 10
    async with http.get(
        sim.url + f"/Videos/{movie.id}/stream", headers=HEADERS | {"Range": "bytes=-4"}
    ) as r:
        assert r.status == 206 and r.content_type == "video/x-matroska"
    async with http.get(
        sim.url + f"/Videos/{movie.id}/stream.mp4", headers=HEADERS | {"Range": "bytes=999999-"}
    ) as r:
        assert r.status == 416
    async with http.post(
        sim.url + f"/Items/{movie.id}/PlaybackInfo",
        headers=HEADERS,
        json={"MaxStreamingBitrate": 1000},
    ) as r:
        info = await r.json()
    source = info["MediaSources"][0]
    assert not source["SupportsDirectPlay"] and "TranscodingUrl" in source and info["PlaySessionId"]
    async with http.post(
        sim.url + f"/Items/{movie.id}/PlaybackInfo", headers=HEADERS, json={}
    ) as r:
        source = (await r.json())["MediaSources"][0]
    assert source["SupportsDirectPlay"] and source["DirectStreamUrl"].startswith(
        f"/videos/{movie.id}/stream"
    )


@pytest.mark.parametrize("config", [SimulatorConfig(api_key=API_KEY, movies=20_000, users=1)])
async def test_big_library_pages(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """20,000 movies: paged queries are correct and pages do not overlap."""
    uid = sim.users[0]["Id"]
    seen: list[str] = []
    for start in (0, 100, 19_950):
        page = await get_json(
            http,
            sim,
            f"/Users/{uid}/Items",
            Recursive="true",
            IncludeItemTypes="Movie",
            SortBy="SortName",
            StartIndex=str(start),
            Limit="100",
        )
        assert page["TotalRecordCount"] == 20_000
        assert len(page["Items"]) == (100 if start < 19_900 else 50)
        seen.extend(m["Id"] for m in page["Items"])
    assert len(set(seen)) == len(seen) == 250
    counts = await get_json(http, sim, "/Items/Counts")
    assert counts["MovieCount"] == 20_000
    latest = await get_json(
        http, sim, f"/Users/{uid}/Items/Latest", IncludeItemTypes="Movie", Limit="16"
    )
    assert len(latest) == 16
