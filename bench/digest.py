"""Benchmark the weekly digest and a year's evidence report on a large SQLite database.

Run with ``.venv/bin/python bench/digest.py`` (``--rows 20000`` for a quick look). It fills
``bench/out/digest-<rows>.db`` once (kept for later runs) with submissions spread evenly over two
years, their status histories (received, taken for review, decided, implemented) and supports,
written with ``executemany`` in large transactions. Then it times, as the bot runs them (same
queries, same SQLite settings), the median of several runs of:

- the digest's text (its aggregates and its words);
- the digest with its attachments (the chart and the week's workbook);
- the evidence report for the last 365 days, as the XLSX workbook and as the PDF (its charts
  and pages drawn in this process: the bot draws them in its worker process);
- the baseline: the same digest text on a copy of the database without the digest's two indexes
  (``ix_submission_created_pillar`` and ``ix_statuschange_at``), and the ratio between the two.

Memory: the peak of Python allocations while building (tracemalloc, in one more untimed run)
and the process's peak resident size (``ru_maxrss``, which includes SQLite's page cache and
every import). The digest's budget is 2 s and 300 MB; the PDF's, for a year of 100,000 ideas
(``--rows 200000``: two years), is seconds, not minutes, and under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.catalogue import load_catalogue  # noqa: E402
from bot.core.config import settings_from_mapping  # noqa: E402
from bot.core.i18n import Texts  # noqa: E402
from bot.domain.digest.build import DigestBuilder  # noqa: E402
from bot.domain.reports import Format, Reports  # noqa: E402
from storage.engine import Database, make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

NOW = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # Monday 08:30 WITA, just after the schedule
SPAN = timedelta(days=730)
BATCH = 50_000
SUPPORTS_PER_IDEA = 0.2
BUDGET_SECONDS = 2.0
BUDGET_MB = 300
WORDS = (
    "bank",
    "sampah",
    "jalan",
    "rusak",
    "lampu",
    "air",
    "bersih",
    "sekolah",
    "puskesmas",
    "pasar",
    "umkm",
    "sungai",
    "banjir",
    "taman",
    "desa",
    "kelurahan",
    "pelayanan",
    "ktp",
    "online",
    "aplikasi",
    "wisata",
    "budaya",
    "festival",
    "petani",
    "nelayan",
    "jembatan",
    "drainase",
    "posyandu",
    "perpustakaan",
    "pemuda",
    "digital",
    "qris",
    "koperasi",
    "hutan",
    "gambut",
)
PILLARS = ("governance", "branding", "economy", "living", "society", "environment")
DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def stamp(moment: datetime) -> str:
    """How SQLAlchemy stores an aware UTC datetime in SQLite."""
    return moment.strftime(DATETIME)


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Create the schema with the bot's migrations, then bulk-insert ``rows`` submissions."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    kecamatan = [k.key for k in load_catalogue().kecamatan]
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    start = NOW - SPAN
    submissions, changes, supports = [], [], []
    flushed = time.perf_counter()

    def flush() -> None:
        connection.executemany(
            "INSERT INTO submission (id, code, text, pillar, suggested_pillar, confidence, "
            "reasons, kecamatan, anonymous, status, language, draft_key, version, created_at, "
            "updated_at, looks_like_complaint) "
            "VALUES (?, ?, ?, ?, ?, 0.8, '', ?, 1, ?, 'id', ?, 1, ?, ?, 0)",
            submissions,
        )
        connection.executemany(
            "INSERT INTO statuschange (submission_id, from_status, to_status, actor_role, at) "
            "VALUES (?, ?, ?, ?, ?)",
            changes,
        )
        connection.executemany(
            "INSERT INTO support (submission_id, created_at) VALUES (?, ?)", supports
        )
        connection.commit()
        submissions.clear()
        changes.clear()
        supports.clear()

    for number in range(1, rows + 1):
        created = start + SPAN * (number - 1) / rows
        history = [(None, "new", created)]
        at = created
        if rng.random() < 0.9:
            at += timedelta(hours=rng.expovariate(1 / 48))
            history.append(("new", "in_review", at))
            if rng.random() < 0.85:
                at += timedelta(hours=rng.expovariate(1 / 96))
                decision = rng.choices(("accepted", "rejected", "duplicate"), (5, 4, 1))[0]
                history.append(("in_review", decision, at))
                if decision == "accepted" and rng.random() < 0.3:
                    at += timedelta(days=rng.expovariate(1 / 30))
                    history.append(("accepted", "implemented", at))
        history = [step for step in history if step[2] < NOW]
        status = history[-1][1]
        text = " ".join(rng.choices(WORDS, k=rng.randint(8, 25)))
        pillar = rng.choice(PILLARS)
        place = rng.choice(kecamatan) if rng.random() < 0.9 else None
        submissions.append(
            (
                number,
                f"IDE-{number:07d}",
                text,
                pillar,
                pillar,
                place,
                status,
                f"bench-{number}",
                stamp(created),
                stamp(history[-1][2]),
            )
        )
        for before, after, when in history:
            role = "resident" if before is None else "officer"
            changes.append((number, before, after, role, stamp(when)))
        if rng.random() < SUPPORTS_PER_IDEA:
            supported = max(1, number - rng.randint(0, 5000))
            supports.append((supported, stamp(created)))
        if len(submissions) >= BATCH:
            flush()
            if time.perf_counter() - flushed > 10:
                print(f"  … {number:,} submissions", file=sys.stderr)
                flushed = time.perf_counter()
    flush()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()


def without_indexes(source: Path) -> Path:
    """A copy of the database without the digest's indexes: the baseline."""
    target = source.with_name(source.stem + "-noindex.db")
    if not target.exists():
        shutil.copyfile(source, target)
        connection = sqlite3.connect(target)
        connection.execute("DROP INDEX ix_submission_created_pillar")
        connection.execute("DROP INDEX ix_statuschange_at")
        connection.execute("ANALYZE")
        connection.commit()
        connection.close()
    return target


def services(path: Path) -> tuple[DigestBuilder, Reports, Database]:
    url = f"sqlite:///{path}"
    settings = settings_from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": "123456:BENCHTOKENabcdefghijklmnopqrstuv",
            "ADMIN_IDS": "1",
            "DATABASE_URL": url,
        }
    )
    db = Database(make_engine(url))
    parts = {
        "db": db,
        "settings": settings,
        "clock": lambda: NOW,
        "texts": Texts.load(
            settings.timezone, region=settings.region_name, code_prefix=settings.code_prefix
        ),
        "catalogue": load_catalogue(),
    }
    return DigestBuilder(**parts), Reports(**parts), db


def measure(work: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    """Median seconds over ``runs`` runs, then the tracemalloc peak (MB) of one more run.

    Tracing every allocation slows Python down several times, so no timed run is traced.
    """
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        asyncio.run(work())
        seconds.append(time.perf_counter() - began)
    tracemalloc.start()
    asyncio.run(work())
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(seconds), peak


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="submissions (1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (5)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="cache folder")
    arguments = parser.parse_args(argv)

    arguments.out.mkdir(parents=True, exist_ok=True)
    path = arguments.out / f"digest-{arguments.rows}.db"
    if not path.exists():
        print(f"Filling {path} with {arguments.rows:,} submissions …", file=sys.stderr)
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate(partial, arguments.rows)
        partial.rename(path)
        print(f"  done in {time.perf_counter() - began:.0f} s", file=sys.stderr)

    digests, reports, db = services(path)
    counts = db.engine.raw_connection()
    try:
        cursor = counts.cursor()
        totals = [
            cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("submission", "statuschange", "support")
        ]
    finally:
        counts.close()
    period = digests.due_period()
    year = (NOW - timedelta(days=365), NOW)

    text_time, text_peak = measure(lambda: digests.build(period, "id", files=False), arguments.runs)
    rss_digest = max_rss_mb()
    files_time, files_peak = measure(lambda: digests.build(period, "id"), arguments.runs)
    report_time, report_peak = measure(
        lambda: reports.build(*year, "id", made=Format.XLSX), arguments.runs
    )
    pdf_time, pdf_peak = measure(
        lambda: reports.build(*year, "id", made=Format.PDF), arguments.runs
    )
    rss_report = max_rss_mb()
    db.engine.dispose()

    slow, _, slow_db = services(without_indexes(path))
    base_time, base_peak = measure(lambda: slow.build(period, "id", files=False), arguments.runs)
    slow_db.engine.dispose()

    print(
        f"Database: {totals[0]:,} submissions, {totals[1]:,} status changes, "
        f"{totals[2]:,} supports over two years; {path.stat().st_size / 2**20:.0f} MB"
    )
    print(f"Median of {arguments.runs} runs each:")
    print(f"{'':34}{'seconds':>10}{'peak MB':>10}")
    rows = (
        ("digest text", text_time, text_peak),
        ("digest with chart and XLSX", files_time, files_peak),
        ("evidence report XLSX, 365 days", report_time, report_peak),
        ("evidence report PDF, 365 days", pdf_time, pdf_peak),
        ("baseline: digest text, no index", base_time, base_peak),
    )
    for name, seconds, peak in rows:
        print(f"{name:34}{seconds:>10.3f}{peak:>10.1f}")
    print(f"Index speed-up of the digest text: {base_time / text_time:.1f}x")
    print(f"Process peak RSS after the digests: {rss_digest:.0f} MB")
    print(f"Process peak RSS after the reports: {rss_report:.0f} MB")
    within = text_time < BUDGET_SECONDS and text_peak < BUDGET_MB and rss_digest < BUDGET_MB
    verdict = "met" if within else "MISSED"
    print(f"Budget (digest < {BUDGET_SECONDS:.0f} s and < {BUDGET_MB} MB): {verdict}")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
