"""Run BeeWare Briefcase on OneTake from a staging copy.

Briefcase reads its configuration only from ``[tool.briefcase]`` in ./pyproject.toml, while we
keep installer settings in briefcase.toml. This script copies the project into a staging folder,
writes a pyproject.toml that is ours plus briefcase.toml, copies the bundled resources into the
package (src/onetake_desktop/resources is a link in the checkout) and runs Briefcase there::

    python installers/briefcase.py create linux system
    python installers/briefcase.py package linux system   # .deb in dist/

On Debian, Briefcase must run on the system Python (/usr/bin/python3) to build natively;
installers/build-deb.sh does all of it. For ``linux system`` Briefcase uses our own template
(installers/briefcase-template); staging adds the files the template shares with the
source-checkout installer (installers/linux: desktop entry, MIME types) and the scalable icon.
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
TEMPLATE_ROOT = "installers/briefcase-template/{{ cookiecutter.format }}"
PACKAGE_ROOT = TEMPLATE_ROOT + "/{{ cookiecutter.app_name }}-{{ cookiecutter.version }}"
# Files that both installers/linux/install-desktop-entry.sh and the .deb install: one copy in
# the repository, put into the staged template (source, destination inside the package).
SHARED_FILES = (
    ("installers/linux/onetake-desktop.desktop", "usr/share/applications/onetake-desktop.desktop"),
    ("installers/linux/onetake-mime.xml", "usr/share/mime/packages/onetake-desktop.xml"),
    ("resources/icons/onetake.svg", "usr/share/icons/hicolor/scalable/apps/onetake-desktop.svg"),
)


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
    for name in ("src", "tests", "LICENSE", "README.md", "CHANGELOG.md", "resources", "installers"):
        source = repo / name
        if source.is_dir():
            ignore = shutil.ignore_patterns(
                "__pycache__", "build", "dist", "*.pyc", ".briefcase-venv", "node_modules"
            )
            shutil.copytree(source, staging / name, ignore=ignore)
        else:
            shutil.copy2(source, staging / name)
    (staging / "pyproject.toml").write_text(merged_pyproject_text(repo), encoding="utf-8")
    for source, destination in SHARED_FILES:
        target = staging / PACKAGE_ROOT / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / source, target)
    return staging


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv == ["debian-requires"]:  # what the .deb depends on (build-deb.sh installs it too)
        app = merged_config()["tool"]["briefcase"]["app"]["onetake_desktop"]
        print(" ".join(app["linux"]["system"]["debian"]["system_runtime_requires"]))
        return 0
    if argv == ["stage"]:  # build-deb.sh stages once, then runs several Briefcase commands
        print(stage())
        return 0
    staging = stage()
    result = subprocess.run([sys.executable, "-m", "briefcase", *argv], cwd=staging)
    dist = staging / "dist"
    if dist.is_dir():
        out = REPO / "dist"
        out.mkdir(exist_ok=True)
        for artefact in dist.iterdir():
            shutil.copy2(artefact, out / artefact.name)
            print(f"built {out / artefact.name}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
