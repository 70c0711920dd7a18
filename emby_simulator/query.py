"""Item queries: what `/Users/{id}/Items` and its relatives select, filter, sort and page.

Query parameters are matched case-insensitively (Emby's routing binds them that way). List
delimiters follow the specification: `Genres`, `Studios`, `Tags`, `OfficialRatings`, `Artists`,
`Albums` use `|`; `Years`, `Ids`, `IncludeItemTypes`, `Fields`, `SortBy` and the id lists use `,`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .library import Library
from .models import NON_LIBRARY_TYPES, Item, User

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


class QueryError(ValueError):
    """A query parameter Emby would reject (400)."""


def split(value: str | None, sep: str = ",") -> list[str]:
    """A delimited list without empty entries."""
    if not value:
        return []
    return [part.strip() for part in value.split(sep) if part.strip()]


def as_bool(value: str | None) -> bool | None:
    """`true`/`false` (any case); None when absent."""
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise QueryError(f"not a boolean: {value!r}")


def as_int(value: str | None, name: str, default: int | None = None) -> int | None:
    """A non-negative integer parameter."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise QueryError(f"{name} must be an integer, got {value!r}") from None
    if number < 0:
        raise QueryError(f"{name} must not be negative")
    return number


@dataclass(slots=True)
class ItemQuery:
    """The parsed parameters of an items query."""

    parent_id: str | None = None
    recursive: bool = False
    include_types: set[str] = field(default_factory=set)
    exclude_types: set[str] = field(default_factory=set)
    media_types: set[str] = field(default_factory=set)
    filters: set[str] = field(default_factory=set)
    is_played: bool | None = None
    is_favorite: bool | None = None
    is_folder: bool | None = None
    genres: set[str] = field(default_factory=set)
    studios: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    search_term: str | None = None
    name_starts_with: str | None = None
    name_starts_with_or_greater: str | None = None
    name_less_than: str | None = None
    ids: list[str] | None = None
    person_ids: set[str] = field(default_factory=set)
    artist_ids: set[str] = field(default_factory=set)
    album_ids: set[str] = field(default_factory=set)
    genre_ids: set[str] = field(default_factory=set)
    studio_ids: set[str] = field(default_factory=set)
    parent_index_number: int | None = None
    sort_by: list[str] = field(default_factory=list)
    sort_order: list[str] = field(default_factory=list)
    start_index: int = 0
    limit: int | None = None
    fields: set[str] = field(default_factory=set)
    enable_user_data: bool = True

    @classmethod
    def parse(cls, q: Mapping[str, str]) -> ItemQuery:
        """From lower-cased query parameters."""
        filters = {f.lower() for f in split(q.get("filters"))}
        years = set()
        for year in split(q.get("years")):
            try:
                years.add(int(year))
            except ValueError:
                raise QueryError(f"Years: not a year: {year!r}") from None
        ids_text = q.get("ids")
        return cls(
            parent_id=q.get("parentid") or None,
            recursive=bool(as_bool(q.get("recursive"))),
            include_types={t.lower() for t in split(q.get("includeitemtypes"))},
            exclude_types={t.lower() for t in split(q.get("excludeitemtypes"))},
            media_types={t.lower() for t in split(q.get("mediatypes"))},
            filters=filters,
            is_played=as_bool(q.get("isplayed")),
            is_favorite=as_bool(q.get("isfavorite")),
            is_folder=as_bool(q.get("isfolder")),
            genres={g.lower() for g in split(q.get("genres"), "|")},
            studios={s.lower() for s in split(q.get("studios"), "|")},
            years=years,
            search_term=(q.get("searchterm") or "").strip().lower() or None,
            name_starts_with=(q.get("namestartswith") or "").lower() or None,
            name_starts_with_or_greater=(q.get("namestartswithorgreater") or "").lower() or None,
            name_less_than=(q.get("namelessthan") or "").lower() or None,
            ids=split(ids_text) if ids_text is not None else None,
            person_ids=set(split(q.get("personids"))),
            artist_ids=set(split(q.get("artistids"))) | set(split(q.get("albumartistids"))),
            album_ids=set(split(q.get("albumids"))),
            genre_ids=set(split(q.get("genreids"))),
            studio_ids=set(split(q.get("studioids"))),
            parent_index_number=as_int(q.get("parentindexnumber"), "ParentIndexNumber"),
            sort_by=[s.lower() for s in split(q.get("sortby"))],
            sort_order=[s.lower() for s in split(q.get("sortorder"))],
            start_index=as_int(q.get("startindex"), "StartIndex", 0) or 0,
            limit=as_int(q.get("limit"), "Limit"),
            fields=set(split(q.get("fields"))),
            enable_user_data=as_bool(q.get("enableuserdata")) is not False,
        )


class QueryEngine:
    """Runs item queries against a library for one user."""

    def __init__(self, library: Library, seed: int) -> None:
        """Bind to a library; `seed` drives SortBy=Random."""
        self.library = library
        self._random = random.Random(f"random-sort-{seed}")

    # -- candidates ---------------------------------------------------------------------------

    def _all_items(self, types: set[str]) -> Iterable[Item]:
        lib = self.library
        if types:
            for type_name, ids in lib.by_type.items():
                if type_name.lower() in types:
                    yield from (lib.items[i] for i in ids)
            return
        for type_name, ids in lib.by_type.items():
            if type_name not in NON_LIBRARY_TYPES:
                yield from (lib.items[i] for i in ids)

    def candidates(self, user: User | None, query: ItemQuery) -> tuple[list[Item], bool]:
        """The items to filter, and whether their order is meaningful (kept without SortBy)."""
        lib = self.library
        if query.ids is not None:
            return [lib.items[i] for i in query.ids if i in lib.items], True
        if query.parent_id is not None:
            parent = lib.items.get(query.parent_id)
            if parent is None:
                raise LookupError(query.parent_id)
            if query.recursive and parent.type in (
                "CollectionFolder",
                "UserView",
                "PlaylistsFolder",
            ):
                # A view: every item of that library (views list only their own items).
                found = [
                    item
                    for item in self._all_items(query.include_types)
                    if item.library_id == parent.id and item.id != parent.id
                ]
                return found, False
            if query.recursive:
                return lib.descendants(parent), parent.type in ("Playlist", "BoxSet")
            ordered = parent.type in ("Playlist", "Season", "MusicAlbum", "Series")
            return lib.children_of(parent), ordered
        if query.recursive:
            return list(self._all_items(query.include_types)), False
        return [v for v in lib.views if lib.visible(user, v)], True

    # -- filters ------------------------------------------------------------------------------

    def matches(self, user: User | None, item: Item, query: ItemQuery) -> bool:
        """Whether an item passes every filter of the query."""
        lib = self.library
        if query.include_types and item.type.lower() not in query.include_types:
            return False
        if query.exclude_types and item.type.lower() in query.exclude_types:
            return False
        if query.media_types and (item.media_type or "").lower() not in query.media_types:
            return False
        if not lib.visible(user, item):
            return False
        if query.is_folder is not None and item.is_folder != query.is_folder:
            return False
        if query.years and item.year not in query.years:
            return False
        if query.genres and not any(g.lower() in query.genres for g in item.genres):
            return False
        if query.genre_ids:
            table = {**lib.genre_ids, **lib.music_genre_ids}
            if not any(table.get(g) in query.genre_ids for g in item.genres):
                return False
        if query.studios and not any(s.lower() in query.studios for s in item.studios):
            return False
        if query.studio_ids and not any(
            lib.studio_ids.get(s) in query.studio_ids for s in item.studios
        ):
            return False
        if query.search_term and query.search_term not in item.name.lower():
            return False
        sort = item.sort_key
        if query.name_starts_with and not sort.startswith(query.name_starts_with):
            return False
        if query.name_starts_with_or_greater and sort < query.name_starts_with_or_greater:
            return False
        if query.name_less_than and sort >= query.name_less_than:
            return False
        if query.person_ids and not any(p[0] in query.person_ids for p in item.people):
            return False
        if query.artist_ids and not (set(item.artist_ids) & query.artist_ids):
            return False
        if query.album_ids and item.album_id not in query.album_ids:
            return False
        if query.parent_index_number is not None and item.parent_index != query.parent_index_number:
            return False
        needs_user = (
            query.is_played is not None
            or query.is_favorite is not None
            or query.filters
            & {"isplayed", "isunplayed", "isfavorite", "isresumable", "isfavoriteorlikes", "likes"}
        )
        if not needs_user:
            return self._folder_filters(item, query)
        if user is None:
            return False
        data = lib.user_data_of(user.id, item.id)
        played = lib.is_played(user.id, item) if needs_user else False
        favorite = data.is_favorite
        if query.is_played is not None and played != query.is_played:
            return False
        if query.is_favorite is not None and favorite != query.is_favorite:
            return False
        f = query.filters
        if "isplayed" in f and not played:
            return False
        if "isunplayed" in f and played:
            return False
        if ("isfavorite" in f or "isfavoriteorlikes" in f) and not favorite:
            return False
        if "likes" in f:
            return False  # nobody rated anything here
        if "isresumable" in f and not (data.position_ticks > 0 and not data.played):
            return False
        return self._folder_filters(item, query)

    @staticmethod
    def _folder_filters(item: Item, query: ItemQuery) -> bool:
        if "isfolder" in query.filters and not item.is_folder:
            return False
        return not ("isnotfolder" in query.filters and item.is_folder)

    # -- sorting ------------------------------------------------------------------------------

    def _key(self, name: str, user: User | None) -> Callable[[Item], Any] | None:
        lib = self.library

        def data_of(item: Item) -> Any:
            return lib.user_data_of(user.id, item.id) if user is not None else None

        def artist(item: Item) -> str:
            first = lib.items.get(item.artist_ids[0]) if item.artist_ids else None
            return first.sort_key if first is not None else ""

        def album(item: Item) -> str:
            found = lib.items.get(item.album_id or "")
            return found.sort_key if found is not None else ""

        keys: dict[str, Callable[[Item], Any]] = {
            "sortname": lambda i: i.sort_key,
            "name": lambda i: i.name.lower(),
            "productionyear": lambda i: i.year or 0,
            "premieredate": lambda i: i.premiere or EARLIEST,
            "datecreated": lambda i: i.created,
            "datelastcontentadded": lambda i: i.created,
            "communityrating": lambda i: i.community_rating or 0.0,
            "criticrating": lambda i: i.critic_rating or 0.0,
            "officialrating": lambda i: i.official_rating or "",
            "runtime": lambda i: i.runtime_ticks or 0,
            "indexnumber": lambda i: i.index or 0,
            "parentindexnumber": lambda i: i.parent_index or 0,
            "isfolder": lambda i: i.is_folder,
            "playcount": lambda i: d.play_count if (d := data_of(i)) else 0,
            "dateplayed": lambda i: (d.last_played if (d := data_of(i)) else None) or EARLIEST,
            "isplayed": lambda i: lib.is_played(user.id, i) if user else False,
            "isunplayed": lambda i: not lib.is_played(user.id, i) if user else True,
            "album": album,
            "albumartist": artist,
            "artist": artist,
            "seriessortname": lambda i: (
                lib.items[i.series_id].sort_key if i.series_id in lib.items else i.sort_key
            ),
        }
        return keys.get(name)

    def sort(
        self, items: list[Item], user: User | None, query: ItemQuery, ordered: bool
    ) -> list[Item]:
        """Apply SortBy/SortOrder (default: SortName, unless the candidates have an order)."""
        sort_by = query.sort_by or ([] if ordered else ["sortname"])
        if not sort_by:
            if query.sort_order and query.sort_order[0] == "descending":
                return list(reversed(items))
            return items
        result = list(items)
        for n in range(len(sort_by) - 1, -1, -1):
            name = sort_by[n]
            order = (
                query.sort_order[min(n, len(query.sort_order) - 1)]
                if query.sort_order
                else "ascending"
            )
            if name == "random":
                self._random.shuffle(result)
                continue
            key = self._key(name, user)
            if key is None:
                continue  # Emby ignores sort names it does not know
            result.sort(key=key, reverse=order == "descending")
        return result

    # -- entry points -------------------------------------------------------------------------

    def run(self, user: User | None, query: ItemQuery) -> tuple[list[Item], int]:
        """The page of items and the total before paging."""
        items, ordered = self.candidates(user, query)
        filtered = [item for item in items if self.matches(user, item, query)]
        ordered_items = self.sort(filtered, user, query, ordered)
        total = len(ordered_items)
        end = None if query.limit is None else query.start_index + query.limit
        return ordered_items[query.start_index : end], total

    def latest(
        self,
        user: User,
        *,
        parent_id: str | None,
        types: set[str],
        limit: int,
        is_played: bool | None,
        group: bool,
    ) -> list[tuple[Item, int | None]]:
        """Recently added items (newest first); episodes grouped into their series."""
        lib = self.library
        if parent_id is not None:
            if parent_id not in lib.items:
                raise LookupError(parent_id)
            pool = [i for i in self._all_items(types) if i.library_id == parent_id]
        else:
            pool = list(self._all_items(types))
        # Playable items and albums; series show up through their grouped episodes.
        candidates = [
            i for i in pool if (not i.is_folder or i.type == "MusicAlbum") and lib.visible(user, i)
        ]
        if not types:
            # Tracks show as their albums (as Emby does), so leave single tracks out.
            candidates = [i for i in candidates if i.type != "Audio"]
        if is_played is not None:
            candidates = [i for i in candidates if lib.is_played(user.id, i) == is_played]
        candidates.sort(key=lambda i: i.created, reverse=True)
        # Newest first until `limit` entries. Grouped: new episodes of one series become the
        # series with ChildCount = how many; a single new episode stays itself (as Emby does).
        entries: list[list[Item]] = []
        groups: dict[str, list[Item]] = {}
        for item in candidates:
            if group and item.type == "Episode" and item.series_id in lib.items:
                members = groups.get(item.series_id or "")
                if members is not None:
                    members.append(item)
                    continue
                members = groups[item.series_id or ""] = [item]
                entries.append(members)
            else:
                entries.append([item])
            if len(entries) >= limit:
                break
        out: list[tuple[Item, int | None]] = []
        for members in entries[:limit]:
            first = members[0]
            if len(members) > 1:
                out.append((lib.items[first.series_id or ""], len(members)))
            else:
                out.append((first, None))
        return out

    def resume(self, user: User, types: set[str], parent_id: str | None) -> list[Item]:
        """Items in progress for a user, most recently played first."""
        lib = self.library
        found = []
        for item_id, data in lib.user_data.get(user.id, {}).items():
            item = lib.items.get(item_id)
            if item is None or data.played or data.position_ticks <= 0:
                continue
            if types and item.type.lower() not in types:
                continue
            if parent_id is not None and item.library_id != parent_id:
                continue
            if lib.visible(user, item):
                found.append((data.last_played or EARLIEST, item))
        found.sort(key=lambda pair: pair[0], reverse=True)
        return [item for _, item in found]

    def next_up(self, user: User, series_id: str | None) -> list[Item]:
        """The next episode of every series the user is watching (most recent first)."""
        lib = self.library
        data = lib.user_data.get(user.id, {})
        series_ids = [series_id] if series_id else lib.by_type.get("Series", [])
        found = []
        for sid in series_ids:
            if sid not in lib.items or not lib.visible(user, lib.items[sid]):
                continue
            episodes = lib.episodes_of(sid)
            last_index, last_date = -1, None
            for n, episode in enumerate(episodes):
                d = data.get(episode.id)
                if d is not None and d.played:
                    last_index, last_date = n, d.last_played
            if last_index < 0:
                continue
            following = next(
                (
                    e
                    for e in episodes[last_index + 1 :]
                    if not (data.get(e.id) and data[e.id].played)
                ),
                None,
            )
            if following is not None:
                found.append((last_date or EARLIEST, following))
        found.sort(key=lambda pair: pair[0], reverse=True)
        return [episode for _, episode in found]

    def suggestions(self, user: User, types: set[str]) -> list[Item]:
        """Unplayed movies and series the user might like (stable per user)."""
        lib = self.library
        wanted = types or {"movie", "series"}
        pool = [
            i
            for i in self._all_items(wanted)
            if lib.visible(user, i) and not lib.is_played(user.id, i)
        ]
        rng = random.Random(f"suggest-{user.id}-{len(pool)}")
        rng.shuffle(pool)
        return pool

    def similar(self, user: User | None, item: Item) -> list[Item]:
        """Items of the same type sharing a genre."""
        lib = self.library
        genres = set(item.genres)
        return [
            other
            for other in self._all_items({item.type.lower()})
            if other.id != item.id and genres & set(other.genres) and lib.visible(user, other)
        ]

    def instant_mix(self, item: Item) -> list[Item]:
        """Tracks by the item's artists or in its genres (the item's own tracks first)."""
        lib = self.library
        own = [t for t in lib.playable(item) if t.type == "Audio"]
        genres = set(item.genres)
        artists = set(item.artist_ids) | ({item.id} if item.type == "MusicArtist" else set())
        for t in own:
            genres |= set(t.genres)
            artists |= set(t.artist_ids)
        if item.type == "MusicGenre":
            genres.add(item.name)
        seen = {t.id for t in own}
        rest = [
            t
            for t in self._all_items({"audio"})
            if t.id not in seen and (set(t.artist_ids) & artists or set(t.genres) & genres)
        ]
        return own + rest

    def item_counts(
        self, user: User | None, favorite: bool | None, *, quirk: bool
    ) -> dict[str, int]:
        """ItemCounts (ArtistCount/BoxSetCount 0 with `quirk`, like Emby)."""
        lib = self.library

        def count(item_type: str) -> int:
            total = 0
            for item_id in lib.by_type.get(item_type, ()):
                item = lib.items[item_id]
                if not lib.visible(user, item):
                    continue
                if (
                    favorite is not None
                    and user is not None
                    and lib.user_data_of(user.id, item_id).is_favorite != favorite
                ):
                    continue
                total += 1
            return total

        counts = {
            "MovieCount": count("Movie"),
            "SeriesCount": count("Series"),
            "EpisodeCount": count("Episode"),
            "GameCount": 0,
            "ArtistCount": 0 if quirk else count("MusicArtist"),
            "ProgramCount": 0,
            "GameSystemCount": 0,
            "TrailerCount": 0,
            "SongCount": count("Audio"),
            "AlbumCount": count("MusicAlbum"),
            "MusicVideoCount": 0,
            "BoxSetCount": 0 if quirk else count("BoxSet"),
            "BookCount": 0,
        }
        counts["ItemCount"] = sum(counts.values()) + count("Video")
        return counts
