"""strings.json (the source, as in Home Assistant core) and translations/en.json (what a custom
integration ships and Home Assistant reads) must be identical: one is a copy of the other."""

import json
import re
from collections.abc import Iterator
from typing import Any

from .conftest import INTEGRATION


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, node


def drift(strings: dict[str, Any], english: dict[str, Any]) -> list[str]:
    """What differs between the two, one line per key (empty when they agree)."""
    left, right = dict(_leaves(strings)), dict(_leaves(english))
    lines = [f"only in strings.json: {key}" for key in sorted(left.keys() - right.keys())]
    lines += [f"only in en.json: {key}" for key in sorted(right.keys() - left.keys())]
    lines += [
        f"differs: {key}: {left[key]!r} != {right[key]!r}"
        for key in sorted(left.keys() & right.keys())
        if left[key] != right[key]
    ]
    return lines


def test_strings_and_english_translation_are_identical() -> None:
    """Byte for byte; on drift the message names each key (copy strings.json onto en.json)."""
    strings_text = (INTEGRATION / "strings.json").read_text()
    english_text = (INTEGRATION / "translations" / "en.json").read_text()
    differences = drift(json.loads(strings_text), json.loads(english_text))
    assert not differences, "\n".join(differences)
    assert strings_text == english_text, "same content, different formatting: copy strings.json"


def test_drift_names_the_keys_that_differ() -> None:
    """The helper behind the message sees added, removed and changed keys at any depth."""
    base = {"config": {"error": {"a": "A", "b": "B"}}, "title": "T"}
    changed = {"config": {"error": {"a": "A!", "c": "C"}}, "title": "T"}
    assert drift(base, changed) == [
        "only in strings.json: config.error.b",
        "only in en.json: config.error.c",
        "differs: config.error.a: 'A' != 'A!'",
    ]
    assert drift(base, base) == []


def test_translation_files_are_valid_json_objects() -> None:
    """Every file under translations/ parses (Home Assistant skips a broken one silently)."""
    files = sorted((INTEGRATION / "translations").glob("*.json"))
    assert files
    for path in files:
        assert isinstance(json.loads(path.read_text()), dict), path.name


def test_every_string_passes_hassfests_value_rules() -> None:
    """Non-empty text without HTML, without surrounding whitespace, with well-formed `{name}`
    placeholders that are not in single quotes (hassfest's translation value rules)."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    problems = []
    for key, value in _leaves(strings):
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: not a non-empty string")
        elif value != value.strip():
            problems.append(f"{key}: leading or trailing whitespace")
        elif re.search(r"<[a-zA-Z/][^>]*>", value):
            problems.append(f"{key}: HTML")
        elif re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*\}", "", value).count("{") or "}" in re.sub(
            r"\{[A-Za-z_][A-Za-z0-9_]*\}", "", value
        ):
            problems.append(f"{key}: malformed placeholder")
        elif re.search(r"'\{[^}]*\}'", value):
            problems.append(f"{key}: placeholder in single quotes")
    assert problems == []


def test_field_descriptions_describe_existing_fields() -> None:
    """A step's data_description only names fields of its data."""
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    for flow in ("config", "options"):
        for name, step in strings.get(flow, {}).get("step", {}).items():
            extra = set(step.get("data_description", {})) - set(step.get("data", {}))
            assert not extra, (flow, name, extra)
