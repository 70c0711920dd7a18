"""The browse tree, shared by the media players (`browse_media`) and the media source.

A node of the tree is a short path: `kind/arg/arg@start` (arguments percent-encoded, `@start`
the first item of a page). The media player uses it as its media content id; the media source
puts it behind `media-source://embymedia/<server id>/<user id>/`. Every listing is one core call
through the browse cache (5 min; LibraryChanged and the refresh button drop it), and a folder
larger than a page is paged: a 50,000-item library is never fetched whole.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import unquote

from embymedia_core import EmbyError
from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError

from .const import DOMAIN
from .images import image_url, url_safe
from .search import async_search_items

if TYPE_CHECKING:
    from embymedia_core import EmbyClient, Item, ItemsResult

PAGE_SIZE: Final = 100
# How many discovery items (continue watching, next up, recently added) a row shows.
ROW_LIMIT: Final = 50
LETTERS: Final = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Emby item type -> (media class, media type, can play, can expand).
ITEM_CLASSES: Final[dict[str, tuple[MediaClass, str, bool, bool]]] = {
    "Movie": (MediaClass.MOVIE, MediaType.MOVIE, True, False),
    "Episode": (MediaClass.EPISODE, MediaType.EPISODE, True, False),
    "Series": (MediaClass.TV_SHOW, MediaType.TVSHOW, True, True),
    "Season": (MediaClass.SEASON, MediaType.SEASON, True, True),
    "Audio": (MediaClass.TRACK, MediaType.TRACK, True, False),
    "MusicAlbum": (MediaClass.ALBUM, MediaType.ALBUM, True, True),
    "MusicArtist": (MediaClass.ARTIST, MediaType.ARTIST, True, True),
    "Playlist": (MediaClass.PLAYLIST, MediaType.PLAYLIST, True, True),
    "BoxSet": (MediaClass.DIRECTORY, MediaType.VIDEO, True, True),
    "TvChannel": (MediaClass.CHANNEL, MediaType.CHANNEL, True, False),
    "Video": (MediaClass.VIDEO, MediaType.VIDEO, True, False),
    "MusicVideo": (MediaClass.VIDEO, MediaType.VIDEO, True, False),
    "Trailer": (MediaClass.VIDEO, MediaType.VIDEO, True, False),
    "Recording": (MediaClass.VIDEO, MediaType.VIDEO, True, False),
    "AudioBook": (MediaClass.PODCAST, MediaType.PODCAST, True, False),
}
FOLDER_CLASS: Final = (MediaClass.DIRECTORY, "directory", False, True)
# Items that play as one stream; everything else expands (and plays as its items in order).
PLAYABLE_TYPES: Final = frozenset(t for t, (_, _, _, expand) in ITEM_CLASSES.items() if not expand)
AUDIO_TYPES: Final = frozenset({"Audio", "AudioBook"})


# The first item of a page at most: Emby's StartIndex is a 32-bit int (a larger one in a
# hand-made id would fail in the core's conversion, not as a browse error).
MAX_START: Final = 2**31 - 1

# Headers of a library's menu and of its "all" listing (the id carries the kind, not the name).
VIEW_TITLES: Final = {"movies": "Movies", "tvshows": "TV shows", "music": "Music"}
ALL_TITLES: Final = {"Movie": "All movies", "Series": "All series"}


@dataclass(frozen=True, slots=True)
class Node:
    """A place in the tree."""

    kind: str
    args: tuple[str, ...] = ()
    start: int = 0

    @classmethod
    def parse(cls, node_id: str | None) -> Self:
        """The node of an id (`None` or empty: the root). BrowseError for a malformed one."""
        if not node_id:
            return cls("root")
        body, _, start = node_id.partition("@")
        kind, *args = body.split("/")
        try:
            first = int(start) if start else 0
        except ValueError:
            raise BrowseError(f"Unknown media id {node_id}") from None
        if kind not in ARITY or len(args) != ARITY[kind] or not 0 <= first <= MAX_START:
            raise BrowseError(f"Unknown media id {node_id}")
        return cls(kind, tuple(unquote(a) for a in args), first)

    @property
    def id(self) -> str:
        """The node's id (the inverse of `parse`)."""
        if self.kind == "root":
            return ""
        body = "/".join((self.kind, *(url_safe(a) for a in self.args)))
        return f"{body}@{self.start}" if self.start else body

    def page(self, start: int) -> Self:
        """The same folder from another item on."""
        return type(self)(self.kind, self.args, start)


def item_node(item: Item) -> Node:
    """The node of an Emby item."""
    return Node("item", (item["type"] or "Folder", item["id"]))


# Arguments of each node kind.
ARITY: Final = {
    "root": 0,
    "resume": 0,
    "nextup": 0,
    "latest": 0,
    "view": 2,  # view id, collection type
    "az": 2,  # view id, item types
    "letter": 3,  # view id, item types, letter
    "all": 2,  # view id, item types
    "years": 2,
    "year": 3,
    "decades": 2,
    "decade": 3,
    "genres": 2,
    "genre": 3,
    "studios": 2,
    "studio": 3,
    "collections": 0,
    "playlists": 0,
    "channels": 0,
    "item": 2,  # item type, item id
}


def item_image(item: Item) -> tuple[str, str, str] | None:
    """(item id, image type, tag) of the picture of an item, or None when it has none."""
    tags = item["image_tags"]
    if tag := tags.get("Primary"):
        return item["id"], "Primary", tag
    if item["type"] == "Episode" and item["series_id"] and item["series_primary_image_tag"]:
        return item["series_id"], "Primary", item["series_primary_image_tag"]
    if item["album_id"] and item["album_primary_image_tag"]:
        return item["album_id"], "Primary", item["album_primary_image_tag"]
    if tag := tags.get("Thumb"):
        return item["id"], "Thumb", tag
    if item["parent_thumb_item_id"] and item["parent_thumb_image_tag"]:
        return item["parent_thumb_item_id"], "Thumb", item["parent_thumb_image_tag"]
    if item["backdrop_image_tags"]:
        return item["id"], "Backdrop", item["backdrop_image_tags"][0]
    return None


def item_title(item: Item) -> str:
    """How an item is named in a listing (episodes with their series and number)."""
    name = item["name"] or item["id"]
    if item["type"] == "Episode":
        number = item["index_number"]
        season = item["parent_index_number"]
        prefix = f"S{season or 0:02d}E{number:02d} " if number is not None else ""
        series = f"{item['series_name']} - " if item["series_name"] else ""
        return f"{series}{prefix}{name}"
    return name


def stream_media_type(item_type: str) -> str:
    """Emby's stream kind (`Audio` or `Video`) of a playable item type."""
    return "Audio" if item_type in AUDIO_TYPES else "Video"


type MakeBrowse = Callable[..., BrowseMedia]


def make_browse_media(node_id: str, **fields: Any) -> BrowseMedia:
    """A media player's BrowseMedia: the node id is its content id."""
    return BrowseMedia(media_content_id=node_id, **fields)


class BrowseTree:
    """The tree as one Emby user sees it.

    `make(node_id, **fields)` builds one BrowseMedia for a node (a plain BrowseMedia for the
    media player, a BrowseMediaSource for the media source); `mime_types` makes playable items
    carry a MIME type as their content type, as media source players filter on it.
    """

    def __init__(
        self,
        client: EmbyClient,
        entry_id: str,
        user_id: str,
        make: MakeBrowse,
        *,
        mime_types: bool = False,
    ) -> None:
        """Bind the tree to a client, the entry (image URLs) and a user."""
        self.client = client
        self.entry_id = entry_id
        self.user_id = user_id
        self.make = make
        self.mime_types = mime_types

    async def async_search(self, query: SearchMediaQuery) -> SearchMedia:
        """The ranked search (search.py) as typed results, for Assist and the media source."""
        try:
            items = await async_search_items(
                self.client, self.user_id, query.search_query, query.media_content_type
            )
        except EmbyError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="browse_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        results = [self.item(item) for item in items]
        if query.media_filter_classes:
            results = [r for r in results if r.media_class in query.media_filter_classes]
        return SearchMedia(result=results)

    # -- building BrowseMedia ------------------------------------------------------------

    def folder(
        self,
        node: Node,
        title: str,
        *,
        children: list[BrowseMedia] | None = None,
        media_class: MediaClass = MediaClass.DIRECTORY,
        thumbnail: str | None = None,
        not_shown: int = 0,
    ) -> BrowseMedia:
        """A folder that only expands."""
        return self.make(
            node.id,
            media_class=media_class,
            media_content_type="directory",
            title=title,
            can_play=False,
            can_expand=True,
            children=children,
            thumbnail=thumbnail,
            not_shown=not_shown,
        )

    def item(self, item: Item, *, children: list[BrowseMedia] | None = None) -> BrowseMedia:
        """One Emby item, typed."""
        item_type = item["type"] or "Folder"
        media_class, content_type, can_play, can_expand = ITEM_CLASSES.get(item_type, FOLDER_CLASS)
        if self.mime_types and item_type in PLAYABLE_TYPES:
            content_type = "audio/mpeg" if item_type in AUDIO_TYPES else "video/mp4"
        image = item_image(item)
        return self.make(
            item_node(item).id,
            media_class=media_class,
            media_content_type=content_type,
            title=item_title(item),
            can_play=can_play,
            can_expand=can_expand,
            children=children,
            thumbnail=image_url(self.entry_id, *image) if image else None,
        )

    def page(
        self,
        node: Node,
        title: str,
        result: ItemsResult,
        *,
        children: list[BrowseMedia] | None = None,
    ) -> BrowseMedia:
        """A folder holding one page of items (or of `children` built from them), with a
        "next page" entry when more remain."""
        if children is None:
            children = [self.item(i) for i in result["items"]]
        total = result["total_record_count"]
        end = node.start + len(result["items"])
        if end < total:
            children.append(
                self.folder(
                    node.page(end),
                    f"Next page ({end + 1}-{min(end + PAGE_SIZE, total)} of {total})",
                )
            )
        return self.folder(node, title, children=children, not_shown=max(total - end, 0))

    # -- the tree ------------------------------------------------------------------------

    async def browse(self, node_id: str | None) -> BrowseMedia:
        """The node with its children (BrowseError for an unknown id)."""
        node = Node.parse(node_id)
        handler = self._handlers().get(node.kind)
        if handler is None:  # pragma: no cover - every kind of ARITY has a handler
            raise BrowseError(f"Unknown media id {node_id}")
        return await handler(node)

    def _handlers(self) -> dict[str, Callable[[Node], Awaitable[BrowseMedia]]]:
        return {
            "root": self._root,
            "resume": self._resume,
            "nextup": self._next_up,
            "latest": self._latest,
            "view": self._view,
            "az": self._letters,
            "letter": self._letter,
            "all": self._all,
            "years": self._years,
            "year": self._year,
            "decades": self._decades,
            "decade": self._decade,
            "genres": self._genres,
            "genre": self._genre,
            "studios": self._studios,
            "studio": self._studio,
            "collections": self._collections,
            "playlists": self._playlists,
            "channels": self._channels,
            "item": self._item,
        }

    async def _root(self, node: Node) -> BrowseMedia:
        views = await self.client.get_views(self.user_id)
        children = [
            self.folder(Node("resume"), "Continue watching"),
            self.folder(Node("nextup"), "Next up"),
            self.folder(Node("latest"), "Recently added"),
        ]
        for view in views:
            image = item_image(view)
            children.append(
                self.folder(
                    Node("view", (view["id"], view["collection_type"] or "")),
                    view["name"] or view["id"],
                    thumbnail=image_url(self.entry_id, *image) if image else None,
                )
            )
        return self.folder(node, "Emby", children=children)

    async def _resume(self, node: Node) -> BrowseMedia:
        result = await self.client.get_resume(self.user_id, limit=ROW_LIMIT)
        return self.folder(
            node, "Continue watching", children=[self.item(i) for i in result["items"]]
        )

    async def _next_up(self, node: Node) -> BrowseMedia:
        result = await self.client.get_next_up(self.user_id, limit=ROW_LIMIT)
        return self.folder(node, "Next up", children=[self.item(i) for i in result["items"]])

    async def _latest(self, node: Node) -> BrowseMedia:
        items = await self.client.get_latest(self.user_id, limit=ROW_LIMIT)
        return self.folder(node, "Recently added", children=[self.item(i) for i in items])

    async def _view(self, node: Node) -> BrowseMedia:
        view_id, kind = node.args
        menus: dict[str, list[tuple[Node, str]]] = {
            "movies": [
                (Node("az", (view_id, "Movie")), "A-Z"),
                (Node("years", (view_id, "Movie")), "Year"),
                (Node("decades", (view_id, "Movie")), "Decade"),
                (Node("genres", (view_id, "Movie")), "Genre"),
                (Node("studios", (view_id, "Movie")), "Studio"),
                (Node("collections"), "Collections"),
                (Node("all", (view_id, "Movie")), "All movies"),
            ],
            "tvshows": [
                (Node("az", (view_id, "Series")), "A-Z"),
                (Node("genres", (view_id, "Series")), "Genre"),
                (Node("all", (view_id, "Series")), "All series"),
            ],
            "music": [
                (Node("az", (view_id, "MusicArtist")), "Artists"),
                (Node("az", (view_id, "MusicAlbum")), "Albums"),
                (Node("genres", (view_id, "MusicAlbum")), "Genre"),
                (Node("playlists"), "Playlists"),
            ],
        }
        if kind in menus:
            return self.folder(
                node,
                VIEW_TITLES[kind],
                children=[self.folder(n, title) for n, title in menus[kind]],
            )
        if kind == "livetv":
            return await self._channels(node)
        if kind == "playlists":
            return await self._playlists(node)
        if kind == "boxsets":
            return await self._collections(node)
        return await self._item(Node("item", ("CollectionFolder", view_id), node.start))

    async def _letters(self, node: Node) -> BrowseMedia:
        view_id, types = node.args
        return self.folder(
            node,
            "A-Z",
            children=[
                self.folder(Node("letter", (view_id, types, letter)), letter) for letter in LETTERS
            ],
        )

    async def _listing(
        self, node: Node, view_id: str, types: str, title: str, **filters: object
    ) -> BrowseMedia:
        result = await self.client.get_items(
            self.user_id,
            parent_id=view_id,
            include_item_types=types.split(","),
            recursive=True,
            sort_by=["SortName"],
            start_index=node.start,
            limit=PAGE_SIZE,
            **filters,  # type: ignore[arg-type]
        )
        return self.page(node, title, result)

    async def _letter(self, node: Node) -> BrowseMedia:
        view_id, types, letter = node.args
        if letter == "#":
            return await self._listing(node, view_id, types, letter, name_less_than="A")
        return await self._listing(node, view_id, types, letter, name_starts_with=letter)

    async def _all(self, node: Node) -> BrowseMedia:
        view_id, types = node.args
        return await self._listing(node, view_id, types, ALL_TITLES.get(types, "All"))

    async def _year_list(self, view_id: str, types: str) -> list[int]:
        result = await self.client.get_years(
            self.user_id, parent_id=view_id, include_item_types=types.split(",")
        )
        years = {int(y["name"]) for y in result["items"] if y["name"].isdigit()}
        return sorted(years, reverse=True)

    async def _years(self, node: Node) -> BrowseMedia:
        view_id, types = node.args
        years = await self._year_list(view_id, types)
        return self.folder(
            node,
            "Year",
            children=[self.folder(Node("year", (view_id, types, str(y))), str(y)) for y in years],
        )

    async def _year(self, node: Node) -> BrowseMedia:
        view_id, types, year = node.args
        if not year.isdigit():
            raise BrowseError(f"Unknown media id {node.id}")
        return await self._listing(node, view_id, types, year, years=[int(year)])

    async def _decades(self, node: Node) -> BrowseMedia:
        view_id, types = node.args
        decades = sorted(
            {y // 10 * 10 for y in await self._year_list(view_id, types)}, reverse=True
        )
        return self.folder(
            node,
            "Decade",
            children=[
                self.folder(Node("decade", (view_id, types, str(d))), f"{d}s") for d in decades
            ],
        )

    async def _decade(self, node: Node) -> BrowseMedia:
        view_id, types, decade = node.args
        if not decade.isdigit():
            raise BrowseError(f"Unknown media id {node.id}")
        start = int(decade)
        return await self._listing(
            node, view_id, types, f"{start}s", years=list(range(start, start + 10))
        )

    async def _names(
        self, node: Node, kind: str, title: str, fetch: Callable[..., Awaitable[ItemsResult]]
    ) -> BrowseMedia:
        view_id, types = node.args
        result = await fetch(
            self.user_id,
            parent_id=view_id,
            include_item_types=types.split(","),
            start_index=node.start,
            limit=PAGE_SIZE,
        )
        children = []
        for entry in result["items"]:
            image = item_image(entry)
            children.append(
                self.folder(
                    Node(kind, (view_id, types, entry["name"] or "")),
                    entry["name"] or "",
                    media_class=MediaClass.GENRE if kind == "genre" else MediaClass.DIRECTORY,
                    thumbnail=image_url(self.entry_id, *image) if image else None,
                )
            )
        return self.page(node, title, result, children=children)

    async def _genres(self, node: Node) -> BrowseMedia:
        music = node.args[1] in ("MusicAlbum", "Audio", "MusicArtist")
        fetch = self.client.get_music_genres if music else self.client.get_genres
        return await self._names(node, "genre", "Genre", fetch)

    async def _genre(self, node: Node) -> BrowseMedia:
        view_id, types, name = node.args
        return await self._listing(node, view_id, types, name, genres=[name])

    async def _studios(self, node: Node) -> BrowseMedia:
        return await self._names(node, "studio", "Studio", self.client.get_studios)

    async def _studio(self, node: Node) -> BrowseMedia:
        view_id, types, name = node.args
        return await self._listing(node, view_id, types, name, studios=[name])

    async def _collections(self, node: Node) -> BrowseMedia:
        result = await self.client.get_collections(
            self.user_id, start_index=node.start, limit=PAGE_SIZE
        )
        return self.page(Node("collections", (), node.start), "Collections", result)

    async def _playlists(self, node: Node) -> BrowseMedia:
        result = await self.client.get_playlists(
            self.user_id, start_index=node.start, limit=PAGE_SIZE
        )
        return self.page(Node("playlists", (), node.start), "Playlists", result)

    async def _channels(self, node: Node) -> BrowseMedia:
        result = await self.client.get_channels(
            self.user_id, start_index=node.start, limit=PAGE_SIZE
        )
        return self.page(Node("channels", (), node.start), "Live TV", result)

    async def _item(self, node: Node) -> BrowseMedia:
        item_type, item_id = node.args
        if item_type in PLAYABLE_TYPES:
            return self.item(await self.client.get_item(self.user_id, item_id))
        result = await self.children(item_type, item_id, start=node.start, limit=PAGE_SIZE)
        parent = await self.client.get_item(self.user_id, item_id)
        listing = self.page(node, item_title(parent), result)
        media_class, content_type, can_play, _ = ITEM_CLASSES.get(item_type, FOLDER_CLASS)
        listing.media_class = media_class
        listing.media_content_type = content_type
        listing.can_play = can_play
        if image := item_image(parent):
            listing.thumbnail = image_url(self.entry_id, *image)
        return listing

    async def children(
        self, item_type: str, item_id: str, *, start: int = 0, limit: int = PAGE_SIZE
    ) -> ItemsResult:
        """The items of a folder-like item, in the order they play."""
        if item_type == "Series":
            seasons = await self.client.get_seasons(self.user_id, item_id)
            return _slice(seasons, start, limit)
        if item_type == "MusicArtist":
            return await self.client.get_items(
                self.user_id,
                include_item_types=["MusicAlbum"],
                recursive=True,
                artist_ids=[item_id],
                sort_by=["ProductionYear", "SortName"],
                start_index=start,
                limit=limit,
            )
        ordered = item_type in ("Season", "MusicAlbum", "Playlist", "BoxSet")
        return await self.client.get_items(
            self.user_id,
            parent_id=item_id,
            sort_by=None if ordered else ["SortName"],
            start_index=start,
            limit=limit,
        )


def _slice(result: ItemsResult, start: int, limit: int) -> ItemsResult:
    """A page of a listing Emby sends whole (a series' seasons)."""
    items = result["items"]
    return {"items": items[start : start + limit], "total_record_count": len(items)}


async def async_playable_items(tree: BrowseTree, node: Node, *, limit: int) -> Sequence[str]:
    """The item ids a node plays, in order: itself, or a folder's items (an album's tracks, a
    season's or a series' episodes, a playlist's entries), at most `limit`."""
    if node.kind != "item":
        raise BrowseError(f"Not playable: {node.id}")
    item_type, item_id = node.args
    if item_type in PLAYABLE_TYPES:
        return [item_id]
    client, user = tree.client, tree.user_id
    if item_type == "Series":
        result = await client.get_episodes(user, item_id)
    elif item_type == "MusicArtist":
        result = await client.get_items(
            user,
            include_item_types=["Audio"],
            recursive=True,
            artist_ids=[item_id],
            sort_by=["Album", "SortName"],
            limit=limit,
        )
    else:
        result = await client.get_items(
            user,
            parent_id=item_id,
            recursive=item_type not in ("Playlist",),
            include_item_types=sorted(PLAYABLE_TYPES),
            sort_by=None
            if item_type in ("Season", "MusicAlbum", "Playlist", "BoxSet")
            else ["SortName"],
            limit=limit,
        )
    return [i["id"] for i in result["items"] if (i["type"] or "") in PLAYABLE_TYPES][:limit]
