"""The safe text subset that kit texts may use, and the markup it shows literally.

Kit texts come from outside and are shown as plain text. Three things are understood, and
only these (docs/formats.md, "Text in kits"):

- paragraphs, separated by a blank line (single line breaks are kept as they are);
- bullet lines, starting with ``- ``, ``* `` or ``• ``; an indented line right under one
  continues it (its line break kept);
- ``https:`` and ``mailto:`` addresses, which become links whose visible text *is* the
  address (so a link can never pretend to go somewhere else).

Anything else (HTML tags, entities, Markdown emphasis, headings or ``[text](url)`` links,
``http:``/``file:``/``javascript:`` addresses) is shown exactly as written;
:func:`markup_warnings` tells authors about it when they build or validate a kit.
Plain Python: the UI turns blocks into widgets (ui/candidate/safe_text.py).
"""

from __future__ import annotations

import functools
import re
from typing import Literal, NamedTuple

BlockKind = Literal["paragraph", "bullet"]

LINK_SCHEMES = ("https://", "mailto:")
_LINK = re.compile(r"(?:https://|mailto:)[^\s<>\"]+", re.IGNORECASE)
# Closing punctuation after an address belongs to the sentence, not to the address.
_TRAILING = ".,;:!?)]}'’”"
_BULLET = re.compile(r"^\s*(?:[-*•])\s+")


# A NamedTuple, not a frozen dataclass: as immutable and typed, ~3 M instructions less to
# define at start-up on Python 3.11 (issue 17).
class Span(NamedTuple):
    """A run of text; ``link`` is set (and equals ``text``) for an https:/mailto: address."""

    text: str
    link: str | None = None


class Block(NamedTuple):
    """A paragraph or a bullet line, as runs of plain text and addresses."""

    kind: BlockKind
    spans: tuple[Span, ...]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)

    @property
    def has_link(self) -> bool:
        return any(s.link for s in self.spans)


def split_links(text: str) -> tuple[Span, ...]:
    """Plain runs and https:/mailto: addresses, in order."""
    spans: list[Span] = []
    pos = 0
    for m in _LINK.finditer(text):
        url = m.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        if len(url) <= len("mailto:") or url.lower() in ("https://", "mailto:"):
            continue
        if m.start() > pos:
            spans.append(Span(text[pos : m.start()]))
        spans.append(Span(url, url))
        pos = m.start() + len(url)
    if pos < len(text):
        spans.append(Span(text[pos:]))
    return tuple(spans)


def parse_safe_text(text: str) -> tuple[Block, ...]:
    """Kit text as paragraphs and bullet lines (leading and trailing blank space dropped)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", split_links("\n".join(paragraph))))
            paragraph.clear()

    bullet: list[str] = []  # the bullet being read: its first line and indented continuations

    def end_bullet() -> None:
        if bullet:
            blocks.append(Block("bullet", split_links("\n".join(bullet))))
            bullet.clear()

    for line in text.strip().splitlines():
        if not line.strip():
            end_bullet()
            flush()
        elif _BULLET.match(line):
            end_bullet()
            flush()
            bullet.append(_BULLET.sub("", line, count=1).rstrip())
        elif bullet and line[:1].isspace():
            bullet.append(line.strip())  # "  more of the item above" (review s11 #20)
        else:
            end_bullet()
            paragraph.append(line.rstrip())
    end_bullet()
    flush()
    return tuple(blocks)


# -- what authors are warned about -----------------------------------------------------------
@functools.cache
def _checks() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Compiled on the first check (issue 17): kits are checked by authors and by
    ``kit validate``, never before a window's first paint."""
    return (
        (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), "HTML tag {m}"),
        (re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,6}|#x[0-9A-Fa-f]{1,6});"), "HTML entity {m}"),
        (re.compile(r"\[[^\]\n]{1,200}\]\([^)\s]{1,500}\)"), "Markdown link {m}"),
        (re.compile(r"(?m)^#{1,6}\s"), "Markdown heading '#'"),
        (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "Markdown emphasis {m}"),
        # Only what really is an address: "send the file." or "your data: ..." are plain words.
        (
            re.compile(
                r"\b(?:http://|ftp://|file:/|javascript:|data:[a-z]+/[a-z0-9.+-]+|www\.[a-z0-9-]+\.)"
                # An address ends at a space, a quote or a tag's bracket: in
                # <a href='http://x'>Corp</a> the address is http://x (walk s13 LOW-7).
                r"[^\s<>\"'`]*",
                re.I,
            ),
            "address {m}",
        ),
    )


# No dot: "www.x.:" is no scheme. A string, compiled on first use (issue 17: import cost).
_BARE_SCHEME = r"[A-Za-z][A-Za-z0-9+-]*:"


def _address_end(found: str) -> str:
    """An address without the sentence's closing punctuation ("see http://x.example."), and
    without a closing bracket it did not open (its own "(1)" stays). A colon that ends a bare
    scheme stays: href="javascript:" is quoted as 'javascript:' (review s13b B14)."""
    while found and found[-1] in ".,;:!?)]}":
        last = found[-1]
        if last == ":" and re.fullmatch(_BARE_SCHEME, found):
            break
        opening = {")": "(", "]": "[", "}": "{"}.get(last)
        if opening is not None and found.count(opening) >= found.count(last):
            break
        found = found[:-1]
    return found


def markup_warnings(text: str) -> list[str]:
    """Phrases naming the markup in ``text`` that candidates will see literally."""
    found: list[str] = []
    for pattern, phrase in _checks():
        address = phrase.startswith("address")
        matches = list(pattern.finditer(text))[: 3 if address else 1]
        for m in matches:
            found_text = _address_end(m.group(0)) if address else m.group(0)
            shown = found_text if len(found_text) <= 40 else found_text[:37] + "..."
            what = phrase.format(m=repr(shown))
            if address:
                found.append(f"has the {what}: only https: and mailto: addresses become links")
            else:
                found.append(f"has {what}: it is shown literally (kits are plain text)")
    return found
