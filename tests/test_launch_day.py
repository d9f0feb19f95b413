"""Launch day: a burst of residents never waits on the team's group, and the group still hears of
every new idea: a card each, or one list for a burst, through the durable outbox."""

from __future__ import annotations

import asyncio
import re

from sqlmodel import Session, select

from bot.runtime import jobs
from bot.runtime.ratelimit import TelegramLimits
from storage.models import CardIntro, OutboxMessage, Submission
from storage.outbox import queue_card
from tests import updates as u
from tests.conftest import ADMIN_ID, TEAM_GROUP_ID, make_settings
from tests.desk import ADMIN, BUDI, GROUP, appoint, seed

CODE = re.compile(r"IDE-\d{4}")


def idea_steps(who: dict, index: int) -> list[dict]:
    return [
        u.text(who, "/ide"),
        u.text(who, f"Usulan {index}: bangun bank sampah & <b>drainase</b> di desa {index}"),
        u.callback(who, "ide:kec:gambut"),
        u.callback(who, "ide:pil:environment"),
        u.callback(who, "ide:name:anon"),
        u.callback(who, "ide:pub:no"),
    ]


def send_buttons(bot) -> dict[int, str]:
    found = {}
    for call in bot.request.calls:
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["callback_data"].startswith("ide:send:"):
                    found[int(call.params["chat_id"])] = button["callback_data"]
    return found


async def submit_all(bot, residents: list[dict], *, settle: bool = True) -> None:
    """Every resident through /ide at once, step by step, then all press Send at once."""
    flows = [idea_steps(who, i) for i, who in enumerate(residents)]
    await bot.deliver_all([step for steps in zip(*flows, strict=True) for step in steps])
    sends = send_buttons(bot)
    await bot.deliver_all([u.callback(who, sends[who["id"]]) for who in residents], settle=settle)


def outbox(bot) -> list[OutboxMessage]:
    with Session(bot.services.db.engine) as session:
        return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def codes(bot) -> dict[int, str]:
    with Session(bot.services.db.engine) as session:
        return {s.resident_id: s.code for s in session.exec(select(Submission)).all()}


class NeverAnswered(TelegramLimits):
    """Telegram's limits set too high to matter, except that a send to a chat ``stuck`` picks
    never completes."""

    def __init__(self, stuck) -> None:
        super().__init__(overall_per_second=1e6, private_per_second=1e6, group_per_minute=1e8)
        self._stuck = stuck

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if self._stuck(data.get("chat_id")):
            await asyncio.Event().wait()
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def groups_never_answer() -> NeverAnswered:
    return NeverAnswered(lambda chat_id: isinstance(chat_id, int) and chat_id < 0)


async def test_residents_get_their_codes_while_the_group_takes_nothing(bot_factory, database_url):
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM_GROUP_ID))
    residents = [u.user(3000 + i, first_name=f"Warga{i}") for i in range(50)]
    async with bot_factory(settings, rate_limiter=groups_never_answer) as bot:
        await asyncio.wait_for(submit_all(bot, residents, settle=False), timeout=60)
        stored = codes(bot)
        assert len(stored) == 50
        for who in residents:
            assert stored[who["id"]] in bot.request.last_text(who["id"])
        announcements = [m for m in outbox(bot) if m.chat_id == TEAM_GROUP_ID]
        assert sorted(m.card_of for m in announcements) == sorted(s.id for s in _submissions(bot))
        assert {m.card_intro for m in announcements} == {CardIntro.NEW}
        assert bot.request.texts(TEAM_GROUP_ID) == []


def _submissions(bot) -> list[Submission]:
    with Session(bot.services.db.engine) as session:
        return session.exec(select(Submission)).all()


async def test_a_burst_goes_to_the_group_as_one_list_naming_every_code(bot, monkeypatch):
    residents = [u.user(3100 + i, first_name=f"Warga{i}") for i in range(6)]
    monkeypatch.setattr(
        bot.services.outbox, "kick", lambda bot, chats=None: None
    )  # all six wait together
    await submit_all(bot, residents)
    assert bot.request.texts(TEAM_GROUP_ID) == []
    monkeypatch.undo()

    assert await bot.services.outbox.deliver(bot.app.bot) == 6
    [listing] = bot.request.texts(TEAM_GROUP_ID)
    assert listing.startswith("📥 <b>6 ide baru</b> masuk:")
    assert sorted(CODE.findall(listing)) == sorted(codes(bot).values())
    assert "bank sampah &amp; &lt;b&gt;drainase" in listing  # the residents' words, escaped
    assert listing.endswith("Tangani lewat /antrian.")
    assert [m.state for m in outbox(bot)] == ["sent"] * 6

    assert await bot.services.outbox.deliver(bot.app.bot) == 0
    assert len(bot.request.texts(TEAM_GROUP_ID)) == 1  # none announced twice


async def test_a_few_new_ideas_go_as_cards_with_their_photos(bot, monkeypatch):
    monkeypatch.setattr(bot.services.outbox, "kick", lambda bot, chats=None: None)
    await submit_all(bot, [u.user(3200 + i, first_name=f"Warga{i}") for i in range(2)])
    monkeypatch.undo()
    photographed = seed(bot, u.user(3210, first_name="Foto"), photos=("photo-a", "photo-b"))
    bot.services.db.call_write(
        _queue_card, chat_id=TEAM_GROUP_ID, submission_id=photographed.id, now=bot.services.clock()
    )

    await bot.services.outbox.deliver(bot.app.bot)
    cards = bot.request.texts(TEAM_GROUP_ID)
    assert len(cards) == 3  # no more than COALESCE_OVER: a card each
    assert all(text.startswith("📥 Ide baru masuk: <b>IDE-") for text in cards)
    assert [c.params["chat_id"] for c in bot.request.calls if c.method == "sendMediaGroup"] == [
        TEAM_GROUP_ID
    ]
    [album] = bot.request.of("sendMediaGroup")
    assert [item["media"] for item in album["media"]] == ["photo-a", "photo-b"]


def _queue_card(session, *, chat_id: int, submission_id: int, now) -> None:
    queue_card(session, chat_id=chat_id, submission_id=submission_id, intro=CardIntro.NEW, now=now)


async def test_an_announcement_left_by_a_crash_goes_after_the_restart_once(
    bot_factory, database_url, monkeypatch
):
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM_GROUP_ID))
    resident = u.user(3300, first_name="Warga")
    async with bot_factory(settings) as first:
        monkeypatch.setattr(
            first.services.outbox, "kick", lambda bot, chats=None: None
        )  # the stop came
        await submit_all(first, [resident])
        code = codes(first)[resident["id"]]
        assert code in first.request.last_text(resident["id"])
        assert first.request.texts(TEAM_GROUP_ID) == []
    monkeypatch.undo()

    async with bot_factory(settings) as second:
        jobs.schedule_housekeeping(second.app)
        [job] = second.app.job_queue.get_jobs_by_name(jobs.DELIVER_JOB)
        for _ in range(2):
            await job.run(second.app)
            await second.services.outbox.settle()
        [card] = second.request.texts(TEAM_GROUP_ID)
        assert card.startswith(f"📥 Ide baru masuk: <b>{code}</b>")


async def test_an_officers_action_does_not_wait_for_the_residents_message(
    bot_factory, database_url
):
    """The officer's answer comes at once even when the resident's chat is slow to take it."""

    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM_GROUP_ID))
    async with bot_factory(
        settings, rate_limiter=lambda: NeverAnswered(lambda chat_id: chat_id == 3400)
    ) as bot:
        appoint(bot, BUDI)
        idea = seed(bot, u.user(3400, first_name="Lambat"))
        press = u.callback(BUDI, f"rev:take:{idea.id}:1", chat=GROUP)
        await asyncio.wait_for(bot.deliver_all([press], settle=False), timeout=10)
        [answer] = bot.request.of("answerCallbackQuery")
        assert "IDE-0001" in answer["text"]
        [queued] = outbox(bot)
        assert queued.chat_id == 3400 and queued.state == "pending"


async def test_reports_being_built_hold_no_slot(bot_factory, database_url):
    """Two slots, two officers' reports being built: a resident is answered meanwhile."""
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM_GROUP_ID))
    resident = u.user(3500, first_name="Warga")
    async with bot_factory(settings, max_concurrent_updates=2) as bot:
        appoint(bot, BUDI)
        reports = bot.services.reports
        building, release = [], asyncio.Event()
        real_build = reports.build

        async def slow_build(*args, **kwargs):
            building.append(args)
            await release.wait()
            return await real_build(*args, **kwargs)

        async def put(payload: dict) -> None:
            for update in await bot.services.inbox.store([payload], bot.app.bot):
                await bot.app.update_queue.put(update)

        reports.build = slow_build
        try:
            await put(u.text(ADMIN, "/laporan"))
            await put(u.text(BUDI, "/laporan"))
            await until(lambda: len(building) == 2)
            await put(u.text(resident, "/start"))
            await until(lambda: bot.request.texts(resident["id"]))  # answered meanwhile
            assert not bot.request.of("sendDocument")
        finally:
            release.set()
        await asyncio.wait_for(bot.app.update_queue.join(), timeout=30)
        assert sorted(r["chat_id"] for r in bot.request.of("sendDocument")) == [
            BUDI["id"],
            BUDI["id"],
            ADMIN_ID,
            ADMIN_ID,
        ]  # the PDF and the workbook each


async def until(condition, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
