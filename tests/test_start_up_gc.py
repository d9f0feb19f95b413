"""Start-up takes what it loaded out of the garbage collector's way: a full collection over the
tagger, catalogue and libraries held the GIL for about 90 ms, stalling the event loop."""

from __future__ import annotations

import gc

from bot.runtime.lifecycle import on_started


async def test_start_up_freezes_the_objects_it_loaded(bot):
    gc.unfreeze()
    try:
        await on_started(bot.app)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
