"""A consistent copy of a running SQLite database, through SQLite's online backup API.

A file copy of a database in WAL mode can miss committed pages still in the ``-wal`` file or catch
a page half-written; the backup API copies a consistent snapshot while the bot keeps writing. The
copy is written beside the target, checked with ``PRAGMA integrity_check`` and then renamed into
place, so a failed run never leaves a broken file under the target's name.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 4096


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the SQLite database at ``database_url`` to ``target``; return its size in bytes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "python -m bot backup copies SQLite databases; back up PostgreSQL with pg_dump"
        )
    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise BackupError(f"no SQLite database at {source_path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=PAGES_PER_STEP)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return target.stat().st_size
