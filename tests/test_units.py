"""The SKPD follow-up: liaisons' invites, forwarding, the liaisons' steps and who hears of them,
another unit's liaison, /tugas, /skpd, the overdue and the weekly reminder."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import MetaData
from sqlmodel import Session, select

from bot.core.catalogue import CatalogueError, load_catalogue
from bot.domain.units import suggest_units
from bot.runtime import jobs
from storage import queries
from storage import review as review_store
from storage import units as unit_store
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from storage.models import Invite, Liaison, OutboxMessage, Status, StepPhoto, Submission
from tests import updates as u
from tests.conftest import ADMIN_ID, make_settings
from tests.desk import ADMIN, BUDI, GROUP_ID, SITI, appoint, button, changes, rows, seed, submission
from tests.test_storage import NOW, add_resident, new_submission

ANDI = u.user(701, first_name="Andi")  # the DLH's liaison
DEWI = u.user(702, first_name="Dewi")  # the PUPR's liaison
ROAD = "Jalan desa di Gambut rusak parah dan berlubang, mohon diperbaiki sebelum musim hujan"


def make_liaison(bot, who: dict, unit: str) -> None:
    """Make ``who`` a liaison of ``unit`` directly in the database (the invite has its test)."""
    now = bot.services.clock()
    bot.services.db.call_write(
        unit_store.appoint_liaison, user_id=who["id"], unit=unit, added_by=ADMIN_ID, now=now
    )
    bot.services.db.call_write(
        review_store.touch_staff,
        user_id=who["id"],
        first_name=who["first_name"],
        username=None,
        now=now,
    )


async def forward(bot, unit: str = "dlh", note: str | None = None, code: str = "IDE-0001"):
    """Budi opens the accepted idea's card and forwards it to ``unit``."""
    await bot.deliver(u.text(BUDI, f"/lihat {code}"))
    await bot.deliver(u.callback(BUDI, button(bot, "rev:fwd:")))
    await bot.deliver(u.callback(BUDI, button(bot, "rev:fwd:").rsplit(":", 1)[0] + f":{unit}"))
    if note is None:
        await bot.deliver(u.callback(BUDI, "rvt:+"))
    else:
        await bot.deliver(u.text(BUDI, note))


def texts_to(bot, who: dict) -> list[str]:
    return bot.request.texts(who["id"])


def buttons_to(bot, who: dict) -> list[str]:
    """Callback data of the last keyboard the bot sent ``who``."""
    for call in reversed(bot.request.calls):
        markup = call.params.get("reply_markup")
        if markup and int(call.params.get("chat_id", 0)) == who["id"]:
            return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
    return []


def photos_to(bot, who: dict) -> list[str]:
    return [p["photo"] for p in bot.request.of("sendPhoto") if int(p["chat_id"]) == who["id"]]


@pytest.fixture
async def desk(bot):
    appoint(bot, BUDI)
    make_liaison(bot, ANDI, "dlh")
    make_liaison(bot, DEWI, "pupr")
    return bot


# The catalogue ----------------------------------------------------------------------------------


def test_the_shipped_units_load_and_a_broken_file_is_named(tmp_path: Path):
    catalogue = load_catalogue()
    keys = [unit.key for unit in catalogue.units]
    assert {"pupr", "dlh", "dinkes", "disdik", "dishub", "disdukcapil", "kecamatan"} <= set(keys)
    assert catalogue.unit_name("pupr") == "Dinas Pekerjaan Umum dan Penataan Ruang"
    data = Path(load_catalogue.__code__.co_filename).parent.parent / "data"
    for name in ("pillars.toml", "kecamatan.toml"):
        (tmp_path / name).write_text((data / name).read_text())
    (tmp_path / "units.toml").write_text('[[unit]]\nkey = "PUPR!"\nname = "x"\nshort = "x"\n')
    with pytest.raises(CatalogueError, match=r"units\.toml: unit 1"):
        load_catalogue(tmp_path)
    (tmp_path / "units.toml").write_text(
        '[[unit]]\nkey = "pupr"\nname = "x"\nshort = "x"\npillars = ["roads"]\n'
    )
    with pytest.raises(CatalogueError, match="unknown pillar 'roads'"):
        load_catalogue(tmp_path)


async def test_the_likeliest_unit_comes_from_the_words_and_the_pillar(bot):
    catalogue = bot.services.catalogue
    waste = seed(bot)  # bank sampah, sungai: environment
    road = seed(bot, text=ROAD, pillar="living", kecamatan="gambut")
    assert suggest_units(catalogue, waste)[0] == "dlh"
    assert suggest_units(catalogue, road)[0] == "pupr"


# Liaisons ---------------------------------------------------------------------------------------


async def test_an_admin_invites_a_units_liaison_who_then_sees_only_their_units_work(bot):
    await bot.deliver(u.text(ADMIN, "/undang skpd"))
    assert "pupr" in bot.request.last_text(ADMIN_ID) and rows(bot, Invite) == []
    assert "inv:pupr" in bot.request.buttons() and "inv:dlh" in bot.request.buttons()
    await bot.deliver(u.callback(SITI, "inv:dlh"))  # not an admin: no invite
    assert rows(bot, Invite) == []
    await bot.deliver(u.callback(ADMIN, "inv:dlh"))
    assert "Dinas Lingkungan Hidup" in bot.request.last_text(ADMIN_ID)
    [made] = rows(bot, Invite)
    assert made.unit == "dlh"
    await bot.deliver(u.text(ADMIN, "/undang pupr"))
    reply = bot.request.last_text(ADMIN_ID)
    assert "Dinas Pekerjaan Umum dan Penataan Ruang" in reply
    payload = re.search(r"start=(inv-[\w-]+)", reply).group(1)
    await bot.deliver(u.text(DEWI, f"/start {payload}"))
    assert "penghubung Dinas Pekerjaan Umum" in bot.request.last_text(DEWI["id"])
    assert "tasks" in str(bot.request.of("setMyCommands")[-1]["commands"])
    assert "Dewi" in bot.request.last_text(ADMIN_ID)
    [liaison] = rows(bot, Liaison)
    assert (liaison.user_id, liaison.unit, liaison.added_by) == (DEWI["id"], "pupr", ADMIN_ID)
    await bot.deliver(u.text(DEWI, "/antrian"))  # a liaison is no officer
    assert bot.request.last_text(DEWI["id"]) == bot.text("help.resident")
    await bot.deliver(u.text(DEWI, "/tugas"))
    assert "Tidak ada tugas terbuka" in bot.request.last_text(DEWI["id"])
    await bot.deliver(u.text(ADMIN, "/petugas"))
    assert "Dewi" in bot.request.last_text(ADMIN_ID) and "Dinas PUPR" in bot.request.last_text()
    await bot.deliver(u.text(ADMIN, f"/cabut {DEWI['id']}"))
    await bot.deliver(u.text(DEWI, "/tugas"))
    assert bot.request.last_text(DEWI["id"]) == bot.text("help.resident")


# Forwarding and the liaison's steps -------------------------------------------------------------


async def test_an_officer_forwards_an_accepted_idea_and_the_units_liaison_gets_it(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await bot.deliver(u.text(BUDI, "/lihat IDE-0001"))
    assert "rev:fwd:1:1" in bot.request.buttons()
    await bot.deliver(u.callback(BUDI, "rev:fwd:1:1"))
    offered = bot.request.buttons()
    assert offered[0] == "rev:fwd:1:1:dlh"  # the likeliest first
    assert "rev:fwd:1:1:pupr" in offered and len(offered) == len(bot.services.catalogue.units) + 1
    await bot.deliver(u.callback(BUDI, "rev:fwd:1:1:dlh"))
    assert "Dinas Lingkungan Hidup" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, "Mohon ditindaklanjuti di Martapura"))
    found = submission(bot, 1)
    assert (found.status, found.unit) == (Status.FORWARDED, "dlh")
    step = changes(bot, 1)[-1]
    assert (step.to_status, step.unit, step.actor_id) == (Status.FORWARDED, "dlh", BUDI["id"])
    assert step.note == "Mohon ditindaklanjuti di Martapura"
    card = texts_to(bot, ANDI)[-1]
    assert "IDE-0001" in card and "Mohon ditindaklanjuti" in card
    assert buttons_to(bot, ANDI)[:2] == ["skp:ack:1:2", "skp:prog:1:2"]
    assert "diteruskan ke <b>Dinas Lingkungan Hidup</b>" in texts_to(bot, SITI)[-1]
    assert texts_to(bot, DEWI) == []


async def test_a_forward_to_a_unit_without_liaison_tells_the_officer(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await forward(bot, unit="dinkes")
    assert "belum punya penghubung" in bot.request.texts(BUDI["id"])[-2]
    assert "/undang dinkes" in bot.request.texts(BUDI["id"])[-2]


async def test_the_liaison_acknowledges_reports_progress_and_implements_with_photos(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await forward(bot)
    await bot.deliver(u.callback(ANDI, "skp:ack:1:2"))
    await bot.deliver(u.callback(ANDI, "skp:ack:1:2"))  # pressed twice: counted once
    acknowledged = [c for c in changes(bot, 1) if c.to_status == Status.IN_PROGRESS]
    assert len(acknowledged) == 1 and acknowledged[0].unit == "dlh"
    told = [t for t in texts_to(bot, SITI) if "sedang dikerjakan" in t]
    assert len(told) == 1 and "Dinas Lingkungan Hidup" in told[0]

    await bot.deliver(u.callback(ANDI, "skp:prog:1:3"))
    assert "kemajuan" in texts_to(bot, ANDI)[-1]
    await bot.deliver(u.text(ANDI, "Lokasi bank sampah sudah disurvei"))
    await bot.deliver(u.photo(ANDI, unique="survey"))
    assert "Foto: 1" in texts_to(bot, ANDI)[-1]
    await bot.deliver(u.callback(ANDI, "skw:send"))
    progress = changes(bot, 1)[-1]
    assert (progress.from_status, progress.to_status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)
    assert progress.note == "Lokasi bank sampah sudah disurvei"
    assert [p.file_id for p in rows(bot, StepPhoto)] == ["large-survey"]
    assert photos_to(bot, SITI) == ["large-survey"]
    assert "Lokasi bank sampah sudah disurvei" in texts_to(bot, SITI)[-1]

    await bot.deliver(u.callback(ANDI, "skp:done:1:4"))
    await bot.deliver(u.text(ANDI, "Bank sampah sudah beroperasi"))
    await bot.deliver(u.callback(ANDI, "skw:send"))
    assert "minimal satu foto" in texts_to(bot, ANDI)[-1]
    assert submission(bot, 1).status == Status.IN_PROGRESS
    await bot.deliver(u.photo(ANDI, unique="before", caption="sebelum"))
    await bot.deliver(u.photo(ANDI, unique="after", caption="sesudah"))
    await bot.deliver(u.callback(ANDI, "skw:send"))
    found = submission(bot, 1)
    assert (found.status, found.unit) == (Status.IMPLEMENTED, "dlh")
    assert [p.caption for p in rows(bot, StepPhoto)][1:] == ["sebelum", "sesudah"]
    told = texts_to(bot, SITI)[-1]
    assert "terlaksana" in told and "Bank sampah sudah beroperasi" in told
    album = bot.request.of("sendMediaGroup")[-1]
    assert int(album["chat_id"]) == SITI["id"]
    assert [photo["media"] for photo in album["media"]] == ["large-before", "large-after"]

    await bot.deliver(u.text(SITI, "/ideaku"))
    assert "Terlaksana · DLH" in texts_to(bot, SITI)[-1]
    await bot.deliver(u.text(SITI, "/status IDE-0001"))
    assert "Sedang dikerjakan · DLH" in texts_to(bot, SITI)[-1]


async def test_the_liaison_cancels_a_step_and_nothing_waits_or_is_recorded(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await forward(bot)
    await bot.deliver(u.callback(ANDI, "skp:ack:1:2"))
    await bot.deliver(u.callback(ANDI, "skp:prog:1:3"))
    await bot.deliver(u.text(ANDI, "Lokasi bank sampah sudah disurvei"))
    before = len(changes(bot, 1))
    assert await bot.services.units.prompt(ANDI["id"], ANDI["id"]) is not None
    await bot.deliver(u.callback(ANDI, "skw:-"))
    assert "Dibatalkan" in texts_to(bot, ANDI)[-1]
    assert await bot.services.units.prompt(ANDI["id"], ANDI["id"]) is None
    assert int(bot.request.of("editMessageReplyMarkup")[-1]["chat_id"]) == ANDI["id"]
    await bot.deliver(u.text(ANDI, "Ini bukan catatan kemajuan"))
    await bot.deliver(u.callback(ANDI, "skw:send"))  # the old prompt's button: nothing waits
    assert len(changes(bot, 1)) == before
    assert submission(bot, 1).status == Status.IN_PROGRESS


async def test_another_units_liaison_can_neither_see_nor_act(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await forward(bot)
    bot.request.clear()
    for data in ("skp:ack:1:2", "skp:prog:1:2", "skp:done:1:2", "skp:back:1:2", "skv:1"):
        await bot.deliver(u.callback(DEWI, data))
    assert submission(bot, 1).status == Status.FORWARDED
    assert len(changes(bot, 1)) == 2  # received (seeded as accepted), forwarded
    shown = " ".join(bot.request.texts(DEWI["id"]))
    assert "IDE-0001" not in shown and "Bank" not in shown
    alerts = [a.get("text") for a in bot.request.of("answerCallbackQuery")]
    assert alerts.count(bot.text("review.refused_not_yours")) == 5
    await bot.deliver(u.text(DEWI, "/tugas"))
    assert "Tidak ada tugas terbuka" in bot.request.last_text(DEWI["id"])
    await bot.deliver(u.callback(SITI, "skp:ack:1:2"))  # a resident's forged press
    assert submission(bot, 1).status == Status.FORWARDED
    await bot.deliver(u.callback(DEWI, "skp:ack:99999:1"))
    assert submission(bot, 1).status == Status.FORWARDED


async def test_a_returned_idea_goes_back_to_the_team(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    await forward(bot)
    await bot.deliver(u.callback(ANDI, "skp:back:1:2"))
    await bot.deliver(u.text(ANDI, "Bukan kewenangan kami, sebaiknya ke Dinas PUPR"))
    found = submission(bot, 1)
    assert (found.status, found.unit) == (Status.ACCEPTED, None)
    step = changes(bot, 1)[-1]
    assert (step.from_status, step.unit, step.actor_role) == (Status.FORWARDED, "dlh", "liaison")
    assert "dikembalikan" in texts_to(bot, SITI)[-1]
    for chat in (BUDI["id"], GROUP_ID):
        returned = bot.request.texts(chat)[-1]
        assert "mengembalikan" in returned and "sebaiknya ke Dinas PUPR" in returned
    assert "rev:fwd:1:3" in buttons_to(bot, {"id": GROUP_ID})  # the team can forward it again
    await bot.deliver(u.text(ANDI, "/tugas"))
    assert "Tidak ada tugas terbuka" in bot.request.last_text(ANDI["id"])


# Deadlines, /tugas, /skpd and the reminder ------------------------------------------------------


async def test_an_overdue_forward_shows_in_the_lists_and_the_weekly_reminder(desk, clock):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    seed(bot, text=ROAD, pillar="living", status=Status.ACCEPTED)
    await forward(bot)
    await forward(bot, unit="pupr", code="IDE-0002")
    await bot.deliver(u.callback(DEWI, "skp:ack:2:2"))
    await bot.deliver(u.text(BUDI, "/skpd"))
    overview = bot.request.last_text(BUDI["id"])
    assert "<b>DLH</b> (<code>dlh</code>): 1 · 1 · 0 · 0 · ⏰ 0" in overview
    assert "<b>Dinas PUPR</b> (<code>pupr</code>): 1 · 0 · 1 · 0 · ⏰ 0; 0.0 hari" in overview
    assert "Andi" in overview and "belum ada penghubung" in overview

    clock.now += timedelta(days=8)  # past five working days, not yet 30 days without progress
    await bot.deliver(u.text(BUDI, "/skpd"))
    overview = bot.request.last_text(BUDI["id"])
    assert "<b>DLH</b> (<code>dlh</code>): 1 · 1 · 0 · 0 · ⏰ 1" in overview
    assert "<b>Dinas PUPR</b> (<code>pupr</code>): 1 · 0 · 1 · 0 · ⏰ 0" in overview
    await bot.deliver(u.text(ANDI, "/tugas"))
    assert "⏰ <b>IDE-0001</b>" in bot.request.last_text(ANDI["id"])
    assert "skv:1" in buttons_to(bot, ANDI)
    await bot.deliver(u.callback(ANDI, "skv:1"))
    assert "skp:ack:1:2" in buttons_to(bot, ANDI)

    bot.app.job_queue.scheduler.pause()  # only the test runs the jobs
    jobs.schedule_digest(bot.app)
    [job] = bot.app.job_queue.get_jobs_by_name(jobs.DIGEST_JOB)
    await job.run(bot.app)
    await job.run(bot.app)  # once per week
    await bot.services.outbox.settle()
    reminders = [t for t in texts_to(bot, ANDI) if "Pengingat mingguan" in t]
    assert len(reminders) == 1 and "⏰ <b>IDE-0001</b>" in reminders[0]
    assert len([t for t in texts_to(bot, DEWI) if "Pengingat mingguan" in t]) == 1
    clock.now += timedelta(days=30)
    await job.run(bot.app)
    await bot.services.outbox.settle()
    assert len([t for t in texts_to(bot, DEWI) if "Pengingat mingguan" in t]) == 2
    assert "lewat batas" in [t for t in texts_to(bot, DEWI) if "Pengingat" in t][-1]


# Storage ----------------------------------------------------------------------------------------


def test_a_step_keeps_its_unit_and_photos_and_a_stale_version_changes_nothing(db):
    now = NOW
    add_resident(db)
    made = db.call_write(
        queries.create_submission,
        submission=new_submission(1, "a"),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    step = db.call_write(
        unit_store.record_step,
        submission_id=made.id,
        expected_version=made.version,
        to_status=Status.FORWARDED,
        actor_id=5,
        actor_role="officer",
        unit="pupr",
        owner="pupr",
        now=now,
        photos=[("f1", "u1", "sebelum")],
    )
    assert step is not None
    stale = db.call_write(
        unit_store.record_step,
        submission_id=made.id,
        expected_version=made.version,
        to_status=Status.FORWARDED,
        actor_id=5,
        actor_role="officer",
        unit="dlh",
        owner="dlh",
        now=now,
    )
    assert stale is None
    [item] = db.call(unit_store.open_items, unit="pupr")
    assert (item.submission.unit, item.forwarded_at) == ("pupr", now)
    assert db.call(unit_store.open_items, unit="dlh") == []
    photos = db.call(unit_store.step_photos, change_ids=[step])
    assert [(p.file_id, p.caption) for p in photos[step]] == [("f1", "sebelum")]
    assert db.call(unit_store.unit_steps)[0].unit == "pupr"


def test_the_migration_upgrades_a_database_with_accepted_and_implemented_ideas(any_database_url):
    engine = make_engine(any_database_url)
    upgrade(engine, "0005_outbox_cards")
    old = MetaData()
    old.reflect(engine, only=["resident", "submission", "statuschange", "outboxmessage"])
    with engine.begin() as connection:
        connection.execute(
            old.tables["resident"].insert(), [{"id": 611, "first_name": "Siti", "created_at": NOW}]
        )
        for number, status in ((1, "accepted"), (2, "implemented")):
            connection.execute(
                old.tables["submission"].insert(),
                [
                    {
                        "id": number,
                        "code": f"IDE-000{number}",
                        "text": ROAD,
                        "pillar": "living",
                        "suggested_pillar": "living",
                        "confidence": 0.9,
                        "reasons": "[]",
                        "anonymous": True,
                        "status": status,
                        "language": "id",
                        "resident_id": 611,
                        "draft_key": f"k{number}",
                        "version": 2,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                ],
            )
            connection.execute(
                old.tables["statuschange"].insert(),
                [
                    {
                        "submission_id": number,
                        "from_status": "in_review",
                        "to_status": status,
                        "actor_id": 601,
                        "actor_role": "officer",
                        "version": 2,
                        "at": NOW,
                    }
                ],
            )
        connection.execute(
            old.tables["outboxmessage"].insert(),
            [
                {
                    "chat_id": 611,
                    "text": "diterima",
                    "buttons": "[]",
                    "state": "pending",
                    "attempts": 0,
                    "created_at": NOW,
                    "due_at": NOW,
                }
            ],
        )
    upgrade(engine)
    db = Database(engine)
    accepted = db.call(review_store.submission, submission_id=1)
    implemented = db.call(review_store.submission, submission_id=2)
    assert (accepted.status, accepted.unit) == (Status.ACCEPTED, None)
    assert (implemented.status, implemented.unit) == (Status.IMPLEMENTED, None)
    with Session(engine) as session:
        [message] = session.exec(select(OutboxMessage)).all()
        assert message.photos == "[]"
    step = db.call_write(
        unit_store.record_step,
        submission_id=1,
        expected_version=2,
        to_status=Status.FORWARDED,
        actor_id=601,
        actor_role="officer",
        unit="pupr",
        owner="pupr",
        now=NOW,
    )
    assert step is not None
    [item] = db.call(unit_store.open_items, unit="pupr")
    assert item.submission.code == "IDE-0001"
    engine.dispose()


# Evidence ---------------------------------------------------------------------------------------


CHANNEL = -1001234


def no_media_on_text_posts(method: str, chat_id: int) -> dict | None:
    """Telegram refuses to give a text message a photo."""
    if method == "editMessageMedia" and chat_id == CHANNEL:
        return {"error_code": 400, "description": "Bad Request: there is no media in the message"}
    return None


async def publish_and_implement(bot, photos: tuple[str, ...]) -> list:
    """A published idea forwarded to the DLH, taken up and implemented with an evidence photo;
    the calls to the public channel."""
    appoint(bot, BUDI)
    make_liaison(bot, ANDI, "dlh")
    seed(bot, status=Status.ACCEPTED, photos=photos)
    with Session(bot.services.db.engine) as session:
        row = session.get(Submission, 1)
        row.public = True
        session.add(row)
        session.commit()
    await forward(bot)
    await bot.deliver(u.callback(ANDI, "skp:ack:1:2"))
    await bot.deliver(u.callback(ANDI, "skp:done:1:3"))
    await bot.deliver(u.text(ANDI, "Bank sampah sudah beroperasi"))
    await bot.deliver(u.photo(ANDI, unique="after", caption="sesudah"))
    await bot.deliver(u.callback(ANDI, "skw:send"))
    return [
        call
        for call in bot.request.calls
        if str(call.params.get("chat_id")) == str(CHANNEL) and call.method != "getChat"
    ]


@pytest.fixture
async def channel_bot(bot_factory, database_url):
    async with bot_factory(make_settings(database_url, PUBLIC_CHANNEL_ID=str(CHANNEL))) as bot:
        yield bot


async def test_a_published_ideas_post_follows_the_unit_and_becomes_the_evidence(channel_bot):
    """Forwarded, taken up, implemented: the channel's one post of the idea says each step; a
    text post cannot become a photo post, so it is replaced by the evidence photo."""
    channel_bot.request.fail_chat = no_media_on_text_posts  # the only post here is a text post
    calls = await publish_and_implement(channel_bot, photos=())
    first, *_, deleted, posted = calls
    assert first.method == "sendMessage" and "Diteruskan" in first.params["text"]
    assert any("Sedang dikerjakan" in c.params.get("text", "") for c in calls)
    assert deleted.method == "deleteMessage"
    assert posted.method == "sendPhoto" and posted.params["photo"] == "large-after"
    assert "Terlaksana" in posted.params["caption"]
    assert submission(channel_bot, 1).public_message_id != int(deleted.params["message_id"])


async def test_a_photo_post_is_edited_into_the_evidence(channel_bot):
    calls = await publish_and_implement(channel_bot, photos=("own-photo",))
    assert calls[0].method == "sendPhoto" and calls[0].params["photo"] == "own-photo"
    edit = calls[-1]
    assert edit.method == "editMessageMedia" and edit.params["media"]["media"] == "large-after"
    assert "Terlaksana" in edit.params["media"]["caption"]
    assert not [c for c in calls if c.method == "deleteMessage"]


async def implement_with_evidence(bot) -> None:
    """IDE-0001 forwarded to the DLH, taken up and implemented with two photos."""
    seed(bot, status=Status.ACCEPTED)
    await forward(bot)
    await bot.deliver(u.callback(ANDI, "skp:ack:1:2"))
    await bot.deliver(u.callback(ANDI, "skp:done:1:3"))
    await bot.deliver(u.text(ANDI, "Bank sampah beroperasi di Desa Sungai Batang"))
    await bot.deliver(u.photo(ANDI, unique="before", caption="sebelum: sampah di tepi sungai"))
    await bot.deliver(u.photo(ANDI, unique="after", caption="sesudah: bank sampah"))
    await bot.deliver(u.callback(ANDI, "skw:send"))
    assert submission(bot, 1).status == Status.IMPLEMENTED


async def test_the_report_has_a_sheet_of_what_each_unit_contributed(desk, clock):
    bot = desk
    await implement_with_evidence(bot)
    clock.now += timedelta(days=2)
    found = bot.services
    start = clock.now - timedelta(days=30)
    figures = {f.key: f for f in await found.units.figures(start, clock.now)}
    dlh = figures["dlh"]
    assert (dlh.forwarded, dlh.acknowledged, dlh.implemented, dlh.returned) == (1, 1, 1, 0)
    assert dlh.median_days_to_implement == 0.0 and dlh.liaisons == ("Andi",)
    assert figures["pupr"].forwarded == 0
    built = await found.reports.build(start, clock.now, "id")
    book = openpyxl.load_workbook(io.BytesIO(built.workbook))
    sheet = book["SKPD"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["SKPD", "Diteruskan", "Diterima SKPD", "Terlaksana", "Dikembalikan"]
    assert ["Dinas Lingkungan Hidup", 1, 1, 1, 0] in [row[:5] for row in rows]
    [done] = [row for row in rows if row[0] == "IDE-0001"]
    assert done[1] == "Dinas Lingkungan Hidup" and "Sungai Batang" in done[3]
    assert done[4] == "sebelum: sampah di tepi sungai; sesudah: bank sampah"
    assert "large-before" not in str(rows)  # file ids stay out


async def test_the_pdf_report_has_the_units_contribution_table(desk, clock):
    bot = desk
    await implement_with_evidence(bot)
    clock.now += timedelta(days=2)
    built = await bot.services.reports.build(clock.now - timedelta(days=30), clock.now, "id")
    reader = PdfReader(io.BytesIO(built.pdf))
    assert reader.outline[-1].title == "Kontribusi per SKPD"
    last = reader.pages[-1].extract_text()
    assert "DLH 1 1 1 0" in last and "Dinas PUPR" not in last  # units with ideas only


async def test_the_digest_has_a_section_per_unit(desk, clock):
    bot = desk
    seed(bot, text=ROAD, pillar="living", status=Status.ACCEPTED)
    await forward(bot, unit="pupr")
    clock.now += timedelta(hours=1)
    builder = bot.services.digest_builder
    built = await builder.build(builder.current_period(), "id", files=False)
    text = "\n".join(built.messages)
    assert "<b>SKPD</b>" in text and "• Dinas PUPR: 1 · 0 · ⏰ 0" in text
    assert "• DLH" not in text


async def test_search_stats_and_export_show_the_unit(desk):
    bot = desk
    seed(bot, status=Status.ACCEPTED)
    seed(bot, text=ROAD, pillar="living", status=Status.ACCEPTED)
    await forward(bot)
    await bot.deliver(u.text(BUDI, "/cari skpd:dlh"))
    found = bot.request.last_text(BUDI["id"])
    assert "IDE-0001" in found and "Diteruskan ke SKPD · DLH" in found and "IDE-0002" not in found
    await bot.deliver(u.text(BUDI, "/cari skpd:dpupr"))
    assert "pupr" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, "/statistik"))
    stats = [t for t in bot.request.texts(BUDI["id"]) if "Statistik" in t][-1]
    assert "<b>Per SKPD</b>\n• DLH: 1" in stats
    await bot.deliver(u.text(BUDI, "/ekspor"))
    [(_, csv_file), _] = bot.request.uploads("sendDocument")
    table = list(csv.reader(io.StringIO(csv_file.decode("utf-8-sig"))))
    assert table[0][-1] == "skpd"
    assert [row[-1] for row in table[1:]] == ["Dinas Lingkungan Hidup", ""]
