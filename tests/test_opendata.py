"""The open dataset: what it holds, what it must never hold, the command and the weekly job."""

from __future__ import annotations

import csv
import io
import json
import re

from bot.cli import main
from bot.domain.opendata import COLUMNS, DATA_CSV, DATA_JSON, DICTIONARY_CSV, README
from bot.runtime import jobs
from storage.models import Status, Submission
from tests import updates as u
from tests.conftest import ADMIN_ID, TOKEN, make_settings
from tests.desk import seed
from tests.test_public import publish

# Residents whose names, usernames, ids and contacts are planted in their ideas' texts.
SITI = u.user(7301234567, first_name="Siti Rahmah", username="siti_banjar")
AHMAD = u.user(5550001112, first_name="Ahmad", username="ahmad_gambut")
PRIVATE = {
    "Siti",
    "Rahmah",
    "siti_banjar",
    "7301234567",
    "Ahmad",
    "ahmad_gambut",
    "5550001112",
    "0812-3456-7890",
    "081234567890",
    "+62 812 3456 7890",
    "siti.rahmah@gmail.com",
    "ahmad@desa.id",
}
PLANTED = [
    (SITI, "Saya Siti Rahmah, hubungi 0812-3456-7890 atau siti.rahmah@gmail.com: bank sampah desa"),
    (SITI, "Bank sampah di Martapura (akun @siti_banjar, id 7301234567), WA 081234567890"),
    (AHMAD, "Ahmad di sini, +62 812 3456 7890, ahmad@desa.id; lampu jalan Gambut mati semua"),
    (AHMAD, "Drainase di pasar Gambut tersumbat, kata ahmad_gambut yang tinggal di situ"),
]


def seed_dataset(bot) -> None:
    for who, text in PLANTED:
        publish(bot, who, text, status=Status.ACCEPTED, kecamatan="martapura")
    publish(
        bot,
        AHMAD,
        "Ide anonim dari Ahmad tanpa kecamatan",
        anonymous=True,
        kecamatan=None,
        status=Status.ACCEPTED,
    )
    # Never in the dataset: not consented, not accepted yet, rejected.
    seed(bot, SITI, "Siti tidak mengizinkan ide ini tampil ke publik", status=Status.ACCEPTED)
    publish(bot, SITI, "Ide Siti yang masih baru dan belum ditinjau", status=Status.NEW)
    publish(bot, SITI, "Ide Siti yang ditolak tim e-government", status=Status.REJECTED)


def cells(folder) -> tuple[list[str], list[list[str]], list[dict]]:
    text = (folder / DATA_CSV).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    records = json.loads((folder / DATA_JSON).read_text(encoding="utf-8"))["data"]
    return header, rows, records


async def test_the_dataset_holds_no_name_username_telegram_id_phone_or_email(bot, tmp_path):
    seed_dataset(bot)
    written = await bot.services.opendata.write(tmp_path)
    header, rows, records = cells(tmp_path)
    assert written.ideas == len(rows) == len(records) == 5
    everything = [*header, *(cell for row in rows for cell in row)]
    everything += [str(value) for record in records for value in (*record, *record.values())]
    everything += [(tmp_path / name).read_text(encoding="utf-8") for name in (README,)]
    for cell in everything:
        for private in PRIVATE:
            assert private.lower() not in cell.lower(), (private, cell)
    assert not any(re.search(r"\d{8,}", cell) for cell in everything)
    assert "[…]" in rows[0][header.index("teks_ide")]  # blanked, not dropped
    assert "bank sampah desa" in rows[0][header.index("teks_ide")]


async def test_the_dataset_has_regional_codes_and_the_same_rows_in_csv_and_json(bot, tmp_path):
    seed_dataset(bot)
    await bot.services.opendata.write(tmp_path)
    header, rows, records = cells(tmp_path)
    assert header == [column for column, _, _ in COLUMNS]
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        {key: str(value) for key, value in record.items()} for record in records
    ]
    first = records[0]
    assert (first["kode_provinsi"], first["kode_kabupaten_kota"]) == ("63", "63.03")
    assert (first["kode_kecamatan"], first["nama_kecamatan"]) == ("63.03.05", "Martapura")
    assert (first["kode_ide"], first["status"], first["tanggal_masuk"]) == (
        "IDE-0001",
        "accepted",
        "2026-11-27",
    )
    assert records[-1]["kode_kecamatan"] == "" and records[-1]["nama_kecamatan"] == ""
    dictionary = (tmp_path / DICTIONARY_CSV).read_text(encoding="utf-8-sig")
    assert all(column in dictionary for column in header)
    readme = (tmp_path / README).read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "100.1.1-6117" in readme and "Yang tidak dimuat" in readme


async def test_supports_are_counted_in_the_dataset(bot, tmp_path):
    publish(bot, SITI, "Bank sampah di setiap desa agar sungai bersih", status=Status.ACCEPTED)
    for voter in (AHMAD, u.user(42, first_name="Rini")):
        await bot.deliver(u.text(voter, "/start dukung-IDE-0001"))
    await bot.services.opendata.write(tmp_path)
    [record] = cells(tmp_path)[2]
    assert record["jumlah_dukungan"] == 2


def test_the_command_writes_the_dataset(bot, tmp_path, capsys):
    seed_dataset(bot)
    env = tmp_path / "bot.env"
    env.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS={ADMIN_ID}\n"
        f"DATABASE_URL={bot.services.settings.database_url}\n"
    )
    out = tmp_path / "terbuka"
    assert main(["--env-file", str(env), "opendata", "--out", str(out)]) == 0
    assert "5 published idea(s)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [DATA_CSV, DATA_JSON, DICTIONARY_CSV, README]
    )


async def test_the_weekly_job_writes_into_opendata_dir(bot_factory, database_url, tmp_path):
    folder = tmp_path / "opendata"
    settings = make_settings(database_url, OPENDATA_DIR=str(folder))
    async with bot_factory(settings) as bot:
        publish(bot, SITI, "Bank sampah di setiap desa agar sungai bersih", status=Status.ACCEPTED)
        bot.app.job_queue.scheduler.pause()  # only the test runs the job
        jobs.schedule_opendata(bot.app)
        [job] = bot.app.job_queue.get_jobs_by_name(jobs.OPENDATA_JOB)
        await job.run(bot.app)
        assert len(cells(folder)[1]) == 1


async def test_without_opendata_dir_there_is_no_job(bot):
    jobs.schedule_opendata(bot.app)
    assert bot.app.job_queue.get_jobs_by_name(jobs.OPENDATA_JOB) == ()


async def test_the_skpd_an_idea_is_with_is_a_column(bot, tmp_path):
    forwarded = publish(bot, SITI, "Bank sampah di setiap desa", status=Status.IN_PROGRESS)
    publish(bot, AHMAD, "Lampu jalan di Gambut", status=Status.ACCEPTED)
    bot.services.db.call_write(_set_unit, submission_id=forwarded.id, unit="dlh")
    await bot.services.opendata.write(tmp_path)
    _, _, records = cells(tmp_path)
    by_code = {record["kode_ide"]: record for record in records}
    dlh = bot.services.catalogue.unit("dlh")
    assert (by_code[forwarded.code]["kode_skpd"], by_code[forwarded.code]["nama_skpd"]) == (
        "dlh",
        dlh.name,
    )
    assert by_code[forwarded.code]["status"] == "in_progress"
    assert {r["kode_skpd"] for c, r in by_code.items() if c != forwarded.code} == {""}


def _set_unit(session, *, submission_id: int, unit: str) -> None:
    row = session.get(Submission, submission_id)
    row.unit = unit
    session.add(row)
