"""The pipelined importer refuses everything the hostile corpus holds (issue 17's guard:
nothing may get faster by checking less).

Media files are probed while the rest of their bundle is still being extracted, each in a
process forked from a warm prober. These tests run the whole corpus, bundle and media cases,
through the importer the window and ``onetake library import`` share (one batch, one worker and
two), and check each bundle is refused for the same reason the sequential check gives it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.media.probe import can_fork, shared_server
from onetake_desktop.paths import app_paths
from onetake_desktop.services.bundles import close_spare_probe_child, verify_bundle
from onetake_desktop.services.importing import STAGING_PREFIX, ImportReport
from onetake_desktop.services.reviewer import open_reviewer_service
from tests.pipeline.hostile.corpus import CASES, generate, sound_bundle


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-pipeline")
    return {case.name: path for case, path in generate(folder)}


def _import_all(paths: list[Path], workers: int) -> tuple[ImportReport, Path]:
    service = open_reviewer_service(app_paths().library)
    try:
        report = service.import_paths(paths, workers=workers)
        root = service.library.root
        names = {s.folder.name for s in service.library.submissions.all()}
    finally:
        service.close()
    submissions = root / "submissions"
    on_disk = {p.name for p in submissions.iterdir()} if submissions.is_dir() else set()
    assert not [n for n in on_disk if n.startswith(STAGING_PREFIX)], "no staging folder left"
    assert on_disk == names, "every folder has its row and every row its folder"
    return report, root


@pytest.mark.parametrize("workers", [1, 2])
def test_the_whole_hostile_corpus_is_refused_by_the_pipelined_importer(
    corpus: dict[str, Path], tmp_path: Path, workers: int
) -> None:
    sound = sound_bundle(tmp_path / "sound")
    hostile = [corpus[case.name] for case in CASES]
    # The sound bundle in the middle: a refusal before it must not spill into it.
    middle = len(hostile) // 2
    report, _ = _import_all([*hostile[:middle], sound, *hostile[middle:]], workers)
    by_path = {o.path: o for o in report.outcomes}
    assert by_path[sound].status == "imported"
    wrong = [
        (case.name, by_path[corpus[case.name]].status, by_path[corpus[case.name]].reason)
        for case in CASES
        if by_path[corpus[case.name]].status != "refused"
        or case.expect not in by_path[corpus[case.name]].reason
    ]
    assert wrong == []


def test_pipelined_and_sequential_checks_refuse_for_the_same_reason(
    corpus: dict[str, Path],
) -> None:
    # verify_bundle runs the same pipeline with nothing kept; the reason it gives each case is
    # the one the corpus names (which the sequential check gave before the pipeline).
    for case in CASES:
        with pytest.raises(InvalidInputError) as refused:
            verify_bundle(corpus[case.name])
        assert case.expect in str(refused.value), case.name


def test_a_prober_that_dies_refuses_its_bundle_and_the_next_one_imports(
    tmp_path: Path,
) -> None:
    # The warm prober is gone between two bundles (killed, out of memory): the first import
    # after that starts a new one; nothing is accepted unchecked.
    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    first = sound_bundle(tmp_path / "a")
    server = shared_server()
    server.start()
    server.close()  # as if it had died
    report, _ = _import_all([first], workers=1)
    assert [o.status for o in report.outcomes] == ["imported"]
    close_spare_probe_child()
    assert shared_server().pid is None


def test_extraction_goes_on_while_another_bundle_holds_the_probers(tmp_path: Path) -> None:
    # A prober serves one bundle at a time; a bundle whose files are written meanwhile hands
    # them over from a helper thread instead of stopping its extraction, and they are probed
    # (each in its own process, with the same checks) once the prober is free.
    import threading

    from onetake_desktop.media.probe import MediaInfo
    from onetake_desktop.services import bundles
    from tests.pipeline.hostile.media import write_answer

    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    answer = write_answer(tmp_path / "a.mp4")
    server = shared_server()
    server.start()
    other = server.batch(15.0)
    other.submit(answer)  # another bundle holds the prober until its results are read
    check = bundles._PipelinedProbe(15.0, server)
    handed = threading.Thread(target=check.started, args=("media/q1.mp4", answer), daemon=True)
    handed.start()
    handed.join(timeout=60)  # a bound against a hang, not a speed check
    assert not handed.is_alive(), "handing a file over waited for the other bundle"
    assert isinstance(other.results()[0], MediaInfo)
    check.wait()
    (result,) = check.batch.results()
    assert isinstance(result, MediaInfo) and result.video_codec == "h264"


def test_bundles_checked_at_once_never_share_a_prober(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library checks two bundles at a time; each gets a warm prober to itself (a second
    # one joins on a multi-core machine), and each bundle's files are probed in one forked
    # process that no other bundle's file ever reaches.
    from onetake_desktop.media.probe import ProbeServer
    from onetake_desktop.services import bundles
    from tests.pipeline.library_bundles import make_bundle

    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    sound = [make_bundle(tmp_path / f"c{i}.onetake", f"Candidate {i}") for i in range(4)]
    seen: list[tuple[str, int]] = []  # (file, prober)
    original = ProbeServer._receive

    def noting(self: ProbeServer, path: Path, timeout: float) -> object:
        result = original(self, path, timeout)
        seen.append((str(path), self.last_pid))
        return result

    monkeypatch.setattr(ProbeServer, "_receive", noting)
    report, _ = _import_all(sound, workers=2)
    assert [o.status for o in report.outcomes] == ["imported"] * len(sound)
    by_prober: dict[int, set[str]] = {}
    for path, prober in seen:
        by_prober.setdefault(prober, set()).add(Path(path).parents[1].name)  # its bundle
    assert len(seen) == 2 * len(sound) and 0 not in by_prober
    assert all(len(folders) == 1 for folders in by_prober.values())  # one bundle per prober
    assert len(by_prober) == len(sound)  # and one prober per bundle
    assert 1 <= len(bundles.probe_servers()) <= 2
    servers = {s.pid for s in bundles.probe_servers()}
    assert servers.isdisjoint(by_prober)  # the servers never open a file themselves
    close_spare_probe_child()


def test_probers_are_lent_to_one_bundle_at_a_time_while_there_are_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onetake_desktop.services import bundles

    close_spare_probe_child()
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    first, second = bundles._take_prober(), bundles._take_prober()
    assert first is shared_server() and second is not first  # a second one, not started yet
    third = bundles._take_prober()  # no room for more: shares the least busy one
    assert third in (first, second)
    for server in (third, second, first):
        bundles._give_prober(server)
    assert bundles._take_prober() is shared_server()  # all idle again: the shared one first
    bundles._give_prober(shared_server())
    assert len(bundles.probe_servers()) == 2
    close_spare_probe_child()
    assert bundles.probe_servers() == [shared_server()]


def test_the_prober_starts_when_an_import_begins_and_never_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its start-up (Python and PyAV) overlaps the library's own work and the hashing, so it is
    # started as soon as an import has a bundle; a reviewer who only scores, or an import of
    # nothing but definitions, never starts a process.
    from onetake_desktop.services import importing

    if not can_fork():
        pytest.skip("no fork on this platform: one fresh child per bundle is used instead")
    close_spare_probe_child()
    service = open_reviewer_service(app_paths().library)
    try:
        assert service.default_reviewer  # opening the library to score starts no prober
        assert shared_server().pid is None
        definition = tmp_path / "x.onetakeinterview"
        definition.write_text("not read")
        report = service.import_paths([definition, tmp_path / "missing.onetake"], workers=2)
        assert [o.status for o in report.outcomes] == ["refused", "refused"]
        assert shared_server().pid is None
        started_before_sweep: list[bool] = []
        sweep = importing.Importer.sweep_orphans

        def noting(self: importing.Importer, *args: object) -> list[Path]:
            started_before_sweep.append(shared_server().pid is not None)
            return sweep(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(importing.Importer, "sweep_orphans", noting)
        report = service.import_paths([sound_bundle(tmp_path / "s")], workers=1)
        assert [o.status for o in report.outcomes] == ["imported"]
        assert started_before_sweep == [True]
    finally:
        service.close()
    assert shared_server().pid is None  # the library closing stops it
