"""Repair issues where the user must act; each is raised while its condition holds and deleted
as soon as it clears.

- server_too_old: the server reports a version older than MIN_SERVER_VERSION (checked after
  every server poll).
- websocket_refused: the WebSocket has not connected for WEBSOCKET_REFUSED_AFTER while REST
  answers (typically a reverse proxy that drops the upgrade); gone when it connects.
- user_deleted: the user the entry works for no longer exists on the server (checked at setup
  and when the server announces a user deletion); gone once the entry works for an existing user.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER, MIN_SERVER_VERSION
from .coordinator import EmbyConfigEntry

if TYPE_CHECKING:
    from embymedia_core import Event, User

ISSUE_SERVER_TOO_OLD: Final = "server_too_old"
ISSUE_WEBSOCKET_REFUSED: Final = "websocket_refused"
ISSUE_USER_DELETED: Final = "user_deleted"
WEBSOCKET_REFUSED_AFTER: Final = timedelta(hours=1)
ISSUE_CHECK_INTERVAL: Final = timedelta(minutes=5)


def issue_id(kind: str, entry: EmbyConfigEntry) -> str:
    """One issue of each kind per server."""
    return f"{kind}_{entry.entry_id}"


def version_tuple(version: str) -> tuple[int, ...]:
    """'4.8.11.0' -> (4, 8, 11, 0); parts that are not numbers end the tuple."""
    parts: list[int] = []
    for part in version.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def _raise(hass: HomeAssistant, kind: str, entry: EmbyConfigEntry, **placeholders: str) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=kind,
        translation_placeholders={"server": entry.title, **placeholders},
    )


def _clear(hass: HomeAssistant, kind: str, entry: EmbyConfigEntry) -> None:
    ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))


@callback
def async_check_chosen_user(
    hass: HomeAssistant, entry: EmbyConfigEntry, users: list[User], user_id: str | None
) -> None:
    """At setup, with the server's users: the entry's user must exist (else the issue, and a
    setup error that says so)."""
    if user_id is None or any(user["id"] == user_id for user in users):
        _clear(hass, ISSUE_USER_DELETED, entry)
        return
    _raise(hass, ISSUE_USER_DELETED, entry, user_id=user_id)
    raise ConfigEntryError(
        translation_domain=DOMAIN,
        translation_key="user_deleted",
        translation_placeholders={"server": entry.title, "user_id": user_id},
    )


class EmbyIssues:
    """Watches one entry for the conditions of its repair issues."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EmbyConfigEntry,
        *,
        websocket_enabled: bool,
        user_id: str | None,
    ) -> None:
        """Start watching (the WebSocket, if enabled, counts as down until it connects)."""
        self.hass = hass
        self.entry = entry
        self.websocket_enabled = websocket_enabled
        self.user_id = user_id
        self.websocket_down_since: datetime | None = dt_util.utcnow() if websocket_enabled else None
        if not websocket_enabled:
            _clear(hass, ISSUE_WEBSOCKET_REFUSED, entry)

    @callback
    def async_server_updated(self, _now: datetime | None = None) -> None:
        """After a server poll (and every few minutes): the version, and a WebSocket down for
        long while REST works."""
        server = self.entry.runtime_data.server
        if not server.last_update_success or server.data is None:
            return
        version = server.data.info["version"]
        if version_tuple(version)[:2] < MIN_SERVER_VERSION:
            _raise(
                self.hass,
                ISSUE_SERVER_TOO_OLD,
                self.entry,
                version=version,
                minimum=".".join(map(str, MIN_SERVER_VERSION)),
            )
        else:
            _clear(self.hass, ISSUE_SERVER_TOO_OLD, self.entry)
        down_since = self.websocket_down_since
        if down_since is not None and dt_util.utcnow() - down_since >= WEBSOCKET_REFUSED_AFTER:
            metrics = self.entry.runtime_data.client.metrics()
            _raise(
                self.hass,
                ISSUE_WEBSOCKET_REFUSED,
                self.entry,
                error=metrics["efficiency_metrics"]["websocket"]["last_error"] or "",
            )

    @callback
    def async_handle(self, event: Event) -> None:
        """WebSocket events: connection state and user deletions."""
        match event["type"]:
            case "connected":
                self.websocket_down_since = None
                _clear(self.hass, ISSUE_WEBSOCKET_REFUSED, self.entry)
            case "disconnected" | "reconnecting":
                if self.websocket_down_since is None:
                    self.websocket_down_since = dt_util.utcnow()
            case "user_deleted" if self.user_id is not None and event["user_id"] == self.user_id:
                # Set up again: the setup check confirms it and raises the issue.
                LOGGER.warning("The Emby user of %s was deleted on the server", self.entry.title)
                self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
            case _:
                pass


@callback
def async_setup_issues(
    hass: HomeAssistant, entry: EmbyConfigEntry, *, websocket_enabled: bool, user_id: str | None
) -> EmbyIssues:
    """Watch an entry's server polls for its repair issues (and check them now)."""
    issues = EmbyIssues(hass, entry, websocket_enabled=websocket_enabled, user_id=user_id)
    issues.async_server_updated()
    # The server coordinator tells listeners only of changed data: the time-based check of the
    # WebSocket also runs on its own clock.
    entry.async_on_unload(entry.runtime_data.server.async_add_listener(issues.async_server_updated))
    entry.async_on_unload(
        async_track_time_interval(hass, issues.async_server_updated, ISSUE_CHECK_INTERVAL)
    )
    return issues
