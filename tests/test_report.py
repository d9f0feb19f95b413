"""The evaluation evidence report: its sheets and figures for a known data set, /laporan, and
``python -m bot report``."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bot import cli
from bot.cli import digest as digest_cli
from bot.domain.evidence import median_hours
from bot.domain.reports import SpanError, report_span
from tests import updates as u
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tests.digest_data import NOW, WITA, seed_week, wita

ADMIN = u.user(ADMIN_ID, first_name="Admin")
SPAN = (wita(16, 0), wita(30, 0))  # 16 to 29 November, both days included


@pytest.fixture
async def bot(bot_factory, database_url, clock):
    clock.now = NOW
    async with bot_factory(make_settings(database_url)) as harness:
        seed_week(harness.services.db.engine)
        yield harness


def rows(sheet) -> list[tuple]:
    return [tuple("" if cell is None else cell for cell in row) for row in sheet.values]


async def test_the_workbook_of_a_known_fortnight(bot):
    built = await bot.services.reports.build(*SPAN, "id")
    assert built.ideas == 14
    assert built.file_name == "laporan-inovasi-warga-2026-11-16-2026-11-29.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(built.workbook))
    assert book.sheetnames == ["Ringkasan", "Terlaksana", "Kecamatan", "Per bulan", "SKPD"]

    summary = rows(book["Ringkasan"])
    assert summary[0][0] == "Laporan bukti evaluasi Inovasi Warga — Kabupaten Banjar"
    assert summary[1][0] == "Periode: 16 Nov 2026 – 29 Nov 2026 (WITA)"
    assert summary[5][:6] == (
        "Pilar",
        "Ide",
        "Diterima",
        "Terlaksana",
        "Ditolak",
        "Dukungan warga",
    )
    table = {row[0]: row[1:8] for row in summary[6:13]}
    assert table == {
        "Smart Governance": (2, 0, 0, 0, 3, 6.0, ""),
        "Smart Branding": (1, 0, 0, 0, 0, "", ""),
        "Smart Economy": (2, 1, 1, 0, 0, "", ""),
        "Smart Living": (4, 1, 0, 1, 1, "", 9.5),
        "Smart Society": (1, 0, 0, 0, 0, "", ""),
        "Smart Environment": (4, 1, 0, 0, 1, 1.1, 1.1),
        "Jumlah": (14, 3, 1, 1, 5, 3.0, 9.0),
    }

    implemented = rows(book["Terlaksana"])
    assert implemented[0] == (
        "Kode",
        "Pilar",
        "Kecamatan",
        "Masuk",
        "Terlaksana pada",
        "Uraian singkat",
    )
    assert implemented[1][:5] == ("IDE-0003", "Smart Economy", "Gambut", "2026-11-18", "")
    assert len(implemented) == 2

    places = {row[0]: row[1:] for row in rows(book["Kecamatan"])[1:]}
    assert len(places) == 21
    assert places["Martapura"] == (4, 1, 2, 0, 28.6)
    assert places["Gambut"] == (3, 1, 1, 1, 21.4)
    assert places["(tidak disebut)"][0] == 3 and places["Aluh-Aluh"][0] == 0

    months = rows(book["Per bulan"])
    assert months[0][0] == "Bulan" and months[0][-1] == "Jumlah"
    assert months[1] == ("2026-11", 2, 1, 2, 4, 1, 4, 14)

    with zipfile.ZipFile(io.BytesIO(built.workbook)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == 3


async def test_laporan_sends_the_report_for_the_dates_given(bot):
    await bot.deliver(u.text(ADMIN, "/laporan 2026-11-16 2026-11-29"))
    _, document = bot.request.of("sendDocument")
    assert "16 Nov 2026 – 29 Nov 2026: 14 ide" in document["caption"]
    await bot.deliver(u.text(ADMIN, "/laporan 2026-11-29 2026-11-16"))
    assert "TTTT-BB-HH" in bot.request.last_text(ADMIN_ID)


async def test_the_command_line_writes_the_report(bot, tmp_path, database_url):
    target = tmp_path / "report.xlsx"
    settings = make_settings(database_url)
    code = await digest_cli.report(settings, "2026-11-16", "2026-11-29", target, "en")
    assert code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Implemented", "Kecamatan", "By month", "SKPD"]
    assert rows(book["Summary"])[12][:2] == ("Total", 14)


@pytest.mark.parametrize("where", ["missing/report.xlsx", "."])
def test_the_command_line_says_in_one_line_when_it_cannot_write(
    tmp_path, monkeypatch, capsys, where
):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN_ID))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    env_file = str(tmp_path / "none.env")
    target = str(tmp_path / where)
    assert cli.main(["--env-file", env_file, "report", "--out", target]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("Report failed: [Errno")


def test_report_dates_are_whole_days_in_wita():
    assert report_span("2026-11-16", "2026-11-29", NOW, WITA) == SPAN
    assert report_span(None, None, NOW, WITA) == (wita(1, 0, month=1), wita(1, 0, month=12))
    with pytest.raises(SpanError):
        report_span("2026-11-29", "2026-11-16", NOW, WITA)
    for unlike_the_usage in ("16/11/2026", "20261116", "2026-W47-1"):
        with pytest.raises(SpanError):
            report_span(unlike_the_usage, "2026-11-29", NOW, WITA)
    for first, last in (("0001-01-01", "2026-01-01"), ("2026-01-01", "9999-12-31")):
        with pytest.raises(SpanError):
            report_span(first, last, NOW, WITA)


async def test_laporan_at_the_ends_of_the_calendar_gets_the_usage(bot):
    await bot.deliver(u.text(ADMIN, "/laporan 9999-12-30 9999-12-31"))
    assert "TTTT-BB-HH" in bot.request.last_text(ADMIN_ID)


def test_medians_come_from_hour_histograms():
    assert median_hours({}) is None
    assert median_hours({3: 1, 26: 1, 120: 1}) == 26
    assert median_hours({3: 1, 26: 1, 120: 1, 143: 1}) == 73
    assert median_hours({5: 1000, 7: 1}) == 5
