"""The tagger in the resident's flow: small talk, complaints, similar ideas, supports, learning."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.domain import learning
from bot.runtime import jobs
from bot.runtime.lifecycle import on_started
from storage import queries
from storage.models import Draft, Status, StatusChange, Submission, Support
from tests import updates as u
from tests.desk import seed
from tests.test_submission_flow import send_button, walk_to_confirm

SITI = u.user(901, first_name="Siti")
BUDI = u.user(902, first_name="Budi")
COMPLAINT = (
    "KTP saya hilang sudah tiga bulan diurus di kantor kecamatan tapi tidak selesai, "
    "petugasnya kasar"
)


def rows(bot, model):
    with Session(bot.services.db.engine) as session:
        return session.exec(select(model)).all()


async def test_greetings_and_thanks_outside_the_flow_get_a_polite_answer_not_an_offer(bot):
    for text, answer in (
        ("halo min, selamat pagi", "Halo! 👋"),
        ("terima kasih banyak ya", "Sama-sama 🙏"),
        ("tes", "👍"),
    ):
        await bot.deliver(u.text(SITI, text))
        assert answer in bot.request.last_text()
        assert "ide:offer:yes" not in bot.request.buttons()
    assert rows(bot, Draft) == []


async def test_a_complaint_is_kept_and_the_resident_is_pointed_to_lapor(bot):
    await walk_to_confirm(bot, SITI, text=COMPLAINT)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    sent = bot.request.last_text(SITI["id"])
    assert "IDE-0001" in sent and "SP4N-LAPOR!" in sent and "1708" in sent
    [submission] = rows(bot, Submission)
    assert submission.looks_like_complaint is True


async def test_an_ordinary_idea_gets_no_complaint_hint(bot):
    await walk_to_confirm(bot, SITI)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    assert "SP4N-LAPOR" not in bot.request.last_text()
    assert rows(bot, Submission)[0].looks_like_complaint is False


async def test_similar_ideas_are_shown_and_can_be_supported_once(bot):
    await walk_to_confirm(bot, SITI)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    similar_text = (
        "Sediakan bank sampah di tiap desa supaya sampah plastik tidak dibuang ke sungai lagi"
    )
    await walk_to_confirm(bot, BUDI, text=similar_text)
    summary = bot.request.last_text(BUDI["id"])
    assert "Ide serupa sudah ada" in summary and "IDE-0001" in summary
    [submission] = rows(bot, Submission)
    assert f"ide:sup:{submission.id}" in bot.request.buttons()

    await bot.deliver(u.callback(BUDI, f"ide:sup:{submission.id}"))
    assert (
        "Dukungan Anda untuk IDE-0001 tercatat" in bot.request.of("answerCallbackQuery")[-1]["text"]
    )
    await bot.deliver(u.callback(BUDI, f"ide:sup:{submission.id}"))
    assert "sudah mendukung" in bot.request.of("answerCallbackQuery")[-1]["text"]
    assert len(rows(bot, Support)) == 1
    await bot.deliver(u.callback(BUDI, send_button(bot)))
    assert "IDE-0002" in bot.request.last_text(BUDI["id"])


async def test_unrelated_ideas_are_not_shown_as_similar_and_own_ideas_cannot_be_supported(bot):
    await walk_to_confirm(bot, SITI)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    await walk_to_confirm(
        bot, BUDI, text="Adakan pelatihan literasi digital untuk guru SD di Karang Intan"
    )
    assert "Ide serupa" not in bot.request.last_text(BUDI["id"])
    await walk_to_confirm(bot, SITI)
    [first] = rows(bot, Submission)
    await bot.deliver(u.callback(SITI, f"ide:sup:{first.id}"))
    assert "ide Anda sendiri" in bot.request.of("answerCallbackQuery")[-1]["text"]


async def test_a_rejected_idea_cannot_be_supported_with_a_forged_button(bot):
    rejected = seed(bot, SITI, status=Status.REJECTED)
    await walk_to_confirm(bot, BUDI)
    await bot.deliver(u.callback(BUDI, f"ide:sup:{rejected.id}"))
    assert "tidak berlaku" in bot.request.of("answerCallbackQuery")[-1]["text"]
    assert rows(bot, Support) == []


async def test_only_pillars_an_officer_touched_become_training_examples(bot, clock):
    await walk_to_confirm(bot, SITI)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    await walk_to_confirm(
        bot, BUDI, text="Perbaiki jalan rusak menuju Puskesmas Astambul yang berlubang"
    )
    await bot.deliver(u.callback(BUDI, send_button(bot)))
    reviewed = rows(bot, Submission)[1]
    with Session(bot.services.db.engine) as session:
        session.add(
            StatusChange(
                submission_id=reviewed.id,
                from_status="new",
                to_status="in_review",
                actor_id=5,
                actor_role="officer",
                at=clock.now + timedelta(hours=1),
            )
        )
        session.commit()
    examples = bot.services.db.call(queries.labelled_examples)
    assert examples == [(reviewed.text, reviewed.pillar)]
    assert await learning.retrain(bot.services.db, bot.services.tagger) in (True, False)


async def test_retraining_is_scheduled_at_start_up_and_daily(bot):
    await on_started(bot.app)
    [job] = bot.app.job_queue.get_jobs_by_name(jobs.RETRAIN_JOB)
    assert job.job.trigger.interval == jobs.RETRAIN_EVERY
