"""Run BeeWare Briefcase on OneTake from a staging copy.

Briefcase reads its configuration only from ``[tool.briefcase]`` in ./pyproject.toml, while we
keep installer settings in briefcase.toml. This script copies the project into a staging folder,
writes a pyproject.toml that is ours plus briefcase.toml, copies the bundled resources into the
package (src/onetake_desktop/resources is a link in the checkout) and runs Briefcase there::

    python installers/briefcase.py create linux system
    python installers/briefcase.py package linux system   # .deb in installers/dist/

On Debian, Briefcase must run on the system Python (/usr/bin/python3) to build natively.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STAGING = REPO / "installers" / "build" / "staging"


def merged_pyproject_text(repo: Path = REPO) -> str:
    """pyproject.toml followed by briefcase.toml; both are valid TOML with disjoint tables."""
    project = (repo / "pyproject.toml").read_text(encoding="utf-8")
    installer = (repo / "briefcase.toml").read_text(encoding="utf-8")
    return f"{project.rstrip()}\n\n# --- merged from briefcase.toml ---\n{installer}"


def merged_config(repo: Path = REPO) -> dict[str, Any]:
    return tomllib.loads(merged_pyproject_text(repo))


def stage(repo: Path = REPO, staging: Path = STAGING) -> Path:
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in ("src", "tests", "LICENSE", "README.md", "resources", "installers"):
        source = repo / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "build", "dist", "*.pyc")
            shutil.copytree(source, staging / name, ignore=ignore)
        else:
            shutil.copy2(source, staging / name)
    (staging / "pyproject.toml").write_text(merged_pyproject_text(repo), encoding="utf-8")
    return staging


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    staging = stage()
    result = subprocess.run([sys.executable, "-m", "briefcase", *argv], cwd=staging)
    dist = staging / "dist"
    if dist.is_dir():
        out = REPO / "installers" / "dist"
        out.mkdir(exist_ok=True)
        for artefact in dist.iterdir():
            shutil.copy2(artefact, out / artefact.name)
            print(f"built {out / artefact.name}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
