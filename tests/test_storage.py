"""Storage on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, inspect
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, select

from storage import inbox, queries
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from storage.models import Draft, Resident, Submission

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def new_submission(resident_id: int | None, key: str, **fields) -> Submission:
    values = dict(
        draft_key=key,
        resident_id=resident_id,
        text="Bank sampah di setiap desa",
        pillar="environment",
        suggested_pillar="environment",
        confidence=0.9,
        created_at=NOW,
        updated_at=NOW,
    )
    values.update(fields)
    return Submission(**values)


def add_resident(db: Database, user_id: int = 1) -> None:
    db.call_write(
        queries.upsert_resident,
        user_id=user_id,
        first_name="Siti",
        username=None,
        telegram_language="id",
        now=NOW,
    )


def test_migrations_create_every_table_and_are_idempotent(db):
    upgrade(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "resident",
        "submission",
        "photo",
        "statuschange",
        "draft",
        "conversationstate",
        "inboxupdate",
        "alembic_version",
    } <= tables


def test_codes_follow_the_prefix_and_count_up(db):
    add_resident(db)
    first = db.call_write(
        queries.create_submission,
        submission=new_submission(1, "a"),
        photos=[("f1", "u1")],
        code_prefix="IDE",
        actor_role="resident",
    )
    second = db.call_write(
        queries.create_submission,
        submission=new_submission(1, "b"),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    assert (first.code, second.code) == ("IDE-0001", "IDE-0002")
    assert first.photo_file_ids == ["f1"]
    assert [c.to_status for c in db.call(queries.history, submission_id=first.id)] == ["new"]


def test_one_submission_per_draft(db):
    add_resident(db)
    db.call_write(
        queries.create_submission,
        submission=new_submission(1, "same"),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    with pytest.raises(IntegrityError):
        db.call_write(
            queries.create_submission,
            submission=new_submission(1, "same"),
            photos=[],
            code_prefix="IDE",
            actor_role="resident",
        )


def test_datetimes_come_back_aware_utc_and_naive_ones_are_refused(db):
    add_resident(db)
    resident = db.call(queries.get_resident, user_id=1)
    assert resident.created_at == NOW and resident.created_at.tzinfo is not None
    with pytest.raises((StatementError, ValueError)):
        db.call_write(
            queries.upsert_resident,
            user_id=2,
            first_name=None,
            username=None,
            telegram_language=None,
            now=datetime(2026, 1, 1),
        )


def test_resident_pages_are_newest_first_and_only_their_own(db):
    add_resident(db, 1)
    add_resident(db, 2)
    for index in range(7):
        db.call_write(
            queries.create_submission,
            submission=new_submission(1, f"k{index}", created_at=NOW + timedelta(minutes=index)),
            photos=[],
            code_prefix="IDE",
            actor_role="resident",
        )
    db.call_write(
        queries.create_submission,
        submission=new_submission(2, "other"),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    page, total = db.call(queries.submissions_of_resident, resident_id=1, offset=0, limit=5)
    assert total == 7
    assert [s.code for s in page] == ["IDE-0007", "IDE-0006", "IDE-0005", "IDE-0004", "IDE-0003"]
    assert (
        db.call(queries.count_submissions_since, resident_id=1, since=NOW + timedelta(minutes=5))
        == 2
    )


def test_drafts_are_replaced_and_deleted(db):
    db.call_write(queries.save_draft, draft=Draft(resident_id=1, key="k", text="a", updated_at=NOW))
    db.call_write(queries.save_draft, draft=Draft(resident_id=1, key="k", text="b", updated_at=NOW))
    assert db.call(queries.get_draft, resident_id=1).text == "b"
    db.call_write(queries.delete_draft, resident_id=1)
    assert db.call(queries.get_draft, resident_id=1) is None


def test_inbox_stores_each_update_once_and_tracks_done(db):
    fresh = db.call_write(
        inbox.store_updates, updates=[(10, {"update_id": 10}), (11, {"update_id": 11})], now=NOW
    )
    again = db.call_write(
        inbox.store_updates, updates=[(11, {"update_id": 11}), (12, {"update_id": 12})], now=NOW
    )
    assert (fresh, again) == ([10, 11], [12])
    db.call_write(inbox.mark_updates_done, update_ids=[11], now=NOW)
    assert [uid for uid, _ in db.call(inbox.pending_updates)] == [10, 12]
    assert db.call(inbox.last_update_id) == 12


def test_a_batch_repeating_an_update_stores_it_once(db):
    payloads = [(5, {"update_id": 5}), (6, {"update_id": 6}), (5, {"update_id": 5})]
    assert db.call_write(inbox.store_updates, updates=payloads, now=NOW) == [5, 6]
    assert db.call_write(inbox.store_updates, updates=[], now=NOW) == []
    assert db.call(inbox.pending_updates) == [(5, {"update_id": 5}), (6, {"update_id": 6})]


def test_finishing_updates_stores_steps_and_done_marks_together(db):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {}), (3, {})], now=NOW)
    db.call_write(inbox.set_conversation_states, states={("submission", "[1, 1]"): "where"})
    db.call_write(
        inbox.finish_updates,
        states={("submission", "[1, 1]"): None, ("submission", "[2, 2]"): "pillar"},
        done=[1, 3],
        now=NOW,
    )
    db.call_write(inbox.finish_updates, states={}, done=[1], now=NOW + timedelta(days=1))
    assert db.call(inbox.conversation_states, name="submission") == {"[2, 2]": "pillar"}
    assert [uid for uid, _ in db.call(inbox.pending_updates)] == [2]
    # a repeated mark keeps the first time: pruning counts from when the update was handled
    assert db.call_write(inbox.prune_updates, before=NOW + timedelta(hours=1)) == 2


def test_conversation_states_are_set_and_ended(db):
    db.call_write(inbox.set_conversation_states, states={("submission", "[1, 1]"): "where"})
    db.call_write(inbox.set_conversation_states, states={("submission", "[1, 1]"): "pillar"})
    assert db.call(inbox.conversation_states, name="submission") == {"[1, 1]": "pillar"}
    db.call_write(inbox.set_conversation_states, states={("submission", "[1, 1]"): None})
    assert db.call(inbox.conversation_states, name="submission") == {}


def test_consent_is_recorded_once_with_its_time_and_a_publish_answer_is_kept(db):
    def send(now, **answers):
        db.call_write(
            queries.upsert_resident,
            user_id=1,
            first_name="Siti",
            username=None,
            telegram_language="id",
            now=now,
            **answers,
        )

    send(NOW, consent=False, publish_default=True)
    assert db.call(queries.get_resident, user_id=1).consent_named_at is None
    send(NOW + timedelta(hours=1), consent=True, publish_default=False)
    send(NOW + timedelta(days=1), consent=True)
    send(NOW + timedelta(days=2))
    resident = db.call(queries.get_resident, user_id=1)
    assert resident.consent_named_at == NOW + timedelta(hours=1)
    assert resident.publish_default is False
    assert resident.created_at == NOW


def test_erasing_a_resident_keeps_their_submissions(db):
    add_resident(db)
    db.call_write(
        queries.create_submission,
        submission=new_submission(1, "a"),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    with Session(db.engine) as session:
        session.delete(session.get(Resident, 1))
        session.commit()
        [kept] = session.exec(select(Submission)).all()
    assert kept.resident_id is None


def test_sqlite_file_folder_is_created(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'deeper' / 'inovasi.db'}")
    upgrade(engine)
    assert (tmp_path / "nested" / "deeper" / "inovasi.db").exists()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_handled_updates_are_pruned_after_two_days_pending_ones_never(db):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {}), (3, {})], now=NOW)
    db.call_write(inbox.mark_updates_done, update_ids=[1], now=NOW)
    db.call_write(inbox.mark_updates_done, update_ids=[2], now=NOW + timedelta(days=1))
    assert db.call_write(inbox.prune_updates, before=NOW + timedelta(hours=1)) == 1
    assert [uid for uid, _ in db.call(inbox.pending_updates)] == [3]
    assert db.call(inbox.last_update_id) == 3


async def test_a_quick_read_runs_on_the_loop_on_sqlite_and_in_a_worker_on_postgresql(db):
    add_resident(db)
    db.call_write(queries.set_language, user_id=1, language="en", now=NOW)

    def where(connection: Connection, *, user_id: int) -> tuple[str, str | None]:
        choices = queries.resident_choices(connection, user_id=user_id)
        return threading.current_thread().name, choices.language

    thread, language = await db.quick_read(where, user_id=1)

    on_loop = thread == threading.current_thread().name
    assert (on_loop, language) == (db.engine.dialect.name == "sqlite", "en")


async def test_a_quick_read_sees_each_commit_and_holds_no_transaction_open(db):
    """On SQLite the loop's connection is kept: it must neither hold a snapshot (a later commit
    unseen, the WAL never checkpointed) nor a lock."""
    add_resident(db)
    assert (await db.quick_read(queries.resident_choices, user_id=1)).language is None
    db.call_write(queries.set_language, user_id=1, language="en", now=NOW)
    assert (await db.quick_read(queries.resident_choices, user_id=1)).language == "en"
    assert await db.quick_read(queries.resident_choices, user_id=2) is None
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as other:
            other.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = other.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0  # no reader held the WAL
    db.close()
    assert (await db.quick_read(queries.resident_choices, user_id=1)).language == "en"
