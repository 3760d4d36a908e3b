"""How the import checks' flags show beside a candidate, the same in every window.

A flag is a fact about the file (a rule of the interview the bundle broke), not a verdict;
its sentence is built by the importer but may quote outside text, so it is shown as plain
text only: label text set with PlainText format, tooltips escaped (:func:`plain_tooltip`).
"""

from __future__ import annotations

from onetake_desktop.ui.widgets.plain import plain_tooltip

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from collections.abc import Sequence

    # A name only: PySide6's import hook would read conformance.py (issue 17).
    from onetake_desktop.domain.conformance import Flag

FLAG_MARK = "⚑"
HEADER_SHOWN = 3  # sentences in the answer header; the rest are counted (all in the tooltip)


def flag_lines(flags: Sequence[Flag]) -> list[str]:
    """One line per flag: its sentence."""
    return [f"{FLAG_MARK} {f.message}" for f in flags]


def flagged(name: str, flags: Sequence[Flag]) -> str:
    """A candidate's name with the mark when the import flagged them (lists, combo boxes)."""
    return f"{name}  {FLAG_MARK}" if flags else name


def flags_tooltip(flags: Sequence[Flag], first: str = "") -> str:
    """The sentences as a plain-text tooltip, after ``first`` (a name and email)."""
    if not flags:
        return plain_tooltip(first)
    n = len(flags)
    lines = [first, ""] if first else []
    lines.append(f"Flagged on import ({n} rule{'' if n == 1 else 's'} of the interview broken):")
    return plain_tooltip("\n".join(lines + flag_lines(flags)))


def header_text(
    flags: Sequence[Flag], question_id: str | None = None, shown: int = HEADER_SHOWN
) -> str:
    """The answer view's header: this answer's flags and the whole submission's first, then
    the others; ``shown`` sentences, then a count (all of them are in the tooltip). With
    ``shown`` 1 (a short window, where height is the video's) it is one line."""
    if not flags:
        return ""
    ordered = sorted(flags, key=lambda f: f.question_id not in (None, question_id))
    n = len(flags)
    if shown <= 1:  # the count first: the caller may cut the line to its width
        head = f"{n} import flag{'' if n == 1 else 's'} (hover to read)"
        return f"{FLAG_MARK} {head}: " + " ".join(f.message for f in ordered)
    lines = [
        f"Flagged on import: {n} rule{'' if n == 1 else 's'} of the interview broken "
        "(facts about the file, not verdicts)."
    ]
    lines += flag_lines(ordered[:shown])
    if n > shown:
        lines.append(f"… and {n - shown} more (hover to read them all).")
    return "\n".join(lines)
