"""The odd WebSocket frames the simulator sends under `Fault(ws_malformed=True)`.

Dependency-free on purpose: `fuzz/seed_corpus.py` loads this file on its own (without aiohttp)
to seed the frame parser's fuzz corpus with exactly these frames.
"""

#: Text frames, or bytes for a binary frame.
MALFORMED_FRAMES: tuple[str | bytes, ...] = (
    "this is not json",
    '{"MessageType":"Sessions","Data":42}',
    '{"MessageType":"Sessions","Data":"not a list"}',
    '{"MessageType":"LibraryChanged","Data":[1,2,3]}',
    '{"MessageType":"UserDataChanged"}',
    '{"MessageType":"NoSuchMessageType","Data":{"Anything":true}}',
    '{"Data":{"MessageTypeMissing":true}}',
    "[]",
    b"\x00\x01\x02binary frame",
    '{"MessageType":"Sessions","Data":[{"Id":5,"PlayState":"bad","DeviceId":null}]}',
    '{"MessageType":"Sessions","Data":[{',
    '{"MessageType":"Ping"}',
    '{"MessageType":"ForceKeepAlive","Data":"sixty"}',
)
