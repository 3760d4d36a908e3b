"""Records written out by hand instead of as dataclasses (issue 17: a dataclass compiles its
methods at every load, before the reviewer's first paint) keep the dataclasses' promises:
``Actor`` (the panel policy's identity) equal only to itself, immutable, its signing key out of
its repr; ``AnswerView`` equal by its fields, immutable, unhashable (it holds a list)."""

from __future__ import annotations

import copy
import pickle

import pytest

from onetake_desktop.services.reviewer import _ANSWER_VIEW_FIELDS, AnswerView
from onetake_desktop.services.scoring import Actor


def _actor() -> Actor:
    return Actor(7, "Ana", True, key=b"secret-key-bytes", warnings=("changed",))


def test_an_actor_is_equal_only_to_itself() -> None:
    ana, again = _actor(), _actor()
    assert ana == ana and ana != again  # two sign-ins are two actors
    assert len({ana, again}) == 2
    assert hash(ana) != hash(again) or ana is again


def test_an_actor_cannot_be_changed() -> None:
    ana = _actor()
    with pytest.raises(AttributeError):
        ana.panelist = False
    with pytest.raises(AttributeError):
        del ana.key
    with pytest.raises(AttributeError):
        ana.extra = 1
    assert (ana.reviewer_id, ana.name, ana.panelist, ana.warnings) == (7, "Ana", True, ("changed",))


def test_an_actors_repr_leaves_its_key_out() -> None:
    shown = repr(_actor())
    assert "secret-key-bytes" not in shown and "key" not in shown
    assert shown == "Actor(reviewer_id=7, name='Ana', panelist=True, warnings=('changed',))"


def test_a_copied_actor_is_another_actor_with_the_same_fields() -> None:
    ana = _actor()
    for other in (copy.copy(ana), pickle.loads(pickle.dumps(ana))):
        assert other is not ana and other != ana
        assert (other.reviewer_id, other.name, other.key) == (7, "Ana", b"secret-key-bytes")


def test_a_lone_reviewer_actor_has_no_key_by_default() -> None:
    lone = Actor(1, "Reviewer", False)
    assert lone.key == b"" and lone.warnings == ()


def _view(notes: list[object]) -> AnswerView:
    # Plain stand-ins for the records: AnswerView only holds them.
    return AnswerView("answer", "submission", 0, 3, None, None, None, notes, None)  # type: ignore[arg-type]


def test_answer_views_are_equal_by_their_fields() -> None:
    assert _view([]) == _view([])
    assert _view([]) != _view(["a note"])
    assert _view([]) != AnswerView("other", "submission", 0, 3, None, None, None, [], None)  # type: ignore[arg-type]
    assert "count=3" in repr(_view([]))


def test_an_answer_view_cannot_be_changed_or_hashed() -> None:
    view = _view([])
    with pytest.raises(AttributeError):
        view.index = 2
    with pytest.raises(TypeError):
        hash(view)


def test_an_answer_views_fields_are_listed_alike() -> None:
    assert tuple(AnswerView.__annotations__) == _ANSWER_VIEW_FIELDS
    assert AnswerView.__slots__ == _ANSWER_VIEW_FIELDS
