"""`make mutate`: mutmut on the overtime rules, the hours arithmetic and the request
workflow, with a score per module and a floor each must reach.

    python api/overtime/tests/mutation.py [--max-children N] [--report-only]

It runs as a file, not with -m: the tests must import `api` from mutmut's mutated
copy, so this process must not have imported the original package first.

mutmut reads its configuration from pyproject.toml (`[tool.mutmut]`) and keeps its
work in ./mutants/. Two things it cannot be told there are done here:

- mutmut leaves every decorated function alone, because copying a decorator may run
  it twice (a route registered twice). The workflow transitions are decorated with
  `@transaction.atomic` only, which is safe to repeat, so functions whose decorators
  are all `transaction.atomic` are mutated too.
- Only the transitions (services/workflow.py) and the guards they decide with
  (services/guards.py, not its draft helpers) are mutated, which mutmut takes as name
  patterns.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TARGETS = {
    # module: (mutant name patterns, the lowest acceptable share of killed mutants)
    "api.overtime.rules": (["api.overtime.rules.*"], 0.95),
    "api.overtime.calculations": (["api.overtime.calculations.*"], 0.95),
    "api.overtime.services.guards": (
        [
            f"api.overtime.services.guards.x_{name}__mutmut_*"
            for name in (
                "require_status",
                "locked",
                "is_owner",
                "require_owner",
                "require_owner_or_global_admin",
                "require_decider",
                "audited_save",
                "notify",
            )
        ],
        0.90,
    ),
    "api.overtime.services.workflow": (["api.overtime.services.workflow.*"], 0.90),
}
# What a mutant's verdict counts as. A timeout is a kill: the mutant broke the code.
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def _allow_atomic_functions() -> None:
    import libcst as cst
    from mutmut.mutation import file_mutation

    def is_atomic(decorator: cst.Decorator) -> bool:
        node = decorator.decorator
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == "atomic"
            and isinstance(node.value, cst.Name)
            and node.value.value == "transaction"
        )

    skip = file_mutation.MutationVisitor._skip_node_and_children

    def skip_unless_atomic(self, node):
        if (
            isinstance(node, cst.FunctionDef)
            and node.decorators
            and all(is_atomic(decorator) for decorator in node.decorators)
        ):
            return skip(self, node.with_changes(decorators=()))
        return skip(self, node)

    file_mutation.MutationVisitor._skip_node_and_children = skip_unless_atomic


def _verdicts(module: str) -> dict[str, str]:
    """{mutant: status} of the mutants the module's patterns select, from the last run."""
    from fnmatch import fnmatch

    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    patterns = TARGETS[module][0]
    data = SourceFileMutationData(path=Path(*module.split(".")).with_suffix(".py"))
    data.load()
    return {
        name: status_by_exit_code[code]
        for name, code in sorted(data.exit_code_by_key.items())
        if any(fnmatch(name, pattern) for pattern in patterns)
    }


def report() -> bool:
    """Prints the score table and the survivors; True when every module reaches its floor."""
    ok, survivors = True, []
    print(f"\n{'module':<28} {'killed':>7} {'total':>6} {'score':>7} {'floor':>6}")
    for module, (_, floor) in TARGETS.items():
        verdicts = _verdicts(module)
        killed = sum(status in KILLED for status in verdicts.values())
        score = killed / len(verdicts) if verdicts else 0.0
        ok = ok and bool(verdicts) and score >= floor
        print(f"{module:<28} {killed:>7} {len(verdicts):>6} {score:>7.1%} {floor:>6.0%}")
        survivors += [
            f"  {status}: {name}" for name, status in verdicts.items() if status not in KILLED
        ]
    print("\n".join(survivors))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--report-only", action="store_true", help="print the scores of the last run"
    )
    args = parser.parse_args(argv)
    if "api" in sys.modules:
        parser.error("run this file as a script: the original `api` package is imported")
    if not args.report_only:
        _allow_atomic_functions()
        from mutmut.__main__ import cli

        patterns = [
            pattern for module_patterns, _ in TARGETS.values() for pattern in module_patterns
        ]
        try:
            cli.main(
                ["run", "--max-children", str(args.max_children), *patterns],
                standalone_mode=False,
            )
        except SystemExit as stop:
            if stop.code:
                return int(stop.code)
    return 0 if report() else 1


if __name__ == "__main__":
    sys.exit(main())
