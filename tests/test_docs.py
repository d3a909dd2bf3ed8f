"""The README documents every command and option a user can type (sqlite-utils' test_docs idea)."""

from __future__ import annotations

import pytest
from conftest import REPO

from kpireport.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_its_options(name: str) -> None:
    command = cli.commands[name]
    assert f"### `kpireport {name}" in README, f"README lacks a section for `kpireport {name}`"
    assert command.help, f"{name} has no help text"
    for param in command.params:
        for option in getattr(param, "opts", []):
            if option.startswith("--") and option != "--help":
                assert option in README, f"README does not mention {name} {option}"
