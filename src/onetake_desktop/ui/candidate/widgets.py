"""Small widgets of candidate mode: step indicator, the two clocks, level meter, take player."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.session import STEP_LABELS, STEPS, Step
from onetake_desktop.ui.widgets.measured_label import MeasuredLabel
from onetake_desktop.ui.widgets.plain import plain_tooltip
from onetake_desktop.ui.widgets.qt_numbers import (
    AlignmentFlag,
    FocusPolicy,
    ScrollBarPolicy,
    TextFlag,
    TextFormat,
    TextInteractionFlag,
    set_properties,
)

# Nothing here names PySide6's Qt namespace on a window's way to its first paint: the first
# use builds all its enums (~120 M instructions, issue 17; see ui/widgets/qt_numbers.py). Its
# enum-typed properties are set by number; code that runs later imports Qt where it runs.

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:  # Qt Multimedia loads with the first take played, not with the window
    from pathlib import Path
    from typing import Any

    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QFocusEvent, QKeyEvent, QPixmap, QResizeEvent
    from PySide6.QtMultimedia import QMediaPlayer

# Colours chosen for contrast on white (WCAG AA for text); the two clocks never share one.
THINK_COLOUR = QColor("#8a5a00")  # amber-brown: calm, not alarming
THINK_TRACK = QColor("#f3e3c0")
ANSWER_COLOUR = QColor("#b42318")  # recording red
ANSWER_TRACK = QColor("#f6d4d0")
IDLE_COLOUR = QColor("#4a5568")  # not running: neutral grey
IDLE_TRACK = QColor("#dde3ea")
WRITE_COLOUR = QColor("#1f5fa8")  # writing time: the app's blue
WRITE_TRACK = QColor("#d6e3f3")
# The last 10 seconds of any clock: a deep magenta ring and time, unlike both clocks' colours
# (and the ring thickens, so the change does not rely on colour alone).
WARN_COLOUR = QColor("#8f1d6b")
WARN_TRACK = QColor("#f1d3e7")


def button(
    text: str, shortcut: str | None = None, name: str | None = None, tip: str = ""
) -> QPushButton:
    """A button whose shortcut is set, shown in its tooltip and read by screen readers."""
    b = QPushButton(text)
    plain = text.replace("&", "")
    if name:
        b.setObjectName(name)
    if shortcut:
        # As a property: setShortcut's overloads take the Qt namespace's Key (qt_numbers.py).
        set_properties(b, shortcut=QKeySequence(shortcut))
        native = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        b.setToolTip(f"{tip or plain} ({native})")
        b.setAccessibleDescription(f"Shortcut {native}")
    elif tip:
        b.setToolTip(tip)
    b.setAccessibleName(plain)
    set_properties(b, focusPolicy=FocusPolicy.StrongFocus)
    b.setAutoDefault(False)
    return b


def also_on(b: QPushButton, keys: str) -> None:
    """A second shortcut for ``b`` (said in its tooltip), active while ``b`` is shown and
    enabled: a button's own shortcut is one key sequence."""
    from PySide6.QtGui import QShortcut

    QShortcut(QKeySequence(keys), b, b.animateClick)
    native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
    tip = b.toolTip()
    if tip.endswith(")"):
        b.setToolTip(f"{tip[:-1]} or {native})")
    b.setAccessibleDescription(f"{b.accessibleDescription()} or {native}".strip())


def set_primary(b: QPushButton, primary: bool) -> None:
    """Filled (the page's next step) or plain: one filled button in a row (review s11 #28)."""
    name = "PrimaryButton" if primary else ""
    if b.objectName() != name:
        b.setObjectName(name)
        b.style().unpolish(b)
        b.style().polish(b)


def set_button_text(b: QPushButton, text: str) -> None:
    """Change a button's words but keep its shortcut (setText would replace it by a mnemonic)."""
    shortcut = b.shortcut()
    b.setText(text)
    set_properties(b, shortcut=shortcut)
    b.setAccessibleName(text.replace("&", ""))


# Labels made inside `selectable_once_styled`, waiting for their style (None: outside it).
_unstyled: list[QLabel] | None = None


def make_selectable(w: QLabel) -> None:
    """Let the reader select the label's text with the mouse: now, or once the page being
    built has its style (see `selectable_once_styled`)."""
    if _unstyled is not None:
        _unstyled.append(w)
    else:
        # By number (qt_numbers); a measured label's setProperty keeps its bookkeeping.
        set_properties(w, textInteractionFlags=TextInteractionFlag.TextSelectableByMouse)


def selectable_once_styled(until_shown: list[QLabel] | None = None) -> _StyledBlock:
    """Labels made in this block become selectable once the widgets the block appends to the
    list it gives (each placed in its window by then) have been polished, not as they are
    made (issue 17).

    A selectable label keeps its text in a QTextDocument, and each change of its font lays
    the document out again. Polishing gives every label its font from the style sheets (the
    app's and the window's), so a label selectable from its start was laid out once with the
    default font, for nothing, then again with its own. The labels are the same, with the same
    flags, before anything is painted.

    ``until_shown`` (for a window not shown yet): the labels whose text measures alike either
    way (`TextLabel.measures_alike_when_selectable`) wait in this list instead, and the window
    makes them selectable when it is first shown (`make_all_selectable` in its showEvent, after
    Qt has laid it out at its size and before anything is painted). Selectable before that,
    each label's document was laid out again for every width the layouts tried (issue 17)."""
    return _StyledBlock(until_shown)


class _StyledBlock:
    """The with-block of `selectable_once_styled`: its ``as`` target is the list of roots.
    A class rather than a @contextmanager generator: this module loads after PySide6, whose
    import hook reads the source of each module an import statement names (contextlib.py,
    ~0.9 M instructions before the candidate window's first paint; issue 17)."""

    def __init__(self, until_shown: list[QLabel] | None) -> None:
        self.until_shown = until_shown
        self.roots: list[QWidget] = []
        self.pending: list[QLabel] = []
        self.outer: list[QLabel] | None = None

    def __enter__(self) -> list[QWidget]:
        global _unstyled
        self.outer = _unstyled
        _unstyled = self.pending
        return self.roots

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        global _unstyled
        _unstyled = self.outer
        if kind is not None:  # an error in the block propagates; its labels stay as made
            return
        for root in self.roots:
            root.ensurePolished()
        for w in self.pending:
            if (
                self.until_shown is not None
                and isinstance(w, TextLabel)
                and w.measures_alike_when_selectable()
            ):
                self.until_shown.append(w)
            else:
                make_selectable(w)


def make_all_selectable(labels: list[QLabel]) -> None:
    """Make the labels `selectable_once_styled` left waiting selectable (those not deleted
    since: a kit text replaced before the window was shown drops its labels)."""
    from shiboken6 import isValid

    for w in labels:
        if isValid(w):
            make_selectable(w)
    labels.clear()


_MEASURED_ALIKE = frozenset(
    {
        TextInteractionFlag.NoTextInteraction,
        TextInteractionFlag.LinksAccessibleByMouse,
        TextInteractionFlag.TextSelectableByMouse,
    }
)


class TextLabel(MeasuredLabel):
    """A measured label (heights kept per width, issue 17) that also keeps them when it turns
    selectable, where its text measures alike either way (see ``keeps_heights_with``). The
    candidate's pages turn their labels selectable after they are laid out.

    It knows its text format and interaction flags as set through its setters (Qt's own, or
    by number): reading them back from Qt makes Python enums, before the first paint all of
    the Qt namespace's (ui/widgets/qt_numbers.py)."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.text_format = TextFormat.AutoText  # QLabel's defaults until set
        self.interaction_flags = TextInteractionFlag.LinksAccessibleByMouse

    def set_text_format(self, text_format: int) -> None:
        super().set_text_format(text_format)
        self.text_format = text_format

    def set_interaction_flags(self, flags: int) -> None:
        super().set_interaction_flags(flags)  # asks keeps_heights_with with the old flags
        self.interaction_flags = flags

    def measures_alike_when_selectable(self) -> bool:
        """Whether making this label selectable keeps the heights it measured."""
        return self.keeps_heights_with(TextInteractionFlag.TextSelectableByMouse)

    def keeps_heights_with(self, flags: int) -> bool:
        # A selectable label measures its text another way (a QTextDocument, not
        # QFontMetrics). For plain, word-wrapped text of printable characters and line
        # breaks both ways give the same heights (measured on every candidate page and a
        # hostile set, widths 100-1000, scale 1 and 1.5; test_candidate_text_label.py), so
        # the heights found before a page turns its labels selectable stay (issue 17).
        # Tabs and zero-width spaces measure differently: any such text is measured again.
        # (A QLabel starts with LinksAccessibleByMouse, which plain text has no use for.)
        return (
            flags in _MEASURED_ALIKE
            and self.interaction_flags in _MEASURED_ALIKE
            and self.wordWrap()
            and self.text_format == TextFormat.PlainText
            and self.text().replace("\n", "").isprintable()
        )


def label(text: str = "", name: str | None = None, wrap: bool = True) -> QLabel:
    """A plain-text label: whatever it is given (kit text, names, file names) shows as is."""
    w = TextLabel()
    w.set_text_format(TextFormat.PlainText)
    w.setText(text)
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    make_selectable(w)
    return w


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    return frame, layout


def mmss(seconds: float) -> str:
    s = max(0, int(seconds + 0.999))  # count down to 0:00 only when time is really up
    return f"{s // 60}:{s % 60:02d}"


def duration_text(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when the window is too narrow for it."""

    def __init__(self, text: str = "", name: str | None = None) -> None:
        super().__init__()
        set_properties(self, textFormat=TextFormat.PlainText)
        if name:
            self.setObjectName(name)
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_text = text
        self.setAccessibleName(text)
        self.setToolTip(plain_tooltip(text))  # kit text: literal, never rich text
        self.setText(text)

    def resizeEvent(self, event: Any) -> None:
        width = max(0, self.width())
        text = self.full_text
        # A line that fits is what elidedText would give back (it measures the same way),
        # found without naming its mode, an enum of the Qt namespace (qt_numbers.py); the
        # header's line fits on the first frame. (U+009C separates length variants there.)
        if "\x9c" in text or QFontMetricsF(self.fontMetrics()).horizontalAdvance(text) > width:
            from PySide6.QtCore import Qt

            elided = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
        else:
            elided = text
        if elided != self.text():
            self.setText(elided)
        super().resizeEvent(event)


class CappedLabel(QLabel):
    """Plain text wrapped to at most ``lines`` lines at the label's width, the last ending in
    "…" where the text needs more; the whole text is its tooltip and accessible name. For a
    heading from outside (a role title may run to 200 characters: four lines of a page's
    title took half of a 1366x768 screen at 150 %, walk s13 LOW-6). ``cut`` says whether it
    is cut at its width now; ``cut_changed`` tells when that changes."""

    cut_changed = Signal(bool)

    def __init__(self, text: str, name: str, lines: int = 2) -> None:
        super().__init__()
        set_properties(self, textFormat=TextFormat.PlainText)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.lines = lines
        self.full_text = text
        self.cut = False
        self.setAccessibleName(text)
        self.setToolTip(plain_tooltip(text))  # outside text: literal, never rich text
        self.setText(text)

    def capped(self, width: int) -> str:
        """The text as it shows at ``width`` (its contents' width): whole if it wraps to at
        most ``lines`` lines, else those lines, the last cut short with "…"."""
        from PySide6.QtGui import QTextLayout  # (a class: no enums of the Qt namespace)

        text = self.full_text
        layout = QTextLayout(text, self.font())
        starts: list[int] = []
        layout.beginLayout()
        while len(starts) <= self.lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(1, width))
            starts.append(line.textStart())
        layout.endLayout()
        if len(starts) <= self.lines:
            return text
        from PySide6.QtCore import Qt  # only for a text that is cut (see the top)

        last = starts[self.lines - 1]
        rest = text[last:].replace("\n", " ")
        return text[:last] + self.fontMetrics().elidedText(
            rest, Qt.TextElideMode.ElideRight, max(1, width)
        )

    def _inner_width(self, width: int) -> int:
        margins = self.contentsMargins()
        return width - margins.left() - margins.right() - 2 * self.margin()

    def heightForWidth(self, width: int) -> int:
        inner = self._inner_width(width)
        text = self.capped(inner)
        area = QRect(0, 0, max(1, inner), 1 << 24)
        rect = self.fontMetrics().boundingRect(area, TextFlag.TextWordWrap, text)
        margins = self.contentsMargins()
        return rect.height() + margins.top() + margins.bottom() + 2 * self.margin()

    def _fit(self) -> None:
        shown = self.capped(self._inner_width(self.width()))
        if shown != self.text():
            self.setText(shown)
        cut = shown != self.full_text
        if cut != self.cut:
            self.cut = cut
            self.cut_changed.emit(cut)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        self._fit()  # a new text size (Ctrl+plus) cuts it elsewhere, at the same width


class WrapCheck(QWidget):
    """A check box whose (outside, maybe long) label wraps instead of widening the window.
    The box is the control (focus, keyboard, screen reader); clicking the words toggles it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.box = QCheckBox()
        self.box.setAccessibleName(text)
        from PySide6.QtCore import Qt  # the privacy page's: built after the first paint

        self.words = QLabel()
        set_properties(self.words, textFormat=TextFormat.PlainText)
        self.words.setText(text)
        self.words.setWordWrap(True)
        self.words.mouseReleaseEvent = lambda _e: self.box.toggle()  # type: ignore[method-assign]
        layout.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.words, 1)

    def isChecked(self) -> bool:
        return self.box.isChecked()

    def setChecked(self, on: bool) -> None:
        self.box.setChecked(on)


class StepIndicator(QWidget):
    """Welcome > Privacy > Devices > Practice > Questions > Review > Send."""

    def __init__(self, current: Step = "welcome") -> None:
        super().__init__()
        self.setObjectName("StepIndicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.labels: dict[Step, QLabel] = {}
        self.arrows: list[QLabel] = []
        for i, step in enumerate(STEPS):
            if i:
                arrow = QLabel("›")
                set_properties(arrow, textFormat=TextFormat.PlainText)
                arrow.setObjectName("StepArrow")
                self.arrows.append(arrow)
                layout.addWidget(arrow)
            lab = QLabel(f"{i + 1}. {STEP_LABELS[step]}")
            set_properties(lab, textFormat=TextFormat.PlainText)
            lab.setObjectName("StepLabel")
            self.labels[step] = lab
            layout.addWidget(lab)
        # On a narrow window only the current step shows, as "Step 3 of 7: Devices".
        self.compact_label = QLabel()
        set_properties(self.compact_label, textFormat=TextFormat.PlainText)
        self.compact_label.setObjectName("StepLabel")
        self.compact_label.setProperty("state", "current")
        self.compact_label.hide()
        layout.addWidget(self.compact_label)
        layout.addStretch(1)
        self.current: Step = current
        self._full_width = 0
        self.compact = False
        self.one_line = False  # always compact (a short screen: it shares the header's row)
        # Before the first polish (the labels are new): styled once, in their state.
        self._set_states(current)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, super().minimumSizeHint().height())

    def _full(self) -> int:
        if not self._full_width:
            self._full_width = sum(
                w.sizeHint().width() + 6 for w in [*self.labels.values(), *self.arrows]
            )
        return self._full_width

    def resizeEvent(self, event: Any) -> None:
        self._set_compact(self.one_line or self.width() < self._full())
        super().resizeEvent(event)

    def set_one_line(self, on: bool) -> None:
        """Only the current step, whatever the width (the window's header row on a short
        screen); its minimum is then the one label's."""
        self.one_line = on
        self._full_width = 0  # (measured again: the text size may have changed meanwhile)
        self._set_compact(on or self.width() < self._full())
        self.updateGeometry()

    def _set_compact(self, compact: bool) -> None:
        if compact == self.compact:
            return
        self.compact = compact
        for w in [*self.labels.values(), *self.arrows]:
            w.setVisible(not compact)
        self.compact_label.setVisible(compact)

    def set_step(self, step: Step) -> None:
        changed = self._set_states(step)
        if not changed:
            return
        # A label already styled is styled again for its new state; one not polished yet
        # takes it with its first polish. Only here, not for the new labels of __init__
        # (issue 17): `style()` makes PySide6 build QStyle's Python enums (~6 ms), and the
        # attribute is an enum of the Qt namespace (ui/widgets/qt_numbers.py).
        from PySide6.QtCore import Qt

        for lab in changed:
            if lab.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                lab.style().unpolish(lab)
                lab.style().polish(lab)

    def _set_states(self, step: Step) -> list[QLabel]:
        """Each step label's state for ``step``; the labels whose state changed."""
        self.current = step
        reached = STEPS.index(step)
        changed = []
        for i, (s, lab) in enumerate(self.labels.items()):
            state = "current" if s == step else ("done" if i < reached else "todo")
            if lab.property("state") != state:
                lab.setProperty("state", state)
                changed.append(lab)
        self.setAccessibleName(f"Step {reached + 1} of {len(STEPS)}: {STEP_LABELS[step]}")
        self.compact_label.setText(self.accessibleName())
        return changed


class ClockRing(QWidget):
    """A large countdown ring: amber "Thinking time" or red-dot "Recording" with time left."""

    def __init__(self) -> None:
        super().__init__()
        # Shrinks down to 150 px on short screens rather than pushing buttons off them (to
        # 130 px where the screen is short for the text size: set_short).
        self.setMinimumSize(150, 150)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.mode = "think"
        self.remaining = 0.0
        self.total = 1.0
        self.warning = False
        self._announced = -1

    def set_warning(self, on: bool) -> None:
        if on != self.warning:
            self.warning = on
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(190, 190)

    def set_short(self, short: bool) -> None:
        side = 130 if short else 150
        self.setMinimumSize(side, side)

    def set_time(self, mode: str, remaining: float, total: float) -> None:
        self.mode, self.remaining, self.total = mode, remaining, max(total, 0.001)
        whole = int(remaining + 0.999)
        if whole != self._announced:  # a screen reader hears whole seconds, not frames
            self._announced = whole
            what = {
                "think": "Thinking time",
                "idle": "Answer time (not recording)",
                "write": "Writing time",
                "stopped": "Recording stopped, answer time",
            }.get(mode, "Recording, answer time")
            self.setAccessibleName(f"{what}: {mmss(remaining)} left")
        self.update()

    def paintEvent(self, event: Any) -> None:
        # Painting's Qt classes load with the first clock or meter shown (issue 17: the
        # welcome page has none; PySide6 sets up each class and its enums on first use).
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QFont, QPainter, QPen

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 16
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        think = self.mode in ("think", "write")
        idle = self.mode in ("idle", "stopped")  # "stopped": the take is being saved
        if idle:
            colour, track = IDLE_COLOUR, IDLE_TRACK
        elif self.mode == "write":
            colour, track = WRITE_COLOUR, WRITE_TRACK
        elif think:
            colour, track = THINK_COLOUR, THINK_TRACK
        else:
            colour, track = ANSWER_COLOUR, ANSWER_TRACK
        if self.warning and not idle:
            colour, track = WARN_COLOUR, WARN_TRACK
        pen = QPen(track, 16 if self.warning else 12)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawEllipse(rect)
        pen.setColor(colour)
        p.setPen(pen)
        fraction = max(0.0, min(1.0, self.remaining / self.total))
        p.drawArc(rect, 90 * 16, int(fraction * 360 * 16))
        # Three lines, centred: what this clock is, the time left (large), "left".
        centre = rect.center()
        big = QFont(self.font())
        big.setPointSizeF(28 if side > 150 else 22 if side > 125 else 19)
        big.setWeight(QFont.Weight.DemiBold)
        small = QFont(self.font())
        # (At 130 px, on a screen short for the text size, "Thinking time" fits in the ring.)
        small.setPointSizeF(10.5 if side > 125 else 9.5)
        small.setWeight(QFont.Weight.DemiBold)
        p.setFont(big)
        big_h = p.fontMetrics().height()
        p.setFont(small)
        small_m = p.fontMetrics()
        small_h = small_m.height()
        time_rect = QRectF(rect.left(), centre.y() - big_h / 2, rect.width(), big_h)
        caption_rect = QRectF(rect.left(), time_rect.top() - small_h - 2, rect.width(), small_h)
        left_rect = QRectF(rect.left(), time_rect.bottom() + 2, rect.width(), small_h)
        p.setPen(colour)
        if think or idle:
            caption = {
                "think": "Thinking time",
                "write": "Writing time",
                "stopped": "Stopped",
            }.get(self.mode, "Answer time")
            p.drawText(caption_rect, Qt.AlignmentFlag.AlignCenter, caption)
        else:
            text = "Recording"
            w = small_m.horizontalAdvance(text)
            dot = 10.0
            x = centre.x() - (w + dot + 6) / 2
            p.setBrush(ANSWER_COLOUR)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QRectF(x, caption_rect.center().y() - dot / 2, dot, dot))
            p.setPen(colour)
            p.drawText(
                QRectF(x + dot + 6, caption_rect.top(), w + 4, small_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )
        p.setPen(WARN_COLOUR if self.warning and not idle else QColor("#1d2430"))
        p.setFont(big)
        p.drawText(time_rect, Qt.AlignmentFlag.AlignCenter, mmss(self.remaining))
        p.setFont(small)
        p.setPen(QColor("#4a5568"))
        maximum = self.mode == "idle"
        p.drawText(left_rect, Qt.AlignmentFlag.AlignCenter, "maximum" if maximum else "left")
        p.end()


class LevelMeter(QWidget):
    """Microphone level: a green bar with the recent peak; moves when the candidate speaks."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(18)
        self.setAccessibleName("Microphone level")
        self.rms = 0.0
        self.peak = 0.0

    def set_level(self, rms: float, peak: float) -> None:
        import math

        # dBFS mapped to 0..1 over -60..0 dB: speech sits in the middle, not at the far left.
        def scale(x: float) -> float:
            return 0.0 if x <= 1e-6 else max(0.0, min(1.0, (20 * math.log10(x) + 60) / 60))

        self.rms, self.peak = scale(rms), scale(peak)
        self.update()

    def paintEvent(self, event: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPainter, QPen

        p = QPainter(self)
        r = self.rect().adjusted(0, 0, -1, -1)
        p.setPen(QColor("#b8c2d0"))
        p.setBrush(QColor("#ffffff"))
        p.drawRoundedRect(r, 4, 4)
        fill = r.adjusted(2, 2, -2, -2)
        fill.setWidth(int(fill.width() * self.rms))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#2f855a"))
        p.drawRoundedRect(fill, 3, 3)
        x = r.left() + 2 + int((r.width() - 4) * self.peak)
        p.setPen(QPen(QColor("#1d2430"), 2))
        p.drawLine(x, r.top() + 3, x, r.bottom() - 3)
        p.end()


def frame_to_pixmap(frame: Any, width: int, height: int) -> QPixmap | None:
    """A BGR numpy picture as a pixmap scaled to fit (None if there is no picture yet)."""
    if frame is None:
        return None
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPixmap

    h, w = frame.shape[:2]
    image = QImage(frame.data, w, h, int(frame.strides[0]), QImage.Format.Format_BGR888)
    return QPixmap.fromImage(image.copy()).scaled(
        width,
        height,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


class FittedScroll(QScrollArea):
    """A frameless box that scrolls ``content`` (a question's card) up and down and asks
    for the content's whole height at its width, up to ``tallest``; it can shrink to
    ``least`` when the page has less room, and then scrolls. (A plain QScrollArea asks for a
    guess, so a three-line question got one and a half lines: review s11 #5.)"""

    def __init__(self, content: QWidget, least: int = 60, tallest: int = 16_777_215) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # By number: pages are built before their first paint (ui/widgets/qt_numbers.py).
        set_properties(
            self,
            horizontalScrollBarPolicy=ScrollBarPolicy.ScrollBarAlwaysOff,
            focusPolicy=FocusPolicy.NoFocus,
        )
        # In a holder: the window's style makes a scroll area's own content transparent and
        # borderless, which would take a card's look away.
        holder = QWidget()
        holder_l = QVBoxLayout(holder)
        holder_l.setContentsMargins(0, 0, 0, 0)
        holder_l.addWidget(content)
        self.setWidget(holder)
        self._holder = holder
        self._least = least
        self._tallest = tallest
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def content_height(self) -> int:
        content = self._holder
        width = self.width()
        if content.hasHeightForWidth():
            return content.heightForWidth(width)
        return content.sizeHint().height()

    def sizeHint(self) -> QSize:
        height = max(self._least, min(self._tallest, self.content_height()))
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._least)

    def take_content(self) -> QWidget:
        """The content, out of this box (to be laid out elsewhere; the box is left empty)."""
        layout = self._holder.layout()
        assert layout is not None
        item = layout.itemAt(0)
        content = item.widget() if item is not None else None
        assert content is not None
        layout.removeWidget(content)
        return content

    def put_content(self, content: QWidget) -> None:
        """The content back in this box (after take_content)."""
        layout = self._holder.layout()
        assert layout is not None and layout.count() == 0
        layout.addWidget(content)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the content's height at the new width


class Picture16x9(QWidget):
    """Holds a picture (the self-view, a take's player) at the largest 16:9 size its place
    allows, from ``smallest`` up to ``largest`` wide, at its top left. It asks for its
    smallest size and takes the height its column's stretch gives it, never more than 16:9
    of its width: on a short screen (1366x768 at 150 %) the picture shrinks to the free
    height instead of running past the page, and what sits under it (a player's Play row)
    stays on screen (review s11 #6). Give it the stretch of its column and put a stretch
    below it (the height it does not take)."""

    def __init__(
        self,
        child: QWidget,
        smallest: tuple[int, int] = (192, 108),
        largest: tuple[int, int] = (640, 360),
        preferred: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.child = child
        self._smallest = QSize(*smallest)
        self._preferred = QSize(*preferred) if preferred else self._smallest
        self._largest = QSize(*largest)
        child.setParent(self)
        child.setMinimumSize(0, 0)  # the box decides the child's size (a Preview is fixed)
        child.setMaximumSize(16_777_215, 16_777_215)  # QWIDGETSIZE_MAX
        self.setMinimumSize(self._smallest)
        self.setMaximumHeight(self._largest.height())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_preferred(self, preferred: tuple[int, int] | None) -> None:
        self._preferred = QSize(*preferred) if preferred else self._smallest
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        # The smallest unless told: a scroll area sizes its page by its parts' size hints,
        # and the height above the smallest is the stretch's to give, never a reason to scroll.
        return self._preferred

    def picture_rect(self) -> QRect:
        """Where the picture goes in this box: 16:9, as large as fits, top left."""
        width = min(self.width(), self._largest.width(), self.height() * 16 // 9)
        return QRect(0, 0, width, width * 9 // 16)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # No taller than 16:9 of this width: the layout gives the rest to the stretch below.
        tallest = max(self._smallest.height(), min(self.width(), self._largest.width()) * 9 // 16)
        if self.maximumHeight() != tallest:
            self.setMaximumHeight(tallest)
        self.child.setGeometry(self.picture_rect())


class Preview(QLabel):
    """The camera's self-view, filled by a ~30 Hz timer (never a signal per frame)."""

    def __init__(self, width: int = 400, height: int = 225) -> None:
        super().__init__()
        self.setObjectName("Preview")
        self.setFixedSize(width, height)
        set_properties(self, alignment=AlignmentFlag.AlignCenter)
        self.setAccessibleName("Camera self-view")
        self.setWordWrap(True)  # "Starting the camera…" in a self-view made small
        self.set_recording(False)
        self.setText("Camera off")

    def set_recording(self, on: bool) -> None:
        """A red frame round the self-view while an answer is being recorded."""
        border = "border: 4px solid #b42318;" if on else "border: 4px solid transparent;"
        self.setStyleSheet(f"background: #1d2430; color: #f6f7f9; border-radius: 8px; {border}")

    def show_frame(self, frame: Any) -> None:
        pixmap = frame_to_pixmap(frame, self.width(), self.height())
        if pixmap is not None:
            self.setPixmap(pixmap)


class TakePlayer(QWidget):
    """Plays one take (QMediaPlayer + QVideoWidget + QAudioOutput) with a play/pause button.

    The media player, its video widget and audio output are made when the first take is
    loaded: three of these sit on pages the candidate reaches later, and Qt Multimedia (its
    FFmpeg backend, the sound server) costs the window's start-up otherwise.
    """

    def __init__(self, shortcut: str = "Ctrl+P", preferred: tuple[int, int] | None = None) -> None:
        """``preferred``: the picture's size where no stretch gives it height (the review
        page); without it the picture takes the height its column's stretch gives."""
        super().__init__()
        self.player: QMediaPlayer | None = None  # made by load() with a take
        self.audio: Any = None
        # Where the picture goes: a dark panel of the video's size until a take is loaded.
        self.video: QWidget = QWidget()
        self.video.setAccessibleName("Playback of your answer")
        self.video.setStyleSheet("background: #1d2430;")
        self.video.setAutoFillBackground(True)
        self.audio_note = QLabel("Audio answer (no picture)")
        set_properties(self.audio_note, alignment=AlignmentFlag.AlignCenter)
        self.audio_note.setStyleSheet("background: #eef3f9; border-radius: 8px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.video)
        self.stack.addWidget(self.audio_note)
        self.play_button = button("Play", shortcut, tip="Play or pause this take")
        self.play_button.setMinimumWidth(110)
        self.play_button.setEnabled(False)  # nothing to play before a take is loaded
        self.position = QLabel("0:00 / 0:00")
        self.position.setObjectName("Hint")
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.position)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The picture shrinks to the free height; the Play row under it stays on screen.
        self.picture = Picture16x9(self.stack, preferred=preferred)
        layout.addWidget(self.picture, 1)
        layout.addLayout(row)
        layout.addStretch(0)  # the height the picture does not take: below its Play row
        self.play_button.clicked.connect(self.toggle)
        self.path: Path | None = None

    def _media(self) -> QMediaPlayer:
        """The media player, made on first use (with its video widget and audio output)."""
        if self.player is not None:
            return self.player
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget

        player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        player.setAudioOutput(self.audio)
        video = QVideoWidget()
        set_properties(video, focusPolicy=FocusPolicy.NoFocus)
        # The picture's native window takes the keyboard focus when it appears on some
        # platforms (offscreen does): the page's button that had it gets it back.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_focus_off_picture)
        video.setAccessibleName("Playback of your answer")
        video.setStyleSheet("background: #1d2430;")
        video.setAutoFillBackground(True)
        showing_video = self.stack.currentWidget() is self.video
        self.stack.insertWidget(0, video)
        self.stack.removeWidget(self.video)
        self.video.deleteLater()
        self.video = video
        if showing_video:
            self.stack.setCurrentWidget(video)
        player.setVideoOutput(video)
        player.positionChanged.connect(self._position)
        player.playbackStateChanged.connect(self._state)
        self.player = player
        return player

    def _keep_focus_off_picture(self, old: QWidget | None, new: QWidget | None) -> None:
        to_picture = new is not None and self.video.isAncestorOf(new)
        if to_picture and old is not None and old.isVisible() and old.isEnabled():
            old.setFocus()

    def load(self, path: Path | None, audio_only: bool = False, autoplay: bool = False) -> None:
        self.stop()
        self.path = path
        if path is not None or self.player is not None:
            from PySide6.QtCore import QUrl  # with the first take played (its enums: issue 17)

            from onetake_desktop.ui.widgets.player import set_source_without_gil

            player = self._media()
            # Without the GIL, like the reviewer's player (ui/widgets/player.py: a hang seen
            # in gdb).
            set_source_without_gil(player, QUrl.fromLocalFile(str(path)) if path else QUrl())
        self.stack.setCurrentWidget(self.audio_note if audio_only else self.video)
        self.play_button.setEnabled(path is not None)
        if autoplay and path is not None and self.player is not None:
            self.player.play()

    def toggle(self) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player is None:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        # Only a playing or paused player is stopped: stop() on one that has just reached the
        # end once hung Qt 6.12's FFmpeg backend in a test run (not reproduced since).
        if self.player is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        from onetake_desktop.ui.widgets.player import stop_without_gil

        if self.player.playbackState() != QMediaPlayer.PlaybackState.StoppedState:
            stop_without_gil(self.player)

    def _position(self, ms: int) -> None:
        total = self.player.duration() if self.player is not None else 0
        self.position.setText(f"{duration_text(ms / 1000)} / {duration_text(total / 1000)}")

    def _state(self, state: QMediaPlayer.PlaybackState) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        set_button_text(self.play_button, "Pause" if playing else "Play")


class NoticeBox(QScrollArea):
    """The window's notices above the page (an error or notice banner, the passed deadline),
    shown while one of them is, the newest on top. They used to ask for their whole height:
    at 200 % text on 1366x768 at 150 % the two took 120 px and the window grew past the
    screen's bottom with the page's buttons (s14). Now they ask for it but may shrink to two
    lines of the top one, and scroll; on a screen short for the text size (set_short) they
    take that first line only. (The window's minimum is no measure of what a page needs:
    given all the height it leaves, a page's self-view went out of view.)

    Cut, the box is a Tab stop with a focus frame, and the arrow, Page, Home and End keys
    scroll it: a keyboard-only candidate could read one line of an error and not its way
    forward (review s14 R4). Shown whole it stays out of the Tab chain."""

    def __init__(self, *notices: QLabel) -> None:
        super().__init__()
        self.setObjectName("Notices")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        set_properties(  # by number: built before the first paint (qt_numbers.py)
            self,
            horizontalScrollBarPolicy=ScrollBarPolicy.ScrollBarAlwaysOff,
            focusPolicy=FocusPolicy.NoFocus,
        )
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.notices = notices
        for notice in notices:
            layout.addWidget(notice)
            notice.installEventFilter(self)
        self.setWidget(holder)
        self._holder = holder
        self.short = False
        self.setAccessibleName("Notices")
        self._ring: QFrame | None = None  # the focus frame, made with the first focus
        self._kept = False  # had the focus when the window lost it
        self.verticalScrollBar().rangeChanged.connect(self._focus_if_cut)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setVisible(any(not n.isHidden() for n in notices))

    def set_short(self, short: bool) -> None:
        """Short: tighter padding (the window's style) and room for a line at least."""
        self.short = short
        self.setProperty("short", "yes" if short else "no")
        for notice in self.notices:
            notice.style().unpolish(notice)
            notice.style().polish(notice)
        self.updateGeometry()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        from PySide6.QtCore import QEvent

        kind = event.type()
        if kind in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            # Shown or hidden (even while the window is not): the box follows its notices.
            self.setVisible(any(not n.isHidden() for n in self.notices))
            self.updateGeometry()
        elif kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()
        return False

    def content_height(self) -> int:
        width = self.viewport().width() if self.isVisible() else self.width()
        return (
            self._holder.heightForWidth(width)
            if self._holder.hasHeightForWidth()
            else (self._holder.sizeHint().height())
        )

    def lines(self, count: int) -> int:
        """The height of ``count`` lines of the top notice, with its padding and border."""
        top = next((n for n in self.notices if not n.isHidden()), None)
        if top is None:
            return 0
        margins = top.contentsMargins()  # (its style's padding and border)
        return margins.top() + margins.bottom() + count * top.fontMetrics().lineSpacing()

    def sizeHint(self) -> QSize:
        height = self.content_height()
        if self.short:  # a line, and the rest scrolls: the page keeps the height it needs
            height = min(height, self.lines(1))
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        # Two lines of the top notice (its first on a short screen): the page keeps what it
        # needs, but a notice is never squeezed out of sight.
        least = self.lines(1 if self.short else 2)
        top = next((n for n in self.notices if not n.isHidden()), None)
        if top is not None and not self.short:
            # A top notice of two lines whole, its border too (its own measure is a few px
            # more than two lines': cut there, its bottom looked torn off).
            whole = top.heightForWidth(self.viewport().width())
            if whole <= least + top.fontMetrics().lineSpacing() // 2:
                least = max(least, whole)
        return QSize(super().minimumSizeHint().width(), min(self.content_height(), least))

    def show_top(self) -> None:
        """Back to the top notice (a new one was just put there)."""
        self.verticalScrollBar().setValue(0)

    def _focus_if_cut(self, _least: int, most: int) -> None:
        # By number: the range is first set before the window's first paint (qt_numbers.py).
        cut = most > 0
        set_properties(self, focusPolicy=FocusPolicy.StrongFocus if cut else FocusPolicy.NoFocus)
        top = next((n for n in self.notices if not n.isHidden()), None)
        if cut and top is not None:  # a key press moves a line, not a part of one
            self.verticalScrollBar().setSingleStep(top.fontMetrics().lineSpacing())

    def _frame(self, focused: bool) -> None:
        # Drawn over the box's edge, not around it: a frame of its own would take the height
        # of the one line a short screen gives the box.
        if self._ring is None:
            if not focused:
                return
            from PySide6.QtCore import Qt

            self._ring = QFrame(self)
            self._ring.setObjectName("NoticesFocus")
            self._ring.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._ring.setGeometry(self.rect())
        self._ring.raise_()
        self._ring.setVisible(focused)

    def focusInEvent(self, event: QFocusEvent) -> None:
        from PySide6.QtCore import Qt

        reason = Qt.FocusReason
        super().focusInEvent(event)
        asked = (reason.TabFocusReason, reason.BacktabFocusReason, reason.MouseFocusReason)
        if event.reason() not in asked and not self._kept:
            # The window's first focus goes to its first Tab stop: the page's, as before (its
            # Space, and a page's first field after Start, see QStackedLayout), not this box.
            self.focusNextChild()
            return
        self._kept = False
        self._frame(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        from PySide6.QtCore import Qt

        reason = Qt.FocusReason
        super().focusOutEvent(event)
        # Back to the window (from another, or a dialog), the focus comes back here.
        self._kept = event.reason() in (reason.ActiveWindowFocusReason, reason.PopupFocusReason)
        self._frame(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt

        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            bar.setValue(bar.minimum())
        elif event.key() == Qt.Key.Key_End:
            bar.setValue(bar.maximum())
        else:  # arrows and Page Up/Down: QAbstractScrollArea's
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the notices' height at the new width
        if self._ring is not None:
            self._ring.setGeometry(self.rect())
