"""Timed measurements: streaming, sequential invokes, concurrent streams, imports.

Each one warms up first, then repeats; a `Rate` keeps the best and the median.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Final

from benchmarks.clients import Runner
from benchmarks.server import ROOT

IMPORTS: Final = {
    "floor": "from langchain_core.language_models.chat_models import BaseChatModel",
    "router": "from langchain_hf_router import ChatHuggingFaceRouter",
    "openai": "from langchain_openai import ChatOpenAI",
    "huggingface": "from langchain_huggingface import ChatHuggingFace",
}
"""What each import-time row imports; `floor` is subtracted from the others."""


@dataclass(frozen=True)
class Rate:
    """Units per second (best and median of the repeats) and one round's counts."""

    best: float
    median: float
    chunks: int = 0
    """Chunks yielded in one round (streams only)."""
    text: int = 0
    """Of those, chunks carrying text."""


def _rate(samples: list[tuple[int, float]], counts: tuple[int, int] = (0, 0)) -> Rate:
    rates = [units / seconds for units, seconds in samples]
    return Rate(max(rates), statistics.median(rates), *counts)


def merge(rates: list[Rate]) -> Rate:
    """One client's rates from several rounds: the best, the median of medians."""
    return Rate(
        max(r.best for r in rates),
        statistics.median(r.median for r in rates),
        rates[-1].chunks,
        rates[-1].text,
    )


def settle() -> None:
    """Collect garbage, then freeze the survivors.

    Collections during the next round then scan only what the client under test
    makes, not the harness and the other clients' leftovers.
    """
    gc.collect()
    gc.freeze()


def _timed(run: Callable[[], int]) -> tuple[int, float]:
    settle()
    start = perf_counter()
    units = run()
    return units, perf_counter() - start


async def _atimed(run: Callable[[], Awaitable[int]]) -> tuple[int, float]:
    settle()
    start = perf_counter()
    units = await run()
    return units, perf_counter() - start


def stream_rate(runner: Runner, repeats: int) -> Rate:
    """Chunks per second through `.stream()`, one answer at a time."""
    counts = runner.stream()
    samples = [_timed(lambda: runner.stream()[0]) for _ in range(repeats)]
    return _rate(samples, counts)


def invoke_rate(runner: Runner, calls: int, repeats: int) -> Rate:
    """Sequential `.invoke()` calls per second."""

    def run() -> int:
        for _ in range(calls):
            runner.invoke()
        return calls

    run()
    return _rate([_timed(run) for _ in range(repeats)])


async def concurrent_rate(runner: Runner, streams: int, repeats: int) -> Rate:
    """Chunks per second summed over `streams` concurrent `.astream()` calls."""
    last: list[tuple[int, int]] = []

    async def run() -> int:
        last[:] = await asyncio.gather(*(runner.astream() for _ in range(streams)))
        return sum(chunks for chunks, _ in last)

    await run()
    samples = [await _atimed(run) for _ in range(repeats)]
    counts = (sum(c for c, _ in last), sum(t for _, t in last))
    return _rate(samples, counts)


def _import_process(statement: str, python: str) -> subprocess.Popen[str]:
    code = (
        "import time\nstart = time.perf_counter()\n"
        f"{statement}\nprint(time.perf_counter() - start)"
    )
    # Outside the checkout, so that the application environment imports its own
    # installed copy of the package, not the source folder.
    return subprocess.Popen(
        [python, "-c", code], cwd=ROOT.parent, stdout=subprocess.PIPE, text=True
    )


def _seconds(process: subprocess.Popen[str]) -> float:
    stdout, _ = process.communicate()
    if process.returncode:
        msg = f"an import-time process failed ({process.returncode})"
        raise RuntimeError(msg)
    return float(stdout)


def import_times(
    runs: int,
    *,
    warmup: bool,
    python: str = sys.executable,
    keys: tuple[str, ...] = tuple(IMPORTS),
) -> dict[str, float]:
    """Median seconds of each `IMPORTS` statement (of `keys`) over `runs` processes.

    The statements take turns, after one uncounted round with `warmup`.
    """
    times: dict[str, list[float]] = {key: [] for key in keys}
    for round_ in range(runs + warmup):
        for key in keys:
            seconds = _seconds(_import_process(IMPORTS[key], python))
            if round_ or not warmup:
                times[key].append(seconds)
    return {key: statistics.median(values) for key, values in times.items()}


def isolated_import_times(
    runs: int, *, warmup: bool, python_of: Callable[[str], str]
) -> dict[str, float]:
    """Each package's import in its own environment, with that environment's floor.

    Keys: `router`, `openai`, `huggingface`, and `floor:<key>` for each.
    """
    out: dict[str, float] = {}
    for key in IMPORTS:
        if key == "floor":
            continue
        times = import_times(
            runs, warmup=warmup, python=python_of(key), keys=("floor", key)
        )
        out[key], out[f"floor:{key}"] = times[key], times["floor"]
    return out
