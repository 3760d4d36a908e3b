"""Guard rails for authors (issue 15): gentle advice from the research on one-way interviews.

Each piece of advice names the field it is about (the TOML path the authoring window and
``onetake kit validate`` use: ``questions[2].think_seconds``) and never blocks saving or
building; hard errors stay with ``domain.kit``'s validation. The rules read the author's
draft as plain TOML-shaped data, so they still help while the draft is half written.
Plain Python: no I/O, no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from onetake_desktop.domain.kit import Kit, kit_content_hash

MAX_ADVISED_QUESTIONS = 6
MIN_ADVISED_THINK_SECONDS = 15
MIN_ADVISED_DEADLINE = timedelta(days=3)
MAX_ADVISED_TOTAL_SECONDS = 30 * 60
SIMILAR_ANCHORS = 0.85  # difflib ratio above which two anchors read as the same thing
# Reading the welcome, the notice and checking devices: time every candidate spends anyway.
SETUP_SECONDS = 5 * 60


# What the templates (``onetake kit new``, the window's new interview from a template) write
# for the author to replace: left as is, candidates read it (walk s13, MEDIUM-3).
TEMPLATE_PLACEHOLDERS: Mapping[str, str] = MappingProxyType(
    {"organisation": "Your organisation", "role_title": "The role you are hiring for"}
)
_NUMBER_WORDS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_N = r"(\d+|one|two|three|four|five)"
_N_PLURAL = r"((?!1\b)\d+|two|three|four|five)"  # "one takes" is a verb, never a noun
# The rules are a nag on every build, so they read conservatively: better to miss an unusual
# phrasing than to advise on a text that is right (review s13c C2-C4). One clause at a time,
# all of them; a negation counts only just before the promise ("There is no practice
# question", "You cannot re-record 2 times"), not anywhere in the clause ("The practice
# question is not scored"). "Re-recording is not possible; you have up to 3 times the usual
# time" promises nothing (review s13b B5).
_CLAUSES = re.compile(r"[.;:!?,\n]+")
_WORDS = re.compile(r"[\w'-]+")
_NEGATIONS = frozenset({"no", "not", "cannot", "never", "without", "unable", "none"})


def _negated(words: Sequence[str]) -> bool:
    return any(w.lower() in _NEGATIONS or w.lower().endswith("n't") for w in words)


def _words_before(clause: str, at: int, n: int = 3) -> list[str]:
    return _WORDS.findall(clause[:at])[-n:]


# Only phrases that promise a practice question: "practice" alone is also a firm ("Harbour
# Lane Dental Practice first opened", "Our practice goes the extra mile"), "in practice",
# "best practice" and "Practice takes time".
_PRACTICE = re.compile(
    r"\b(?P<p>practi[cs]e)\s+(?:questions?|rounds?|answers?|runs?|try|tries|recordings?"
    r"|attempts?|sessions?)\b"
    r"|\ba\s+(?P<a>practi[cs]e)\s+(?:go|take)\b"
    r"|\b(?:try|do|record|start\s+with|begin\s+with)\s+(?:a|one)\s+(?:short\s+|quick\s+)?"
    r"(?P<t>practi[cs]e)\b"
    r"|\ba\s+(?:short\s+|quick\s+|brief\s+)?(?P<f>practi[cs]e)\s+(?:[\w-]+\s+)?first\b(?!-)"
    r"|\bchance\s+to\s+(?P<c>practi[cs]e)\b"
    r"|\b(?:you\s+(?:can|may|will|get\s+to)|to)\s+(?P<y>practi[cs]e)\s+(?:first|beforehand)\b(?!-)",
    re.IGNORECASE,
)
# Words before a capitalised "Practice" that still leave it a common noun.
_NOT_A_NAME = frozenset({"a", "an", "the", "one", "your", "our"})


def _promises_practice(text: str) -> bool:
    for clause in _CLAUSES.split(text):
        for match in _PRACTICE.finditer(clause):
            group = next(g for g in _PRACTICE.groupindex if match.group(g))
            at = match.start(group)
            before = _words_before(clause, at)
            # "Harbour Lane Dental Practice question time" is a firm: a capitalised Practice
            # after a capitalised word.
            if (
                clause[at].isupper()
                and before
                and before[-1][0].isupper()
                and before[-1].lower() not in _NOT_A_NAME
            ):
                continue
            if not _negated(before):
                return True
    return False


# A number tied to a re-record, retake, take, try or attempt word, and how many re-records it
# promises: "re-record each answer up to 2 times", "2 retakes" and "2 more tries" promise 2;
# "up to 3 takes" or "three attempts" promise 2 (the first take is not a re-record).
# Two strengths: the re-record and retake words first; "takes", "tries" and "attempts" count
# only when no clause of the text names a re-record with a number.
_ONCE_AS_CONJUNCTION = (
    r"(?!\s+(?:you|it|they|we|i|he|she|the|a|an|your|each|every|all|this|that|its|there)\b)"
)
_RERECORDS: tuple[tuple[tuple[re.Pattern[str], int], ...], ...] = (
    (
        (
            re.compile(
                r"\bre-?record(?:ing)?\b(?:\s+[\w'-]+){0,5}?\s+(?:up\s+to\s+)?"
                rf"(?:{_N}\s+(?:more\s+)?times?\b(?!\s+(?:the|as|longer))"
                rf"|(once|twice)\b{_ONCE_AS_CONJUNCTION})",
                re.IGNORECASE,
            ),
            0,
        ),
        (
            re.compile(
                rf"\b{_N}\s+(?:more\s+|extra\s+|further\s+)?"
                r"(?:re-?records?|re-?recordings?|re-?takes?)\b",
                re.IGNORECASE,
            ),
            0,
        ),
    ),
    (
        (
            re.compile(
                rf"\b{_N}\s+(?:more|extra|further|additional)\s+(?:takes|attempts|tries|goes)\b",
                re.IGNORECASE,
            ),
            0,
        ),
        (
            # A noun, not the verb: "3 takes of each answer", not "Question 3 takes about
            # two minutes" or "the two takes the longest".
            re.compile(
                rf"\b{_N_PLURAL}\s+(?:takes|attempts|tries)\b"
                r"(?!\s+(?:about|around|roughly|approximately|less|under|over|just|only|no|a|an"
                r"|the|longer|time|\d+|one|two|three|four|five|ten|half)\b)",
                re.IGNORECASE,
            ),
            1,
        ),
        (re.compile(r"\b(one|1|a\s+single)\s+(?:take|attempt|try)\b", re.IGNORECASE), 1),
    ),
)
# Words before a number that make it a label or a subject ("Question 3 takes", "all three
# attempts"), not a promise.
_NOT_A_COUNT = frozenset(
    {"question", "questions", "part", "step", "number", "each", "the", "these", "those"}
    | {"all", "both", "of", "and", "or", "which", "that", "it"}
)


def _not_a_count(before: Sequence[str]) -> bool:
    """Whether the words before a number make it a label or a subject (``to`` only counts
    in "up to")."""
    previous = [w.lower() for w in before[-2:]]
    if not previous:
        return False
    return previous[-1] in _NOT_A_COUNT or (previous[-1] == "to" and previous[:-1] != ["up"])


def _promised_rerecords(text: str) -> int | None:
    """How many re-records of each answer the text promises, or None when it promises none
    or its promises disagree."""
    clauses = _CLAUSES.split(text)
    for patterns in _RERECORDS:
        promised: set[int] = set()
        for clause in clauses:
            for pattern, first_take in patterns:
                for match in pattern.finditer(clause):
                    before = _words_before(clause, match.start())
                    inside = _WORDS.findall(match.group(0))
                    if _negated(before) or _negated(inside):
                        continue
                    if first_take and _not_a_count(before):
                        continue
                    said = next(g for g in match.groups() if g).lower()
                    number = 1 if said.startswith("a") else _NUMBER_WORDS.get(said) or int(said)
                    promised.add(max(number - first_take, 0))
        if promised:
            return promised.pop() if len(promised) == 1 else None
    return None


class Advice(NamedTuple):
    """One gentle warning: where (field path), which rule, and what to consider.
    A NamedTuple, not a frozen dataclass (see validation.Problem: issue 17)."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# Words that show a privacy notice answers each question a candidate has about their answers.
_PRIVACY_WORDS: dict[str, tuple[str, ...]] = {
    "who sees the answers": (
        "who ",
        "panel",
        "reviewer",
        "hiring team",
        "recruiter",
        "manager",
        "nobody else",
        "people who",
    ),
    "how long they are kept": (
        "how long",
        " days",
        " day ",
        "month",
        "year",
        "week",
        "deleted",
        "until",
    ),
    "where they go": (
        "where",
        "stored",
        "upload",
        "sent to",
        "send it",
        "this computer",
        "server",
        "kept on",
        "e-mail",
        "email",
    ),
}


def privacy_gaps(notice: str) -> list[str]:
    """What a privacy notice leaves unsaid, of: who sees the answers, how long they are kept,
    where they go (a word check: it cannot judge the answer, only that there is one)."""
    text = f" {notice.lower()} "
    return [gap for gap, words in _PRIVACY_WORDS.items() if not any(w in text for w in words)]


def privacy_notice_from_template(who: str, how_long: str, where: str, rest: str = "") -> str:
    """The guided privacy notice: the three things a candidate needs to know, then the rest."""
    parts = [
        f"Who sees your answers: {who.strip()}",
        f"Where they go: {where.strip()}",
        f"How long we keep them: {how_long.strip()}",
    ]
    if rest.strip():
        parts.append(rest.strip())
    return "\n\n".join(parts)


def _int(value: object, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _normalised(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def estimated_seconds(data: Mapping[str, Any]) -> int:
    """About how long the interview takes a candidate: setting up and reading, the practice
    question, then each question's think time and its longest answer."""
    total = SETUP_SECONDS
    practice = data.get("practice")
    if isinstance(practice, Mapping):
        total += _int(practice.get("think_seconds"), 15) + _int(
            practice.get("answer_max_seconds"), 30
        )
    for q in _dicts(data.get("questions")):
        total += _int(q.get("think_seconds")) + _int(q.get("answer_max_seconds"))
    return total


def repeated_anchors(rubric: Mapping[str, Any]) -> list[tuple[int, int]]:
    """Pairs of levels (lower, higher) whose anchors say nearly the same thing."""
    import difflib  # only drafts with rubrics get here (issue 17: not the blank window's start)

    anchors = {s: _normalised(_text(rubric.get(str(s)))) for s in range(1, 6)}
    pairs = []
    for low in range(1, 6):
        for high in range(low + 1, 6):
            a, b = anchors[low], anchors[high]
            if a and b and difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_ANCHORS:
                pairs.append((low, high))
    return pairs


def _deadline(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


def guard_rails(data: Mapping[str, Any], now: datetime) -> list[Advice]:
    """Every piece of advice for an author's draft (the TOML's data), in form order."""
    advice: list[Advice] = []

    def add(path: str, rule: str, message: str) -> None:
        advice.append(Advice(path, rule, message))

    deadline = _deadline(data.get("deadline"))
    if deadline is not None and deadline - now < MIN_ADVISED_DEADLINE:
        add(
            "deadline",
            "deadline_soon",
            "is less than 3 days away: candidates with jobs, children or poor connections need "
            "time to find a quiet hour.",
        )
    for field, placeholder in TEMPLATE_PLACEHOLDERS.items():
        if _text(data.get(field)).strip().casefold() == placeholder.casefold():
            add(
                field,
                "placeholder",
                f'still says "{placeholder}", the template\'s placeholder: candidates see it '
                "as written.",
            )
    _contradicting_texts(data, add)
    gaps = privacy_gaps(_text(data.get("privacy_notice")))
    if gaps:
        add(
            "privacy_notice",
            "privacy_incomplete",
            f"does not say {', '.join(gaps)}; candidates hold back when they cannot tell.",
        )
    practice = data.get("practice")
    if not isinstance(practice, Mapping):
        add(
            "practice",
            "no_practice",
            "there is no practice question: an unscored first try calms nerves and lets "
            "candidates check their camera and sound.",
        )
    questions = _dicts(data.get("questions"))
    if len(questions) > MAX_ADVISED_QUESTIONS:
        add(
            "questions",
            "too_many_questions",
            f"{len(questions)} questions: more than {MAX_ADVISED_QUESTIONS} tires candidates "
            "and makes more of them give up; keep the ones that tell you most.",
        )
    total = estimated_seconds(data)
    if total > MAX_ADVISED_TOTAL_SECONDS:
        add(
            "questions",
            "too_long",
            f"the interview takes about {round(total / 60)} minutes (setting up, thinking and "
            "the longest answers); over 30 minutes, many candidates give up.",
        )
    for i, q in enumerate(questions):
        path = f"questions[{i}]"
        if not _text(q.get("context")).strip():
            add(
                f"{path}.context",
                "no_why",
                'has no "why we ask": candidates answer better when they know what a question '
                "is for.",
            )
        if _int(q.get("think_seconds"), MIN_ADVISED_THINK_SECONDS) < MIN_ADVISED_THINK_SECONDS:
            add(
                f"{path}.think_seconds",
                "short_think",
                f"is under {MIN_ADVISED_THINK_SECONDS} seconds: too little time to recall a real "
                "example, which favours rehearsed answers.",
            )
        if _int(q.get("retakes_allowed")) == 0:
            add(
                f"{path}.retakes_allowed",
                "no_retakes",
                "allows no retake: one stumble then counts for the whole answer; one or two "
                "retakes lower anxiety without changing who does well.",
            )
        rubric = q.get("rubric")
        if isinstance(rubric, Mapping):
            for low, high in repeated_anchors(rubric):
                add(
                    f"{path}.rubric.{high}",
                    "repeated_anchors",
                    f"reads almost the same as level {low}: each level should describe "
                    "behaviour a reviewer can tell apart.",
                )
    return advice


def _contradicting_texts(data: Mapping[str, Any], add: Callable[[str, str, str], None]) -> None:
    """Welcome or instructions that promise what the settings do not give: a practice
    question that is not there, a number of re-records the questions do not allow."""
    has_practice = isinstance(data.get("practice"), Mapping)
    default_type = _text(data.get("default_answer_type")) or "video"
    recorded = [
        (i, _int(q.get("retakes_allowed")))
        for i, q in enumerate(_dicts(data.get("questions")), start=1)
        if (_text(q.get("answer_type")) or default_type) != "text"
    ]
    for field in ("welcome", "instructions"):
        text = _text(data.get(field))
        if not has_practice and _promises_practice(text):
            add(
                field,
                "promises_practice",
                "mentions a practice question, but there is none: add one, or take it out of "
                "this text.",
            )
        promised = _promised_rerecords(text)
        if promised is None or not recorded:
            continue
        other = [(i, n) for i, n in recorded if n != promised]
        if not other:
            continue
        if len(other) == 1:
            i, n = other[0]
            differs = f"question {i} allows {n}"
        else:
            differs = f"questions {', '.join(str(i) for i, _ in other)} allow other numbers"
        if promised == 0:  # not "up to 0 re-records" (review s13c C12)
            says = "promises one take of each answer (no re-records)"
        else:
            says = (
                f"promises up to {promised} re-record{'s' if promised > 1 else ''} of each answer"
            )
        add(
            field,
            "promises_rerecords",
            f"{says}, but {differs}: make the text and the settings agree.",
        )


# --- versions of published kits ------------------------------------------------------------


def content_hash_ignoring_version(kit: Kit) -> str:
    """The content hash of everything but the version stamp (are two kits the same interview
    content, whatever version they were published as?)."""
    return kit_content_hash(kit._replace(version=""))


def next_version(version: str) -> str:
    """The next version stamp: its last number goes up (2026.11 -> 2026.12, v3 -> v4), or
    ``.2`` is added when it ends in none (spring -> spring.2)."""
    match = re.search(r"(\d+)$", version)
    if match is None:
        return f"{version}.2"
    number = match.group(1)
    bumped = str(int(number) + 1).zfill(len(number))
    return version[: match.start()] + bumped
