"""Clients, their sessions and the playback state machine.

Simulated clients are modelled on real ones (the Emby Web, Roku and Android captures of the
fixtures, plus a TV app, a music-only speaker and a client that cannot be remote controlled).
Each has a stable DeviceId; its session Id changes whenever it reconnects, as on Emby.

Remote-control commands change the state as the real client would, including the documented
quirks of Emby for Roku (EMBY.md 3.2: Pause, Unpause and NextTrack do nothing; PreviousTrack goes
home; Rewind, FastForward and SeekRelative leave playback).

Time: `advance` moves positions of unpaused sessions and runs each client's script at absolute
simulated times, so the result does not depend on how time is cut into `advance` calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .clients import PROFILES, ClientProfile, Session
from .clock import TICKS_PER_SECOND, Clock, hex_id, ticks
from .config import SimulatorConfig
from .dto import Dto
from .library import Library
from .models import Item, User

PROGRESS_INTERVAL = 10.0
"""Simulated seconds between a playing client's progress reports (Emby apps report every ~10 s)."""
BALANCE_DELAY = 20.0
"""Simulated seconds after a client stops before another idle client starts (script)."""

EventSink = Callable[[str, Session], None]
"""(MessageType, session) for PlaybackStart, PlaybackStopped, PlaybackProgress,
SessionStarted (internal), SessionEnded, SessionActivity (internal)."""


class SessionManager:
    """Every session of the server."""

    def __init__(
        self,
        config: SimulatorConfig,
        *,
        library: Library,
        dto: Dto,
        clock: Clock,
        emit: EventSink,
        activity: Callable[[str, str, str | None, str | None], None],
    ) -> None:
        """Create the configured clients; the first `playing` ones start playing."""
        self.config = config
        self.library = library
        self.dto = dto
        self.clock = clock
        self.emit = emit
        self.activity = activity
        self._sessions: dict[str, Session] = {}
        """By DeviceId, in creation order."""
        self.devices: dict[str, dict[str, Any]] = {}
        self._generation = 0
        self._next_internal_id = 1
        self.next_balance_at: float | None = None
        self._rng = random.Random(f"sessions-{config.seed}")
        users = [u for u in library.users if not u.is_disabled]
        for n in range(config.clients):
            profile = PROFILES[n % len(PROFILES)]
            device_name = profile.device_name
            if n >= len(PROFILES):
                device_name = f"{device_name} {n // len(PROFILES) + 1}"
            self.add_client(
                client=profile.client,
                device_name=device_name,
                device_id=self._device_id(n),
                user=users[n % len(users)],
                profile=profile,
                announce=False,
            )
        for session in self.simulated()[: config.playing]:
            self._start_something(session, announce=False)

    # -- lookup -------------------------------------------------------------------------------

    def _device_id(self, n: int) -> str:
        h = hex_id(self.library.server_id, "device", n)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _session_id(self, device_id: str) -> str:
        self._generation += 1
        return hex_id(self.library.server_id, "session", device_id, self._generation)

    def all(self) -> list[Session]:
        """Sessions in creation order."""
        return list(self._sessions.values())

    def simulated(self) -> list[Session]:
        """Sessions of simulated clients."""
        return [s for s in self._sessions.values() if s.simulated]

    def by_device(self, device_id: str) -> Session | None:
        """A session by DeviceId."""
        return self._sessions.get(device_id)

    def by_id(self, session_id: str) -> Session | None:
        """A session by its Id."""
        return next((s for s in self._sessions.values() if s.id == session_id), None)

    def playing_count(self) -> int:
        """Sessions with something loaded."""
        return sum(1 for s in self._sessions.values() if s.is_playing)

    # -- clients ------------------------------------------------------------------------------

    def add_client(
        self,
        *,
        client: str = "Emby Web",
        device_name: str = "Simulated Browser",
        device_id: str | None = None,
        user: User | None = None,
        profile: ClientProfile | None = None,
        app_version: str | None = None,
        supports_remote_control: bool | None = None,
        supported_commands: list[str] | None = None,
        playable_media_types: list[str] | None = None,
        announce: bool = True,
    ) -> Session:
        """A simulated client connects (a session appears)."""
        profile = profile or next((p for p in PROFILES if p.client == client), PROFILES[0])
        device_id = device_id or self._device_id(1000 + len(self.devices))
        if device_id in self._sessions:
            raise ValueError(f"device {device_id} already has a session")
        if user is None:
            user = next((u for u in self.library.users if not u.is_disabled), None)
        session = Session(
            device_id=device_id,
            client=client,
            device_name=device_name,
            app_version=app_version or profile.app_version,
            internal_device_id=self._internal_id(device_id),
            id=self._session_id(device_id),
            user_id=user.id if user else None,
            user_name=user.name if user else None,
            user_image_tag=user.primary_image_tag if user else None,
            icon=profile.icon,
            remote_end_point=profile.remote_end_point,
            supports_remote_control=profile.supports_remote_control
            if supports_remote_control is None
            else supports_remote_control,
            supported_commands=list(
                profile.supported_commands if supported_commands is None else supported_commands
            ),
            playable_media_types=list(
                profile.playable_media_types
                if playable_media_types is None
                else playable_media_types
            ),
            play_method=profile.play_method,
            reports_volume=profile.reports_volume,
            ignored_playstate=profile.ignored_playstate,
            leaves_on=profile.leaves_on,
            last_activity=self.clock.now(),
            rng=random.Random(f"script-{self.config.seed}-{device_id}"),
        )
        session.progress_phase = (len(self._sessions) * 3.7) % PROGRESS_INTERVAL
        session.next_action_at = self.clock.seconds + session.rng.uniform(120, 600)
        session.volume = 60 + session.rng.randint(0, 8) * 5
        self._sessions[device_id] = session
        self._remember_device(session)
        if announce:
            self.emit("SessionStarted", session)
        return session

    def _internal_id(self, device_id: str) -> int:
        known = self.devices.get(device_id)
        if known is not None:
            return int(known["InternalId"])
        value = self._next_internal_id
        self._next_internal_id += 1
        return value

    def _remember_device(self, session: Session) -> None:
        info = {
            "Name": session.device_name,
            "Id": session.device_id,
            "InternalId": session.internal_device_id,
            "ReportedDeviceId": session.device_id,
            "AppName": session.client,
            "AppVersion": session.app_version,
            "DateLastActivity": session.last_activity or self.clock.now(),
            "IpAddress": session.remote_end_point,
        }
        if session.user_id:
            info["LastUserId"] = session.user_id
            info["LastUserName"] = session.user_name or ""
        if session.icon:
            info["IconUrl"] = session.icon
        self.devices[session.device_id] = info

    def remove_client(self, device_id: str) -> Session:
        """A client disconnects (SessionEnded); its device stays known."""
        session = self._sessions.pop(device_id, None)
        if session is None:
            raise KeyError(device_id)
        if session.is_playing:
            self._stop(session, announce=True)
        self.emit("SessionEnded", session)
        return session

    def api_session(
        self,
        device_id: str,
        *,
        client: str,
        device_name: str,
        version: str,
        user: User | None,
        remote: str,
    ) -> Session:
        """The session of a real API consumer, created on its first identified request."""
        session = self._sessions.get(device_id)
        now = self.clock.now()
        if session is not None:
            session.last_activity = now
            session.client, session.device_name, session.app_version = client, device_name, version
            self.devices.get(device_id, {})["DateLastActivity"] = now
            return session
        session = Session(
            device_id=device_id,
            client=client,
            device_name=device_name,
            app_version=version,
            internal_device_id=self._internal_id(device_id),
            id=self._session_id(device_id),
            user_id=user.id if user else None,
            user_name=user.name if user else None,
            user_image_tag=user.primary_image_tag if user else None,
            remote_end_point=remote,
            simulated=False,
            last_activity=now,
            audio_stream_index=None,
            subtitle_stream_index=None,
        )
        self._sessions[device_id] = session
        self._remember_device(session)
        self.emit("SessionStarted", session)
        return session

    def end_api_session(self, device_id: str) -> None:
        """The last socket of an API consumer closed: its session ends (EMBY.md 4.4)."""
        session = self._sessions.get(device_id)
        if session is not None and not session.simulated:
            del self._sessions[device_id]
            self.emit("SessionEnded", session)

    def register_capabilities(
        self, session: Session, body: dict[str, Any], query: dict[str, str]
    ) -> None:
        """POST /Sessions/Capabilities(/Full): what the client can do, from JSON or query."""
        media = body.get("PlayableMediaTypes", query.get("playablemediatypes"))
        commands = body.get("SupportedCommands", query.get("supportedcommands"))
        control = body.get("SupportsMediaControl", query.get("supportsmediacontrol"))
        if isinstance(media, str):
            media = [m for m in media.split(",") if m]
        if isinstance(commands, str):
            commands = [c for c in commands.split(",") if c]
        if isinstance(media, list):
            session.playable_media_types = [str(m) for m in media]
        if isinstance(commands, list):
            session.supported_commands = [str(c) for c in commands]
        if isinstance(control, str):
            control = control.lower() == "true"
        if isinstance(control, bool):
            session.supports_remote_control = control
        session.capabilities_registered = True
        self.emit("CapabilitiesChanged", session)

    def reconnect_all(self) -> None:
        """After a server restart: clients come back with new session ids; API consumers'
        sessions are gone until they make requests again."""
        for device_id, session in list(self._sessions.items()):
            if not session.simulated:
                del self._sessions[device_id]
                continue
            session.id = self._session_id(device_id)
            session.capabilities_registered = False
            session.sockets = 0

    # -- playback primitives ------------------------------------------------------------------

    def _load(
        self, session: Session, index: int, position: int = 0, *, announce: bool = True
    ) -> None:
        """Play queue[index] from `position`."""
        if session.is_playing and announce:
            self._stop(session, announce=True, keep_queue=True)
        session.queue_index = index
        session.now_playing = session.queue[index]
        session.position_ticks = max(0, position)
        session.is_paused = False
        session.last_activity = self.clock.now()
        item = self.library.items.get(session.now_playing)
        if item is not None and item.type == "Audio":
            session.audio_stream_index = 0
        if announce:
            self.emit("PlaybackStart", session)
            self.activity(
                f"{session.user_name or 'Someone'} is playing {item.name if item else '?'} on "
                f"{session.device_name}",
                "playback.start",
                session.user_id,
                session.now_playing,
            )

    def _stop(self, session: Session, *, announce: bool, keep_queue: bool = False) -> None:
        item = self.library.items.get(session.now_playing or "")
        if announce and session.is_playing:
            self.emit("PlaybackStopped", session)
            self.activity(
                f"{session.user_name or 'Someone'} has finished playing "
                f"{item.name if item else '?'} on {session.device_name}",
                "playback.stop",
                session.user_id,
                session.now_playing,
            )
        if item is not None and session.user_id is not None:
            self._save_progress(session, item)
        session.now_playing = None
        session.position_ticks = 0
        session.is_paused = False
        session.last_activity = self.clock.now()
        if not keep_queue:
            session.queue = []
            session.queue_index = 0

    def _save_progress(self, session: Session, item: Item) -> None:
        """What Emby stores when playback stops: resume point or played."""
        assert session.user_id is not None
        data = self.library.store_user_data(session.user_id, item.id)
        runtime = item.runtime_ticks or 0
        data.last_played = self.clock.now()
        if runtime and session.position_ticks >= runtime * 0.9:
            data.played = True
            data.play_count += 1
            data.position_ticks = 0
        elif session.position_ticks >= 120 * TICKS_PER_SECOND:
            data.position_ticks = session.position_ticks

    def _expand(self, item_ids: list[str]) -> list[str]:
        out: list[str] = []
        for item_id in item_ids:
            item = self.library.items.get(item_id)
            if item is not None:
                out.extend(i.id for i in self.library.playable(item))
        return out

    # -- remote control -----------------------------------------------------------------------

    def _controllable(self, session: Session) -> bool:
        return session.supports_remote_control

    def _hold(self, session: Session) -> None:
        """A remotely controlled client is left alone by its script for a while."""
        session.manual_until = self.clock.seconds + 900.0

    def play(
        self,
        session: Session,
        item_ids: list[str],
        command: str,
        *,
        start_ticks: int | None = None,
        start_index: int | None = None,
        audio_index: int | None = None,
        subtitle_index: int | None = None,
    ) -> bool:
        """POST /Sessions/{Id}/Playing; False when the client did not act on it."""
        session.commands.append({"Command": command, "ItemIds": list(item_ids)})
        if not self._controllable(session):
            return False
        self._hold(session)
        expanded = self._expand(item_ids)
        if not expanded:
            return False
        if command == "PlayInstantMix":
            first = self.library.items.get(item_ids[0])
            if first is None:
                return False
            expanded = [t.id for t in self.dto_instant_mix(first)][:100]
        elif command == "PlayShuffle":
            session.rng.shuffle(expanded)
        if command in ("PlayNext", "PlayLast") and session.is_playing:
            if command == "PlayNext":
                at = session.queue_index + 1
                session.queue[at:at] = expanded
            else:
                session.queue.extend(expanded)
            self.emit("PlaybackProgress", session)
            return True
        session.queue = expanded
        index = min(max(start_index or 0, 0), len(expanded) - 1)
        position = (
            start_ticks or 0 if command in ("PlayNow", "PlayInstantMix", "PlayShuffle") else 0
        )
        if audio_index is not None:
            session.audio_stream_index = audio_index
        if subtitle_index is not None:
            session.subtitle_stream_index = subtitle_index
        self._load(session, index, position)
        return True

    def dto_instant_mix(self, item: Item) -> list[Item]:
        """Tracks for an instant mix (shared with the REST endpoint through the query engine)."""
        from .query import QueryEngine  # noqa: PLC0415  (the engine is stateless here)

        return QueryEngine(self.library, self.config.seed).instant_mix(item)

    def playstate(self, session: Session, command: str, seek_ticks: int | None = None) -> bool:
        """POST /Sessions/{Id}/Playing/{Command}; False when the client did not act on it."""
        session.commands.append({"Command": command, "SeekPositionTicks": seek_ticks})
        if not self._controllable(session) or command in session.ignored_playstate:
            return False
        self._hold(session)
        if command in session.leaves_on:
            if session.is_playing:
                self._stop(session, announce=True)
            session.navigation.append("Home")
            return True
        if not session.is_playing:
            return False
        item = self.library.items.get(session.now_playing or "")
        runtime = item.runtime_ticks or 0 if item else 0
        if command == "Stop":
            self._stop(session, announce=True)
            self._schedule_balance()
            return True
        if command in ("NextTrack", "PreviousTrack"):
            return self._skip(session, 1 if command == "NextTrack" else -1)
        if command == "Pause":
            session.is_paused = True
        elif command == "Unpause":
            session.is_paused = False
        elif command == "PlayPause":
            session.is_paused = not session.is_paused
        elif command == "Seek":
            if seek_ticks is None:
                return False
            session.position_ticks = min(max(seek_ticks, 0), runtime or seek_ticks)
        elif command == "SeekRelative":
            session.position_ticks = min(
                max(session.position_ticks + (seek_ticks or 0), 0), runtime
            )
        elif command == "Rewind":
            session.position_ticks = max(session.position_ticks - ticks(10), 0)
        elif command == "FastForward":
            session.position_ticks = min(session.position_ticks + ticks(30), runtime)
        else:
            return False
        session.last_activity = self.clock.now()
        self.emit("PlaybackProgress", session)
        return True

    def _skip(self, session: Session, step: int) -> bool:
        target = session.queue_index + step
        if step < 0 and session.position_ticks > ticks(5):
            # Like most players: "previous" first restarts the current item.
            session.position_ticks = 0
            self.emit("PlaybackProgress", session)
            return True
        if 0 <= target < len(session.queue):
            self._load(session, target)
            return True
        return False

    def general_command(self, session: Session, name: str, arguments: dict[str, str]) -> bool:
        """POST /Sessions/{Id}/Command[/{Name}]; False when the client did not act on it."""
        session.commands.append({"Name": name, "Arguments": dict(arguments)})
        if not self._controllable(session):
            return False
        supported = set(session.supported_commands)
        aliases = {"SetShuffleQueue": "SetShuffle", "ToggleOsdMenu": "ToggleOsd"}
        if (
            name not in supported
            and aliases.get(name) not in supported
            and name != "DisplayMessage"
        ):
            return False
        self._hold(session)
        changed = True
        args = {k.lower(): v for k, v in arguments.items()}
        if name == "SetVolume":
            try:
                session.volume = min(max(int(float(args.get("volume", "")) + 0.5), 0), 100)
            except ValueError:
                return False
            session.is_muted = False
        elif name == "VolumeUp":
            session.volume = min(session.volume + 2, 100)
        elif name == "VolumeDown":
            session.volume = max(session.volume - 2, 0)
        elif name == "Mute":
            session.is_muted = True
        elif name == "Unmute":
            session.is_muted = False
        elif name == "ToggleMute":
            session.is_muted = not session.is_muted
        elif name == "SetRepeatMode":
            mode = args.get("repeatmode", "")
            if mode not in ("RepeatNone", "RepeatAll", "RepeatOne"):
                return False
            session.repeat_mode = mode
        elif name in ("SetShuffle", "SetShuffleQueue"):
            session.shuffle = args.get("shuffle", "true").lower() == "true"
        elif name == "SetAudioStreamIndex":
            session.audio_stream_index = _int(args.get("index"), session.audio_stream_index)
        elif name == "SetSubtitleStreamIndex":
            session.subtitle_stream_index = _int(args.get("index"), session.subtitle_stream_index)
        elif name == "SetPlaybackRate":
            try:
                session.playback_rate = min(max(float(args.get("playbackrate", "1")), 0.25), 4.0)
            except ValueError:
                return False
        elif name == "SetSubtitleOffset":
            session.subtitle_offset = _int(args.get("subtitleoffset"), session.subtitle_offset) or 0
        elif name == "DisplayMessage":
            return self.message(
                session,
                args.get("header", ""),
                args.get("text", ""),
                _int(args.get("timeoutms"), None),
            )
        else:
            # Navigation and the like change nothing a server can see.
            session.navigation.append(
                name if name != "SendString" else f"SendString:{args.get('string', '')}"
            )
            changed = False
        session.last_activity = self.clock.now()
        if changed:
            self.emit("PlaybackProgress", session)
        return True

    def message(self, session: Session, header: str, text: str, timeout_ms: int | None) -> bool:
        """POST /Sessions/{Id}/Message (or DisplayMessage)."""
        if not self._controllable(session) or "DisplayMessage" not in session.supported_commands:
            session.commands.append({"Name": "DisplayMessage", "Ignored": True})
            return False
        session.messages.append(
            {"Header": header, "Text": text, "TimeoutMs": timeout_ms, "At": self.clock.seconds}
        )
        return True

    # -- control hooks (tests) ----------------------------------------------------------------

    def start_playback(self, session: Session, item_id: str, position_s: float = 0) -> None:
        """Make a client play an item (as if the user picked it on the device)."""
        expanded = self._expand([item_id])
        if not expanded:
            raise KeyError(item_id)
        self._hold(session)
        session.queue = expanded
        self._load(session, 0, ticks(position_s))

    def set_paused(self, session: Session, paused: bool) -> None:
        """Pause or resume on the device itself."""
        if not session.is_playing:
            raise ValueError(f"{session.device_id} is not playing")
        self._hold(session)
        if session.is_paused != paused:
            session.is_paused = paused
            session.last_activity = self.clock.now()
            self.emit("PlaybackProgress", session)

    def stop_playback(self, session: Session) -> None:
        """Stop on the device itself."""
        self._hold(session)
        if session.is_playing:
            self._stop(session, announce=True)

    # -- time ---------------------------------------------------------------------------------

    def _schedule_balance(self) -> None:
        if self.config.script and self.next_balance_at is None:
            self.next_balance_at = self.clock.seconds + BALANCE_DELAY

    def _end_time(self, session: Session) -> float | None:
        if not session.is_playing or session.is_paused:
            return None
        item = self.library.items.get(session.now_playing or "")
        if item is None or not item.runtime_ticks:
            return None
        remaining = (item.runtime_ticks - session.position_ticks) / TICKS_PER_SECOND
        return self.clock.seconds + max(remaining, 0.0) / max(session.playback_rate, 0.01)

    def advance(self, seconds: float) -> bool:
        """Move simulated time; True when a playing client reported progress meanwhile."""
        start = self.clock.seconds
        target = start + seconds
        progressed = False
        while True:
            now = self.clock.seconds
            due = [target]
            for session in self._sessions.values():
                end = self._end_time(session)
                if end is not None:
                    due.append(end)
                if self._scripted(session):
                    due.append(session.next_action_at)
            if self.next_balance_at is not None:
                due.append(self.next_balance_at)
            step_to = max(min(due), now)
            self._move(step_to - now)
            self.clock.seconds = step_to
            self._fire(step_to)
            if step_to >= target:
                break
        for session in self._sessions.values():
            if not session.is_playing:
                continue
            if _reports_between(session.progress_phase, start, target):
                progressed = True
            # The position shown moved with the clock: so does the time it was valid (Emby
            # shows a position with the LastActivityDate of the report that gave it).
            if target > start:
                session.last_activity = self.clock.now()
        return progressed

    def _scripted(self, session: Session) -> bool:
        return (
            self.config.script and session.simulated and session.manual_until < self.clock.seconds
        )

    def _move(self, seconds: float) -> None:
        if seconds <= 0:
            return
        for session in self._sessions.values():
            if session.is_playing and not session.is_paused:
                session.position_ticks += ticks(seconds * session.playback_rate)

    def _fire(self, now: float) -> None:
        for session in list(self._sessions.values()):
            end = self._end_time(session)
            if end is not None and end <= now + 1e-9:
                self._item_ended(session)
            if self._scripted(session) and session.next_action_at <= now + 1e-9:
                self._script_step(session)
                session.next_action_at = now + session.rng.uniform(240.0, 900.0)
        if self.next_balance_at is not None and self.next_balance_at <= now + 1e-9:
            self.next_balance_at = None
            self._balance()

    def _item_ended(self, session: Session) -> None:
        """The current item reached its end: repeat, next in queue, next episode, or stop."""
        item = self.library.items.get(session.now_playing or "")
        if session.repeat_mode == "RepeatOne":
            session.position_ticks = 0
            self.emit("PlaybackProgress", session)
            return
        if item is not None:
            item_runtime = item.runtime_ticks or 0
            session.position_ticks = item_runtime
        if session.queue_index + 1 < len(session.queue):
            self._load(session, session.queue_index + 1)
            return
        if session.repeat_mode == "RepeatAll" and session.queue:
            self._load(session, 0)
            return
        if item is not None and item.type == "Episode" and item.series_id:
            episodes = self.library.episodes_of(item.series_id)
            ids = [e.id for e in episodes]
            if item.id in ids and ids.index(item.id) + 1 < len(ids):
                session.queue.append(ids[ids.index(item.id) + 1])
                self._load(session, len(session.queue) - 1)
                return
        self._stop(session, announce=True)
        self._schedule_balance()

    def _script_step(self, session: Session) -> None:
        rng = session.rng
        r = rng.random()
        if session.is_playing and not session.is_paused:
            if r < 0.15:
                session.is_paused = True
                self.emit("PlaybackProgress", session)
            elif r < 0.3:
                item = self.library.items.get(session.now_playing or "")
                runtime = item.runtime_ticks or 0 if item else 0
                session.position_ticks = int(runtime * rng.uniform(0.05, 0.85)) // 10**7 * 10**7
                self.emit("PlaybackProgress", session)
            elif r < 0.4:
                self._stop(session, announce=True)
                self._schedule_balance()
            elif r < 0.5:
                self._start_something(session)
        elif session.is_playing:
            if r < 0.75:
                session.is_paused = False
                self.emit("PlaybackProgress", session)
            else:
                self._stop(session, announce=True)
                self._schedule_balance()
        elif self.playing_count() < self.config.playing:
            self._start_something(session)

    def _balance(self) -> None:
        """Start idle scripted clients until `playing` clients play again."""
        for session in self.simulated():
            if self.playing_count() >= self.config.playing:
                return
            if not session.is_playing and self._scripted(session):
                self._start_something(session)

    def _start_something(self, session: Session, *, announce: bool = True) -> None:
        """Pick something the client can play and play it."""
        lib = self.library
        rng = session.rng
        video = "Video" in session.playable_media_types
        audio = "Audio" in session.playable_media_types
        pools: list[list[str]] = []
        if video:
            pools += [
                p for p in (lib.by_type.get("Movie", []), lib.by_type.get("Episode", [])) if p
            ]
        if audio and (not pools or rng.random() < 0.2):
            pools = [p for p in (lib.by_type.get("Audio", []),) if p] or pools
        if not pools:
            return
        pool = rng.choice(pools)
        item = lib.items[rng.choice(pool)]
        if item.type == "Audio" and item.album_id in lib.items:
            queue = [t.id for t in lib.children_of(lib.items[item.album_id or ""])]
        else:
            queue = [item.id]
        session.queue = queue
        index = queue.index(item.id)
        runtime = item.runtime_ticks or 0
        position = (
            0 if item.type == "Audio" else int(runtime * rng.uniform(0.0, 0.5)) // 10**7 * 10**7
        )
        self._load(session, index, position, announce=announce)


def _reports_between(phase: float, start: float, end: float) -> bool:
    """Whether a progress report (every PROGRESS_INTERVAL s, offset by `phase`) falls in
    (start, end]."""
    if end <= start:
        return False
    return (end - phase) // PROGRESS_INTERVAL > (start - phase) // PROGRESS_INTERVAL


def _int(value: str | None, default: int | None) -> int | None:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default
