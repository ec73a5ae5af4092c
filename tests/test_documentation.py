"""The README documents every command and every setting (as Datasette's tests check its docs).

A command counts as documented when its words appear in the README's text as a person would type them
(``uprwatch orgs add-member`` may be written ``orgs add-member`` in the row of ``uprwatch orgs create``);
a setting when its full name appears. Adding a command or a ``UPRWATCH_*`` setting without a line in the
README fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from uprwatch.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS = (ROOT / "src" / "uprwatch" / "settings.py").read_text(encoding="utf-8")


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(command, click.Group):
        return [path]
    context = click.Context(command)
    return [found for name in command.list_commands(context)
            for found in _commands(command.get_command(context, name), (*path, name))]


COMMANDS = _commands(main)


def test_every_command_is_found():
    assert ("search",) in COMMANDS and ("orgs", "add-member") in COMMANDS and len(COMMANDS) > 30


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(path):
    written = f"uprwatch {' '.join(path)}" if len(path) == 1 else " ".join(path)
    assert re.search(rf"(^|[`\s]){re.escape(written)}([`\s\]]|$)", README, re.M), f"README: no `{written}`"


SETTING_NAMES = sorted(set(re.findall(r'env(?:_int|_float|_flag|_list)?\("([A-Z][A-Z0-9_]+)"', SETTINGS)))


def test_every_setting_is_read_through_the_helper():
    assert "UPRWATCH_PAGE_CACHE_SECONDS" in SETTING_NAMES and "DATABASE_URL" in SETTING_NAMES
    assert "os.environ" not in SETTINGS.split("def env(", 1)[1].split("\n\n\n", 1)[1]


@pytest.mark.parametrize("name", [n for n in SETTING_NAMES if n.startswith("UPRWATCH_")])
def test_every_uprwatch_setting_is_in_the_readme(name):
    assert f"`{name}`" in README, f"README: no `{name}` in Configuration"


@pytest.mark.parametrize("name", [n for n in SETTING_NAMES if not n.startswith("UPRWATCH_")])
def test_every_other_setting_is_in_the_readme(name):
    """Django's and the host's own names (``SECRET_KEY``, ``EMAIL_HOST``, ``WEB_CONCURRENCY``...) too."""
    assert re.search(rf"`{name}[`=]", README), f"README: no `{name}`"
