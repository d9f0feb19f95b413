"""Bot API methods that send, edit and delete messages and answer callback queries."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from .formatting import format_text
from .markup import inline_markup
from .media import StoredFile, image_info
from .protocol import ApiError, UploadedFile, to_int
from .registry import MethodTable
from .world import World

METHODS = MethodTable()

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
MEDIA_FIELDS = ("photo", "video", "animation", "audio", "document", "voice")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


# building blocks


def _text_fields(params: dict[str, Any]) -> dict[str, Any]:
    text, entities = format_text(
        params.get("text"), params.get("parse_mode"), params.get("entities")
    )
    if not text:
        raise ApiError.bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError.bad_request("message is too long")
    return {"text": text, "entities": entities or None}


def _caption_fields(params: dict[str, Any]) -> dict[str, Any]:
    caption, entities = format_text(
        params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
    )
    if len(caption) > MAX_CAPTION:
        raise ApiError.bad_request("message caption is too long")
    return {"caption": caption or None, "caption_entities": entities or None}


def check_outgoing(method: str, params: dict[str, Any]) -> None:
    """Refuse, as Telegram does, a call whose text, caption, buttons or callback answer break
    the Bot API's limits (for checks without a stand-in world, as in handler tests)."""
    if method in ("sendMessage", "editMessageText"):
        _text_fields(params)
    if params.get("caption") is not None:
        _caption_fields(params)
    inline_markup(params.get("reply_markup"))
    if method == "answerCallbackQuery":
        _callback_answer(params)


def _callback_answer(params: dict[str, Any]) -> None:
    if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
        raise ApiError.bad_request("MESSAGE_TOO_LONG")


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop the fields whose value is None (absent from the Message object)."""
    return {key: value for key, value in fields.items() if value is not None}


def _reply_target(world: World, chat: dict[str, Any], params: dict[str, Any]) -> dict | None:
    """The message to reply to, from reply_parameters or the older reply_to_message_id."""
    reply = params.get("reply_parameters")
    if reply is None and params.get("reply_to_message_id"):
        reply = {
            "message_id": params["reply_to_message_id"],
            "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
        }
    if reply is None:
        return None
    if not isinstance(reply, dict) or "message_id" not in reply:
        raise ApiError.bad_request("can't parse reply parameters JSON object")
    target_chat = world.chat(reply["chat_id"]) if reply.get("chat_id") else chat
    target = world.messages.get((target_chat["id"], to_int("message_id", reply["message_id"])))
    if target is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise ApiError.bad_request("message to be replied not found")
    quoted = copy.deepcopy(target)
    quoted.pop("reply_to_message", None)
    return quoted


def _post(
    world: World, chat: dict[str, Any], params: dict[str, Any], content: dict[str, Any]
) -> dict[str, Any]:
    """Create a bot message in ``chat`` with ``content`` and the common send options."""
    fields = _present(content)
    fields.update(
        _present(
            {
                "reply_to_message": _reply_target(world, chat, params),
                "reply_markup": inline_markup(params.get("reply_markup")),
                "has_protected_content": True if params.get("protect_content") else None,
            }
        )
    )
    return copy.deepcopy(world.add_message(chat, world.bot_user, fields))


def _input_file(world: World, params: dict[str, Any], name: str, value: Any) -> StoredFile:
    """Resolve a file parameter: a multipart upload, ``attach://<part>``, or a file_id."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get(value.removeprefix("attach://"))
    if isinstance(value, UploadedFile):
        if name == "photo" and image_info(value.content) is None:
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
        return world.store_file(
            value.content, name, file_name=value.filename, mime_type=value.content_type
        )
    if not value:
        raise ApiError.bad_request(f"there is no {name} in the request")
    stored = world.files.get(str(value))
    if stored is None:
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != name:
        raise ApiError.bad_request(
            f"can't use file of type {stored.kind.title()} as {name.title()}"
        )
    return stored


def _editable(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """The bot message an edit method targets."""
    if params.get("inline_message_id"):
        raise ApiError.bad_request("MESSAGE_ID_INVALID")
    message = world.message(
        params.get("chat_id"), params.get("message_id"), missing="message to edit not found"
    )
    if message["from"]["id"] != world.bot_user["id"]:
        raise ApiError.bad_request("message can't be edited")
    return message


def _apply_edit(message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Replace ``changes`` on ``message`` (None removes a field); 400 if nothing changes."""
    if all(message.get(key) == value for key, value in changes.items()):
        raise ApiError.bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


# sending


@METHODS.register("sendMessage")
def send_message(world: World, params: dict[str, Any]) -> dict[str, Any]:
    chat = world.chat(params.get("chat_id"))
    return _post(world, chat, params, _text_fields(params))


def _media_sender(kind: str):
    """sendPhoto, sendDocument, ...: the file travels in the parameter named after its kind."""

    def send_media(world: World, params: dict[str, Any]) -> dict[str, Any]:
        chat = world.chat(params.get("chat_id"))
        stored = _input_file(world, params, kind, params.get(kind))
        content = {kind: stored.describe(params), **_caption_fields(params)}
        return _post(world, chat, params, content)

    return send_media


for _kind in MEDIA_FIELDS:
    METHODS.register(f"send{_kind.title()}")(_media_sender(_kind))


@METHODS.register("sendMediaGroup")
def send_media_group(world: World, params: dict[str, Any]) -> list[dict[str, Any]]:
    chat = world.chat(params.get("chat_id"))
    media = params.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise ApiError.bad_request("wrong number of media specified")
    contents = []
    for item in media:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in {"photo", "video", "audio", "document"}:
            raise ApiError.bad_request("can't parse InputMedia JSON object")
        stored = _input_file(world, params, kind, item.get("media"))
        contents.append({kind: stored.describe(item), **_caption_fields(item)})
    group_id = str(secrets.randbits(62))
    single = {**params, "reply_markup": None}
    return [_post(world, chat, single, {**c, "media_group_id": group_id}) for c in contents]


@METHODS.register("sendLocation")
def send_location(world: World, params: dict[str, Any]) -> dict[str, Any]:
    chat = world.chat(params.get("chat_id"))
    location = {key: params.get(key) for key in ("latitude", "longitude", "horizontal_accuracy")}
    if location["latitude"] is None or location["longitude"] is None:
        raise ApiError.bad_request("wrong latitude or longitude specified")
    return _post(world, chat, params, {"location": _present(location)})


@METHODS.register("sendChatAction")
def send_chat_action(world: World, params: dict[str, Any]) -> bool:
    world.chat(params.get("chat_id"))
    if params.get("action") not in CHAT_ACTIONS:
        raise ApiError.bad_request("wrong parameter action in request")
    return True


# editing and deleting


@METHODS.register("editMessageText")
def edit_message_text(world: World, params: dict[str, Any]) -> dict[str, Any]:
    message = _editable(world, params)
    if "text" not in message:
        raise ApiError.bad_request("there is no text in the message to edit")
    changes = {**_text_fields(params), "reply_markup": inline_markup(params.get("reply_markup"))}
    return _apply_edit(message, changes)


@METHODS.register("editMessageCaption")
def edit_message_caption(world: World, params: dict[str, Any]) -> dict[str, Any]:
    message = _editable(world, params)
    if not any(field in message for field in MEDIA_FIELDS):
        raise ApiError.bad_request("there is no caption in the message to edit")
    changes = {**_caption_fields(params), "reply_markup": inline_markup(params.get("reply_markup"))}
    return _apply_edit(message, changes)


@METHODS.register("editMessageMedia")
def edit_message_media(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """A message's media replaced, with the new media's caption; a text message has none."""
    message = _editable(world, params)
    if not any(field in message for field in MEDIA_FIELDS):
        raise ApiError.bad_request("there is no media in the message to edit")
    item = params.get("media")
    kind = item.get("type") if isinstance(item, dict) else None
    if kind not in {"photo", "video", "animation", "audio", "document"}:
        raise ApiError.bad_request("can't parse InputMedia JSON object")
    stored = _input_file(world, params, kind, item.get("media"))
    changes: dict[str, Any] = dict.fromkeys(MEDIA_FIELDS)
    changes.update(
        {
            kind: stored.describe(item),
            **_caption_fields(item),
            "reply_markup": inline_markup(params.get("reply_markup")),
        }
    )
    return _apply_edit(message, changes)


@METHODS.register("editMessageReplyMarkup")
def edit_message_reply_markup(world: World, params: dict[str, Any]) -> dict[str, Any]:
    message = _editable(world, params)
    return _apply_edit(message, {"reply_markup": inline_markup(params.get("reply_markup"))})


@METHODS.register("deleteMessage")
def delete_message(world: World, params: dict[str, Any]) -> bool:
    message = world.message(
        params.get("chat_id"), params.get("message_id"), missing="message to delete not found"
    )
    del world.messages[message["chat"]["id"], message["message_id"]]
    return True


@METHODS.register("answerCallbackQuery")
def answer_callback_query(world: World, params: dict[str, Any]) -> bool:
    """Each callback query can be answered once; unknown ids are refused the same way."""
    query_id = str(params.get("callback_query_id") or "")
    _callback_answer(params)
    if world.callback_queries.get(query_id) is not False:
        raise ApiError.bad_request(
            "query is too old and response timeout expired or query ID is invalid"
        )
    world.callback_queries[query_id] = True
    return True
