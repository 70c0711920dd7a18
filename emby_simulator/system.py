"""The server's own facts: where it listens, `/System/Info`, plugins, pending restart/update."""

from __future__ import annotations

from typing import Any

from .config import SimulatorConfig
from .hub import WebSocketHub
from .packages import Packages


class SystemState:
    """Identity, address and update/restart flags of the server."""

    def __init__(self, config: SimulatorConfig, server_id: str, hub: WebSocketHub) -> None:
        """Not listening yet: `port` is the configured one until the server binds."""
        self._config = config
        self._hub = hub
        self.server_id = server_id
        self.port = config.port
        self.has_pending_restart = False
        self.has_update_available = False
        self.packages = Packages(hub, self.set_pending_restart)

    @property
    def url(self) -> str:
        """`http(s)://host:port`."""
        scheme = "https" if self._config.ssl_context is not None else "http"
        return f"{scheme}://{self._config.host}:{self.port}"

    def set_pending_restart(self, pending: bool = True) -> None:
        """HasPendingRestart; setting it sends RestartRequired to every socket."""
        if pending and not self.has_pending_restart:
            self._hub.broadcast("RestartRequired")
        self.has_pending_restart = pending

    def public_info(self) -> dict[str, Any]:
        """PublicSystemInfo (4.9 shape: address arrays, no ProductName)."""
        return {
            "LocalAddresses": [self.url],
            "RemoteAddresses": [],
            "ServerName": self._config.server_name,
            "Version": self._config.version,
            "Id": self.server_id,
        }

    def system_info(self) -> dict[str, Any]:
        """SystemInfo."""
        tls = self._config.ssl_context is not None
        return {
            "SystemUpdateLevel": "Release",
            "OperatingSystemDisplayName": "Linux",
            "PackageName": "emby-server-deb_" + self._config.version + "_amd64.deb",
            "HasPendingRestart": self.has_pending_restart,
            "IsShuttingDown": False,
            "HasImageEnhancers": False,
            "OperatingSystem": "Linux",
            "SupportsLibraryMonitor": True,
            "SupportsLocalPortConfiguration": True,
            "SupportsWakeServer": False,
            "WebSocketPortNumber": self.port,
            "CompletedInstallations": [],
            "CanSelfRestart": True,
            "CanSelfUpdate": False,
            "CanLaunchWebBrowser": False,
            "ProgramDataPath": "/var/lib/emby",
            "ItemsByNamePath": "/var/lib/emby/metadata",
            "CachePath": "/var/lib/emby/cache",
            "LogPath": "/var/lib/emby/logs",
            "InternalMetadataPath": "/var/lib/emby/metadata",
            "TranscodingTempPath": "/var/lib/emby/transcoding-temp",
            "HttpServerPortNumber": self.port,
            "SupportsHttps": tls,
            "HttpsPortNumber": self.port if tls else 8920,
            "HasUpdateAvailable": self.has_update_available,
            "SupportsAutoRunAtStartup": False,
            "HardwareAccelerationRequiresPremiere": True,
            "WakeOnLanInfo": [],
        } | self.public_info()

    def plugins(self) -> list[dict[str, Any]]:
        """PluginInfo list."""
        return self.packages.plugins()
