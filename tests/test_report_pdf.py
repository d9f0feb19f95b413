"""The evidence report as PDF: it opens, holds its sections, shows the same per-pillar figures as
the workbook, embeds evidence photos, says so when a period is empty, and /laporan and
``python -m bot report`` make it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session

from bot.cli import digest as digest_cli
from bot.domain.evidence_pdf import Contribution, number
from storage.models import Photo, Submission
from tests import updates as u
from tests.conftest import ADMIN_ID, make_settings
from tests.digest_data import NOW, seed_week, wita

ADMIN = u.user(ADMIN_ID, first_name="Admin")
SPAN = (wita(16, 0), wita(30, 0))  # 16 to 29 November, both days included
PILLARS = (
    "Smart Governance",
    "Smart Branding",
    "Smart Economy",
    "Smart Living",
    "Smart Society",
    "Smart Environment",
)


@pytest.fixture
async def bot(bot_factory, database_url, clock):
    clock.now = NOW
    async with bot_factory(make_settings(database_url)) as harness:
        seed_week(harness.services.db.engine)
        yield harness


def text_of(pdf: bytes) -> tuple[PdfReader, list[str]]:
    """The document and each page's text with its white space made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


async def test_the_pdf_holds_its_sections_and_the_workbooks_figures(bot):
    built = await bot.services.reports.build(*SPAN, "id")
    assert built.pdf_name == "laporan-inovasi-warga-2026-11-16-2026-11-29.pdf"
    reader, pages = text_of(built.pdf)
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    cover = pages[0]
    for line in (
        "Gerakan Menuju 100 Smart City",
        "Kabupaten Banjar",
        "Periode: 16 Nov 2026 – 29 Nov 2026 (WITA)",
        "Dibuat: 30 Nov 2026 08:30 WITA",
    ):
        assert line in cover
    outline = [item.title for item in reader.outline]
    assert outline[0] == "Ringkasan" and outline[-2:] == [
        "Partisipasi per kecamatan",
        "Ide per bulan",
    ]
    assert [title.split(" — ")[0] for title in outline[1:-2]] == list(PILLARS)
    assert "Kontribusi per SKPD" not in " ".join(pages)

    summary = pages[1]
    assert "Ide masuk 14 0 +14" in summary and "Warga yang ikut serta 2 0 +2" in summary
    assert "2 Nov 2026 – 15 Nov 2026" in summary  # the previous fourteen days

    book = openpyxl.load_workbook(io.BytesIO(built.workbook))
    sheet = [tuple("" if c is None else c for c in row) for row in book["Ringkasan"].values]
    rows = {row[0]: row[1:7] for row in sheet[6:12]}
    assert set(rows) == set(PILLARS)
    document = " ".join(pages)
    for name, (ideas, accepted, implemented, rejected, first, decision) in rows.items():
        first, decision = (days if days == "" else float(days) for days in (first, decision))
        figures = (
            f"Ide: {ideas} · Diterima: {accepted} · Terlaksana: {implemented} · "
            f"Ditolak: {rejected} · Median tanggapan pertama: {number(first, 'id')} hari · "
            f"Median keputusan: {number(decision, 'id')} hari"
        )
        assert figures in document, name
    assert "Median tanggapan pertama: 1,1 hari · Median keputusan: 1,1 hari" in document
    places = {row[0]: row[1:] for row in book["Kecamatan"].values}
    martapura = " ".join(number(value, "id") for value in places["Martapura"])
    assert f"Martapura {martapura}" in document  # "Martapura 4 1 2 0 28,6"
    assert "2026-11 2 1 2 4 1 4 14" in document
    assert "IDE-0003 · Gambut · Terlaksana pada: –" in document  # in Smart Economy


async def test_the_pdf_speaks_english_when_asked(bot):
    built = await bot.services.reports.build(*SPAN, "en")
    _, pages = text_of(built.pdf)
    assert "Period: 16 Nov 2026 – 29 Nov 2026 (WITA)" in pages[0]
    assert "Ideas received 14 0 +14" in pages[1]
    assert "Median first response: 1.1 days" in " ".join(pages)


async def test_evidence_photos_are_embedded_and_a_missing_one_is_left_out(bot):
    with Session(bot.services.db.engine) as session:
        for position, file_id in enumerate(("photo-red", "photo-lost", "photo-blue")):
            session.add(
                Photo(submission_id=3, position=position, file_id=file_id, file_unique_id=file_id)
            )
        session.commit()
    asked = []

    async def photos(file_id: str) -> bytes | None:
        asked.append(file_id)
        return {"photo-red": jpeg("red"), "photo-blue": jpeg("blue")}.get(file_id)

    built = await bot.services.reports.build(*SPAN, "id", photos=photos)
    assert asked == ["photo-red", "photo-lost", "photo-blue"]
    reader, pages = text_of(built.pdf)
    [page] = [n for n, text in enumerate(pages) if "IDE-0003 · Gambut" in text]
    assert len(reader.pages[page].images) == 1 + 2  # the pillar's chart and two photos
    without = await bot.services.reports.build(*SPAN, "id")
    assert len(PdfReader(io.BytesIO(without.pdf)).pages[page].images) == 1


async def test_contact_details_in_an_implemented_idea_are_blanked(bot):
    with Session(bot.services.db.engine) as session:
        idea = session.get(Submission, 3)
        idea.text = "Pasar tani tiap Sabtu, hubungi 0812-3456-7890 atau tani@contoh.id"
        session.add(idea)
        session.commit()
    built = await bot.services.reports.build(*SPAN, "id")
    document = " ".join(text_of(built.pdf)[1])
    assert "Pasar tani tiap Sabtu, hubungi […] atau […]" in document
    assert "3456" not in document and "contoh.id" not in document


async def test_an_empty_period_gives_a_short_pdf_that_says_so(bot):
    built = await bot.services.reports.build(wita(1, 0, month=1), wita(1, 0, month=2), "id")
    reader, pages = text_of(built.pdf)
    assert len(reader.pages) == 2 and built.ideas == 0
    assert "Tidak ada ide yang masuk pada periode 1 Jan 2026 – 31 Jan 2026" in pages[1]


async def test_the_skpd_section_renders_from_rows_when_there_are_some(bot):
    rows = Contribution(
        headers=("SKPD", "Ide ditangani", "Terlaksana"),
        rows=[("Dinas Lingkungan Hidup", 4, 1), ("Dinas Kominfo", 2, 0)],
    )
    built = await bot.services.reports.build(*SPAN, "id", contribution=rows)
    reader, pages = text_of(built.pdf)
    assert reader.outline[-1].title == "Kontribusi per SKPD"
    assert "Dinas Lingkungan Hidup 4 1" in pages[-1] and "Dinas Kominfo 2 0" in pages[-1]
    empty = await bot.services.reports.build(*SPAN, "id", contribution=Contribution(("SKPD",), []))
    assert "Kontribusi per SKPD" not in " ".join(text_of(empty.pdf)[1])


async def test_laporan_sends_the_pdf_beside_the_workbook(bot):
    await bot.deliver(u.text(ADMIN, "/laporan 2026-11-16 2026-11-29"))
    pdf, workbook = bot.request.of("sendDocument")
    assert "16 Nov 2026 – 29 Nov 2026: 14 ide" in pdf["caption"] == workbook["caption"]
    (pdf_name, pdf_file), (book_name, book_file) = bot.request.uploads("sendDocument")
    assert pdf_name == "laporan-inovasi-warga-2026-11-16-2026-11-29.pdf"
    assert pdf_file.startswith(b"%PDF") and book_file.startswith(b"PK\x03\x04")
    assert book_name.endswith(".xlsx")


@pytest.mark.parametrize(
    ("out", "chosen", "written"),
    [
        ("report.pdf", None, ["report.pdf"]),
        ("report.xlsx", None, ["report.xlsx"]),
        ("report.pdf", "both", ["report.pdf", "report.xlsx"]),
        ("report", "pdf", ["report"]),
    ],
)
async def test_the_command_line_format_follows_the_file_name(
    bot, tmp_path, database_url, out, chosen, written
):
    settings = make_settings(database_url)
    code = await digest_cli.report(
        settings, "2026-11-16", "2026-11-29", tmp_path / out, "id", chosen
    )
    assert code == 0
    assert sorted(path.name for path in tmp_path.glob("report*")) == written
    for name in written:
        head = (tmp_path / name).read_bytes()[:4]
        assert head == (b"PK\x03\x04" if name.endswith(".xlsx") else b"%PDF")


def test_counting_axes_tick_at_whole_numbers_and_pillars_keep_their_style():
    from bot.domain.charts import new_figure, pillar_styles, whole_numbers

    figure = new_figure(figsize=(4, 3))
    axes = figure.subplots()
    axes.bar(["a", "b"], [1, 2])
    whole_numbers(axes.yaxis)
    figure.canvas.draw()
    assert [tick for tick in axes.get_yticks() if 0 <= tick <= 2] == [0, 1, 2]

    keys = ("governance", "branding", "economy", "living", "society", "environment")
    styles = pillar_styles(keys)
    assert len({style.colour for style in styles.values()}) == len(keys)
    assert len({style.hatch for style in styles.values()}) == len(keys)  # apart in grey
    assert pillar_styles(keys[:3]) == {key: styles[key] for key in keys[:3]}


async def test_laporan_fetches_the_photos_from_telegram_and_embeds_them(bot):
    with Session(bot.services.db.engine) as session:
        for position, file_id in enumerate(("photo-kept", "photo-gone")):
            session.add(
                Photo(submission_id=3, position=position, file_id=file_id, file_unique_id=file_id)
            )
        session.commit()
    request = bot.request
    request.answers["getFile"] = lambda params: {
        "file_id": params["file_id"],
        "file_unique_id": params["file_id"],
        "file_path": f"photos/{params['file_id']}.jpg",
    }
    answer = request.do_request

    async def do_request(url, method, request_data=None, **kwargs):
        if "/file/" in url:  # the download itself
            return (200, jpeg("green")) if "photo-kept" in url else (404, b"")
        return await answer(url, method, request_data, **kwargs)

    request.do_request = do_request
    await bot.deliver(u.text(ADMIN, "/laporan 2026-11-16 2026-11-29"))
    assert [params["file_id"] for params in request.of("getFile")] == ["photo-kept", "photo-gone"]
    (_, pdf), _ = request.uploads("sendDocument")
    reader, pages = text_of(pdf)
    [page] = [n for n, text in enumerate(pages) if "IDE-0003 · Gambut" in text]
    assert len(reader.pages[page].images) == 1 + 1  # the pillar's chart and the one photo
