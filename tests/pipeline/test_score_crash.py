"""kill -9 while a reviewer submits 1,000 scores: no acknowledged score is lost, and the
database passes ``PRAGMA integrity_check`` after every kill.

The child process saves a draft and submits it through the scoring use case (each write and its
audit row in one transaction; the submission durable, synchronous=FULL) per answer, printing
``ACK`` only after ``submit`` returned. The parent kills it at random moments, checks the
database (every score change has its audit row and no audit row lacks its score), and starts a
new child where the last one stopped.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from onetake_desktop.domain.manifest import AnswerRecord, Consent, KitRef, SubmissionManifest
from onetake_desktop.storage.library import NewAnswer, open_library

SUBMISSIONS, ANSWERS_EACH = 250, 4  # 1,000 answers to score
HASH = "sha256:" + "ef" * 32

CHILD = r"""
import sys
from pathlib import Path
from onetake_desktop.services.scoring import ScoringService
from onetake_desktop.storage.library import open_library

root, start = Path(sys.argv[1]), int(sys.argv[2])
lib = open_library(root)
scoring = ScoringService(lib)
me = scoring.actor_for(lib.reviewers.ensure("Me").id)
rows = lib.db.execute(
    "SELECT id, submission_id FROM answers ORDER BY id LIMIT -1 OFFSET ?", (start,)
).fetchall()
for answer_id, submission_id in rows:
    score = answer_id % 5 + 1
    scoring.save_score(me, answer_id=answer_id, score=score, note=f"answer {answer_id}")
    done = scoring.submit_answers(me, answer_ids=[answer_id], subject=f"answer {answer_id}")
    if done != 1:
        raise SystemExit(f"expected one submitted score for answer {answer_id}")
    sys.stdout.write(f"ACK {answer_id} {score}\n")
    sys.stdout.flush()
print("DONE", flush=True)
"""


def _prepare(root: Path) -> None:
    lib = open_library(root)
    lib.reviewers.ensure("Me")
    qids = [f"q{i + 1}" for i in range(ANSWERS_EACH)]
    for n in range(SUBMISSIONS):
        records = tuple(
            AnswerRecord(
                q,
                "text",
                1,
                1,
                1.0,
                2.0,
                "2026-11-01T10:00:00Z",
                "2026-11-01T10:00:02Z",
                text="answer",
            )
            for q in qids
        )
        manifest = SubmissionManifest(
            KitRef("crash", "1", HASH),
            f"Candidate {n}",
            f"c{n}@example.org",
            Consent(HASH, "2026-11-01T09:00:00Z"),
            records,
            "2026-11-01T10:01:00Z",
            "0.1.0",
        )
        answers = [NewAnswer(q, "text", None, "answer", 1.0, 2.0, None, 1, 1) for q in qids]
        lib.submissions.add(manifest, f"{n:064x}", root / f"s{n}", answers)
    lib.close()


def _check(db_path: Path, acked: dict[int, int]) -> int:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        submitted = dict(
            conn.execute("SELECT answer_id, score FROM scores WHERE status = 'submitted'")
        )
        lost = {a: s for a, s in acked.items() if submitted.get(a) != s}
        assert not lost, f"acknowledged scores lost: {sorted(lost)[:10]}"
        drafts = conn.execute("SELECT COUNT(*) FROM scores WHERE status = 'draft'").fetchone()[0]
        assert drafts <= 1  # at most the one in flight when the process died
        # Each score and its audit row were written together, so they survive together.
        audited: dict[str, set[int]] = {"score": set(), "submit": set()}
        for action, details in conn.execute(
            "SELECT action, details FROM audit_log WHERE action IN ('score', 'submit')"
        ):
            parsed = json.loads(details)
            audited[action].update(parsed["answers"] if action == "submit" else [parsed["answer"]])
        scored = {a for (a,) in conn.execute("SELECT answer_id FROM scores")}
        assert audited["score"] == scored
        assert audited["submit"] == set(submitted)
        return len(submitted)
    finally:
        conn.close()


def test_kill_9_during_1000_score_submissions(tmp_path: Path) -> None:
    root = tmp_path / "library"
    _prepare(root)
    db_path = root / "onetake.sqlite3"
    rng = random.Random(7)
    acked: dict[int, int] = {}
    kills = 0
    done = 0
    while done < SUBMISSIONS * ANSWERS_EACH:
        # Resume after the last submitted answer (a draft left in flight is simply redone).
        conn = sqlite3.connect(db_path)
        start = conn.execute("SELECT COUNT(*) FROM scores WHERE status = 'submitted'").fetchone()[0]
        conn.execute("DELETE FROM scores WHERE status = 'draft'")
        conn.commit()
        conn.close()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        kill_after = rng.randint(40, 260) if kills < 6 else 10**9
        finished = False
        for seen, line in enumerate(child.stdout, start=1):
            if line.startswith("DONE"):
                finished = True
                break
            _, answer_id, score = line.split()
            acked[int(answer_id)] = int(score)
            if seen >= kill_after:
                time.sleep(rng.random() * 0.004)  # land anywhere in the next transaction
                os.kill(child.pid, signal.SIGKILL)
                kills += 1
                break
        # Acknowledgements already written before the kill still count.
        for line in child.stdout:
            if line.startswith("ACK"):
                _, answer_id, score = line.split()
                acked[int(answer_id)] = int(score)
        child.wait(timeout=120)
        stderr = child.stderr.read() if child.stderr else ""
        if not finished:
            assert child.returncode == -signal.SIGKILL, stderr
        else:
            assert child.returncode == 0, stderr
        done = _check(db_path, acked)
        if finished:
            break
    assert kills == 6
    assert done == SUBMISSIONS * ANSWERS_EACH
    # Only a score committed in the instant before a kill can miss its acknowledgement.
    assert done - kills <= len(acked) <= done
    # Submitted rows stayed immutable through all of it.
    lib = open_library(root)
    try:
        first = lib.db.execute("SELECT id FROM scores WHERE status = 'submitted' LIMIT 1")
        score_id = first.fetchone()[0]
        try:
            lib.db.execute("UPDATE scores SET score = 1 WHERE id = ?", (score_id,))
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("a submitted score could be changed")
    finally:
        lib.close()
