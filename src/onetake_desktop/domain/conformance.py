"""Does a submission keep to its interview? (checked on import and by ``bundle verify``)

A bundle can be well formed and still contradict the kit it answers. Two kinds of finding:

- a **refusal**: the bundle cannot be a submission for this interview at all (a question the
  kit does not ask, an answer of another type than the question takes, a kit hash the library
  does not know for an interview it does know). One sentence; the bundle is not imported.
- **flags**: the rules of the interview were broken (more takes than allowed, answers longer
  than the limit, an accommodation the kit does not offer, consent to another notice...). The
  bundle imports, and every reviewer sees each flag (a stable code and a plain sentence) beside
  the candidate; the panel decides what it means. A flag is a fact about the file, not a verdict:
  a clock that jumped or an older app can explain some of them.

Plain Python: the services look the definition up and store the flags; this only judges.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from onetake_desktop.domain.kit import Kit
    from onetake_desktop.domain.manifest import SubmissionManifest

# domain.kit loads with the first judgement: the flags alone (the library list reads them for
# every candidate) need neither it nor the manifest.

# Timers, encoders and the last fragment of a take overrun a limit a little: half a second of
# scheduling plus up to 2 % of the limit (a 600 s text answer: 12.5 s).
TOLERANCE_SECONDS = 0.5
TOLERANCE_RATIO = 0.02
MAX_FLAGS = 64  # what one submission can carry: a flag per question and rule, bounded

# Stable flag codes (exports and scripts match on them; the sentences may be reworded).
TAKES_OVER_LIMIT = "takes-over-limit"
THINK_TIME_OVER_LIMIT = "think-time-over-limit"
ANSWER_TIME_OVER_LIMIT = "answer-time-over-limit"
TEXT_TOO_LONG = "text-too-long"
ANSWER_MISSING = "answer-missing"
ACCOMMODATION_NOT_OFFERED = "accommodation-not-offered"
TIME_MULTIPLIER_TOO_HIGH = "time-multiplier-too-high"
CONSENT_NOT_THE_NOTICE = "consent-not-the-notice"
# Judged only after import (its definition came later) and impossible for this interview:
# it would have been refused; it stays, flagged, for the reviewers to decide.
NOT_THIS_INTERVIEW = "does-not-fit-interview"
FLAG_CODES = (
    TAKES_OVER_LIMIT,
    THINK_TIME_OVER_LIMIT,
    ANSWER_TIME_OVER_LIMIT,
    TEXT_TOO_LONG,
    ANSWER_MISSING,
    ACCOMMODATION_NOT_OFFERED,
    TIME_MULTIPLIER_TOO_HIGH,
    CONSENT_NOT_THE_NOTICE,
    NOT_THIS_INTERVIEW,
)


# Flag, Conformance and KnownInterviews are NamedTuples, not frozen dataclasses: as immutable
# and typed, and the reviewer's window loads this module before its first paint, where a
# dataclass compiles its methods at every load and `dataclasses` itself costs ~12 M
# instructions (issue 17). Changed copies: ``record._replace(...)``.
class Flag(NamedTuple):
    """One broken rule of the interview: a stable ``code``, a plain sentence, and the question
    it is about (None: the whole submission)."""

    code: str
    message: str
    question_id: str | None = None

    def __str__(self) -> str:
        return self.message


class Conformance(NamedTuple):
    """The verdict on one submission: refused (``refusal`` is the sentence) or imported with
    ``flags`` (maybe none)."""

    refusal: str | None = None
    flags: tuple[Flag, ...] = ()

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def _allowed(limit: float) -> float:
    return limit + TOLERANCE_SECONDS + TOLERANCE_RATIO * limit


def _s(seconds: float) -> str:
    return f"{seconds:.1f}".removesuffix(".0") + " s"


def check_submission(manifest: SubmissionManifest, kit: Kit) -> Conformance:
    """Judge ``manifest`` against the ``kit`` it claims to answer (the library's definition,
    or the one given to ``bundle verify --definition``)."""
    from onetake_desktop.domain.kit import kit_content_hash, privacy_notice_hash

    ref = manifest.kit
    if ref.interview_id != kit.interview_id:
        return Conformance(
            f"This bundle answers the interview {ref.interview_id!r}, not {kit.interview_id!r}."
        )
    if ref.content_hash != kit_content_hash(kit):
        return Conformance(
            f"This bundle answers a version of the interview {ref.interview_id!r} that is not "
            f"the one known here (version {ref.version!r}, another kit hash), so it cannot be "
            "checked against its questions; add the matching interview definition first."
        )
    questions = {q.id: q for q in kit.questions}
    for a in manifest.answers:
        q = questions.get(a.question_id)
        if q is None:
            return Conformance(
                f"This bundle answers a question the interview does not ask ({a.question_id!r})."
            )
        expected = kit.answer_type_of(q)
        # A candidate without a camera answers video questions with sound only: the app's own
        # way through (domain/session.py), not a breach.
        allowed = ("video", "audio") if expected == "video" else (expected,)
        if a.answer_type not in allowed:
            return Conformance(
                f"This bundle answers question {q.id!r} with {a.answer_type}, but the "
                f"interview asks for a {expected} answer."
            )
    flags: list[Flag] = []
    if manifest.consent.notice_sha256 != privacy_notice_hash(kit):
        flags.append(
            Flag(
                CONSENT_NOT_THE_NOTICE,
                "The consent recorded is to another privacy notice than this interview's.",
            )
        )
    offered = {a.id: a for a in kit.accommodations}
    for acc in manifest.accommodations:
        if acc not in offered:
            flags.append(
                Flag(
                    ACCOMMODATION_NOT_OFFERED,
                    f"The accommodation {acc!r} was applied, but the interview does not offer it.",
                )
            )
    allowed_multiplier = max(
        [1.0, *(offered[a].time_multiplier for a in manifest.accommodations if a in offered)]
    )
    if manifest.time_multiplier > allowed_multiplier + 1e-9:
        flags.append(
            Flag(
                TIME_MULTIPLIER_TOO_HIGH,
                f"Times were multiplied by {manifest.time_multiplier:g}, but the accommodations "
                f"offered allow at most {allowed_multiplier:g}.",
            )
        )
    # Limits use what the kit allows, never more than the bundle claims it was given.
    multiplier = min(manifest.time_multiplier, allowed_multiplier)
    answered = {a.question_id for a in manifest.answers}
    for a in manifest.answers:
        q = questions[a.question_id]
        where = f"Question {q.id}"
        if a.takes_used > q.retakes_allowed + 1:
            flags.append(
                Flag(
                    TAKES_OVER_LIMIT,
                    f"{where}: {a.takes_used} takes were recorded; "
                    f"the interview allows {q.retakes_allowed + 1}.",
                    q.id,
                )
            )
        think_limit = q.think_seconds * multiplier
        if a.think_seconds_used > _allowed(think_limit):
            flags.append(
                Flag(
                    THINK_TIME_OVER_LIMIT,
                    f"{where}: {_s(a.think_seconds_used)} of thinking time were used; "
                    f"the limit is {_s(think_limit)}.",
                    q.id,
                )
            )
        answer_limit = q.answer_max_seconds * multiplier
        longest = max(a.answer_seconds, a.media.duration_seconds if a.media else 0.0)
        if longest > _allowed(answer_limit):
            flags.append(
                Flag(
                    ANSWER_TIME_OVER_LIMIT,
                    f"{where}: the answer lasts {_s(longest)}; the limit is {_s(answer_limit)}.",
                    q.id,
                )
            )
        if a.text is not None and len(a.text) > q.text_max_chars:
            flags.append(
                Flag(
                    TEXT_TOO_LONG,
                    f"{where}: the written answer has {len(a.text):,} characters; "
                    f"the limit is {q.text_max_chars:,}.",
                    q.id,
                )
            )
    for q in kit.questions:
        if q.id not in answered:
            flags.append(Flag(ANSWER_MISSING, f"Question {q.id} was not answered.", q.id))
    return Conformance(None, tuple(flags[:MAX_FLAGS]))


class KnownInterviews(NamedTuple):
    """The interviews a library knows (kit hash -> kit), to judge bundles with.

    A snapshot taken before a batch import, so worker threads judge without the database.
    """

    kits: tuple[Kit, ...] = ()

    def judge(self, manifest: SubmissionManifest) -> Conformance | None:
        """The verdict, or None when the interview is unknown here (imported unchecked, and
        the reviewer is asked for its definition)."""
        from onetake_desktop.domain.kit import kit_content_hash

        ref = manifest.kit
        for kit in self.kits:
            if kit_content_hash(kit) == ref.content_hash:
                return check_submission(manifest, kit)
        if any(kit.interview_id == ref.interview_id for kit in self.kits):
            # The interview is known, this kit of it is not: a changed or forged kit, or a
            # version whose definition was never added. Nothing to check its answers against.
            return Conformance(
                f"This bundle answers the interview {ref.interview_id!r} with a kit the library "
                f"does not know (version {ref.version!r}, another kit hash); add that version's "
                "interview definition first."
            )
        return None


def flags_after_import(manifest: SubmissionManifest, kit: Kit) -> tuple[Flag, ...]:
    """The flags of a submission judged after it was imported (its interview's definition was
    added later): what would have been a refusal becomes a flag."""
    verdict = check_submission(manifest, kit)
    if verdict.refusal is not None:
        return (Flag(NOT_THIS_INTERVIEW, verdict.refusal),)
    return verdict.flags


# --- stored form (the submissions.flags column, exports) ------------------------------------


# json loads where used (here and in the library, the reviewer and scoring services): the
# reviewer's first frame needs none of it (issue 17: quick start).


def flags_to_json(flags: Iterable[Flag]) -> str:
    import json

    return json.dumps([flag_to_dict(f) for f in flags], ensure_ascii=False, separators=(",", ":"))


def flag_to_dict(flag: Flag) -> dict[str, str | None]:
    return {"code": flag.code, "message": flag.message, "question_id": flag.question_id}


def flags_from_json(text: str | None) -> tuple[Flag, ...]:
    """Flags as stored; our own data, but read defensively (an empty or old row has none)."""
    if not text or text == "[]":  # most rows: none, without parsing
        return ()
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(data, list):
        return ()
    out = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            qid = item.get("question_id")
            out.append(
                Flag(
                    item["code"],
                    str(item.get("message", "")),
                    qid if isinstance(qid, str) else None,
                )
            )
    return tuple(out)
