"""The mutation check: put each bug listed in tools/mutants.toml into a copy of the code, run the
tests that must catch it, and fail when one is not caught.

Each mutant names a module (by its key in the list's ``[files]`` table), a snippet of its source
that occurs exactly once, what the snippet becomes, and the tests that must fail with the change.
A mutant listed with ``equivalent = "why"`` is one no test can catch because the behaviour does not
change; it must survive. The working tree is never written to: every mutant is applied to a copy
of it under a temporary directory, removed at the end whatever happens.

Exit status: 0 when every mutant is caught (and every equivalent one survives); 1 when one is not
caught, or an equivalent one is; 2 when the list no longer matches the code (a snippet not found
exactly once, a change that does not compile, tests that fail or cannot run without any mutant).

    python tools/mutate.py                   # every mutant, two at a time
    python tools/mutate.py ID...             # only these
    python tools/mutate.py --explore ID...   # every listed test, not stopping at the first
                                             # failure: which ones catch it (list "tests" to
                                             # search the whole quick suite)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tools" / "mutants.toml"
TIMEOUT = 300  # seconds for one mutant's tests; a mutant that hangs them counts as caught
# Not copied: what is neither code nor tests, and would only slow the copy down.
TOP_LEVEL_SKIPPED = {".git", ".venv", "build", "data", ".ruff_cache", "mutants"}


class ListError(Exception):
    """The list no longer matches the code: fix tools/mutants.toml."""


@dataclass(frozen=True)
class Mutant:
    id: str
    path: str
    find: str
    replace: str
    tests: tuple[str, ...]
    why: str
    equivalent: str | None

    def mutated(self, source: str) -> str:
        return source.replace(self.find, self.replace)


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    caught: bool
    seconds: float
    detail: str = ""


def load(selected: list[str]) -> list[Mutant]:
    data = tomllib.loads(LIST.read_text(encoding="utf-8"))
    files: dict[str, str] = data["files"]
    mutants = []
    for entry in data["mutant"]:
        if entry["file"] not in files:
            raise ListError(f"{entry['id']}: no file {entry['file']!r} in [files]")
        mutants.append(
            Mutant(
                id=entry["id"],
                path=files[entry["file"]],
                find=entry["find"],
                replace=entry["replace"],
                tests=tuple(entry["tests"]),
                why=entry["why"],
                equivalent=entry.get("equivalent"),
            )
        )
    ids = [mutant.id for mutant in mutants]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise ListError(f"mutant ids used twice: {', '.join(duplicates)}")
    if unknown := sorted(set(selected) - set(ids)):
        raise ListError(f"no such mutant: {', '.join(unknown)}")
    return [mutant for mutant in mutants if not selected or mutant.id in selected]


def check(mutant: Mutant) -> None:
    """The snippet is found exactly once and the change compiles."""
    file = ROOT / mutant.path
    if not file.is_file():
        raise ListError(f"{mutant.id}: {mutant.path} does not exist (moved? update [files])")
    source = file.read_text(encoding="utf-8")
    found = source.count(mutant.find)
    if found != 1:
        raise ListError(f"{mutant.id}: its snippet occurs {found} times in {mutant.path}, not once")
    if not mutant.tests:
        raise ListError(f"{mutant.id}: lists no tests")
    try:
        compile(mutant.mutated(source), mutant.path, "exec")
    except SyntaxError as error:
        raise ListError(f"{mutant.id}: the change does not compile: {error}") from error


def copy_tree(target: Path) -> Path:
    def skipped(folder: str, names: list[str]) -> set[str]:
        top = TOP_LEVEL_SKIPPED if Path(folder) == ROOT else set()
        return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}

    shutil.copytree(ROOT, target, ignore=skipped)
    return target


def pytest(copy: Path, tests: list[str], *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *tests]
    return subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def run(mutant: Mutant, copy: Path, *, explore: bool = False) -> Outcome:
    """Apply ``mutant`` to ``copy``, run its tests (all of them when exploring), undo it."""
    file = copy / mutant.path
    original = file.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        file.write_text(mutant.mutated(original), encoding="utf-8")
        extra = ("--tb=no", "-rf") if explore else ("-x", "--tb=short")
        try:
            done = pytest(copy, list(mutant.tests), *extra)
        except subprocess.TimeoutExpired:
            return Outcome(mutant, True, time.monotonic() - started, "its tests timed out")
    finally:
        file.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise ListError(f"{mutant.id}: its tests could not run:\n{done.stdout}{done.stderr}")
    if explore:
        failed = [
            line.removeprefix("FAILED ").split(" - ")[0]
            for line in done.stdout.splitlines()
            if line.startswith("FAILED ")
        ]
        return Outcome(mutant, bool(failed), seconds, "\n".join(failed))
    return Outcome(mutant, done.returncode == 1, seconds)


def baseline(mutants: list[Mutant], copy: Path) -> None:
    """Every listed test passes without a mutant (else a mutant would seem caught)."""
    tests = sorted({test for mutant in mutants for test in mutant.tests})
    done = pytest(copy, tests, "--tb=short")
    if done.returncode != 0:
        output = done.stdout + done.stderr
        raise ListError(f"the listed tests do not pass without mutants:\n{output}")


def verdict(outcome: Outcome) -> str:
    if outcome.mutant.equivalent is None:
        return "caught" if outcome.caught else "SURVIVED"
    return "CAUGHT, listed as equivalent" if outcome.caught else "equivalent"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="run only these mutants")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--explore", action="store_true", help="show which listed tests catch each")
    options = parser.parse_args(argv)
    started = time.monotonic()
    try:
        mutants = load(options.ids)
        for mutant in mutants:
            check(mutant)
        with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
            copies = [copy_tree(Path(scratch) / f"copy{n}") for n in range(max(options.jobs, 1))]
            if not options.explore:
                baseline(mutants, copies[0])
            outcomes = run_all(mutants, copies, options.explore)
    except ListError as error:
        print(f"mutate: {error}", file=sys.stderr)
        return 2
    if options.explore:
        for outcome in outcomes:
            print(f"{outcome.mutant.id} is caught by:\n{outcome.detail or '  nothing'}\n")
        return 0
    return report(outcomes, time.monotonic() - started)


def run_all(mutants: list[Mutant], copies: list[Path], explore: bool) -> list[Outcome]:
    """Run the mutants, each copy used by one at a time; print each outcome as it comes."""
    free = list(copies)
    lock = threading.Lock()

    def one(mutant: Mutant) -> Outcome:
        with lock:
            copy = free.pop()
        try:
            outcome = run(mutant, copy, explore=explore)
        finally:
            with lock:
                free.append(copy)
        if not explore:
            print(f"{verdict(outcome):<28} {mutant.id} ({outcome.seconds:.1f} s)", flush=True)
        return outcome

    with concurrent.futures.ThreadPoolExecutor(len(copies)) as pool:
        return list(pool.map(one, mutants))


def report(outcomes: list[Outcome], seconds: float) -> int:
    survived = [o for o in outcomes if not o.caught and o.mutant.equivalent is None]
    wrongly = [o for o in outcomes if o.caught and o.mutant.equivalent is not None]
    equivalent = sum(1 for o in outcomes if o.mutant.equivalent is not None and not o.caught)
    caught = sum(1 for o in outcomes if o.caught and o.mutant.equivalent is None)
    print(
        f"\n{len(outcomes)} mutants in {seconds:.0f} s: {caught} caught, "
        f"{len(survived)} survived, {equivalent} equivalent"
    )
    for outcome in survived:
        m = outcome.mutant
        print(
            f"\nSURVIVED {m.id}: {m.why}\n  in {m.path}, this\n{indent(m.find)}\n  became\n"
            f"{indent(m.replace)}\n  and these tests still passed: {', '.join(m.tests)}"
        )
    for outcome in wrongly:
        m = outcome.mutant
        print(f"\nCAUGHT {m.id}, listed as equivalent ({m.equivalent}): remove that reason")
    return 1 if survived or wrongly else 0


def indent(text: str) -> str:
    return "\n".join(f"    | {line}" for line in (text or "(nothing)").splitlines())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
