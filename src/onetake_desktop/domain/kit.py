"""The interview kit (employer -> candidate) and the full interview definition (with rubric).

A kit is what candidates get: no rubric. The interview definition is the kit plus a rubric per
question; it stays with the employer's reviewers. Both are versioned with ``format_version``.
Parsing, validation with field paths and the content hash live here too (no I/O, no Qt).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.handover import (  # issue 13: the optional hand-over block
    HandOver,
    hand_over_to_dict,
    read_hand_over,
    validate_hand_over,
)
from onetake_desktop.domain.validation import (
    Checker,
    Fields,
    Problem,
    ProblemsError,
    canonical_json,
    check_format,
    join,
    shown_key,
)

if TYPE_CHECKING:  # at run time, loaded when first asked for: see __getattr__ at the end
    from onetake_desktop.domain.definition import InterviewDefinition as InterviewDefinition
    from onetake_desktop.domain.definition import Rubric as Rubric
    from onetake_desktop.domain.definition import RubricLevel as RubricLevel

KIT_FORMAT_VERSION = 1
AnswerType = Literal["video", "audio", "text"]
ANSWER_TYPES: tuple[AnswerType, ...] = ("video", "audio", "text")
# What happens after the deadline: "allow" (send as usual), "mark" (send, and the bundle says it
# came late), "refuse" (the app does not seal answers after the deadline).
LateSubmissions = Literal["allow", "mark", "refuse"]
LATE_SUBMISSIONS: tuple[LateSubmissions, ...] = ("allow", "mark", "refuse")


# Accommodation, PracticeQuestion, Question and Kit are NamedTuples, not frozen dataclasses: as
# immutable and typed, ~3-9 M instructions less each to define on Python 3.11, before a
# candidate's first paint and the author window's (issue 17); changed copies: kit._replace(...).
class Accommodation(NamedTuple):
    """Something the candidate may turn on, e.g. extra time x1.5."""

    id: str
    label: str
    time_multiplier: float = 1.0


class PracticeQuestion(NamedTuple):
    """Unscored warm-up; its takes are never saved into the bundle."""

    text: str
    context: str = ""
    think_seconds: int = 15
    answer_max_seconds: int = 30


class Question(NamedTuple):
    """One scored question."""

    id: str  # stable, file-name safe: "q1", "q2", ...
    text: str
    context: str  # "why we ask this"
    think_seconds: int
    answer_min_seconds: int
    answer_max_seconds: int
    retakes_allowed: int  # re-records after the first take (0 = one take only)
    answer_type: AnswerType | None = None  # None: the kit's default_answer_type
    text_max_chars: int = 3000  # for text answers


class Kit(NamedTuple):
    """What a candidate opens. ``content_hash`` identifies this exact content."""

    interview_id: str
    version: str
    organisation: str
    role_title: str
    welcome: str
    instructions: str
    privacy_notice: str
    retention_days: int
    default_answer_type: AnswerType
    questions: tuple[Question, ...]
    deadline: datetime | None = None  # timezone-aware
    practice: PracticeQuestion | None = None
    accommodations: tuple[Accommodation, ...] = ()
    next_steps: str = ""  # what happens after they send the bundle
    contact: str = ""  # whom to ask for help
    late_submissions: LateSubmissions = "allow"
    # A candidate whose microphone cannot record may write every answer instead.
    written_instead: bool = False
    format_version: int = KIT_FORMAT_VERSION
    hand_over: HandOver | None = None  # how to send the bundle (domain/handover.py)

    def answer_type_of(self, question: Question) -> AnswerType:
        return question.answer_type or self.default_answer_type


# --- limits and rules (one place; docs/formats.md and docs/schemas mirror them) -----------------

KIT_FORMAT = "onetake-kit"
DEFINITION_FORMAT = "onetake-interview"
MAX_QUESTIONS = 50
MAX_ACCOMMODATIONS = 10
# Patterns as text, for Checker.text: compiled (and cached by re) with the first value checked
# against them, not with this module: ~0.4 M instructions each, which a new interview's blank
# draft, checked before the author window's first paint, never needs (issue 17).
QUESTION_ID = r"[a-z0-9][a-z0-9_-]{0,31}"
INTERVIEW_ID = r"[a-z0-9][a-z0-9._-]{0,63}"
ACCOMMODATION_ID = r"[a-z0-9][a-z0-9_-]{0,31}"
VERSION_TEXT = r"[A-Za-z0-9][A-Za-z0-9._+-]{0,31}"
SHORT_TEXT = 200
MEDIUM_TEXT = 2000
LONG_TEXT = 20000
RUBRIC_ANCHOR_TEXT = 1000
MAX_THINK_SECONDS = 600
MAX_ANSWER_SECONDS = 3600
MAX_RETAKES = 10
MAX_TEXT_ANSWER_CHARS = 20000
MAX_TIME_MULTIPLIER = 3.0


# --- to and from plain dicts (JSON) ------------------------------------------------------------


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _question_to_dict(q: Question) -> dict[str, Any]:
    return _drop_none(
        {
            "id": q.id,
            "text": q.text,
            "context": q.context,
            "think_seconds": q.think_seconds,
            "answer_min_seconds": q.answer_min_seconds,
            "answer_max_seconds": q.answer_max_seconds,
            "retakes_allowed": q.retakes_allowed,
            "answer_type": q.answer_type,
            "text_max_chars": q.text_max_chars,
        }
    )


def kit_to_dict(kit: Kit) -> dict[str, Any]:
    """The kit as JSON-ready data (without ``content_hash``, which is computed over this)."""
    return _drop_none(
        {
            "format": KIT_FORMAT,
            "format_version": kit.format_version,
            "interview_id": kit.interview_id,
            "version": kit.version,
            "organisation": kit.organisation,
            "role_title": kit.role_title,
            "welcome": kit.welcome,
            "instructions": kit.instructions,
            "privacy_notice": kit.privacy_notice,
            "retention_days": kit.retention_days,
            "default_answer_type": kit.default_answer_type,
            "deadline": kit.deadline.isoformat() if kit.deadline else None,
            "next_steps": kit.next_steps,
            "contact": kit.contact,
            # Written only when not the default: kits built before these fields keep their hash.
            "late_submissions": None if kit.late_submissions == "allow" else kit.late_submissions,
            "written_instead": True if kit.written_instead else None,
            "practice": (
                {
                    "text": kit.practice.text,
                    "context": kit.practice.context,
                    "think_seconds": kit.practice.think_seconds,
                    "answer_max_seconds": kit.practice.answer_max_seconds,
                }
                if kit.practice
                else None
            ),
            "accommodations": [
                {"id": a.id, "label": a.label, "time_multiplier": a.time_multiplier}
                for a in kit.accommodations
            ],
            "questions": [_question_to_dict(q) for q in kit.questions],
            "hand_over": hand_over_to_dict(kit.hand_over),
        }
    )


def _sha256_constructor() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 where it has one (issue 17): hashlib's loads OpenSSL first,
    ~10 M instructions before a candidate's first paint (the kit's hash is checked before
    any window). CPython 3.11 calls its module _sha256, 3.12 and later _sha2; any other
    Python: hashlib's. The digest is the same either way."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            from hashlib import sha256
    constructor: Callable[[bytes], Any] = sha256
    return constructor


# Found with the first hash, then kept: a failed import is not cached, and would search
# sys.path again on every call.
_sha256: Callable[[bytes], Any] | None = None


def _sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` in hex (see :func:`_sha256_constructor`)."""
    global _sha256
    if _sha256 is None:
        _sha256 = _sha256_constructor()
    digest: str = _sha256(data).hexdigest()
    return digest


def kit_content_hash(kit: Kit) -> str:
    """``sha256:<hex>`` of the kit's canonical JSON (sorted keys, no whitespace, UTF-8)."""
    return "sha256:" + _sha256_hex(canonical_json(kit_to_dict(kit)))


def privacy_notice_hash(kit: Kit) -> str:
    """``sha256:<hex>`` of the privacy notice text (UTF-8); consent records it."""
    return "sha256:" + _sha256_hex(kit.privacy_notice.encode("utf-8"))


def read_answer_type(f: Fields, key: str, *, required: bool) -> AnswerType | None:
    """An answer type field (kits and manifests); None only when optional and absent."""
    value = f.optional_text(key) if not required else f.text(key, "video")
    if value is None:
        return None
    for t in ANSWER_TYPES:
        if value == t:
            return t
    f.problem(key, "must be one of video, audio, text")
    return "video"


def _read_deadline(f: Fields) -> datetime | None:
    if not f.has("deadline"):
        return None
    raw: object = f.raw("deadline")
    if isinstance(raw, datetime):  # TOML gives datetimes natively
        value: datetime | None = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = None
    else:
        value = None
    if value is None or value.tzinfo is None:
        f.problem("deadline", "must be a date and time with a time zone, e.g. 2027-03-31T23:59:00Z")
        return None
    return value


def _read_kit(f: Fields) -> Kit:
    check_format(f, KIT_FORMAT, KIT_FORMAT_VERSION, "interview kit", required=False)
    practice: PracticeQuestion | None = None
    p = f.obj("practice", required=False)
    if p is not None:
        practice = PracticeQuestion(
            text=p.text("text"),
            context=p.text("context", required=False),
            think_seconds=p.integer("think_seconds", 15, required=False),
            answer_max_seconds=p.integer("answer_max_seconds", 30, required=False),
        )
        p.done()
    accommodations = []
    for path, value in f.items("accommodations", max_items=MAX_ACCOMMODATIONS, required=False):
        a = Fields(value, path, f.problems)
        accommodations.append(
            Accommodation(
                id=a.text("id"),
                label=a.text("label"),
                time_multiplier=a.number("time_multiplier", 1.0, required=False),
            )
        )
        a.done()
    questions = []
    for path, value in f.items("questions", max_items=MAX_QUESTIONS):
        q = Fields(value, path, f.problems)
        questions.append(
            Question(
                id=q.text("id"),
                text=q.text("text"),
                context=q.text("context", required=False),
                think_seconds=q.integer("think_seconds"),
                answer_min_seconds=q.integer("answer_min_seconds", 0, required=False),
                answer_max_seconds=q.integer("answer_max_seconds"),
                retakes_allowed=q.integer("retakes_allowed", 0, required=False),
                answer_type=read_answer_type(q, "answer_type", required=False),
                text_max_chars=q.integer("text_max_chars", 3000, required=False),
            )
        )
        q.done()
    kit = Kit(
        interview_id=f.text("interview_id"),
        version=f.text("version"),
        organisation=f.text("organisation"),
        role_title=f.text("role_title"),
        welcome=f.text("welcome"),
        instructions=f.text("instructions"),
        privacy_notice=f.text("privacy_notice"),
        retention_days=f.integer("retention_days"),
        default_answer_type=read_answer_type(f, "default_answer_type", required=True) or "video",
        questions=tuple(questions),
        deadline=_read_deadline(f),
        practice=practice,
        accommodations=tuple(accommodations),
        next_steps=f.text("next_steps", required=False),
        contact=f.text("contact", required=False),
        late_submissions=_read_late(f),
        written_instead=_read_flag(f, "written_instead"),
        format_version=KIT_FORMAT_VERSION,
        hand_over=read_hand_over(f),
    )
    f.done()
    return kit


def _read_late(f: Fields) -> LateSubmissions:
    value = f.text("late_submissions", "allow", required=False)
    for v in LATE_SUBMISSIONS:
        if value == v:
            return v
    f.problem("late_submissions", "must be one of allow, mark, refuse")
    return "allow"


def _read_flag(f: Fields, key: str) -> bool:
    if not f.has(key):
        return False
    value: object = f.raw(key)
    if not isinstance(value, bool):
        f.problem(key, "must be true or false")
        return False
    return value


def _raise_if(problems: list[Problem], what: str) -> None:
    if problems:
        raise ProblemsError(problems, what)


def kit_from_dict(data: object) -> Kit:
    """Read and fully validate a kit; ProblemsError (an InvalidInputError) lists every problem.

    A ``content_hash`` key, if present, must match the content (it is how bundles name the kit).
    """
    problems: list[Problem] = []
    f = Fields(data, "", problems)
    claimed = f.optional_text("content_hash")
    kit = _read_kit(f)
    _raise_if(problems, "Invalid interview kit")
    problems.extend(validate_kit(kit))
    _raise_if(problems, "Invalid interview kit")
    if claimed is not None and claimed != kit_content_hash(kit):
        raise InvalidInputError(
            "This kit was changed after it was built (its content hash does not match); "
            "ask the employer for a fresh copy."
        )
    return kit


def validate_kit(kit: Kit, *, authoring: bool = False) -> list[Problem]:
    """Every problem with a kit's values (ranges, ids, cross-field rules), not just the first.
    ``authoring``: also the rules only for a kit that goes out now (see validate_hand_over)."""
    c = Checker()
    c.text(
        "interview_id",
        kit.interview_id,
        max_len=64,
        pattern=INTERVIEW_ID,
        pattern_help="lowercase letters, digits, '.', '_' or '-' (e.g. support-2027)",
    )
    c.text(
        "version",
        kit.version,
        max_len=32,
        pattern=VERSION_TEXT,
        pattern_help="letters, digits, '.', '_', '+' or '-' (e.g. 2026.11)",
    )
    c.text("organisation", kit.organisation, max_len=SHORT_TEXT)
    c.text("role_title", kit.role_title, max_len=SHORT_TEXT)
    c.text("welcome", kit.welcome, max_len=LONG_TEXT, multiline=True)
    c.text("instructions", kit.instructions, max_len=LONG_TEXT, multiline=True)
    c.text("privacy_notice", kit.privacy_notice, max_len=LONG_TEXT, multiline=True)
    c.text("next_steps", kit.next_steps, max_len=LONG_TEXT, min_len=0, multiline=True)
    c.text("contact", kit.contact, max_len=SHORT_TEXT, min_len=0)
    if not 1 <= kit.retention_days <= 3650:
        c.add("retention_days", "must be between 1 and 3650 days")
    if kit.default_answer_type not in ANSWER_TYPES:
        c.add("default_answer_type", "must be one of video, audio, text")
    if kit.deadline is not None and kit.deadline.tzinfo is None:
        c.add("deadline", "must include a time zone, e.g. 2027-03-31T23:59:00Z")
    if kit.format_version != KIT_FORMAT_VERSION:
        c.add("format_version", f"must be {KIT_FORMAT_VERSION}")
    if kit.late_submissions not in LATE_SUBMISSIONS:
        c.add("late_submissions", "must be one of allow, mark, refuse")
    if kit.practice is not None:
        p = kit.practice
        c.text("practice.text", p.text, max_len=MEDIUM_TEXT, multiline=True)
        c.text("practice.context", p.context, max_len=MEDIUM_TEXT, min_len=0, multiline=True)
        if not 0 <= p.think_seconds <= MAX_THINK_SECONDS:
            c.add("practice.think_seconds", f"must be between 0 and {MAX_THINK_SECONDS}")
        if not 5 <= p.answer_max_seconds <= MAX_ANSWER_SECONDS:
            c.add("practice.answer_max_seconds", f"must be between 5 and {MAX_ANSWER_SECONDS}")
    seen_acc: set[str] = set()
    if len(kit.accommodations) > MAX_ACCOMMODATIONS:
        c.add("accommodations", f"at most {MAX_ACCOMMODATIONS} are allowed")
    for i, a in enumerate(kit.accommodations):
        path = f"accommodations[{i}]"
        c.text(
            f"{path}.id",
            a.id,
            max_len=32,
            pattern=ACCOMMODATION_ID,
            pattern_help="lowercase letters, digits, '_' or '-' (e.g. extra-time)",
        )
        c.text(f"{path}.label", a.label, max_len=SHORT_TEXT)
        if not 1.0 <= a.time_multiplier <= MAX_TIME_MULTIPLIER:
            c.add(f"{path}.time_multiplier", f"must be between 1 and {MAX_TIME_MULTIPLIER:g}")
        if a.id in seen_acc:
            c.add(f"{path}.id", f"repeats the id {a.id!r}; ids must be unique")
        seen_acc.add(a.id)
    if not kit.questions:
        c.add("questions", "must have at least one question")
    if len(kit.questions) > MAX_QUESTIONS:
        c.add("questions", f"at most {MAX_QUESTIONS} are allowed")
    seen: set[str] = set()
    for i, q in enumerate(kit.questions):
        path = f"questions[{i}]"
        c.text(
            f"{path}.id",
            q.id,
            max_len=32,
            pattern=QUESTION_ID,
            pattern_help="lowercase letters, digits, '_' or '-' (e.g. q1)",
        )
        if q.id in seen:
            c.add(f"{path}.id", f"repeats the id {q.id!r}; question ids must be unique")
        seen.add(q.id)
        c.text(f"{path}.text", q.text, max_len=MEDIUM_TEXT, multiline=True)
        c.text(f"{path}.context", q.context, max_len=MEDIUM_TEXT, min_len=0, multiline=True)
        if not 0 <= q.think_seconds <= MAX_THINK_SECONDS:
            c.add(f"{path}.think_seconds", f"must be between 0 and {MAX_THINK_SECONDS}")
        if not 0 <= q.answer_min_seconds <= MAX_ANSWER_SECONDS:
            c.add(f"{path}.answer_min_seconds", f"must be between 0 and {MAX_ANSWER_SECONDS}")
        if not 5 <= q.answer_max_seconds <= MAX_ANSWER_SECONDS:
            c.add(f"{path}.answer_max_seconds", f"must be between 5 and {MAX_ANSWER_SECONDS}")
        elif q.answer_max_seconds <= q.answer_min_seconds:
            c.add(f"{path}.answer_max_seconds", "must be > answer_min_seconds")
        if not 0 <= q.retakes_allowed <= MAX_RETAKES:
            c.add(f"{path}.retakes_allowed", f"must be between 0 and {MAX_RETAKES}")
        if q.answer_type is not None and q.answer_type not in ANSWER_TYPES:
            c.add(f"{path}.answer_type", "must be one of video, audio, text")
        if not 1 <= q.text_max_chars <= MAX_TEXT_ANSWER_CHARS:
            c.add(f"{path}.text_max_chars", f"must be between 1 and {MAX_TEXT_ANSWER_CHARS}")
    validate_hand_over(c, kit.hand_over, authoring=authoring)
    return c.problems


# --- the interview definition (kit + rubric) ---------------------------------------------------


def definition_to_dict(d: InterviewDefinition) -> dict[str, Any]:
    kit = kit_to_dict(d.kit)
    kit["content_hash"] = kit_content_hash(d.kit)
    return {
        "format": DEFINITION_FORMAT,
        "format_version": d.format_version,
        "kit": kit,
        "rubrics": {
            qid: {
                "competency": r.competency,
                "levels": [{"score": lv.score, "anchor": lv.anchor} for lv in r.levels],
            }
            for qid, r in d.rubrics.items()
        },
    }


def _read_rubric(f: Fields) -> Rubric:
    from onetake_desktop.domain.definition import Rubric, RubricLevel

    levels = []
    for path, value in f.items("levels", max_items=5):
        lv = Fields(value, path, f.problems)
        levels.append(RubricLevel(score=lv.integer("score"), anchor=lv.text("anchor")))
        lv.done()
    rubric = Rubric(competency=f.text("competency"), levels=tuple(levels))
    f.done()
    return rubric


def definition_from_dict(data: object) -> InterviewDefinition:
    """Read and validate an interview definition (kit + rubrics); every problem is listed."""
    from onetake_desktop.domain.definition import InterviewDefinition

    problems: list[Problem] = []
    f = Fields(data, "", problems)
    check_format(f, DEFINITION_FORMAT, KIT_FORMAT_VERSION, "interview definition", required=False)
    kit_fields = f.obj("kit")
    kit: Kit | None = None
    claimed: str | None = None
    if kit_fields is not None:
        claimed = kit_fields.optional_text("content_hash")
        kit = _read_kit(kit_fields)
    rubrics: dict[str, Rubric] = {}
    r = f.obj("rubrics")
    if r is not None:
        r.accept_any_keys()
        if len(r.data) > MAX_QUESTIONS:
            r.problem("", f"at most {MAX_QUESTIONS} rubrics are allowed")
        else:
            for qid, value in r.data.items():
                rubrics[qid] = _read_rubric(Fields(value, join(r.path, shown_key(qid)), problems))
    f.done()
    _raise_if(problems, "Invalid interview definition")
    assert kit is not None
    definition = InterviewDefinition(kit=kit, rubrics=rubrics)
    problems.extend(validate_definition(definition))
    _raise_if(problems, "Invalid interview definition")
    if claimed is not None and claimed != kit_content_hash(kit):
        raise InvalidInputError(
            "The kit inside this interview definition was changed after it was built "
            "(its content hash does not match)."
        )
    return definition


def validate_rubric(rubric: Rubric, path: str) -> list[Problem]:
    c = Checker()
    c.text(f"{path}.competency", rubric.competency, max_len=SHORT_TEXT)
    if len(rubric.levels) != 5:
        c.add(
            f"{path}.levels",
            f"must have exactly 5 levels (scores 1 to 5), not {len(rubric.levels)}",
        )
    for i, level in enumerate(rubric.levels):
        if level.score != i + 1:
            c.add(f"{path}.levels[{i}].score", f"must be {i + 1} (levels go 1 to 5 in order)")
        c.text(
            f"{path}.levels[{i}].anchor", level.anchor, max_len=RUBRIC_ANCHOR_TEXT, multiline=True
        )
    return c.problems


def validate_definition(d: InterviewDefinition) -> list[Problem]:
    """Kit problems (paths under ``kit.``) plus rubric problems: one rubric per question."""
    problems = [Problem(join("kit", p.path), p.message) for p in validate_kit(d.kit)]
    ids = [q.id for q in d.kit.questions]
    for qid in ids:
        if qid not in d.rubrics:
            problems.append(Problem(f"rubrics.{qid}", "is missing: every question needs a rubric"))
    for qid, rubric in d.rubrics.items():
        if qid not in ids:
            problems.append(
                Problem(f"rubrics.{shown_key(qid)}", "is for a question that does not exist")
            )
        problems.extend(validate_rubric(rubric, f"rubrics.{shown_key(qid)}"))
    if d.format_version != KIT_FORMAT_VERSION:
        problems.append(Problem("format_version", f"must be {KIT_FORMAT_VERSION}"))
    return problems


# --- authoring from TOML -------------------------------------------------------------------


def definition_from_toml_dict(data: object) -> InterviewDefinition:
    """Build a definition from an author's parsed TOML (see docs/formats.md).

    The TOML is the kit's fields at the top level, with each ``[[questions]]`` carrying its own
    ``[questions.rubric]`` table: ``competency`` and the anchors ``1`` to ``5``. Problems are
    reported with TOML paths (``questions[2].rubric.4``).
    """
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise ProblemsError([Problem("", "must be a TOML table")], "Invalid interview TOML")
    kit_data = dict(data)
    kit_data.setdefault("format", KIT_FORMAT)
    kit_data.setdefault("format_version", KIT_FORMAT_VERSION)
    raw_questions = kit_data.get("questions")
    # Each rubric's fields are read (and their problems listed) here; its records are made
    # once the whole draft reads without problems. domain.definition (~10 M instructions to
    # define its records) loads only then: a new interview's blank draft, which the author
    # window checks before its first paint, always has problems (issue 17).
    read_rubrics: dict[str, tuple[str, tuple[str, ...]]] = {}
    if isinstance(raw_questions, list):
        plain_questions: list[object] = []
        for i, q in enumerate(raw_questions):
            if not isinstance(q, dict):
                plain_questions.append(q)
                continue
            q = dict(q)
            raw_rubric = q.pop("rubric", None)
            plain_questions.append(q)
            path = f"questions[{i}].rubric"
            if raw_rubric is None:
                problems.append(Problem(path, "is missing: every question needs a rubric"))
                continue
            rf = Fields(raw_rubric, path, problems)
            competency = rf.text("competency")
            anchors = tuple(rf.text(str(s)) for s in range(1, 6))
            rf.done()
            qid = q.get("id")
            if isinstance(qid, str):
                read_rubrics[qid] = (competency, anchors)
        kit_data["questions"] = plain_questions
    f = Fields(kit_data, "", problems)
    kit = _read_kit(f)
    _raise_if(problems, "Invalid interview TOML")
    from onetake_desktop.domain.definition import InterviewDefinition, Rubric, RubricLevel

    rubrics = {
        qid: Rubric(
            competency=competency,
            levels=tuple(RubricLevel(score=s, anchor=a) for s, a in enumerate(anchors, start=1)),
        )
        for qid, (competency, anchors) in read_rubrics.items()
    }
    problems.extend(validate_kit(kit, authoring=True))
    for qid, rubric in rubrics.items():
        index = next(i for i, q in enumerate(kit.questions) if q.id == qid)
        for p in validate_rubric(rubric, f"questions[{index}].rubric"):
            # Show TOML keys: levels[3].anchor -> rubric.4
            m = re.fullmatch(r"(.*\.rubric)\.levels\[(\d)\]\.anchor", p.path)
            path = f"{m.group(1)}.{int(m.group(2)) + 1}" if m else p.path
            problems.append(Problem(path, p.message))
    _raise_if(problems, "Invalid interview TOML")
    return InterviewDefinition(kit=kit, rubrics=rubrics)


def kit_texts(kit: Kit) -> list[tuple[str, str]]:
    """Every text a candidate reads, with its field path (for markup warnings)."""
    texts = [
        ("organisation", kit.organisation),
        ("role_title", kit.role_title),
        ("welcome", kit.welcome),
        ("instructions", kit.instructions),
        ("privacy_notice", kit.privacy_notice),
        ("next_steps", kit.next_steps),
        ("contact", kit.contact),
    ]
    if kit.practice is not None:
        texts += [("practice.text", kit.practice.text), ("practice.context", kit.practice.context)]
    texts += [(f"accommodations[{i}].label", a.label) for i, a in enumerate(kit.accommodations)]
    for i, q in enumerate(kit.questions):
        texts += [(f"questions[{i}].text", q.text), (f"questions[{i}].context", q.context)]
    return texts


def kit_markup_warnings(kit: Kit) -> list[Problem]:
    """Markup a kit's texts hold that the app will show literally (see domain/safe_text.py)."""
    from onetake_desktop.domain.safe_text import markup_warnings

    return [Problem(path, w) for path, text in kit_texts(kit) for w in markup_warnings(text)]


def describe_kit(kit: Kit, rubrics: dict[str, Rubric] | None = None) -> str:
    """A readable summary for ``onetake kit show`` (and anyone who wants a text view)."""
    lines = [
        f"{kit.role_title} at {kit.organisation}",
        f"  interview {kit.interview_id} version {kit.version}  ({kit_content_hash(kit)})",
        f"  deadline: {kit.deadline.isoformat() if kit.deadline else 'none'}",
        f"  answers kept for {kit.retention_days} days; default answer type: "
        f"{kit.default_answer_type}",
        f"  after the deadline: {kit.late_submissions}"
        + ("; a written answer may replace recordings" if kit.written_instead else ""),
    ]
    if kit.accommodations:
        offered = ", ".join(f"{a.label} (x{a.time_multiplier:g})" for a in kit.accommodations)
        lines.append(f"  accommodations: {offered}")
    if kit.practice:
        lines.append(f"  practice (unscored): {kit.practice.text}")
    lines.append(f"  {len(kit.questions)} questions:")
    for i, q in enumerate(kit.questions, 1):
        retakes = "no retakes" if q.retakes_allowed == 0 else f"{q.retakes_allowed} retakes"
        timing = (
            f"up to {q.text_max_chars} characters"
            if kit.answer_type_of(q) == "text"
            else f"{q.answer_min_seconds}-{q.answer_max_seconds} s"
        )
        lines.append(
            f"   {i}. [{q.id}, {kit.answer_type_of(q)}, think {q.think_seconds} s, {timing}, "
            f"{retakes}] {q.text}"
        )
        if rubrics and q.id in rubrics:
            r = rubrics[q.id]
            lines.append(f"      rubric: {r.competency}")
            for level in r.levels:
                lines.append(f"        {level.score}: {level.anchor}")
    return "\n".join(lines)


_DEFINITION_RECORDS = frozenset({"InterviewDefinition", "Rubric", "RubricLevel"})

if not TYPE_CHECKING:  # mypy reads the import at the top; it must not see a catch-all here

    def __getattr__(name: str) -> object:
        """``domain.kit.Rubric`` and the others of domain/definition.py, loaded when first
        asked for (issue 17: a candidate's start-up does not define them)."""
        if name in _DEFINITION_RECORDS:
            from onetake_desktop.domain import definition

            return getattr(definition, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
