"""installers/briefcase.py merges briefcase.toml into pyproject.toml for Briefcase."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_installer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "briefcase_stage", REPO / "installers/briefcase.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_merged_config_is_accepted_by_briefcase(tmp_path: Path) -> None:
    from briefcase.config import parse_config
    from briefcase.console import Console

    installer = load_installer()
    (tmp_path / "pyproject.toml").write_text(installer.merged_pyproject_text(REPO))
    shutil.copy(REPO / "LICENSE", tmp_path / "LICENSE")
    global_config, apps = parse_config(
        tmp_path / "pyproject.toml", platform="linux", output_format="system", console=Console()
    )
    app = apps["onetake_desktop"]
    assert global_config["project_name"] == "onetake-desktop"
    assert app["permission"]["camera"]
    assert app["permission"]["microphone"]
    assert any(req.startswith("PySide6-Addons") for req in app["requires"])
    assert not any(req.split(">")[0] == "PySide6" for req in app["requires"])
    assert any(req.startswith("opencv-python-headless") for req in app["requires"])
    # The packaged app needs what the project declares, no more, no less (and the same floors).
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert set(app["requires"]) == set(project["dependencies"])
    assert set(app["test_requires"]) <= set(project["optional-dependencies"]["test"])
    # Names in any script display: a font with CJK and wide coverage comes with the package.
    assert {"fonts-noto-core", "fonts-noto-cjk"} <= set(app["system_runtime_requires"])
    assert app["long_description"] and app["author_email"] and app["license"]
    # Briefcase's own AppConfig accepts it (it validates names, bundle ids and sources).
    from briefcase.config import AppConfig

    AppConfig(**{**app, "app_name": "onetake_desktop"})


def test_merge_keeps_the_project_table() -> None:
    config = load_installer().merged_config(REPO)
    assert config["project"]["name"] == "onetake-desktop"
    assert config["project"]["scripts"]["onetake"] == "onetake_desktop.app:main"


def test_staging_puts_resources_inside_the_package(tmp_path: Path) -> None:
    installer = load_installer()
    staged = installer.stage(REPO, tmp_path / "staging")
    assert (staged / "src/onetake_desktop/resources/icons/onetake-256.png").is_file()
    assert "[tool.briefcase.app.onetake_desktop]" in (staged / "pyproject.toml").read_text()
