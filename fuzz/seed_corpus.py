"""Writes the seed corpus of the `frame` fuzz target (fuzz/corpus/frame/) from the real Emby
captures in tests/fixtures/emby/ and the odd frames the simulator sends under `ws_malformed`.

Run from the repository root: `python fuzz/seed_corpus.py` (the files are committed; rerun after
adding fixtures). File names are content hashes, as libFuzzer names the inputs it adds.
"""

import hashlib
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "emby"
OUT = ROOT / "fuzz" / "corpus" / "frame"
MALFORMED = ROOT / "emby_simulator" / "malformed.py"


def malformed_frames() -> list[str | bytes]:
    """The simulator's odd frames, loaded from their dependency-free module alone (importing the
    emby_simulator package would need aiohttp)."""
    spec = importlib.util.spec_from_file_location("emby_simulator_malformed", MALFORMED)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.MALFORMED_FRAMES)


def frame(message_type: str, data: object = None, *, with_data: bool = True) -> str:
    body: dict[str, object] = {"MessageType": message_type}
    if with_data:
        body["Data"] = data
    body["MessageId"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    return json.dumps(body, separators=(",", ":"))


def main() -> None:
    seeds: list[str | bytes] = []
    for name in ("emby_ws_librarychanged_4.9.5.json", "emby_ws_userdatachanged_4.9.5.json"):
        seeds.append((FIXTURES / name).read_text())
    for entry in json.loads((FIXTURES / "ws_control_frames_examples.json").read_text()):
        seeds.append(json.dumps(entry["frame"], separators=(",", ":")))
    sessions = []
    for name in sorted(FIXTURES.glob("emby_sessions_*.json")):
        sessions.extend(json.loads(name.read_text()))
    seeds.append(frame("Sessions", sessions))
    for kind in ("PlaybackStart", "PlaybackStopped", "PlaybackProgress", "SessionEnded"):
        seeds.append(frame(kind, sessions[0]))
    partial = json.loads(
        (FIXTURES / "emby_session_android_playstate_playing_partial.json").read_text()
    )
    seeds.append(frame("PlaybackProgress", partial))
    # Data as a JSON string (some servers double-encode), numbers, missing.
    library = json.loads((FIXTURES / "emby_ws_librarychanged_4.9.5.json").read_text())
    seeds.append(frame("LibraryChanged", json.dumps(library["Data"])))
    seeds.append(frame("ForceKeepAlive", 60))
    seeds.append(frame("ForceKeepAlive", "30"))
    seeds.append(frame("ServerRestarting", with_data=False))
    seeds.append(frame("ServerShuttingDown", with_data=False))
    seeds.append(frame("RestartRequired", with_data=False))
    seeds.append(frame("UserDeleted", "ae3349983dbe45d9aa1d317a7753483e"))
    seeds.append(frame("UserUpdated", {"Id": "ae3349983dbe45d9aa1d317a7753483e", "Name": "Ann"}))
    seeds.append(frame("NotificationAdded", {"Name": "n", "Description": "d", "Level": "Normal"}))
    seeds.append(
        frame(
            "ScheduledTaskEnded",
            {"Id": "t1", "Key": "RefreshLibrary", "Name": "Scan", "Status": "Completed"},
        )
    )
    seeds.append(
        frame(
            "ScheduledTasksInfo",
            [{"Id": "t1", "Name": "Scan", "State": "Running", "CurrentProgressPercentage": 12.5}],
        )
    )
    # What emby_simulator sends under Fault(ws_malformed=True): its own list.
    seeds += malformed_frames()
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        data = seed.encode() if isinstance(seed, str) else seed
        (OUT / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{len(seeds)} seeds in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
