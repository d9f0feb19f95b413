"""A tiny run of bench/digest.py, so the benchmark keeps working as the code changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_digest_benchmark_runs_on_a_small_database(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "bench/digest.py",
            "--rows",
            "2000",
            "--runs",
            "1",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "Database: 2,000 submissions" in done.stdout
    assert "Index speed-up of the digest text" in done.stdout
    assert "evidence report PDF, 365 days" in done.stdout
    assert (tmp_path / "digest-2000.db").exists()
