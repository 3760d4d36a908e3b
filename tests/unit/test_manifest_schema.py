"""The JSON Schemas in docs/schemas agree with the parsers: what we write validates, and
whatever the strict parser accepts, the published schema accepts too."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.manifest import manifest_from_dict, manifest_to_dict
from onetake_desktop.storage.kitfile import demo_definition_path, demo_kit_path
from tests.unit.test_manifest import SAMPLE, sample_manifest

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def errors(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    """A small JSON Schema (2020-12) checker for the keywords our schemas use."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return errors(value, target, root, path)
    out: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        python_type = TYPES[kind]
        if isinstance(value, bool) and kind in ("integer", "number"):
            return [f"{path}: bool is not {kind}"]
        if not isinstance(value, python_type):  # type: ignore[arg-type]
            return [f"{path}: not {kind}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e9):
            out.append(f"{path}: length")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: pattern")
        if schema.get("format") == "date-time":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                out.append(f"{path}: date-time")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < schema.get("minimum", -1e309) or value > schema.get("maximum", 1e309):
            out.append(f"{path}: range")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{path}: range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1e9):
            out.append(f"{path}: item count")
        if schema.get("uniqueItems") and len({json.dumps(v) for v in value}) != len(value):
            out.append(f"{path}: duplicate items")
        for i, item in enumerate(value):
            out += errors(item, schema.get("items", {}), root, f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out += [f"{path}.{k}: required" for k in schema.get("required", []) if k not in value]
        if len(value) > schema.get("maxProperties", 1e9):
            out.append(f"{path}: too many properties")
        for key, item in value.items():
            if "propertyNames" in schema:
                out += errors(key, schema["propertyNames"], root, f"{path}.<{key}>")
            if key in props:
                out += errors(item, props[key], root, f"{path}.{key}")
            else:
                extra = schema.get("additionalProperties", True)
                if extra is False:
                    out.append(f"{path}.{key}: not allowed")
                elif isinstance(extra, dict):
                    out += errors(item, extra, root, f"{path}.{key}")
    return out


def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return loaded


def check(value: Any, name: str) -> list[str]:
    s = schema(name)
    return errors(value, s, s)


def test_demo_kit_and_definition_match_their_schemas() -> None:
    kit = json.loads(demo_kit_path().read_text())
    assert check(kit, "kit") == []
    assert check(json.loads(demo_definition_path().read_text()), "interview") == []
    kit["colour"] = "blue"
    kit["questions"][0]["think_seconds"] = "30"
    assert check(kit, "kit") == [
        "$.questions[0].think_seconds: not integer",
        "$.colour: not allowed",
    ]


def test_a_manifest_matches_its_schema() -> None:
    assert check(manifest_to_dict(sample_manifest()), "submission-manifest") == []
    bad = copy.deepcopy(SAMPLE)
    bad["answers"][0]["media"]["sha256"] = "XYZ"
    assert check(bad, "submission-manifest") == [
        "$.answers[0].media.sha256: length",
        "$.answers[0].media.sha256: pattern",
    ]


PATHS: list[tuple[Any, ...]] = []


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> None:
    if prefix:
        PATHS.append(prefix)
    if isinstance(value, dict):
        for k, v in value.items():
            _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _paths(v, (*prefix, i))


_paths(SAMPLE)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=80)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), scalars), min_size=1, max_size=2))
def test_whatever_the_parser_accepts_the_schema_accepts(
    mutations: list[tuple[tuple[Any, ...], object]],
) -> None:
    data = copy.deepcopy(SAMPLE)
    for path, value in mutations:
        target: Any = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        manifest_from_dict(data)
    except InvalidInputError:
        return
    assert check(data, "submission-manifest") == []


@pytest.mark.parametrize("name", ["kit", "interview", "submission-manifest"])
def test_schemas_are_valid_json_with_titles(name: str) -> None:
    s = schema(name)
    assert s["title"] and s["description"] and s["additionalProperties"] is False
