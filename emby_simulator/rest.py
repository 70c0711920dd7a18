"""The REST API: routes (case-insensitive, optional `/emby` prefix) and their handlers.

Every route is a path of Emby's OpenAPI description except `/Users` and the GET of
`/Library/VirtualFolders`, which real servers serve and first-party clients call although the
description omits them (EMBY.md 3.3). Commands answer 204 No Content, as Emby does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .auth import Identity
from .clock import emby_date, hex_id
from .dto import ALL_FIELDS, DEFAULT_FIELDS
from .library import Item, User
from .media import image_bytes, media_bytes, media_type_for, range_response
from .query import ItemQuery, as_bool, as_int, split
from .sessions import PLAY_COMMANDS, PLAYSTATE_COMMANDS, Session

if TYPE_CHECKING:
    from .server import EmbySimulator

JSON_TYPE = "application/json"


class ApiError(Exception):
    """An error answer (plain text, as Emby's)."""

    def __init__(self, status: int, text: str) -> None:
        """Status and body."""
        super().__init__(text)
        self.status = status
        self.text = text


def not_found(what: str = "Not found") -> ApiError:
    """404."""
    return ApiError(404, what)


def bad_request(text: str) -> ApiError:
    """400."""
    return ApiError(400, text)


@dataclass(slots=True)
class Ctx:
    """One request as the handlers see it."""

    request: web.Request
    params: dict[str, str]
    q: dict[str, str]
    """Query parameters, keys lower-cased."""
    identity: Identity
    token_user: User | None
    """The user of a user access token (None for the API key)."""
    session: Session | None
    body: Any = None

    def arg(self, name: str) -> str | None:
        """A query parameter (case-insensitive)."""
        return self.q.get(name.lower())


Handler = Callable[["RestApi", Ctx], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    """A method + path template."""

    methods: frozenset[str]
    template: str
    handler: Handler
    public: bool = False
    regex: re.Pattern[str] = field(init=False, compare=False)
    names: tuple[str, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        """Compile the template (`{Name}` matches one segment)."""
        names = tuple(re.findall(r"{(\w+)}", self.template))
        pattern = re.escape(self.template)
        for name in names:
            pattern = pattern.replace(re.escape("{" + name + "}"), r"([^/]+?)")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "regex", re.compile(f"^{pattern}$", re.IGNORECASE))


ROUTES: list[Route] = []


def route(methods: str, template: str, *, public: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler for `METHOD[|METHOD] /Template`."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(frozenset(methods.split("|")), template, handler, public))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | bool | None:
    """The route and path parameters; False when the path exists for other methods only;
    None when no route has this path."""
    path_exists = False
    for candidate in ROUTES:
        found = candidate.regex.match(path)
        if found is None:
            continue
        if method in candidate.methods or (method == "HEAD" and "GET" in candidate.methods):
            return candidate, dict(zip(candidate.names, found.groups(), strict=True))
        path_exists = True
    return False if path_exists else None


def json_response(data: Any, status: int = 200) -> web.Response:
    """Emby's JSON (compact, UTF-8)."""
    return web.Response(
        body=json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(),
        status=status,
        content_type=JSON_TYPE,
        charset="utf-8",
    )


def no_content() -> web.Response:
    """204, what Emby answers to commands."""
    return web.Response(status=204)


def query_result(items: list[dict[str, Any]], total: int | None = None) -> web.Response:
    """`{"Items": [...], "TotalRecordCount": n}`."""
    return json_response(
        {"Items": items, "TotalRecordCount": len(items) if total is None else total}
    )


class RestApi:
    """Handlers; state lives in the simulator."""

    def __init__(self, sim: EmbySimulator) -> None:
        """Bind to the simulator."""
        self.sim = sim
        self.library = sim.library
        self.dto = sim.dto
        self.queries = sim.queries

    # -- helpers ------------------------------------------------------------------------------

    def user(self, user_id: str | None, *, required: bool = True) -> User | None:
        """A user by id; 404 for an unknown one (400 when required and missing)."""
        if not user_id:
            if required:
                raise bad_request("UserId is required")
            return None
        user = self.library.user(user_id)
        if user is None:
            raise not_found("User not found")
        return user

    def item(self, item_id: str) -> Item:
        """An item by id or 404."""
        item = self.library.get(item_id)
        if item is None:
            raise not_found("Item not found")
        return item

    def fields(self, ctx: Ctx) -> set[str]:
        """Requested optional fields plus the defaults."""
        return set(DEFAULT_FIELDS) | set(split(ctx.arg("Fields")))

    def items_json(
        self, items: list[Item], user: User | None, fields: set[str]
    ) -> list[dict[str, Any]]:
        """A list of BaseItemDto."""
        user_id = user.id if user is not None else None
        return [self.dto.item(i, user_id, fields) for i in items]

    def session_param(self, ctx: Ctx) -> Session:
        """The session named by `{Id}` or 404."""
        session = self.sim.session_manager.by_id(ctx.params["Id"])
        if session is None:
            raise not_found("Session not found")
        return session

    async def run_query(self, ctx: Ctx, user: User | None, query: ItemQuery) -> web.Response:
        """Items query -> QueryResult."""
        try:
            items, total = self.queries.run(user, query)
        except LookupError:
            raise not_found("Parent not found") from None
        return query_result(self.items_json(items, user, self.fields(ctx)), total)

    # == System =================================================================================

    @route("GET", "/System/Info/Public", public=True)
    async def system_info_public(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.sim.public_info())

    @route("GET", "/System/Info")
    async def system_info(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.sim.system_info())

    @route("GET|POST|HEAD", "/System/Ping", public=True)
    async def ping(self, ctx: Ctx) -> web.StreamResponse:
        return web.Response(text="Emby Server", content_type="text/plain")

    @route("POST", "/System/Restart")
    async def restart(self, ctx: Ctx) -> web.StreamResponse:
        self.sim.schedule_restart()
        return no_content()

    @route("POST", "/System/Shutdown")
    async def shutdown(self, ctx: Ctx) -> web.StreamResponse:
        self.sim.schedule_shutdown()
        return no_content()

    @route("GET", "/System/ActivityLog/Entries")
    async def activity_log(self, ctx: Ctx) -> web.StreamResponse:
        entries = list(reversed(self.sim.activity_log))
        has_user = as_bool(ctx.arg("HasUserId"))
        if has_user is not None:
            entries = [e for e in entries if ("UserId" in e) == has_user]
        if min_date := ctx.arg("MinDate"):
            entries = [e for e in entries if e["Date"] >= min_date]
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = entries[start : None if limit is None else start + limit]
        return query_result(page, len(entries))

    # == Users ==================================================================================

    @route("GET", "/Users")
    async def users(self, ctx: Ctx) -> web.StreamResponse:
        users = self._filtered_users(ctx)
        return json_response([self.dto.user(u) for u in users])

    def _filtered_users(self, ctx: Ctx) -> list[User]:
        users = list(self.library.users)
        hidden = as_bool(ctx.arg("IsHidden"))
        disabled = as_bool(ctx.arg("IsDisabled"))
        if hidden is not None:
            users = [u for u in users if u.is_hidden == hidden]
        if disabled is not None:
            users = [u for u in users if u.is_disabled == disabled]
        return users

    @route("GET", "/Users/Query")
    async def users_query(self, ctx: Ctx) -> web.StreamResponse:
        users = self._filtered_users(ctx)
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = users[start : None if limit is None else start + limit]
        return query_result([self.dto.user(u) for u in page], len(users))

    @route("GET", "/Users/Public", public=True)
    async def users_public(self, ctx: Ctx) -> web.StreamResponse:
        users = [u for u in self.library.users if not u.is_hidden and not u.is_disabled]
        return json_response([self.dto.user(u) for u in users])

    @route("POST", "/Users/AuthenticateByName", public=True)
    async def authenticate(self, ctx: Ctx) -> web.StreamResponse:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        name = str(body.get("Username") or ctx.arg("Username") or "")
        user = next((u for u in self.library.users if u.name.lower() == name.lower()), None)
        if ctx.identity.device_id is None or ctx.identity.client is None:
            raise bad_request("Authorization header with Client and DeviceId is required")
        password = str(body.get("Pw") or ctx.arg("Pw") or "")
        if user is None or user.is_disabled or password != self.sim.user_password(user):
            raise ApiError(401, "Invalid username or password entered.")
        token = self.sim.issue_token(user)
        session = self.sim.session_manager.api_session(
            ctx.identity.device_id,
            client=ctx.identity.client,
            device_name=ctx.identity.device or ctx.identity.device_id,
            version=ctx.identity.version or "",
            user=user,
            remote=self.sim.remote_address(ctx.request),
        )
        return json_response(
            {
                "User": self.dto.user(user),
                "SessionInfo": self.sim.session_manager.to_json(session),
                "AccessToken": token,
                "ServerId": self.sim.server_id,
            }
        )

    @route("POST", "/Sessions/Logout")
    async def logout(self, ctx: Ctx) -> web.StreamResponse:
        if ctx.token_user is not None and ctx.identity.token:
            self.sim.revoke_token(ctx.identity.token)
        return no_content()

    @route("GET", "/Users/{Id}")
    async def user_by_id(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["Id"])
        assert user is not None
        return json_response(self.dto.user(user))

    @route("GET|HEAD", "/Users/{Id}/Images/{Type}")
    async def user_image(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["Id"])
        assert user is not None
        if ctx.params["Type"].lower() != "primary" or not user.primary_image_tag:
            raise not_found("Image not found")
        return self._image(ctx, user.id, "Primary")

    # == Browsing ===============================================================================

    @route("GET", "/Users/{UserId}/Views")
    async def views(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        views = [v for v in self.library.views if self.library.visible(user, v)]
        assert user is not None
        fields = self.fields(ctx)
        return query_result([self.dto.item(v, user.id, fields) for v in views])

    @route("GET", "/Users/{UserId}/Items")
    async def user_items(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        return await self.run_query(ctx, user, ItemQuery.parse(ctx.q))

    @route("GET", "/Items")
    async def items(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        return await self.run_query(ctx, user, ItemQuery.parse(ctx.q))

    @route("GET", "/Users/{UserId}/Items/Latest")
    async def latest(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        limit = as_int(ctx.arg("Limit"), "Limit", 20) or 0
        group = as_bool(ctx.arg("GroupItems")) is not False
        types = {t.lower() for t in split(ctx.arg("IncludeItemTypes"))}
        try:
            found = self.queries.latest(
                user,
                parent_id=ctx.arg("ParentId"),
                types=types,
                limit=limit,
                is_played=as_bool(ctx.arg("IsPlayed")),
                group=group,
            )
        except LookupError:
            raise not_found("Parent not found") from None
        fields = self.fields(ctx)
        return json_response(
            [self.dto.item(item, user.id, fields, child_count=count) for item, count in found]
        )

    @route("GET", "/Users/{UserId}/Items/Resume")
    async def resume(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        types = {t.lower() for t in split(ctx.arg("IncludeItemTypes"))}
        media = {t.lower() for t in split(ctx.arg("MediaTypes"))}
        found = self.queries.resume(user, types, ctx.arg("ParentId"))
        if media:
            found = [i for i in found if (i.media_type or "").lower() in media]
        return self._paged(ctx, user, found)

    def _paged(self, ctx: Ctx, user: User | None, found: list[Item]) -> web.Response:
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = found[start : None if limit is None else start + limit]
        return query_result(self.items_json(page, user, self.fields(ctx)), len(found))

    @route("GET", "/Users/{UserId}/Items/Root")
    async def root(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        return json_response(
            {
                "Name": "Media Folders",
                "ServerId": self.sim.server_id,
                "Id": "1",
                "IsFolder": True,
                "Type": "UserRootFolder",
                "ChildCount": len(self.library.views),
                "ImageTags": {},
                "BackdropImageTags": [],
            }
        )

    @route("GET", "/Users/{UserId}/Items/{Id}")
    async def user_item(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        item = self.item(ctx.params["Id"])
        if not self.library.visible(user, item):
            raise not_found("Item not found")
        fields = set(ALL_FIELDS) | {"MediaSources", "MediaStreams"}
        return json_response(self.dto.item(item, user.id, fields))

    @route("GET", "/Users/{UserId}/Suggestions")
    async def suggestions(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        types = {t.lower() for t in split(ctx.arg("Type") or ctx.arg("IncludeItemTypes"))}
        return self._paged(ctx, user, self.queries.suggestions(user, types))

    @route("GET", "/Shows/NextUp")
    async def next_up(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"))
        assert user is not None
        return self._paged(ctx, user, self.queries.next_up(user, ctx.arg("SeriesId")))

    @route("GET", "/Shows/{Id}/Seasons")
    async def seasons(self, ctx: Ctx) -> web.StreamResponse:
        series = self.item(ctx.params["Id"])
        if series.type != "Series":
            raise not_found("Series not found")
        user = self.user(ctx.arg("UserId"), required=False)
        seasons = self.library.children_of(series)
        return query_result(self.items_json(seasons, user, self.fields(ctx)))

    @route("GET", "/Shows/{Id}/Episodes")
    async def episodes(self, ctx: Ctx) -> web.StreamResponse:
        series = self.item(ctx.params["Id"])
        if series.type != "Series":
            raise not_found("Series not found")
        user = self.user(ctx.arg("UserId"), required=False)
        episodes = self.library.episodes_of(series.id)
        if season_id := ctx.arg("SeasonId"):
            episodes = [e for e in episodes if e.season_id == season_id]
        season = as_int(ctx.arg("Season"), "Season")
        if season is not None:
            episodes = [e for e in episodes if e.parent_index == season]
        if start_id := ctx.arg("StartItemId"):
            ids = [e.id for e in episodes]
            if start_id in ids:
                episodes = episodes[ids.index(start_id) :]
        if user is not None and as_bool(ctx.arg("IsPlayed")) is not None:
            wanted = as_bool(ctx.arg("IsPlayed"))
            episodes = [e for e in episodes if self.library.is_played(user.id, e) == wanted]
        return self._paged(ctx, user, episodes)

    @route("GET", "/Items/{Id}/Similar")
    async def similar(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        user = self.user(ctx.arg("UserId"), required=False)
        found = self.queries.similar(user, item)
        limit = as_int(ctx.arg("Limit"), "Limit", 12)
        return query_result(self.items_json(found[:limit], user, self.fields(ctx)), len(found))

    @route("GET", "/Items/{Id}/InstantMix")
    async def instant_mix(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        user = self.user(ctx.arg("UserId"), required=False)
        found = self.queries.instant_mix(item)
        limit = as_int(ctx.arg("Limit"), "Limit", 200)
        return query_result(self.items_json(found[:limit], user, self.fields(ctx)), len(found))

    @route("GET", "/Items/Counts")
    async def counts(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        favorite = as_bool(ctx.arg("IsFavorite"))
        return json_response(self.sim.item_counts(user, favorite))

    @route("GET", "/Library/VirtualFolders")
    async def virtual_folders(self, ctx: Ctx) -> web.StreamResponse:
        return json_response([self.dto.virtual_folder(f) for f in self.library.libraries])

    @route("GET", "/Library/VirtualFolders/Query")
    async def virtual_folders_query(self, ctx: Ctx) -> web.StreamResponse:
        folders = [self.dto.virtual_folder(f) for f in self.library.libraries]
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        return query_result(folders[start : None if limit is None else start + limit], len(folders))

    @route("GET", "/Library/MediaFolders")
    async def media_folders(self, ctx: Ctx) -> web.StreamResponse:
        return query_result(
            [self.dto.item(f, None, self.fields(ctx)) for f in self.library.libraries]
        )

    @route("POST", "/Library/Refresh")
    async def library_refresh(self, ctx: Ctx) -> web.StreamResponse:
        self.sim.run_task("RefreshLibrary")
        return no_content()

    @route("POST", "/Items/{Id}/Refresh")
    async def item_refresh(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        self.sim.refresh_item(item)
        return no_content()

    # -- names: genres, studios, persons, artists, years ----------------------------------------

    def _names(self, ctx: Ctx, kind: str, used: Callable[[Item], list[str]]) -> web.Response:
        """Genre/MusicGenre/Studio/Person items used by the selected items."""
        lib = self.library
        user = self.user(ctx.arg("UserId"), required=False)
        query = ItemQuery.parse(ctx.q)
        query.recursive = True
        query.start_index, query.limit, query.sort_by = 0, None, []
        try:
            selected, _ = self.queries.run(user, query)
        except LookupError:
            raise not_found("Parent not found") from None
        counts: dict[str, int] = {}
        for item in selected:
            for name_id in used(item):
                counts[name_id] = counts.get(name_id, 0) + 1
        names = [lib.items[i] for i in counts if i in lib.items and lib.items[i].type == kind]
        if term := (ctx.arg("SearchTerm") or "").lower():
            names = [n for n in names if term in n.name.lower()]
        if prefix := (ctx.arg("NameStartsWith") or "").lower():
            names = [n for n in names if n.sort_key.startswith(prefix)]
        names.sort(
            key=lambda n: n.sort_key, reverse=(ctx.arg("SortOrder") or "").lower() == "descending"
        )
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = names[start : None if limit is None else start + limit]
        fields = self.fields(ctx)
        out = []
        for name in page:
            dto = self.dto.item(name, user.id if user else None, fields)
            if kind in ("Genre", "MusicGenre", "Studio"):
                dto["ChildCount"] = counts[name.id]
            out.append(dto)
        return query_result(out, len(names))

    @route("GET", "/Genres")
    async def genres(self, ctx: Ctx) -> web.StreamResponse:
        ids = self.library.genre_ids
        return self._names(ctx, "Genre", lambda i: [ids[g] for g in i.genres if g in ids])

    @route("GET", "/MusicGenres")
    async def music_genres(self, ctx: Ctx) -> web.StreamResponse:
        ids = self.library.music_genre_ids
        return self._names(ctx, "MusicGenre", lambda i: [ids[g] for g in i.genres if g in ids])

    @route("GET", "/Studios")
    async def studios(self, ctx: Ctx) -> web.StreamResponse:
        ids = self.library.studio_ids
        return self._names(ctx, "Studio", lambda i: [ids[s] for s in i.studios if s in ids])

    @route("GET", "/Persons")
    async def persons(self, ctx: Ctx) -> web.StreamResponse:
        types = {t.lower() for t in split(ctx.arg("PersonTypes"))}
        return self._names(
            ctx,
            "Person",
            lambda i: [p[0] for p in i.people if not types or p[2].lower() in types],
        )

    @route("GET", "/Artists")
    async def artists(self, ctx: Ctx) -> web.StreamResponse:
        return self._artists(ctx)

    @route("GET", "/Artists/AlbumArtists")
    async def album_artists(self, ctx: Ctx) -> web.StreamResponse:
        return self._artists(ctx)

    def _artists(self, ctx: Ctx) -> web.Response:
        user = self.user(ctx.arg("UserId"), required=False)
        artists = [a for a in self.library.of_type("MusicArtist") if self.library.visible(user, a)]
        if parent := ctx.arg("ParentId"):
            artists = [a for a in artists if a.library_id == parent]
        if term := (ctx.arg("SearchTerm") or "").lower():
            artists = [a for a in artists if term in a.name.lower()]
        if genres := {g.lower() for g in split(ctx.arg("Genres"), "|")}:
            artists = [a for a in artists if any(g.lower() in genres for g in a.genres)]
        if as_bool(ctx.arg("IsFavorite")) and user is not None:
            artists = [a for a in artists if self.library.user_data_of(user.id, a.id).is_favorite]
        artists.sort(
            key=lambda a: a.sort_key, reverse=(ctx.arg("SortOrder") or "").lower() == "descending"
        )
        return self._paged(ctx, user, artists)

    @route("GET", "/Years")
    async def years(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        query = ItemQuery.parse(ctx.q)
        query.recursive = True
        query.start_index, query.limit, query.sort_by = 0, None, []
        try:
            selected, _ = self.queries.run(user, query)
        except LookupError:
            raise not_found("Parent not found") from None
        years = sorted(
            {i.year for i in selected if i.year},
            reverse=(ctx.arg("SortOrder") or "").lower() == "descending",
        )
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        page = years[start : None if limit is None else start + limit]
        return query_result([{"Name": str(y), "Id": str(y)} for y in page], len(years))

    # -- playlists and collections ------------------------------------------------------------

    @route("GET", "/Playlists/{Id}/Items")
    async def playlist_items(self, ctx: Ctx) -> web.StreamResponse:
        playlist = self.item(ctx.params["Id"])
        if playlist.type != "Playlist":
            raise not_found("Playlist not found")
        user = self.user(ctx.arg("UserId"), required=False)
        fields = self.fields(ctx)
        entries = [(e, i) for e, i in playlist.entries if i in self.library.items]
        start = as_int(ctx.arg("StartIndex"), "StartIndex", 0) or 0
        limit = as_int(ctx.arg("Limit"), "Limit")
        out = []
        for entry_id, item_id in entries[start : None if limit is None else start + limit]:
            dto = self.dto.item(self.library.items[item_id], user.id if user else None, fields)
            dto["PlaylistItemId"] = entry_id
            out.append(dto)
        return query_result(out, len(entries))

    @route("POST", "/Playlists")
    async def create_playlist(self, ctx: Ctx) -> web.StreamResponse:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        name = ctx.arg("Name") or body.get("Name")
        if not name:
            raise bad_request("Name is required")
        ids = split(ctx.arg("Ids")) or [str(i) for i in body.get("Ids", [])]
        playlist = self.sim.create_playlist(str(name), ids, ctx.arg("MediaType"))
        return json_response(
            {"Id": playlist.id, "Name": playlist.name, "ItemAddedCount": len(playlist.entries)}
        )

    @route("POST", "/Playlists/{Id}/Items")
    async def add_to_playlist(self, ctx: Ctx) -> web.StreamResponse:
        playlist = self.item(ctx.params["Id"])
        if playlist.type != "Playlist":
            raise not_found("Playlist not found")
        added = self.sim.add_to_playlist(playlist, split(ctx.arg("Ids")))
        return json_response({"Id": playlist.id, "ItemAddedCount": added})

    @route("DELETE", "/Playlists/{Id}/Items")
    async def remove_from_playlist_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_from_playlist(ctx)

    @route("POST", "/Playlists/{Id}/Items/Delete")
    async def remove_from_playlist(self, ctx: Ctx) -> web.StreamResponse:
        playlist = self.item(ctx.params["Id"])
        if playlist.type != "Playlist":
            raise not_found("Playlist not found")
        self.sim.remove_from_playlist(playlist, split(ctx.arg("EntryIds")))
        return no_content()

    @route("POST", "/Collections")
    async def create_collection(self, ctx: Ctx) -> web.StreamResponse:
        name = ctx.arg("Name")
        if not name:
            raise bad_request("Name is required")
        box = self.sim.create_collection(name, split(ctx.arg("Ids")))
        return json_response({"Id": box.id, "Name": box.name})

    @route("POST", "/Collections/{Id}/Items")
    async def add_to_collection(self, ctx: Ctx) -> web.StreamResponse:
        box = self.item(ctx.params["Id"])
        if box.type != "BoxSet":
            raise not_found("Collection not found")
        self.sim.change_collection(box, add=split(ctx.arg("Ids")))
        return no_content()

    @route("DELETE", "/Collections/{Id}/Items")
    async def remove_from_collection_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_from_collection(ctx)

    @route("POST", "/Collections/{Id}/Items/Delete")
    async def remove_from_collection(self, ctx: Ctx) -> web.StreamResponse:
        box = self.item(ctx.params["Id"])
        if box.type != "BoxSet":
            raise not_found("Collection not found")
        self.sim.change_collection(box, remove=split(ctx.arg("Ids")))
        return no_content()

    # == User data ==============================================================================

    def _user_item(self, ctx: Ctx) -> tuple[User, Item]:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        return user, self.item(ctx.params["Id"])

    @route("POST", "/Users/{UserId}/PlayedItems/{Id}")
    async def mark_played(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.sim.set_played(user, item, True, ctx.arg("DatePlayed")))

    @route("DELETE", "/Users/{UserId}/PlayedItems/{Id}")
    async def mark_unplayed_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.mark_unplayed(ctx)

    @route("POST", "/Users/{UserId}/PlayedItems/{Id}/Delete")
    async def mark_unplayed(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.sim.set_played(user, item, False))

    @route("POST", "/Users/{UserId}/FavoriteItems/{Id}")
    async def add_favorite(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.sim.set_favorite(user, item, True))

    @route("DELETE", "/Users/{UserId}/FavoriteItems/{Id}")
    async def remove_favorite_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_favorite(ctx)

    @route("POST", "/Users/{UserId}/FavoriteItems/{Id}/Delete")
    async def remove_favorite(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.sim.set_favorite(user, item, False))

    # == Sessions and remote control ============================================================

    @route("GET", "/Sessions")
    async def sessions(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(
            self.sim.sessions_json(
                controllable_by=ctx.arg("ControllableByUserId"),
                device_id=ctx.arg("DeviceId"),
                session_id=ctx.arg("Id"),
            )
        )

    @route("GET", "/Sessions/PlayQueue")
    async def play_queue(self, ctx: Ctx) -> web.StreamResponse:
        manager = self.sim.session_manager
        session = None
        if session_id := ctx.arg("Id"):
            session = manager.by_id(session_id)
        elif device_id := ctx.arg("DeviceId"):
            session = manager.by_device(device_id)
        if session is None:
            raise not_found("Session not found")
        items = [self.library.items[i] for i in session.queue if i in self.library.items]
        return query_result(self.items_json(items, None, self.fields(ctx)))

    @route("POST", "/Sessions/Capabilities")
    async def capabilities(self, ctx: Ctx) -> web.StreamResponse:
        session = self._capabilities_session(ctx)
        self.sim.session_manager.register_capabilities(session, {}, ctx.q)
        return no_content()

    @route("POST", "/Sessions/Capabilities/Full")
    async def capabilities_full(self, ctx: Ctx) -> web.StreamResponse:
        session = self._capabilities_session(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        self.sim.session_manager.register_capabilities(session, body, ctx.q)
        return no_content()

    def _capabilities_session(self, ctx: Ctx) -> Session:
        manager = self.sim.session_manager
        if (session_id := ctx.arg("Id")) and (found := manager.by_id(session_id)) is not None:
            return found
        if ctx.session is not None:
            return ctx.session
        raise bad_request("No session for this request: send a DeviceId (X-Emby-Authorization)")

    @route("POST", "/Sessions/{Id}/Playing")
    async def play(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        item_ids = split(ctx.arg("ItemIds")) or [str(i) for i in body.get("ItemIds", [])]
        command = ctx.arg("PlayCommand") or body.get("PlayCommand")
        if not item_ids:
            raise bad_request("ItemIds is required")
        if command not in PLAY_COMMANDS:
            raise bad_request(f"PlayCommand must be one of {sorted(PLAY_COMMANDS)}")
        start = ctx.arg("StartPositionTicks") or body.get("StartPositionTicks")
        self.sim.session_manager.play(
            session,
            item_ids,
            str(command),
            start_ticks=_opt_int(start),
            start_index=_opt_int(ctx.arg("StartIndex") or body.get("StartIndex")),
            audio_index=_opt_int(ctx.arg("AudioStreamIndex") or body.get("AudioStreamIndex")),
            subtitle_index=_opt_int(
                ctx.arg("SubtitleStreamIndex") or body.get("SubtitleStreamIndex")
            ),
        )
        return no_content()

    @route("POST", "/Sessions/{Id}/Playing/{Command}")
    async def playstate(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        command = next(
            (c for c in PLAYSTATE_COMMANDS if c.lower() == ctx.params["Command"].lower()), None
        )
        if command is None:
            raise bad_request(f"Unknown playstate command {ctx.params['Command']!r}")
        body = ctx.body if isinstance(ctx.body, dict) else {}
        seek = _opt_int(ctx.arg("SeekPositionTicks") or body.get("SeekPositionTicks"))
        self.sim.session_manager.playstate(session, command, seek)
        return no_content()

    @route("POST", "/Sessions/{Id}/Command")
    async def general_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        name = body.get("Name") or ctx.arg("Name")
        if not name:
            raise bad_request("Name is required")
        self.sim.session_manager.general_command(session, str(name), _arguments(body))
        return no_content()

    @route("POST", "/Sessions/{Id}/Command/{Command}")
    async def named_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        arguments = _arguments(body)
        for key, value in ctx.q.items():
            if key not in ("api_key", "x-emby-token"):
                arguments.setdefault(key, value)
        self.sim.session_manager.general_command(session, ctx.params["Command"], arguments)
        return no_content()

    @route("POST", "/Sessions/{Id}/Message")
    async def message(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        text = ctx.arg("Text") or body.get("Text")
        if text is None:
            raise bad_request("Text is required")
        header = ctx.arg("Header") or body.get("Header") or ""
        timeout = _opt_int(ctx.arg("TimeoutMs") or body.get("TimeoutMs"))
        self.sim.session_manager.message(session, str(header), str(text), timeout)
        return no_content()

    @route("POST", "/Sessions/{Id}/Viewing")
    async def viewing(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        self.sim.session_manager.general_command(
            session,
            "DisplayContent",
            {"ItemId": ctx.arg("ItemId") or "", "ItemType": ctx.arg("ItemType") or ""},
        )
        return no_content()

    @route("POST", "/Sessions/{Id}/System/{Command}")
    async def system_command(self, ctx: Ctx) -> web.StreamResponse:
        session = self.session_param(ctx)
        self.sim.session_manager.general_command(session, ctx.params["Command"], {})
        return no_content()

    # == Scheduled tasks, devices, plugins ======================================================

    @route("GET", "/ScheduledTasks")
    async def tasks(self, ctx: Ctx) -> web.StreamResponse:
        tasks = self.library.tasks
        hidden = as_bool(ctx.arg("IsHidden"))
        if hidden is not None:
            tasks = [t for t in tasks if t.is_hidden == hidden]
        return json_response([self.dto.task(t) for t in tasks])

    @route("GET", "/ScheduledTasks/{Id}")
    async def task(self, ctx: Ctx) -> web.StreamResponse:
        task = next((t for t in self.library.tasks if t.id == ctx.params["Id"]), None)
        if task is None:
            raise not_found("Task not found")
        return json_response(self.dto.task(task))

    @route("POST", "/ScheduledTasks/Running/{Id}")
    async def task_run(self, ctx: Ctx) -> web.StreamResponse:
        if not self.sim.run_task_by_id(ctx.params["Id"]):
            raise not_found("Task not found")
        return no_content()

    @route("DELETE", "/ScheduledTasks/Running/{Id}")
    async def task_cancel_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.task_cancel(ctx)

    @route("POST", "/ScheduledTasks/Running/{Id}/Delete")
    async def task_cancel(self, ctx: Ctx) -> web.StreamResponse:
        if not self.sim.cancel_task(ctx.params["Id"]):
            raise not_found("Task not found")
        return no_content()

    @route("GET", "/Devices")
    async def devices(self, ctx: Ctx) -> web.StreamResponse:
        devices = [
            {k: emby_date(v) if k == "DateLastActivity" else v for k, v in d.items()}
            for d in self.sim.session_manager.devices.values()
        ]
        return query_result(devices)

    @route("GET", "/Plugins")
    async def plugins(self, ctx: Ctx) -> web.StreamResponse:
        return json_response(self.sim.plugins())

    # == Live TV ================================================================================

    @route("GET", "/LiveTv/Info")
    async def live_tv_info(self, ctx: Ctx) -> web.StreamResponse:
        enabled = bool(self.library.by_type.get("TvChannel"))
        return json_response(
            {
                "IsEnabled": enabled,
                "EnabledUsers": [u.id for u in self.library.users] if enabled else [],
            }
        )

    @route("GET", "/LiveTv/Channels")
    async def channels(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        channels = self.library.of_type("TvChannel")
        if as_bool(ctx.arg("IsFavorite")) and user is not None:
            channels = [c for c in channels if self.library.user_data_of(user.id, c.id).is_favorite]
        return self._paged(ctx, user, channels)

    @route("GET", "/LiveTv/Channels/{Id}")
    async def channel(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.type != "TvChannel":
            raise not_found("Channel not found")
        user = self.user(ctx.arg("UserId"), required=False)
        return json_response(self.dto.item(item, user.id if user else None, set(ALL_FIELDS)))

    @route("GET", "/LiveTv/Recordings")
    async def recordings(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"), required=False)
        recordings = self.library.of_type("Recording")
        in_progress = as_bool(ctx.arg("IsInProgress"))
        if in_progress is not None:
            recordings = [r for r in recordings if (r.status == "InProgress") == in_progress]
        return self._paged(ctx, user, recordings)

    @route("GET", "/LiveTv/Recordings/{Id}")
    async def recording(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.type != "Recording":
            raise not_found("Recording not found")
        user = self.user(ctx.arg("UserId"), required=False)
        return json_response(self.dto.item(item, user.id if user else None, set(ALL_FIELDS)))

    @route("GET", "/LiveTv/Timers")
    async def timers(self, ctx: Ctx) -> web.StreamResponse:
        timers = self.library.timers
        if channel := ctx.arg("ChannelId"):
            timers = [t for t in timers if t.channel_id == channel]
        return query_result([self.dto.timer(t) for t in timers])

    @route("GET", "/LiveTv/Timers/Defaults")
    async def timer_defaults(self, ctx: Ctx) -> web.StreamResponse:
        program_id = ctx.arg("ProgramId")
        program = self.library.get(program_id) if program_id else None
        if program_id and (program is None or program.type != "Program"):
            raise not_found("Program not found")
        program = program or self.library.of_type("Program")[0]
        return json_response(self.dto.timer(self.sim.timer_for(program, series=True)))

    @route("POST", "/LiveTv/Timers")
    async def create_timer(self, ctx: Ctx) -> web.StreamResponse:
        self.sim.create_timer(ctx.body if isinstance(ctx.body, dict) else {}, series=False)
        return no_content()

    @route("GET", "/LiveTv/Timers/{Id}")
    async def timer(self, ctx: Ctx) -> web.StreamResponse:
        timer = next((t for t in self.library.timers if t.id == ctx.params["Id"]), None)
        if timer is None:
            raise not_found("Timer not found")
        return json_response(self.dto.timer(timer))

    @route("DELETE", "/LiveTv/Timers/{Id}")
    async def cancel_timer_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.cancel_timer(ctx)

    @route("POST", "/LiveTv/Timers/{Id}/Delete")
    async def cancel_timer(self, ctx: Ctx) -> web.StreamResponse:
        if not self.sim.cancel_timer(ctx.params["Id"], series=False):
            raise not_found("Timer not found")
        return no_content()

    @route("GET", "/LiveTv/SeriesTimers")
    async def series_timers(self, ctx: Ctx) -> web.StreamResponse:
        return query_result([self.dto.timer(t) for t in self.library.series_timers])

    @route("POST", "/LiveTv/SeriesTimers")
    async def create_series_timer(self, ctx: Ctx) -> web.StreamResponse:
        self.sim.create_timer(ctx.body if isinstance(ctx.body, dict) else {}, series=True)
        return no_content()

    @route("DELETE", "/LiveTv/SeriesTimers/{Id}")
    async def cancel_series_timer_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.cancel_series_timer(ctx)

    @route("POST", "/LiveTv/SeriesTimers/{Id}/Delete")
    async def cancel_series_timer(self, ctx: Ctx) -> web.StreamResponse:
        if not self.sim.cancel_timer(ctx.params["Id"], series=True):
            raise not_found("Timer not found")
        return no_content()

    # == Playback and images ====================================================================

    @route("GET|POST", "/Items/{Id}/PlaybackInfo")
    async def playback_info(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        if item.media_type is None or item.type == "TvChannel":
            raise bad_request("Item is not playable")
        body = ctx.body if isinstance(ctx.body, dict) else {}
        bitrate = _opt_int(ctx.arg("MaxStreamingBitrate")) or streaming.profile_bitrate(body)
        containers = streaming.direct_play_containers(body, item.media_type)
        play_session = hex_id(
            "play", self.sim.server_id, item.id, self.sim.clock.seconds, len(self.sim.request_log)
        )
        return json_response(
            {
                "MediaSources": [
                    self.dto.media_source(
                        item,
                        max_bitrate=bitrate,
                        play_session_id=play_session,
                        direct_play_containers=containers,
                    )
                ],
                "PlaySessionId": play_session,
            }
        )

    @route("GET|HEAD", "/Items/{Id}/Images/{Type}")
    async def item_image(self, ctx: Ctx) -> web.StreamResponse:
        return self._item_image(ctx, 0)

    @route("GET|HEAD", "/Items/{Id}/Images/{Type}/{Index}")
    async def item_image_index(self, ctx: Ctx) -> web.StreamResponse:
        index = _opt_int(ctx.params["Index"])
        if index is None:
            raise not_found("Image not found")
        return self._item_image(ctx, index)

    def _item_image(self, ctx: Ctx, index: int) -> web.Response:
        item = self.item(ctx.params["Id"])
        image_type = next(
            (t for t in item.images if t.lower() == ctx.params["Type"].lower()),
            None,
        )
        # Only images the item advertises exist (EMBY.md 3.4); one of each kind here.
        if image_type is None or index != 0:
            raise not_found("Image not found")
        return self._image(ctx, item.id, image_type)

    def _image(self, ctx: Ctx, key: str, image_type: str) -> web.Response:
        width = _opt_int(ctx.arg("Width")) or _opt_int(ctx.arg("MaxWidth"))
        height = _opt_int(ctx.arg("Height")) or _opt_int(ctx.arg("MaxHeight"))
        fmt = (ctx.arg("Format") or "").lower()
        body, content_type = image_bytes(key, image_type, width, height, fmt)
        response = web.Response(body=body, content_type=content_type)
        response.headers["Cache-Control"] = (
            "public, max-age=31536000" if ctx.arg("Tag") else "public"
        )
        response.headers["Last-Modified"] = "Sun, 01 Jun 2025 12:00:00 GMT"
        return response

    @route("GET|HEAD", "/Videos/{Id}/stream")
    async def video_stream(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, None)

    @route("GET|HEAD", "/Videos/{Id}/stream.{Container}")
    async def video_stream_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    @route("GET|HEAD", "/Audio/{Id}/stream")
    async def audio_stream(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, None)

    @route("GET|HEAD", "/Audio/{Id}/stream.{Container}")
    async def audio_stream_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    @route("GET|HEAD", "/Audio/{Id}/universal")
    async def audio_universal(self, ctx: Ctx) -> web.StreamResponse:
        return streaming.universal(self, ctx)

    @route("GET|HEAD", "/Audio/{Id}/universal.{Container}")
    async def audio_universal_container(self, ctx: Ctx) -> web.StreamResponse:
        return self._stream(ctx, ctx.params["Container"])

    def _stream(self, ctx: Ctx, container: str | None) -> web.Response:
        item = self.item(ctx.params["Id"])
        if item.media_type is None or item.type == "TvChannel":
            raise not_found("Item is not playable")
        container = (container or ctx.arg("Container") or item.container or "").split(",")[0]
        content_type = media_type_for(item.media_type, container)
        data = media_bytes(item.id, content_type)
        return range_response(ctx.request, data, content_type)


def _opt_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"not an integer: {value!r}") from None


def _arguments(body: dict[str, Any]) -> dict[str, str]:
    arguments = body.get("Arguments")
    if not isinstance(arguments, dict):
        return {}
    return {str(k): str(v) for k, v in arguments.items()}


# Routes of the streaming module register after these (imported last: it uses `route`).
from . import streaming  # noqa: E402
