"""The benchmark suite (bench/suite.py) still runs end to end, so `make bench` cannot rot.

A --quick run on a tiny demo province (3,000 dossiers) on SQLite: every section is printed, every
callback timed over HTTP answered 200, and the load test saw no error. No time is asserted: the
figures are the suite's business, not the test's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_suite_runs_every_section(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "suite.py"), "--size", "tiny", "--quick"]
        + ["--databases", "sqlite", "--workdir", str(tmp_path), "--users", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = result.stdout
    for heading in (
        "## 1. Callbacks and API routes",
        "## 2. Against DuckDB",
        "## 3. Alert tick",
        "## 4. Import rate",
        "## 5. 8:00-Monday load",
        "## 6. Memory",
    ):
        assert heading in report, report
    assert "(HTTP " not in report, report  # every callback and route answered 200 over HTTP
    assert "error:" not in report, report  # the alert tick ran
    load = [line for line in report.splitlines() if line.startswith("| sqlite | dashboard |")]
    assert load and load[0].split("|")[9].strip() == "0", load  # no error under load
