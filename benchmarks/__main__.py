"""`python -m benchmarks [name ...]` runs every bench_*.py module, or the named ones."""

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from benchmarks import harness


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    if not names:
        print("no benchmarks found in benchmarks/ (bench_*.py)")
        return 1
    for name in names:
        print(f"\n=== benchmark: {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.bench_{name}")
        module.main()
        print(f"=== {name} done in {time.perf_counter() - started:.1f}s ===", flush=True)
    if harness.TARGETS:
        print("\n=== targets ===")
        print("\n".join(harness.TARGETS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
