"""/privasi and /hapusdata: what is kept, and erasing it without losing the statistics."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from bot.domain.digest.text import week_so_far
from storage import records
from storage.models import Resident, Status, StatusChange, Submission
from tests import updates as u
from tests.desk import appoint, seed
from tests.test_submission_flow import IDEA, send_button, walk_to_confirm

SITI = u.user(801, first_name="Siti Rahmah", username="siti_banjar")
OTHER = u.user(8010, first_name="Other")


async def submit_with_location(bot, who) -> None:
    await bot.deliver(u.text(who, "/ide"))
    await bot.deliver(u.text(who, IDEA))
    await bot.deliver(u.location(who, -3.41, 114.85))
    await bot.deliver(u.callback(who, "ide:pil:environment"))
    await bot.deliver(u.callback(who, "ide:name:public"))
    await bot.deliver(u.callback(who, "ide:pub:no"))
    await bot.deliver(u.callback(who, send_button(bot)))


def dump_all_tables(bot) -> str:
    engine = bot.services.db.engine
    with engine.connect() as connection:
        return "\n".join(
            repr(row)
            for name in inspect(engine).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{name}"'))
        )


async def test_privacy_says_what_why_how_long_and_who(bot):
    await bot.deliver(u.text(SITI, "/privasi"))
    text = bot.request.last_text()
    for part in (
        "Yang kami simpan",
        "Untuk apa",
        "Berapa lama",
        "Siapa yang melihat",
        "/hapusdata",
    ):
        assert part in text


async def test_consent_to_be_named_is_recorded_with_its_time(bot, clock):
    await submit_with_location(bot, SITI)
    with Session(bot.services.db.engine) as session:
        assert session.get(Resident, SITI["id"]).consent_named_at == clock.now


async def test_erasure_needs_confirmation(bot):
    await submit_with_location(bot, SITI)
    await bot.deliver(u.text(SITI, "/hapusdata"))
    assert bot.request.buttons() == ["priv:erase:yes", "priv:erase:no"]
    await bot.deliver(u.callback(SITI, "priv:erase:no"))
    assert "tidak ada yang dihapus" in bot.request.last_text()
    with Session(bot.services.db.engine) as session:
        assert session.get(Resident, SITI["id"]) is not None


async def test_erasure_removes_name_username_and_location_and_keeps_ideas_anonymous(bot):
    await submit_with_location(bot, SITI)
    await submit_with_location(bot, OTHER)
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, "Perbaiki lampu jalan di depan sekolah"))
    await bot.deliver(u.text(SITI, "/hapusdata"))
    await bot.deliver(u.callback(SITI, "priv:erase:yes"))
    assert "sudah dihapus" in bot.request.last_text() and "1 lokasi" in bot.request.last_text()

    everything = dump_all_tables(bot)
    assert "Siti Rahmah" not in everything and "siti_banjar" not in everything
    assert "-3.41" in everything  # the other resident's location stays
    with Session(bot.services.db.engine) as session:
        submissions = session.exec(select(Submission).order_by(Submission.id)).all()
        assert len(submissions) == 2
        mine, theirs = submissions
        assert (mine.resident_id, mine.anonymous, mine.latitude, mine.longitude) == (
            None,
            True,
            None,
            None,
        )
        assert mine.kecamatan is None and mine.pillar == "environment" and mine.text == IDEA
        assert theirs.resident_id == OTHER["id"] and theirs.latitude == -3.41
        actors = {c.actor_id for c in session.exec(select(StatusChange)).all()}
        assert SITI["id"] not in actors

    await bot.deliver(u.text(SITI, "/ideaku"))
    assert "belum mengirim ide" in bot.request.last_text()


async def test_erasure_drops_the_residents_updates_not_yet_handled_and_keeps_the_others(bot):
    mine = u.text(SITI, "Rumah saya di Jalan Melati 7, sampahnya menumpuk")
    theirs = u.text(OTHER, "Lampu jalan di desa kami mati")
    await bot.services.inbox.store([mine, theirs], bot.app.bot)
    await bot.services.residents.erase(SITI["id"])
    left = await bot.services.inbox.pending(bot.app.bot)
    assert [update.update_id for update in left] == [theirs["update_id"]]
    assert "Jalan Melati" not in dump_all_tables(bot)


async def test_after_erasure_former_ideas_are_similar_ideas_like_anyone_elses(bot):
    await walk_to_confirm(bot, SITI)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    await bot.deliver(u.text(SITI, "/hapusdata"))
    await bot.deliver(u.callback(SITI, "priv:erase:yes"))

    await walk_to_confirm(bot, SITI)
    summary = bot.request.last_text()
    assert "Ide serupa sudah ada" in summary and "IDE-0001" in summary


async def test_erasure_leaves_digest_and_export_figures_unchanged_and_names_gone(bot, clock):
    appoint(bot, u.user(8100, first_name="Budi"))
    named = seed(bot, SITI, anonymous=False, kecamatan="gambut")
    seed(bot, OTHER, anonymous=False, kecamatan="martapura")
    await bot.deliver(u.callback(u.user(8100, first_name="Budi"), f"rev:take:{named.id}:1"))
    period = week_so_far(clock.now, bot.services.settings.timezone)

    def export():
        return bot.services.db.call(records.export_rows, criteria=records.Criteria())

    figures_before, rows_before = await bot.services.digest_builder.figures(period), export()
    assert "Siti Rahmah" in [row.resident_name for row in rows_before]

    await bot.services.residents.erase(SITI["id"])

    assert await bot.services.digest_builder.figures(period) == figures_before
    rows_after = export()
    assert [replace(row, resident_name=None) for row in rows_after] == [
        replace(row, resident_name=None) for row in rows_before
    ]
    names = [row.resident_name for row in rows_after]
    assert "Siti Rahmah" not in names and "Other" in names


async def test_the_digest_carries_no_telegram_id_phone_number_or_unconsented_name(bot, clock):
    contact = "Hubungi saya di 0812-3456-7890 atau siti@contoh.id, @siti_banjar"
    seed(bot, SITI, text=f"Bank sampah di tiap desa. {contact}", anonymous=True)
    seed(bot, OTHER, anonymous=False)
    period = week_so_far(clock.now + timedelta(hours=1), bot.services.settings.timezone)
    digest = await bot.services.digest_builder.build(period, "id")
    sheet = load_workbook(io.BytesIO(digest.workbook)).active
    cells = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    for where in (*digest.messages, cells):
        for secret in (
            "0812-3456-7890",
            "siti@contoh.id",
            "siti_banjar",
            "Siti Rahmah",
            str(SITI["id"]),
        ):
            assert secret not in where
    assert "Bank sampah di tiap desa" in cells and "Other" in cells


async def test_exports_and_the_evidence_report_carry_no_phone_number_e_mail_or_at_name(bot, clock):
    contact = "Hubungi saya di 0812-3456-7890 atau siti@contoh.id, @siti_banjar"
    seed(bot, SITI, text=f"Bank sampah di tiap desa. {contact}", status=Status.IMPLEMENTED)
    budi = u.user(8100, first_name="Budi")
    appoint(bot, budi)
    await bot.deliver(u.text(budi, "/ekspor"))
    [(_, csv_file), (_, xlsx_file)] = bot.request.uploads("sendDocument")
    sheet = load_workbook(io.BytesIO(xlsx_file)).active
    export = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    report = await bot.services.reports.build(
        clock.now - timedelta(days=1), clock.now + timedelta(days=1), "id"
    )
    book = load_workbook(io.BytesIO(report.workbook))
    implemented = " ".join(
        str(cell.value) for row in book["Terlaksana"].iter_rows() for cell in row
    )
    for content in (csv_file.decode("utf-8-sig"), export, implemented):
        assert "Bank sampah di tiap desa" in content
        for secret in ("0812-3456-7890", "siti@contoh.id", "siti_banjar"):
            assert secret not in content
