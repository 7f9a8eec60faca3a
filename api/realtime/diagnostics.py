"""Where a web process's memory goes: tracemalloc snapshots on SIGUSR1.

Off unless PTB_TRACEMALLOC is set. With it, the first SIGUSR1 starts tracing (so
start-up stays fast and unmeasured) and takes a baseline; every later one writes the
allocations grown since and still reachable after a full collection, by traceback,
to $TMPDIR/ptb-tracemalloc-<pid>.txt (docs/performance.md, "Soak").
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import tempfile
import tracemalloc
from pathlib import Path

_baseline: list[tracemalloc.Snapshot] = []


def _dump(signum, frame) -> None:
    if not tracemalloc.is_tracing():
        tracemalloc.start(int(os.environ.get("PTB_TRACEMALLOC_FRAMES", "12")))
    # Garbage waiting for the server's deferred full collection is not growth: compare
    # what is still reachable.
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    if not _baseline:
        _baseline.append(snapshot)
        return
    lines = [str(stat) for stat in snapshot.compare_to(_baseline[0], "traceback")[:25]]
    detail = []
    for stat in snapshot.compare_to(_baseline[0], "traceback")[:8]:
        detail.append(f"--- {stat}")
        detail.extend(stat.traceback.format(limit=12))
    path = Path(tempfile.gettempdir()) / f"ptb-tracemalloc-{os.getpid()}.txt"
    path.write_text("\n".join([*lines, "", *detail]) + "\n")


def install_from_environment() -> None:
    if os.environ.get("PTB_TRACEMALLOC"):
        # Only the main thread may set handlers; imported elsewhere, no tracing.
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGUSR1, _dump)
