"""Logbook entries for the integration's bus events (event_bus.py)."""

from collections.abc import Callable
from typing import Any, Final

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN
from .event_bus import (
    EVENT_EMBYMEDIA,
    EVENT_LIBRARY_UPDATED,
    EVENT_NOTIFICATION,
    EVENT_USER_CHANGED,
    EVENT_USER_DATA_CHANGED,
)

SESSION_MESSAGES: Final = {
    "playback_started": "started playing {item}",
    "playback_stopped": "stopped playing {item}",
    "playback_paused": "paused {item}",
    "playback_resumed": "resumed {item}",
    "media_changed": "switched to {item}",
    "session_connected": "connected",
    "session_disconnected": "disconnected",
}


def item_title(item: dict[str, Any] | None) -> str:
    """`Series S1E2 Name` for an episode, the name otherwise."""
    if not item:
        return "media"
    name = item.get("name") or item.get("id") or "media"
    if item.get("series") and item.get("season") is not None and item.get("episode") is not None:
        return f"{item['series']} S{item['season']}E{item['episode']} {name}"
    return str(name)


def _describe_session(event: Event) -> dict[str, str]:
    data = event.data
    message = SESSION_MESSAGES.get(data.get("type", ""), str(data.get("type")))
    described = {
        LOGBOOK_ENTRY_NAME: data.get("device_name") or data.get("client") or "Emby client",
        LOGBOOK_ENTRY_MESSAGE: message.format(item=item_title(data.get("item"))),
    }
    if entity_id := data.get("entity_id"):
        described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return described


def _describe_library(event: Event) -> dict[str, str]:
    data = event.data
    counts = ", ".join(
        f"{len(data.get(key) or [])} {label}"
        for key, label in (
            ("items_added", "added"),
            ("items_updated", "updated"),
            ("items_removed", "removed"),
        )
    )
    return {LOGBOOK_ENTRY_NAME: "Emby library", LOGBOOK_ENTRY_MESSAGE: f"changed ({counts})"}


def _describe_user_data(event: Event) -> dict[str, str]:
    data = event.data
    what = (
        item_title(data["item"])
        if data.get("item")
        else f"{len(data.get('item_ids') or [])} item(s)"
    )
    return {
        LOGBOOK_ENTRY_NAME: data.get("user_name") or data.get("user_id") or "Emby user",
        LOGBOOK_ENTRY_MESSAGE: f"user data of {what} changed",
    }


def _describe_notification(event: Event) -> dict[str, str]:
    data = event.data
    text = data.get("name") or "notification"
    if description := data.get("description"):
        text = f"{text}: {description}"
    return {LOGBOOK_ENTRY_NAME: "Emby", LOGBOOK_ENTRY_MESSAGE: f"notification: {text}"}


def _describe_user(event: Event) -> dict[str, str]:
    data = event.data
    return {
        LOGBOOK_ENTRY_NAME: data.get("user_name") or data.get("user_id") or "Emby user",
        LOGBOOK_ENTRY_MESSAGE: f"user {data.get('change', 'changed')}",
    }


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe every event the integration fires."""
    async_describe_event(DOMAIN, EVENT_EMBYMEDIA, _describe_session)
    async_describe_event(DOMAIN, EVENT_LIBRARY_UPDATED, _describe_library)
    async_describe_event(DOMAIN, EVENT_USER_DATA_CHANGED, _describe_user_data)
    async_describe_event(DOMAIN, EVENT_NOTIFICATION, _describe_notification)
    async_describe_event(DOMAIN, EVENT_USER_CHANGED, _describe_user)
