"""Authoring use cases: build kits from TOML, validate any kit-like file, show a summary."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from onetake_desktop.domain.authoring import (
    TEMPLATE_PLACEHOLDERS,
    Advice,
    content_hash_ignoring_version,
    guard_rails,
    next_version,
    privacy_notice_from_template,
)
from onetake_desktop.domain.errors import InvalidInputError, OneTakeError, UsageError
from onetake_desktop.domain.handover import HandOver
from onetake_desktop.domain.kit import (
    Kit,
    definition_from_toml_dict,
    describe_kit,
    kit_markup_warnings,
    kit_to_dict,
    validate_kit,
)
from onetake_desktop.domain.validation import Problem, ProblemsError
from onetake_desktop.paths import AppPaths, resource

# storage.kitfile and storage.atomic (with durable) are imported by the functions that read or
# write files: a new interview's window paints its first frame without them (issue 17).

if TYPE_CHECKING:  # issue 17: signing (a database, keys) loads when a kit is signed or read
    from onetake_desktop.services.author_records import BankQuestion, Published, ValidationReport
    from onetake_desktop.storage.keystore import KeyRecord
    from onetake_desktop.storage.kit_signature import KitSigner

# domain.definition's records load with the first definition read or made, not with this
# module: a new interview's window paints its first frame without them (issue 17). Checks
# below ask "is it a Kit?" so that they need not load them either.
if TYPE_CHECKING:
    from onetake_desktop.domain.definition import InterviewDefinition

log = logging.getLogger(__name__)


# tomlkit (~28 M instructions to import) is imported by each function that uses it, with the
# first document a draft opens or edits: a new interview's window paints its first frame
# without it (issue 17).
if TYPE_CHECKING:
    import tomlkit
    import tomlkit.exceptions
    import tomlkit.items


def _kind(path: Path) -> str:
    from onetake_desktop.storage import kitfile

    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "interview TOML"
    if suffix == kitfile.DEFINITION_SUFFIX:
        return "interview definition"
    return "interview kit"


def load_any(path: Path) -> InterviewDefinition | Kit:
    """A TOML source or definition gives the definition (with rubrics); a kit gives the kit."""
    from onetake_desktop.storage import kitfile

    kind = _kind(path)
    if kind == "interview TOML":
        return kitfile.load_toml(path)
    if kind == "interview definition":
        return kitfile.load_definition(path)
    return kitfile.load_kit(path)


def validate_file(path: Path, *, reading: bool = False) -> ValidationReport:
    """Every problem in a TOML source, kit or definition, each with its field path.
    ``reading`` (``kit show``): a kit or definition built before today's rules is shown, so
    what only those rules refuse comes back as ``outdated`` sentences, not as problems."""
    from onetake_desktop.services.author_records import ValidationReport

    kind = _kind(path)
    try:
        loaded = load_any(path)
    except ProblemsError as error:
        return ValidationReport(path, kind, error.problems)
    except InvalidInputError as error:
        return ValidationReport(path, kind, [Problem("", str(error))])
    kit = loaded if isinstance(loaded, Kit) else loaded.kit
    # A kit or definition reads (an older one may hold an http:// address, and candidates
    # still open it); checked here, it must meet today's rules, as a TOML already did.
    prefix = "" if isinstance(loaded, Kit) else "kit."
    problems = [Problem(prefix + p.path, p.message) for p in validate_kit(kit, authoring=True)]
    outdated: list[str] = []
    if reading and kind != "interview TOML":  # a TOML is a draft: load_toml held it to them
        # Reading old kits keeps working (review s14b B2); only building and validating refuse.
        outdated = [
            f"{str(p).rstrip('.')}; this {kind} was built before that rule: it still reads, "
            "but `onetake kit validate` refuses it and a rebuild needs the field fixed."
            for p in problems
        ]
        problems = []
    if problems:
        return ValidationReport(path, kind, problems)
    return ValidationReport(path, kind, [], kit, kit_markup_warnings(kit), outdated)


def build_kit(source: Path, output: Path, signer: KitSigner | None = None) -> Published:
    """``onetake kit build``: the authoring window's rule (:meth:`AuthorDraft.publish`) for a
    TOML on disk. Unchanged content rebuilds the same kit; changed content over a published
    kit of the same version keeps that kit (and its definition) as NAME-VERSION beside it and
    is built as the next version, which is written back into ``source`` (the TOML is the
    draft: the next build starts from the version that was published). ``signer``
    (services/keys.py) signs the kit and puts the organisation's age recipient in it."""
    from onetake_desktop.storage import kitfile

    source = Path(source)
    kitfile.load_toml(source)  # the problems, worded as `kit validate` words them
    draft = AuthorDraft.open_toml(source)
    published = draft.publish(output, signer)
    if published.renumbered:
        try:
            draft.save()
        except OneTakeError as error:  # storage words every OSError (review s13b B1)
            # The kit is built and written: a failure here is the author's one step to do,
            # not a failed build (a script sees exit 0 and this sentence on stderr).
            import dataclasses  # the CLI only: its imports are slow for a window's start

            reason = str(error).rstrip(".")  # "Could not write k.toml (it is read-only)"
            return dataclasses.replace(
                published,
                version_not_saved=(
                    f'{reason}; set version = "{published.version}" in {source.name} '
                    "yourself before the next build."
                ),
            )
    return published


def trust_line(path: Path) -> str | None:
    """Who signed a kit file ("Signed by ... (key ...)." or the not-signed notice); None for
    a TOML source or an interview definition, which are never signed."""
    from onetake_desktop.storage import kitfile

    if _kind(path) != "interview kit":
        return None
    signature = kitfile.load_signed_kit(path).signature
    return signature.notice if signature is not None else kitfile.UNSIGNED_NOTICE


def markup_warnings(source: Path) -> list[Problem]:
    """What a (valid) TOML, kit or definition holds that candidates will see literally."""
    loaded = load_any(source)
    kit = loaded if isinstance(loaded, Kit) else loaded.kit
    return kit_markup_warnings(kit)


def advice_for(path: Path, now: datetime) -> list[Advice]:
    """The authoring window's guard rails (never blocking) for a valid TOML, kit or
    definition: what ``kit validate`` and ``kit show`` print after their own lines."""
    from onetake_desktop.domain.definition import InterviewDefinition

    loaded = load_any(path)
    definition = InterviewDefinition(loaded) if isinstance(loaded, Kit) else loaded
    return guard_rails(definition_to_toml_data(definition), now)


def show_file(path: Path) -> str:
    loaded = load_any(path)
    if isinstance(loaded, Kit):
        return describe_kit(loaded)
    return describe_kit(loaded.kit, loaded.rubrics)


# --- the authoring window's use cases (issue 15) ---------------------------------------------
#
# A draft is the author's TOML document itself (tomlkit), so whatever the author wrote by hand,
# comments and layout included, survives an edit in the window. Fields are addressed by the same
# paths validation reports (``questions[2].rubric.4``), so an error or a piece of advice lands
# beside the field it is about.

_PATH_PART = re.compile(r"([A-Za-z0-9_]+)((?:\[\d+\])*)")
BANK_FOLDER = ("question_bank",)
TEMPLATES: dict[str, str] = {
    "general": "a general-purpose interview: problem solving, teamwork, ownership",
    "customer-support": "customer-facing roles: customer focus, communication, conflict",
    "graduate": "early-career roles: learning, teamwork, planning",
    "demo": "the bundled demo interview (customer support specialist)",
}
_TEMPLATE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "general": ("problem-solving-1", "teamwork-1", "ownership-1"),
    "customer-support": ("customer-focus-2", "communication-2", "conflict-1"),
    "graduate": ("learning-1", "teamwork-3", "planning-2"),
}
# Keys a question's TOML may have, in the order a new question is written.
QUESTION_KEYS = (
    "id",
    "answer_type",
    "text",
    "context",
    "think_seconds",
    "answer_min_seconds",
    "answer_max_seconds",
    "retakes_allowed",
    "text_max_chars",
)
PathPart = str | int


def parse_path(path: str) -> list[PathPart]:
    """``questions[2].rubric.4`` -> ["questions", 2, "rubric", "4"]."""
    parts: list[PathPart] = []
    for piece in path.split("."):
        match = _PATH_PART.fullmatch(piece)
        if match is None:
            raise ValueError(f"not a field path: {path!r}")
        parts.append(match.group(1))
        # "[2][3]" (as matched above) -> 2, 3: split, not a second pattern, which would be
        # compiled with the window's first field (issue 17).
        indexes = match.group(2)
        if indexes:
            parts.extend(int(i) for i in indexes[1:-1].split("]["))
    return parts


def _item(value: object) -> object:
    """A value as tomlkit should write it: long text as a multi-line string."""
    import tomlkit

    if isinstance(value, str) and "\n" in value:
        return tomlkit.string(value, multiline=True)
    return value


def _table(data: dict[str, Any]) -> tomlkit.items.Table:
    import tomlkit

    table = tomlkit.table()
    for key, value in data.items():
        if isinstance(value, dict):
            sub = _table(value)
            sub.indent(2)
            table.add(key, sub)
        else:
            table.add(key, _item(value))
    return table


def question_bank(folder: Path | None = None) -> list[BankQuestion]:
    """Every question of the bundled bank (resources/question_bank/*.toml), by competency."""
    import tomllib

    from onetake_desktop.services.author_records import BankQuestion

    folder = folder or resource(*BANK_FOLDER)
    bank: list[BankQuestion] = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for q in data["questions"]:
            rubric = {str(k): str(v) for k, v in q["rubric"].items()}
            bank.append(
                BankQuestion(
                    id=q["id"],
                    competency=str(data["competency"]),
                    text=q["text"],
                    context=q.get("context", ""),
                    rubric=rubric,
                    answer_type=q.get("answer_type"),
                )
            )
    return bank


def definition_to_toml_data(definition: InterviewDefinition) -> dict[str, Any]:
    """A definition as the data of its TOML source (the inverse of ``load_toml``)."""
    data = kit_to_dict(definition.kit)
    data.pop("format", None)
    data.pop("format_version", None)
    if definition.kit.deadline is not None:
        data["deadline"] = definition.kit.deadline
    for key in ("next_steps", "contact"):
        if not data.get(key):
            data.pop(key, None)
    if not data.get("accommodations"):
        data.pop("accommodations", None)
    questions = data.pop("questions")
    accommodations = data.pop("accommodations", None)
    hand_over = data.pop("hand_over", None)
    practice = data.pop("practice", None)
    if accommodations:
        data["accommodations"] = accommodations
    if practice:
        data["practice"] = practice
    if hand_over:
        data["hand_over"] = hand_over
    out_questions = []
    for q in questions:
        rubric = definition.rubrics.get(q["id"])
        ordered = {k: q[k] for k in QUESTION_KEYS if k in q}
        if rubric is not None:
            ordered["rubric"] = {"competency": rubric.competency} | {
                str(level.score): level.anchor for level in rubric.levels
            }
        out_questions.append(ordered)
    data["questions"] = out_questions
    return data


def toml_document(data: dict[str, Any], header: str = "") -> tomlkit.TOMLDocument:
    """A fresh TOML document for ``data`` (tables and arrays of tables last, as TOML needs)."""
    import tomlkit

    doc = tomlkit.document()
    for line in header.splitlines():
        doc.add(tomlkit.comment(line))
    if header:
        doc.add(tomlkit.nl())
    for key, value in data.items():
        if not isinstance(value, dict | list):
            doc.add(key, _item(value))
    for key, value in data.items():
        if isinstance(value, dict):
            doc.add(tomlkit.nl())
            doc.add(key, _table(value))
        elif isinstance(value, list):
            aot = tomlkit.aot()
            for element in value:
                aot.append(_table(element))
            doc.add(tomlkit.nl())
            doc.add(key, aot)
    return doc


_TEMPLATE_HEADER = """OneTake interview source: edit it here or in the authoring window
('onetake author FILE'), then build the kit with
  onetake kit build FILE -o ROLE.onetakekit
Field reference: docs/formats.md ("Authoring a kit in TOML")."""


def template_text(name: str) -> str:
    """The TOML of a starting point (``onetake kit new --template NAME``): valid as it is."""
    import tomlkit

    from onetake_desktop.storage import kitfile

    if name == "demo":
        return kitfile.demo_source_path().read_text(encoding="utf-8")
    if name not in _TEMPLATE_QUESTIONS:
        raise UsageError(f"There is no template {name!r}; choose one of {', '.join(TEMPLATES)}.")
    bank = {q.id: q for q in question_bank()}
    data: dict[str, Any] = {
        "interview_id": f"{name}-interview",
        "version": "1",
        "organisation": TEMPLATE_PLACEHOLDERS["organisation"],
        "role_title": TEMPLATE_PLACEHOLDERS["role_title"],
        "default_answer_type": "video",
        "retention_days": 180,
        "welcome": "Thank you for applying. This short recorded interview lets you answer a\n"
        "few questions at a time that suits you, without anyone watching live.",
        "instructions": "Each question gives you time to think before recording starts.\n"
        "You may re-record each answer up to 2 times and choose the take you send.\n"
        "A practice question comes first; it is never saved or sent.",
        "privacy_notice": privacy_notice_from_template(
            who="the hiring panel for this role, and nobody else.",
            how_long="180 days after you send them, then they are deleted.",
            where="everything stays on this computer until you send the file we ask for.",
        ),
        "practice": {
            "text": "Practice: tell us about a place you enjoy visiting and why.",
            "context": "Unscored. A chance to check your camera, your sound and the timer.",
            "think_seconds": 15,
            "answer_max_seconds": 45,
        },
        "questions": [
            bank[qid].as_toml_data(f"q{i}")
            for i, qid in enumerate(_TEMPLATE_QUESTIONS[name], start=1)
        ],
    }
    return tomlkit.dumps(toml_document(data, _TEMPLATE_HEADER))


def write_template(name: str, out: Path) -> Path:
    """Write a starting point; refuses to overwrite a file (it may hold someone's work)."""
    from onetake_desktop.storage.atomic import atomic_write_bytes

    text = template_text(name)
    if out.exists():
        raise UsageError(f"{out} already exists; choose another file name.")
    atomic_write_bytes(out, text.encode("utf-8"))
    return out


def _not_editable(path: str) -> InvalidInputError:
    return InvalidInputError(
        f"{path} in this file is not written the way the form edits it (a table, or "
        "[[questions]] tables); fix it in a text editor first."
    )


# A new interview: the two choices the form shows as already made (video answers, kept 180
# days), in the order its document is written.
# Read-only: every blank draft starts from it (flat values: a dict() of it is a full copy).
BLANK_DATA: Mapping[str, Any] = MappingProxyType(
    {"default_answer_type": "video", "retention_days": 180}
)


class AuthorDraft:
    """The interview being authored: a TOML document plus undo/redo, its file and whether it
    has unsaved changes. Every edit goes through :meth:`set` or the question operations.

    ``doc`` None: a blank draft (:meth:`blank`), whose document is written from
    :data:`BLANK_DATA` the first time it is needed (an edit, a save); until then the draft
    reads that data as it is, so that a new interview's window opens without tomlkit."""

    def __init__(self, doc: tomlkit.TOMLDocument | None, path: Path | None = None) -> None:
        self._doc = doc
        self.path = path  # the TOML it is saved to (None: not saved yet)
        self._saved: str | None = None
        if doc is not None:
            import tomlkit

            self._saved = tomlkit.dumps(doc)
        self._undo: list[tuple[str, str | None]] = []  # (document text, path last set)
        self._redo: list[str] = []

    @property
    def doc(self) -> tomlkit.TOMLDocument:
        import tomlkit

        if self._doc is None:
            self._doc = tomlkit.document()
            for key, value in BLANK_DATA.items():
                self._doc.add(key, value)
            self._saved = tomlkit.dumps(self._doc)
        return self._doc

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def blank(cls) -> AuthorDraft:
        """Nothing written yet: a start for building an interview from nothing. The two
        choices the form shows as already made (video answers, kept 180 days) are made."""
        return cls(None)

    @classmethod
    def from_template(cls, name: str) -> AuthorDraft:
        import tomlkit

        return cls(tomlkit.parse(template_text(name)))

    @classmethod
    def open_toml(cls, path: Path) -> AuthorDraft:
        """A TOML source, kept as written (comments and layout), whatever its file name."""
        import tomlkit

        from onetake_desktop.storage import kitfile

        raw = kitfile.read_limited(path, "interview TOML")
        try:
            return cls(tomlkit.parse(raw.decode("utf-8")), path)
        except UnicodeDecodeError:
            raise InvalidInputError(f"{path.name} is not UTF-8 text.") from None
        except tomlkit.exceptions.ParseError as error:
            raise InvalidInputError(f"{path.name} is not valid TOML ({error}).") from None

    @classmethod
    def open(cls, path: Path) -> AuthorDraft:
        """A TOML source (kept as written), or a built kit or definition: the definition is
        needed for the rubrics, so a kit opens through the definition beside it."""
        from onetake_desktop.storage import kitfile

        path = Path(path)
        if _kind(path) == "interview TOML":
            return cls.open_toml(path)
        definition_path = path
        if _kind(path) == "interview kit":
            definition_path = kitfile.definition_path_for(path)
            if not definition_path.exists():
                raise InvalidInputError(
                    f"{path.name} has no interview definition beside it "
                    f"({definition_path.name}), which holds the rubrics; open that instead."
                )
        definition = kitfile.load_definition(definition_path)
        doc = toml_document(definition_to_toml_data(definition), _TEMPLATE_HEADER)
        return cls(doc, None)

    # --- reading ---------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        if self._doc is None:  # blank and untouched: its document would hold just this
            return dict(BLANK_DATA)
        return self._doc.unwrap()

    def get(self, path: str, default: Any = None) -> Any:
        node: Any = self.data()
        for part in parse_path(path):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def question_count(self) -> int:
        questions = self.data().get("questions")
        return len(questions) if isinstance(questions, list) else 0

    @property
    def dirty(self) -> bool:
        if self._doc is None:
            return False  # blank and untouched
        import tomlkit

        return tomlkit.dumps(self._doc) != self._saved

    def problems(self) -> list[Problem]:
        """Hard errors, from the same validation ``onetake kit validate`` uses."""
        return self._validated(self.data())[0]

    def definition(self) -> InterviewDefinition:
        """The draft as a validated definition (ProblemsError lists what is wrong)."""
        return definition_from_toml_dict(self.data())

    def advice(self, now: datetime) -> list[Advice]:
        """The guard rails, and (once the draft is valid) markup that candidates would see
        literally, as ``kit validate`` warns."""
        return self.checks(now)[1]

    def checks(self, now: datetime) -> tuple[list[Problem], list[Advice]]:
        """:meth:`problems` and :meth:`advice` from one validation of the draft (the window
        asks for both after every edit; validating twice doubled its cost)."""
        data = self.data()
        advice = guard_rails(data, now)
        problems, definition = self._validated(data)
        if definition is not None:
            markup = kit_markup_warnings(definition.kit)
            advice += [Advice(p.path, "markup", p.message) for p in markup]
        return problems, advice

    @staticmethod
    def _validated(data: dict[str, Any]) -> tuple[list[Problem], InterviewDefinition | None]:
        """The draft's hard errors, and its definition when there are none."""
        try:
            return [], definition_from_toml_dict(data)
        except ProblemsError as error:
            return error.problems, None
        except InvalidInputError as error:
            return [Problem("", str(error))], None

    # --- editing ---------------------------------------------------------------------------

    def _remember(self, path: str | None) -> None:
        """Keep the state before an edit; typing into one field is one undo step."""
        import tomlkit

        if path is not None and self._undo and self._undo[-1][1] == path:
            return
        self._undo.append((tomlkit.dumps(self.doc), path))
        self._redo.clear()

    def _container(self, parts: list[PathPart], create: bool) -> Any:
        import tomlkit

        node: Any = self.doc
        for i, part in enumerate(parts):
            where = ".".join(str(p) for p in parts[: i + 1])
            if isinstance(part, int):
                if not isinstance(node, list) or not 0 <= part < len(node):
                    raise _not_editable(where)
                node = node[part]
                continue
            if not isinstance(node, dict):
                raise _not_editable(where)
            if part not in node:
                if not create:
                    return None
                table = tomlkit.table()
                if node is not self.doc:  # [questions.rubric] sits indented in its question
                    table.indent(2)
                node[part] = table
                if node is not self.doc and isinstance(node, tomlkit.items.Table):
                    node.add(tomlkit.nl())  # the blank line before the next [[questions]]
            node = node[part]
        if not isinstance(node, dict):
            raise _not_editable(".".join(str(p) for p in parts))
        return node

    def set(self, path: str, value: Any) -> None:
        """Set one field; None removes it (an optional field left empty, say)."""
        import tomlkit

        parts = parse_path(path)
        if self.get(path) == value and value is not None:
            return
        *where, key = parts
        if value is None and self._container(where, create=False) is None:
            return
        self._remember(path)
        container = self._container(where, create=value is not None)
        if value is None:
            if isinstance(key, str) and key in container:
                del container[key]
            if len(where) == 1 and isinstance(where[0], str) and not container:
                del self.doc[where[0]]  # an emptied [hand_over] goes as a whole
            return
        old = container.get(key) if isinstance(key, str) else None
        if isinstance(value, str) and isinstance(old, tomlkit.items.String):
            # Keep the author's string style (multi-line, literal) where the value allows it.
            multiline = "\n" in value or old.type.is_multiline()
            container[key] = tomlkit.string(value, multiline=multiline)
        else:
            container[key] = _item(value)

    def remove(self, path: str) -> None:
        self.set(path, None)

    def _questions(self) -> tomlkit.items.AoT:
        import tomlkit

        if "questions" not in self.doc:
            self.doc.add(tomlkit.nl())
            self.doc.add("questions", tomlkit.aot())
        questions = self.doc["questions"]
        if not isinstance(questions, tomlkit.items.AoT):
            raise _not_editable("questions")
        return questions

    def _free_question_id(self) -> str:
        questions = self.data().get("questions")
        listed = questions if isinstance(questions, list) else []
        taken = {q.get("id") for q in listed if isinstance(q, dict)}
        n = len(taken) + 1
        while f"q{n}" in taken:
            n += 1
        return f"q{n}"

    def add_question(self, index: int | None = None, bank: BankQuestion | None = None) -> int:
        """A new question (from the bank, or an empty one with sensible times); its index."""
        questions = self._questions()
        self._remember(None)
        qid = self._free_question_id()
        if bank is not None:
            data = bank.as_toml_data(qid)
        else:
            data = {
                "id": qid,
                "text": "",
                "context": "",
                "think_seconds": 30,
                "answer_min_seconds": 15,
                "answer_max_seconds": 120,
                "retakes_allowed": 2,
                "rubric": {"competency": ""} | {str(s): "" for s in range(1, 6)},
            }
        position = len(questions) if index is None else max(0, min(index, len(questions)))
        questions.insert(position, _table(data))
        return position

    def duplicate_question(self, index: int) -> int:
        questions = self._questions()
        self._remember(None)
        data = questions[index].unwrap()
        data["id"] = self._free_question_id()
        questions.insert(index + 1, _table(data))
        return index + 1

    def remove_question(self, index: int) -> None:
        questions = self._questions()
        self._remember(None)
        del questions[index]

    def move_question(self, source: int, target: int) -> None:
        """Move a question to ``target`` (its index afterwards), keeping its comments."""
        import tomlkit

        questions = self._questions()
        target = max(0, min(target, len(questions) - 1))
        if source == target:
            return
        self._remember(None)
        tables = list(questions.body)
        table = tables.pop(source)
        tables.insert(target, table)
        while len(questions):
            del questions[0]
        for i, t in enumerate(tables):
            if i < len(tables) - 1 and not t.as_string().endswith("\n\n"):
                t.add(tomlkit.nl())  # the blank line that parted it from the next one
            questions.append(t)

    def add_accommodation(self) -> int:
        import tomlkit

        if "accommodations" in self.doc and not isinstance(
            self.doc["accommodations"], tomlkit.items.AoT
        ):
            raise _not_editable("accommodations")
        self._remember(None)
        if "accommodations" not in self.doc:
            self.doc.add("accommodations", tomlkit.aot())
        accommodations = self.doc["accommodations"]
        taken = {a.get("id") for a in accommodations.unwrap() if isinstance(a, dict)}
        n = 1
        while f"option-{n}" in taken:
            n += 1
        accommodations.append(_table({"id": f"option-{n}", "label": "", "time_multiplier": 1.5}))
        return len(accommodations) - 1

    def remove_accommodation(self, index: int) -> None:
        import tomlkit

        accommodations = self.doc["accommodations"]
        if not isinstance(accommodations, tomlkit.items.AoT):
            raise _not_editable("accommodations")
        self._remember(None)
        del accommodations[index]
        if not len(accommodations):
            del self.doc["accommodations"]

    # --- undo, redo, saving ----------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        import tomlkit

        if self._undo:
            text, _ = self._undo.pop()
            self._redo.append(tomlkit.dumps(self.doc))
            self._doc = tomlkit.parse(text)

    def redo(self) -> None:
        import tomlkit

        if self._redo:
            self._undo.append((tomlkit.dumps(self.doc), None))
            self._doc = tomlkit.parse(self._redo.pop())

    def end_typing(self) -> None:
        """The next edit of the same field starts a new undo step."""
        if self._undo:
            self._undo[-1] = (self._undo[-1][0], None)

    def text(self) -> str:
        import tomlkit

        return tomlkit.dumps(self.doc)

    def save(self, path: Path | None = None) -> Path:
        """Write the TOML (atomically, through a symlink to the real file, keeping its mode);
        the draft is then clean. A read-only TOML is refused (OneTakeError), never replaced."""
        from onetake_desktop.storage.atomic import rewrite_kept_file

        target = path or self.path
        if target is None:
            raise UsageError("Choose where to save the interview first.")
        target = Path(target)
        text = self.text()
        rewrite_kept_file(target, text.encode("utf-8"))
        self.path = target
        self._saved = text
        self.end_typing()
        return target

    def cannot_save(self) -> str | None:
        """Why :meth:`save` to the draft's own file would be refused (one sentence), or None:
        asked before a build, which may have to write the next version into it (s13c C1)."""
        from onetake_desktop.storage.atomic import can_rewrite

        return None if self.path is None else can_rewrite(self.path)

    def publish(self, kit_out: Path, signer: KitSigner | None = None) -> Published:
        """Build the kit and definition. When ``kit_out`` already holds a kit with other
        content, that kit is a published version that bundles may answer: it is kept beside
        (NAME-VERSION.onetakekit and its definition), and the draft gets the next version
        stamp if it still carries the old one."""
        from onetake_desktop.services.author_records import Published
        from onetake_desktop.storage import kitfile

        kit_out = Path(kit_out)
        if kit_out.suffix != kitfile.KIT_SUFFIX:
            kit_out = kit_out.with_name(kit_out.name + kitfile.KIT_SUFFIX)
        new = self.definition()
        new_kit = new.kit
        if signer is not None:  # compare with what will be built: signing adds the recipient
            hand_over = (new_kit.hand_over or HandOver())._replace(recipient=signer.recipient)
            new_kit = new_kit._replace(hand_over=hand_over)
        archived: list[Path] = []
        renumbered = False
        kept_kit: Path | None = None
        stem = kit_out.name[: -len(kitfile.KIT_SUFFIX)]
        # Every refusal comes before the first write: a refused build leaves the folder as it was.
        old = _published_kit_at(kit_out)
        if old is not None:
            _refuse_another_interview(kit_out, old, new_kit)
        kept_same = kit_out.with_name(f"{stem}-{new.kit.version}{kitfile.KIT_SUFFIX}")
        if kept_same.exists():
            try:
                kept = kitfile.load_kit(kept_same)
            except InvalidInputError as error:  # a leftover (an interrupted copy): not trusted
                raise UsageError(
                    f"{kept_same.name} already exists and cannot be read as a kit "
                    f"({str(error).rstrip('.')}); move it aside and build again."
                ) from None
            _refuse_another_interview(kept_same, kept, new_kit)
            if content_hash_ignoring_version(kept) != content_hash_ignoring_version(new_kit):
                # Two kits with one version stamp: bundles answering the kept one would no
                # longer find their definition.
                raise UsageError(
                    f"Version {new.kit.version} was already published with other content "
                    f"(kept as {kept_same.name}); give this interview a new version first."
                )
        copies: list[tuple[Path, Path]] = []
        if old is not None:
            changed = content_hash_ignoring_version(old) != content_hash_ignoring_version(new_kit)
            if changed or old.version != new.kit.version:
                kept_kit = kit_out.with_name(f"{stem}-{old.version}{kitfile.KIT_SUFFIX}")
                for original, copy in (
                    (kit_out, kept_kit),
                    (kitfile.definition_path_for(kit_out), kitfile.definition_path_for(kept_kit)),
                ):
                    if not original.exists():
                        continue
                    if copy.exists():  # kept before, or a leftover: it must be that version
                        _refuse_another_copy(original, copy, old.version)
                    else:
                        copies.append((original, copy))
                if changed and old.version == new.kit.version:
                    self.set("version", next_version(old.version))
                    self.end_typing()
                    renumbered = True
        if copies:
            from onetake_desktop.storage.atomic import atomic_write_bytes

            # Both read before either is written, each written whole or not at all: a torn
            # copy would later pass for the kept version.
            contents = [kitfile.read_limited(original, _kind(original)) for original, _ in copies]
            for (_, copy), data in zip(copies, contents, strict=True):
                atomic_write_bytes(copy, data)
                archived.append(copy)
        with tempfile.TemporaryDirectory(prefix="onetake-author-") as tmp:
            source = Path(tmp) / "interview.toml"
            source.write_text(self.text(), encoding="utf-8")
            kit_path, definition_path = kitfile.build_from_toml(source, kit_out, signer)
        version = str(self.get("version", ""))
        log.info("built kit version %s (%d questions)", version, self.question_count())
        return Published(
            kit_path,
            definition_path,
            version,
            tuple(archived),
            renumbered,
            signed_by="" if signer is None else signer_words(signer),
            kept_kit=kept_kit,
        )

    def write_preview_kit(self, folder: Path) -> Path:
        """The draft as a kit file in ``folder`` for the candidate window's preview."""
        from onetake_desktop.storage import kitfile

        definition = self.definition()
        path = Path(folder) / "preview.onetakekit"
        kitfile.save_kit(definition.kit, path)
        return path


def _published_kit_at(kit_out: Path) -> Kit | None:
    """The kit a build would replace (None: no file there). Anything else is never written
    over: a file that is not a kit at all, and a kit this build cannot read (a newer format,
    a signature that no longer verifies) each say so in their own words (review s13b B7)."""
    from onetake_desktop.storage import kitfile

    if not kit_out.exists():
        return None
    try:
        return kitfile.load_kit(kit_out)
    except InvalidInputError as error:
        reason = str(error).rstrip(".")
        if _looks_like_a_kit(kit_out):
            raise UsageError(
                f"{kit_out.name} already exists and cannot be read as a kit ({reason}); "
                "choose another file name."
            ) from None
        raise UsageError(
            f"{kit_out.name} already exists and is not an interview kit ({reason}); "
            "choose another file name."
        ) from None


def _looks_like_a_kit(path: Path) -> bool:
    """Does ``path`` hold a kit's JSON, readable by this build or not?"""
    import json

    from onetake_desktop.storage import kitfile

    try:
        data = json.loads(kitfile.read_limited(path, "interview kit"))
    except (OneTakeError, ValueError):
        return False
    return isinstance(data, dict) and (
        data.get("format") == "onetake-kit" or "interview_id" in data
    )


def _refuse_another_interview(path: Path, there: Kit, new: Kit) -> None:
    """A kit file of another interview is never archived or numbered after (review s13b B4)."""
    if there.interview_id != new.interview_id:
        raise UsageError(
            f"{path.name} holds the kit of another interview ({there.interview_id}); "
            "choose another file name."
        )


def _refuse_another_copy(original: Path, copy: Path, version: str) -> None:
    """``copy`` already sits where ``original`` would be kept: trusted only when it holds the
    same kit or definition (an empty leftover of an interrupted copy does not; review s13b
    B3), so the only good copy of a published version is never written over."""
    from onetake_desktop.domain.kit import kit_content_hash
    from onetake_desktop.storage import kitfile

    kind = _kind(original)
    try:
        if kitfile.read_limited(copy, kind) == kitfile.read_limited(original, kind):
            return
        if kind == "interview kit":
            if kit_content_hash(kitfile.load_kit(copy)) == kit_content_hash(
                kitfile.load_kit(original)
            ):
                return
        elif kitfile.definition_file_bytes(
            kitfile.load_definition(copy)
        ) == kitfile.definition_file_bytes(kitfile.load_definition(original)):
            return
    except OneTakeError:
        pass  # unreadable: not a copy to trust
    raise UsageError(
        f"{copy.name} already exists but is not the version {version} {kind} in "
        f"{original.name}, which would be kept there; move it aside and build again."
    )


class RecentFiles:
    """The interviews this computer opened or saved last, newest first (a small JSON list in
    the config folder; a damaged list is simply started again)."""

    LIMIT = 8

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def paths(self) -> list[Path]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return []
        # Imported once there is a list to read: a first start has none (issue 17).
        import json

        try:
            data = json.loads(text)
        except ValueError:
            return []
        if not isinstance(data, list):
            return []
        return [Path(p) for p in data if isinstance(p, str)][: self.LIMIT]

    def add(self, path: Path) -> list[Path]:
        from onetake_desktop.storage.atomic import atomic_write_bytes

        path = Path(path).resolve()
        paths = [path] + [p for p in self.paths() if p != path]
        paths = paths[: self.LIMIT]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        import json

        atomic_write_bytes(self.path, json.dumps([str(p) for p in paths]).encode("utf-8"))
        return paths


def recent_files(paths: AppPaths) -> RecentFiles:
    return RecentFiles(paths.config / "recent-interviews.json")


def has_organisation_key(library: Path) -> bool:
    """Can kits be signed here (is there an organisation key in this library)?"""
    from onetake_desktop.services.keys import key_service_for_library

    if not (Path(library) / "onetake.sqlite3").exists():
        return False
    with key_service_for_library(library) as keys:
        return bool(keys.keys())


def signer_for(library: Path, passphrase: str, key: KeyRecord | None = None) -> KitSigner:
    """``key`` (by default the newest organisation key of ``library``), unlocked to sign a
    kit: a window passes the key its prompt named, so a key made meanwhile cannot sign
    instead (and one deleted meanwhile says so). A wrong passphrase raises
    ``WrongPassphraseError`` (services/keys.py): the caller may ask again, as often as the
    person likes (each try costs Argon2id, ~0.2 s; keys have no wait-before-retrying rule,
    unlike panelists' sign-in). Any other OneTakeError ends the signing."""
    from onetake_desktop.services.keys import key_service_for_library

    with key_service_for_library(library) as keys:
        return keys.signer(passphrase, key)


def signing_key(library: Path) -> KeyRecord:
    """The organisation key a kit built with ``library`` is signed with (the newest), before
    its passphrase is asked for; OneTakeError when the library has none."""
    from onetake_desktop.services.keys import key_service_for_library

    with key_service_for_library(library) as keys:
        return keys.current()


def key_words(organisation: str, short_fingerprint: str) -> str:
    """A key as the author's window names it: "Harbour Lane's key (74AA B67A 8EC1 DE36)"."""
    return f"{organisation}'s key ({short_fingerprint})"


def signer_words(signer: KitSigner) -> str:
    from onetake_desktop.storage.keystore import fingerprint_of, short_fingerprint

    return key_words(signer.organisation, short_fingerprint(fingerprint_of(signer.public_key)))


def _same_organisation(a: str, b: str) -> bool:
    import unicodedata

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return norm(a) == norm(b)


def built_kit_mismatch(kit_path: Path, signer: KitSigner) -> str | None:
    """:func:`organisation_mismatch` for a kit just built (``kit build --sign`` says it after
    the build: a script answers no question before it)."""
    loaded = load_any(kit_path)
    kit = loaded if isinstance(loaded, Kit) else loaded.kit
    return organisation_mismatch(kit.organisation, signer.organisation)


def organisation_mismatch(kit_organisation: object, key_organisation: str) -> str | None:
    """The warning before signing when the kit's organisation field names someone other than
    the key's organisation (case, spacing and Unicode compatibility forms aside): candidates
    would read "Signed by <key's organisation>" on a kit that names another one. None when
    they agree, or when the kit names no organisation yet (its own problem stops the build)."""
    if not isinstance(kit_organisation, str) or not kit_organisation.strip():
        return None
    if _same_organisation(kit_organisation, key_organisation):
        return None
    return (
        f'This kit names the organisation "{kit_organisation}", but it would be signed with '
        f'the key of {key_organisation}, so candidates would see "Signed by '
        f'{key_organisation}" on it.'
    )
