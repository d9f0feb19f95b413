"""Tiny runs of the benchmarks' analysis modes, so they keep working as the code changes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*arguments: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    ).stdout


def test_the_cpu_benchmark_counts_each_call_of_a_submission():
    output = run("bench.cpu", "--per-call", "--residents", "20", "--history", "50")
    calls = {
        label.strip(): int(count)
        for label, count in re.findall(r"^  (\S.*?)\s{2,}(\d+)\s+[\d.]+\s+[\d.]+$", output, re.M)
    }
    assert calls["write Submissions.submit.<locals>.send"] == 20  # one send per resident
    # The team is told of every idea: a card each, or a burst's list (the benchmark checks that
    # every announcement went out).
    cards = calls.get("read Review.card.<locals>.load", 0)
    assert cards + calls.get("read submissions", 0) >= 1
    assert calls["similar-idea search"] == 20 + cards  # the resident's summary, and each card
    assert re.search(r"CPU per update: [\d.]+ ms in all, [\d.]+ ms on the event loop", output)
    assert re.search(r"one one-row read: [\d.]+ ms CPU on the driver alone", output)


def test_the_memory_benchmark_breaks_the_growth_down():
    output = run("bench.memory", "--breakdown", "--updates", "600")
    idle = re.search(
        r"Python's arenas ([\d.]+) MB \(([\d.]+) MB live\), SQLite ([\d.]+) MB", output
    )
    assert idle is not None, output
    arenas, live, sqlite = map(float, idle.groups())
    assert arenas > live > 10  # a started bot holds tens of MB of live objects
    assert sqlite > 0
    assert re.search(r"^  600\s+[\d.]+", output, re.M)
