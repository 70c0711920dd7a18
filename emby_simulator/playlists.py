"""Playlists and collections made through the API (`/Playlists`, `/Collections`)."""

from __future__ import annotations

from collections.abc import Sequence

from .clock import Clock
from .errors import ApiError
from .library import Library
from .library_changes import LibraryChanges
from .models import Item


class Playlists:
    """Creating playlists and changing their entries."""

    def __init__(self, library: Library, clock: Clock, changes: LibraryChanges) -> None:
        """Bind to the library; changes are announced through `changes`."""
        self._library = library
        self._clock = clock
        self._changes = changes

    def create(self, name: str, item_ids: list[str], media_type: str | None) -> Item:
        """POST /Playlists."""
        lib = self._library
        folder = next((v for v in lib.views if v.collection_type == "playlists"), None)
        if folder is None:
            folder = lib._special_folder("PlaylistsFolder", "Playlists", "playlists")
        playlist = lib.add(
            Item(
                id=lib.new_id(),
                type="Playlist",
                name=name,
                library_id=folder.id,
                parent_id=folder.id,
                created=self._clock.now(),
                collection_type="music" if (media_type or "").lower() == "audio" else None,
            )
        )
        self.add(playlist, item_ids, announce=False)
        self._changes.queue(added=[playlist])
        return playlist

    def add(self, playlist: Item, item_ids: list[str], *, announce: bool = True) -> int:
        """POST /Playlists/{Id}/Items; returns how many entries were added."""
        added = 0
        for item_id in item_ids:
            item = self._library.get(item_id)
            if item is None:
                raise ApiError(404, f"Item {item_id} not found")
            for playable in self._library.playable(item):
                playlist.entries.append((self._library.new_entry_id(), playable.id))
                added += 1
        if announce:
            self._changes.queue(updated=[playlist])
        return added

    def remove(self, playlist: Item, entry_ids: list[str]) -> None:
        """POST /Playlists/{Id}/Items/Delete?EntryIds=."""
        wanted = set(entry_ids)
        playlist.entries = [e for e in playlist.entries if e[0] not in wanted]
        self._changes.queue(updated=[playlist])


class Collections:
    """Creating collections (BoxSets) and changing their members."""

    def __init__(self, library: Library, clock: Clock, changes: LibraryChanges) -> None:
        """Bind to the library; changes are announced through `changes`."""
        self._library = library
        self._clock = clock
        self._changes = changes

    def create(self, name: str, item_ids: list[str]) -> Item:
        """POST /Collections."""
        lib = self._library
        folder = next((v for v in lib.views if v.collection_type == "boxsets"), None)
        if folder is None:
            folder = lib._special_folder("CollectionFolder", "Collections", "boxsets")
        box = lib.add(
            Item(
                id=lib.new_id(),
                type="BoxSet",
                name=name,
                library_id=folder.id,
                parent_id=folder.id,
                created=self._clock.now(),
            )
        )
        lib._images(box, "Primary")
        self.change(box, add=item_ids, announce=False)
        self._changes.queue(added=[box])
        return box

    def change(
        self,
        box: Item,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        *,
        announce: bool = True,
    ) -> None:
        """Add or remove collection members."""
        for item_id in add:
            if self._library.get(item_id) is None:
                raise ApiError(404, f"Item {item_id} not found")
            if item_id not in box.children:
                box.children.append(item_id)
        box.children = [c for c in box.children if c not in set(remove)]
        if announce:
            self._changes.queue(updated=[box])
