"""Names a module gives lazily (a module ``__getattr__``, issue 17) stay typed: mypy reads
them from the module's ``if TYPE_CHECKING:`` imports, and must not see the ``__getattr__``,
whose ``Any`` would make it accept any misspelt name imported from that module."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import onetake_desktop

SRC = Path(onetake_desktop.__file__).parent
# The modules that import their lazy names under TYPE_CHECKING and load them in __getattr__.
MODULES = ("storage/library.py", "services/reviewer.py", "domain/kit.py")


def _hidden_from_mypy(node: ast.stmt) -> bool:
    """``if not TYPE_CHECKING:`` (mypy skips that branch)."""
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.UnaryOp)
        and isinstance(node.test.op, ast.Not)
        and isinstance(node.test.operand, ast.Name)
        and node.test.operand.id == "TYPE_CHECKING"
    )


@pytest.mark.parametrize("path", MODULES)
def test_module_getattr_is_hidden_from_mypy(path: str) -> None:
    tree = ast.parse((SRC / path).read_text(encoding="utf-8"))
    top = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert "__getattr__" not in top, f"{path}: a bare module __getattr__ types every name Any"
    hidden = [
        n.name
        for block in tree.body
        if _hidden_from_mypy(block)
        for n in block.body  # type: ignore[attr-defined]
        if isinstance(n, ast.FunctionDef)
    ]
    assert "__getattr__" in hidden, path


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("onetake_desktop.storage.library", "SubmissionRecord"),
        ("onetake_desktop.storage.library", "NewAnswer"),
        ("onetake_desktop.services.reviewer", "CandidateEntry"),
        ("onetake_desktop.domain.kit", "Rubric"),
    ],
)
def test_lazy_names_still_load_and_misspelt_ones_do_not(module: str, name: str) -> None:
    loaded = importlib.import_module(module)
    assert getattr(loaded, name).__name__ == name
    with pytest.raises(AttributeError):
        getattr(loaded, name[:-1] + "x")


def test_storage_library_offers_every_record_of_storage_records() -> None:
    """storage.library names the records it offers lazily without importing them (that is the
    point); the list must stay the records module's own, or a new record is missing there."""
    from onetake_desktop.storage import library, records

    assert set(library._RECORDS) == set(records.__all__)
    for name in records.__all__:
        assert getattr(library, name) is getattr(records, name)
