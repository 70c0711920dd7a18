"""Installed plugins, and the frames Emby sends while one is installed or removed.

Installing: `PackageInstalling` (Data: InstallationInfo {Id, Name, AssemblyGuid, Version,
UpdateClass, PercentComplete}), then `PackageInstallationCompleted` (same shape) once the package
is in place, and `RestartRequired`: a plugin takes effect after a restart. Removing:
`PluginUninstalled` (Data: the PluginInfo), then `RestartRequired` (EMBY.md 4.4; the open-source
server's ServerEventNotifier sends all of them to every socket)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clock import hex_id
from .hub import WebSocketHub

PLUGINS = (
    ("Open Subtitles", "1.0.42.0", "Download subtitles from OpenSubtitles.com"),
    ("Trakt", "3.4.1.0", "Sync your library with trakt.tv"),
    ("Webhooks", "1.2.3.0", "Send notifications to other services"),
    ("MovieDb", "1.8.2.0", "Movie and TV metadata from TheMovieDb.org"),
    ("TheTVDB", "1.6.9.0", "TV metadata from TheTVDB"),
)


def plugin_info(name: str, version: str, description: str) -> dict[str, Any]:
    """PluginInfo as `GET /Plugins` lists it."""
    return {
        "Name": name,
        "Version": version,
        "ConfigurationFileName": name.replace(" ", "") + ".xml",
        "Description": description,
        "Id": hex_id("plugin", name),
        "ImageTag": hex_id("plugin-image", name),
    }


class Packages:
    """The installed plugins."""

    def __init__(self, hub: WebSocketHub, restart_required: Callable[[], None]) -> None:
        """The default plugins."""
        self._hub = hub
        self._restart_required = restart_required
        self._plugins = [plugin_info(*plugin) for plugin in PLUGINS]

    def plugins(self) -> list[dict[str, Any]]:
        """PluginInfo list."""
        return [dict(plugin) for plugin in self._plugins]

    def install(self, name: str, version: str, description: str = "") -> None:
        """Install (or update) a plugin, announcing it as Emby does."""
        installation = {
            "Id": hex_id("installation", name, version),
            "Name": name,
            "AssemblyGuid": hex_id("plugin", name),
            "Version": version,
            "UpdateClass": "Release",
            "PercentComplete": 0.0,
        }
        self._hub.broadcast("PackageInstalling", installation)
        self._plugins = [p for p in self._plugins if p["Name"] != name]
        self._plugins.append(plugin_info(name, version, description))
        self._hub.broadcast(
            "PackageInstallationCompleted", installation | {"PercentComplete": 100.0}
        )
        self._restart_required()

    def uninstall(self, name: str) -> bool:
        """Remove a plugin (False when none has that name)."""
        plugin = next((p for p in self._plugins if p["Name"] == name), None)
        if plugin is None:
            return False
        self._plugins.remove(plugin)
        self._hub.broadcast("PluginUninstalled", plugin)
        self._restart_required()
        return True
