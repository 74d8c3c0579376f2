"""`python -m benchmarks.profiling`: where a client's streaming time goes (cProfile).

Streams answers through `.stream()` against the benchmark server, under cProfile,
after a warm-up, and prints the top functions (by own time unless `--sort` says
otherwise). By default both of the router's APIs; `--client` picks others.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import site
import sysconfig
from time import perf_counter

from benchmarks.clients import LABELS, ROUTERS, targets
from benchmarks.measure import settle
from benchmarks.server import ROOT, Endpoint, bench_server


class _GcTimer:
    """Time spent in the garbage collector (cProfile charges it to whatever runs)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = perf_counter()
        else:
            self.seconds += perf_counter() - self._start
            self.collections += 1


def profile_stream(
    endpoint: Endpoint, key: str, chunks: int, rounds: int, *, sort: str, top: int
) -> str:
    """The top `top` lines of the profile of `rounds` streams of `chunks` chunks."""
    runner = targets(endpoint)[key].runner(chunks)
    runner.stream()
    settle()
    timer = _GcTimer()
    profiler = cProfile.Profile()
    gc.callbacks.append(timer)
    profiler.enable()
    for _ in range(rounds):
        runner.stream()
    profiler.disable()
    gc.callbacks.remove(timer)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
    gc_line = f"garbage collector: {timer.collections} runs, {timer.seconds:.3f} s"
    return _short(out.getvalue()).strip() + "\n" + gc_line


def _short(text: str) -> str:
    """Paths relative to site-packages or the repository."""
    prefixes = [*site.getsitepackages(), sysconfig.get_paths()["stdlib"], str(ROOT)]
    for prefix in prefixes:
        text = text.replace(prefix + "/", "")
    return text


def main(argv: list[str] | None = None) -> None:
    """Profile each chosen client and print its top lines."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profiling", description=__doc__
    )
    parser.add_argument(
        "--client", action="append", choices=list(LABELS), help="default: routers"
    )
    parser.add_argument("--chunks", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key")
    args = parser.parse_args(argv)
    with bench_server() as endpoint:
        for key in args.client or ROUTERS:
            text = profile_stream(
                endpoint, key, args.chunks, args.rounds, sort=args.sort, top=args.top
            )
            print(f"## {LABELS[key]}: {args.rounds} x {args.chunks:,} chunks\n")
            print(f"```\n{text}\n```\n")


if __name__ == "__main__":
    main()
