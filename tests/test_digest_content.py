"""What the digest says: its figures for a known week, its words, escaping, splitting, the chart."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.core.catalogue import load_catalogue
from bot.core.i18n import Texts
from bot.domain import charts
from bot.domain.digest.text import (
    MESSAGE_LIMIT,
    Context,
    excerpt,
    render_digest,
    split_messages,
    telegram_length,
    week_before,
    week_so_far,
)
from bot.domain.sla import overdue_cutoff
from storage import digest_figures as store
from storage.digest_figures import DigestFigures, Listed
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from tests.digest_data import NOW, WITA, seed_week, wita


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load(WITA, region="Kabupaten Banjar", code_prefix="IDE")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    seed_week(engine)
    yield Database(engine)
    engine.dispose()


def context(texts, catalogue, language: str = "id") -> Context:
    return Context(
        texts=texts,
        catalogue=catalogue,
        language=language,
        region="Kabupaten Banjar",
        sla_days=3,
        now=NOW,
    )


def figures_of(db: Database, period) -> DigestFigures:
    return db.call(
        store.digest_figures,
        start=period.start,
        end=period.end,
        previous_start=period.previous_start,
        previous_end=period.previous_end,
        overdue_before=overdue_cutoff(NOW, WITA, 3),
        top=5,
        listed=40,
    )


def quiet_figures(**changes) -> DigestFigures:
    values = dict(
        new_by_pillar={},
        previous_by_pillar={},
        top_kecamatan=[],
        status_changes={},
        waiting=0,
        overdue=0,
        oldest_code=None,
        oldest_at=None,
        supported=[],
        new_ideas=[],
    )
    values.update(changes)
    return DigestFigures(**values)


def test_the_period_is_the_week_before_the_moment_in_wita():
    period = week_before(NOW, WITA)
    assert period.start == wita(23, 0) == datetime(2026, 11, 22, 16, tzinfo=UTC)
    assert period.end == wita(30, 0)
    assert (period.previous_start, period.previous_end) == (wita(16, 0), wita(23, 0))
    assert week_before(wita(29, 23, 59), WITA).end == wita(23, 0)


def test_the_current_week_so_far_is_compared_with_the_same_span_a_week_earlier():
    period = week_so_far(wita(26, 14), WITA)
    assert (period.start, period.end) == (wita(23, 0), wita(26, 14))
    assert (period.previous_start, period.previous_end) == (wita(16, 0), wita(19, 14))
    assert period.so_far


def test_figures_of_the_known_week_come_from_sql(db):
    figures = figures_of(db, week_before(NOW, WITA))
    assert figures.new_by_pillar == {
        "environment": 3,
        "living": 2,
        "governance": 2,
        "society": 1,
        "branding": 1,
    }
    assert figures.previous_by_pillar == {"living": 2, "economy": 2, "environment": 1}
    assert figures.top_kecamatan == [
        ("martapura", 3),
        ("gambut", 2),
        ("aranio", 1),
        ("astambul", 1),
        ("paramasan", 1),
    ]
    assert figures.status_changes == {"in_review": 3, "accepted": 2, "rejected": 1}
    assert (figures.waiting, figures.overdue, figures.oldest_code) == (10, 3, "IDE-0005")
    assert figures.oldest_at == wita(20)
    assert [(idea.code, idea.supports) for idea in figures.supported] == [
        ("IDE-0008", 3),
        ("IDE-0006", 1),
    ]
    assert [idea.code for idea in figures.new_ideas] == [f"IDE-{n:04d}" for n in range(6, 15)]


def test_the_digest_of_the_known_week_in_indonesian(db, texts, catalogue):
    period = week_before(NOW, WITA)
    [message] = render_digest(figures_of(db, period), period, context(texts, catalogue))
    lines = message.split("\n")
    assert lines[0] == "📊 <b>Ringkasan Inovasi Warga</b> — Kabupaten Banjar"
    assert lines[1] == "🗓️ 23 Nov 2026 00:00 WITA – 30 Nov 2026 00:00 WITA"
    assert "💡 <b>Ide baru: 9</b> (periode sebelumnya 5; +4 · +80%)" in lines
    pillars = lines.index("🏷️ <b>Per pilar</b> (perubahan dibanding periode sebelumnya)")
    assert lines[pillars + 1 : pillars + 7] == [
        "• Smart Environment: 3 (+2)",
        "• Smart Governance: 2 (+2)",
        "• Smart Living: 2 (±0)",
        "• Smart Branding: 1 (+1)",
        "• Smart Society: 1 (+1)",
        "• Smart Economy: 0 (\u22122)",
    ]
    places = lines.index("📍 <b>Kecamatan paling aktif</b>")
    assert lines[places + 1 : places + 6] == [
        "1. Martapura: 3",
        "2. Gambut: 2",
        "3. Aranio: 1",
        "4. Astambul: 1",
        "5. Paramasan: 1",
    ]
    assert "Pengaron" not in message
    changes = lines.index("🔄 <b>Perubahan status: 6</b>")
    assert lines[changes + 1 : changes + 4] == [
        "• Sedang ditinjau: 3",
        "• Diterima: 2",
        "• Ditolak: 1",
    ]
    assert "Menunggu: 10" in lines
    assert "Tertua: IDE-0005, masuk 20 Nov 2026 (10 hari lalu)" in lines
    assert "Lewat batas 3 hari kerja: 3" in lines
    assert (
        "• <b>IDE-0008</b> · Smart Governance · 3 dukungan — Taman &lt;b&gt;baca&lt;/b&gt; "
        "&amp; perpustakaan desa untuk anak-anak di setiap kelurahan kita"
    ) in lines
    assert "<b>baca</b>" not in message
    ideas = lines.index("🆕 <b>Ide baru periode ini</b>")
    assert lines[ideas + 1].startswith("• <b>IDE-0006</b> · Smart Environment — Usulan warga")
    assert lines[-1].startswith("• <b>IDE-0014</b> · Smart Governance — ")
    assert "Siti" not in message and "Budi" not in message and "501" not in message


def test_the_digest_speaks_english_when_asked(db, texts, catalogue):
    period = week_before(NOW, WITA)
    [message] = render_digest(figures_of(db, period), period, context(texts, catalogue, "en"))
    assert "📊 <b>Inovasi Warga digest</b> — Kabupaten Banjar" in message
    assert "💡 <b>New ideas: 9</b> (period before 5; +4 · +80%)" in message
    assert "Past the 3 working-day limit: 3" in message


def test_a_quiet_week_gets_a_short_digest(texts, catalogue):
    period = week_before(NOW, WITA)
    [message] = render_digest(quiet_figures(), period, context(texts, catalogue))
    assert "Periode yang tenang" in message
    assert "Tidak ada ide yang menunggu tinjauan" in message
    assert "Per pilar" not in message and "Kecamatan" not in message
    assert len(message.split("\n")) == 5
    busy_backlog = quiet_figures(waiting=4, overdue=1, oldest_code="IDE-0001", oldest_at=wita(2))
    [message] = render_digest(busy_backlog, period, context(texts, catalogue))
    assert "Menunggu tinjauan: 4, lewat batas: 1." in message


def test_the_oldest_waiting_idea_is_counted_in_calendar_days_in_wita(texts, catalogue):
    period = week_before(NOW, WITA)
    late_sunday = quiet_figures(
        new_by_pillar={"living": 1},
        waiting=1,
        oldest_code="IDE-0001",
        oldest_at=wita(29, 23),  # nine and a half hours before Monday 08:30
    )
    message = "\n".join(render_digest(late_sunday, period, context(texts, catalogue)))
    assert "Tertua: IDE-0001, masuk 29 Nov 2026 (1 hari lalu)" in message


def test_a_long_digest_is_split_between_lines_under_the_limit(texts, catalogue):
    long_text = "Usulan " + " ".join(f"kata{n}&<i>" for n in range(40))
    ideas = [Listed(f"IDE-{n:04d}", "living", long_text) for n in range(1, 41)]
    many = quiet_figures(
        new_by_pillar={"living": 400},
        new_ideas=ideas * 2,
        top_kecamatan=[(f"k{n}", n) for n in range(5)],
    )
    messages = render_digest(many, week_before(NOW, WITA), context(texts, catalogue))
    assert len(messages) >= 3
    assert messages[0].startswith("📊 <b>Ringkasan Inovasi Warga")
    assert all(telegram_length(message) < MESSAGE_LIMIT for message in messages)
    for message in messages:
        assert message.count("<b>") == message.count("</b>")
        assert "<i>" not in message
    lines = [line for message in messages for line in message.split("\n")]
    assert sum(line.startswith("• <b>IDE-") for line in lines) == 80
    assert lines[-1] == "… dan 320 ide lainnya: lihat lampiran XLSX."


def test_splitting_keeps_sections_whole_when_they_fit_and_cuts_overlong_lines():
    sections = ["A" * 3000, "B" * 2000, "\n".join(["C" * 100] * 50)]
    messages = split_messages(sections)
    assert messages[0] == "A" * 3000
    assert messages[1].startswith("B" * 2000 + "\n\n" + "C" * 100)
    assert all(telegram_length(message) < MESSAGE_LIMIT for message in messages)
    assert "".join(messages).count("C") == 5000
    [first, second] = split_messages(["x" * 5000])
    assert (len(first), first + second) == (MESSAGE_LIMIT - 1, "x" * 5000)
    moons = split_messages(["🌙" * 3000])
    assert [telegram_length(message) for message in moons] == [4094, 1906]


def test_excerpts_are_short_and_carry_no_contact_details():
    assert excerpt("Hubungi saya di 0812-3456-7890 atau siti@example.com ya @sitiwarga") == (
        "Hubungi saya di […] atau […] ya […]"
    )
    assert excerpt("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas dua belas")
    assert excerpt(" ".join(["kata"] * 30)).endswith("…")
    assert excerpt("Jalan  rusak\n di RT 3") == "Jalan rusak di RT 3"


def _deadline(received: datetime, working_days: int) -> datetime:
    """The review desk's rule: count working days (Mon–Fri); a weekend counts from Monday 00:00."""
    local = received.astimezone(WITA)
    if local.weekday() >= 5:
        local = (local + timedelta(days=7 - local.weekday())).replace(hour=0, minute=0)
    for _ in range(working_days):
        local += timedelta(days=1)
        while local.weekday() >= 5:
            local += timedelta(days=1)
    return local


@pytest.mark.parametrize("working_days", [1, 3, 5])
def test_overdue_cutoff_agrees_with_counting_working_days_forward(working_days):
    nows = [wita(day, hour) for day in range(23, 30) for hour in (0, 7, 12, 23)]
    receipts = [wita(9, 0) + timedelta(minutes=97 * n) for n in range(300)]
    receipts += [wita(day, 0) for day in range(9, 30)]
    for now in nows:
        cutoff = overdue_cutoff(now, WITA, working_days)
        for received in receipts:
            assert (now > _deadline(received, working_days)) == (received < cutoff), (
                now,
                received,
            )


def test_the_chart_is_a_png_of_the_two_weeks():
    png = charts.week_against_week(
        ["Smart Governance", "Smart Living"],
        [3, 1],
        [1, 2],
        title="Ide baru per pilar",
        this_label="Periode ini",
        previous_label="Periode sebelumnya",
        styles=list(charts.pillar_styles(["governance", "living"]).values()),
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (800, 450)
