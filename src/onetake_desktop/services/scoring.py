"""The one scoring use case: who may see, change and export which scores, notes, decisions.

Every reader and writer of scoring data goes through :class:`ScoringService` (the reviewer
window, the panel windows, the CLI, exports, the audit view); the panel and reviewer services
only add their own presentation on top. The rules, once:

- **Who acts.** Every call takes an :class:`Actor`. A panelist's actor comes only from
  :meth:`ScoringService.sign_in` (or creating the panelist) and stops working when the panel
  locks; a reviewer without a passphrase (the lone reviewer) is the implicit actor
  (:meth:`ScoringService.actor_for`). Ids are keyword-only so that they cannot be swapped.
- **Hidden until you submit.** An actor sees their own rows (drafts too) and another
  panelist's submitted score on an answer only once they have submitted their own on it.
  Decisions, and lifting blind mode for a candidate, wait until every panelist has submitted
  that candidate; with a chair (named when the panel is set up), only the chair records them.
- **Who is told who is still to submit.** Only one who may decide
  (:meth:`ScoringService.decider_refusal` None: the chair, or any panelist of a panel without
  one) is told the names, on every path that says the wait (a decision, showing a name,
  turning blind mode off; windows and commands only pass the sentence on). To anyone else
  those refusals name nobody and count nobody: the wait goes on, and whether they themselves
  are still to submit (a count and one's own state name people: "two of three still to
  submit"). One rule: :meth:`ScoringService.gate_refusal`. That is all it hides; the rest
  is "hidden until you submit": a panelist who has not submitted sees nothing of the others'
  scores, notes or recommendations on that answer or candidate, nor how many there are,
  through any path. Once they have, the others' submitted work on it is theirs to read
  (Panel summary, exports), and with it who has submitted. The audit view lists every
  panelist's submissions (which candidate, when; no score) to every panelist.
- **Erasing on request** and **keeping a candidate longer** (a retention hold) are the lone
  reviewer's or, with a panel, a signed-in panelist's (the chair's, if named): one rule,
  :meth:`ScoringService.erasure_refusal` and :meth:`ScoringService.retention_hold_refusal`;
  services.privacy asks them.
- **One transaction.** A score, correction, submission or decision and its audit row are
  written in one SQLite transaction, with their signatures.
- **Signed rows.** A panelist's rows are signed with an HMAC key derived from their
  passphrase (Argon2id, then HKDF); the key lives only in the signed-in actor. At sign-in
  every row that names the panelist is checked, so a hand edit of their score by someone
  with the database file is reported to them (see docs/threat-model.md).
- **No personal data in the audit log.** Ids, numbers and SHA-256 of free text only, so that
  erasing a candidate (``storage.panel.record_erasure``) keeps the chain whole.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onetake_desktop.domain.clock import Clock, IdleTimer, SystemClock
from onetake_desktop.domain.conformance import Flag
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.storage.atomic import (
    atomic_write_bytes,
    csv_bytes,
    indented_json,
    json_encoder,
)
from onetake_desktop.storage.db import durable, transaction
from onetake_desktop.storage.library import (
    Library,
    Recommendation,
    Reviewer,
)
from onetake_desktop.storage.panel import ERASED_ACTION, SqlitePanel

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    # The panel's domain loads with the first blind code, wrong passphrase or audit row: a
    # lone reviewer's window opens without it (issue 17).
    from onetake_desktop.domain.panel import AuditEntry, AuditProblem, Decision

    # Records load with the first one made (issue 17): services/panel_records.py,
    # storage/panel_records.py.
    from onetake_desktop.services.panel_records import AuditLine, CandidateView, Verified
    from onetake_desktop.storage.panel_records import (
        CurrentRecommendation,
        DecisionRecord,
        PanelistRecord,
        VisibleGrid,
        VisibleScore,
    )

    # Named only: storage.records loads with the first record made (issue 17).
    from onetake_desktop.storage.records import RecommendationRecord, ScoreRecord, TimestampedNote

# argon2 (and its C bindings) loads with the first passphrase checked or set, the transcripts
# table with the first export that asks for it: commands that only read (the library list)
# start without them.

MIN_PASSPHRASE = 8
DEFAULT_IDLE_MINUTES = 5.0
LONE_REVIEWER_KEY = "lone_reviewer_id"

# Audit rows a panelist does not sign: written about them while they are not signed in.
UNSIGNED_ACTIONS = frozenset({"sign_in_failed", ERASED_ACTION})

__all__ = [
    "MIN_PASSPHRASE",
    "Actor",
    "NotSignedIn",
    "ScoringService",
    "WrongPassphrase",
    "text_hash",
]


class WrongPassphrase(OneTakeError):
    """The passphrase did not match, or tries are paused after too many wrong ones."""


class NotSignedIn(OneTakeError):
    """The actor is not (or no longer) signed in."""


def text_hash(text: str) -> str:
    """What the audit log keeps of free text (a panelist's new name, a template): a SHA-256,
    no text. A hash confirms a guess and the log outlives every candidate: never for text
    written about one (file names, decision reasons and feedback, corrections' and holds'
    reasons)."""
    # hashlib, hmac and secrets load with the first hash, signature or secret made: a lone
    # reviewer's window opens without them (issue 17).
    import hashlib

    return "sha256:" + hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


class Actor:
    """Who is acting: a signed-in panelist (with their signing key, in memory only) or the
    implicit lone reviewer (no key). Only ScoringService makes them.

    Immutable, and equal only to itself (identity: two sign-ins are two actors), as the
    frozen dataclass it was (eq=False); its key stays out of its repr. Written out because
    the reviewer's window loads this module before its first paint and a dataclass compiles
    its methods at every load (issue 17)."""

    __slots__ = ("key", "name", "panelist", "reviewer_id", "warnings")

    reviewer_id: int
    name: str
    panelist: bool
    key: bytes
    # Tampering with this panelist's rows found at sign-in, one sentence each.
    warnings: tuple[str, ...]

    def __init__(
        self,
        reviewer_id: int,
        name: str,
        panelist: bool,
        key: bytes = b"",
        warnings: tuple[str, ...] = (),
    ) -> None:
        frozen_set = object.__setattr__  # past this class's own refusal
        frozen_set(self, "reviewer_id", reviewer_id)
        frozen_set(self, "name", name)
        frozen_set(self, "panelist", panelist)
        frozen_set(self, "key", key)
        frozen_set(self, "warnings", warnings)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:  # without the key
        return (
            f"Actor(reviewer_id={self.reviewer_id!r}, name={self.name!r}, "
            f"panelist={self.panelist!r}, warnings={self.warnings!r})"
        )

    def __reduce__(self) -> tuple[type[Actor], tuple[int, str, bool, bytes, tuple[str, ...]]]:
        # copy and pickle through __init__ (frozen slots), as the dataclass could
        return Actor, (self.reviewer_id, self.name, self.panelist, self.key, self.warnings)


# -- keys and signatures ------------------------------------------------------------------------

_KEY_INFO = b"onetake row signing v1"


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """Argon2id (a key-stretching KDF: slow for a guesser) then HKDF-SHA256 to a signing key.

    Costs are fixed here (not the hasher's), so the key does not change when the login hash
    is re-hashed with new parameters. ~0.1 s: call it off the GUI thread.
    """
    from argon2.low_level import Type, hash_secret_raw

    stretched = hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=2,
        memory_cost=19_456,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    import hashlib
    import hmac

    prk = hmac.new(salt, stretched, hashlib.sha256).digest()  # HKDF-extract
    return hmac.new(prk, _KEY_INFO + b"\x01", hashlib.sha256).digest()  # HKDF-expand, 1 block


# json.dumps(..., ensure_ascii=False, separators=(",", ":")) byte for byte, without building an
# encoder per call: a sign-in checks every row of the panelist (tens of thousands). Made with
# the first signature, not on import: it loads json, which the reviewer's first frame does not
# need (issue 17: quick start). json itself is imported where used, for the same reason.
_encoders: list[Callable[[Any], str]] = []


def _encoder() -> Callable[[Any], str]:
    if not _encoders:
        _encoders.append(json_encoder(False, ",", ":"))
    return _encoders[0]


# Positions in a visible-score row as SQLite returns it (VisibleScore's columns, which
# tests/unit/test_panel_records.py checks): the export reads the rows as they come, without a
# record each.
_V_ANSWER, _V_REVIEWER, _V_SCORE, _V_STATUS = 1, 4, 6, 8


def _canonical(values: Sequence[Any]) -> bytes:
    return _encoder()(list(values)).encode("utf-8")


def row_sig(key: bytes, table: str, values: Sequence[Any]) -> str:
    import hmac

    # hmac.digest: the one-shot form of hmac.new(key, msg, sha256).digest() (same bytes).
    return hmac.digest(key, _canonical([table, *values]), "sha256").hex()


def row_signer(key: bytes) -> Callable[[str, Sequence[Any]], str]:
    """:func:`row_sig` with this key, for many rows: the key's HMAC state is made once and
    copied per row (the same bytes as hmac.digest, without preparing the key each time)."""
    import hashlib
    import hmac

    keyed = hmac.new(key, digestmod=hashlib.sha256)
    encode = _encoder()

    def sign(table: str, values: Sequence[Any]) -> str:
        mac = keyed.copy()
        mac.update(encode([table, *values]).encode("utf-8"))
        return mac.hexdigest()

    return sign


def _key_mac(key: bytes, body: Mapping[str, Any]) -> str:
    import hmac

    return hmac.new(
        key, _canonical(["key_record", dict(sorted(body.items()))]), "sha256"
    ).hexdigest()


def _random_seed() -> int:
    import secrets

    return secrets.randbits(62)


class ScoringService:
    """One per library connection (one thread). See the module docstring for the rules."""

    def __init__(
        self,
        library: Library,
        clock: Clock | None = None,
        hasher: PasswordHasher | None = None,
        seed_source: Callable[[], int] | None = None,
        key_deriver: Callable[[str, bytes], bytes] | None = None,
    ) -> None:
        self.library = library
        self.repo = SqlitePanel(library.db)
        self.clock: Clock = clock or SystemClock()
        self._hasher = hasher
        self.seed_source = seed_source or _random_seed
        self.derive_key = key_deriver or derive_key
        self.idle = IdleTimer(self.clock, self.idle_minutes())
        self.current: Actor | None = None  # the panelist signed in at the laptop
        self._live: dict[int, Actor] = {}  # reviewer id -> their valid actor
        self.before_audit: Callable[[], None] | None = None  # tests inject a fault here
        self._codes_cache: tuple[tuple[str, tuple[int, ...]], dict[int, str]] | None = None

    @property
    def hasher(self) -> PasswordHasher:
        """Argon2id with argon2-cffi's defaults (or the one given), made when first needed."""
        if self._hasher is None:
            from argon2 import PasswordHasher

            self._hasher = PasswordHasher()
        return self._hasher

    @hasher.setter
    def hasher(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher

    # -- actors ---------------------------------------------------------------------------------

    def panelists(self) -> list[PanelistRecord]:
        return self.repo.panelists()

    def has_panel(self) -> bool:
        return bool(self.repo.panelists())

    def drafts_stay_home(self, actor: Actor) -> bool:
        """Whether exports by this actor leave drafts out: always for a panelist, and for
        anyone while panelists share the library."""
        return actor.panelist or self.has_panel()

    def actor_for(self, reviewer_id: int) -> Actor:
        """The actor for this reviewer: the signed-in actor of a panelist (NotSignedIn if they
        are not signed in), or the implicit actor of a reviewer without a passphrase."""
        live = self._live.get(reviewer_id)
        if live is not None:
            return live
        if self.repo.panelist(reviewer_id) is not None:
            name = self.library.reviewers.get(reviewer_id).name
            raise NotSignedIn(f"Sign in as {name} first.")
        reviewer = self.library.reviewers.get(reviewer_id)
        if reviewer.passphrase_hash is not None:  # a removed panelist
            raise NotSignedIn(f"{reviewer.name} is no longer on the panel.")
        return Actor(reviewer.id, reviewer.name, panelist=False)

    def check(self, actor: Actor) -> Actor:
        """The actor, if it may act now (a panelist's actor dies when the panel locks)."""
        if actor.panelist:
            if self._live.get(actor.reviewer_id) is not actor:
                raise NotSignedIn(f"Sign in as {actor.name} first.")
            return actor
        if self.repo.panelist(actor.reviewer_id) is not None:
            raise NotSignedIn(f"Sign in as {actor.name} first.")
        return actor

    def _panelist(self, reviewer_id: int) -> PanelistRecord:
        record = self.repo.panelist(reviewer_id)
        if record is None:
            raise OneTakeError("Only a panelist with a passphrase can do this.")
        return record

    def panelist_named(self, name: str) -> PanelistRecord:
        record = next((p for p in self.repo.panelists() if p.name == name.strip()), None)
        if record is None:
            raise InvalidInputError(f"There is no panelist called {name.strip()}.")
        return record

    # -- the lone reviewer --------------------------------------------------------------------

    def lone_reviewer(self, default_name: str) -> Reviewer:
        """The reviewer who scores alone on this library (created as ``default_name``)."""
        stored = self.repo.setting(LONE_REVIEWER_KEY)
        if stored is not None:
            with contextlib.suppress(OneTakeError, ValueError):
                return self.library.reviewers.get(int(stored))
        reviewer = self.library.reviewers.ensure(default_name)
        self.repo.set_setting(LONE_REVIEWER_KEY, str(reviewer.id))
        return reviewer

    def set_lone_name(self, actor: Actor, *, name: str) -> Reviewer:
        """Rename the lone reviewer (today "Me"): they themselves, or any signed-in panelist."""
        self.check(actor)
        stored = self.repo.setting(LONE_REVIEWER_KEY)
        if stored is None:
            raise OneTakeError("There is no lone reviewer in this library yet.")
        lone_id = int(stored)
        if not actor.panelist and actor.reviewer_id != lone_id:
            raise OneTakeError("Only the lone reviewer or a panelist can rename the reviewer.")
        with transaction(self.library.db):
            self.repo.rename(lone_id, name)
            self._audit(actor, "reviewer_renamed", f"reviewer {lone_id}", {"name": text_hash(name)})
        return self.library.reviewers.get(lone_id)

    # -- panelists and sign-in ------------------------------------------------------------------

    def hash_passphrase(self, passphrase: str) -> str:
        """Argon2id only, no database: safe on a worker thread (it takes ~0.1 s by design)."""
        if len(passphrase) < MIN_PASSPHRASE:
            raise InvalidInputError(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
        return self.hasher.hash(passphrase)

    def prepare_panelist(self, passphrase: str) -> tuple[str, bytes, bytes]:
        """The slow part of adding a panelist (no database; any thread): login hash, salt,
        signing key."""
        import secrets

        login = self.hash_passphrase(passphrase)
        salt = secrets.token_bytes(16)
        return login, salt, self.derive_key(passphrase, salt)

    def create_panelist(self, name: str, passphrase: str, *, chair: bool = False) -> Actor:
        """A new panelist, signed in (they chose the passphrase, so they are at the laptop)."""
        return self.add_panelist(name, self.prepare_panelist(passphrase), chair=chair)

    def add_panelist(
        self, name: str, prepared: tuple[str, bytes, bytes], *, chair: bool = False
    ) -> Actor:
        """Store a panelist from ``prepare_panelist`` and sign them in. A chair is named only
        while the panel is being set up (before anyone has scored as a panelist)."""
        login, salt, key = prepared
        if chair and any(p.is_chair for p in self.repo.panelists()):
            raise InvalidInputError("The panel already has a chair.")
        if chair and self._panel_has_scored():
            raise InvalidInputError("A chair is named when the panel is set up, before scoring.")
        with transaction(self.library.db):
            record = self.repo.add_panelist(name, login, self.seed_source(), chair)
            # Rows this reviewer wrote before joining (as a lone reviewer) stay unsigned.
            self._write_key_record(record.reviewer_id, key, salt, self.repo.max_ids(), 0)
            actor = self._make_actor(record, key, ())
            self._audit(
                actor, "panelist_created", f"panelist {record.reviewer_id}", {"chair": chair}
            )
            self._audit(actor, "sign_in", f"panelist {record.reviewer_id}", {"tamper_findings": 0})
        self._start(actor)
        return actor

    def can_name_chair(self) -> bool:
        """A chair is named while the panel is set up: none yet, and nobody has scored."""
        return not any(p.is_chair for p in self.repo.panelists()) and not self._panel_has_scored()

    def _panel_has_scored(self) -> bool:
        ids = [p.reviewer_id for p in self.repo.panelists()]
        if not ids:
            return False
        marks = ",".join("?" * len(ids))
        row = self.library.db.execute(
            f"SELECT 1 FROM scores WHERE reviewer_id IN ({marks}) LIMIT 1", ids
        ).fetchone()
        return row is not None

    def sign_in(self, reviewer_id: int, passphrase: str) -> Actor:
        """Check the passphrase and this panelist's signed rows; wrong passphrases pause
        further tries for longer each time. Tampering shows in ``actor.warnings``."""
        record = self.begin_sign_in(reviewer_id)
        return self.finish_sign_in(record, self.verify_passphrase(record, passphrase))

    # sign_in in three steps so that a window can run the slow middle one (Argon2id, twice)
    # on a worker thread: the first and last touch the database, which belongs to the thread
    # that opened it.

    def begin_sign_in(self, reviewer_id: int) -> PanelistRecord:
        """The panelist, unless their tries are paused (raises WrongPassphrase)."""
        record = self._panelist(reviewer_id)
        if record.retry_after is not None:
            wait = (datetime.fromisoformat(record.retry_after) - self.clock.now()).total_seconds()
            if wait > 0:
                n = max(1, round(wait))
                seconds = f"{n} second{'' if n == 1 else 's'}"
                # "Too many" only once there were several: after one slip it would scold.
                raise WrongPassphrase(
                    f"Too many wrong passphrases for {record.name}; try again in {seconds}."
                    if record.failed_attempts > 1
                    else f"Wait {seconds} before trying again."
                )
        return record

    def verify_passphrase(self, record: PanelistRecord, passphrase: str) -> Verified:
        """No database: safe on any thread. The login hash, then the signing key."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        from onetake_desktop.services.panel_records import Verified

        try:
            self.hasher.verify(record.passphrase_hash, passphrase)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verified(False)
        fresh = (
            self.hasher.hash(passphrase)
            if self.hasher.check_needs_rehash(record.passphrase_hash)
            else None
        )
        import secrets

        salt = _salt_of(record.key_record) or secrets.token_bytes(16)
        return Verified(True, fresh, self.derive_key(passphrase, salt), salt)

    def finish_sign_in(self, record: PanelistRecord, verified: Verified) -> Actor:
        """Record the outcome of ``verify_passphrase``: sign in (checking this panelist's
        rows), or count the failure."""
        reviewer_id = record.reviewer_id
        if not verified.matches:
            failures = record.failed_attempts + 1
            from onetake_desktop.domain.panel import wrong_passphrase_delay

            retry = self.clock.now() + timedelta(seconds=wrong_passphrase_delay(failures))
            with transaction(self.library.db):
                self.repo.set_failures(reviewer_id, failures, retry.isoformat())
                self.repo.append_audit(
                    reviewer_id, "sign_in_failed", f"panelist {reviewer_id}", {"n": failures}
                )
            raise WrongPassphrase(f"That is not {record.name}'s passphrase.")
        key, salt = verified.key, verified.salt
        with transaction(self.library.db):
            if record.failed_attempts:
                self.repo.set_failures(reviewer_id, 0, None)
            if verified.new_hash is not None:
                self.repo.set_passphrase_hash(reviewer_id, verified.new_hash)
            if record.key_record is None:  # a panelist from before signed rows: adopt
                self._write_key_record(reviewer_id, key, salt, self.repo.max_ids(), 0)
                warnings: tuple[str, ...] = ()
            else:
                warnings = tuple(self.tamper_findings(reviewer_id, key))
            actor = self._make_actor(record, key, warnings)
            self._audit(
                actor, "sign_in", f"panelist {reviewer_id}", {"tamper_findings": len(warnings)}
            )
        self._start(actor)
        return actor

    def _make_actor(self, record: PanelistRecord, key: bytes, warnings: tuple[str, ...]) -> Actor:
        return Actor(record.reviewer_id, record.name, panelist=True, key=key, warnings=warnings)

    def _start(self, actor: Actor) -> None:
        self._live[actor.reviewer_id] = actor
        self.current = actor
        self.idle.touch()

    def lock(self) -> None:
        """Hide everything until a panelist signs in again (idle, or switching panelist):
        every panelist's actor stops working."""
        if self.current is not None:
            with contextlib.suppress(NotSignedIn):
                self._audit(self.current, "lock", f"panelist {self.current.reviewer_id}", {})
        self.current = None
        self._live.clear()

    def touch(self) -> None:
        self.idle.touch()

    # -- reports of work started at the laptop ------------------------------------------------

    def report_owner(self) -> int | None:
        """Whom a job started now (an import) reports to when it ends: the panelist signed in,
        or None on a library without a panel (its lone reviewer)."""
        return None if self.current is None else self.current.reviewer_id

    def may_read_report(self, owner: int | None) -> bool:
        """Whether whoever is at the laptop now may read a report that ``owner`` started:
        only that panelist, while signed in. An import's report names files, and file names
        can name the candidates that blind review hides; what a panelist imported, and what
        was refused, is theirs to see, not the next panelist's. On a library without a panel
        the lone reviewer reads their own; once a panel exists, never behind the lock."""
        if self.current is not None:
            return self.current.reviewer_id == owner
        return owner is None and not self.has_panel()

    def lock_if_idle(self) -> bool:
        if self.current is not None and self.idle.is_idle():
            self.lock()
            return True
        return False

    def idle_minutes(self) -> float:
        try:
            return float(self.repo.setting("idle_minutes", str(DEFAULT_IDLE_MINUTES)) or 0)
        except ValueError:
            return DEFAULT_IDLE_MINUTES

    # -- people -------------------------------------------------------------------------------

    def rename_panelist(self, actor: Actor, *, reviewer_id: int, name: str) -> PanelistRecord:
        """Any signed-in panelist may correct a name (audited, with a hash of the new one)."""
        self._require_panelist(actor)
        self._panelist(reviewer_id)
        with transaction(self.library.db):
            self.repo.rename(reviewer_id, name)
            self._audit(
                actor, "panelist_renamed", f"panelist {reviewer_id}", {"name": text_hash(name)}
            )
        record = self._panelist(reviewer_id)
        live = self._live.get(reviewer_id)
        if live is not None:  # the actor carries the name shown in windows
            renamed = Actor(live.reviewer_id, record.name, True, live.key, live.warnings)
            self._live[reviewer_id] = renamed
            if self.current is live:
                self.current = renamed
        return record

    def remove_panelist(self, actor: Actor, *, reviewer_id: int) -> None:
        """The panelist can no longer sign in; their scores stay (and stay signed)."""
        self._require_panelist(actor)
        self._panelist(reviewer_id)
        if len(self.repo.panelists()) <= 1:
            raise InvalidInputError("The last panelist cannot be removed.")
        with transaction(self.library.db):
            self.repo.remove_panelist(reviewer_id)
            self._audit(actor, "panelist_removed", f"panelist {reviewer_id}", {})
        self._live.pop(reviewer_id, None)
        if self.current is not None and self.current.reviewer_id == reviewer_id:
            self.current = None

    def change_passphrase(self, actor: Actor, *, old: str, new: str) -> Actor:
        """Re-key honestly: the old passphrase must match and every row signed with the old
        key must still check out; then every row is signed again with the new key."""
        self._require_panelist(actor)
        record = self._panelist(actor.reviewer_id)
        verified = self.verify_passphrase(record, old)
        if not verified.matches:
            raise WrongPassphrase(f"That is not {record.name}'s passphrase.")
        old_key = verified.key
        findings = self.tamper_findings(actor.reviewer_id, old_key)
        if findings:
            raise OneTakeError(
                "Your rows were changed by someone else, so they cannot be signed again: "
                + findings[0]
            )
        login, salt, key = self.prepare_panelist(new)
        body = _parse_key_record(record.key_record)
        with transaction(self.library.db):
            self.repo.set_passphrase_hash(actor.reviewer_id, login)
            sign = row_signer(key)
            for table, row_id in self.repo.sigs(actor.reviewer_id):
                values = self.repo.row_values(table, row_id)
                if values is not None:
                    self.repo.put_sig(table, row_id, actor.reviewer_id, sign(table, values))
            self._write_key_record(actor.reviewer_id, key, salt, body["legacy"], body["n"])
            fresh = Actor(actor.reviewer_id, record.name, True, key, ())
            self._live[actor.reviewer_id] = fresh
            if self.current is actor:
                self.current = fresh
            self._audit(fresh, "passphrase_changed", f"panelist {actor.reviewer_id}", {})
        return fresh

    def _require_panelist(self, actor: Actor) -> None:
        self.check(actor)
        if not actor.panelist:
            raise OneTakeError("Only a signed-in panelist can do this.")

    # -- signing --------------------------------------------------------------------------------

    def _write_key_record(
        self, reviewer_id: int, key: bytes, salt: bytes, legacy: Mapping[str, int], n: int
    ) -> None:
        import json

        body = {"v": 1, "salt": salt.hex(), "legacy": dict(legacy), "n": n}
        self.repo.set_key_record(reviewer_id, json.dumps({**body, "mac": _key_mac(key, body)}))

    def _sign(self, actor: Actor, table: str, row_id: int) -> None:
        """Sign one row the actor just wrote (inside the caller's transaction)."""
        if not actor.panelist:
            return
        values = self.repo.row_values(table, row_id)
        assert values is not None
        new = self.repo.put_sig(table, row_id, actor.reviewer_id, row_sig(actor.key, table, values))
        if new:
            record = self._panelist(actor.reviewer_id)
            body = _parse_key_record(record.key_record)
            salt = bytes.fromhex(body["salt"])
            self._write_key_record(
                actor.reviewer_id, actor.key, salt, body["legacy"], body["n"] + 1
            )

    def tamper_findings(self, reviewer_id: int, key: bytes) -> list[str]:
        """What someone else changed among this panelist's rows, one sentence each."""
        import hmac
        import json

        record = self._panelist(reviewer_id)
        body = _parse_key_record(record.key_record)
        out: list[str] = []
        if body.get("mac") != _key_mac(key, {k: v for k, v in body.items() if k != "mac"}):
            out.append("Your signing record in the library was changed by someone else.")
        legacy: dict[str, int] = body.get("legacy", {})
        # Hold audit rows written before holds were signed (schema 11 lists them): not forged.
        old_holds = {
            int(r[0]) for r in self.library.db.execute("SELECT seq FROM unsigned_hold_audit")
        }
        sign = row_signer(key)
        matched = 0  # checked rows that carry this panelist's signature
        found: list[tuple[str, Any, str]] = []  # put in words once the rows are read
        for table, values, sig in self._checked_rows(reviewer_id, legacy):
            if sig is None and table == "audit_log" and int(values[0]) in old_holds:
                continue
            if sig is None:
                found.append((table, values, "was added in your name by someone else."))
                continue
            matched += 1
            if not hmac.compare_digest(sig, sign(table, values)):
                found.append((table, values, "was changed by someone else."))
        out.extend(f"{self._what(table, values)} {what}" for table, values, what in found)
        signed = self.repo.sig_count(reviewer_id)
        if signed != matched:
            # Some signature is on no row checked above: the row was removed, or now names
            # another owner. Rare (tampering), so found the slow way, as a set difference.
            sigs = self.repo.sigs(reviewer_id)
            seen = {(t, int(v[0])) for t, v, _ in self._checked_rows(reviewer_id, legacy)}
            for table, row_id in sorted(set(sigs) - seen):
                now = self.repo.row_values(table, row_id)
                if now is None:
                    out.append(f"{self._what(table, (row_id,))} was removed by someone else.")
                else:  # the row now names another owner
                    out.append(f"{self._what(table, now)} was moved out of your name.")
        erased = sum(
            int(json.loads(details).get("removed", {}).get(str(reviewer_id), 0))
            for details in self.repo.audit_details(ERASED_ACTION)
        )
        if not out and signed + erased != int(body.get("n", 0)):
            out.append("Some of your rows were removed by someone else.")
        return out

    def _checked_rows(
        self, reviewer_id: int, legacy: Mapping[str, int]
    ) -> Iterator[tuple[str, Any, str | None]]:
        """The panelist's rows a sign-in checks, with their signature (None: unsigned):
        every row that names them, but those written before they had a key and the audit
        rows written about them while they were not signed in."""
        for table, values, sig in self.repo.owned_rows_signed(reviewer_id):
            if int(values[0]) <= legacy.get(table, 0):
                continue  # written before this panelist had a key
            if table == "audit_log" and values[3] in UNSIGNED_ACTIONS:
                continue
            yield table, values, sig

    def _what(self, table: str, values: Sequence[Any]) -> str:
        """The row in words the panelist recognises: a score names its question and the
        candidate as the panel sees them (a code while blind mode hides the name)."""
        if table == "scores" and len(values) > 3:
            try:
                answer = self.library.submissions.answer(int(values[1]))
                shown = self.hidden_codes().get(answer.submission_id) or (
                    self.library.submissions.get(answer.submission_id).candidate_name
                )
            except OneTakeError:
                return f"A score of yours (now {values[3]})"
            return f"Your score on {answer.question_id} for {shown} (now {values[3]})"
        return _what(table, values)

    # -- audit ----------------------------------------------------------------------------------

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        """One write transaction on the library (callers add an audit row inside it)."""
        return transaction(self.library.db)

    def audit(self, actor: Actor, action: str, subject: str, details: dict[str, Any]) -> None:
        """Append (and sign) an audit row for a setting change; call inside ``transaction``.
        No personal data: ids, numbers, ``text_hash`` of free text about no candidate."""
        self.check(actor)
        self._audit(actor, action, subject, details)

    def _audit(self, actor: Actor, action: str, subject: str, details: dict[str, Any]) -> None:
        if self.before_audit is not None:
            self.before_audit()
        entry = self.repo.append_audit(actor.reviewer_id, action, subject, details)
        self._sign(actor, "audit_log", entry.seq)

    def audit_problem(self) -> AuditProblem | None:
        """Whether the hash chain holds (anyone may ask; it shows no row)."""
        return self.repo.verify_audit()

    def audit_count(self) -> int:
        return len(self.repo.audit_entries())

    def audit_view(self, actor: Actor) -> list[AuditLine]:
        """The audit log for one signed-in panelist. Another's score activity on an answer
        (its rows: which answers, how many changes, notes deleted, when, the values) shows
        only where this panelist may already see their scores (both have submitted on that
        answer); before that it is left out. Submissions stay, for everyone (which candidate,
        when; no score), though the decision gate's refusals name nobody to one who may not
        decide (see the module's docstring)."""
        import json

        from onetake_desktop.services.panel_records import AuditLine

        self._require_panelist(actor)
        names = {r.id: r.name for r in self.library.reviewers.all()}
        open_cells = self._open_answers(actor.reviewer_id)
        lines: list[AuditLine] = []
        for e in self.repo.audit_entries():
            details: dict[str, Any] = json.loads(e.details)
            if e.actor_id != actor.reviewer_id:
                opened = open_cells.get(e.actor_id or -1, set())
                if e.action in _PER_ANSWER and details.get("answer") not in opened:
                    continue  # a colleague's drafting, before the viewer has submitted
                details = _redact(details, opened)
            lines.append(
                AuditLine(
                    e.seq,
                    e.at,
                    "OneTake"
                    if e.actor_id is None
                    else names.get(e.actor_id, f"panelist {e.actor_id}"),
                    e.action,
                    e.subject,
                    details,
                )
            )
        return lines

    def audit_entries(self, actor: Actor) -> list[AuditEntry]:
        """The raw rows, for a signed-in panelist (the chain check needs no sign-in)."""
        self._require_panelist(actor)
        return self.repo.audit_entries()

    def _open_answers(self, viewer_id: int) -> dict[int, set[int]]:
        """Other reviewer id -> answers whose current score by them the viewer may see."""
        out: dict[int, set[int]] = {}
        for reviewer_id, answer_id in self.repo.open_answers(viewer_id):
            out.setdefault(reviewer_id, set()).add(answer_id)
        return out

    # -- reading scores -------------------------------------------------------------------------

    def my_score(self, actor: Actor, *, answer_id: int) -> ScoreRecord | None:
        self.check(actor)
        return self.library.scores.current(answer_id, actor.reviewer_id)

    def my_scores(self, actor: Actor, *, submission_id: int) -> dict[int, ScoreRecord]:
        self.check(actor)
        return self.library.scores.current_for_submission(submission_id, actor.reviewer_id)

    def score_history(self, actor: Actor, *, answer_id: int) -> list[ScoreRecord]:
        self.check(actor)
        return self.library.scores.history(answer_id, actor.reviewer_id)

    def notes(self, actor: Actor, *, answer_id: int) -> list[TimestampedNote]:
        self.check(actor)
        return self.library.scores.notes(answer_id, actor.reviewer_id)

    def recommendation(self, actor: Actor, *, submission_id: int) -> RecommendationRecord | None:
        self.check(actor)
        return self.library.scores.recommendation(submission_id, actor.reviewer_id)

    def visible_scores(
        self, actor: Actor, *, interview_pk: int, own_drafts: bool = True
    ) -> list[VisibleScore]:
        """The actor's own current scores and the others' they may see (hidden until you
        submit). A reviewer who is not a panelist sees only their own."""
        from onetake_desktop.storage.panel_records import VisibleScore

        return list(map(VisibleScore._make, self._visible_rows(actor, interview_pk, own_drafts)))

    def _visible_rows(
        self, actor: Actor, interview_pk: int, own_drafts: bool
    ) -> Iterator[tuple[Any, ...]]:
        """:meth:`visible_scores` as SQLite returns them (:class:`VisibleScore`'s columns),
        read as they come: what the per-answer export writes from, with no record each."""
        self.check(actor)
        rows = self.repo.visible_rows(actor.reviewer_id, interview_pk, own_drafts)
        if not actor.panelist:
            mine = actor.reviewer_id
            return (r for r in rows if r[_V_REVIEWER] == mine)
        return rows

    def visible_grid(
        self, actor: Actor, *, interview_pk: int, own_drafts: bool = True
    ) -> VisibleGrid:
        """:meth:`visible_scores` as one row per answer and one score per reviewer (the same
        rule), for summaries of large panels. A reviewer who is not a panelist sees only
        their own."""
        self.check(actor)
        others = self.repo.reviewer_ids() if actor.panelist else []
        return self.repo.visible_grid(actor.reviewer_id, interview_pk, others, own_drafts)

    def visible_notes(
        self, actor: Actor, *, answer_id: int, reviewer_id: int
    ) -> list[TimestampedNote]:
        """Timestamped notes of ``reviewer_id`` on an answer: the actor's own, or a panelist's
        once both have submitted their score on it."""
        self.check(actor)
        return self._visible_notes(actor, answer_id, reviewer_id, None)

    def _visible_notes(
        self,
        actor: Actor,
        answer_id: int,
        reviewer_id: int,
        open_cells: Mapping[int, set[int]] | None,
    ) -> list[TimestampedNote]:
        if not self._sees_notes(actor, answer_id, reviewer_id, open_cells):
            return []
        return self.library.scores.notes(answer_id, reviewer_id)

    def _sees_notes(
        self,
        actor: Actor,
        answer_id: int,
        reviewer_id: int,
        open_cells: Mapping[int, set[int]] | None,
    ) -> bool:
        """The rule for timestamped notes: the actor's own, or a panelist's once both have
        submitted their score on the answer (``open_cells``: :meth:`_open_answers`, when
        already known)."""
        if reviewer_id == actor.reviewer_id:
            return True
        if not actor.panelist:
            return False
        if open_cells is None:
            open_cells = self._open_answers(actor.reviewer_id)
        return answer_id in open_cells.get(reviewer_id, set())

    def visible_recommendation(
        self, actor: Actor, *, submission_id: int, reviewer_id: int
    ) -> RecommendationRecord | None:
        """The actor's own recommendation, or another panelist's submitted one once the actor
        has submitted the whole candidate."""
        self.check(actor)
        return self._visible_recommendation(actor, submission_id, reviewer_id, None)

    def _visible_recommendation(
        self,
        actor: Actor,
        submission_id: int,
        reviewer_id: int,
        done_by: Mapping[int, set[int]] | None,
    ) -> RecommendationRecord | None:
        """``done_by``: submission id -> who submitted all of it, when already known."""
        rec = self.library.scores.recommendation(submission_id, reviewer_id)
        if rec is None:
            return None
        return rec if self._sees_recommendation(actor, submission_id, rec, done_by) else None

    def _sees_recommendation(
        self,
        actor: Actor,
        submission_id: int,
        rec: RecommendationRecord | CurrentRecommendation,
        done_by: Mapping[int, set[int]] | None,
    ) -> bool:
        """The rule for a reviewer's current recommendation: the actor's own, or another
        panelist's submitted one once the actor has submitted the whole candidate."""
        if rec.reviewer_id == actor.reviewer_id:
            return True
        if not actor.panelist or rec.status != "submitted":
            return False
        done = (
            self.repo.submitted_by(submission_id)
            if done_by is None
            else done_by.get(submission_id, set())
        )
        return actor.reviewer_id in done

    def visible_recommendations(
        self, actor: Actor, *, interview_pk: int
    ) -> dict[int, list[tuple[int, str]]]:
        """Submission id -> [(reviewer id, value)] of the submitted recommendations the actor
        may see on this interview: their own, and another panelist's once the actor has
        submitted the whole candidate (the rule of :meth:`visible_recommendation`, one query
        per panelist rather than per candidate)."""
        self.check(actor)
        reviewers = (
            [p.reviewer_id for p in self.repo.panelists()]
            if actor.panelist
            else [actor.reviewer_id]
        )
        # Only whether the actor submitted the whole candidate matters (theirs alone).
        done_by = (
            self.repo.submitted_by_submission(interview_pk, actor.reviewer_id)
            if actor.panelist
            else {}
        )
        out: dict[int, list[tuple[int, str]]] = {}
        for reviewer_id in reviewers:
            mine = reviewer_id == actor.reviewer_id
            for sid, (value, status) in self.repo.recommendations_of(
                reviewer_id, interview_pk
            ).items():
                if status != "submitted":
                    continue
                if not mine and actor.reviewer_id not in done_by.get(sid, set()):
                    continue
                out.setdefault(sid, []).append((reviewer_id, value))
        return out

    # -- writing scores -------------------------------------------------------------------------

    def save_score(
        self, actor: Actor, *, answer_id: int, score: int | None, note: str = ""
    ) -> ScoreRecord:
        """Save the actor's draft (``score`` None: only a note so far) and, when the score
        changed, its audit row, in one transaction."""
        self.check(actor)
        with transaction(self.library.db):
            previous = self.library.scores.current(answer_id, actor.reviewer_id)
            record = self.library.scores.save_draft(answer_id, actor.reviewer_id, score, note)
            self._sign(actor, "scores", record.id)
            before = None if previous is None else previous.score
            if before != score:  # typing a note is not an event; clearing a score is
                self._audit(
                    actor,
                    "score",
                    self._subject(answer_id),
                    {"answer": answer_id, "row": record.id, "score": score},
                )
        return record

    def correct_score(
        self, actor: Actor, *, answer_id: int, score: int, note: str, reason: str
    ) -> ScoreRecord:
        """A correction of a submitted score, with its reason, durably, with its audit row."""
        self.check(actor)
        with durable(self.library.db):
            record = self.library.scores.correct(answer_id, actor.reviewer_id, score, note, reason)
            self._sign(actor, "scores", record.id)
            self._audit(
                actor,
                "correct",
                self._subject(answer_id),
                {
                    "answer": answer_id,
                    "row": record.id,
                    "score": score,  # the reason stays in the signed row (see decide)
                    "supersedes": record.supersedes_id,
                },
            )
        return record

    def _subject(self, answer_id: int) -> str:
        a = self.library.submissions.answer(answer_id)
        return f"submission {a.submission_id} / {a.question_id}"

    def unscored(self, actor: Actor, *, answer_ids: Sequence[int]) -> list[int]:
        self.check(actor)
        missing = []
        for a in answer_ids:
            current = self.library.scores.current(a, actor.reviewer_id)
            if current is None or current.score is None:
                missing.append(a)
        return missing

    def submit_answers(self, actor: Actor, *, answer_ids: Sequence[int], subject: str) -> int:
        """Submit the actor's drafts on these answers (each must have a score), durably, with
        the audit row; the recommendation of a whole candidate is submitted with it."""
        missing = self.unscored(actor, answer_ids=answer_ids)
        if missing:
            names = ", ".join(self._subject(a).split(" / ")[-1] for a in missing[:3])
            raise OneTakeError(f"Score every answer before submitting (missing: {names}).")
        with durable(self.library.db):
            done = self.repo.submit_answers(actor.reviewer_id, answer_ids)
            for _, row_id in done:
                self._sign(actor, "scores", row_id)
            self._audit(
                actor,
                "submit",
                subject,
                {"answers": [a for a, _ in done], "rows": [r for _, r in done]},
            )
        return len(done)

    def submit_candidate(self, actor: Actor, *, submission_id: int) -> int:
        answers = [a.id for a in self.library.submissions.answers(submission_id)]
        missing = self.unscored(actor, answer_ids=answers)
        if missing:
            names = ", ".join(self._subject(a).split(" / ")[-1] for a in missing)
            raise OneTakeError(f"Score every answer before submitting (missing: {names}).")
        with durable(self.library.db):
            done = self.repo.submit_answers(actor.reviewer_id, answers)
            for _, row_id in done:
                self._sign(actor, "scores", row_id)
            rec = self.library.scores.recommendation(submission_id, actor.reviewer_id)
            if rec is not None and rec.status == "draft":
                self.library.db.execute(
                    "UPDATE recommendations SET status = 'submitted' WHERE id = ?", (rec.id,)
                )
                self._sign(actor, "recommendations", rec.id)
            self._audit(
                actor,
                "submit",
                f"submission {submission_id}",
                {"answers": [a for a, _ in done], "rows": [r for _, r in done]},
            )
        return len(done)

    def add_note(
        self, actor: Actor, *, answer_id: int, position_ms: int, text: str
    ) -> TimestampedNote:
        self.check(actor)
        with transaction(self.library.db):
            note = self.library.scores.add_note(answer_id, actor.reviewer_id, position_ms, text)
            self._sign(actor, "timestamped_notes", note.id)
        return note

    def delete_note(self, actor: Actor, *, note_id: int) -> None:
        self.check(actor)
        with transaction(self.library.db):
            owned = self.library.db.execute(
                "SELECT answer_id FROM timestamped_notes WHERE id = ? AND reviewer_id = ?",
                (note_id, actor.reviewer_id),
            ).fetchone()
            if owned is None:
                return
            self.library.scores.delete_note(note_id, actor.reviewer_id)
            if actor.panelist:
                self.repo.drop_sig("timestamped_notes", note_id)
                # The answer too: the audit view shows the row to a colleague only once that
                # answer is open to them (_PER_ANSWER), as the scores on it.
                details = {"note": note_id, "answer": int(owned[0])}
                self._audit(actor, "note_deleted", f"note {note_id}", details)
                self._bump(actor, -1)

    def _bump(self, actor: Actor, delta: int) -> None:
        record = self._panelist(actor.reviewer_id)
        body = _parse_key_record(record.key_record)
        self._write_key_record(
            actor.reviewer_id,
            actor.key,
            bytes.fromhex(body["salt"]),
            body["legacy"],
            body["n"] + delta,
        )

    def set_recommendation(
        self, actor: Actor, *, submission_id: int, value: Recommendation, note: str = ""
    ) -> RecommendationRecord:
        self.check(actor)
        with transaction(self.library.db):
            rec = self.library.scores.set_recommendation(
                submission_id, actor.reviewer_id, value, note
            )
            self._sign(actor, "recommendations", rec.id)
        return rec

    # -- decisions and blind mode ---------------------------------------------------------------

    def _still_to_submit(self, submission_id: int) -> list[PanelistRecord]:
        """The panelists who have not submitted this candidate yet (told: gate_refusal)."""
        done = self.repo.submitted_by(submission_id)
        return [p for p in self.repo.panelists() if p.reviewer_id not in done]

    def _told_who(self, actor: Actor) -> bool:
        """Whether this actor is told who is still to submit: one who may decide (the chair,
        or any panelist of a panel without one), as a decision waits on them. The one rule
        for every path that says the wait; see the module's docstring."""
        return actor.panelist and self.decider_refusal(actor) is None

    def still_to_submit(self, actor: Actor, *, submission_id: int) -> list[str] | None:
        """Names of the panelists who have not submitted this candidate yet, for one who may
        be told them (None: this actor is not told; see gate_refusal)."""
        self.check(actor)
        if not self._told_who(actor):
            return None
        return [p.name for p in self._still_to_submit(submission_id)]

    def gate_refusal(self, actor: Actor, *, submission_id: int, doing: str) -> str | None:
        """Why ``doing`` (a decision, showing the name) waits on this candidate (None: every
        panelist has submitted them). The sentence names who is still to submit only to one
        who may decide; anyone else reads that the wait goes on and whether they themselves
        are still to submit (no names, no counts). Only the sentence: what else they may read
        is the visibility rule's (see the module's docstring)."""
        self.check(actor)
        waiting = self._still_to_submit(submission_id)
        if not waiting:
            return None
        wait = f"{doing} waits until every panelist has submitted this candidate"
        if self._told_who(actor):
            return f"{wait} (still to submit: {', '.join(p.name for p in waiting)})."
        if any(p.reviewer_id == actor.reviewer_id for p in waiting):
            return f"{wait}; you have not submitted them yet."
        return f"{wait}."

    def _check_gate(self, actor: Actor, submission_id: int, what: str) -> None:
        """Every panelist has submitted this candidate (what the wait says: gate_refusal)."""
        self._require_panelist(actor)
        refusal = self.gate_refusal(actor, submission_id=submission_id, doing=what)
        if refusal is not None:
            raise OneTakeError(refusal)

    def decide(
        self,
        actor: Actor,
        *,
        submission_id: int,
        decision: Decision,
        reason: str,
        feedback: str = "",
    ) -> DecisionRecord:
        """The panel's decision, once every panelist has submitted the candidate (by the chair
        if the panel has one), durably, with its audit row (the decision, not its words).
        A lone reviewer (no panel in this library) decides alone, with a reason, audited."""
        refusal = self.decision_refusal(actor, submission_id=submission_id)
        if refusal is not None:
            raise OneTakeError(refusal)
        with durable(self.library.db):
            record = self.repo.add_decision(
                submission_id, decision, reason, feedback, actor.reviewer_id
            )
            self._sign(actor, "panel_decisions", record.id)
            self._audit(
                actor,
                "decide",
                f"submission {submission_id}",
                # Whether feedback was given, not a hash of it or of the reason: both are
                # written about (often to) the candidate, and the audit log outlives them,
                # where a hash confirms a guess. The signed decision row keeps the words.
                {
                    "decision": decision,
                    "feedback": bool(feedback.strip()),
                    "supersedes": record.supersedes_id,
                },
            )
        return record

    def decider_refusal(self, actor: Actor) -> str | None:
        """Why this actor may never record the panel's decisions, whichever the candidate
        (None: they may, once each candidate's gate opens): with a panel, only a signed-in
        panelist, and only the chair when the panel named one. Asked when a window that
        decides opens, so that nobody fills in a form they may not send."""
        self.check(actor)
        if not actor.panelist:
            if self.has_panel():
                return "Decisions are the panel's: sign in as a panelist."
            return None
        chair = next((p for p in self.repo.panelists() if p.is_chair), None)
        if chair is not None and chair.reviewer_id != actor.reviewer_id:
            return f"Only the panel's chair, {chair.name}, records decisions."
        return None

    def decision_refusal(self, actor: Actor, *, submission_id: int) -> str | None:
        """Why this actor may not record a decision on this candidate now (None: they may).
        With a panel: a signed-in panelist once everyone has submitted (the chair, if named:
        one who may never decide reads that first; who is still to submit: gate_refusal).
        Without one: the lone reviewer, who answers to nobody else."""
        refusal = self.decider_refusal(actor)
        if refusal is not None or not actor.panelist:
            return refusal
        try:
            self._check_gate(actor, submission_id, "A decision")
        except OneTakeError as error:
            return str(error)
        return None

    def erasure_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not erase a candidate on request (None: they may). Without a
        panel, the lone reviewer; with one, a signed-in panelist, and only the chair when the
        panel named one (as for decisions, but with no wait: a request is answered at once).
        Retention's erasure (services.privacy ``expire``) is nobody's action and asks nobody."""
        return self._privacy_refusal(actor, "Erasing a candidate")

    def retention_hold_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not keep a candidate longer than they were told (None: they
        may): the same people as for erasure, as it decides over the candidate's data too."""
        return self._privacy_refusal(actor, "Keeping a candidate longer")

    def library_change_refusal(self, actor: Actor) -> str | None:
        """Why this actor may not add to the library (import bundles, add interview
        definitions) now (None: they may): with a panel, only a signed-in panelist, as the
        panel's locked window refuses drops and imports (services.panel ``locked``)."""
        self.check(actor)
        if not actor.panelist and self.has_panel():
            return "Adding to this library is the panel's: sign in as a panelist."
        return None

    def _privacy_refusal(self, actor: Actor, doing: str) -> str | None:
        """The one rule for decisions over a candidate's data (erasure, retention holds)."""
        self.check(actor)
        chair = next((p for p in self.repo.panelists() if p.is_chair), None)
        if not actor.panelist:
            if chair is not None:
                return f"{doing} is for the panel's chair: sign in as {chair.name}."
            if self.has_panel():
                return f"{doing} is the panel's: sign in as a panelist."
            return None
        if chair is not None and chair.reviewer_id != actor.reviewer_id:
            return f"{doing} is for the panel's chair, {chair.name}."
        return None

    def followup_refusal(self, actor: Actor | None) -> str | None:
        """Why this actor may not write to candidates (None: they may). ``actor`` None: the
        library's lone reviewer, asked before anyone is looked up or made. With a panel,
        only a signed-in panelist writes to candidates on its behalf."""
        if actor is not None:
            self.check(actor)
        if (actor is None or not actor.panelist) and self.has_panel():
            return "Follow-up is the panel's: sign in as a panelist."
        return None

    def contactable(self, actor: Actor, *, interview_pk: int) -> list[CandidateView]:
        """Candidates this actor may write to: a decision is recorded and their name is
        shown (in blind mode, only those the panel has revealed). With a panel, only a
        signed-in panelist writes to candidates on its behalf."""
        refusal = self.followup_refusal(actor)
        if refusal is not None:
            raise OneTakeError(refusal)
        return [
            c
            for c in self.candidates(interview_pk=interview_pk)
            if c.decision is not None and c.revealed and c.email
        ]

    def lift_blind(self, actor: Actor, *, submission_id: int) -> None:
        """Show this candidate's name to the panel (audited), once all have submitted."""
        self._check_gate(actor, submission_id, "Showing the name")
        with transaction(self.library.db):
            self.repo.lift_blind(submission_id, actor.reviewer_id)
            self._audit(actor, "blind_lifted", f"submission {submission_id}", {})

    def blind_mode(self) -> bool:
        return self.repo.setting("blind_mode", "0") == "1"

    def set_blind_mode(self, actor: Actor, *, on: bool) -> None:
        """Blind mode for the whole panel, audited. Once scoring of a hidden candidate has
        begun, turning it off waits (like lifting it for one candidate) until every panelist
        has submitted that candidate: it stays on for them until the panel lifts it. The
        refusal tells one who may decide how many candidates wait and who is still to submit
        them; anyone else only that some wait (gate_refusal's rule: a count of candidates
        begun is others' progress too)."""
        self._require_panelist(actor)
        if not on:
            started = {
                int(r[0])
                for r in self.library.db.execute(
                    "SELECT DISTINCT a.submission_id FROM scores sc"
                    " JOIN answers a ON a.id = sc.answer_id"
                )
            }
            waiting = {
                sid: still
                for sid in self.hidden_codes()
                if sid in started and (still := self._still_to_submit(sid))
            }
            if waiting:
                then = (
                    "; show one candidate's name from Decisions once everyone has submitted them."
                )
                if not self._told_who(actor):
                    raise OneTakeError(
                        "Blind mode stays on while candidates being scored still wait for a "
                        "panelist to submit" + then
                    )
                n = len(waiting)
                ids = {p.reviewer_id for still in waiting.values() for p in still}
                names = [p.name for p in self.repo.panelists() if p.reviewer_id in ids]
                raise OneTakeError(
                    f"Blind mode stays on while {n} candidate{'' if n == 1 else 's'} being "
                    f"scored still wait for a panelist to submit (still to submit: "
                    f"{', '.join(names)})" + then
                )
        with transaction(self.library.db):
            self.repo.set_setting("blind_mode", "1" if on else "0")
            self._audit(actor, "setting", "blind_mode", {"value": on})

    def revealed(self, submission_id: int, decided: bool) -> bool:
        """A candidate's name shows when blind mode is off, or the panel lifted it for them
        (recording a decision lifts it: it waits for everyone too)."""
        return not self.blind_mode() or decided or submission_id in self.repo.blind_lifted()

    def decision_history(self, actor: Actor, *, submission_id: int) -> list[DecisionRecord]:
        self.check(actor)
        return self.repo.decision_history(submission_id)

    def submission_by_email(self, *, email: str, interview_pk: int | None = None) -> list[int]:
        """Submission ids of the candidate with this email (scripts name candidates so)."""
        rows = self.library.db.execute(
            "SELECT id FROM submissions WHERE lower(candidate_email) = lower(?)"
            " AND (? IS NULL OR interview_pk = ?) ORDER BY id",
            (email.strip(), interview_pk, interview_pk),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def answers_by_question(self, *, submission_id: int) -> dict[str, int]:
        return {a.question_id: a.id for a in self.library.submissions.answers(submission_id)}

    # -- candidates and blind mode --------------------------------------------------------------

    def _blind_secret(self) -> str:
        secret = self.repo.setting("blind_secret")
        if secret is None:
            import secrets

            secret = secrets.token_hex(16)
            self.repo.set_setting("blind_secret", secret)
        return secret

    def candidates(
        self, *, interview_pk: int, answers: Mapping[int, dict[str, int]] | None = None
    ) -> list[CandidateView]:
        """The interview's candidates as anyone may see them: a code instead of the name while
        blind mode hides them. ``answers``: submission id -> {question id: answer id} in
        position order when the caller has read them already (from a :class:`VisibleGrid`);
        a candidate missing from it has none."""
        from onetake_desktop.services.panel_records import CandidateView

        if answers is None:
            people, answers_of = self.repo.candidate_rows(interview_pk)
        else:
            people = self.repo.candidate_people(interview_pk)
            answers_of = {p[0]: answers.get(p[0]) or {} for p in people}
        return [
            # answers_of's dicts are made for this call: nobody else holds them.
            CandidateView(sid, code, name, email, revealed, answers_of[sid], decision, flags)
            for sid, code, name, email, revealed, decision, flags in self._shown(
                interview_pk, people
            )
        ]

    def _shown(
        self, interview_pk: int, people: Iterable[tuple[int, str, str]]
    ) -> Iterator[tuple[int, str, str, str, bool, DecisionRecord | None, tuple[Flag, ...]]]:
        """``(submission id, code, name, email, revealed, decision, flags)`` of these
        candidates as anyone may see them (the rule of :meth:`candidates`, for readers that
        need no answers)."""
        people = list(people)
        decisions = self.repo.decisions(interview_pk)
        codes = self._codes([p[0] for p in people])
        lifted = self.repo.blind_lifted()
        blind = self.blind_mode()
        flags = self.library.submissions.all_flags()
        for sid, name, email in people:
            decision = decisions.get(sid)
            revealed = not blind or decision is not None or sid in lifted
            code = codes[sid]
            yield (
                sid,
                code,
                name if revealed else code,
                email if revealed else "",
                revealed,
                decision,
                flags.get(sid, ()),
            )

    def _codes(self, submission_ids: list[int]) -> dict[int, str]:
        """:func:`blind_codes` of these candidates, kept while the library's candidates and
        secret stay the same (a window asks again after each score)."""
        key = (self._blind_secret(), tuple(submission_ids))
        if self._codes_cache is None or self._codes_cache[0] != key:
            from onetake_desktop.domain.panel import blind_codes

            self._codes_cache = (key, blind_codes(submission_ids, key[0]))
        return self._codes_cache[1]

    def hidden_codes(self) -> dict[int, str]:
        """Submission id -> code of every candidate blind mode hides now (none while it is
        off): what every view shows instead of a name."""
        if not self.blind_mode():
            return {}
        return {
            c.submission_id: c.code
            for interview in self.library.interviews.all()
            for c in self.candidates(interview_pk=interview.id)
            if not c.revealed
        }

    # -- exports --------------------------------------------------------------------------------

    def export_rows(
        self,
        actor: Actor,
        *,
        interview_pk: int | None = None,
        submitted_only: bool | None = None,
        every_candidate: bool = False,
        transcripts: bool = False,
    ) -> list[dict[str, Any]]:
        """One row per answer and score the actor may see (their own, and others' on answers
        both have submitted), with the scorer's timestamped notes and recommendation, the
        panel's decision and the import flags. A panelist's export never holds a draft, not
        even their own, and while panelists share the library no export holds a draft at all
        (an export file may travel further than the screen; ``submitted_only`` defaults to
        that, for the windows and the CLI alike). ``every_candidate`` (the panel's decisions
        export) adds one row for each candidate with no score to show. ``transcripts`` adds
        each answer's transcript (issue 16) in a ``transcript`` column: the answer's own words,
        shown to whoever may see the answer's row."""
        fields = export_fields(transcripts)
        with _collector_paused():
            return [
                dict(zip(fields, row, strict=True))
                for row in self._export_cells(
                    actor,
                    interview_pk=interview_pk,
                    submitted_only=submitted_only,
                    every_candidate=every_candidate,
                    transcripts=transcripts,
                )
            ]

    def _export_cells(
        self,
        actor: Actor,
        *,
        interview_pk: int | None,
        submitted_only: bool | None,
        every_candidate: bool,
        transcripts: bool,
    ) -> Iterator[tuple[Any, ...]]:
        """:meth:`export_rows` as tuples of cells in :func:`export_fields` order, made as the
        score rows are read (a panel of 10,000 candidates exports 85,000 of them). Who sees
        what is decided by the readers' rules (:meth:`_visible_rows`, :meth:`_sees_notes`,
        :meth:`_sees_recommendation`); notes and recommendations are read once per interview
        rather than once per row."""
        self.check(actor)
        if submitted_only is None:
            submitted_only = self.drafts_stay_home(actor)
        interviews = [
            i for i in self.library.interviews.all() if interview_pk is None or i.id == interview_pk
        ]
        names = {r.id: r.name for r in self.library.reviewers.all()}
        no_answer = ("",) * len(_ANSWER_FIELDS)
        no_decision = ("",) * 5
        no_rec = ("", "", "", "")
        for interview in interviews:
            definition = self.library.interviews.definition(interview.id)
            questions = {q.id: q.text for q in definition.kit.questions} if definition else {}
            # Asked once per interview, not once per row (each is a pass over its scores).
            by_answer: dict[int, list[tuple[Any, ...]]] = {}
            for row in self._visible_rows(actor, interview.id, own_drafts=True):
                if row[_V_SCORE] is None or (submitted_only and row[_V_STATUS] != "submitted"):
                    continue
                listed = by_answer.get(row[_V_ANSWER])
                if listed is None:
                    by_answer[row[_V_ANSWER]] = [row]
                else:
                    listed.append(row)
            # Where the actor may see another's notes: asked once, with the first such note
            # (a panel that pins no notes never pays for it).
            open_cells: dict[int, set[int]] | None = None
            done_by = (  # the actor's own: all _sees_recommendation asks of it
                self.repo.submitted_by_submission(interview.id, actor.reviewer_id)
                if actor.panelist
                else {}
            )
            notes_of = self.repo.interview_notes(interview.id)
            recs = self.repo.current_recommendations(interview.id)
            hashes = self.library.submissions.bundle_hashes(interview.id)
            flags = self.library.submissions.all_flags()
            asked: dict[str, tuple[str, str, str]] = {}  # question id -> its 3 cells
            words: dict[int, tuple[str, ...]] = {}  # answer id -> (transcript,) or ()
            for c in self.candidates(interview_pk=interview.id):
                sid = c.submission_id
                d = c.decision
                head = (
                    interview.interview_id,
                    interview.version,
                    interview.role_title,
                    c.code,
                    c.name if c.revealed else "",
                    c.email,
                    # The bundle's hash names its file, itself named after the candidate:
                    # left empty, like the name, while blind mode hides them.
                    hashes[sid] if c.revealed else "",
                    _flags_text(flags.get(sid, ())),
                )
                tail = (
                    (d.decision, d.reason, d.feedback, d.created_at, names.get(d.reviewer_id, ""))
                    if d
                    else no_decision
                )
                shown = False
                rec_cells: dict[int, tuple[Any, ...]] = {}  # reviewer id -> their 4 cells
                for question_id, answer_id in c.answers.items():
                    scored = by_answer.get(answer_id)
                    if not scored:
                        continue
                    shown = True
                    question = asked.get(question_id)
                    if question is None:
                        rubric = definition.rubrics.get(question_id) if definition else None
                        question = asked[question_id] = (
                            question_id,
                            questions.get(question_id, f"Question {question_id}"),
                            rubric.competency if rubric else "",
                        )
                    if transcripts:
                        words[answer_id] = (self._transcript_text(answer_id),)
                    after = words.get(answer_id, ())
                    for (
                        _,
                        _,
                        _,
                        _,
                        reviewer_id,
                        reviewer_name,
                        score,
                        note,
                        status,
                        created_at,
                        supersedes_id,
                        reason,
                    ) in scored:
                        rec_row = rec_cells.get(reviewer_id)
                        if rec_row is None:
                            rec = recs.get((sid, reviewer_id))
                            rec_row = rec_cells[reviewer_id] = (
                                (rec.value, rec.note, rec.status, rec.created_at)
                                if rec is not None
                                and self._sees_recommendation(actor, sid, rec, done_by)
                                and not (submitted_only and rec.status != "submitted")
                                else no_rec
                            )
                        notes = notes_of.get((answer_id, reviewer_id))
                        if notes and open_cells is None and reviewer_id != actor.reviewer_id:
                            open_cells = self._open_answers(actor.reviewer_id)
                        pinned = (
                            [{"at_ms": at, "text": text, "at": when} for at, text, when in notes]
                            if notes and self._sees_notes(actor, answer_id, reviewer_id, open_cells)
                            else []
                        )
                        yield (
                            *head,
                            *question,
                            reviewer_name,
                            score,
                            status,
                            note,
                            created_at,
                            supersedes_id,
                            reason or "",
                            pinned,
                            *rec_row,
                            *tail,
                            *after,
                        )
                if not shown and (every_candidate or d is not None):
                    yield (*head, *no_answer, *tail, *(("",) if transcripts else ()))

    def _transcript_text(self, answer_id: int) -> str:
        from onetake_desktop.storage.transcripts import SqliteTranscripts

        stored = SqliteTranscripts(self.library.db).get(answer_id)
        return stored.transcript.text if stored is not None else ""

    def summary_rows(
        self, actor: Actor, *, interview_pk: int | None = None
    ) -> list[dict[str, Any]]:
        """One row per candidate: the mean of the submitted scores the actor may see (only
        once the actor has submitted the whole candidate), the actor's recommendation, the
        panel's decision and the flags."""
        self.check(actor)
        out: list[dict[str, Any]] = []
        for interview in self.library.interviews.all():
            if interview_pk is not None and interview.id != interview_pk:
                continue
            # One pass over what the actor may see (no drafts): per candidate, how many
            # answers they have (the grid has a row for each), how many of them the actor
            # submitted, and the count and sum of the scores seen. The candidates' answers
            # are not read again for their number.
            people = self.repo.candidate_people(interview.id)
            grid = self.visible_grid(actor, interview_pk=interview.id, own_drafts=False)
            answer_count, own_submitted, seen_count, seen_sum = _per_candidate(grid.rows)
            recs = self.repo.recommendations_of(actor.reviewer_id, interview.id)
            interview_id, version = interview.interview_id, interview.version
            # Unpacked rather than read field by field: 10,000 rows of 15 fields. (After
            # the grid is read: the first call may write the blind-code secret.)
            for sid, code, name, email, revealed, d, flags in self._shown(interview.id, people):
                my_submitted = own_submitted.get(sid, 0)
                seen = seen_count.get(sid, 0)
                total = seen_sum.get(sid, 0)
                n_answers = answer_count.get(sid, 0)
                own_done = my_submitted == n_answers and n_answers > 0
                rec = recs.get(sid)
                out.append(
                    {
                        "interview_id": interview_id,
                        "interview_version": version,
                        "candidate_code": code,
                        "candidate_name": name if revealed else "",
                        "candidate_email": email,
                        "flags": _flags_text(flags) if flags else "",
                        "answers": n_answers,
                        "my_submitted": my_submitted,
                        "mean_score": round(total / seen, 3) if seen and own_done else "",
                        "scores_seen": seen if own_done else "",
                        "recommendation": rec[0] if rec and rec[1] == "submitted" else "",
                        "decision": d.decision if d else "",
                        "decision_reason": d.reason if d else "",
                        "feedback": d.feedback if d else "",
                        "decided_at": d.created_at if d else "",
                    }
                )
        return out

    def export(
        self,
        actor: Actor,
        *,
        fmt: str,
        out: Path,
        interview_pk: int | None = None,
        summary: bool = False,
        submitted_only: bool | None = None,
        every_candidate: bool = False,
        transcripts: bool = False,
    ) -> int:
        """Write the per-answer export (or the one-row-per-candidate summary) to ``out``
        atomically, CSV with a UTF-8 byte-order mark (Excel) or JSON; returns the row count.
        A panelist's export is audited (its kind, format and row count)."""
        self.check(actor)
        if summary:
            rows = self.summary_rows(actor, interview_pk=interview_pk)
            return self.write_export(
                actor,
                kind="summary",
                key="candidates",
                rows=rows,
                fields=SUMMARY_FIELDS,
                fmt=fmt,
                out=out,
            )
        with _collector_paused():
            # Tuples of cells, no dictionary per row (a CSV file writes them as they are).
            cells = list(
                self._export_cells(
                    actor,
                    interview_pk=interview_pk,
                    submitted_only=submitted_only,
                    every_candidate=every_candidate,
                    transcripts=transcripts,
                )
            )
            return self.write_export(
                actor,
                kind="answers",
                key="scores",
                rows=cells,
                fields=export_fields(transcripts),
                fmt=fmt,
                out=out,
            )

    def write_export(
        self,
        actor: Actor,
        *,
        kind: str,
        key: str,
        rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
        fields: Sequence[str],
        fmt: str,
        out: Path,
    ) -> int:
        """Write rows the actor may see (built by this service's readers) to ``out``
        atomically: CSV with a UTF-8 byte-order mark, or JSON with ``rows`` under ``key``.
        A row is a mapping or a sequence of cells in ``fields`` order (the JSON names them).
        A panelist's export is audited (its kind, format and row count, never the file's
        name)."""
        self.check(actor)
        if fmt == "json":
            rows = [
                r if isinstance(r, Mapping) else dict(zip(fields, r, strict=True)) for r in rows
            ]
            data = indented_json(  # json.dumps(..., indent=2) byte for byte, faster
                {
                    "format_version": 2,
                    "kind": kind,
                    "reviewer": actor.name,
                    "exported_at": self.clock.now().isoformat(),
                    "blind": self.blind_mode(),
                    key: list(rows),
                },
                ensure_ascii=False,
            ).encode("utf-8")
        elif fmt == "csv":
            data = csv_bytes(fields, rows, json_cells=True)  # lists and dicts as JSON text
        else:
            raise InvalidInputError(f"Export as csv or json, not {fmt}.")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(out, data)
        except OSError as error:
            raise OneTakeError(f"The export cannot be written to {out} ({error}).") from error
        if actor.panelist:
            with transaction(self.library.db):
                # Not the file's name, not even hashed: people name exports after the
                # candidate, and the audit log outlives them (a hash would confirm a guess).
                self._audit(actor, "export", kind, {"format": fmt, "rows": len(rows)})
        return len(rows)


_ANSWER_FIELDS = (
    "question_id",
    "question_text",
    "competency",
    "reviewer",
    "score",
    "status",
    "note",
    "scored_at",
    "supersedes_id",
    "reason",
    "timestamped_notes",
    "recommendation",
    "recommendation_note",
    "recommendation_status",
    "recommendation_at",
)
EXPORT_FIELDS: tuple[str, ...] = (
    "interview_id",
    "interview_version",
    "role_title",
    "candidate_code",
    "candidate_name",
    "candidate_email",
    "bundle_sha256",
    "flags",
    *_ANSWER_FIELDS,
    "decision",
    "decision_reason",
    "feedback",
    "decided_at",
    "decided_by",
)


def export_fields(transcripts: bool) -> tuple[str, ...]:
    """The per-answer export's columns: :data:`EXPORT_FIELDS`, then ``transcript`` when
    asked for."""
    return (*EXPORT_FIELDS, "transcript") if transcripts else EXPORT_FIELDS


SUMMARY_FIELDS: tuple[str, ...] = (
    "interview_id",
    "interview_version",
    "candidate_code",
    "candidate_name",
    "candidate_email",
    "flags",
    "answers",
    "my_submitted",
    "mean_score",
    "scores_seen",
    "recommendation",
    "decision",
    "decision_reason",
    "feedback",
    "decided_at",
)


def _per_candidate(
    rows: Iterable[Sequence[Any]],
) -> tuple[dict[int, int], dict[int, int], dict[int, int], dict[int, int]]:
    """Over the rows of a :class:`VisibleGrid` (one per answer), per submission id: how many
    answers it has, how many of them the viewer submitted, how many scores they see, and the
    sum of those (30,000 rows for 10,000 candidates: read once, summed column-wise, kept as
    plain numbers)."""
    import numpy as np

    sids: list[int] = []
    own: list[bool] = []
    scores: list[int | None] = []
    width = 0
    for row in rows:
        sids.append(row[0])
        own.append(row[3] == 1)
        scores.extend(row[4:])
        width = len(row) - 4
    if not sids:
        return {}, {}, {}, {}
    matrix = np.array(scores, dtype=float).reshape(len(sids), width)
    seen = ~np.isnan(matrix)
    ids, which = np.unique(np.array(sids, dtype=np.int64), return_inverse=True)
    keys = ids.tolist()

    def per(weights: Any = None) -> dict[int, int]:
        # Whole numbers: the float sums are exact.
        counts = np.bincount(which, weights=weights, minlength=len(keys))
        return dict(zip(keys, counts.astype(int).tolist(), strict=True))

    return (
        per(),
        per(np.array(own, dtype=float)),
        per(seen.sum(axis=1)),
        per(np.where(seen, matrix, 0.0).sum(axis=1)),
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while an export's rows are built and written (they
    make no cycles; each row holds a list, so each stays tracked, and with 85,000 of them
    the collector's full passes cost a third of the build), then left as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _flags_text(flags: Sequence[Flag]) -> str:
    """The import checks' flags on a submission (rules of the interview it broke), as plain
    sentences for one cell, each with its stable code: "code: sentence; ..."."""
    return "; ".join(f"{f.code}: {f.message}" for f in flags)


# -- helpers ------------------------------------------------------------------------------------


def _parse_key_record(text: str | None) -> dict[str, Any]:
    if not text:
        return {"v": 1, "salt": "", "legacy": {}, "n": 0, "mac": ""}
    import json

    try:
        body = json.loads(text)
    except ValueError:
        return {"v": 1, "salt": "", "legacy": {}, "n": 0, "mac": "broken"}
    return body if isinstance(body, dict) else {"salt": "", "legacy": {}, "n": 0, "mac": ""}


def _salt_of(key_record: str | None) -> bytes | None:
    if key_record is None:
        return None
    with contextlib.suppress(ValueError):
        return bytes.fromhex(str(_parse_key_record(key_record).get("salt", ""))) or None
    return None


_WHAT = {
    "scores": "A score of yours",
    "timestamped_notes": "A note of yours",
    "recommendations": "A recommendation of yours",
    "panel_decisions": "A decision you recorded",
    "audit_log": "Your audit log row",
}


def _what(table: str, values: Sequence[Any]) -> str:
    noun = _WHAT.get(table, "A row of yours")
    if table == "audit_log":
        return f"{noun} {values[0]}"
    return f"{noun} (number {values[0]})"


# Audit actions about one answer's scoring (its score, a note on it): the score's own
# visibility rule applies to them. A note_deleted row from before it kept its answer has none,
# so it never shows to a colleague (review s11a N1).
_PER_ANSWER = ("score", "correct", "note_deleted")


def _redact(details: dict[str, Any], open_answers: set[int]) -> dict[str, Any]:
    """Score values of another panelist, kept only on answers the viewer may see."""
    if "score" in details and details.get("answer") not in open_answers:
        details = {**details, "score": "hidden"}
    return details


def scoring_for(
    library: Library,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    seed_source: Callable[[], int] | None = None,
    key_deriver: Callable[[str, bytes], bytes] | None = None,
) -> ScoringService:
    """The one ScoringService of this library connection (made on first use); the arguments
    given replace the existing one's (tests inject a manual clock, cheaper Argon2id)."""
    existing = library.shared.get("scoring")
    if not isinstance(existing, ScoringService):
        service = ScoringService(library, clock, hasher, seed_source, key_deriver)
        library.shared["scoring"] = service
        return service
    if clock is not None:
        existing.clock = clock
        existing.idle = IdleTimer(clock, existing.idle_minutes())
    if hasher is not None:
        existing.hasher = hasher
    if seed_source is not None:
        existing.seed_source = seed_source
    if key_deriver is not None:
        existing.derive_key = key_deriver
    return existing
