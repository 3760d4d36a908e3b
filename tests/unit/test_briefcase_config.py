"""installers/briefcase.py merges briefcase.toml into pyproject.toml for Briefcase."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
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


TEMPLATE = REPO / "installers" / "briefcase-template"


def test_staged_template_carries_the_shared_desktop_files(tmp_path: Path) -> None:
    installer = load_installer()
    staged = installer.stage(REPO, tmp_path / "staging")
    tree = staged / installer.PACKAGE_ROOT
    for source, destination in installer.SHARED_FILES:
        assert (tree / destination).read_bytes() == (REPO / source).read_bytes()
    assert (staged / "CHANGELOG.md").is_file()  # `briefcase build` fails without it


def test_template_icon_sizes_exist_and_desktop_entry_names_them() -> None:
    index = (TEMPLATE / "{{ cookiecutter.format }}" / "briefcase.toml").read_text()
    sizes = re.search(r"for size in \[(.*?)\]", index)
    assert sizes
    for size in re.findall(r'"(\d+)"', sizes.group(1)):
        assert (REPO / f"resources/icons/onetake-{size}.png").is_file()
    assert "apps/{{ cookiecutter.bundle_name }}.png" in index  # Icon=onetake-desktop


def test_package_depends_on_what_qt_wayland_and_sound_load() -> None:
    app = load_installer().merged_config(REPO)["tool"]["briefcase"]["app"]["onetake_desktop"]
    system = app["linux"]["system"]
    assert system["template"] == "installers/briefcase-template"
    depends = set(system["debian"]["system_runtime_requires"])
    assert {"python3.11", "libwayland-cursor0", "libxcb-cursor0", "libportaudio2"} <= depends
    assert {"fonts-noto-cjk", "shared-mime-info", "xdg-utils"} <= depends


def test_cleanup_keeps_every_qt_module_the_app_imports() -> None:
    app = load_installer().merged_config(REPO)["tool"]["briefcase"]["app"]["onetake_desktop"]
    globs = app["linux"]["system"]["cleanup_paths"]
    used = {
        m
        for f in (REPO / "src").rglob("*.py")
        for m in re.findall(r"PySide6\.(Qt\w+)", f.read_text(encoding="utf-8"))
    }
    assert {"QtCore", "QtWidgets", "QtMultimedia"} <= used
    for module in used:
        for name in (f"{module}.abi3.so", f"Qt/lib/libQt6{module[2:]}.so.6"):
            path = f"onetake_desktop-1/usr/lib/onetake_desktop/app_packages/PySide6/{name}"
            assert not any(fnmatch.fnmatch(path, g) for g in globs), (module, name)
