"""`make audit`: the locked versions against the known vulnerabilities, with pip-audit.

    python scripts/audit.py [--if-unaudited fail|warn] [--service pypi] ... LOCK...

Each lock (requirements*.txt, hash-pinned) is read as it is, without installing or
resolving anything. A package one vulnerability service cannot answer for (unreachable,
or it does not know the package) is asked of the next one (`--service`, in order).

Exit status:
  0  every locked package was checked and none has a known vulnerability
  1  a locked version has a known vulnerability (whatever else happened)
  3  some packages could not be checked by any service (with --if-unaudited=fail,
     the default); --if-unaudited=warn prints the same warning and exits 0

A package nobody could check is never reported as free of vulnerabilities: pip-audit
alone says "No known vulnerabilities found" when every package was skipped, which is
what happens when the service is out of reach or answers "not found" for everything.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass
class Package:
    name: str
    version: str
    locks: set[str] = field(default_factory=set)
    audited_by: str | None = None
    vulns: dict[str, dict] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def locked_packages(locks: list[Path]) -> dict[tuple[str, str], Package]:
    packages: dict[tuple[str, str], Package] = {}
    for lock in locks:
        for line in lock.read_text().splitlines():
            if match := PIN.match(line):
                name = match[1].lower().replace("_", "-").replace(".", "-")
                key = (name, match[2])
                packages.setdefault(key, Package(name, match[2])).locks.add(lock.name)
    return packages


def run_pip_audit(
    requirement: Path, service: str, args, *, hashed: bool
) -> tuple[dict | None, str]:
    """pip-audit's JSON report for one requirements file, or None and why not."""
    command = [
        sys.executable, "-m", "pip_audit",
        "--requirement", str(requirement),
        "--disable-pip",
        "--vulnerability-service", service,
        "--format", "json",
        "--progress-spinner", "off",
        "--timeout", str(args.timeout),
    ]  # fmt: skip
    command.append("--require-hashes" if hashed else "--no-deps")
    if service == "osv" and args.osv_url:
        command += ["--osv-url", args.osv_url]
    if args.cache_dir:
        command += ["--cache-dir", args.cache_dir]
    for vuln_id in args.ignore_vuln:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(result.stdout), ""
    except json.JSONDecodeError:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return None, (lines[-1] if lines else f"pip-audit exited {result.returncode}")[:300]


def audit(args) -> int:
    locks = [Path(lock) for lock in args.locks]
    packages = locked_packages(locks)
    if not packages:
        print(f"audit: no pinned packages found in {', '.join(args.locks)}", file=sys.stderr)
        return 3
    print(f"audit: {len(packages)} locked packages in {', '.join(lock.name for lock in locks)}")

    for position, service in enumerate(args.service):
        pending = [p for p in packages.values() if p.audited_by is None]
        if not pending:
            break
        if position == 0:
            # The first service reads the locks themselves, hashes and all.
            reports = [
                (lock.name, *run_pip_audit(lock, service, args, hashed=True)) for lock in locks
            ]
        else:
            # Later ones only what is still unchecked, pinned (no hashes needed to look up).
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pins:
                pins.write("".join(f"{p.name}=={p.version}\n" for p in pending))
            reports = [(None, *run_pip_audit(Path(pins.name), service, args, hashed=False))]
            Path(pins.name).unlink()
        checked = 0
        reported: set[str] = set()
        for lock_name, report, problem in reports:
            if report is None:
                print(f"audit: service {service}: UNREACHABLE OR FAILED: {problem}")
                for package in pending:
                    package.skipped.append(f"{service}: {problem}")
                continue
            for dependency in report.get("dependencies", []):
                name = dependency["name"].lower().replace("_", "-").replace(".", "-")
                reported.add(name)
                package = packages.get((name, dependency.get("version", "")))
                if package is None:  # skipped entries carry no version: match by name
                    package = next(
                        (
                            p
                            for p in pending
                            if p.name == name and (lock_name is None or lock_name in p.locks)
                        ),
                        None,
                    )
                if package is None or package.audited_by is not None:
                    continue
                if "skip_reason" in dependency:
                    package.skipped.append(f"{service}: {dependency['skip_reason']}")
                    continue
                package.audited_by = service
                checked += 1
                for vuln in dependency.get("vulns", []):
                    package.vulns[vuln["id"]] = vuln
        answered = any(report is not None for _, report, _ in reports)
        for package in pending if answered else []:
            if package.audited_by is None and package.name not in reported:
                # pip-audit leaves out what an environment marker excludes on this machine
                package.skipped.append(f"{service}: not in its report (environment marker?)")
        print(f"audit: service {service}: checked {checked} of {len(pending)} packages asked")

    vulnerable = [p for p in packages.values() if p.vulns]
    unaudited = [p for p in packages.values() if p.audited_by is None]
    for package in sorted(vulnerable, key=lambda p: p.name):
        for vuln_id, vuln in sorted(package.vulns.items()):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            print(
                f"VULNERABLE {package.name} {package.version} ({', '.join(sorted(package.locks))}):"
                f" {vuln_id}{f' ({aliases})' if aliases else ''}; fixed in: {fixes}"
            )
    if unaudited:
        reasons: dict[str, int] = {}
        for package in unaudited:
            # "...could not be audited: django (6.1.3)" -> one line for all packages
            for reason in {re.sub(r":\s*[\w.-]+ \([^)]*\)$", "", r) for r in package.skipped}:
                reasons[reason] = reasons.get(reason, 0) + 1
        bar = "!" * 78
        print(bar)
        print(
            f"!! AUDIT INCOMPLETE: {len(unaudited)} of {len(packages)} locked packages were NOT"
            " checked against any vulnerability service."
        )
        print(
            "!! Their vulnerabilities are UNKNOWN, not absent. Services tried: "
            + ", ".join(args.service)
        )
        for reason, count in reasons.items():
            print(f"!!   {reason} ({count} packages)")
        names = ", ".join(f"{p.name}=={p.version}" for p in sorted(unaudited, key=lambda p: p.name))
        print(f"!! Not checked: {names}")
        print(bar)
    audited = len(packages) - len(unaudited)
    if vulnerable:
        print(f"audit: FAILED: {len(vulnerable)} locked packages have known vulnerabilities")
        return 1
    if unaudited:
        if audited:
            print(f"audit: INCOMPLETE: {audited} packages checked and clean, the rest unknown")
        else:
            print("audit: NOT DONE: no vulnerability service could check a single package")
        return 0 if args.if_unaudited == "warn" else 3
    print(f"audit: no known vulnerabilities in the {audited} locked packages")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("locks", nargs="+", help="hash-pinned requirements files")
    parser.add_argument(
        "--service",
        action="append",
        choices=["pypi", "osv"],
        help="vulnerability services to ask, in order (default: pypi, then osv)",
    )
    parser.add_argument("--osv-url", help="another OSV endpoint (a mirror)")
    parser.add_argument("--if-unaudited", choices=["fail", "warn"], default="fail")
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID")
    parser.add_argument("--timeout", type=int, default=15)
    parser.add_argument("--cache-dir")
    args = parser.parse_args(argv)
    args.service = args.service or ["pypi", "osv"]
    return audit(args)


if __name__ == "__main__":
    sys.exit(main())
