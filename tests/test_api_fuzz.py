"""Schemathesis against /swagger.json of a real Daphne process: zero 5xx responses and
zero responses that contradict the schema, as a superadmin and as a read-only user.

Bounded: a fixed number of examples per operation and a time budget, so the suite
stays fast; `make fuzz` runs a longer campaign with the same checks.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree

from api.accounts.auth.tokens import issue_local_tokens
from api.accounts.roles import Role
from api.common.client import ClientInfo
from conftest import REPO_ROOT
from tests.factories import make_regulation, make_user

pytestmark = pytest.mark.integration

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "6")
# Fuzzing repeats until its time budget is spent: seconds per role, scaled by FUZZ_SCALE.
# The two are the suite's longest tests; with these budgets `make test` stays under 20
# minutes on 2 cores, and `make fuzz` runs six times as long with more examples.
BUDGET = {Role.SUPERADMIN: 75, Role.USER: 35}
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def run_schemathesis(server, token: str, report_dir, seconds: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{server.url}/swagger.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            "--max-time",
            str(seconds),
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "2",
            "--seed",
            "20261122",
            "--request-timeout",
            "20",
            "--generation-database",
            "none",
            "--suppress-health-check",
            "all",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(report_dir),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 240,
    )


@pytest.mark.parametrize("role", [Role.SUPERADMIN, Role.USER])
def test_fuzzing_the_schema_finds_no_server_error_and_no_schema_violation(
    external_api, daphne_factory, tmp_path, role
):
    """The reference SSO runs too: SSO login must answer 200/401, not 503."""
    make_regulation()
    user = make_user(role)
    token = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "schemathesis"))["access"]
    server = daphne_factory()

    result = run_schemathesis(server, token, tmp_path, int(BUDGET[role] * SCALE))

    output = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"{output}\n--- server log ---\n{server.log()[-6000:]}"
    # schemathesis's own verdict, from its JUnit report: operations were tested, and
    # none failed a check or errored.
    verdict = junit_totals(tmp_path)
    assert verdict["tests"] > 0, output
    assert (verdict["failures"], verdict["errors"]) == (0, 0), output


def junit_totals(report_dir) -> dict[str, int]:
    reports = list(Path(report_dir).rglob("*.xml"))
    assert reports, f"schemathesis wrote no JUnit report in {report_dir}"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report in reports:
        root = ElementTree.parse(report).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for suite in suites:
            for key in totals:
                totals[key] += int(suite.get(key, 0))
    return totals
