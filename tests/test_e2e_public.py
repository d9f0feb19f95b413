"""End to end, the public side: consent, the channel's post and its support link, /jelajah,
implementing, erasure and withdrawal, with the bot as a process against the stand-in."""

from __future__ import annotations

import pytest

from tests.e2e import bot_environment, running_bot, standin

pytestmark = pytest.mark.slow

CHANNEL = -1009876543210
WASTE = "Tolong sediakan bank sampah di setiap desa agar sampah plastik tidak dibuang ke sungai"
ROAD = "Lampu jalan di Jalan Ahmad Yani km 7 Martapura sudah lama mati, mohon diperbaiki"


def button(message: dict, prefix: str) -> str:
    return next(
        b.get("callback_data") or b.get("url")
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if (b.get("callback_data") or b.get("url", "")).startswith(prefix)
    )


async def submit(api, who: dict, text: str, *, named: bool, public: bool) -> None:
    api.send_text(who, "/ide")
    await api.wait_for_message(who["id"], contains="Tuliskan ide", timeout=30)
    api.send_text(who, text)
    question = await api.wait_for_message(who["id"], contains="kecamatan")
    api.press_button(who, question, "ide:kec:martapura")
    question = await api.wait_for_message(who["id"], contains="pilar")
    api.press_button(who, question, "ide:pil:environment")
    question = await api.wait_for_message(who["id"], contains="Bolehkah nama")
    api.press_button(who, question, "ide:name:public" if named else "ide:name:anon")
    question = await api.wait_for_message(who["id"], contains="kepada publik")
    api.press_button(who, question, "ide:pub:yes" if public else "ide:pub:no")
    summary = await api.wait_for_message(who["id"], contains="Periksa kembali")
    api.press_button(who, summary, button(summary, "ide:send:"))
    await api.wait_for_message(who["id"], contains="IDE-")


async def card_button(api, admin: dict, code: str, prefix: str) -> None:
    """Open the idea's card as the admin and press its button starting with ``prefix``."""
    api.send_text(admin, f"/lihat {code}")
    card = await api.wait_for_message(admin["id"], contains=code)
    api.press_button(admin, card, button(card, prefix))


async def test_the_public_channel_support_links_and_browsing_end_to_end(tmp_path):
    async with standin() as api:
        api.group_chat(CHANNEL, "Inovasi Warga Banjar", chat_type="channel")
        env = bot_environment(
            api, f"sqlite:///{tmp_path / 'public.db'}", PUBLIC_CHANNEL_ID=str(CHANNEL)
        )
        siti = api.user(501, first_name="Siti")
        rudi = api.user(502, first_name="Rudi")
        budi = api.user(503, first_name="Budi")
        admin = api.user(900, first_name="Admin")
        async with running_bot(env, tmp_path) as bot:
            await submit(api, siti, WASTE, named=True, public=True)  # IDE-0001
            await submit(api, rudi, ROAD, named=True, public=False)  # IDE-0002

            # Accepting the published idea posts it, with the support link and Siti's name.
            await card_button(api, admin, "IDE-0001", "rev:accept:")
            post = await api.wait_for_message(CHANNEL, contains="IDE-0001")
            assert "Diterima" in post["text"] and "Siti" in post["text"]
            link = button(post, "https://t.me/")
            assert link == "https://t.me/inovasi_test_bot?start=dukung-IDE-0001"
            # Accepting the other one posts nothing: Rudi did not consent.
            await card_button(api, admin, "IDE-0002", "rev:accept:")
            await api.wait_for_message(admin["id"], contains="IDE-0002")

            # A second resident opens the link: counted once, twice opening still once.
            api.send_text(budi, f"/start {link.rsplit('=', 1)[1]}")
            assert "tercatat" in (await api.wait_for_message(budi["id"]))["text"]
            edited = await api.wait_for_message(CHANNEL, contains="👍 1 dukungan")
            assert edited["message_id"] == post["message_id"]
            api.send_text(budi, f"/start {link.rsplit('=', 1)[1]}")
            assert "sudah mendukung" in (await api.wait_for_message(budi["id"]))["text"]

            # /jelajah lists the published idea only, and pages and filters with buttons.
            api.send_text(budi, "/jelajah")
            listed = await api.wait_for_message(budi["id"], contains="Ide warga")
            assert "IDE-0001" in listed["text"] and "IDE-0002" not in listed["text"]
            api.press_button(budi, listed, "jlj:t:*:living:1")
            living = await api.wait_for_message(budi["id"], contains="Ide warga")
            assert "IDE-0001" not in living["text"]
            api.press_button(budi, living, "jlk:t:living")
            choice = await api.wait_for_message(budi["id"], contains="kecamatan")
            api.press_button(budi, choice, "jlj:n:martapura:*:1")
            martapura = await api.wait_for_message(budi["id"], contains="Martapura")
            assert "IDE-0001" in martapura["text"] and "terbaru" in martapura["text"]

            # Implementing edits the same post.
            await card_button(api, admin, "IDE-0001", "rev:impl:")
            done = await api.wait_for_message(CHANNEL, contains="Terlaksana")
            assert done["message_id"] == post["message_id"]

            # Siti erases her data: her name leaves the post.
            api.send_text(siti, "/hapusdata")
            confirm = await api.wait_for_message(siti["id"], contains="Hapus data")
            api.press_button(siti, confirm, "priv:erase:yes")
            await api.wait_for_message(siti["id"], contains="sudah dihapus")
            nameless = await api.wait_for_message(CHANNEL, contains="IDE-0001")
            assert "Siti" not in nameless["text"]
            assert "Siti" not in api.current(CHANNEL, post["message_id"])["text"]

            # Withdrawing removes the post.
            await card_button(api, admin, "IDE-0001", "pub:hide:")
            await api.wait_for(
                lambda call: call.method == "deleteMessage" and call.status == 200, timeout=10
            )
            with pytest.raises(KeyError):
                api.current(CHANNEL, post["message_id"])
            assert await bot.terminate() == 0

        posts = api.sent_messages(CHANNEL)
        assert len(posts) == 1  # one post for the idea, edited, never posted twice
        assert all("IDE-0002" not in (m.get("text") or "") for m in posts)
