"""One table from core error to translation key, shared by the coordinators, the entity
commands and the config flow, and the decorator that translates an entity command's errors."""

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, Final, Protocol

from embymedia_core import (
    EmbyAuthError,
    EmbyClosedError,
    EmbyConnectionError,
    EmbyError,
    EmbySslError,
    EmbyTimeoutError,
    InvalidHostError,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN

# Core error -> translation key (strings.json `exceptions`; the config flow's `config.error`
# has the same keys). Most specific class first; an error not listed takes the caller's
# fallback (update_failed, command_failed, cannot_connect).
ERROR_TRANSLATION_KEYS: Final[tuple[tuple[type[EmbyError], str], ...]] = (
    (InvalidHostError, "invalid_host"),
    (EmbyAuthError, "invalid_auth"),
    (EmbyTimeoutError, "timeout"),
    (EmbySslError, "ssl_error"),
    (EmbyConnectionError, "cannot_connect"),
    (EmbyClosedError, "client_closed"),
)


def error_translation_key(err: EmbyError, fallback: str) -> str:
    """Translation key of a core error (`fallback` for errors the table does not name)."""
    return next((key for kind, key in ERROR_TRANSLATION_KEYS if isinstance(err, kind)), fallback)


def command_error(
    hass: HomeAssistant, entry: ConfigEntry, err: EmbyError, *, command: str, target: str
) -> HomeAssistantError:
    """The translated error of a failed command; a rejected key starts reauthentication."""
    if isinstance(err, EmbyAuthError):
        entry.async_start_reauth(hass)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=error_translation_key(err, "command_failed"),
        translation_placeholders={"command": command, "client": target, "error": str(err)},
    )


class CommandEntity(Protocol):
    """What `emby_command` needs of an entity: its entry and a name for messages."""

    @property
    def hass(self) -> HomeAssistant:
        """Home Assistant."""

    @property
    def command_entry(self) -> ConfigEntry:
        """The config entry the entity belongs to."""

    @property
    def command_target(self) -> str:
        """What the command was sent to, for the message (a client, the server)."""


def emby_command[EntityT: CommandEntity, **P, R](
    command: str,
) -> Callable[
    [Callable[Concatenate[EntityT, P], Coroutine[Any, Any, R]]],
    Callable[Concatenate[EntityT, P], Coroutine[Any, Any, R]],
]:
    """Decorate an entity's command: core errors become translated Home Assistant errors."""

    def decorator(
        func: Callable[Concatenate[EntityT, P], Coroutine[Any, Any, R]],
    ) -> Callable[Concatenate[EntityT, P], Coroutine[Any, Any, R]]:
        @functools.wraps(func)
        async def wrapper(entity: EntityT, /, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return await func(entity, *args, **kwargs)
            except EmbyError as err:
                raise command_error(
                    entity.hass,
                    entity.command_entry,
                    err,
                    command=command,
                    target=entity.command_target,
                ) from err

        return wrapper

    return decorator
