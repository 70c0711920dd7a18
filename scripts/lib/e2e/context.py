"""What the checks share: the running processes, the HTTP clients, the entry and the findings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from develop_bootstrap import HomeAssistantApi

from .checks import CheckFailed
from .ha_socket import HomeAssistantSocket
from .processes import ManagedProcess

EMBY_TIMEOUT = aiohttp.ClientTimeout(total=30)
# The DeviceId embymedia's own Emby session has (it makes no entity of itself).
OWN_DEVICE_PREFIX = "homeassistant-embymedia-"


@dataclass
class Emby:
    """The simulator, reached as any Emby client would (REST with the API key)."""

    session: aiohttp.ClientSession
    url: str
    api_key: str
    server_id: str

    async def request(self, method: str, path: str, **params: str) -> Any:
        """One call; the JSON answer (None for 204)."""
        async with self.session.request(
            method,
            self.url + path,
            params=params,
            headers={"X-Emby-Token": self.api_key},
            timeout=EMBY_TIMEOUT,
        ) as response:
            if response.status >= 400:
                raise CheckFailed(f"Emby {method} {path} answered {response.status}")
            return None if response.status == 204 else await response.json()

    async def sessions(self) -> list[dict[str, Any]]:
        """GET /Sessions."""
        return list(await self.request("GET", "/Sessions"))

    async def client_sessions(self) -> list[dict[str, Any]]:
        """The sessions of Emby clients Home Assistant makes players of: remote controllable,
        and not Home Assistant's own."""
        return [
            s
            for s in await self.sessions()
            if s.get("SupportsRemoteControl") and not s["DeviceId"].startswith(OWN_DEVICE_PREFIX)
        ]


@dataclass
class Run:
    """One end-to-end run."""

    session: aiohttp.ClientSession
    ha_url: str
    api: HomeAssistantApi
    emby: Emby
    hass: ManagedProcess
    simulator: ManagedProcess
    config_dir: Path
    artifacts: Path
    username: str
    password: str
    ws: HomeAssistantSocket | None = None
    entry_id: str = ""
    # Device ids (Emby's DeviceId) the checks agreed on.
    latency_device: str = ""
    ignored_device: str = ""
    notes: list[str] = field(default_factory=list)
    # Where in Home Assistant's console log the induced outage starts and ends (byte offsets).
    outage_log_span: tuple[int, int] | None = None

    @property
    def token(self) -> str:
        """The long-lived access token the run made."""
        return self.api.bearer

    @property
    def socket(self) -> HomeAssistantSocket:
        """The open WebSocket connection."""
        if self.ws is None:
            raise CheckFailed("the WebSocket connection to Home Assistant is not open")
        return self.ws

    @property
    def secrets(self) -> dict[str, str]:
        """What must never show: name -> value."""
        return {
            "the Emby API key": self.emby.api_key,
            "the Home Assistant access token": self.token,
            "the Home Assistant password": self.password,
        }

    def leaked(self, text: str) -> list[str]:
        """Which secrets `text` contains."""
        return [name for name, value in self.secrets.items() if value and value in text]

    def save(self, name: str, data: Any) -> Path:
        """Write an artifact (JSON for non-strings)."""
        path = self.artifacts / name
        path.write_text(
            data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8"
        )
        return path

    async def entity_for_device(self, device_id: str, domain: str) -> str | None:
        """The entity id of `domain` on the device Emby calls `device_id`."""
        devices = await self.socket.entry_devices(self.entry_id)
        matches = [d["id"] for d in devices if ["embymedia", device_id] in d.get("identifiers", [])]
        if not matches:
            return None
        for entity in await self.socket.entry_entities(self.entry_id):
            if entity["device_id"] in matches and entity["entity_id"].startswith(domain + "."):
                return str(entity["entity_id"])
        return None
