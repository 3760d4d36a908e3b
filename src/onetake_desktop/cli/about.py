"""``onetake --version``: the version, the licences of what the package bundles and where data
and logs live (the same text as Help > About, from services/about.py)."""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False  # not typing's: this module loads with --help (see cli/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


class VersionAction(argparse.Action):
    """Like argparse's "version" action, but the text names this installation's folders,
    which are only known once the environment is read (``ONETAKE_HOME`` moves them)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        # Imported here: every command's parser holds this action, few runs ask for it.
        from onetake_desktop.services.about import about_text
        from onetake_desktop.services.context import AppContext

        sys.stdout.write(about_text(AppContext.from_environment().paths) + "\n")
        parser.exit(0)
