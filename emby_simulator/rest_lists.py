"""REST handlers of playlists, collections, and a user's played and favorite marks."""

from __future__ import annotations

from aiohttp import web

from .errors import bad_request, not_found
from .models import Item, User
from .query import as_int, split
from .routing import (
    Ctx,
    RestBase,
    body_object,
    json_response,
    no_content,
    query_result,
    route,
)


class ListRoutes(RestBase):
    """Playlists, collections and user data."""

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
        body = body_object(ctx)
        name = ctx.arg("Name") or body.get("Name")
        if not name:
            raise bad_request("Name is required")
        ids = split(ctx.arg("Ids")) or [str(i) for i in body.get("Ids", [])]
        playlist = self.state.playlists.create(str(name), ids, ctx.arg("MediaType"))
        return json_response(
            {"Id": playlist.id, "Name": playlist.name, "ItemAddedCount": len(playlist.entries)}
        )

    @route("POST", "/Playlists/{Id}/Items")
    async def add_to_playlist(self, ctx: Ctx) -> web.StreamResponse:
        playlist = self.item(ctx.params["Id"])
        if playlist.type != "Playlist":
            raise not_found("Playlist not found")
        added = self.state.playlists.add(playlist, split(ctx.arg("Ids")))
        return json_response({"Id": playlist.id, "ItemAddedCount": added})

    @route("DELETE", "/Playlists/{Id}/Items")
    async def remove_from_playlist_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_from_playlist(ctx)

    @route("POST", "/Playlists/{Id}/Items/Delete")
    async def remove_from_playlist(self, ctx: Ctx) -> web.StreamResponse:
        playlist = self.item(ctx.params["Id"])
        if playlist.type != "Playlist":
            raise not_found("Playlist not found")
        self.state.playlists.remove(playlist, split(ctx.arg("EntryIds")))
        return no_content()

    @route("POST", "/Collections")
    async def create_collection(self, ctx: Ctx) -> web.StreamResponse:
        name = ctx.arg("Name")
        if not name:
            raise bad_request("Name is required")
        box = self.state.collections.create(name, split(ctx.arg("Ids")))
        return json_response({"Id": box.id, "Name": box.name})

    @route("POST", "/Collections/{Id}/Items")
    async def add_to_collection(self, ctx: Ctx) -> web.StreamResponse:
        box = self.item(ctx.params["Id"])
        if box.type != "BoxSet":
            raise not_found("Collection not found")
        self.state.collections.change(box, add=split(ctx.arg("Ids")))
        return no_content()

    @route("DELETE", "/Collections/{Id}/Items")
    async def remove_from_collection_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_from_collection(ctx)

    @route("POST", "/Collections/{Id}/Items/Delete")
    async def remove_from_collection(self, ctx: Ctx) -> web.StreamResponse:
        box = self.item(ctx.params["Id"])
        if box.type != "BoxSet":
            raise not_found("Collection not found")
        self.state.collections.change(box, remove=split(ctx.arg("Ids")))
        return no_content()

    # == User data ==============================================================================

    def _user_item(self, ctx: Ctx) -> tuple[User, Item]:
        user = self.user(ctx.params["UserId"])
        assert user is not None
        return user, self.item(ctx.params["Id"])

    @route("POST", "/Users/{UserId}/PlayedItems/{Id}")
    async def mark_played(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(
            self.state.user_data.set_played(user, item, True, ctx.arg("DatePlayed"))
        )

    @route("DELETE", "/Users/{UserId}/PlayedItems/{Id}")
    async def mark_unplayed_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.mark_unplayed(ctx)

    @route("POST", "/Users/{UserId}/PlayedItems/{Id}/Delete")
    async def mark_unplayed(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.state.user_data.set_played(user, item, False))

    @route("POST", "/Users/{UserId}/FavoriteItems/{Id}")
    async def add_favorite(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.state.user_data.set_favorite(user, item, True))

    @route("DELETE", "/Users/{UserId}/FavoriteItems/{Id}")
    async def remove_favorite_delete(self, ctx: Ctx) -> web.StreamResponse:
        return await self.remove_favorite(ctx)

    @route("POST", "/Users/{UserId}/FavoriteItems/{Id}/Delete")
    async def remove_favorite(self, ctx: Ctx) -> web.StreamResponse:
        user, item = self._user_item(ctx)
        return json_response(self.state.user_data.set_favorite(user, item, False))
