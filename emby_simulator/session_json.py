"""SessionInfo JSON (`GET /Sessions`, the Data of Sessions and playback frames)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .clients import Session
from .clock import Clock, emby_date
from .dto import Dto
from .fields import NOW_PLAYING_FIELDS
from .library import Library
from .models import Item
from .transcoding import transcoding_info


class SessionJson:
    """Sessions as Emby sends them."""

    def __init__(self, library: Library, dto: Dto, clock: Clock) -> None:
        """Bind to the library (now-playing items) and the clock (activity dates)."""
        self._library = library
        self._dto = dto
        self._clock = clock

    def listing(
        self,
        sessions: list[Session],
        controllable_by: str | None = None,
        device_id: str | None = None,
        session_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """`GET /Sessions` with its filters (also the Data of Sessions frames)."""
        if device_id:
            sessions = [s for s in sessions if s.device_id == device_id]
        if session_id:
            sessions = [s for s in sessions if s.id == session_id]
        if controllable_by:
            user = self._library.user(controllable_by)
            if user is None:
                return []
            sessions = [
                s
                for s in sessions
                if s.supports_remote_control
                and (
                    s.user_id is None
                    or s.user_id == user.id
                    or user.enable_remote_control_of_other_users
                )
            ]
        return [self.to_json(s) for s in sessions]

    def to_json(self, session: Session, stopped_item: Item | None = None) -> dict[str, Any]:
        """Session.SessionInfo as Emby sends it (idle sessions have no NowPlayingItem)."""
        lib = self._library
        item = stopped_item or (lib.items.get(session.now_playing) if session.now_playing else None)
        state: dict[str, Any] = {}
        if item is not None:
            state["PositionTicks"] = session.position_ticks
            state["CanSeek"] = bool(item.runtime_ticks)
            state["IsPaused"] = session.is_paused
            state["IsMuted"] = session.is_muted
            if session.reports_volume:
                state["VolumeLevel"] = session.volume
            if item.type != "Audio":
                if session.audio_stream_index is not None:
                    state["AudioStreamIndex"] = session.audio_stream_index
                if session.subtitle_stream_index is not None:
                    state["SubtitleStreamIndex"] = session.subtitle_stream_index
            state["MediaSourceId"] = self._dto.media_source_id(item)
            state["PlayMethod"] = session.play_method
        else:
            state = {"CanSeek": False, "IsPaused": False, "IsMuted": session.is_muted}
        state["RepeatMode"] = session.repeat_mode
        state["SubtitleOffset"] = session.subtitle_offset
        if session.shuffle:
            state["Shuffle"] = True
        state["PlaybackRate"] = session.playback_rate
        out: dict[str, Any] = {
            "PlayState": state,
            "AdditionalUsers": [],
            "RemoteEndPoint": session.remote_end_point,
            "Protocol": "HTTP/1.1",
            "PlayableMediaTypes": list(session.playable_media_types),
        }
        if item is not None:
            out["PlaylistItemId"] = f"playlistItem{session.queue_index}"
        out["PlaylistIndex"] = session.queue_index if session.queue else 0
        out["PlaylistLength"] = len(session.queue)
        out["Id"] = session.id
        out["ServerId"] = lib.server_id
        if session.user_id is not None:
            out["UserId"] = session.user_id
            out["UserName"] = session.user_name or ""
            if session.user_image_tag:
                out["UserPrimaryImageTag"] = session.user_image_tag
        out["Client"] = session.client
        out["LastActivityDate"] = self._date(session.last_activity)
        out["DeviceName"] = session.device_name
        if item is not None:
            out["NowPlayingItem"] = self._dto.item(item, None, NOW_PLAYING_FIELDS)
        out["InternalDeviceId"] = session.internal_device_id
        out["DeviceId"] = session.device_id
        out["ApplicationVersion"] = session.app_version
        if session.icon:
            out["AppIconUrl"] = session.icon
        out["SupportedCommands"] = list(session.supported_commands)
        if item is not None and session.play_method == "Transcode":
            out["TranscodingInfo"] = transcoding_info(item, session.position_ticks)
        out["SupportsRemoteControl"] = session.supports_remote_control
        return out

    def _date(self, value: datetime | None) -> str:
        """A date in Emby's format (now when missing)."""
        return emby_date(value or self._clock.now())
