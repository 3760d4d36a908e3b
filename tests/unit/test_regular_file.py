"""Files from outside are opened by storage.regular_file: a folder is refused in one sentence
that names what was expected, with its article."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.storage.regular_file import open_regular_file


@pytest.mark.parametrize(
    ("what", "sentence"),
    [
        ("interview kit", "is a folder, not an interview kit."),
        ("bundle", "is a folder, not a bundle."),
    ],
)
def test_a_folder_is_refused_naming_what_was_expected(
    tmp_path: Path, what: str, sentence: str
) -> None:
    with pytest.raises(InvalidInputError) as refused, open_regular_file(tmp_path, what):
        pass
    assert str(refused.value) == f"{tmp_path} {sentence}"
