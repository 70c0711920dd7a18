"""Device conditions of Emby clients: what their media player is doing.

is_playing, is_paused, is_idle and is_off follow the player's state; has_media holds while an
item is loaded (playing or paused).
"""

from collections.abc import Callable
from typing import Final

import voluptuous as vol
from homeassistant.components.media_player.const import ATTR_MEDIA_CONTENT_ID, MediaPlayerState
from homeassistant.const import (
    CONF_CONDITION,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_TYPE,
    Platform,
)
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.condition import ConditionCheckerType
from homeassistant.helpers.config_validation import DEVICE_CONDITION_BASE_SCHEMA
from homeassistant.helpers.typing import ConfigType, TemplateVarsType

from .const import DOMAIN

LOADED_STATES: Final = frozenset({MediaPlayerState.PLAYING, MediaPlayerState.PAUSED})

# Each condition as a test of the player's state (None: the entity has no state now).
CONDITIONS: Final[dict[str, Callable[[State], bool]]] = {
    "is_playing": lambda state: state.state == MediaPlayerState.PLAYING,
    "is_paused": lambda state: state.state == MediaPlayerState.PAUSED,
    "is_idle": lambda state: state.state == MediaPlayerState.IDLE,
    "is_off": lambda state: state.state == MediaPlayerState.OFF,
    "has_media": lambda state: (
        state.state in LOADED_STATES and state.attributes.get(ATTR_MEDIA_CONTENT_ID) is not None
    ),
}

CONDITION_SCHEMA: Final = DEVICE_CONDITION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(list(CONDITIONS)),
    }
)


def client_players(hass: HomeAssistant, device_id: str) -> list[er.RegistryEntry]:
    """The Emby media players of a device (one per client device; none for the server)."""
    return [
        entry
        for entry in er.async_entries_for_device(er.async_get(hass), device_id)
        if entry.domain == Platform.MEDIA_PLAYER and entry.platform == DOMAIN
    ]


async def async_get_conditions(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """Every condition for the device's media player."""
    return [
        {
            CONF_CONDITION: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: condition_type,
        }
        for entry in client_players(hass, device_id)
        for condition_type in CONDITIONS
    ]


@callback
def async_condition_from_config(hass: HomeAssistant, config: ConfigType) -> ConditionCheckerType:
    """The checker of one condition."""
    holds = CONDITIONS[config[CONF_TYPE]]
    entity_id = er.async_resolve_entity_id(er.async_get(hass), config[CONF_ENTITY_ID])

    def _check(hass: HomeAssistant, variables: TemplateVarsType = None) -> bool:
        state = hass.states.get(entity_id) if entity_id else None
        return state is not None and holds(state)

    return _check
