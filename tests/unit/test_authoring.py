"""Authoring (issue 15): guard rails, the question bank, templates, the draft and its TOML,
versions of published kits, and ``onetake kit new`` / ``onetake author``."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomlkit

from onetake_desktop import cli
from onetake_desktop.domain.authoring import (
    Advice,
    content_hash_ignoring_version,
    guard_rails,
    next_version,
    privacy_gaps,
    privacy_notice_from_template,
)
from onetake_desktop.domain.errors import EXIT_INVALID_INPUT, EXIT_OK, EXIT_USAGE
from onetake_desktop.domain.kit import InterviewDefinition, kit_markup_warnings, validate_rubric
from onetake_desktop.services import author
from onetake_desktop.services.author import AuthorDraft
from onetake_desktop.storage import kitfile

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
COMPETENCIES = {
    "Customer focus",
    "Teamwork",
    "Problem solving",
    "Ownership",
    "Communication",
    "Learning",
    "Handling conflict",
    "Planning and organising",
}

HAND_COMMENTED = '''# Our spring hiring round: keep this comment.
interview_id = "spring-support"   # never change once published
version = "1"
organisation = "Harbour Lane"
role_title = "Support"
default_answer_type = "video"
retention_days = 90
welcome = "Hello."
instructions = "Three questions."
privacy_notice = """Who sees your answers: the panel. Where they go: this computer \\
until you send them. How long: 90 days."""

[practice]  # warm-up
text = "Practice question"
think_seconds = 15
answer_max_seconds = 30

# The one real question.
[[questions]]
id = "q1"
text = "Tell us about a time you helped someone."
context = "Helping is the job."
think_seconds = 30
answer_max_seconds = 120
retakes_allowed = 1

  [questions.rubric]
  competency = "Helping"  # from the 2026 framework
  1 = "No example."
  2 = "A vague example with no outcome."
  3 = "A clear example with a good outcome."
  4 = "A clear example, with follow-up and care for feelings."
  5 = "As 4, and changed things so others were helped too."
'''


def demo_definition() -> InterviewDefinition:
    return kitfile.load_definition(kitfile.demo_definition_path())


def rules(draft: AuthorDraft) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for advice in draft.advice(NOW):
        out.setdefault(advice.rule, set()).add(advice.path)
    return out


# --- guard rails -----------------------------------------------------------------------------


def test_the_demo_kit_gets_no_advice() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    assert draft.problems() == []
    assert draft.advice(NOW) == []


def test_every_guard_rail_fires_on_a_kit_made_to_trigger_it() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.remove("practice")
    draft.set("deadline", NOW + timedelta(days=2))
    draft.set("privacy_notice", "We take privacy seriously.")
    for _ in range(5):
        draft.add_question(bank=author.question_bank()[0])
    draft.set("questions[0].think_seconds", 10)
    draft.set("questions[1].retakes_allowed", 0)
    draft.set("questions[2].context", "")
    draft.set("questions[0].rubric.2", draft.get("questions[0].rubric.1") + " ")
    draft.set("questions[3].answer_max_seconds", 1800)
    draft.set("organisation", "Your organisation")  # left as the template wrote it
    found = rules(draft)
    assert found == {
        "placeholder": {"organisation"},
        # The demo's instructions promise a practice question and 2 re-records of each answer.
        "promises_practice": {"instructions"},
        "promises_rerecords": {"instructions"},
        "no_practice": {"practice"},
        "deadline_soon": {"deadline"},
        "privacy_incomplete": {"privacy_notice"},
        "too_many_questions": {"questions"},
        "too_long": {"questions"},
        "short_think": {"questions[0].think_seconds"},
        "no_retakes": {"questions[1].retakes_allowed"},
        "no_why": {"questions[2].context"},
        "repeated_anchors": {"questions[0].rubric.2"},
    }
    # Advice never blocks: the draft is still a valid interview that builds.
    assert draft.problems() == []


def test_markup_candidates_would_see_literally_is_advice_at_its_field() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.set("welcome", "<b>Hello</b>, and welcome.")
    advice = [a for a in draft.advice(NOW) if a.rule == "markup"]
    assert [a.path for a in advice] == ["welcome"]
    assert "shown literally" in advice[0].message
    assert draft.problems() == []


def test_guard_rails_help_a_half_written_draft() -> None:
    advice = guard_rails({"questions": [{"id": "q1"}, "nonsense"]}, NOW)
    assert {a.rule for a in advice} >= {"no_practice", "privacy_incomplete", "no_why"}


def test_privacy_notice_gaps_name_what_is_missing() -> None:
    assert privacy_gaps("") == ["who sees the answers", "how long they are kept", "where they go"]
    assert privacy_gaps("The hiring panel sees them.") == [
        "how long they are kept",
        "where they go",
    ]
    guided = privacy_notice_from_template("the panel", "60 days", "this computer", "More.")
    assert privacy_gaps(guided) == []
    assert guided.endswith("More.")


def test_deadlines_three_days_or_more_away_are_fine() -> None:
    assert guard_rails({"deadline": NOW + timedelta(days=3)}, NOW)[0].rule != "deadline_soon"
    assert "deadline_soon" in {
        a.rule for a in guard_rails({"deadline": (NOW + timedelta(hours=5)).isoformat()}, NOW)
    }


@pytest.mark.parametrize(
    ("old", "new"), [("2026.11", "2026.12"), ("v3", "v4"), ("spring", "spring.2"), ("1.09", "1.10")]
)
def test_next_version(old: str, new: str) -> None:
    assert next_version(old) == new


# --- question bank and templates -------------------------------------------------------------


def test_the_question_bank_has_24_well_formed_anchored_questions() -> None:
    bank = author.question_bank()
    assert len(bank) >= 24
    assert {q.competency for q in bank} == COMPETENCIES
    assert len({q.id for q in bank}) == len(bank)
    for q in bank:
        assert q.text.strip() and q.context.strip(), q.id
        assert set(q.rubric) == {"competency", "1", "2", "3", "4", "5"}, q.id
        anchors = [q.rubric[str(s)] for s in range(1, 6)]
        assert len(set(anchors)) == 5, q.id
        # Each one, as a question of a draft, passes validation and gets no advice.
        draft = AuthorDraft.from_template("general")
        index = draft.add_question(bank=q)
        assert draft.problems() == [], q.id
        assert not [a for a in draft.advice(NOW) if a.path.startswith(f"questions[{index}]")]
    rubric_errors = [
        validate_rubric(d.rubrics[qid], qid)
        for d in [AuthorDraft.from_template("general").definition()]
        for qid in d.rubrics
    ]
    assert rubric_errors == [[], [], []]


@pytest.mark.parametrize("name", sorted(author.TEMPLATES))
def test_every_template_is_a_valid_interview_whose_only_advice_is_its_placeholders(
    name: str,
) -> None:
    draft = AuthorDraft.from_template(name)
    assert draft.problems() == []
    if name == "demo":  # a finished interview: nothing to replace
        assert draft.advice(NOW) == []
        return
    assert [(a.path, a.rule) for a in draft.advice(NOW)] == [
        ("organisation", "placeholder"),
        ("role_title", "placeholder"),
    ]
    assert str(draft.advice(NOW)[0]) == (
        'organisation: still says "Your organisation", the template\'s placeholder: '
        "candidates see it as written."
    )
    # Replaced (or merely edited), the advice goes; placeholder case and spaces do not count.
    draft.set("organisation", "  your ORGANISATION ")
    draft.set("role_title", "Support engineer")
    assert [(a.path, a.rule) for a in draft.advice(NOW)] == [("organisation", "placeholder")]
    draft.set("organisation", "Harbour Lane")
    assert draft.advice(NOW) == []


def test_texts_that_promise_what_the_settings_do_not_give_are_advised() -> None:
    draft = AuthorDraft.from_template("general")
    draft.set("organisation", "Harbour Lane")
    draft.set("role_title", "Support engineer")
    assert draft.advice(NOW) == []
    # The practice question goes; the instructions still promise it.
    draft.remove("practice")
    found = rules(draft)
    assert found["promises_practice"] == {"instructions"}
    draft.set("welcome", "Start with a short practice round.")
    assert rules(draft)["promises_practice"] == {"welcome", "instructions"}
    draft.set("welcome", "Thank you for applying.")
    # "up to 2 times" in the instructions, but question 2 allows none, then two allow 1.
    draft.set("questions[1].retakes_allowed", 0)
    advice = [a for a in draft.advice(NOW) if a.rule == "promises_rerecords"]
    assert [str(a) for a in advice] == [
        "instructions: promises up to 2 re-records of each answer, but question 2 allows 0: "
        "make the text and the settings agree."
    ]
    draft.set("questions[0].retakes_allowed", 1)
    draft.set("questions[1].retakes_allowed", 1)
    draft.set("questions[2].retakes_allowed", 1)
    advice = [a for a in draft.advice(NOW) if a.rule == "promises_rerecords"]
    assert "but questions 1, 2, 3 allow other numbers" in advice[0].message
    # Words count as numbers; a text answer has no re-records to promise.
    draft.set(
        "instructions",
        "You may re-record each answer up to one time. Each question gives you time to think.",
    )
    draft.set("questions[2].answer_type", "text")
    draft.set("questions[2].retakes_allowed", 0)
    assert "promises_rerecords" not in rules(draft)
    # Fixing the text takes both away.
    draft.set("instructions", "Each question gives you time to think before recording starts.")
    assert not {"promises_practice", "promises_rerecords"} & set(rules(draft))
    assert draft.problems() == []


@pytest.mark.parametrize(
    "text",
    [
        # A firm's name, "in practice" and "best practice" promise no practice question.
        "Thank you for applying to Harbour Lane Dental Practice.",
        "In practice, most people finish in 20 minutes.",
        "We follow best practice with everything you send us.",
        "We are a practice that puts patients first.",
        "There is no practice question.",
        # A negated re-record, a multiplier of time and durations promise no re-records.
        "Re-recording is not possible; you have up to 3 times the usual time to answer.",
        "Re-recording is not possible, but you have up to 3 times the usual time.",
        "Questions 1 to 3 take about 2 minutes each. The whole interview takes 20 minutes.",
    ],
)
def test_texts_that_promise_nothing_get_no_contradiction_advice(text: str) -> None:
    draft = AuthorDraft.from_template("general")
    draft.set("organisation", "Harbour Lane")
    draft.set("role_title", "Support engineer")
    draft.remove("practice")
    draft.set("instructions", "Each question gives you time to think before recording starts.")
    for i in range(3):
        draft.set(f"questions[{i}].retakes_allowed", 1)
    draft.set("welcome", text)
    assert not {"promises_practice", "promises_rerecords"} & set(rules(draft)), text


@pytest.mark.parametrize(
    ("text", "promised"),
    [
        ("Try a practice first. You can re-record twice.", 2),
        ("You will have a chance to practise first; you get up to 3 takes of each answer.", 2),
        ("There is a practice round first. Each answer allows two retakes.", 2),
        ("A practice question comes first. You have 4 attempts at each question.", 3),
        ("If you are not happy, start with a short practice run; re-record up to 2 times.", 2),
    ],
)
def test_texts_that_promise_a_practice_and_re_records_are_advised(text: str, promised: int) -> None:
    draft = AuthorDraft.from_template("general")
    draft.set("organisation", "Harbour Lane")
    draft.set("role_title", "Support engineer")
    draft.remove("practice")
    draft.set("instructions", "Each question gives you time to think before recording starts.")
    for i in range(3):
        draft.set(f"questions[{i}].retakes_allowed", 1)
    draft.set("welcome", text)
    found = [a for a in draft.advice(NOW) if a.rule.startswith("promises_")]
    assert [(a.path, a.rule) for a in found] == [
        ("welcome", "promises_practice"),
        ("welcome", "promises_rerecords"),
    ], text
    assert found[1].message.startswith(f"promises up to {promised} re-records of each answer")


def _promise_messages(text: str) -> dict[str, str]:
    """The promises_* advice on ``text`` as the welcome, with every question allowing 4
    re-records (a number none of the texts below promises)."""
    draft = AuthorDraft.from_template("general")
    draft.set("organisation", "Harbour Lane")
    draft.set("role_title", "Support engineer")
    draft.remove("practice")
    draft.set("instructions", "Each question gives you time to think before recording starts.")
    for i in range(3):
        draft.set(f"questions[{i}].retakes_allowed", 4)
    draft.set("welcome", text)
    return {a.rule: a.message for a in draft.advice(NOW) if a.rule.startswith("promises_")}


@pytest.mark.parametrize(
    ("text", "practice", "promised"),
    [
        # Review s13c C2: a verb "takes", "more"/"extra" takes, "once" as a conjunction, and a
        # false match that hid the real promise after it.
        ("Each one takes about three minutes.", False, None),
        ("Answering 1 question takes about 3 minutes.", False, None),
        ("Question 3 takes about two minutes.", False, None),
        ("You get 2 more tries at each answer.", False, 2),
        ("You have 2 extra takes.", False, 2),
        ("You can re-record the answer once you have watched it back.", False, None),
        (
            "Each one takes about three minutes. You can re-record each answer up to 2 times.",
            False,
            2,
        ),
        ("You get up to 3 takes of each answer.", False, 2),
        ("one try at each question", False, 0),
        ("You may re-record each answer up to one time.", False, 1),
        # C3: a negation elsewhere in the clause does not cancel the promise; just before it does.
        ("You can re-record each answer up to 2 times if you do not like it.", False, 2),
        ("Don't worry if you stumble - you can re-record up to 2 times.", False, 2),
        ("You cannot re-record 2 times.", False, None),
        ("The practice question is not scored.", True, None),
        ("The first question is a practice question that doesn't count.", True, None),
        ("There is no short practice round.", False, None),
        # C4: the firm's name and "practice" as a noun before a verb.
        ("Our practice goes the extra mile for patients.", False, None),
        ("Harbour Lane Dental Practice first opened in 1998.", False, None),
        ("Practice takes time", False, None),
        ("Practice question: tell us about your week.", True, None),
    ],
)
def test_promises_are_read_conservatively(text: str, practice: bool, promised: int | None) -> None:
    found = _promise_messages(text)
    assert ("promises_practice" in found) is practice, text
    if promised is None:
        assert "promises_rerecords" not in found, text
    else:
        says = {
            0: "promises one take of each answer (no re-records), but ",
            1: "promises up to 1 re-record of each answer, but ",
        }.get(promised, f"promises up to {promised} re-records of each answer, but ")
        assert found["promises_rerecords"].startswith(says), text


def test_promises_that_disagree_with_each_other_give_no_number() -> None:
    # Which one the author means is unclear: say nothing rather than pick one.
    text = "You can re-record each answer twice. You may re-record each answer up to 3 times."
    assert "promises_rerecords" not in _promise_messages(text)
    # A re-record with a number outranks a bare count of takes.
    text = "You have 3 attempts at the practice question. You can re-record each answer once."
    assert _promise_messages(text)["promises_rerecords"].startswith("promises up to 1 re-record ")


def test_kit_new_writes_a_template_that_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "support.toml"
    assert cli.main(["kit", "new", "-o", str(out), "--template", "customer-support"]) == EXIT_OK
    assert "customer-support" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("# OneTake interview source")
    kit_out = tmp_path / "support.onetakekit"
    assert cli.main(["kit", "build", str(out), "-o", str(kit_out)]) == EXIT_OK
    assert kitfile.load_kit(kit_out).questions[0].id == "q1"
    # Never over someone's work.
    before = out.read_bytes()
    assert cli.main(["kit", "new", "-o", str(out)]) == EXIT_USAGE
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_kit_build_and_validate_say_what_still_reads_as_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Walk s13 MEDIUM-3: `kit new`, practice removed, built and validated as it is: both
    commands list the placeholders and the promise of a practice question (exit 0)."""
    source = tmp_path / "k.toml"
    assert cli.main(["kit", "new", "-o", str(source)]) == EXIT_OK
    draft = AuthorDraft.open(source)
    draft.remove("practice")
    draft.save()
    capsys.readouterr()
    kit_out = tmp_path / "k.onetakekit"
    heading = "Advice (it never blocks building; 'onetake author' shows it beside each field):"
    expected = [
        heading,
        '  - organisation: still says "Your organisation", the template\'s placeholder: '
        "candidates see it as written.",
        '  - role_title: still says "The role you are hiring for", the template\'s '
        "placeholder: candidates see it as written.",
        "  - instructions: mentions a practice question, but there is none: add one, or take "
        "it out of this text.",
        "  - practice: there is no practice question: an unscored first try calms nerves and "
        "lets candidates check their camera and sound.",
    ]
    assert cli.main(["kit", "build", str(source), "-o", str(kit_out)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Wrote {kit_out} ")
    assert lines[1:] == expected
    assert cli.main(["kit", "validate", str(source)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[lines.index(heading) :] == expected
    # Filled in and the promise taken out: nothing left to say.
    draft.set("organisation", "Harbour Lane")
    draft.set("role_title", "Support engineer")
    draft.set("instructions", "Each question gives you time to think before recording starts.")
    draft.set("practice.text", "Practice: tell us about a place you enjoy visiting.")
    draft.set("practice.answer_max_seconds", 45)
    draft.save()
    assert cli.main(["kit", "validate", str(source)]) == EXIT_OK
    assert "Advice" not in capsys.readouterr().out


def test_kit_new_refuses_an_unknown_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["kit", "new", "-o", str(tmp_path / "x.toml"), "--template", "nope"])
    assert exit_info.value.code == EXIT_USAGE
    assert not (tmp_path / "x.toml").exists()


def test_author_command_asks_for_the_window_and_refuses_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = cli.main(["author", str(kitfile.demo_source_path())])
    assert isinstance(request, cli.GuiRequest) and request.mode == "author"
    assert request.paths == (kitfile.demo_source_path(),)
    blank = cli.main(["author"])
    assert isinstance(blank, cli.GuiRequest) and blank.paths == ()
    bad = tmp_path / "bad.toml"
    bad.write_text("interview_id = [unclosed\n", encoding="utf-8")
    assert cli.main(["author", str(bad)]) == EXIT_INVALID_INPUT
    assert "not valid TOML" in capsys.readouterr().err
    lone_kit = tmp_path / "lone.onetakekit"
    lone_kit.write_bytes(kitfile.demo_kit_path().read_bytes())
    assert cli.main(["author", str(lone_kit)]) == EXIT_INVALID_INPUT
    assert "lone.onetakeinterview" in capsys.readouterr().err


# --- the draft --------------------------------------------------------------------------------


def test_a_built_kit_opens_through_its_definition_with_the_same_content() -> None:
    draft = AuthorDraft.open(kitfile.demo_kit_path())
    definition = draft.definition()
    assert definition.kit == demo_definition().kit
    assert definition.rubrics == demo_definition().rubrics


def test_editing_a_hand_commented_toml_keeps_its_comments(tmp_path: Path) -> None:
    source = tmp_path / "spring.toml"
    source.write_text(HAND_COMMENTED, encoding="utf-8")
    draft = AuthorDraft.open(source)
    draft.set("role_title", "Customer Support Specialist")
    draft.set("questions[0].rubric.3", "A clear example,\nwith a good outcome.")
    draft.set("questions[0].think_seconds", 45)
    draft.set("practice.context", "Unscored.")
    draft.save()
    text = source.read_text(encoding="utf-8")
    for comment in (
        "# Our spring hiring round: keep this comment.",
        "# never change once published",
        "# warm-up",
        "# The one real question.",
        "# from the 2026 framework",
    ):
        assert comment in text
    saved = tomllib.loads(text)
    assert saved["role_title"] == "Customer Support Specialist"
    assert saved["questions"][0]["rubric"]["3"] == "A clear example,\nwith a good outcome."
    assert saved["questions"][0]["think_seconds"] == 45
    assert saved["practice"]["context"] == "Unscored."
    assert not draft.dirty
    # Only what was edited changed: the rest of the file is as the author wrote it.
    untouched = [line for line in HAND_COMMENTED.splitlines() if "think_seconds = 30" not in line]
    for line in untouched:
        if "role_title" in line or line.startswith("  3 =") or line.startswith("[practice]"):
            continue
        assert line in text.splitlines(), line


def test_questions_add_duplicate_move_remove_with_undo_and_redo() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())

    def ids() -> list[str]:
        return [q["id"] for q in draft.data()["questions"]]

    assert ids() == ["q1", "q2", "q3"]
    draft.duplicate_question(0)
    assert ids() == ["q1", "q4", "q2", "q3"]
    assert draft.get("questions[1].rubric") == draft.get("questions[0].rubric")
    draft.move_question(1, 3)
    assert ids() == ["q1", "q2", "q3", "q4"]
    draft.remove_question(0)
    assert ids() == ["q2", "q3", "q4"]
    assert draft.problems() == []
    draft.undo()
    assert ids() == ["q1", "q2", "q3", "q4"]
    draft.undo()
    draft.undo()
    assert ids() == ["q1", "q2", "q3"]
    assert not draft.dirty
    draft.redo()
    assert ids() == ["q1", "q4", "q2", "q3"]
    assert draft.dirty


def test_a_blank_draft_reads_saves_and_undoes_as_its_document_would(tmp_path: Path) -> None:
    """Issue 17: a blank draft writes its TOML document only when first needed (an edit, a
    save); until then it reads the same data, is clean, and validates the same."""
    written = AuthorDraft(tomlkit.parse('default_answer_type = "video"\nretention_days = 180\n'))
    blank = AuthorDraft.blank()
    assert blank.data() == written.data() == author.BLANK_DATA
    assert blank.get("retention_days") == 180
    assert not blank.dirty and not blank.can_undo
    assert blank.checks(NOW) == written.checks(NOW)
    blank.set("organisation", "Harbour Lane")
    assert blank.dirty and blank.can_undo
    blank.undo()
    assert not blank.dirty and blank.can_redo
    assert blank.text() == written.text()
    saved = AuthorDraft.blank().save(tmp_path / "new.toml")
    assert saved.read_text(encoding="utf-8") == written.text()


def test_typing_into_one_field_is_one_undo_step() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    for text in ("H", "Ha", "Har"):
        draft.set("organisation", text)
    draft.set("role_title", "X")
    draft.undo()
    assert draft.get("organisation") == "Har"
    draft.undo()
    assert draft.get("organisation") == "Harbour Lane Home Supplies"


def test_hard_errors_name_their_field() -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.set("questions[1].answer_max_seconds", 2)
    draft.set("interview_id", "Not An Id")
    paths = {p.path for p in draft.problems()}
    assert paths == {"questions[1].answer_max_seconds", "interview_id"}


# --- publishing versions ----------------------------------------------------------------------


def test_a_published_kit_edited_becomes_a_new_version_and_the_old_stays(tmp_path: Path) -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    first = draft.publish(tmp_path / "support")
    assert first.kit == tmp_path / "support.onetakekit"
    assert first.archived == ()
    old_hash = kitfile.kit_file_bytes(kitfile.load_kit(first.kit))
    # Building the same content again changes nothing.
    assert draft.publish(first.kit).archived == ()
    draft.set("questions[0].think_seconds", 45)
    second = draft.publish(first.kit)
    assert second.version == "2026.12" == draft.get("version")
    kept = tmp_path / "support-2026.11.onetakekit"
    assert set(second.archived) == {kept, kitfile.definition_path_for(kept)}
    assert kitfile.kit_file_bytes(kitfile.load_kit(kept)) == old_hash
    assert kitfile.load_definition(kitfile.definition_path_for(kept)).kit.version == "2026.11"
    new_kit = kitfile.load_kit(second.kit)
    assert (new_kit.version, new_kit.questions[0].think_seconds) == ("2026.12", 45)
    assert content_hash_ignoring_version(new_kit) != content_hash_ignoring_version(
        kitfile.load_kit(kept)
    )


def test_the_preview_kit_is_the_draft(tmp_path: Path) -> None:
    draft = AuthorDraft.open(kitfile.demo_source_path())
    path = draft.write_preview_kit(tmp_path)
    assert kitfile.load_kit(path) == demo_definition().kit


def test_a_draft_built_with_the_organisation_key_is_signed(tmp_path: Path) -> None:
    from onetake_desktop.services.keys import key_service_for_library

    library = tmp_path / "library"
    library.mkdir()
    assert not author.has_organisation_key(library)
    with key_service_for_library(library) as keys:
        keys.new_key("Harbour Lane", "correct horse")
    assert author.has_organisation_key(library)
    draft = AuthorDraft.open(kitfile.demo_source_path())
    published = draft.publish(tmp_path / "signed", author.signer_for(library, "correct horse"))
    signed = kitfile.load_signed_kit(published.kit)
    assert signed.signature is not None and "Harbour Lane" in signed.signature.notice
    assert signed.kit.hand_over is not None and signed.kit.hand_over.recipient.startswith("age1")
    # Signing again, unchanged, is the same version: nothing to keep aside.
    again = draft.publish(published.kit, author.signer_for(library, "correct horse"))
    assert again.archived == () and again.version == published.version
    assert again.signed_by.startswith("Harbour Lane's key (") and again.signed_by.endswith(")")
    assert draft.publish(tmp_path / "plain").signed_by == ""


@pytest.mark.parametrize(
    ("kit_org", "warned"),
    [
        ("Harbour Lane", False),
        ("  harbour   LANE ", False),  # case and spacing are not another organisation
        ("Ｈarbour Lane", False),  # a full-width letter: the same name by Unicode NFKC
        ("Evil Corp", True),
        ("Harbour Lane Ltd", True),  # close is not the same: the author decides
        ("", False),  # no organisation yet: its own problem stops the build
        (None, False),
    ],
)
def test_signing_with_another_organisations_key_is_warned_about(
    kit_org: str | None, warned: bool
) -> None:
    """Walk s13 LOW-2: candidates would read "Signed by <key's organisation>" on a kit that
    names another organisation; the sentence quotes both names as typed."""
    sentence = author.organisation_mismatch(kit_org, "Harbour Lane")
    assert (sentence is not None) == warned
    if sentence is not None:
        assert sentence == (
            f'This kit names the organisation "{kit_org}", but it would be signed with the key '
            'of Harbour Lane, so candidates would see "Signed by Harbour Lane" on it.'
        )


def test_a_rubric_added_to_a_hand_written_question_reads_as_written_by_hand() -> None:
    draft = AuthorDraft(
        tomlkit.parse('[[questions]]\nid = "q1"\n\n[[questions]]\nid = "q2"\n')  # no rubrics
    )
    draft.set("questions[0].rubric.competency", "Teamwork")
    draft.set("questions[0].rubric.1", "No example.")
    assert draft.text() == (
        '[[questions]]\nid = "q1"\n\n  [questions.rubric]\n  competency = "Teamwork"\n'
        '  1 = "No example."\n\n[[questions]]\nid = "q2"\n'
    )


def test_checks_give_the_problems_and_the_advice_of_one_validation() -> None:
    """The window asks ``checks`` once per edit: the draft's hard errors and its guard rails,
    with the markup warnings only once the draft is valid (the lists ``kit validate`` gives)."""
    draft = AuthorDraft.open(kitfile.demo_source_path())
    draft.set("deadline", NOW + timedelta(days=2))
    draft.set("privacy_notice", "We take <b>privacy</b> seriously.")
    problems, advice = draft.checks(NOW)
    assert problems == []
    markup = [
        Advice(p.path, "markup", p.message) for p in kit_markup_warnings(draft.definition().kit)
    ]
    assert markup and [a.path for a in markup] == ["privacy_notice"]
    assert advice == guard_rails(draft.data(), NOW) + markup
    assert {a.rule for a in advice} > {"markup"}  # a guard rail (the near deadline) too
    draft.set("title", "")
    problems, advice = draft.checks(NOW)
    assert [p.path for p in problems] == ["title"] and problems == draft.problems()
    assert advice == guard_rails(draft.data(), NOW)  # no markup warnings without a definition
