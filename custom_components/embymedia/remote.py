"""Remotes: navigation, volume and playback keys for every remote-controllable Emby client.

`remote.send_command` takes Emby's command names (case-insensitive), a few short aliases, and
two commands with text: `SendString:<text>` types text, `SendKey:<key>` presses a key.

- navigation (general commands): Up, Down, Left, Right (or MoveUp, ...), Select, Back, PageUp,
  PageDown, PreviousLetter, NextLetter;
- other general commands: GoHome, GoToSettings, GoToSearch, ToggleContextMenu, ToggleOsdMenu
  (or ToggleOsd), ToggleFullscreen, ToggleStats, TakeScreenshot, Guide, ChannelUp, ChannelDown,
  VolumeUp, VolumeDown, Mute, Unmute, ToggleMute;
- playback (playstate commands): PlayPause, Play (Unpause), Pause, Stop, NextTrack,
  PreviousTrack, Rewind, FastForward;
- with text: SendString:<text>, SendKey:<key>.

General commands the client does not list in its SupportedCommands are refused before anything
is sent, as are unknown commands: a sequence runs completely or not at all.
"""

import asyncio
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, override

from embymedia_core import PLAYSTATE_COMMANDS as CORE_PLAYSTATE_COMMANDS
from homeassistant.components.remote import RemoteEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, LOGGER
from .coordinator import EmbyConfigEntry, EmbySessionCoordinator
from .entity import EmbyClientEntity, async_setup_client_entities

try:  # Home Assistant 2026.8 and later
    from homeassistant.components.remote.const import (
        ATTR_DELAY_SECS,
        ATTR_NUM_REPEATS,
        DEFAULT_DELAY_SECS,
        DEFAULT_NUM_REPEATS,
    )
except ImportError:  # 2026.3: defined in the component itself
    from homeassistant.components.remote import (  # type: ignore[attr-defined]
        ATTR_DELAY_SECS,
        ATTR_NUM_REPEATS,
        DEFAULT_DELAY_SECS,
        DEFAULT_NUM_REPEATS,
    )

if TYPE_CHECKING:
    from embymedia_core import PlaystateCommand, Session

# Entities only read coordinator data; commands go to the server, which relays them.
PARALLEL_UPDATES = 0

# Emby general commands without arguments that a remote can send.
GENERAL_COMMANDS: Final = (
    "MoveUp",
    "MoveDown",
    "MoveLeft",
    "MoveRight",
    "PageUp",
    "PageDown",
    "PreviousLetter",
    "NextLetter",
    "Select",
    "Back",
    "GoHome",
    "GoToSettings",
    "GoToSearch",
    "ToggleContextMenu",
    "ToggleOsdMenu",
    "ToggleFullscreen",
    "ToggleStats",
    "TakeScreenshot",
    "Guide",
    "ChannelUp",
    "ChannelDown",
    "VolumeUp",
    "VolumeDown",
    "Mute",
    "Unmute",
    "ToggleMute",
)
# The core's playstate commands but Seek, which needs a position a remote command cannot give.
PLAYSTATE_COMMANDS: Final[tuple[PlaystateCommand, ...]] = tuple(
    command for command in CORE_PLAYSTATE_COMMANDS if command != "Seek"
)
# Bounds of a command sequence (`num_repeats`, `delay_secs`): beyond them a sequence would hold
# the client's lock for hours or flood it; values outside are clamped with a warning.
MAX_NUM_REPEATS: Final = 100
MAX_DELAY_SECS: Final = 60.0
# Short names: the arrows and play.
ALIASES: Final = {
    "up": "MoveUp",
    "down": "MoveDown",
    "left": "MoveLeft",
    "right": "MoveRight",
    "play": "Unpause",
    "toggleosd": "ToggleOsdMenu",
}
# Commands that carry text, as `Name:<text>`: the command and its argument's name.
TEXT_COMMANDS: Final = {"sendstring": ("SendString", "String"), "sendkey": ("SendKey", "Key")}
# Emby apps name some commands differently (Emby Web lists ToggleOsd, TV apps ToggleOsdMenu).
SYNONYMS: Final = {"ToggleOsdMenu": ("ToggleOsdMenu", "ToggleOsd")}

_PLAYSTATE: Final[dict[str, PlaystateCommand]] = {name: name for name in PLAYSTATE_COMMANDS}
_BY_NAME: Final[dict[str, str]] = {
    **{name.casefold(): name for name in (*GENERAL_COMMANDS, *PLAYSTATE_COMMANDS)},
    **ALIASES,
}


@dataclass(frozen=True, slots=True)
class RemoteCommand:
    """One parsed command: an Emby general or playstate command."""

    name: str
    playstate: PlaystateCommand | None = None
    arguments: dict[str, str] = field(default_factory=dict)


def parse_command(command: str, supported: Iterable[str], client: str) -> RemoteCommand:
    """Turn a remote command into the Emby command the client understands.

    Raises ServiceValidationError (translated) for unknown commands, a text command without
    text, and general commands the client does not list.
    """
    text_name, colon, text = command.partition(":")
    if colon:
        if (spec := TEXT_COMMANDS.get(text_name.strip().casefold())) is None:
            raise _unknown(command)
        if not text:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="command_needs_text",
                translation_placeholders={"command": spec[0]},
            )
        name, argument = spec
        arguments = {argument: text}
    elif (found := _BY_NAME.get(command.strip().casefold())) is not None:
        name, arguments = found, {}
    else:
        raise _unknown(command)
    if (playstate := _PLAYSTATE.get(name)) is not None:
        return RemoteCommand(name, playstate=playstate)
    listed = set(supported)
    if listed:
        # A client that lists nothing is one we know nothing about: let it try.
        name = next((n for n in SYNONYMS.get(name, (name,)) if n in listed), "")
        if not name:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="command_not_supported",
                translation_placeholders={"command": command, "client": client},
            )
    return RemoteCommand(name, arguments=arguments)


def _unknown(command: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_command",
        translation_placeholders={
            "command": command,
            "commands": ", ".join(
                (
                    *ALIASES,
                    *GENERAL_COMMANDS,
                    *PLAYSTATE_COMMANDS,
                    *(f"{name}:<text>" for name, _ in TEXT_COMMANDS.values()),
                )
            ),
        },
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a remote for every client, now and as clients appear."""
    async_setup_client_entities(
        entry,
        Platform.REMOTE,
        async_add_entities,
        EmbyRemote,
        lambda session: session.supports_remote_control,
    )


class EmbyRemote(EmbyClientEntity, RemoteEntity):
    """The keys of an Emby client. On while the client is connected.

    Emby cannot wake or switch off a client: turn_on and turn_off are refused.
    """

    _attr_translation_key = "remote"
    _shows_session = False

    def __init__(self, coordinator: EmbySessionCoordinator, device_id: str) -> None:
        """Initialize the remote of the client `device_id`."""
        super().__init__(coordinator, device_id)
        # One sequence at a time per client, so two sequences do not interleave.
        self._lock = asyncio.Lock()
        self._async_update_attrs()

    @callback
    @override
    def _async_update_attrs(self) -> None:
        self._attr_is_on = self.session is not None

    @override
    def _shown_data(self, session: Session | None) -> object:
        """On or off: only whether the client is connected."""
        return session is not None

    @override
    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        """Send commands `num_repeats` times, `delay_secs` apart."""
        session: Session = self._require_session()
        parsed = [
            parse_command(single, session.supported_commands, self.client_name)
            for single in command
        ]
        num_repeats = int(
            self._bounded(
                ATTR_NUM_REPEATS,
                kwargs.get(ATTR_NUM_REPEATS, DEFAULT_NUM_REPEATS),
                MAX_NUM_REPEATS,
            )
        )
        delay = self._bounded(
            ATTR_DELAY_SECS, kwargs.get(ATTR_DELAY_SECS, DEFAULT_DELAY_SECS), MAX_DELAY_SECS
        )
        async with self._lock:
            for index in range(num_repeats * len(parsed)):
                if index and delay > 0:
                    await asyncio.sleep(delay)
                step = parsed[index % len(parsed)]
                # Playback keys change what the media player shows; navigation does not.
                await self._async_command(
                    step.name,
                    functools.partial(self._async_send, step),
                    refresh=step.playstate is not None,
                )

    def _bounded(self, name: str, value: float, maximum: float) -> float:
        """`value` clamped to 0..maximum (NaN counts as 0), with a warning when it was not."""
        bounded = 0 if math.isnan(value) else min(max(value, 0), maximum)
        if bounded != value:
            LOGGER.warning(
                "%s of %s for %s is outside 0 to %s: using %s",
                name,
                value,
                self.client_name,
                maximum,
                bounded,
            )
        return bounded

    async def _async_send(self, step: RemoteCommand, session_id: str) -> None:
        client = self.coordinator.client
        if step.playstate is not None:
            await client.playstate(session_id, step.playstate)
        else:
            await client.general_command(session_id, step.name, step.arguments or None)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Emby cannot wake a client."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="power_not_supported",
            translation_placeholders={"client": self.client_name},
        )

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Emby cannot switch a client off."""
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="power_not_supported",
            translation_placeholders={"client": self.client_name},
        )
