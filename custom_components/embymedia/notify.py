"""Notify entities: an on-screen message on every Emby client that can display one."""

from typing import TYPE_CHECKING, Final, override

from homeassistant.components.notify import NotifyEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EmbyConfigEntry
from .entity import EmbyClientEntity, async_setup_client_entities

try:  # Home Assistant 2026.8 and later
    from homeassistant.components.notify.const import NotifyEntityFeature
except ImportError:  # 2026.3: defined in the component itself
    from homeassistant.components.notify import (  # type: ignore[attr-defined]
        NotifyEntityFeature,
    )

if TYPE_CHECKING:
    from embymedia_core import Session

# Entities only read coordinator data; messages go to the server, which relays them.
PARALLEL_UPDATES = 0

# How long a message stays on screen. Without a timeout Emby shows a dialog the viewer must
# dismiss, which an automation should not force on anyone.
MESSAGE_TIMEOUT_MS: Final = 10_000


def can_display_messages(session: Session) -> bool:
    """Whether the client shows messages (a speaker does not)."""
    return "DisplayMessage" in session.supported_commands


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity for every client that can display messages."""
    async_setup_client_entities(
        entry, Platform.NOTIFY, async_add_entities, EmbyNotify, can_display_messages
    )


class EmbyNotify(EmbyClientEntity, NotifyEntity):
    """Shows a message (with its title as header) on an Emby client for ten seconds."""

    _attr_translation_key = "message"
    _attr_supported_features = NotifyEntityFeature.TITLE
    _shows_session = False

    @override
    def _shown_data(self, session: Session | None) -> object:
        """The state is the last message sent: no session data shows (only availability)."""
        return None

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Display the message on the client."""
        client = self.coordinator.client
        await self._async_command(
            "DisplayMessage",
            lambda session_id: client.send_message(
                session_id, message, title or "", MESSAGE_TIMEOUT_MS
            ),
            refresh=False,
        )
