"""The stand-in Bot API server, driven by python-telegram-bot's own ``telegram.Bot``."""

import asyncio
import json
import time

import aiohttp
import pytest
import telegram
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter

from tests.standin import StandinBotApi
from tests.standin.formatting import parse_html
from tests.standin.human import DEFAULT_PHOTO
from tests.standin.media import image_info, make_png
from tests.standin.protocol import ApiError

KEYBOARD = telegram.InlineKeyboardMarkup(
    [[telegram.InlineKeyboardButton("Ya", callback_data="yes")]]
)


@pytest.fixture
async def api():
    async with StandinBotApi() as server:
        yield server


@pytest.fixture
async def ptb_bot(api):
    async with telegram.Bot(
        api.token, base_url=f"{api.root_url}/bot", base_file_url=f"{api.root_url}/file/bot"
    ) as bot:
        yield bot


async def raw_call(api, method, *, token=None, **kwargs):
    """Call the server without PTB: returns (HTTP status, JSON body)."""
    url = f"{api.root_url}/bot{token or api.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


# identity and protocol


async def test_get_me_describes_the_bot(api, ptb_bot):
    me = await ptb_bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "inovasi_test_bot", True)
    assert me.can_join_groups is True and me.can_read_all_group_messages is False
    assert api.calls[-1].method == "getMe" and api.calls[-1].status == 200


async def test_wrong_token_unknown_method_and_body_encodings(api):
    assert await raw_call(api, "getMe", token="1:WRONG") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await raw_call(api, "noSuchMethod")
    assert (status, body["description"]) == (404, "Not Found: method not found")

    api.user(7)
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    status, form = await raw_call(
        api, "sendmessage", data={"chat_id": "7", "text": "form", "reply_markup": markup}
    )
    assert status == 200 and form["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    status, body = await raw_call(api, "sendMessage", json={"chat_id": 7, "text": "json"})
    assert status == 200 and body["result"]["message_id"] == form["result"]["message_id"] + 1
    first = api.calls[-2]
    assert first.method == "sendMessage"  # documented spelling, whatever case was used
    assert first.params["chat_id"] == 7 and first.params["reply_markup"]["inline_keyboard"]


async def test_invalid_token_surfaces_in_ptb(api):
    with pytest.raises(InvalidToken):
        async with telegram.Bot("1:WRONG", base_url=f"{api.root_url}/bot"):
            pass  # initialising calls getMe


# updates


async def test_offset_confirms_and_unconfirmed_updates_are_delivered_again(api, ptb_bot):
    warga = api.user(1001)
    api.send_text(warga, "satu")
    api.send_text(warga, "dua")

    first = await ptb_bot.get_updates()
    assert [u.update_id for u in first] == [1000, 1001]
    assert [u.update_id for u in await ptb_bot.get_updates()] == [1000, 1001]  # not confirmed yet
    assert [u.update_id for u in await ptb_bot.get_updates(limit=1)] == [1000]

    api.send_text(warga, "tiga")
    later = await ptb_bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in later] == ["tiga"]
    assert api.confirmed_offset == 1002
    assert [u.update_id for u in await ptb_bot.get_updates()] == [1002]


async def test_long_poll_returns_as_soon_as_an_update_arrives(api, ptb_bot):
    warga = api.user(1002)
    poll = asyncio.create_task(ptb_bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    api.send_text(warga, "/start")
    updates = await poll
    assert time.monotonic() - started < 3  # long before the poll's 5 s, even on a loaded machine
    assert updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"


async def test_long_poll_times_out_with_no_updates(ptb_bot):
    started = time.monotonic()
    assert await ptb_bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 1


async def test_a_second_poller_ends_the_first_with_conflict(api, ptb_bot):
    first = asyncio.create_task(ptb_bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with telegram.Bot(api.token, base_url=f"{api.root_url}/bot") as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict):
        await first


async def test_stopping_the_server_ends_a_long_poll_at_once():
    async with StandinBotApi() as server:
        ptb_bot = telegram.Bot(server.token, base_url=f"{server.root_url}/bot")
        await ptb_bot.initialize()
        poll = asyncio.create_task(ptb_bot.get_updates(timeout=30))
        await asyncio.sleep(0.1)
        started = time.monotonic()
    assert await poll == ()
    assert time.monotonic() - started < 10  # not the poll's 30 s
    await ptb_bot.shutdown()


async def test_allowed_updates_and_dropping_pending_updates(api, ptb_bot):
    warga = api.user(1003)
    await ptb_bot.get_updates(allowed_updates=["callback_query"])
    api.send_text(warga, "not wanted")
    api.press_button(warga, {"chat": {"id": 1003}, "message_id": 1, "date": 0}, "x")
    assert [u.callback_query is not None for u in await ptb_bot.get_updates()] == [True]
    assert (await ptb_bot.get_webhook_info()).pending_update_count == 1
    await ptb_bot.delete_webhook(drop_pending_updates=True)
    assert await ptb_bot.get_updates() == ()


# sending and editing


async def test_edit_without_markup_removes_the_inline_keyboard(api, ptb_bot):
    api.user(1004)
    sent = await ptb_bot.send_message(1004, "Pilih", reply_markup=KEYBOARD)
    stored = api.current(1004, sent.message_id)
    assert stored["reply_markup"] == {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}
    assert stored["from"]["id"] == 123456 and stored["chat"]["type"] == "private"

    edited = await ptb_bot.edit_message_text("Terpilih", chat_id=1004, message_id=sent.message_id)
    assert edited.reply_markup is None and edited.edit_date is not None
    assert "reply_markup" not in api.current(1004, sent.message_id)
    assert api.sent_messages(1004)[0]["text"] == "Pilih"  # as created

    with pytest.raises(BadRequest, match="not modified"):
        await ptb_bot.edit_message_text("Terpilih", chat_id=1004, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="to edit not found"):
        await ptb_bot.edit_message_text("x", chat_id=1004, message_id=999)


async def test_html_is_parsed_and_bad_html_is_refused(api, ptb_bot):
    api.user(1005)
    sent = await ptb_bot.send_message(
        1005, "<b>Ide</b> &lt;baru&gt; 🎉 <i>x</i>", parse_mode="HTML"
    )
    assert sent.text == "Ide <baru> 🎉 x"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("italic", 14, 1),  # the emoji counts two UTF-16 code units
    ]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await ptb_bot.send_message(1005, "skor < 5", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await ptb_bot.send_message(1005, "<b>tebal", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await ptb_bot.send_message(1005, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await ptb_bot.send_message(1005, "<b> </b>", parse_mode="HTML")
    assert len(api.sent_messages(1005)) == 1


def test_html_parser_follows_telegram_rules():
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre> <a href="https://e.id">e</a> &nbsp;'
    )
    assert text == "x = 1 e &nbsp;"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "text_link", "offset": 6, "length": 1, "url": "https://e.id"},
    ]
    for bad, message in [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
    ]:
        with pytest.raises(ApiError, match=message) as error:
            parse_html(bad)
        assert error.value.status == 400


async def test_callback_query_can_be_answered_once(api, ptb_bot):
    warga = api.user(1006)
    sent = await ptb_bot.send_message(1006, "Setuju?", reply_markup=KEYBOARD)
    api.press_button(warga, sent.to_dict(), "yes")
    (update,) = await ptb_bot.get_updates()
    query = update.callback_query
    assert (query.data, query.message.message_id, query.from_user.id) == ("yes", 1, 1006)
    assert await query.answer("Terima kasih") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await ptb_bot.answer_callback_query("no-such-query")


# files


async def test_user_photo_can_be_downloaded_by_the_bot(api, ptb_bot):
    api.send_photo(api.user(1007), caption="Jalan rusak")
    (update,) = await ptb_bot.get_updates()
    assert update.message.caption == "Jalan rusak"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (4, 3)
    file = await ptb_bot.get_file(photo.file_id)
    assert file.file_path.startswith(f"{api.root_url}/file/bot{api.token}/photos/")
    assert bytes(await file.download_as_bytearray()) == DEFAULT_PHOTO


async def test_bot_uploads_photos_documents_and_media_groups(api, ptb_bot):
    api.user(1008)
    sent = await ptb_bot.send_photo(1008, DEFAULT_PHOTO, caption="<b>Bukti</b>", parse_mode="HTML")
    assert sent.caption == "Bukti" and sent.photo[0].width == 4
    again = await ptb_bot.send_photo(1008, sent.photo[0].file_id)  # reuse by file_id
    assert again.photo[0].file_unique_id == sent.photo[0].file_unique_id

    document = await ptb_bot.send_document(1008, b"laporan", filename="laporan.txt")
    assert document.document.file_name == "laporan.txt"
    downloaded = await (await ptb_bot.get_file(document.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"laporan"

    album = await ptb_bot.send_media_group(
        1008, [telegram.InputMediaPhoto(DEFAULT_PHOTO), telegram.InputMediaPhoto(DEFAULT_PHOTO)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await ptb_bot.send_photo(1008, b"not an image")


async def test_edit_message_media_replaces_a_photo_and_refuses_a_text_message(api, ptb_bot):
    api.user(1009)
    first = await ptb_bot.send_photo(1009, DEFAULT_PHOTO, caption="sebelum")
    other = await ptb_bot.send_photo(1009, make_png(6, 5), caption="x")
    edited = await ptb_bot.edit_message_media(
        telegram.InputMediaPhoto(other.photo[0].file_id, caption="sesudah"),
        chat_id=1009,
        message_id=first.message_id,
    )
    assert edited.caption == "sesudah" and edited.photo[0].width == 6
    text = await ptb_bot.send_message(1009, "teks")
    with pytest.raises(BadRequest, match="no media"):
        await ptb_bot.edit_message_media(
            telegram.InputMediaPhoto(DEFAULT_PHOTO), chat_id=1009, message_id=text.message_id
        )


def test_image_info_reads_png_and_jpeg_headers():
    jpeg = b"\xff\xd8\xff\xe0\x00\x04\x00\x00\xff\xc0\x00\x11\x08\x00\x20\x00\x40\x03"
    assert image_info(jpeg) == ("image/jpeg", 64, 32)
    assert image_info(DEFAULT_PHOTO) == ("image/png", 4, 3)
    assert image_info(b"plain text") is None


# chats and commands


async def test_commands_menu_and_chats(api, ptb_bot):
    await ptb_bot.set_my_commands([("start", "Mulai"), ("status", "Cek status")])
    await ptb_bot.set_my_commands([("lapor", "Lapor")], language_code="en")
    assert [c.command for c in await ptb_bot.get_my_commands()] == ["start", "status"]
    assert [c.command for c in await ptb_bot.get_my_commands(language_code="en")] == ["lapor"]
    await ptb_bot.delete_my_commands()
    assert await ptb_bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await ptb_bot.set_my_commands([("Start", "x")])
    assert await ptb_bot.set_chat_menu_button(menu_button=telegram.MenuButtonCommands())

    group = api.group_chat()
    announced = await ptb_bot.send_message(-100999, "Pengumuman")  # never seen: created on demand
    assert announced.chat.type == "supergroup"
    assert (await ptb_bot.get_chat(group["id"])).title == "Tim E-Gov"
    assert await ptb_bot.send_chat_action(group["id"], "typing") is True
    location = await ptb_bot.send_location(group["id"], latitude=-3.44, longitude=114.83)
    assert location.location.latitude == pytest.approx(-3.44)


# observing, faults and latency


async def test_wait_for_message_reads_replies_in_order(api, ptb_bot):
    warga = api.user(1009)
    api.send_text(warga, "/start@inovasi_test_bot")
    assert api.pending_updates[0]["message"]["entities"][0]["length"] == 23

    async def reply():
        await asyncio.sleep(0.05)
        await ptb_bot.send_message(1009, "Selamat datang")
        await ptb_bot.send_message(1009, "Pilih menu")

    task = asyncio.create_task(reply())
    assert (await api.wait_for_message(1009))["text"] == "Selamat datang"
    assert (await api.wait_for_message(1009, contains="menu"))["text"] == "Pilih menu"
    await task
    call = await api.wait_for(lambda c: c.method == "sendMessage")
    assert call.result["text"] == "Selamat datang"
    with pytest.raises(AssertionError, match=r"(?s)no a matching call.*sendMessage -> 200"):
        await api.wait_for(lambda c: c.method == "sendPhoto", after=0, timeout=0.1)


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")  # inside PTB's RetryAfter
async def test_fail_next_429_surfaces_as_retry_after(api, ptb_bot):
    api.user(1010)
    api.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter, match="Retry in 7"):
        await ptb_bot.send_message(1010, "Halo")
    assert api.calls[-1].status == 429
    assert api.calls[-1].response["parameters"] == {"retry_after": 7}
    assert api.sent_messages(1010) == []
    await ptb_bot.send_message(1010, "Halo")  # only the next call failed
    assert len(api.sent_messages(1010)) == 1


async def test_fail_next_hang_with_success_applies_the_call_but_answers_late(api, ptb_bot):
    api.user(1011)
    api.fail_next("sendMessage", status=200, hang=0.2)
    started = time.monotonic()
    await ptb_bot.send_message(1011, "lambat")
    assert time.monotonic() - started >= 0.2
    assert api.calls[-1].answered_at - api.calls[-1].at >= 0.2


async def test_fail_next_for_one_chat_lets_other_chats_pass(api, ptb_bot):
    api.user(1012)
    api.user(1013)
    api.fail_next("sendMessage", status=502, chat_id=1013)
    await ptb_bot.send_message(1012, "lewat")
    with pytest.raises(NetworkError):
        await ptb_bot.send_message(1013, "gagal")
    await ptb_bot.send_message(1013, "lewat juga")
    assert [m["text"] for m in api.sent_messages()] == ["lewat", "lewat juga"]


async def test_latency_is_added_to_every_call(api, ptb_bot):
    api.latency = 0.2
    started = time.monotonic()
    await ptb_bot.get_me()
    assert time.monotonic() - started >= 0.2
    assert api.calls[-1].answered_at - api.calls[-1].at >= 0.2
