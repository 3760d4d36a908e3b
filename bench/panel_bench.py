"""Panel and library scale benchmarks (issue 17); figures are printed, never asserted.

    .venv/bin/python bench/panel_bench.py [--candidates 10000] [--runs 5] [--only summary,...]
    .venv/bin/python bench/panel_bench.py --only export,visible --home /tmp/big --src /tmp/main/src

``--src`` times another tree's code (a copy of main, say) on the same library: run it and
this tree one after the other, a few times, to compare them under the same load.

A library of N candidates x 3 questions x 3 panelists is built once with direct SQL inserts
through the storage layer's connection (every score, recommendation, note and audit row
signed with the panelist's real key, the audit chain whole, so that a sign-in finds nothing
to report). What is measured is the real service calls and commands the windows use:

1. summary: ``PanelService.view`` (what the summary window shows), ``summary_rows`` (the
   one-row-per-candidate export's rows) and that export written as a CSV file (the rows,
   the writer, the file, the audit row), beside a one-pass SQL aggregate over the same
   scores (``GROUP BY answer_id``: count, sum, min, max). Goal <= 200 ms.
2. visible scores: ``ScoringService.visible_scores`` (the rule "hidden until you submit")
   and ``ShortlistService.rows`` (the shortlist window's ranking), beside one ``SELECT`` of
   the same score rows with no rule (all of them, ``sc.*``), and the anchor: one ``SELECT``
   of the same columns of the interview's scores by the same joins, no rule, no order.
2b. export: the per-answer export (``PanelService.export``: one row per score the panelist
   may see, about 85,000 rows) written as a CSV and as a JSON file, and its rows alone
   (``export_rows``), beside the anchor of 2.
3. sign-in check: ``finish_sign_in`` after the passphrase (every row of the panelist checked
   with HMAC-SHA256, the audit chain), beside hashing the same rows' bytes once with HMAC.
   Argon2id is reported on its own (it is the same whatever the library's size).
4. summary window: ``SummaryWindow`` built and painted (offscreen), beside a bare
   ``QTableView`` window painted. Goal <= 500 ms.
5. ``onetake library list`` (and ``--json``) as a command in a subprocess, beside
   ``python -c pass`` and the query alone (``SqliteSubmissions.entries``). Goals <= 150 ms
   and <= 250 ms.

Runs are interleaved (ours, anchor, ours, ...) and each figure is min / median / max of the
wall time and of the CPU time (this process and the commands it ran), with the 1-minute load
average beside it: on a shared machine, read ratios and CPU times rather than wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# The sources whose code is timed (and that build the library): this checkout's, or
# ONETAKE_BENCH_SRC's (startup_bench builds with an older side's), or --src's.
SRC = Path(os.environ.get("ONETAKE_BENCH_SRC") or REPO / "src").resolve()
if "--src" in sys.argv[:-1]:  # before the first import of the package
    SRC = Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
sys.path.insert(0, str(SRC))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QUESTIONS = ("q1", "q2", "q3")
PASSPHRASES = {"Ana Panel": "ana passphrase", "Ben Panel": "ben passphrase",
               "Cleo Panel": "cleo passphrase"}  # fmt: skip
CONTENT_HASH = "sha256:" + "5c" * 32
# The candidates' first names, in turn: half of them not plain ASCII, as in a real hiring
# round (before session 10 every name was "Candidate NNNNN", and the reviewer's list took a
# path for ASCII names that a library with one "Zoë" never took).
FIRST_NAMES = (
    "Ana", "Émile", "Zoë", "Łukasz", "Björn", "Chloé", "Dmitri", "Søren", "Inès", "José",
    "Åsa", "Noor", "Grace", "Ngozi", "Kenji", "Straße",
)  # fmt: skip


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def fmt(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"{ms[0]:7.1f} / {statistics.median(ms):7.1f} / {ms[-1]:7.1f} ms"


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the commands timed)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


Results = dict[str, tuple[list[float], list[float], list[float]]]


def interleave(runs: int, sides: dict[str, Callable[[], object]]) -> Results:
    """Time each side ``runs`` times, alternating sides; returns name -> (wall seconds, CPU
    seconds, load averages). On a shared machine the CPU time swings less than the wall."""
    out: Results = {k: ([], [], []) for k in sides}
    for _ in range(runs):
        for name, fn in sides.items():
            c0, t0 = cpu(), time.perf_counter()
            fn()
            out[name][0].append(time.perf_counter() - t0)
            out[name][1].append(cpu() - c0)
            out[name][2].append(os.getloadavg()[0])
    return out


def report(title: str, results: Results, goal: str) -> None:
    print(f"\n{title}   (min / median / max of {len(next(iter(results.values()))[0])} runs)")
    names = list(results)
    for name in names:
        times, cpus, loads = results[name]
        print(
            f"   {name:<34} {fmt(times)}   cpu {fmt(cpus)}   load {min(loads):.2f}-{max(loads):.2f}"
        )
    first, anchor = results[names[0]], results[names[-1]]
    ratio = statistics.median(first[0]) / statistics.median(anchor[0])
    cpu_ratio = statistics.median(first[1]) / max(statistics.median(anchor[1]), 1e-9)
    print(f"   ratio {names[0]} / {names[-1]}: {ratio:.2f} (cpu {cpu_ratio:.2f})   {goal}")


# -- the fixture --------------------------------------------------------------------------------


def _definition() -> Any:
    from onetake_desktop.domain.kit import InterviewDefinition, Kit, Question, Rubric, RubricLevel

    questions = tuple(
        Question(q, f"Tell us about {q}.", "why", 10, 5, 60, 1, "text") for q in QUESTIONS
    )
    kit = Kit("scale", "1", "Acme", "Support lead", "hi", "do", "privacy", 30, "text", questions)
    levels = tuple(RubricLevel(i, f"level {i}") for i in range(1, 6))
    return InterviewDefinition(kit, {q: Rubric("Ownership", levels) for q in QUESTIONS})


def build(home: Path, candidates: int, seed: int = 17) -> dict[str, Any]:
    """The library under ``home`` (ONETAKE_HOME layout); returns what the benches need."""
    from onetake_desktop.domain.clock import SystemClock
    from onetake_desktop.domain.panel import chain_entry
    from onetake_desktop.paths import app_paths
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.scoring import _parse_key_record, row_sig
    from onetake_desktop.storage.library import open_library
    from onetake_desktop.storage.panel import SIGNED_TABLES, SqlitePanel

    rng = random.Random(seed)
    t0 = time.perf_counter()
    paths = app_paths({"ONETAKE_HOME": str(home)}).ensure()
    library = open_library(paths.library)
    interview = library.interviews.add_definition(CONTENT_HASH, _definition())
    panel = PanelService(library, SystemClock())
    actors = [panel.create_panelist(name, pw) for name, pw in PASSPHRASES.items()]
    panel.lock()
    db = library.db
    # Dated from today (sealed four weeks ago, imported nine days ago), so that no reading
    # command ever finds them past their keeping date (services/retention.py) and erases the
    # bench's library under it, whenever the bench runs.
    now = datetime.now(UTC).replace(microsecond=0)
    at = (now - timedelta(days=9)).isoformat(timespec="milliseconds")
    sealed = (now - timedelta(days=28)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("BEGIN IMMEDIATE")
    first_sub = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0]) + 1
    db.conn.executemany(
        "INSERT INTO submissions (id, interview_pk, bundle_sha256, kit_content_hash,"
        " candidate_name, candidate_email, sealed_at, imported_at, folder) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                first_sub + n,
                interview.id,
                f"{n:064x}",
                CONTENT_HASH,
                f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {n:05d}",
                f"c{n}@example.org",
                sealed,
                at,
                f"submissions/s{n}",
            )
            for n in range(candidates)
        ),
    )
    first_answer = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM answers").fetchone()[0]) + 1
    answers: list[tuple[int, int, str]] = []  # answer id, submission id, question id
    for n in range(candidates):
        for q in QUESTIONS:
            answers.append((first_answer + len(answers), first_sub + n, q))
    db.conn.executemany(
        "INSERT INTO answers (id, submission_id, position, question_id, answer_type, text)"
        " VALUES (?, ?, ?, ?, 'text', 'x')",
        ((a, s, QUESTIONS.index(q) + 1, q) for a, s, q in answers),
    )

    scores: list[tuple[Any, ...]] = []
    recs: list[tuple[Any, ...]] = []
    notes: list[tuple[Any, ...]] = []
    score_id = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM scores").fetchone()[0])
    rec_id = note_id = 0
    for i, actor in enumerate(actors):
        # The viewer (Ana) submitted everything; Ben left 5 % as drafts; Cleo has not
        # started 10 % of the candidates. 2 % of submitted scores were corrected once.
        for a, s, _ in answers:
            n = s - first_sub
            if i == 2 and n % 10 == 9:
                continue
            status = "draft" if i == 1 and n % 20 == 7 else "submitted"
            value = rng.randint(1, 5)
            score_id += 1
            scores.append((score_id, a, actor.reviewer_id, value, "", status, at, None, None))
            if status == "submitted" and rng.random() < 0.02:
                score_id += 1
                scores.append(
                    (
                        score_id,
                        a,
                        actor.reviewer_id,
                        min(5, value + 1),
                        "",
                        "submitted",
                        at,
                        score_id - 1,
                        "second look",
                    )
                )
            if rng.random() < 0.1:
                note_id += 1
                notes.append((note_id, a, actor.reviewer_id, 1500, "a moment worth a look", at))
        for n in range(candidates):
            if i == 2 and n % 10 == 9:
                continue
            rec_id += 1
            status = "draft" if i == 1 and n % 20 == 7 else "submitted"
            recs.append((rec_id, first_sub + n, actor.reviewer_id, "yes", "", status, at))
    db.conn.executemany(
        "INSERT INTO scores (id, answer_id, reviewer_id, score, note, status, created_at,"
        " supersedes_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        scores,
    )
    db.conn.executemany(
        "INSERT INTO recommendations (id, submission_id, reviewer_id, value, note, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        recs,
    )
    db.conn.executemany(
        "INSERT INTO timestamped_notes (id, answer_id, reviewer_id, position_ms, text,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        notes,
    )
    # One "submit" audit row per panelist and submitted candidate, chained after the rows
    # that creating the panelists wrote.
    repo = SqlitePanel(db)
    entries = repo.audit_entries()
    prev = entries[-1] if entries else None
    audit: list[Any] = []
    for i, actor in enumerate(actors):
        for n in range(candidates):
            if (i == 2 and n % 10 == 9) or (i == 1 and n % 20 == 7):
                continue
            prev = chain_entry(
                prev, at, actor.reviewer_id, "submit", f"submission {first_sub + n}", {"n": n}
            )
            audit.append(prev)
    db.conn.executemany(
        "INSERT INTO audit_log (seq, at, actor_id, action, subject, details, prev_hash,"
        " row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (e.seq, e.at, e.actor_id, e.action, e.subject, e.details, e.prev_hash, e.row_hash)
            for e in audit
        ],
    )
    if prev is not None:
        repo._put("audit_head", f"{prev.seq}:{prev.row_hash}")
    # Sign every row the bulk insert wrote, as the app would have, and count them in each
    # panelist's key record.
    keys = {a.reviewer_id: a.key for a in actors}
    sigs: list[tuple[str, int, int, str]] = []
    signed = dict.fromkeys(keys, 0)
    for table, (columns, owner) in SIGNED_TABLES.items():
        key_col = "seq" if table == "audit_log" else "id"
        for row in db.execute(
            f"SELECT {', '.join(columns)}, {owner} FROM {table} WHERE {owner} IS NOT NULL"
            f" AND {key_col} NOT IN (SELECT row_id FROM row_sigs WHERE tbl = ?)",
            (table,),
        ).fetchall():
            values, who = tuple(row[:-1]), int(row[-1])
            if who in keys:
                sigs.append((table, int(values[0]), who, row_sig(keys[who], table, values)))
                signed[who] += 1
    db.conn.executemany(
        "INSERT INTO row_sigs (tbl, row_id, reviewer_id, sig) VALUES (?, ?, ?, ?)", sigs
    )
    service = panel.scoring
    for who, key in keys.items():
        record = repo.panelist(who)
        assert record is not None
        body = _parse_key_record(record.key_record)
        service._write_key_record(
            who, key, bytes.fromhex(body["salt"]), body["legacy"], body["n"] + signed[who]
        )
    db.execute("COMMIT")
    db.execute("ANALYZE") if os.environ.get("PANEL_BENCH_ANALYZE") else None
    library.close()
    return {
        "home": home,
        "interview_pk": interview.id,
        "panelists": {a.name: a.reviewer_id for a in actors},
        "rows": {"scores": len(scores), "row_sigs": len(sigs), "audit": len(audit)},
        "seconds": time.perf_counter() - t0,
    }


# -- the benches --------------------------------------------------------------------------------


def _open(home: Path) -> tuple[Any, Any]:
    from onetake_desktop.domain.clock import SystemClock
    from onetake_desktop.paths import app_paths
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.storage.library import open_library

    library = open_library(app_paths({"ONETAKE_HOME": str(home)}).library)
    return library, PanelService(library, SystemClock())


def bench_summary(info: dict[str, Any], runs: int) -> None:
    library, panel = _open(info["home"])
    ana = panel.sign_in(info["panelists"]["Ana Panel"], PASSPHRASES["Ana Panel"])
    assert not ana.warnings, ana.warnings
    pk = info["interview_pk"]
    db = library.db

    def anchor() -> object:
        return db.execute(
            "SELECT answer_id, COUNT(*), SUM(score), MIN(score), MAX(score) FROM scores"
            " WHERE status = 'submitted' GROUP BY answer_id"
        ).fetchall()

    view = panel.view(ana, interview_pk=pk)
    assert len(view.candidates) == info["candidates"]
    out = Path(info["home"]) / "summary-export.csv"
    results = interleave(
        runs,
        {
            "PanelService.view (window data)": lambda: panel.view(ana, interview_pk=pk),
            "summary_rows (summary export)": lambda: panel.scoring.summary_rows(
                ana, interview_pk=pk
            ),
            "summary export written (CSV file)": lambda: panel.export(
                ana, interview_pk=pk, fmt="csv", out=out, summary=True
            ),
            "one-pass SQL GROUP BY answer_id": anchor,
        },
    )
    report("1. panel summary", results, "(goal: view <= 200 ms)")
    library.close()


# The anchor of the score readers: the columns ``visible_scores`` returns, of the interview's
# scores, by the same joins (the interview's answers by index, then their scores), with no
# rule, no "current row" check and no order.
SAME_COLUMNS = (
    "SELECT sc.id, sc.answer_id, a.submission_id, a.question_id, sc.reviewer_id, r.name,"
    " sc.score, sc.note, sc.status, sc.created_at, sc.supersedes_id, sc.reason"
    " FROM submissions s JOIN answers a ON a.submission_id = s.id"
    " JOIN scores sc ON sc.answer_id = a.id JOIN reviewers r ON r.id = sc.reviewer_id"
    " WHERE s.interview_pk = ?"
)


def bench_visible(info: dict[str, Any], runs: int) -> None:
    from onetake_desktop.services.shortlist import ShortlistService

    library, panel = _open(info["home"])
    ana = panel.sign_in(info["panelists"]["Ana Panel"], PASSPHRASES["Ana Panel"])
    pk = info["interview_pk"]
    db = library.db
    shortlist = ShortlistService(panel.scoring)
    results = interleave(
        runs,
        {
            "ScoringService.visible_scores": lambda: panel.scoring.visible_scores(
                ana, interview_pk=pk
            ),
            "ShortlistService.rows (the shortlist)": lambda: shortlist.rows(ana, interview_pk=pk),
            "SELECT sc.* JOIN answers, no rule": lambda: db.execute(
                "SELECT sc.* FROM scores sc JOIN answers a ON a.id = sc.answer_id"
            ).fetchall(),
            "SELECT the same columns, no rule": lambda: db.execute(SAME_COLUMNS, (pk,)).fetchall(),
        },
    )
    report("2. visible scores", results, "")
    library.close()


def bench_export(info: dict[str, Any], runs: int) -> None:
    library, panel = _open(info["home"])
    ana = panel.sign_in(info["panelists"]["Ana Panel"], PASSPHRASES["Ana Panel"])
    pk = info["interview_pk"]
    db = library.db
    home = Path(info["home"])
    count = panel.export(ana, interview_pk=pk, fmt="csv", out=home / "answers.csv")
    results = interleave(
        runs,
        {
            "answers export written (CSV file)": lambda: panel.export(
                ana, interview_pk=pk, fmt="csv", out=home / "answers.csv"
            ),
            "answers export written (JSON file)": lambda: panel.export(
                ana, interview_pk=pk, fmt="json", out=home / "answers.json"
            ),
            "export_rows (the rows alone)": lambda: panel.scoring.export_rows(
                ana, interview_pk=pk, every_candidate=True
            ),
            "SELECT the same columns, no rule": lambda: db.execute(SAME_COLUMNS, (pk,)).fetchall(),
        },
    )
    report(f"2b. per-answer export ({count} rows)", results, "")
    library.close()


def bench_sign_in(info: dict[str, Any], runs: int) -> None:
    import hashlib
    import hmac

    library, panel = _open(info["home"])
    who = info["panelists"]["Ana Panel"]
    record = panel.begin_sign_in(who)
    t0 = time.perf_counter()
    verified = panel.verify_passphrase(record, PASSPHRASES["Ana Panel"])
    argon = time.perf_counter() - t0
    rows = panel.scoring.repo.owned_rows(who)
    blobs = [json.dumps([t, *v]).encode() for t, v in rows]

    def ours() -> object:
        actor = panel.finish_sign_in(panel.begin_sign_in(who), verified)
        assert not actor.warnings, actor.warnings
        panel.lock()
        return actor

    def anchor() -> object:
        return [hmac.new(verified.key, b, hashlib.sha256).digest() for b in blobs]

    results = interleave(
        runs,
        {
            "sign-in check (finish_sign_in)": ours,
            "audit chain check (start-up)": panel.audit_problem,
            f"bare HMAC of {len(rows)} rows": anchor,
        },
    )
    print(f"\n   Argon2id (passphrase + key, same at any size): {argon * 1000:.0f} ms")
    report(f"3. sign-in check over {len(rows)} signed rows", results, "")
    library.close()


def bench_window(info: dict[str, Any], runs: int) -> None:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView, QWidget

    from onetake_desktop.ui.panel.summary import SummaryWindow

    app = QApplication.instance() or QApplication([])
    library, panel = _open(info["home"])
    ana = panel.sign_in(info["panelists"]["Ana Panel"], PASSPHRASES["Ana Panel"])
    parent = QWidget()

    def painted(widget: QWidget) -> None:
        widget.show()
        widget.repaint()  # a synchronous paint of the whole window
        app.processEvents()

    def ours() -> object:
        window = SummaryWindow(parent, panel, ana)
        painted(window)
        window.close()
        window.deleteLater()
        return window

    def anchor() -> object:
        window = QWidget()
        window.resize(1180, 780)
        table = QTableView(window)
        table.setModel(QStandardItemModel(40, 6, table))
        table.resize(1180, 500)
        painted(window)
        window.close()
        window.deleteLater()
        return window

    ours()
    results = interleave(
        runs, {"SummaryWindow built + painted": ours, "bare QTableView window painted": anchor}
    )
    report("4. summary window", results, "(goal: <= 500 ms)")
    app.processEvents()
    library.close()


def bench_list(info: dict[str, Any], runs: int) -> None:
    from onetake_desktop.paths import app_paths
    from onetake_desktop.storage.library import open_library

    env = {**os.environ, "ONETAKE_HOME": str(info["home"]), "PYTHONPATH": str(SRC)}

    def command(*args: str) -> Callable[[], object]:
        def run() -> object:
            done = subprocess.run(
                [sys.executable, "-m", "onetake_desktop", *args],
                env=env,
                capture_output=True,
                check=True,
            )
            return done

        return run

    out = command("library", "list", "--json")()
    listed = json.loads(out.stdout)  # type: ignore[attr-defined]
    assert len(listed["candidates"]) == info["candidates"]
    library = open_library(app_paths({"ONETAKE_HOME": str(info["home"])}).library)
    me = library.reviewers.ensure("Me")

    results = interleave(
        runs,
        {
            "onetake library list": command("library", "list"),
            "onetake library list --json": command("library", "list", "--json"),
            "query alone (entries, in process)": lambda: library.submissions.entries(me.id),
            "python -c pass": lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
        },
    )
    report("5. library list", results, "(goals: list <= 150 ms, --json <= 250 ms)")
    library.close()


BENCHES = {
    "summary": bench_summary,
    "visible": bench_visible,
    "export": bench_export,
    "signin": bench_sign_in,
    "window": bench_window,
    "list": bench_list,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated benches")
    parser.add_argument("--home", type=Path, help="reuse (or build once in) this folder")
    parser.add_argument("--src", type=Path, help="time this source tree instead (read above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="panel-bench-") as tmp:
        home = args.home or Path(tmp) / "home"
        marker = home / "panel-bench.json"
        if marker.exists():
            info = json.loads(marker.read_text())
            info["home"] = home
        else:
            info = build(home, args.candidates)
            info["candidates"] = args.candidates
            marker.write_text(json.dumps({**info, "home": str(home)}))
        print(
            f"library: {info['candidates']} candidates x {len(QUESTIONS)} questions x"
            f" {len(PASSPHRASES)} panelists, {info['rows']}"
            f" (built in {info['seconds']:.1f} s); {load()}; Python {sys.version.split()[0]};"
            f" code {SRC}"
        )
        for name in args.only.split(","):
            BENCHES[name.strip()](info, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
