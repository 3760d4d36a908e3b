"""The records services.author's later use cases return: a file's validation report, a
question of the bundled bank and what a build wrote.

Apart from services.author so that opening the authoring window does not define them: each
frozen dataclass costs ~4 M instructions to define at import (issue 17), and none of them
is needed before a file is validated, the question bank is opened or a kit is built.
services.author imports this module in the functions that make them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onetake_desktop.domain.kit import Kit
from onetake_desktop.domain.validation import Problem


@dataclass(frozen=True)
class ValidationReport:
    """Every problem ``validate_file`` found in a TOML source, kit or definition."""

    path: Path
    kind: str  # "interview TOML", "interview kit", "interview definition"
    problems: list[Problem] = field(default_factory=list)
    kit: Kit | None = None
    # Markup the app will show literally: not an error, but the author should know.
    warnings: list[Problem] = field(default_factory=list)
    # A kit or definition built before today's rules, read (``kit show``): what those rules
    # refuse, one sentence each, to say beside it.
    outdated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BankQuestion:
    """A question of the bundled question bank, with its anchored rubric."""

    id: str
    competency: str
    text: str
    context: str
    rubric: dict[str, str]  # "competency" and the anchors "1" to "5"
    answer_type: str | None = None

    def as_toml_data(self, question_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {"id": question_id}
        if self.answer_type:
            data["answer_type"] = self.answer_type
        data.update(
            text=self.text,
            context=self.context,
            think_seconds=30,
            answer_min_seconds=0 if self.answer_type == "text" else 15,
            answer_max_seconds=600 if self.answer_type == "text" else 120,
            retakes_allowed=2,
        )
        data["rubric"] = dict(self.rubric)
        return data


@dataclass(frozen=True)
class Published:
    """What ``AuthorDraft.publish`` wrote."""

    kit: Path
    definition: Path
    version: str
    archived: tuple[Path, ...] = ()  # the previous version's kit and definition, kept
    renumbered: bool = False  # the draft got the next version stamp (it was the kept one's)
    signed_by: str = ""  # "ORG's key (74AA B67A 8EC1 DE36)" when signed, as the status says it
    # The sentence to show when the next version stamp could not be saved into the TOML (the
    # kit was built all the same); empty when it was saved or nothing changed.
    version_not_saved: str = ""
    # Where the replaced version's kit is kept (made now or by an earlier build); None when
    # nothing was replaced.
    kept_kit: Path | None = None
