"""Blind mode in every export: nothing in the file joins a candidate's code to their bundle.

The candidate app names a bundle after the candidate (``<interview>-<Name>.onetake``), and
anyone with the file can compute its SHA-256; the library names each candidate's media folder
after that hash's first 16 hex digits. So while blind mode hides a candidate, no export may
hold the hash, nor any piece of it, in any cell. Once the panel shows the name, the hash is
back in its column.

Real bundles imported into a real library, exported by the real command line (per answer and
summary, CSV and JSON) and by the services behind the windows (the decisions and shortlist
exports).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from onetake_desktop.cli import main
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import open_reviewer_service
from onetake_desktop.services.shortlist import ShortlistService
from tests.pipeline.library_bundles import make_bundle
from tests.pipeline.test_privacy import import_one

PEOPLE = {"Zelda Quokka": "zelda.q@example.org", "Yannick Wombat": "yannick.w@example.org"}
PASS = {"Ana": "ana passphrase", "Ben": "ben passphrase"}


def cells(path: Path) -> list[str]:
    """Every value in an export file, as text: CSV cells (JSON cells parsed again) or JSON
    scalars at any depth."""

    def walk(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in walk(v)]
        if isinstance(value, list):
            return [s for v in value for s in walk(v)]
        return [str(value)]

    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        return walk(json.loads(text))
    out: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            out.append(cell)
            if cell.startswith(("[", "{")):  # a list or mapping, as JSON text
                out += walk(json.loads(cell))
    return out


def links(path: Path, sha: str) -> list[str]:
    """The cells of an export that give away a bundle with this SHA-256: the hash, a piece
    of it at its start (the media folder's name is its first 16 digits), or either inside."""
    return [
        c
        for c in cells(path)
        if sha[:16] in c.lower() or (len(c) >= 8 and sha.startswith(c.lower()))
    ]


def export_everything(
    tmp_path: Path, tag: str, context: Any, capsys: pytest.CaptureFixture[str]
) -> list[Path]:
    """Ana's exports: the command line's four (per answer and summary, CSV and JSON), then
    the decisions window's and the shortlist's, each in both formats."""
    files: list[Path] = []
    for summary in (False, True):
        for fmt in ("csv", "json"):
            out = tmp_path / f"{tag}-cli-{'summary' if summary else 'answers'}.{fmt}"
            argv = ["panel", "export", "--as", "Ana", "--format", fmt, "-o", str(out)]
            sys.stdin = io.StringIO(PASS["Ana"] + "\n")
            assert main([*argv, *(["--summary"] if summary else [])], context) == 0
            files.append(out)
    capsys.readouterr()
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel = PanelService(service.library)
        ana = panel.sign_in(panel.panelist_named("Ana").reviewer_id, PASS["Ana"])
        (interview,) = [i.id for i in panel.interviews()]
        for fmt in ("csv", "json"):
            out = tmp_path / f"{tag}-decisions.{fmt}"
            panel.export(ana, interview_pk=interview, fmt=fmt, out=out)
            files.append(out)
            out = tmp_path / f"{tag}-shortlist.{fmt}"
            ShortlistService(panel.scoring).export(ana, interview_pk=interview, fmt=fmt, out=out)
            files.append(out)
        panel.lock()
    finally:
        service.close()
    return files


def test_blind_exports_hold_no_bundle_hash_until_the_name_is_shown(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_context: Any,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # export_everything sets each line
    service = open_reviewer_service(app_paths().ensure().library)
    sha: dict[str, str] = {}
    sid: dict[str, int] = {}
    try:
        for name, email in PEOPLE.items():
            # Named as the candidate app names it: the file name is the candidate's.
            bundle = make_bundle(
                tmp_path / f"demo-{name.replace(' ', '-')}.onetake", name, email, seconds=1.0
            )
            sha[name] = hashlib.sha256(bundle.read_bytes()).hexdigest()
            sid[name] = import_one(service, bundle)
        hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
        panel = PanelService(service.library, hasher=hasher)
        ana = panel.create_panelist("Ana", PASS["Ana"], chair=True)
        ben = panel.create_panelist("Ben", PASS["Ben"])
        panel.set_blind_mode(ana, True)
        for who, names in ((ana, list(PEOPLE)), (ben, ["Zelda Quokka"])):
            for name in names:
                for a in service.library.submissions.answers(sid[name]):
                    panel.save_score(who, answer_id=a.id, score=4, note="clear")
                panel.submit_candidate(who, submission_id=sid[name])
        panel.lock()
        # The link the exports must not give: the media folders are named by the hash.
        folders = {s.folder.name for s in service.library.submissions.all()}
        assert folders == {h[:16] for h in sha.values()}
    finally:
        service.close()

    blind = export_everything(tmp_path, "blind", app_context, capsys)
    for path in blind:
        text = path.read_text(encoding="utf-8-sig")
        assert "C-" in text, path.name  # the candidates are in it, by code
        for name, h in sha.items():
            assert links(path, h) == [], (path.name, name)
            assert name not in text and name.split()[0] not in text
    # The column stays, empty, so that scripts reading it keep working.
    header = next(csv.reader(io.StringIO(blind[0].read_text(encoding="utf-8-sig"))))
    assert "bundle_sha256" in header

    # Zelda's name shown to the panel (everyone submitted her): her hash comes back, in the
    # per-answer exports; Yannick's stays out of every file.
    service = open_reviewer_service(app_paths().ensure().library)
    try:
        panel = PanelService(service.library)
        ben = panel.sign_in(panel.panelist_named("Ben").reviewer_id, PASS["Ben"])
        panel.lift_blind(ben, submission_id=sid["Zelda Quokka"])
        panel.lock()
    finally:
        service.close()
    shown = export_everything(tmp_path, "shown", app_context, capsys)
    for path in shown:
        assert links(path, sha["Yannick Wombat"]) == [], path.name
    for path in (shown[0], shown[1]):  # the command line's per-answer CSV and JSON
        assert sha["Zelda Quokka"] in cells(path), path.name
        rows = path.read_text(encoding="utf-8-sig")
        assert "Zelda Quokka" in rows
