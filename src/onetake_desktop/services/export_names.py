"""Default file names for exports, offered by the save dialogs.

On a panel's shared laptop one fixed name (``~/scores.csv``) would leave one panelist's export
where the next one's dialog opens, ready to read before they submit, or to be overwritten
without a thought. So an export's default name says whose it is and when it was made."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: imported by windows after their first paint only
if TYPE_CHECKING:
    from datetime import datetime

    from onetake_desktop.services.scoring import Actor


def export_file_name(kind: str, actor: Actor, fmt: str, when: datetime) -> str:
    """``scores-Ana-2026-11-29.csv`` for a panelist, ``scores-2026-11-29.csv`` for the lone
    reviewer. A name's characters other than letters and digits become "-" (a panelist may be
    called "A/B", which no file name can hold). ``when`` is the service's clock (the day every
    record of the export carries), dated on this computer's calendar."""
    day = when.astimezone().date()
    parts = [kind]
    if actor.panelist:
        cleaned = "".join(c if c.isalnum() else "-" for c in actor.name)
        name = "-".join(p for p in cleaned.split("-") if p)
        if name:
            parts.append(name)
    parts.append(day.isoformat())
    return "-".join(parts) + "." + fmt
