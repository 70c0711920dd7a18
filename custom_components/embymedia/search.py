"""Search by name, shared by `search_media` (Assist), play by name and the `search` action.

One function, `async_search_items`: Emby's SearchTerm over the user's library, limited to the
item types of a Home Assistant media type, ranked so the best match comes first (an exact name,
then a name that starts with the query, then the rest; the asked-for types before others).
"""

from typing import TYPE_CHECKING, Final

from homeassistant.components.media_player.const import MediaType

if TYPE_CHECKING:
    from embymedia_core import EmbyClient, Item

# Home Assistant media types (and the words a user may say) as Emby item types.
SEARCH_TYPES: Final[dict[str, tuple[str, ...]]] = {
    MediaType.MOVIE: ("Movie",),
    MediaType.EPISODE: ("Episode",),
    MediaType.TVSHOW: ("Series",),
    MediaType.SEASON: ("Season",),
    MediaType.MUSIC: ("Audio",),
    MediaType.TRACK: ("Audio",),
    MediaType.ALBUM: ("MusicAlbum",),
    MediaType.ARTIST: ("MusicArtist",),
    MediaType.PLAYLIST: ("Playlist",),
    MediaType.CHANNEL: ("TvChannel",),
    MediaType.VIDEO: ("Movie", "Episode", "Video", "MusicVideo"),
}
# Everything play by name may pick when no type is given, most likely first.
ALL_TYPES: Final = (
    "Movie",
    "Series",
    "Episode",
    "MusicArtist",
    "MusicAlbum",
    "Audio",
    "Playlist",
    "TvChannel",
)
SEARCH_LIMIT: Final = 50


def search_types(media_type: str | None) -> tuple[str, ...]:
    """Emby item types of a Home Assistant media type (all of them for none or an unknown one)."""
    return SEARCH_TYPES.get(media_type or "", ALL_TYPES)


def match_rank(item: Item, query: str, types: tuple[str, ...]) -> tuple[int, int, int]:
    """Sort key of a search result: exact name, then prefix, then anything; then by type."""
    name = (item["name"] or "").casefold()
    wanted = query.casefold().strip()
    closeness = 0 if name == wanted else 1 if name.startswith(wanted) else 2
    item_type = item["type"] or ""
    order = types.index(item_type) if item_type in types else len(types)
    return closeness, order, len(name)


async def async_search_items(
    client: EmbyClient,
    user_id: str,
    query: str,
    media_type: str | None = None,
    *,
    limit: int = SEARCH_LIMIT,
    item_types: tuple[str, ...] = (),
) -> list[Item]:
    """The user's items whose name holds `query`, best match first (one Emby request, through
    the browse cache). `item_types` (Emby types, the `search` action's) win over `media_type`."""
    types = item_types or search_types(media_type)
    result = await client.get_items(
        user_id,
        include_item_types=list(types),
        recursive=True,
        search_term=query.strip(),
        limit=limit,
    )
    items = [i for i in result["items"] if (i["type"] or "") in types]
    return sorted(items, key=lambda item: match_rank(item, query, types))
