"""Benchmarks (`make bench`): each `bench_*.py` module has a `main()` that prints its
figures and its ratio against references measured in the same run."""
