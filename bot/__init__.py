"""Inovasi Warga: the bot. What each folder is for, and the import rule that keeps them apart.

- ``bot/core``: configuration, clock, texts, catalogues, cron arithmetic, the worker process.
  Imports nothing else of the bot.
- ``bot/domain``: the services (submissions, review, roles, records, reports, the digest, …).
  Imports only ``core``, ``tagging`` and ``storage``; nothing of Telegram.
- ``bot/tagging``: pillar tagging and what a message is (intent).
- ``bot/runtime``: the Telegram runtime (intake, processing, rate limits, outbox, jobs, …).
  Only the factory (``app.py``, ``services.py``), ``handlers`` and ``cli`` import it.
- ``bot/cli``: ``python -m bot`` and its sub-commands.

``storage`` imports nothing of the bot but configuration; ``tests/test_layout.py`` holds the rule.
The product's contract (users, pillars, commands, statuses, configuration) is
``docs/product.md``; how an update flows is ``docs/architecture.md``.
"""
