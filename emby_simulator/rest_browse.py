"""REST handlers of browsing: views, item queries, latest/resume/next up, shows, counts,
libraries, and the name lists (genres, studios, persons, artists, years)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from .errors import not_found
from .fields import ALL_FIELDS
from .models import Item
from .query import ItemQuery, as_bool, as_int, split
from .routing import (
    Ctx,
    RestBase,
    json_response,
    no_content,
    query_result,
    route,
)


class BrowseRoutes(RestBase):
    """Browsing and name lists."""

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
        return self.paged(ctx, user, found)

    @route("GET", "/Users/{UserId}/Items/Root")
    async def root(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        return json_response(
            {
                "Name": "Media Folders",
                "ServerId": self.library.server_id,
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
        return self.paged(ctx, user, self.queries.suggestions(user, types))

    @route("GET", "/Shows/NextUp")
    async def next_up(self, ctx: Ctx) -> web.StreamResponse:
        user = self.user(ctx.arg("UserId"))
        assert user is not None
        return self.paged(ctx, user, self.queries.next_up(user, ctx.arg("SeriesId")))

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
        return self.paged(ctx, user, episodes)

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
        return json_response(self.state.item_counts(user, favorite))

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
        self.state.tasks.run("RefreshLibrary")
        return no_content()

    @route("POST", "/Items/{Id}/Refresh")
    async def item_refresh(self, ctx: Ctx) -> web.StreamResponse:
        item = self.item(ctx.params["Id"])
        self.state.changes.refresh_item(item)
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
        return self.paged(ctx, user, artists)

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
