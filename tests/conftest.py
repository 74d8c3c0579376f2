"""Shared fixtures: one router emulator for the whole session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from router_emulator import RouterEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def _emulator_server() -> Iterator[RouterEmulator]:
    """One emulator on 127.0.0.1 for the session, stopped at the end."""
    emulator = RouterEmulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(_emulator_server: RouterEmulator) -> RouterEmulator:
    """The session's emulator with an empty script and no recorded requests."""
    _emulator_server.reset()
    return _emulator_server
