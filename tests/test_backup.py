"""``python -m bot backup``: a consistent copy of a database that is being written to."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest

from storage import inbox
from storage.backup import BackupError, backup_sqlite
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from tests.conftest import TOKEN

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def test_backup_while_a_writer_runs_is_consistent(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    upgrade(engine)
    db = Database(engine)
    done = threading.Event()
    enough = threading.Event()

    def writer() -> None:
        index = 0
        while not done.is_set():
            db.call_write(inbox.store_updates, updates=[(index, {"n": index})], now=NOW)
            index += 1
            if index == 200:
                enough.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert enough.wait(timeout=60)
        backup_sqlite(url, tmp_path / "copies" / "backup.db")
    finally:
        done.set()
        thread.join()
        engine.dispose()
    copy = sqlite3.connect(tmp_path / "copies" / "backup.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [row[0] for row in copy.execute("SELECT update_id FROM inboxupdate ORDER BY update_id")]
    assert len(ids) >= 200 and ids == list(range(len(ids)))
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone()
    assert not (tmp_path / "copies" / "backup.db.partial").exists()


def test_backup_refuses_postgresql_and_a_missing_file(tmp_path):
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://postgres@127.0.0.1/test", tmp_path / "x.db")
    with pytest.raises(BackupError, match="no SQLite database"):
        backup_sqlite(f"sqlite:///{tmp_path / 'absent.db'}", tmp_path / "x.db")


def test_backup_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "1", "DATABASE_URL": url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            str(tmp_path / "none.env"),
            "backup",
            str(tmp_path / "b.db"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout and (tmp_path / "b.db").is_file()
