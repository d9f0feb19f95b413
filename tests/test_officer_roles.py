"""Roles on the review desk: invites, the roster, revocation, and silence towards everyone else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.runtime.lifecycle import on_started
from storage.models import Invite, Officer, OutboxMessage, StatusChange
from tests import updates as u
from tests.conftest import ADMIN_ID, make_settings
from tests.desk import ADMIN, BUDI, GROUP, RINA, SITI, appoint, callback_answers, rows, seed, sent

OFFICER_COMMANDS = [
    "/antrian",
    "/queue",
    "/lihat IDE-0001",
    "/view IDE-0001",
    "/cari sampah",
    "/search sampah",
    "/statistik",
    "/stats",
    "/ekspor",
    "/export",
]
ADMIN_COMMANDS = ["/undang", "/invite", "/petugas", "/officers", "/cabut 601", "/revoke 601"]


async def make_invite(bot) -> str:
    await bot.deliver(u.text(ADMIN, "/undang"))
    link = re.search(r"https://t\.me/inovasi_test_bot\?start=(inv-[\w-]+)", bot.request.last_text())
    assert link, bot.request.last_text()
    return link.group(1)


async def test_an_invite_makes_its_first_opener_an_officer_and_only_once(bot):
    payload = await make_invite(bot)
    assert "48" not in payload and len(payload) < 64
    await bot.deliver(u.text(BUDI, f"/start {payload}"))
    welcome = bot.request.last_text(BUDI["id"])
    assert "petugas" in welcome and "/antrian" in welcome
    menus = bot.request.of("setMyCommands")
    assert [m["scope"] for m in menus] == [{"type": "chat", "chat_id": BUDI["id"]}] * 3
    assert [m.get("language_code") for m in menus] == [None, "id", "en"]
    assert "antrian" in str(menus[0]["commands"]) and "queue" in str(menus[2]["commands"])
    assert "ringkasan" in str(menus[0]["commands"]) and "undang" not in str(menus[0]["commands"])
    assert [c["command"] for c in menus[2]["commands"]][-9:-7] == ["idea", "myideas"]
    assert "Budi" in bot.request.last_text(ADMIN_ID)
    [officer] = rows(bot, Officer)
    assert (officer.user_id, officer.added_by) == (BUDI["id"], ADMIN_ID)

    await bot.deliver(u.text(SITI, f"/start {payload}"))
    assert "sudah dipakai" in bot.request.last_text(SITI["id"])
    bot.request.clear()
    await bot.deliver(u.text(SITI, "/antrian"))
    assert bot.request.last_text() == bot.text("help.resident")
    await bot.deliver(u.text(BUDI, "/antrian"))
    assert "Tidak ada ide yang menunggu" in bot.request.last_text(BUDI["id"])


async def test_an_invite_is_made_only_in_a_private_chat(bot):
    await bot.deliver(u.text(ADMIN, "/undang", chat=GROUP))
    reply = bot.request.last_text(GROUP["id"])
    assert "obrolan pribadi" in reply and "start=" not in reply
    assert rows(bot, Invite) == []
    await make_invite(bot)
    assert len(rows(bot, Invite)) == 1


async def test_an_invite_lasts_48_hours(bot, clock):
    early, late = await make_invite(bot), await make_invite(bot)
    clock.now += timedelta(hours=47, minutes=59)
    await bot.deliver(u.text(BUDI, f"/start {early}"))
    assert "Anda sekarang" in bot.request.last_text(BUDI["id"])
    clock.now += timedelta(minutes=1)
    await bot.deliver(u.text(RINA, f"/start {late}"))
    assert "expired" in bot.request.last_text(RINA["id"])
    assert [o.user_id for o in rows(bot, Officer)] == [BUDI["id"]]


async def test_unknown_invites_and_invites_for_officers_are_refused(bot):
    await bot.deliver(u.text(SITI, "/start inv-not-a-real-code"))
    assert "tidak dikenal" in bot.request.last_text(SITI["id"])
    appoint(bot, BUDI)
    payload = await make_invite(bot)
    await bot.deliver(u.text(BUDI, f"/start {payload}"))
    assert "sudah menjadi petugas" in bot.request.last_text(BUDI["id"])
    [invite] = rows(bot, Invite)
    assert invite.used_by is None and payload.removeprefix("inv-") not in invite.code_hash


async def test_plain_start_still_welcomes(bot):
    await bot.deliver(u.text(SITI, "/start"))
    assert "Selamat datang" in bot.request.last_text(SITI["id"])


async def test_the_roster_says_who_added_whom_and_when(bot):
    payload = await make_invite(bot)
    await bot.deliver(u.text(BUDI, f"/start {payload}"))
    await bot.deliver(u.text(ADMIN, "/petugas"))
    roster = bot.request.last_text(ADMIN_ID)
    assert "Budi" in roster and "601" in roster and "Admin" in roster and "27 Nov 2026" in roster


async def test_a_revoked_officer_loses_commands_and_old_buttons_say_so(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.text(BUDI, "/lihat IDE-0001"))
    accept = f"rev:accept:{idea.id}:1"
    assert accept in bot.request.buttons()

    await bot.deliver(u.text(ADMIN, f"/cabut {BUDI['id']}"))
    assert "dicabut" in bot.request.last_text(ADMIN_ID)
    assert bot.request.of("deleteMyCommands")[0]["scope"] == {"type": "chat", "chat_id": 601}

    bot.request.clear()
    await bot.deliver(u.callback(BUDI, accept))
    [answer] = bot.request.of("answerCallbackQuery")
    assert "dicabut" in answer["text"] and answer["show_alert"] is True
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    assert "dicabut" in callback_answers(bot)[-1]
    assert [c.to_status for c in rows(bot, StatusChange)] == ["new"]
    await bot.deliver(u.text(BUDI, "/antrian"))
    assert bot.request.last_text() == bot.text("help.resident")
    await bot.deliver(u.text(ADMIN, f"/cabut {BUDI['id']}"))
    assert "Tidak ada petugas aktif" in bot.request.last_text(ADMIN_ID)


async def test_an_officer_revoked_between_the_press_and_the_change_changes_nothing(
    bot, monkeypatch
):
    appoint(bot, BUDI)
    idea = seed(bot)
    roles = bot.services.roles
    check_on_press = roles.role

    async def revoked_right_after_the_check(user_id: int):
        role = await check_on_press(user_id)
        monkeypatch.undo()
        assert await roles.revoke(ADMIN_ID, BUDI["id"])
        return role

    monkeypatch.setattr(roles, "role", revoked_right_after_the_check)
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1"))
    assert [c.to_status for c in rows(bot, StatusChange)] == ["new"]
    assert rows(bot, OutboxMessage) == []
    assert callback_answers(bot) == [None] and sent(bot) == []


@pytest.mark.parametrize("command", OFFICER_COMMANDS + ADMIN_COMMANDS)
async def test_officer_commands_give_a_resident_the_help_in_private(bot, command):
    seed(bot)
    await bot.deliver(u.text(SITI, command))
    [reply] = sent(bot)
    assert reply.params["text"] == bot.services.texts.get("id", "help.resident")
    assert rows(bot, Invite) == [] and rows(bot, Officer) == []


@pytest.mark.parametrize("command", OFFICER_COMMANDS + ADMIN_COMMANDS)
async def test_officer_commands_are_ignored_for_non_officers_in_groups(bot, command):
    seed(bot)
    await bot.deliver(u.text(SITI, command, chat=GROUP))
    assert sent(bot) == []


async def test_officers_do_not_get_admin_commands(bot):
    appoint(bot, BUDI)
    await bot.deliver(u.text(BUDI, "/undang"))
    assert bot.request.last_text() == bot.text("help.resident") and rows(bot, Invite) == []
    await bot.deliver(u.text(BUDI, "/cabut 601"))
    assert rows(bot, Officer)[0].revoked_at is None


async def test_a_residents_forged_review_buttons_change_nothing(bot):
    idea = seed(bot)
    for data in (
        f"rev:accept:{idea.id}:1",
        f"rev:reject:{idea.id}:1",
        f"rev:pillar:{idea.id}:1:living",
        f"rvv:{idea.id}",
        "rvq:2",
    ):
        await bot.deliver(u.callback(SITI, data))
    assert callback_answers(bot) == ["Tombol ini sudah tidak berlaku."] * 5
    assert sent(bot) == []
    assert [c.to_status for c in rows(bot, StatusChange)] == ["new"]


async def test_a_non_officers_press_in_a_group_is_answered_silently(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(SITI, f"rev:accept:{idea.id}:1", chat=GROUP))
    await bot.deliver(u.callback(SITI, f"rev:note:{idea.id}:1", chat=GROUP))
    assert callback_answers(bot) == [None, None]
    assert sent(bot) == []
    assert [c.to_status for c in rows(bot, StatusChange)] == ["new"]


async def test_help_shows_officers_and_admins_their_commands_and_residents_none(bot):
    appoint(bot, BUDI)
    await bot.deliver(u.text(SITI, "/bantuan"))
    resident, officer = bot.text("help.resident"), bot.text("help.officer")
    assert bot.request.last_text(SITI["id"]) == resident
    assert "/antrian" not in resident and "petugas" not in resident.lower()
    await bot.deliver(u.text(BUDI, "/bantuan"))
    assert bot.request.last_text(BUDI["id"]) == f"{resident}\n\n{officer}"
    assert "/antrian" in officer and "/undang" not in officer
    await bot.deliver(u.text(ADMIN, "/help"))
    admin = bot.text("help.admin")
    assert bot.request.last_text(ADMIN_ID) == f"{resident}\n\n{officer}\n\n{admin}"
    assert "/undang" in admin
    await bot.deliver(u.text(ADMIN, f"/cabut {BUDI['id']}"))
    await bot.deliver(u.text(BUDI, "/bantuan"))
    assert bot.request.last_text(BUDI["id"]) == resident


@pytest.mark.parametrize("argument", ["²", "9" * 30, "-601", "601 602"])
async def test_revoking_needs_a_plain_user_id(bot, argument):
    appoint(bot, BUDI)
    await bot.deliver(u.text(ADMIN, f"/cabut {argument}"))
    assert "Tulis id Telegram petugas" in bot.request.last_text(ADMIN_ID)
    assert rows(bot, Officer)[0].revoked_at is None


@pytest.mark.parametrize(
    "data",
    [
        "rvq:" + "9" * 30,
        "rvv:" + "9" * 30,
        "rev:take:" + "9" * 30 + ":1",
        "rev:take:1:" + "9" * 30,
        "rev:reject:" + "9" * 30 + ":1",
        "rev:take:²:1",
    ],
)
async def test_an_officers_button_with_a_number_no_button_carries_is_stale(bot, data):
    appoint(bot, BUDI)
    seed(bot)
    await bot.deliver(u.callback(BUDI, data))
    assert callback_answers(bot) == ["Tombol ini sudah tidak berlaku."]
    assert sent(bot) == [] and rows(bot, StatusChange)[-1].to_status == "new"


async def test_the_menus_for_other_languages_are_in_the_default_language(bot_factory, database_url):
    async with bot_factory(make_settings(database_url, DEFAULT_LANGUAGE="en")) as bot:
        await on_started(bot.app)
    menus = {
        (m["scope"]["type"], m.get("language_code")): [c["command"] for c in m["commands"]]
        for m in bot.request.of("setMyCommands")
    }
    assert menus["all_private_chats", None][:2] == ["idea", "myideas"]
    assert menus["all_private_chats", "id"][:2] == ["ide", "ideaku"]
    assert menus["chat", None][:2] == ["queue", "view"] and "invite" in menus["chat", None]
    assert menus["chat", "id"][:2] == ["antrian", "lihat"] and "ide" in menus["chat", "id"]


async def test_help_in_the_team_group_lists_the_officers_commands_only(bot):
    appoint(bot, BUDI)
    await bot.deliver(u.text(BUDI, "/bantuan", chat=GROUP))
    [reply] = sent(bot)
    assert reply.params["text"] == bot.text("help.officer")
    assert int(reply.params["chat_id"]) == GROUP["id"]


RESIDENTS_GROUP = u.group_chat(-100999, title="Warga Martapura")  # not DIGEST_CHAT_IDS


@pytest.mark.parametrize("command", [*OFFICER_COMMANDS, *ADMIN_COMMANDS, "/bantuan"])
async def test_staff_commands_in_a_group_that_is_not_the_teams_are_ignored(bot, command):
    appoint(bot, BUDI)
    seed(bot)
    bot.request.clear()
    for who in (BUDI, ADMIN):
        await bot.deliver(u.text(who, command, chat=RESIDENTS_GROUP))
    assert sent(bot) == []


async def test_staff_buttons_in_a_group_that_is_not_the_teams_change_nothing(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    bot.request.clear()
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1", chat=RESIDENTS_GROUP))
    await bot.deliver(u.callback(BUDI, f"rvv:{idea.id}", chat=RESIDENTS_GROUP))
    assert [c.to_status for c in rows(bot, StatusChange)] == ["new"]
    assert sent(bot) == [] and len(bot.request.of("answerCallbackQuery")) == 2


async def test_a_long_roster_comes_in_several_messages(bot):
    staff = [u.user(7000 + n, first_name=f"Petugas {n:02d} " + "N" * 52) for n in range(40)]
    for officer in staff:
        appoint(bot, officer)
    await bot.deliver(u.text(ADMIN, "/petugas"))
    roster = bot.request.texts(ADMIN_ID)
    assert len(roster) >= 2
    assert all(f"Petugas {n:02d} " in "\n".join(roster) for n in range(40))
