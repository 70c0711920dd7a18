"""Library changes and their `LibraryChanged` frames: made now by a test or the admin endpoint,
or made through the API and sent after Emby's debounce."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .clock import Clock
from .hub import WebSocketHub
from .library import Library
from .models import Item

LIBRARY_CHANGE_DEBOUNCE = 5.0
"""Simulated seconds Emby batches library changes for (old Emby: LibraryUpdateDuration)."""


def library_update(
    added: Iterable[Item], updated: Iterable[Item], removed: Iterable[Item]
) -> dict[str, Any]:
    """The Data of a LibraryChanged frame."""
    added, updated, removed = list(added), list(updated), list(removed)
    data: dict[str, Any] = {
        "FoldersAddedTo": sorted({i.parent_id for i in added if i.parent_id}),
        "FoldersRemovedFrom": sorted({i.parent_id for i in removed if i.parent_id}),
        "ItemsAdded": [i.id for i in added],
        "ItemsRemoved": [i.id for i in removed],
        "ItemsUpdated": [i.id for i in updated],
        "CollectionFolders": sorted({i.library_id for i in (*added, *removed) if i.library_id}),
    }
    data["IsEmpty"] = not any(data.values())
    return data


class LibraryChanges:
    """Pending (debounced) changes and the frames that announce changes."""

    def __init__(self, library: Library, clock: Clock, hub: WebSocketHub) -> None:
        """Nothing pending."""
        self._library = library
        self._clock = clock
        self._hub = hub
        self._pending: dict[str, set[str]] = {}
        self._deadline: float | None = None

    def queue(self, added: Sequence[Item] = (), updated: Sequence[Item] = ()) -> None:
        """A change made through the API: sent after Emby's debounce (5 simulated s)."""
        self._pending.setdefault("added", set()).update(i.id for i in added)
        self._pending.setdefault("updated", set()).update(i.id for i in updated)
        if self._deadline is None:
            self._deadline = self._clock.seconds + LIBRARY_CHANGE_DEBOUNCE

    def send_if_due(self) -> None:
        """Send the pending changes once their debounce has passed."""
        if self._deadline is None or self._clock.seconds < self._deadline:
            return
        items = self._library.items
        pending_added = self._pending.get("added", set())
        added = [items[i] for i in sorted(pending_added) if i in items]
        updated = [
            items[i]
            for i in sorted(self._pending.get("updated", ()))
            if i in items and i not in pending_added
        ]
        self._pending = {}
        self._deadline = None
        if added or updated:
            self._send(library_update(added, updated, ()))

    def trigger(
        self,
        items_added: int | Sequence[str] = 0,
        items_updated: int | Sequence[str] = (),
        items_removed: int | Sequence[str] = (),
    ) -> dict[str, Any]:
        """Change the library now and send `LibraryChanged` (real Data shape) to the sockets
        that receive it. Counts create movies / pick existing movies; id lists name items."""
        lib = self._library
        if isinstance(items_added, int):
            added = lib.add_movies(items_added)
        else:
            added = [i for i in (lib.get(x) for x in items_added) if i is not None]
        updated = self._pick(items_updated, exclude={i.id for i in added})
        for item in updated:
            lib.touch(item)
        to_remove = self._pick(items_removed, exclude={i.id for i in (*added, *updated)})
        removed: list[Item] = []
        for item in to_remove:
            removed.extend(lib.remove(item))
        data = library_update(added, updated, removed)
        self._send(data)
        return data

    def refresh_item(self, item: Item) -> None:
        """POST /Items/{Id}/Refresh: metadata refreshed, reported as an update."""
        self._library.touch(item)
        self.queue(updated=[item])

    def _pick(self, wanted: int | Sequence[str], exclude: set[str]) -> list[Item]:
        lib = self._library
        if isinstance(wanted, int):
            movies = [lib.items[i] for i in lib.by_type.get("Movie", ()) if i not in exclude]
            return movies[:wanted]
        found = []
        for item_id in wanted:
            item = lib.get(str(item_id))
            if item is None:
                raise KeyError(f"no item {item_id}")
            found.append(item)
        return found

    def _send(self, data: dict[str, Any]) -> int:
        return self._hub.broadcast_to_user("LibraryChanged", data, None)
