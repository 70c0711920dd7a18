"""The per-update models (`Session`, `PlayState`, `TranscodingInfo`, `NowPlayingItem`,
`NowPlayingUserData`): frozen
classes whose attributes are the keys of their dict form, equal when every field is, with a
`repr` free of the remote address and `copy.replace` for changed copies."""

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from embymedia_core import EmbyClient, NowPlayingItem, PlayState, Session, TranscodingInfo

from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "K3Y-s3cr3t-models-0123456789"
DEVICE_ID = "core-model-tests"


@pytest.fixture
async def sessions(socket_enabled: None) -> AsyncIterator[list[Session]]:
    """The sessions of a simulated server with two clients playing (one of them an episode)."""
    config = SimulatorConfig(api_key=API_KEY, clients=4, playing=2)
    async with EmbySimulator(config) as sim:
        client = EmbyClient("127.0.0.1", sim.port, API_KEY, device_id=DEVICE_ID, timeout=5.0)
        try:
            yield await client.get_sessions()
        finally:
            await asyncio.wait_for(client.close(), 10)


def playing(sessions: list[Session]) -> Session:
    return next(s for s in sessions if s.now_playing_item is not None)


def models_of(session: Session) -> list[Any]:
    """The session and every model it holds."""
    found: list[Any] = [session, session.play_state]
    if session.transcoding_info is not None:
        found.append(session.transcoding_info)
    if (item := session.now_playing_item) is not None:
        found.append(item)
        if item.user_data is not None:
            found.append(item.user_data)
    return found


async def test_attributes_are_the_dict_form(sessions: list[Session]) -> None:
    """Every key of `to_dict()` is an attribute with the same value (nested models as dicts),
    and the dict form is plain JSON (diagnostics and snapshots dump it)."""
    for session in sessions:
        for model in models_of(session):
            as_dict = model.to_dict()
            json.dumps(as_dict)
            for key, value in as_dict.items():
                attr = getattr(model, key)
                assert (attr.to_dict() if hasattr(attr, "to_dict") else attr) == value, key
    item = playing(sessions).now_playing_item
    assert isinstance(item, NowPlayingItem)
    assert item.to_dict()["type"] == item.type


async def test_transcoding_session_says_why(sessions: list[Session]) -> None:
    """A transcoding session carries Emby's TranscodingInfo (reasons, codecs, size); a direct
    one has none; the nested model replaces and compares like the others."""
    transcoding = [s for s in sessions if s.play_state.play_method == "Transcode"]
    assert transcoding
    for session in sessions:
        info = session.transcoding_info
        if session not in transcoding:
            assert info is None, session
            continue
        assert isinstance(info, TranscodingInfo)
        assert info.transcode_reasons
        assert info.video_codec == "h264"
        assert info.is_video_direct is False
        assert info.bitrate is not None
        assert info.bitrate > 0
        assert session.to_dict()["transcoding_info"] == info.to_dict()
        assert repr(info).startswith("TranscodingInfo(video_codec='h264'")
        direct = copy.replace(session, transcoding_info=None)
        assert direct.transcoding_info is None
        assert direct != session
        assert copy.replace(info, transcode_reasons=[]).transcode_reasons == []
        with pytest.raises(TypeError, match=r"TranscodingInfo\.transcode_reasons"):
            copy.replace(info, transcode_reasons="VideoCodecNotSupported")


async def test_frozen_and_equal_by_value(sessions: list[Session]) -> None:
    """Attributes cannot be set; equal fields make equal objects (the session coordinator
    skips updates whose data compare equal); the models are unhashable like the dicts were."""
    session = playing(sessions)
    with pytest.raises(AttributeError):
        session.device_id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        session.play_state.is_paused = True  # type: ignore[misc]
    assert copy.replace(session) == session
    assert copy.replace(session) is not session
    assert copy.replace(session, device_name="x") != session
    assert session != session.to_dict()
    assert [copy.replace(s) for s in sessions] == sessions
    with pytest.raises(TypeError):
        hash(session)


async def test_replace_changes_named_fields_only(sessions: list[Session]) -> None:
    """`copy.replace` sets fields of any model (nested ones too) and refuses unknown names and
    values of the wrong type; every field of the dict form can be replaced."""
    session = playing(sessions)
    paused = copy.replace(
        session, play_state=copy.replace(session.play_state, is_paused=True, position_ticks=5)
    )
    assert paused.play_state.is_paused is True
    assert paused.play_state.position_ticks == 5
    assert paused.now_playing_item == session.now_playing_item
    stopped = copy.replace(session, now_playing_item=None)
    assert stopped.now_playing_item is None
    assert stopped.to_dict() == session.to_dict() | {"now_playing_item": None}

    for model in models_of(session):
        for key in model.to_dict():
            assert copy.replace(model, **{key: getattr(model, key)}) == model, key
    with pytest.raises(TypeError, match="no field 'nope'"):
        copy.replace(session, nope=1)
    with pytest.raises(TypeError, match=r"Session\.device_id"):
        copy.replace(session, device_id=1)
    with pytest.raises(TypeError, match=r"Session\.play_state"):
        copy.replace(session, play_state=session.play_state.to_dict())
    assert isinstance(session.play_state, PlayState)


async def test_is_playing_ignores_theme_media(sessions: list[Session]) -> None:
    """`is_playing`: a now-playing item that is not theme media (a theme song plays while the
    user browses), without building the item."""
    session = playing(sessions)
    item = session.now_playing_item
    assert item is not None
    assert session.is_playing is True
    assert copy.replace(session, now_playing_item=None).is_playing is False
    theme = copy.replace(item, is_theme_media=True)
    assert copy.replace(session, now_playing_item=theme).is_playing is False
    assert [s.is_playing for s in sessions] == [s.now_playing_item is not None for s in sessions]


async def test_repr_names_the_session_without_its_address(sessions: list[Session]) -> None:
    """repr() says which client and what it plays; the remote address stays out."""
    session = playing(sessions)
    text = repr(session)
    assert text.startswith("Session(")
    assert repr(session.device_name) in text
    item = session.now_playing_item
    assert item is not None
    assert f"NowPlayingItem(id={item.id!r}" in text
    assert "PlayState(" in text
    assert session.remote_end_point
    assert session.remote_end_point not in text
    assert API_KEY not in text
    assert repr(session.play_state).startswith("PlayState(")
