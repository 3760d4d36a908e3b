"""For bench/_first_paint.py (FIRST_PAINT_COUNTS=FILE): what the process has cost the system by
its first paint beside CPU time, as JSON (issue 17: the part of a window's start-up that
instruction counts do not see; bench/first_paint_counts.py prints them). Linux only. A module of
its own: the driver runs as a script, compiled at every start, the bare window's too."""

from __future__ import annotations

import os
import resource
from typing import Any


def write(path: str, own: resource.struct_rusage, io: str, modules: int) -> None:
    """``own``, ``io`` and ``modules``: the process's getrusage, /proc/self/io and number of
    modules, read at the paint before this module loaded; the rest is read now."""
    import json

    names = ("utime", "stime", "minflt", "majflt", "nvcsw", "nivcsw", "inblock", "oublock")
    counts: dict[str, Any] = {name: getattr(own, "ru_" + name) for name in names}
    counts["modules"] = modules
    counts["threads"] = len(os.listdir("/proc/self/task"))
    # rchar/wchar: bytes read/written; syscr/syscw: calls
    counts.update((k, int(v)) for k, v in (line.split(": ") for line in io.splitlines()))
    with open("/proc/self/maps") as maps:
        files = {line.split()[-1] for line in maps if len(line.split()) > 5}
    counts["shared_objects"] = sum(1 for f in files if ".so" in f.rsplit("/", 1)[-1])
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon:", "RssFile:")):
                counts[line.split(":")[0]] = int(line.split()[1])
    with open(path, "w") as out:
        json.dump(counts, out)
