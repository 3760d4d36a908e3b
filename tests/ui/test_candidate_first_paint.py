"""Issue 17 (quick start): what the candidate window saves before its first paint changes
nothing the candidate sees or can do.

- Labels become selectable once their page (or the window) has its style
  (`selectable_once_styled`), not as they are made: every label made by `label()` and every
  kit text is still selectable, on every page, and one made outside a page's building is
  selectable at once.
- Labels of the pages built before the window is first shown (its first page) wait until
  it is shown (its showEvent: laid out, not painted yet) when their text measures alike
  either way; any other label, and every label of a page built later, turns selectable as
  before.
- The step indicator is styled in its first state with its first polish (no `style()` call
  before the first paint); a later change of step still restyles the labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.session import STEPS
from onetake_desktop.ui.candidate import safe_text, widgets
from onetake_desktop.ui.candidate.safe_text import SafeText
from onetake_desktop.ui.candidate.widgets import (
    ElidedLabel,
    StepIndicator,
    TextLabel,
    label,
    make_all_selectable,
    selectable_once_styled,
)
from onetake_desktop.ui.candidate.window import candidate_style
from tests.pipeline.test_candidate_headless import write_kit
from tests.ui.candidate_walk import make

pytestmark = pytest.mark.timeout(180, method="thread")

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse


def selectable(lab: QLabel) -> bool:
    return bool(lab.textInteractionFlags() & SELECTABLE)


def test_labels_made_while_a_page_is_built_are_selectable_once_it_is_styled(
    qtbot: QtBot,
) -> None:
    window = QWidget()
    window.setStyleSheet(candidate_style(1.5))
    qtbot.addWidget(window)
    outside = label("made outside any page")
    assert selectable(outside)
    with selectable_once_styled() as styled:
        page = QWidget()
        column = QVBoxLayout(page)
        inside = label("made while the page is built", "Title")
        text = SafeText("A kit's text.\n\n- with a bullet\n- and https://example.com/a link")
        column.addWidget(inside)
        column.addWidget(text)
        assert not selectable(inside)  # not yet: its font is not the page's yet
        QVBoxLayout(window).addWidget(page)
        styled.append(page)
    assert selectable(inside)
    assert all(selectable(lab) for lab in text.labels)
    assert [lab.textFormat() for lab in text.labels][-1] == Qt.TextFormat.RichText  # the link
    assert inside.font().weight() == QFont.Weight.DemiBold  # QLabel#Title, from the window
    assert inside.font().pointSizeF() == pytest.approx(27.0)  # 18 pt x 1.5
    assert widgets._unstyled is None  # the block is over: a new label is selectable at once
    assert selectable(label("after"))


def test_every_label_and_kit_text_is_selectable_on_every_page(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[QLabel] = []
    real = widgets.make_selectable

    def recording(lab: QLabel) -> None:
        made.append(lab)
        real(lab)

    # Every label that asks to be selectable (label(), each kit text's plain blocks).
    monkeypatch.setattr(widgets, "make_selectable", recording)
    monkeypatch.setattr(safe_text, "make_selectable", recording)
    w = make(write_kit(tmp_path), ManualClock(), tmp_path / "x.onetake")
    qtbot.addWidget(w)
    w.build_all_pages()
    w.show()
    qtbot.waitExposed(w)
    assert len(made) > 40
    texts = w.findChildren(SafeText)
    assert texts
    kit_labels = [lab for t in texts for lab in t.labels]
    assert len(kit_labels) >= 5
    unselectable = [lab.text()[:40] for lab in made + kit_labels if not selectable(lab)]
    assert unselectable == []
    assert w.pages["welcome"].title.text().startswith("Interview for")  # type: ignore[attr-defined]
    w.close()


def test_the_step_indicator_shows_each_step_in_its_state(qtbot: QtBot) -> None:
    window = QWidget()
    window.setStyleSheet(candidate_style())
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    first = StepIndicator("devices")  # as a resumed interview opens
    column.addWidget(first)
    window.show()
    qtbot.waitExposed(window)

    def states(steps: StepIndicator) -> list[str]:
        return [steps.labels[s].property("state") for s in STEPS]

    def bold(steps: StepIndicator) -> list[bool]:
        return [steps.labels[s].font().weight() >= QFont.Weight.DemiBold for s in STEPS]

    assert states(first) == ["done", "done", "current", "todo", "todo", "todo", "todo"]
    assert bold(first) == [False, False, True, False, False, False, False]
    assert first.accessibleName() == "Step 3 of 7: Devices"
    first.set_step("review")  # styled already: restyled for its new state
    assert states(first) == ["done"] * 5 + ["current", "todo"]
    assert bold(first) == [False] * 5 + [True, False]
    assert first.accessibleName() == "Step 6 of 7: Review"
    assert first.compact_label.text() == "Step 6 of 7: Review"


def test_a_kit_text_with_a_link_is_escaped_markup(qtbot: QtBot) -> None:
    text = SafeText("<b>Bold?</b> & see https://example.com/?a=1&b=<2> now")
    qtbot.addWidget(text)
    (link,) = text.labels
    assert link.textFormat() == Qt.TextFormat.RichText
    link_html = '<a href="https://example.com/?a=1&amp;b=">https://example.com/?a=1&amp;b=</a>'
    assert link.text() == f"&lt;b&gt;Bold?&lt;/b&gt; &amp; see {link_html}&lt;2&gt; now"


def test_the_window_opens_on_the_kit_the_command_checked(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`onetake candidate KIT` checks the kit before any window and the window opens on that
    checked kit: the file is read once, and a file changed in between changes nothing."""
    from onetake_desktop import cli
    from onetake_desktop.cli.request import GuiRequest
    from onetake_desktop.services.context import AppContext
    from onetake_desktop.ui.application import open_window

    monkeypatch.setenv("ONETAKE_HOME", str(tmp_path / "home"))
    kit = write_kit(tmp_path)
    context = AppContext.from_environment()
    request = cli.main(
        ["candidate", str(kit), "--camera", "synthetic", "--mic", "synthetic"], context
    )
    assert isinstance(request, GuiRequest)
    checked = request.options["checked_kit"]
    kit.write_bytes(b"PK\x03\x04 no longer a kit")
    w = open_window(request, context)
    qtbot.addWidget(w)
    assert w.service.kit == checked.kit  # type: ignore[attr-defined]
    assert w.windowTitle() == f"OneTake: {checked.kit.role_title}, {checked.kit.organisation}"
    w.close()


def test_a_link_the_candidate_agrees_to_opens_in_the_browser(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's own opener (QUrl and QDesktopServices load with the first link)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    w = make(write_kit(tmp_path), ManualClock(), tmp_path / "x.onetake")
    qtbot.addWidget(w)
    w.open_link("https://example.com/jobs?id=7")  # confirm says yes (make's default)
    w.open_link("file:///etc/passwd")  # never offered
    assert opened == ["https://example.com/jobs?id=7"]
    w.close()


def test_labels_of_a_page_built_before_the_window_is_shown_wait_for_its_show(
    qtbot: QtBot,
) -> None:
    window = QWidget()
    window.setStyleSheet(candidate_style())
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    waiting: list[QLabel] = []
    with selectable_once_styled(waiting) as styled:
        plain = label("Plain words that wrap.")
        tabbed = label("A\ttab measures another way.")  # selectable at once, as before
        unwrapped = label("One line", wrap=False)
        gone = label("Replaced before the window is shown.")
        for lab in (plain, tabbed, unwrapped, gone):
            column.addWidget(lab)
        styled.append(window)
    assert waiting == [plain, gone]
    assert not selectable(plain) and selectable(tabbed) and selectable(unwrapped)
    gone.deleteLater()
    qtbot.waitUntil(lambda: len(window.findChildren(QLabel)) == 3)
    make_all_selectable(waiting)  # what the candidate window's showEvent does
    assert selectable(plain) and waiting == []


def test_the_first_page_is_selectable_from_the_window_s_first_paint(
    qtbot: QtBot, tmp_path: Path
) -> None:
    w = make(write_kit(tmp_path), ManualClock(), tmp_path / "x.onetake")
    qtbot.addWidget(w)
    welcome = w.pages["welcome"]
    waiting = list(w.until_shown)
    # (Its heading is cut to two lines, not selectable: its whole words are, in the card.)
    assert welcome.whole_heading in waiting and welcome.facts in waiting  # type: ignore[attr-defined]
    assert all(not selectable(lab) for lab in waiting)
    painted: list[bool] = []

    class FirstPaint(QWidget):
        def paintEvent(self, event: object) -> None:
            painted.append(all(selectable(lab) for lab in waiting))

    probe = FirstPaint(welcome)  # painted with the page, after the window's showEvent
    probe.resize(4, 4)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: bool(painted))
    assert painted[0] and w.until_shown == []
    later = w.pages["privacy"]  # built on a shown window: selectable at once
    assert all(selectable(lab) for lab in later.findChildren(widgets.TextLabel))
    w.close()


def test_an_error_while_a_page_is_built_propagates_and_ends_the_block(qtbot: QtBot) -> None:
    """The block restores the outer one (nested pages) and lets the error through; later
    labels are selectable at once again."""
    with selectable_once_styled() as outer:
        assert widgets._unstyled is not None
        waiting_outside = widgets._unstyled
        with pytest.raises(RuntimeError, match="page failed"), selectable_once_styled():
            label("made in the failing page")
            raise RuntimeError("page failed")
        assert widgets._unstyled is waiting_outside  # the outer page's list again
        outer.append(QWidget())
    assert widgets._unstyled is None
    assert selectable(label("after"))


def test_text_labels_know_their_format_and_flags_as_qt_has_them(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """TextLabel keeps its text format and interaction flags as numbers (reading Qt's back
    builds the Qt namespace before the first paint); on every page they are Qt's own."""
    fresh = TextLabel()
    qtbot.addWidget(fresh)
    assert fresh.text_format == fresh.textFormat().value  # QLabel's defaults
    assert fresh.interaction_flags == fresh.textInteractionFlags().value
    from onetake_desktop.storage.kitfile import demo_kit_path, load_kit, save_kit

    kit = load_kit(demo_kit_path())
    linked = kit._replace(welcome=kit.welcome + "\n\nApply at https://jobs.example/apply.")
    save_kit(linked, tmp_path / "linked.onetakekit")
    w = make(tmp_path / "linked.onetakekit", ManualClock(), tmp_path / "x.onetake")
    qtbot.addWidget(w)
    w.build_all_pages()
    w.show()
    qtbot.waitExposed(w)
    labels = w.findChildren(TextLabel)
    assert len(labels) > 40
    assert any(lab.text_format == Qt.TextFormat.RichText.value for lab in labels)  # a link
    for lab in labels:
        assert lab.text_format == lab.textFormat().value, lab.text()[:40]
        assert lab.interaction_flags == lab.textInteractionFlags().value, lab.text()[:40]
    w.close()


@pytest.mark.parametrize(
    "text",
    [
        "Harbour Lane Home Supplies · Customer Support Specialist",
        "שלום עולם مرحبا بالعالم · 日本語のテキスト 😀 e\u0301",
        "Long\x9cShort",  # U+009C: Qt's separator of a text's length variants
    ],
)
def test_the_header_line_is_what_elided_text_gives_at_every_width(qtbot: QtBot, text: str) -> None:
    """The header's ElidedLabel finds a line that fits without Qt's elidedText (whose mode
    is an enum of the Qt namespace): the same text as elidedText at every width."""
    line = ElidedLabel(text, "Hint")
    qtbot.addWidget(line)
    line.show()
    metrics = line.fontMetrics()
    full = metrics.horizontalAdvance(text)
    for width in [*range(40, full + 40, 3), full - 1, full, full + 1]:
        line.resize(width, 30)
        expected = metrics.elidedText(text, Qt.TextElideMode.ElideRight, line.width())
        assert line.text() == expected, width


def test_a_bullet_s_dot_sits_on_its_first_line(qtbot: QtBot) -> None:
    text = SafeText("- " + "A bullet long enough to wrap onto several lines. " * 6)
    text.resize(300, 400)
    qtbot.addWidget(text)
    text.show()
    qtbot.waitExposed(text)
    (lab,) = text.labels
    dot = next(d for d in text.findChildren(QLabel) if d.accessibleName() == "Bullet")
    assert lab.height() > 3 * dot.fontMetrics().height()  # wrapped
    assert dot.alignment() & Qt.AlignmentFlag.AlignTop
    assert dot.contentsRect().top() + dot.y() == lab.y()  # drawn from the row's top
