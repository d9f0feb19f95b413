"""Delivering the outbox: messages that matter reach people even across a crash.

Everything an update's handling sends to a chat other than the update's own (a resident told about
an officer's action, the team's card of a new idea or of an answer, an admin's alert) is queued in
the transaction that caused it (:mod:`storage.outbox`) and sent from here, off the update path: a
handler calls :meth:`Outbox.kick` and returns, so no update waits on another chat's pace.

Chats are delivered side by side, each chat's messages in the order they were queued, one run per
chat at a time: a group's pace (20 messages a minute) holds up only that group. A submission's card
is drawn when it is sent, by the :class:`Cards` the factory hands in, with its photos (one photo,
or an album) before it; a plain message's photos (a liaison's evidence) go before it the same way.
When more than :data:`COALESCE_OVER` new ideas wait for one chat, they go
as one message that lists them all, so after a burst the team's group is up to date within one of
its turns rather than an hour later.

A message with ``post_of`` keeps a submission's post in the public channel in step with the idea:
the :class:`Posts` the factory hands in draws the post as the idea stands when it is sent, and the
outbox posts it (keeping its message id), edits it, or deletes it when the idea is no longer shown
(a post too old to delete is edited to say it was withdrawn). Several such messages for one idea
in a batch are one edit. The channel's pace is a group's: 20 messages a minute.

Sending goes through the bot's rate limiter, which already retries 429, 5xx and timeouts; what still
fails is tried again later with a growing delay, at most :data:`LONGEST_DELAY`. A message that
failed because Telegram could not be reached (timeouts, 5xx, 429) is never given up: an outage of
hours delays it, and it goes once Telegram answers. One Telegram refuses is given up after
:data:`MAX_ATTEMPTS`, at once for a 400. A 403 means the person blocked the bot: the message is
given up at once and the resident marked unreachable.

A crash between sending and marking sent can send a message twice (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import timedelta
from typing import Any, NamedTuple, Protocol

from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.clock import Clock
from storage import outbox as store
from storage.engine import Database
from storage.models import CardIntro, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(minutes=30)
BATCH = 50
CHATS_PER_RUN = 500
COALESCE_OVER = 3
KEEP_SETTLED = timedelta(days=7)


class CardMessage(NamedTuple):
    """A submission's card as it is sent: its photos first, then the text with its buttons."""

    photos: list[str]
    text: str
    markup: InlineKeyboardMarkup | None


class Cards(Protocol):
    """Draws what the outbox sends about submissions, in the receiving chat's language."""

    async def card(
        self, chat_id: int, submission_id: int, intro: CardIntro
    ) -> CardMessage | None: ...

    async def new_ideas(self, chat_id: int, submission_ids: list[int]) -> str: ...


class PostMessage(NamedTuple):
    """A submission's public post: a photo with the text as its caption, or the text alone."""

    photo: str | None
    text: str
    markup: InlineKeyboardMarkup | None


class Posts(Protocol):
    """Draws a submission's post in the public channel."""

    async def post(self, submission_id: int) -> PostMessage | None:
        """The post as the idea stands now, or ``None`` when it is not shown."""
        ...

    async def withdrawn(self, submission_id: int) -> str:
        """What a post that cannot be deleted says instead."""
        ...


async def send_card_message(bot: Bot, chat_id: int, card: CardMessage) -> None:
    """Send the card's photos (one photo, or an album), then the card with its buttons.

    Photos Telegram refuses are logged and left out: the card itself still goes.
    """
    try:
        if len(card.photos) == 1:
            await bot.send_photo(chat_id, card.photos[0])
        elif card.photos:
            await bot.send_media_group(chat_id, [InputMediaPhoto(photo) for photo in card.photos])
    except BadRequest as error:
        logger.warning("Could not send a card's photos to chat %s: %s", chat_id, error)
    await bot.send_message(chat_id, card.text, reply_markup=card.markup)


def _out_of_reach(error: TelegramError) -> bool:
    """Whether Telegram could not be reached or was busy: nothing says the message is wrong."""
    busy = isinstance(error, RetryAfter)
    return busy or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


def _markup(message: OutboxMessage) -> InlineKeyboardMarkup | None:
    rows = json.loads(message.buttons)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class Outbox:
    """Sends due outbox messages: chats side by side, each chat's in order."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        cards: Cards | None = None,
        posts: Posts | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._cards = cards
        self._posts = posts
        self._busy: set[int] = set()  # chats a run is delivering now
        self._again: set[int] = set()  # of those, chats that got more since the run looked
        self._runs: set[asyncio.Task] = set()
        self._scan_pending = False

    def kick(self, bot: Bot, chats: Iterable[int] | None = None) -> None:
        """Start sending what is due, in the background: the caller does not wait for it.

        A caller that knows which chats it queued for names them in ``chats``, which spares
        looking for the chats with a message due.
        """
        if chats is not None:
            for chat_id in chats:
                self._start(bot, chat_id)
            return
        if self._scan_pending:
            return
        self._scan_pending = True
        self._spawn(self._scan(bot))

    async def deliver(self, bot: Bot) -> int:
        """Send every due message and wait for it; return how many were sent."""
        chats = await self._db.read(store.due_chats, now=self._clock(), limit=CHATS_PER_RUN)
        counts = await asyncio.gather(*(self._deliver_chat(bot, chat_id) for chat_id in chats))
        return sum(counts)

    async def settle(self) -> None:
        """Wait until the background runs started so far, and those they started, are over."""
        while self._runs:
            await asyncio.wait(set(self._runs))

    async def close(self) -> None:
        """Stop the background runs; what they had not sent stays queued for the next start."""
        for run in self._runs:
            run.cancel()
        await asyncio.gather(*self._runs, return_exceptions=True)

    async def queue_text(self, chat_ids: list[int], text: str) -> None:
        """Queue one text for each of ``chat_ids`` (a message that reports no stored change)."""

        def queue(session: Session) -> None:
            now = self._clock()
            for chat_id in chat_ids:
                store.queue_message(session, chat_id=chat_id, text=text, now=now)

        await self._db.write(queue)

    async def prune(self) -> int:
        return await self._db.write(store.prune_delivered, before=self._clock() - KEEP_SETTLED)

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        run = asyncio.get_running_loop().create_task(work)
        self._runs.add(run)
        run.add_done_callback(self._finished)

    def _finished(self, run: asyncio.Task) -> None:
        self._runs.discard(run)
        if not run.cancelled() and run.exception() is not None:
            logger.error("Outbox delivery failed", exc_info=run.exception())

    async def _scan(self, bot: Bot) -> None:
        # Cleared before reading: whatever is committed from now on is seen by this scan or
        # makes the next kick start another one.
        self._scan_pending = False
        chats = await self._db.read(store.due_chats, now=self._clock(), limit=CHATS_PER_RUN)
        for chat_id in chats:
            self._start(bot, chat_id)

    def _start(self, bot: Bot, chat_id: int) -> None:
        """Deliver ``chat_id``'s due messages in a run of its own, or have the run in progress
        look once more before it ends."""
        if chat_id in self._busy:
            self._again.add(chat_id)
        else:
            self._spawn(self._deliver_chat(bot, chat_id))

    async def _deliver_chat(self, bot: Bot, chat_id: int) -> int:
        if chat_id in self._busy:
            self._again.add(chat_id)  # the run in progress looks once more before it ends
            return 0
        self._busy.add(chat_id)
        sent = 0
        try:
            while True:
                self._again.discard(chat_id)
                batch = await self._db.read(
                    store.due_messages, chat_id=chat_id, now=self._clock(), limit=BATCH
                )
                sent += await self._send_batch(bot, chat_id, batch)
                if len(batch) < BATCH and chat_id not in self._again:
                    return sent
        finally:
            self._busy.discard(chat_id)

    async def _send_batch(self, bot: Bot, chat_id: int, batch: list[OutboxMessage]) -> int:
        new_ideas = [m for m in batch if m.card_intro is CardIntro.NEW]
        listed = len(new_ideas) > COALESCE_OVER and self._cards is not None
        sent = 0
        synced: set[int] = set()
        for message in batch:
            if listed and message.card_intro is CardIntro.NEW:
                if message is new_ideas[0]:
                    sent += await self._send_list(bot, chat_id, new_ideas)
                continue
            if message.post_of is not None:
                if message.post_of not in synced:
                    synced.add(message.post_of)
                    same = [m for m in batch if m.post_of == message.post_of]
                    sent += await self._attempt(
                        same, lambda m=message: self._sync_post(bot, m.chat_id, m.post_of)
                    )
                continue
            sent += await self._attempt([message], lambda m=message: self._post(bot, m))
        return sent

    async def _send_list(self, bot: Bot, chat_id: int, messages: list[OutboxMessage]) -> int:
        ids = [message.card_of for message in messages if message.card_of is not None]

        async def post() -> None:
            text = await self._cards.new_ideas(chat_id, ids)
            await bot.send_message(chat_id, text)

        return await self._attempt(messages, post)

    async def _post(self, bot: Bot, message: OutboxMessage) -> None:
        if message.card_of is None:
            await send_card_message(
                bot,
                message.chat_id,
                CardMessage(json.loads(message.photos), message.text, _markup(message)),
            )
            return
        if self._cards is None:
            raise RuntimeError("this outbox was built without Cards, so it cannot send a card")
        card = await self._cards.card(message.chat_id, message.card_of, message.card_intro)
        if card is not None:  # else the idea is gone: nothing left to show
            await send_card_message(bot, message.chat_id, card)

    async def _sync_post(self, bot: Bot, chat_id: int, submission_id: int) -> None:
        if self._posts is None:
            raise RuntimeError("this outbox was built without Posts, so it cannot post an idea")
        drawn = await self._posts.post(submission_id)
        posted = await self._db.read(store.post_message_id, submission_id=submission_id)
        if drawn is None:
            if posted is not None:
                await self._withdraw(bot, chat_id, posted, submission_id)
                await self._remember_post(submission_id, None)
            return
        if posted is not None:
            try:
                if drawn.photo is None:
                    await bot.edit_message_text(
                        drawn.text, chat_id=chat_id, message_id=posted, reply_markup=drawn.markup
                    )
                else:  # the photo too: an implemented idea's post becomes its evidence
                    await bot.edit_message_media(
                        InputMediaPhoto(drawn.photo, caption=drawn.text),
                        chat_id=chat_id,
                        message_id=posted,
                        reply_markup=drawn.markup,
                    )
                return
            except BadRequest as error:
                # Deleted in the channel by hand, or a text post that now has a photo (a text
                # message cannot get one): the old post goes and a new one takes its place.
                logger.info("Replacing the post of submission %s: %s", submission_id, error)
                with contextlib.suppress(BadRequest):
                    await bot.delete_message(chat_id, posted)
        if drawn.photo is None:
            sent = await bot.send_message(chat_id, drawn.text, reply_markup=drawn.markup)
        else:
            sent = await bot.send_photo(
                chat_id, drawn.photo, caption=drawn.text, reply_markup=drawn.markup
            )
        await self._remember_post(submission_id, sent.message_id)

    async def _withdraw(self, bot: Bot, chat_id: int, message_id: int, submission_id: int) -> None:
        """Delete the post; one Telegram no longer lets the bot delete says it was withdrawn."""
        try:
            await bot.delete_message(chat_id, message_id)
            return
        except BadRequest as error:
            logger.info("Could not delete the post of submission %s: %s", submission_id, error)
        text = await self._posts.withdrawn(submission_id)
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            return
        except BadRequest:
            pass  # a photo post: its caption says it
        try:
            await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=text)
        except BadRequest as error:  # deleted in the channel by hand: nothing left to withdraw
            logger.info("The post of submission %s is gone: %s", submission_id, error)

    async def _remember_post(self, submission_id: int, message_id: int | None) -> None:
        await self._db.write(
            store.set_post_message_id, submission_id=submission_id, message_id=message_id
        )

    async def _attempt(
        self, messages: list[OutboxMessage], post: Callable[[], Awaitable[None]]
    ) -> int:
        """Send ``messages`` with ``post`` and settle them: sent, retried later, or given up."""
        ids = [message.id for message in messages]
        chat_id = messages[0].chat_id
        try:
            await post()
        except Forbidden as error:
            logger.info("Chat %s blocked the bot; message(s) %s given up", chat_id, ids)
            for message_id in ids:
                await self._db.write(
                    store.mark_unreachable,
                    message_id=message_id,
                    error=str(error),
                    now=self._clock(),
                )
            return 0
        except TelegramError as error:
            for message in messages:
                await self._retry_later(message, error)
            return 0
        await self._db.write(store.mark_sent, message_ids=ids, now=self._clock())
        return len(ids)

    async def _retry_later(self, message: OutboxMessage, error: TelegramError) -> None:
        attempts = message.attempts + 1
        refused = not _out_of_reach(error)
        final = isinstance(error, BadRequest) or (refused and attempts >= MAX_ATTEMPTS)
        delay = min(FIRST_DELAY * 2 ** min(attempts - 1, 10), LONGEST_DELAY)
        due = None if final else self._clock() + delay
        logger.warning(
            "Outbox message %s to chat %s failed (%s)%s",
            message.id,
            message.chat_id,
            error,
            "; given up" if final else "; will retry",
        )
        await self._db.write(store.mark_retry, message_id=message.id, error=str(error), due_at=due)
