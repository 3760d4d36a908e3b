"""Interview kits: TOML authoring, strict parsing with field paths, content hash, CLI."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from onetake_desktop import cli
from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.kit import (
    Kit,
    definition_from_dict,
    definition_to_dict,
    kit_content_hash,
    kit_from_dict,
    kit_to_dict,
    privacy_notice_hash,
    validate_kit,
)
from onetake_desktop.domain.validation import ProblemsError
from onetake_desktop.storage.kitfile import (
    build_from_toml,
    demo_definition_path,
    demo_kit_path,
    demo_source_path,
    load_definition,
    load_kit,
)

DEMO_TOML = demo_source_path().read_text()


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "interview.toml"
    path.write_text(text)
    return path


def test_committed_demo_files_equal_a_fresh_build(tmp_path: Path) -> None:
    kit_out, definition_out = build_from_toml(demo_source_path(), tmp_path / "demo.onetakekit")
    assert definition_out == tmp_path / "demo.onetakeinterview"
    assert kit_out.read_bytes() == demo_kit_path().read_bytes(), "rebuild resources/kits (see TOML)"
    assert definition_out.read_bytes() == demo_definition_path().read_bytes()


def test_demo_kit_is_complete_and_kind() -> None:
    kit = load_kit(demo_kit_path())
    assert kit.role_title == "Customer Support Specialist"
    assert [kit.answer_type_of(q) for q in kit.questions] == ["video", "video", "text"]
    assert kit.practice is not None and kit.deadline is not None
    assert kit.deadline.year == 2027 and kit.deadline.utcoffset() is not None
    assert [(a.id, a.time_multiplier) for a in kit.accommodations] == [("extra-time", 1.5)]
    assert all(q.retakes_allowed == 2 and 20 <= q.think_seconds <= 30 for q in kit.questions)
    assert "180 days" in kit.privacy_notice and str(kit.retention_days) == "180"
    assert "Nothing is uploaded" in kit.privacy_notice
    assert kit.next_steps and kit.contact
    assert validate_kit(kit) == []


def test_rubric_stays_out_of_the_candidates_file() -> None:
    text = demo_kit_path().read_text()
    assert "rubric" not in text and "competency" not in text
    definition = load_definition(demo_definition_path())
    assert definition.kit == load_kit(demo_kit_path())
    assert set(definition.rubrics) == {"q1", "q2", "q3"}
    for rubric in definition.rubrics.values():
        assert [level.score for level in rubric.levels] == [1, 2, 3, 4, 5]
        assert len({level.anchor for level in rubric.levels}) == 5  # one anchor per level
        assert all(len(level.anchor) > 40 for level in rubric.levels)


def test_content_hash_is_sha256_of_canonical_json() -> None:
    kit = load_kit(demo_kit_path())
    canonical = json.dumps(
        kit_to_dict(kit), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    expected = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert kit_content_hash(kit) == expected
    assert json.loads(demo_kit_path().read_text())["content_hash"] == expected
    changed = kit._replace(
        questions=(kit.questions[0]._replace(think_seconds=29), *kit.questions[1:])
    )
    assert kit_content_hash(changed) != expected
    assert (
        privacy_notice_hash(kit)
        == "sha256:" + hashlib.sha256(kit.privacy_notice.encode()).hexdigest()
    )


def test_dict_round_trips() -> None:
    definition = load_definition(demo_definition_path())
    assert definition_from_dict(definition_to_dict(definition)) == definition
    assert kit_from_dict(kit_to_dict(definition.kit)) == definition.kit


def test_validate_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    text = (
        DEMO_TOML.replace('id = "q2"', 'id = "Q 2"')
        .replace("answer_max_seconds = 600", "answer_max_seconds = 0")
        .replace("retention_days = 180", 'retention_days = "half a year"')
        .replace('  5 = "As 4, and knows', '  6 = "As 4, and knows')
    )
    with pytest.raises(ProblemsError) as info:
        build_from_toml(write_toml(tmp_path, text), tmp_path / "x.onetakekit")
    found = [str(p) for p in info.value.problems]
    assert "retention_days must be a whole number" in found
    assert "questions[1].rubric.5 is required" in found
    assert "questions[1].rubric.6 is not a known field" in found
    assert not (tmp_path / "x.onetakekit").exists()
    # Fix the types; the value problems are then all listed too.
    text = text.replace('retention_days = "half a year"', "retention_days = 0").replace(
        '  6 = "As 4, and knows', '  5 = "As 4, and knows'
    )
    with pytest.raises(ProblemsError) as info:
        build_from_toml(write_toml(tmp_path, text), tmp_path / "x.onetakekit")
    assert [str(p) for p in info.value.problems] == [
        "retention_days must be between 1 and 3650 days",
        "questions[1].id must be lowercase letters, digits, '_' or '-' (e.g. q1)",
        "questions[2].answer_max_seconds must be between 5 and 3600",
    ]
    assert str(info.value).startswith("Invalid interview TOML: retention_days must be between")
    assert str(info.value).endswith("(and 2 more problems).")


def test_cross_field_rule_names_the_field(tmp_path: Path) -> None:
    text = DEMO_TOML.replace("answer_min_seconds = 0", "answer_min_seconds = 700")
    with pytest.raises(ProblemsError) as info:
        build_from_toml(write_toml(tmp_path, text), tmp_path / "x.onetakekit")
    assert [str(p) for p in info.value.problems] == [
        "questions[2].answer_max_seconds must be > answer_min_seconds"
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format_version=2), "format version 2"),
        (lambda d: d.update(colour="blue"), "colour is not a known field"),
        (
            lambda d: d["questions"][0].update(think_seconds="30"),
            "questions[0].think_seconds must be a whole number",
        ),
        (lambda d: d["questions"][1].pop("text"), "questions[1].text is required"),
        (
            lambda d: d.update(deadline="2027-03-31T23:59:00"),
            "deadline must be a date and time with a time zone",
        ),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "repeats the id 'q1'"),
        (lambda d: d.update(default_answer_type="hologram"), "default_answer_type must be one of"),
        (
            lambda d: d["accommodations"][0].update(time_multiplier=9),
            "time_multiplier must be between 1 and 3",
        ),
        (lambda d: d.update(questions=[]), "must have at least one question"),
        (lambda d: d.update(content_hash="sha256:" + "0" * 64), "changed after it was built"),
        (lambda d: d.update(role_title="Agent\x1b[2J"), "role_title must not contain control"),
        (lambda d: d.update(welcome="Hi\x1b]8;;http://x\x07"), "welcome must not contain control"),
    ],
)
def test_kit_from_dict_is_strict(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(demo_kit_path().read_text())
    edit(data)
    with pytest.raises(InvalidInputError) as info:
        kit_from_dict(data)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe", "not valid UTF-8"),
        (b"[" * 10_000, "nested more than"),
        (b"{}" + b" " * 2_000_000, "larger than"),
        (b'{"format": "onetake-kit"}', "is required"),
    ],
)
def test_load_kit_refuses_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.onetakekit"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message):
        load_kit(path)


def test_missing_kit_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="There is no interview kit at"):
        load_kit(tmp_path / "nope.onetakekit")


def test_cli_build_validate_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "role.onetakekit"
    assert cli.main(["kit", "build", str(demo_source_path()), "-o", str(out)]) == 0
    assert out.exists() and out.with_suffix(".onetakeinterview").exists()
    assert cli.main(["kit", "validate", str(out)]) == 0
    assert cli.main(["kit", "validate", str(demo_source_path())]) == 0
    assert cli.main(["kit", "show", str(out.with_suffix(".onetakeinterview"))]) == 0
    printed = capsys.readouterr().out
    assert "a valid interview kit (Customer Support Specialist, 3 questions)" in printed
    assert "rubric: Empathy and de-escalation" in printed
    assert cli.main(["kit", "show", str(out)]) == 0
    assert "rubric" not in capsys.readouterr().out

    bad = write_toml(
        tmp_path, DEMO_TOML.replace("answer_max_seconds = 120", "answer_max_seconds = 10")
    )
    assert cli.main(["kit", "validate", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "2 problems in this interview TOML" in err
    assert "  - questions[0].answer_max_seconds must be > answer_min_seconds" in err
    assert "  - questions[1].answer_max_seconds must be > answer_min_seconds" in err
    assert cli.main(["kit", "build", str(bad), "-o", str(tmp_path / "bad.onetakekit")]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_build_keeps_kit_and_definition_in_step(tmp_path: Path) -> None:
    kit_out, definition_out = build_from_toml(demo_source_path(), tmp_path / "out" / "role")
    assert kit_out.name == "role.onetakekit"
    kit: Kit = load_kit(kit_out)
    definition = load_definition(definition_out)
    assert definition.kit == kit


def test_show_on_an_invalid_file_lists_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_toml(tmp_path, DEMO_TOML.replace("retention_days = 180", "retention_days = -1"))
    assert cli.main(["kit", "show", str(bad)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "  - retention_days must be between 1 and 3650 days" in captured.err


def test_keys_from_outside_are_escaped_in_messages() -> None:
    # Rubric keys are question ids from the file: a terminal escape must not reach stderr as is.
    data = json.loads(demo_definition_path().read_text())
    data["rubrics"]["\x1b[2J"] = {"competency": "x"}
    with pytest.raises(ProblemsError) as info:
        definition_from_dict(data)
    assert "\x1b" not in str(info.value)
    assert "rubrics.'\\x1b[2J'.levels is required" in str(info.value)


def test_validate_and_show_print_the_guard_rails_the_window_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kit validate` and `kit show` report the authoring window's advice, the same lines,
    after their own (unchanged) output, for a TOML, a kit and a definition; exit 0."""
    from datetime import UTC, datetime

    from onetake_desktop.domain.authoring import guard_rails
    from onetake_desktop.domain.clock import ManualClock
    from onetake_desktop.paths import app_paths
    from onetake_desktop.services import author
    from onetake_desktop.services.author import AuthorDraft
    from onetake_desktop.services.context import AppContext

    context = AppContext(app_paths(), clock=ManualClock(datetime(2026, 11, 28, 9, tzinfo=UTC)))
    source = demo_source_path()
    assert cli.main(["kit", "validate", str(source)], context) == 0
    assert cli.main(["kit", "show", str(source)], context) == 0
    assert "Advice" not in capsys.readouterr().out  # the demo follows every guard rail

    draft = AuthorDraft.open(source)
    draft.remove("practice")
    draft.set("questions[0].think_seconds", 10)
    draft.set("questions[1].retakes_allowed", 0)
    draft.set("questions[2].context", "")
    draft.set("role_title", "The role you are hiring for")  # the template's, left as is
    toml = draft.save(tmp_path / "rails.toml")
    kit = tmp_path / "rails.onetakekit"
    assert cli.main(["kit", "build", str(toml), "-o", str(kit)], context) == 0
    expected = [f"  - {a}" for a in guard_rails(draft.data(), context.clock.now())]
    assert {a.rule for a in guard_rails(draft.data(), context.clock.now())} == {
        "placeholder",
        "promises_practice",
        "promises_rerecords",
        "no_practice",
        "short_think",
        "no_retakes",
        "no_why",
    }
    capsys.readouterr()
    for file in (toml, kit, kit.with_suffix(".onetakeinterview")):
        for command in ("validate", "show"):
            assert cli.main(["kit", command, str(file)], context) == 0
            lines = capsys.readouterr().out.splitlines()
            heading = lines.index(
                "Advice (it never blocks building; 'onetake author' shows it beside each field):"
            )
            assert lines[heading + 1 :] == expected, (file, command)
            # The commands print what the service gives: the window's own rails.
            assert author.advice_for(file, context.clock.now()) == guard_rails(
                draft.data(), context.clock.now()
            )
            if command == "validate":  # its own lines first, as before
                assert lines[0].startswith(f"{file}: a valid ")
    # Invalid files still list their problems only, exit 3.
    bad = write_toml(tmp_path, DEMO_TOML.replace("retention_days = 180", "retention_days = -1"))
    for command in ("validate", "show"):
        assert cli.main(["kit", command, str(bad)], context) == 3
        assert "Advice" not in capsys.readouterr().out


def test_definition_records_are_offered_by_domain_kit_and_loaded_when_asked_for() -> None:
    # Issue 17: the rubric records live in domain/definition.py; domain.kit offers them by name.
    import os
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    code = (
        "import sys\n"
        "import onetake_desktop.domain.kit as kit\n"
        "assert 'onetake_desktop.domain.definition' not in sys.modules\n"
        "from onetake_desktop.domain.kit import InterviewDefinition, Rubric, RubricLevel\n"
        "import onetake_desktop.domain.definition as d\n"
        "assert (InterviewDefinition, Rubric, RubricLevel) == "
        "(d.InterviewDefinition, d.Rubric, d.RubricLevel)\n"
        "try:\n"
        "    kit.NoSuchName\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (out.returncode, out.stdout.strip()) == (0, "ok"), out.stderr


def test_kit_hashes_are_sha256_of_the_same_bytes_as_hashlib_gives() -> None:
    # Issue 17: the kit's hashes come from CPython's own SHA-256 where it has one (no OpenSSL
    # set-up before a candidate's first paint); the digests are hashlib's.
    from onetake_desktop.domain.validation import canonical_json

    kit = load_kit(demo_kit_path())
    data = canonical_json(kit_to_dict(kit))
    assert kit_content_hash(kit) == "sha256:" + hashlib.sha256(data).hexdigest()
    notice = kit.privacy_notice.encode("utf-8")
    assert privacy_notice_hash(kit) == "sha256:" + hashlib.sha256(notice).hexdigest()


def test_kit_hashes_without_cpythons_own_sha256_are_hashlibs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where neither _sha256 (3.11) nor _sha2 (3.12+) loads, hashlib's gives the same digest;
    whichever is found is found once, not looked for again on every hash."""
    import types

    from onetake_desktop.domain import kit as kit_module

    data = b"The same bytes, the same digest."
    expected = hashlib.sha256(data).hexdigest()
    monkeypatch.setitem(sys.modules, "_sha256", None)  # None in sys.modules: ImportError
    monkeypatch.setitem(sys.modules, "_sha2", None)
    monkeypatch.setattr(kit_module, "_sha256", None)
    assert kit_module._sha256_hex(data) == expected
    assert kit_module._sha256 is hashlib.sha256

    # Python 3.12 and later: _sha2 is CPython's own, and is used once found.
    calls: list[bytes] = []

    def sha2_sha256(payload: bytes) -> Any:
        calls.append(payload)
        return hashlib.sha256(payload)

    monkeypatch.setitem(sys.modules, "_sha2", types.SimpleNamespace(sha256=sha2_sha256))
    monkeypatch.setattr(kit_module, "_sha256", None)
    assert kit_module._sha256_hex(data) == expected
    monkeypatch.setitem(sys.modules, "_sha2", None)  # not imported again
    assert kit_module._sha256_hex(data) == expected
    assert calls == [data, data]
