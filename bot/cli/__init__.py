"""``python -m bot [command]``: ``run`` (the default) runs the bot; ``tag`` tags texts from
standard input; ``backup PATH`` copies a running SQLite database; ``digest`` shows or sends the
digest; ``report`` writes the evaluation evidence report (PDF, XLSX or both)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import TelegramError

from bot.core.config import ConfigError, load_settings
from bot.runtime import logs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Inovasi Warga Telegram bot")
    parser.add_argument(
        "--env-file", type=Path, default=Path(".env"), help="settings file (default .env)"
    )
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser("run", help="run the bot with long polling (the default)")
    commands.add_parser("tag", help="tag one text per line of standard input; JSON lines out")
    backup = commands.add_parser("backup", help="copy the running SQLite database to PATH")
    backup.add_argument("path", type=Path, help="where to write the copy")
    digest = commands.add_parser("digest", help="show (--dry-run) or send (--send) the digest")
    mode = digest.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="print it, write chart and XLSX")
    mode.add_argument("--send", action="store_true", help="send the due digest now, once")
    digest.add_argument("--out", type=Path, default=Path("."), help="folder for the files")
    report = commands.add_parser("report", help="write the evaluation evidence report (PDF, XLSX)")
    report.add_argument("--from", dest="first", help="first day, YYYY-MM-DD (default 1 Jan)")
    report.add_argument("--to", dest="last", help="last day, YYYY-MM-DD (default today)")
    report.add_argument("--out", type=Path, help="the file to write (.pdf or .xlsx)")
    report.add_argument(
        "--format", choices=("pdf", "xlsx", "both"), help="default: from --out, else both"
    )
    report.add_argument("--language", choices=("id", "en"), help="default DEFAULT_LANGUAGE")
    return parser


def _run(env_file: Path) -> int:
    try:
        settings = load_settings(env_file)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.token)
    from bot.app import build_application
    from bot.runtime.lifecycle import serve
    from bot.runtime.workers import run

    run(serve(build_application(settings)))
    return 0


def _tag() -> int:
    from bot.core.catalogue import load_catalogue
    from bot.tagging import Tagger
    from bot.tagging.cli import run_tag

    return run_tag(sys.stdin, sys.stdout, Tagger.from_catalogue(load_catalogue()))


def _backup(env_file: Path, target: Path) -> int:
    from storage.backup import BackupError, backup_sqlite

    try:
        size = backup_sqlite(load_settings(env_file).database_url, target)
    except (ConfigError, BackupError) as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 2
    print(f"Backed up {size} bytes to {target}")
    return 0


def _digest_or_report(arguments: argparse.Namespace) -> int:
    from bot.cli import digest as digest_cli
    from bot.runtime.workers import run

    try:
        settings = load_settings(arguments.env_file)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if arguments.command == "report":
        language = arguments.language or settings.default_language
        return run(
            digest_cli.report(
                settings,
                arguments.first,
                arguments.last,
                arguments.out,
                language,
                arguments.format,
            )
        )
    if arguments.send:
        logs.configure(settings.log_level, settings.token)
        return run(digest_cli.send(settings))
    return run(digest_cli.dry_run(settings, arguments.out))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command not in ("tag", "backup", "digest", "report"):
        return _run(arguments.env_file)
    try:
        if arguments.command == "tag":
            return _tag()
        if arguments.command == "backup":
            return _backup(arguments.env_file, arguments.path)
        return _digest_or_report(arguments)
    except (OSError, TelegramError) as error:  # a file not writable, an API not reachable
        print(f"{arguments.command.capitalize()} failed: {error}", file=sys.stderr)
        return 1
