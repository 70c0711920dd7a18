"""Simulated client kinds (modelled on real Emby apps) and the session record of each client."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

WEB_COMMANDS = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "PageUp", "PageDown", "PreviousLetter",
    "NextLetter", "ToggleOsd", "ToggleContextMenu", "Select", "Back", "SendKey", "SendString",
    "GoHome", "GoToSettings", "VolumeUp", "VolumeDown", "Mute", "Unmute", "ToggleMute",
    "SetVolume", "SetAudioStreamIndex", "SetSubtitleStreamIndex", "RefreshMediaSource",
    "DisplayContent", "GoToSearch", "DisplayMessage", "SetRepeatMode", "SetSubtitleOffset",
    "SetPlaybackRate", "ChannelUp", "ChannelDown", "PlayMediaSource", "PlayTrailers",
)  # fmt: skip
ROKU_COMMANDS = (
    "GoHome", "SendString", "GoToSearch", "GoToSettings", "DisplayContent", "DisplayMessage",
    "SetAudioStreamIndex", "SetSubtitleStreamIndex", "PlayMediaSource", "Mute", "Unmute",
    "ToggleMute", "VolumeUp", "VolumeDown", "SetVolume", "ToggleOsdMenu",
)  # fmt: skip
ANDROID_COMMANDS = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "Select", "Back", "GoHome", "GoToSettings",
    "SendString", "VolumeUp", "VolumeDown", "Mute", "Unmute", "ToggleMute", "SetVolume",
    "SetAudioStreamIndex", "SetSubtitleStreamIndex", "DisplayContent", "GoToSearch",
    "DisplayMessage", "SetRepeatMode", "SetShuffle", "PlayMediaSource", "PlayTrailers",
    "ToggleContextMenu", "ToggleOsdMenu",
)  # fmt: skip
TV_COMMANDS = (
    "MoveUp", "MoveDown", "MoveLeft", "MoveRight", "Select", "Back", "GoHome", "GoToSettings",
    "ToggleContextMenu", "ToggleOsdMenu", "SendString", "DisplayContent", "GoToSearch",
    "DisplayMessage", "SetAudioStreamIndex", "SetSubtitleStreamIndex", "ChannelUp",
    "ChannelDown", "PlayMediaSource", "SetRepeatMode",
)  # fmt: skip
SPEAKER_COMMANDS = (
    "VolumeUp", "VolumeDown", "Mute", "Unmute", "ToggleMute", "SetVolume", "SetRepeatMode",
    "SetShuffle",
)  # fmt: skip
THEATER_COMMANDS = (*WEB_COMMANDS, "ToggleFullscreen", "TakeScreenshot", "SetShuffle")
ICONS = "https://github.com/MediaBrowser/Emby.Resources/raw/master/images/devices/"

PLAY_COMMANDS = frozenset({"PlayNow", "PlayNext", "PlayLast", "PlayInstantMix", "PlayShuffle"})
PLAYSTATE_COMMANDS = frozenset(
    {
        "Stop",
        "Pause",
        "Unpause",
        "NextTrack",
        "PreviousTrack",
        "Seek",
        "Rewind",
        "FastForward",
        "PlayPause",
        "SeekRelative",
    }
)


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """What kind of client a device runs."""

    client: str
    device_name: str
    app_version: str
    icon: str
    supported_commands: tuple[str, ...]
    playable_media_types: tuple[str, ...] = ("Audio", "Video")
    supports_remote_control: bool = True
    play_method: str = "DirectPlay"
    reports_volume: bool = True
    """Roku reports no VolumeLevel (EMBY.md 3.2)."""
    ignored_playstate: frozenset[str] = frozenset()
    """Playstate commands the app accepts but ignores."""
    leaves_on: frozenset[str] = frozenset()
    """Playstate commands after which the app stops playing (goes home or exits)."""
    remote_end_point: str = "192.168.1.50"


PROFILES: tuple[ClientProfile, ...] = (
    ClientProfile(
        "Emby Web", "Google Chrome Windows", "4.8.0.47", ICONS + "chrome.png", WEB_COMMANDS,
        play_method="DirectStream", remote_end_point="192.168.1.10",
    ),
    ClientProfile(
        "Roku SG", "Roku Ultra", "4.1.31", ICONS + "roku.jpg", ROKU_COMMANDS,
        ("Audio", "Video", "Photo"), play_method="Transcode", reports_volume=False,
        ignored_playstate=frozenset({"Pause", "Unpause", "NextTrack"}),
        leaves_on=frozenset({"PreviousTrack", "Rewind", "FastForward", "SeekRelative"}),
        remote_end_point="192.168.1.44",
    ),
    ClientProfile(
        "Emby for Android", "SM-X700", "3.4.36", ICONS + "android.png", ANDROID_COMMANDS,
        play_method="DirectStream", remote_end_point="192.168.1.137",
    ),
    ClientProfile(
        "Emby for Samsung", "Samsung QN90 TV", "2.2.5", ICONS + "samsung.png", TV_COMMANDS,
        play_method="DirectPlay", reports_volume=False, remote_end_point="192.168.1.60",
    ),
    ClientProfile(
        "Emby for Sonos", "Living Room Speaker", "1.0.12", ICONS + "sonos.png", SPEAKER_COMMANDS,
        ("Audio",), play_method="DirectStream", remote_end_point="192.168.1.71",
    ),
    ClientProfile(
        "Infuse", "Apple TV 4K", "8.1.4", ICONS + "appletv.png", (), ("Video",),
        supports_remote_control=False, play_method="DirectPlay", reports_volume=False,
        remote_end_point="192.168.1.80",
    ),
    ClientProfile(
        "Emby Theater", "DESKTOP-SIM", "4.8.6.0", ICONS + "windows.png", THEATER_COMMANDS,
        play_method="DirectPlay", remote_end_point="192.168.1.21",
    ),
    ClientProfile(
        "Emby for iOS", "iPhone", "2.2.38", ICONS + "ios.png", ANDROID_COMMANDS,
        play_method="DirectStream", remote_end_point="192.168.1.90",
    ),
)  # fmt: skip


@dataclass(slots=True, eq=False)
class Session:
    """A client's session and its playback state."""

    device_id: str
    client: str
    device_name: str
    app_version: str
    internal_device_id: int
    id: str = ""
    user_id: str | None = None
    user_name: str | None = None
    user_image_tag: str | None = None
    icon: str | None = None
    remote_end_point: str = "127.0.0.1"
    supports_remote_control: bool = False
    supported_commands: list[str] = field(default_factory=list)
    playable_media_types: list[str] = field(default_factory=list)
    play_method: str = "DirectPlay"
    reports_volume: bool = True
    ignored_playstate: frozenset[str] = frozenset()
    leaves_on: frozenset[str] = frozenset()
    simulated: bool = True
    """False for sessions of real API consumers (created by their requests)."""
    capabilities_registered: bool = False
    """POST /Sessions/Capabilities(/Full) was made for this session (EMBY.md 4.6)."""
    sockets: int = 0
    # playback
    queue: list[str] = field(default_factory=list)
    queue_index: int = 0
    now_playing: str | None = None
    position_ticks: int = 0
    is_paused: bool = False
    is_muted: bool = False
    volume: int = 80
    repeat_mode: str = "RepeatNone"
    shuffle: bool = False
    audio_stream_index: int | None = 1
    subtitle_stream_index: int | None = -1
    playback_rate: float = 1.0
    subtitle_offset: int = 0
    last_activity: datetime | None = None
    # script and bookkeeping
    next_action_at: float = 0.0
    manual_until: float = -1.0
    progress_phase: float = 0.0
    messages: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    navigation: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)

    @property
    def is_playing(self) -> bool:
        """Whether something is loaded (paused or not)."""
        return self.now_playing is not None
