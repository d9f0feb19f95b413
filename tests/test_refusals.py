"""Every officer command and button, tried by a resident, by a revoked officer, and by a
non-officer in the team's group: all refused, nothing changed."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from storage.models import Invite, Officer, OutboxMessage, StatusChange, Submission
from tests import updates as u
from tests.conftest import ADMIN_ID
from tests.desk import ADMIN, BUDI, GROUP, SITI, appoint, rows, seed, sent
from tests.test_officer_roles import ADMIN_COMMANDS, OFFICER_COMMANDS

ACTIONS = ("take", "accept", "reject", "ask", "dup", "pillar", "note", "impl")


def buttons(submission_id: int) -> list[str]:
    presses = [f"rev:{action}:{submission_id}:1" for action in ACTIONS]
    presses[ACTIONS.index("pillar")] += ":living"
    return [*presses, f"rvv:{submission_id}", "rvq:1", "rvt:0", "rvt:-"]


def snapshot(bot) -> tuple:
    with Session(bot.services.db.engine) as session:
        return (
            [(s.status, s.pillar, s.version) for s in session.exec(select(Submission)).all()],
            len(session.exec(select(StatusChange)).all()),
            len(session.exec(select(OutboxMessage)).all()),
            len(rows(bot, Invite)),
            [(o.user_id, o.revoked_at) for o in rows(bot, Officer)],
        )


async def revoke(bot, who: dict) -> None:
    appoint(bot, who)
    await bot.deliver(u.text(ADMIN, f"/cabut {who['id']}"))
    assert "dicabut" in bot.request.last_text(ADMIN_ID)


PEOPLE = {
    "resident in private": (SITI, None),
    "revoked officer in private": (BUDI, None),
    "non-officer in the group": (SITI, GROUP),
    "revoked officer in the group": (BUDI, GROUP),
}


@pytest.mark.parametrize("who", PEOPLE, ids=list(PEOPLE))
async def test_every_officer_button_is_refused(bot, who):
    person, chat = PEOPLE[who]
    idea = seed(bot)
    if person is BUDI:
        await revoke(bot, BUDI)
    before = snapshot(bot)
    bot.request.clear()
    for data in buttons(idea.id):
        await bot.deliver(u.callback(person, data, chat=chat))
    assert snapshot(bot) == before
    answers = bot.request.of("answerCallbackQuery")
    assert len(answers) == len(buttons(idea.id)), "every press is answered, if only silently"
    assert sent(bot) == [], "no card, question or message is shown"
    if chat is None and person is SITI:
        assert {a.get("text") for a in answers} == {"Tombol ini sudah tidak berlaku."}


@pytest.mark.parametrize("who", PEOPLE, ids=list(PEOPLE))
@pytest.mark.parametrize("command", OFFICER_COMMANDS + ADMIN_COMMANDS)
async def test_every_officer_command_is_refused(bot, who, command):
    person, chat = PEOPLE[who]
    seed(bot)
    if person is BUDI:
        await revoke(bot, BUDI)
    before = snapshot(bot)
    bot.request.clear()
    await bot.deliver(u.text(person, command, chat=chat))
    assert snapshot(bot) == before
    if chat is None:
        [reply] = sent(bot)
        assert reply.params["text"] == bot.services.texts.get("id", "help.resident")
    else:
        assert sent(bot) == []
