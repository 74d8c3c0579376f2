"""Shared fixtures: one router emulator for the whole session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from router_emulator import RouterEmulator

from langchain_hf_router.core.catalog import forget_catalogs

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
def emulator(_emulator_server: RouterEmulator) -> Iterator[RouterEmulator]:
    """The session's emulator with an empty script and no recorded requests.

    Catalogs loaded from it are forgotten afterwards: models of the next test
    start from the shipped profiles, as in a fresh process.
    """
    _emulator_server.reset()
    yield _emulator_server
    forget_catalogs()
