"""Finding and counting: the filter language, /cari, /statistik with its chart, /ekspor's files."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.core.catalogue import load_catalogue
from bot.domain.records import iso_weeks
from bot.domain.search import FilterError, Problem, parse
from storage import queries
from storage import records as store
from storage.engine import Database
from storage.models import Status, Submission
from tests import updates as u
from tests.desk import BUDI, IDEA, JOHN, RINA, SITI, appoint, seed

WITA = ZoneInfo("Asia/Makassar")
CATALOGUE = load_catalogue()
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
FLOOD = "Banjir di Martapura setiap hujan deras, drainase perlu dibersihkan dan diperlebar"


# The filter language --------------------------------------------------------------------------


def test_words_and_every_filter_are_read_with_local_day_bounds():
    criteria = parse(
        "banjir Drainase pilar:environment status:new kec:martapura "
        "sejak:2026-11-01 sampai:2026-11-30",
        CATALOGUE,
        WITA,
    )
    assert criteria.words == ("banjir", "Drainase")
    assert (criteria.pillar, criteria.status, criteria.kecamatan) == (
        "environment",
        "new",
        "martapura",
    )
    assert criteria.since == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert criteria.until == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_dates_at_the_ends_of_the_calendar_are_no_bound():
    criteria = parse("sejak:0001-01-01 sampai:9999-12-31", CATALOGUE, WITA)
    assert (criteria.since, criteria.until) == (None, None)
    criteria = parse("sejak:0001-01-02 sampai:9999-12-30", CATALOGUE, WITA)
    assert criteria.since.date() == date(1, 1, 1)  # the zone's local mean time, then
    assert criteria.until == datetime(9999, 12, 30, 16, 0, tzinfo=UTC)


async def test_search_stats_and_export_take_dates_at_the_ends_of_the_calendar(bot):
    appoint(bot, BUDI)
    seed(bot, SITI, FLOOD)
    await bot.deliver(u.text(BUDI, "/cari banjir sejak:0001-01-01 sampai:9999-12-31"))
    assert "IDE-0001" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, "/statistik sejak:0001-01-01"))
    await bot.deliver(u.text(BUDI, "/ekspor sampai:9999-12-31"))
    assert len(bot.request.uploads("sendDocument")) == 2
    assert not any("kesalahan" in text for text in bot.request.texts())


def test_english_filter_names_and_any_case_are_accepted():
    criteria = parse("PILLAR:Living since:2026-01-05 Kecamatan:gambut", CATALOGUE, WITA)
    assert (criteria.pillar, criteria.kecamatan, criteria.words) == ("living", "gambut", ())


@pytest.mark.parametrize(
    ("query", "problem", "valid_contains"),
    [
        ("banjir warna:merah", Problem.UNKNOWN_FILTER, "pilar"),
        ("pilar:ekonomi", Problem.BAD_VALUE, "economy"),
        ("status:baru", Problem.BAD_VALUE, "needs_info"),
        ("kec:banjarbaru", Problem.BAD_VALUE, "martapura-barat"),
        ("sejak:2026-13-01", Problem.BAD_DATE, "2026-11-01"),
        ("sejak:kemarin", Problem.BAD_DATE, "2026-11-01"),
        ("sampai:2026-1-5", Problem.BAD_DATE, "2026-11-01"),
        ("sejak:2026-11-30 sampai:2026-11-01", Problem.DATE_ORDER, "2026-11-30"),
        ("pilar:living pillar:economy", Problem.REPEATED, ""),
    ],
)
def test_bad_filters_say_what_is_wrong_and_what_is_valid(query, problem, valid_contains):
    with pytest.raises(FilterError) as caught:
        parse(query, CATALOGUE, WITA)
    assert caught.value.problem is problem
    assert valid_contains in ", ".join(caught.value.valid)


async def test_search_answers_bad_filters_with_the_valid_values_in_the_officers_language(bot):
    appoint(bot, BUDI)
    appoint(bot, RINA)
    await bot.deliver(u.text(BUDI, "/cari banjir pilar:ekonomi"))
    error = bot.request.last_text(BUDI["id"])
    assert "tidak berlaku untuk filter pilar" in error
    assert "governance, branding, economy, living, society, environment" in error
    await bot.deliver(u.text(RINA, "/search since:yesterday"))
    assert "cannot be read" in bot.request.last_text(RINA["id"])
    await bot.deliver(u.text(RINA, "/search status:<i>"))
    assert "“&lt;i&gt;”" in bot.request.last_text(RINA["id"])


async def test_search_finds_by_words_and_filters_newest_first(bot, clock):
    appoint(bot, BUDI)
    seed(bot, text=FLOOD, created_at=datetime(2026, 11, 2, 1, tzinfo=UTC))
    seed(bot, text=FLOOD + " lagi", kecamatan="gambut")
    seed(bot, text=IDEA)
    await bot.deliver(u.text(BUDI, "/cari BANJIR drainase"))
    found = bot.request.last_text(BUDI["id"])
    assert "2 ide" in found and found.index("IDE-0002") < found.index("IDE-0001")
    assert "IDE-0003" not in found and bot.request.buttons() == ["rvv:2", "rvv:1"]
    await bot.deliver(u.text(BUDI, "/cari banjir kec:martapura sampai:2026-11-02"))
    found = bot.request.last_text(BUDI["id"])
    assert "1 ide" in found and "IDE-0001" in found
    await bot.deliver(u.text(BUDI, "/cari banjir sejak:2026-11-28"))
    assert "Tidak ada ide yang cocok" in bot.request.last_text(BUDI["id"])


# Counting -------------------------------------------------------------------------------------


def test_days_fold_into_iso_weeks_across_the_new_year():
    days = {date(2026, 12, 28): 2, date(2027, 1, 3): 1, date(2027, 1, 4): 4, date(2025, 12, 30): 1}
    assert iso_weeks(days) == [("2026-W01", 1), ("2026-W53", 3), ("2027-W01", 4)]


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


async def test_stats_count_by_pillar_status_week_and_kecamatan_with_a_png_chart(bot):
    appoint(bot, BUDI)
    seed(bot, created_at=datetime(2026, 11, 22, 17, tzinfo=UTC))  # Monday 23 Nov in WITA
    seed(bot, pillar="living", kecamatan="gambut", status=Status.ACCEPTED)
    seed(bot, kecamatan=None)
    await bot.deliver(u.text(BUDI, "/statistik"))
    text = bot.request.last_text(BUDI["id"])
    assert "3 ide" in text
    assert "• Smart Environment: 2" in text and "• Smart Living: 1" in text
    assert "• Smart Economy: 0" in text
    assert "• Baru: 2" in text and "• Diterima: 1" in text
    assert "• 2026-W48: 3" in text
    assert "• Martapura: 1" in text and "• Gambut: 1" in text and "• tanpa kecamatan: 1" in text
    [(name, chart)] = bot.request.uploads("sendPhoto")
    assert name.endswith(".png") and png_size(chart) == (1100, 800)
    await bot.deliver(u.text(BUDI, "/statistik pilar:living"))
    assert "1 ide" in bot.request.texts(BUDI["id"])[-1]
    await bot.deliver(u.text(BUDI, "/statistik kec:paramasan"))
    assert "Tidak ada ide" in bot.request.last_text(BUDI["id"])


# Exports --------------------------------------------------------------------------------------


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet's cells as text (XlsxWriter writes strings to the shared table)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        shared = re.findall(r"<t[^>]*>(.*?)</t>", book.read("xl/sharedStrings.xml").decode(), re.S)
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    return [
        [
            shared[int(index)]
            for index in re.findall(r'<c r="[A-Z]+\d+"[^>]*t="s"[^>]*><v>(\d+)</v>', row)
        ]
        for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S)
    ]


async def test_export_sends_csv_and_xlsx_with_names_only_where_consented(bot):
    appoint(bot, BUDI)
    seed(bot, SITI, '=HYPERLINK("http://x") ' + IDEA)
    seed(bot, JOHN, FLOOD, anonymous=True)
    seed(bot, None, IDEA + " tanpa warga", kecamatan=None)
    await bot.deliver(u.text(BUDI, "/ekspor"))
    [(csv_name, csv_file), (xlsx_name, xlsx_file)] = bot.request.uploads("sendDocument")
    assert csv_name.endswith(".csv") and xlsx_name.endswith(".xlsx")
    assert csv_file.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))
    header = [
        "kode",
        "diterima (WITA)",
        "diperbarui (WITA)",
        "status",
        "pilar",
        "kecamatan",
        "isi",
        "nama warga",
        "skpd",
    ]
    assert table[0] == header
    assert table[1][:6] == [
        "IDE-0001",
        "2026-11-27 10:00",
        "2026-11-27 10:00",
        "Baru",
        "Smart Environment",
        "Martapura",
    ]
    assert table[1][6].startswith("'=HYPERLINK") and table[1][7] == "Siti"
    assert table[2][0] == "IDE-0002" and table[2][7] == ""
    assert table[3][5] == "" and table[3][7] == ""
    sheet = xlsx_rows(xlsx_file)
    assert sheet[0] == header and sheet[1][7] == "Siti" and len(sheet) == 4
    assert openpyxl.load_workbook(io.BytesIO(xlsx_file)).sheetnames == ["Ide warga"]
    for content in (csv_file, xlsx_file, *map(str.encode, sheet[1])):
        for private in (b"611", b"612", b"siti_banjar", b"John"):
            assert private not in content


async def test_an_idea_sent_anonymously_exports_without_the_name_its_resident_consented_to(bot):
    appoint(bot, BUDI)
    seed(bot, SITI, IDEA)
    seed(bot, SITI, FLOOD, anonymous=True)
    await bot.deliver(u.text(BUDI, "/ekspor"))
    [(_, csv_file), (_, xlsx_file)] = bot.request.uploads("sendDocument")
    table = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))
    assert [(row[0], row[7]) for row in table[1:]] == [("IDE-0001", "Siti"), ("IDE-0002", "")]
    assert [row[7] for row in xlsx_rows(xlsx_file)[1:]] == ["Siti", ""]


async def test_export_follows_filters_and_the_officers_language(bot):
    appoint(bot, RINA)
    seed(bot, SITI, FLOOD)
    seed(bot, SITI, IDEA, pillar="living")
    await bot.deliver(u.text(RINA, "/export pillar:living"))
    [(_, csv_file), (_, xlsx_file)] = bot.request.uploads("sendDocument")
    table = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))
    assert table[0][0] == "code" and table[0][7] == "resident name"
    assert openpyxl.load_workbook(io.BytesIO(xlsx_file)).sheetnames == ["Residents' ideas"]
    assert [row[0] for row in table[1:]] == ["IDE-0002"] and table[1][3] == "New"
    await bot.deliver(u.text(RINA, "/export pillar:branding"))
    assert "nothing to export" in bot.request.last_text(RINA["id"])


async def test_an_erased_resident_is_no_longer_named_in_exports(bot):
    appoint(bot, BUDI)
    seed(bot, SITI)
    await bot.services.residents.erase(SITI["id"])
    await bot.deliver(u.text(BUDI, "/ekspor"))
    [(_, csv_file), _] = bot.request.uploads("sendDocument")
    assert list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))[1][7] == ""


# The same queries on PostgreSQL ---------------------------------------------------------------


def add(db: Database, key: str, created_at: datetime, **fields) -> None:
    values = dict(
        draft_key=key,
        text=FLOOD,
        pillar="environment",
        suggested_pillar="environment",
        confidence=0.9,
        status=Status.NEW,
        created_at=created_at,
        updated_at=created_at,
    )
    values.update(fields)
    db.call_write(
        queries.create_submission,
        submission=Submission(**values),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )


def test_counts_group_by_local_day_and_search_escapes_like(db):
    late = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on Monday 23 Nov in WITA
    add(db, "a", late, kecamatan="martapura")
    add(db, "b", late.replace(hour=15), text="100% gratis untuk warga desa sekitar sungai")
    everything = store.Criteria()
    days = db.call(store.count_by_day, criteria=everything, zone=WITA, moment=late)
    assert days == {date(2026, 11, 22): 1, date(2026, 11, 23): 1}
    assert db.call(store.count_by, field="kecamatan", criteria=everything) == {
        "martapura": 1,
        None: 1,
    }
    found, total = db.call(store.search, criteria=store.Criteria(words=("100%",)), limit=5)
    assert total == 1 and found[0].code == "IDE-0002"
    _, total = db.call(store.search, criteria=store.Criteria(words=("0%g",)), limit=5)
    assert total == 0


def test_an_export_names_only_residents_whose_consent_is_recorded(db):
    for user_id, consented in ((1, True), (2, False)):
        db.call_write(
            queries.upsert_resident,
            user_id=user_id,
            first_name=f"Warga {user_id}",
            username=None,
            telegram_language="id",
            now=NOW,
            consent=consented,
        )
        add(db, f"named-{user_id}", NOW, resident_id=user_id, anonymous=False)
    rows = db.call(store.export_rows, criteria=store.Criteria())
    assert [(row.code, row.resident_name) for row in rows] == [
        ("IDE-0001", "Warga 1"),
        ("IDE-0002", None),
    ]


@pytest.mark.parametrize("query", ["pilar:" + "x" * 4080, "q" * 4080 + ":x", "sejak:" + "9" * 4080])
async def test_a_very_long_bad_filter_is_quoted_clipped(bot, query):
    appoint(bot, BUDI)
    await bot.deliver(u.text(BUDI, "/cari " + query))
    answer = bot.request.last_text(BUDI["id"])
    assert len(answer) < 500 and "…" in answer
