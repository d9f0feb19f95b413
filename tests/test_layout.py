"""The import rule of ``bot/__init__.py``, read from the source of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Handler modules share these; the others hold handlers and are imported only by the package.
SHARED_HANDLER_MODULES = {
    "handlers.base",
    "handlers.keyboards",
    "handlers.cards",
    "handlers.posts",
    "handlers.steps",
}
MAY_IMPORT_RUNTIME = ("bot.app", "bot.services", "bot.runtime", "bot.cli", "handlers")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, source: str | None = None) -> set[str]:
    """Every module ``path`` (or ``source`` as if it were ``path``) imports, relative imports
    resolved, ``from x import y`` as ``x.y`` too (``y`` may be a module)."""
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = (package or module_name(path)).split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources() -> list[Path]:
    return sorted(
        path
        for folder in ("bot", "handlers", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if "versions" not in path.parts
    )


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def violations(path: Path, imported: set[str]) -> list[str]:
    """What ``path`` imports against the rule."""
    me = module_name(path)
    ours = {name for name in imported if within(name, "bot", "handlers", "storage")}
    found = []
    for name in sorted(ours):
        if within(name, "bot.runtime") and not within(me, *MAY_IMPORT_RUNTIME):
            found.append(f"{me} imports {name}: only the factory, handlers and cli use runtime")
        if within(me, "bot.domain") and not within(
            name, "bot.core", "bot.tagging", "bot.domain", "storage"
        ):
            found.append(f"{me} imports {name}: domain uses only core, tagging and storage")
        if within(me, "bot.core") and not within(name, "bot.core"):
            found.append(f"{me} imports {name}: core uses nothing else of the bot")
        if (
            within(me, "storage")
            and within(name, "bot", "handlers")
            and not within(name, "bot.core.config")
        ):
            found.append(f"{me} imports {name}: storage uses only configuration from the bot")
        if (
            within(me, "handlers")
            and me != "handlers"
            and within(name, "handlers")
            and name != "handlers"
            and not within(name, *SHARED_HANDLER_MODULES)
        ):
            found.append(f"{me} imports {name}: handler modules share only the shared helpers")
    if within(me, "bot.domain", "bot.core") and any(within(n, "telegram") for n in imported):
        found.append(f"{me} imports telegram: core and domain know nothing of Telegram")
    return found


def test_every_module_keeps_the_import_rule():
    found = [problem for path in sources() for problem in violations(path, imports(path))]
    assert found == []


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("bot/domain/review.py", "from bot.runtime.outbox import Outbox"),
        ("bot/core/clock.py", "from bot.domain import sla"),
        ("storage/models.py", "from bot.domain.review import Action"),
        ("handlers/submit.py", "from handlers.review import press"),
        ("bot/domain/roles.py", "from telegram import Bot"),
    ],
)
def test_a_forbidden_import_is_caught(module, line):
    path = ROOT / module
    assert not violations(path, imports(path))
    assert violations(path, imports(path, path.read_text() + f"\n{line}\n"))
