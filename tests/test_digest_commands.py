"""/ringkasan (/digest) through the real Application, and ``python -m bot digest --dry-run`` as a
process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, select

from bot.core.clock import utc_now
from bot.core.cron import last_fire_times
from bot.domain.digest.text import between_runs
from storage import review
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import DigestDelivery
from tests import updates as u
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tests.digest_data import Writer, seed_week, wita

ADMIN = u.user(ADMIN_ID, first_name="Admin")
OFFICER = u.user(777, first_name="Petugas")
RESIDENT = u.user(501, first_name="Siti")
TEAM = u.group_chat(-100500)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def bot(bot_factory, database_url, clock):
    clock.now = wita(26, 14)  # Thursday afternoon
    async with bot_factory(make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM["id"]))) as harness:
        seed_week(harness.services.db.engine)
        await harness.services.db.write(
            review.appoint, user_id=777, added_by=ADMIN_ID, now=clock.now
        )
        yield harness


async def test_an_admin_gets_the_period_so_far_without_marking_anything_sent(bot):
    await bot.deliver(u.text(ADMIN, "/ringkasan"))
    [text] = bot.request.texts(ADMIN_ID)
    assert "Ringkasan periode ini sejauh ini" in text
    assert "23 Nov 2026 08:00 WITA – 26 Nov 2026 14:00 WITA" in text
    assert "💡 <b>Ide baru: 5</b> (periode sebelumnya 4; +1 · +25%)" in text
    assert len(bot.request.of("sendPhoto")) == len(bot.request.of("sendDocument")) == 1
    with Session(bot.services.db.engine) as session:
        assert session.exec(select(DigestDelivery)).all() == []


async def test_an_officer_asks_in_the_team_group_and_gets_it_there_in_english(bot):
    await bot.deliver(u.text(u.user(777, language_code="en"), "/digest", chat=TEAM))
    [text] = bot.request.texts(TEAM["id"])
    assert "This period so far" in text


async def test_a_resident_gets_the_help_in_private_and_nothing_in_a_group(bot):
    await bot.deliver(u.text(RESIDENT, "/ringkasan"))
    assert "Yang bisa Anda lakukan" in bot.request.last_text(RESIDENT["id"])
    bot.request.clear()
    await bot.deliver(u.text(RESIDENT, "/ringkasan", chat=TEAM))
    assert [call.method for call in bot.request.calls if call.method.startswith("send")] == []


def test_dry_run_prints_the_due_digest_and_writes_its_files(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = make_settings(url)
    period = between_runs(last_fire_times(settings.cron_trigger(), utc_now(), 3))
    with Session(engine) as session:
        writer = Writer(session)
        for pillar in ("living", "living", "economy"):
            writer.idea(pillar, period.start + (period.end - period.start) / 2, kecamatan="gambut")
        session.commit()
    engine.dispose()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_IDS": str(ADMIN_ID),
        "DATABASE_URL": url,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
    }
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            str(tmp_path / "none.env"),
            "digest",
            "--dry-run",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Ringkasan Inovasi Warga" in done.stdout
    assert "08:00 WITA – " in done.stdout  # the period runs from one Monday 08:00 to the next
    assert "<b>Ide baru: 3</b>" in done.stdout and "1. Gambut: 3" in done.stdout
    [chart] = out.glob("chart-*.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
    [workbook] = out.glob("ide-*.xlsx")
    assert openpyxl.load_workbook(workbook).active.max_row == 4
