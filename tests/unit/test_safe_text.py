"""Kit text is plain text with a tiny safe subset; authors hear about markup shown literally."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.kit import kit_markup_warnings
from onetake_desktop.domain.safe_text import Block, Span, markup_warnings, parse_safe_text
from onetake_desktop.storage.kitfile import demo_source_path, load_kit, save_kit
from tests.unit.test_session import make_kit

HOSTILE = (
    '<b>Welcome</b> <img src="file:///etc/passwd"> &amp; '
    '<span style="font-size:1px;color:white">you waive all rights</span>\n'
    "[Apply here](https://evil.example/) or see http://plain.example and "
    "javascript:alert(1)"
)


def test_paragraphs_bullets_and_only_https_and_mailto_links() -> None:
    blocks = parse_safe_text(
        "First line\nsame paragraph.\n\n- one\n* two https://jobs.example/apply.\n"
        "• three\n\nWrite to mailto:jo@example.org, or http://old.example."
    )
    assert [b.kind for b in blocks] == ["paragraph", "bullet", "bullet", "bullet", "paragraph"]
    assert blocks[0].text == "First line\nsame paragraph." and not blocks[0].has_link
    assert blocks[2].spans == (
        Span("two "),
        Span("https://jobs.example/apply", "https://jobs.example/apply"),
        Span("."),
    )
    last = blocks[4]
    assert [s.link for s in last.spans if s.link] == ["mailto:jo@example.org"]
    assert "http://old.example." in last.text  # not a link, shown as written


def test_an_indented_line_under_a_bullet_continues_it() -> None:
    # The demo's instructions (review s11 #20): the indented line was a paragraph of its own.
    blocks = parse_safe_text(
        "What to expect:\n- Answers run up to 2 minutes.\n  You have 10 minutes to write.\n"
        "- Next item https://jobs.example\n    more of it\nNot indented: a paragraph."
    )
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "What to expect:"),
        ("bullet", "Answers run up to 2 minutes.\nYou have 10 minutes to write."),
        ("bullet", "Next item https://jobs.example\nmore of it"),
        ("paragraph", "Not indented: a paragraph."),
    ]
    assert [s.link for s in blocks[2].spans if s.link] == ["https://jobs.example"]


def test_hostile_markup_is_kept_literally_and_named_for_the_author() -> None:
    blocks = parse_safe_text(HOSTILE)
    shown = "\n".join(b.text for b in blocks)
    assert shown == HOSTILE  # every character is still there, nothing interpreted
    links = [s.link for b in blocks for s in b.spans if s.link]
    assert links == ["https://evil.example/"]  # the address itself, inside the literal markup
    warnings = " | ".join(markup_warnings(HOSTILE))
    for expected in ("HTML tag", "HTML entity", "Markdown link", "address 'http://plain"):
        assert expected in warnings
    assert "javascript" in warnings
    assert markup_warnings("Plain words, a list:\n- item\nhttps://ok.example") == []


def test_kit_build_and_validate_warn_about_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = make_kit()
    written = base.questions[2]._replace(answer_max_seconds=300)
    kit = base._replace(welcome=HOSTILE, questions=(*base.questions[:2], written))
    assert [p.path for p in kit_markup_warnings(kit)].count("welcome") >= 4
    path = tmp_path / "hostile.onetakekit"
    save_kit(kit, path)
    assert cli.main(["kit", "validate", str(path)]) == 0  # valid, with warnings
    err = capsys.readouterr().err
    assert "warning: welcome has HTML tag '<b>'" in err and "plain text" in err
    toml = tmp_path / "interview.toml"
    toml.write_text(
        demo_source_path().read_text().replace("Hello, and thank", "<i>Hello</i>, and thank")
    )
    assert cli.main(["kit", "build", str(toml), "-o", str(tmp_path / "demo.onetakekit")]) == 0
    assert "warning: welcome has HTML tag '<i>'" in capsys.readouterr().err
    # the demo kit itself uses only the safe subset
    assert (
        kit_markup_warnings(
            load_kit(
                Path(str(demo_source_path()).replace("demo-interview.toml", "demo.onetakekit"))
            )
        )
        == []
    )


def test_block_is_plain_data() -> None:
    assert Block("paragraph", (Span("a"),)).text == "a"


def test_plain_words_are_not_taken_for_addresses() -> None:
    # "send the file." and "your data:" are words; only real addresses are warned about.
    for words in ("Send the file.", "Name it answers.txt", "Your data: kept 30 days", "www is"):
        assert markup_warnings(words) == [], words
    for address in ("http://x.example", "file:///etc/passwd", "www.example.com/a"):
        assert any("address" in w for w in markup_warnings(f"See {address} now")), address


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # walk s13 LOW-7: the advice quoted "http://x'>Corp</a>"
        ("<b>Evil</b> <a href='http://x'>Corp</a> <img src=x>", "'http://x'"),
        ('<a href="http://x.example/a?b=1">Corp</a>', "'http://x.example/a?b=1'"),
        ("<http://x.example>", "'http://x.example'"),
        ("See http://old.example/jobs.", "'http://old.example/jobs'"),
        ("(or http://old.example)", "'http://old.example'"),
        ("javascript:alert(1)", "'javascript:alert(1)'"),  # its own brackets stay
        ("at www.example.com, today", "'www.example.com'"),
        # review s13b B14: the colon that ends a scheme is the scheme's, not the sentence's.
        ('<a href="javascript:">Apply</a>', "'javascript:'"),
        ("Do not use javascript:.", "'javascript:'"),
        ("Try javascript:void(0):", "'javascript:void(0)'"),
    ],
)
def test_the_address_advice_quotes_the_address_alone(text: str, quoted: str) -> None:
    assert markup_warnings(text)[-1] == (
        f"has the address {quoted}: only https: and mailto: addresses become links"
    )
