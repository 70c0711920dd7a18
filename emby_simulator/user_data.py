"""Users' played/favorite state changed through the API, by playback or by a test, and the
`UserDataChanged` frames that announce it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from .clock import Clock
from .dto import user_data_changed_entry, user_data_dto
from .hub import WebSocketHub
from .library import Library
from .models import Item, User


class UserDataChanges:
    """Changes of user data; those of one loop iteration go out as one frame per user."""

    def __init__(self, library: Library, clock: Clock, hub: WebSocketHub) -> None:
        """Nothing pending."""
        self._library = library
        self._clock = clock
        self._hub = hub
        self._pending: dict[str, set[str]] = {}
        self._scheduled = False

    def changed(self, user_id: str, item_ids: Iterable[str]) -> None:
        """Queue UserDataChanged; changes of one loop iteration go out as one frame (Emby
        debounces 500 ms; the simulator sends right after the request that caused them)."""
        self._pending.setdefault(user_id, set()).update(item_ids)
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_soon(self._send)
            except RuntimeError:
                self._send()

    def _send(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, {}
        for user_id, item_ids in pending.items():
            entries = [
                user_data_changed_entry(self._library.user_data_of(user_id, i), i)
                for i in sorted(item_ids)
            ]
            self._hub.broadcast_to_user(
                "UserDataChanged", {"UserId": user_id, "UserDataList": entries}, user_id
            )

    def playback_saved(self, user_id: str, item_id: str, *, started: bool) -> None:
        """Emby saves user data when playback starts (last played) and stops; both saves send
        UserDataChanged (only progress saves do not, EMBY.md 4.4)."""
        if started:
            self._library.store_user_data(user_id, item_id).last_played = self._clock.now()
        self.changed(user_id, [item_id])

    def set_played(
        self, user: User, item: Item, played: bool, date: str | None = None
    ) -> dict[str, Any]:
        """Mark (un)played, folders included; returns the item's UserItemDataDto."""
        lib = self._library
        targets = [item] + (
            [c for c in lib.playable(item) if c is not item] if item.is_folder else []
        )
        for target in targets:
            data = lib.store_user_data(user.id, target.id)
            if played:
                if not data.played:
                    data.play_count += 1
                data.played = True
                data.position_ticks = 0
                data.last_played = self._clock.now()
            else:
                data.played = False
        self.changed(user.id, [t.id for t in targets])
        return self._result(user, item)

    def set_favorite(self, user: User, item: Item, favorite: bool) -> dict[str, Any]:
        """Add or remove a favorite; returns the item's UserItemDataDto."""
        self._library.store_user_data(user.id, item.id).is_favorite = favorite
        self.changed(user.id, [item.id])
        return self._result(user, item)

    def _result(self, user: User, item: Item) -> dict[str, Any]:
        out = user_data_dto(self._library.user_data_of(user.id, item.id), item)
        out["Key"] = item.id
        out["ItemId"] = item.id
        return out

    def trigger(
        self,
        user_id: str,
        item_ids: Sequence[str],
        *,
        played: bool | None = True,
        favorite: bool | None = None,
    ) -> dict[str, Any]:
        """Change a user's data now (played and/or favorite) and send UserDataChanged to the
        sockets that receive it; returns the frame's Data."""
        lib = self._library
        user = lib.user(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}")
        for item_id in item_ids:
            if lib.get(item_id) is None:
                raise KeyError(f"no item {item_id}")
            data = lib.store_user_data(user.id, item_id)
            if played is not None:
                if played and not data.played:
                    data.play_count += 1
                    data.last_played = self._clock.now()
                data.played = played
                data.position_ticks = 0
            if favorite is not None:
                data.is_favorite = favorite
        entries = [user_data_changed_entry(lib.user_data_of(user.id, i), i) for i in item_ids]
        payload = {"UserId": user.id, "UserDataList": entries}
        self._hub.broadcast_to_user("UserDataChanged", payload, user.id)
        return payload
