"""Strict, path-naming reading of untrusted JSON/TOML-like data, shared by kits and manifests.

Files from outside (kits, bundle manifests, authors' TOML) are read through :class:`Fields`,
which checks types and collects *every* problem with its field path
(``questions[2].answer_max_seconds``) instead of stopping at the first one, so that
``onetake kit validate`` can list them all. Paths use 0-based list indexes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from onetake_desktop.domain.errors import InvalidInputError

# Limits on any JSON document we parse from outside (kit, definition, manifest).
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 16

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
PREFIXED_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


class Problem(NamedTuple):
    """One thing wrong with a file: where (field path) and what, as a readable phrase.
    A NamedTuple, not a frozen dataclass: defining one of those compiles its methods when the
    module loads (issue 17: ~3 M instructions before every window that checks a kit)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path} {self.message}" if self.path else self.message


class MalformedError(InvalidInputError):
    """A file that is not its format at all (too large, not UTF-8, not JSON, nested too deep):
    ``str()`` names the detail, for the author and the command line; a caller that speaks to
    a candidate says it in their words (services.handover.checked_kit)."""


class ProblemsError(InvalidInputError):
    """Invalid input with the full list of problems; ``str()`` is one sentence naming the first."""

    def __init__(self, problems: list[Problem], what: str = "") -> None:
        self.problems = list(problems)
        first = str(problems[0]) if problems else "is invalid"
        first = first.rstrip(".")
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        prefix = f"{what}: " if what else ""
        super().__init__(f"{prefix}{first}{suffix}.")


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "a table/object",
    list: "a list",
}


class Fields:
    """Typed access to one JSON object, recording problems instead of raising.

    Every getter returns a usable fallback when the value is missing or wrong, so parsing can go
    on and find the remaining problems. Call :meth:`done` to report unknown keys.
    """

    def __init__(self, data: object, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self._seen: set[str] = set()
        if not self.ok:
            self.problems.append(Problem(path, f"must be {_TYPE_NAMES[dict]}"))

    def problem(self, key: str | int, message: str) -> None:
        self.problems.append(Problem(join(self.path, key), message))

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        """The value as it is (None if absent or null), for a field with rules of its own."""
        self._seen.add(key)
        return self.data.get(key)

    def accept_any_keys(self) -> None:
        """Keys here are data (e.g. question ids), not field names: none is unknown."""
        self._seen.update(self.data)

    def _get(self, key: str, required: bool) -> tuple[bool, Any]:
        self._seen.add(key)
        if key not in self.data:
            if required and self.ok:
                self.problem(key, "is required")
            return False, None
        if self.data[key] is None:  # leave a field out rather than null it (one way to say it)
            self.problem(key, "must not be null")
            return False, None
        return True, self.data[key]

    def text(self, key: str, default: str = "", *, required: bool = True) -> str:
        present, value = self._get(key, required)
        if not present:
            return default
        if not isinstance(value, str):
            self.problem(key, "must be text")
            return default
        return value

    def optional_text(self, key: str) -> str | None:
        present, value = self._get(key, False)
        if not present:
            return None
        if not isinstance(value, str):
            self.problem(key, "must be text")
            return None
        return value

    def integer(self, key: str, default: int = 0, *, required: bool = True) -> int:
        present, value = self._get(key, required)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, "must be a whole number")
            return default
        return value

    def number(self, key: str, default: float = 0.0, *, required: bool = True) -> float:
        present, value = self._get(key, required)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, "must be a number")
            return default
        if not math.isfinite(value):
            self.problem(key, "must be a finite number")
            return default
        return float(value)

    def obj(self, key: str, *, required: bool = True) -> Fields | None:
        present, value = self._get(key, required)
        if not present:
            return None
        return Fields(value, join(self.path, key), self.problems)

    def items(
        self, key: str, *, max_items: int, required: bool = True
    ) -> Iterator[tuple[str, Any]]:
        """Yield (path, value) for each element of a list (at most ``max_items`` are read)."""
        present, value = self._get(key, required)
        if not present:
            return
        if not isinstance(value, list):
            self.problem(key, "must be a list")
            return
        if len(value) > max_items:
            self.problem(key, f"has {len(value)} entries; at most {max_items} are allowed")
            return
        for i, element in enumerate(value):
            yield join(join(self.path, key), i), element

    def text_map(self, key: str, *, max_items: int, max_len: int) -> dict[str, str]:
        present, value = self._get(key, False)
        if not present:
            return {}
        if not isinstance(value, dict):
            self.problem(key, "must be a table/object")
            return {}
        if len(value) > max_items:
            self.problem(key, f"has {len(value)} entries; at most {max_items} are allowed")
            return {}
        out: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(v, str) or len(k) > max_len or len(v) > max_len:
                self.problem(
                    join(key, shown_key(str(k))), f"must be text of at most {max_len} characters"
                )
                continue
            out[k] = v
        return out

    def done(self) -> None:
        """Report keys nobody asked for: a typo, or a file from a newer version."""
        for key in self.data:
            if key not in self._seen:
                self.problems.append(
                    Problem(join(self.path, shown_key(key)), "is not a known field")
                )


# Text from outside ends up in terminals (``kit show``, ``bundle inspect``), in widgets and in
# SQLite. Outside text is plain text, so a text field refuses (one rule for kits and bundles):
# - control characters (Cc), which could rewrite a terminal; paragraphs keep \n, \r and \t;
# - bidi controls (embeddings, overrides, isolates, LRM/RLM, the Arabic letter mark): they make
#   "Alex \u202egpj.exe" read as something else, and plain text never needs them;
# - U+2028/U+2029 line and paragraph separators: invisible line breaks that JSON keeps but
#   terminals, CSV readers and many widgets each break (or do not) their own way;
# - lone UTF-16 surrogates (JSON's "\ud800"): no character at all; they cannot be encoded as
#   UTF-8, so they crash whatever writes them (the database, a terminal, an export).
_LINE_BREAKS = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
LINE_SEPARATORS = frozenset("\u2028\u2029")
_NEVER_TEXT = BIDI_CONTROLS | LINE_SEPARATORS


_DROP_LINE_BREAKS = str.maketrans(dict.fromkeys(_LINE_BREAKS))


def _refused(ch: str, allowed: frozenset[str]) -> bool:
    if ch in allowed:
        return False
    if ch in _NEVER_TEXT:
        return True
    # Imported here: only text that is not printable gets this far, and loading the module
    # costs ~12 M instructions before the author window's first paint (issue 17).
    import unicodedata

    category = unicodedata.category(ch)
    return category == "Cc" or category == "Cs"


def _all_plain(value: str, multiline: bool) -> bool:
    """True when no character of ``value`` is refused, answered in C for nearly all text (a
    kit's 3,000 characters one by one took ~2 ms at start-up). Every refused character is
    non-printable for ``str.isprintable`` (Cc, Cs, the bidi controls are Cf, U+2028/9 are Zl
    and Zp: tests/unit/test_validation_plain.py), so printable text has none; False means
    "look at each character", never "refused"."""
    if value.isprintable():
        return True
    return multiline and value.translate(_DROP_LINE_BREAKS).isprintable()


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not plain text (a phrase to follow a field name), or None if it is."""
    if _all_plain(value, multiline):
        return None
    allowed = _LINE_BREAKS if multiline else frozenset()
    for ch in value:
        if not _refused(ch, allowed):
            continue
        if "\ud800" <= ch <= "\udfff":
            return "contains a lone UTF-16 surrogate (not a character)"
        if ch in LINE_SEPARATORS:
            return "must not contain Unicode line or paragraph separators"
        if ch in BIDI_CONTROLS:
            return "must not contain bidirectional text controls"
        return "must not contain control characters"
    return None


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """Is ``value`` not plain text (see :func:`text_problem`)?"""
    if _all_plain(value, multiline):
        return False
    allowed = _LINE_BREAKS if multiline else frozenset()
    return any(_refused(ch, allowed) for ch in value)


def without_control_characters(value: str, *, multiline: bool = False) -> str:
    """``value`` with what ``has_control_characters`` refuses taken out (text we write ourselves,
    e.g. device names from the OS or a candidate's typed answer, must never make our own bundle
    unreadable)."""
    if _all_plain(value, multiline):
        return value
    allowed = _LINE_BREAKS if multiline else frozenset()
    return "".join(ch for ch in value if not _refused(ch, allowed))


def shown_key(key: str) -> str:
    """A key from outside as it may be printed: short, and escaped if it is not plain text."""
    short = key if len(key) <= 40 else key[:40] + "..."
    return short if short.isprintable() else ascii(short)


def check_format(
    f: Fields, expected: str, supported_version: int, what: str, *, required: bool = True
) -> None:
    """The ``format`` and ``format_version`` every document starts with.

    A newer version is refused at once, not listed with other problems: its new fields would
    only read as typos, and the one thing to do is update the app.
    """
    if f.text("format", expected, required=required) != expected:
        article = "an" if what[0] in "aeiou" else "a"
        f.problem("format", f"must be {expected!r} (this is not {article} {what})")
    version = f.integer("format_version", supported_version)
    if version > supported_version:
        raise InvalidInputError(
            f"This {what} uses format version {version}, but this app reads only up to "
            f"version {supported_version}; please update OneTake."
        )
    if version < 1:
        f.problem("format_version", "must be 1 or more")


# --- checks on already-typed values (used by validate_kit and validate_manifest) -------------


class Checker:
    """Collects problems about a typed object; every check names its field path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(
        self,
        path: str,
        value: str,
        *,
        max_len: int,
        min_len: int = 1,
        pattern: str | re.Pattern[str] | None = None,
        pattern_help: str = "",
        multiline: bool = False,
    ) -> None:
        """``pattern`` (the whole value must match) may be text: re compiles it, once, the
        first time a value is checked against it (see domain.kit's patterns)."""
        if len(value) < min_len:
            self.add(path, "must not be empty" if min_len == 1 else f"needs {min_len}+ characters")
        elif len(value) > max_len:
            self.add(path, f"is {len(value)} characters long; at most {max_len} are allowed")
        elif pattern is not None and not re.fullmatch(pattern, value):
            self.add(path, f"must be {pattern_help}")
        elif (problem := text_problem(value, multiline=multiline)) is not None:
            self.add(path, problem)

    def number(self, path: str, value: float, low: float, high: float) -> None:
        if not (math.isfinite(value) and low <= value <= high):
            self.add(path, f"must be between {_num(low)} and {_num(high)}")

    def timestamp(self, path: str, value: str) -> None:
        if parse_utc_timestamp(value) is None:
            self.add(path, "must be an ISO 8601 time with a time zone, e.g. 2026-11-23T14:05:00Z")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def parse_utc_timestamp(value: str) -> datetime | None:
    """Parse an ISO 8601 timestamp that carries a time zone; None if it does not."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# --- JSON from outside ----------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


def _depth(value: object) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def load_json_bytes(raw: bytes, what: str, *, allow_bom: bool = True) -> object:
    """Parse untrusted JSON: size and depth limited, no NaN, no duplicate keys, UTF-8 only.

    ``allow_bom=False``: a leading byte-order mark is refused (bundle manifests: the app writes
    none, so one means another tool rewrote the file)."""
    if len(raw) > MAX_JSON_BYTES:
        raise MalformedError(
            f"The {what} is {len(raw):,} bytes; at most {MAX_JSON_BYTES:,} are allowed."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError(f"The {what} is not valid UTF-8 text.") from None
    if text.startswith("\ufeff"):
        if not allow_bom:
            raise MalformedError(
                f"The {what} starts with a byte-order mark, which this format does not allow."
            )
        text = text[1:]
    import json  # see pretty_json

    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:  # CPython's parser stops deep nesting itself, without a crash
        raise MalformedError(
            f"The {what} is nested more than {MAX_JSON_DEPTH} levels deep, which is not allowed."
        ) from None
    except ValueError as error:
        detail = str(error).split(":")[0].rstrip(".")
        raise MalformedError(f"The {what} is not valid JSON ({detail}).") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise MalformedError(
            f"The {what} is nested more than {MAX_JSON_DEPTH} levels deep, which is not allowed."
        )
    return value


def canonical_json(value: object) -> bytes:
    """Canonical form for hashing: sorted keys, no whitespace, UTF-8."""
    import json  # see pretty_json

    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def pretty_json(value: object) -> bytes:
    # json is imported by the functions that use it: a blank author window's checks reach its
    # first paint without it (issue 17).
    import json

    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()
