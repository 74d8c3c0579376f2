"""`python -m benchmarks [--quick] [--json PATH]`: measure everything, print the report.

The Markdown report goes to standard output, progress to standard error, and the
figures with the targets to a JSON file.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.appenv import app_python, compile_package, isolated_python
from benchmarks.clients import FLOOR_NO_IO, ROUTERS, Target, targets
from benchmarks.measure import (
    Rate,
    concurrent_rate,
    import_times,
    invoke_rate,
    isolated_import_times,
    merge,
    stream_rate,
)
from benchmarks.memory import stream_memory
from benchmarks.report import Results, machine, markdown, write_json
from benchmarks.server import Endpoint, bench_server


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does."""

    rounds: int = 5
    """Passes over all clients, taking turns, so that a slow spell of the machine
    falls on every client alike; each client's figures merge its passes."""
    stream: int = 5_000
    """Chunks per streamed answer."""
    repeats: int = 2
    """Timed repeats of each streaming measurement per pass, after a warm-up."""
    invoke_words: int = 5
    invoke_calls: int = 200
    """Sequential calls per timed round."""
    invoke_repeats: int = 1
    streams: int = 100
    """Concurrent `astream` calls per round."""
    concurrent_chunks: int = 500
    """Chunks per concurrent stream."""
    concurrent_repeats: int = 1
    import_runs: int = 15
    """Fresh processes per import statement."""
    import_warmup: bool = True
    """Run each import once, uncounted, first (bytecode caches)."""
    app_imports: bool = True
    """Also time imports in a clean application environment (made once)."""
    memory: tuple[int, ...] = (10_000, 50_000, 100_000)
    """Stream lengths whose peak memory is measured."""


QUICK = Sizes(
    rounds=1,
    stream=50,
    repeats=1,
    invoke_calls=3,
    invoke_repeats=1,
    streams=5,
    concurrent_chunks=20,
    concurrent_repeats=1,
    import_runs=1,
    import_warmup=False,
    app_imports=False,
    memory=(100, 300),
)
_MEMORY_TARGETS = (*ROUTERS, FLOOR_NO_IO)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _sequential(
    rows: dict[str, Target], sizes: Sizes
) -> tuple[dict[str, Rate], dict[str, Rate]]:
    stream: dict[str, Rate] = {}
    invoke: dict[str, Rate] = {}
    for key, target in rows.items():
        _say(f"stream, invoke: {target.label}")
        stream[key] = stream_rate(target.runner(sizes.stream), sizes.repeats)
        runner = target.runner(sizes.invoke_words)
        invoke[key] = invoke_rate(runner, sizes.invoke_calls, sizes.invoke_repeats)
    return stream, invoke


async def _concurrent(rows: dict[str, Target], sizes: Sizes) -> dict[str, Rate]:
    # One event loop for every client: their async HTTP pools are bound to it.
    out: dict[str, Rate] = {}
    for key, target in rows.items():
        _say(f"concurrent: {target.label}")
        runner = target.runner(sizes.concurrent_chunks)
        out[key] = await concurrent_rate(
            runner, sizes.streams, sizes.concurrent_repeats
        )
    return out


async def _concurrent_passes(
    rows: dict[str, Target], sizes: Sizes
) -> list[dict[str, Rate]]:
    # One event loop for all passes too: the clients' async pools outlive a pass.
    return [await _concurrent(rows, sizes) for _ in range(sizes.rounds)]


def _merged(passes: list[dict[str, Rate]]) -> dict[str, Rate]:
    return {key: merge([p[key] for p in passes]) for key in passes[0]}


def run(sizes: Sizes, endpoint: Endpoint) -> Results:
    """Every measurement, against a running server."""
    rows = targets(endpoint)
    passes = [_sequential(rows, sizes) for _ in range(sizes.rounds)]
    stream = _merged([p[0] for p in passes])
    invoke = _merged([p[1] for p in passes])
    concurrent = _merged(asyncio.run(_concurrent_passes(rows, sizes)))
    _say("import times: this environment")
    compile_package()
    imports = {"dev": import_times(sizes.import_runs, warmup=sizes.import_warmup)}
    if sizes.app_imports:
        _say("import times: clean environments (.benchmarks/import-envs/)")
        imports["app"] = import_times(
            sizes.import_runs, warmup=sizes.import_warmup, python=app_python()
        )
        imports["isolated"] = isolated_import_times(
            sizes.import_runs, warmup=sizes.import_warmup, python_of=isolated_python
        )
    _say("memory")
    memory = stream_memory(endpoint, list(sizes.memory), list(_MEMORY_TARGETS))
    return Results(
        machine=machine(),
        sizes=dataclasses.asdict(sizes),
        labels={key: target.label for key, target in rows.items()},
        stream=stream,
        invoke=invoke,
        concurrent=concurrent,
        imports=imports,
        memory=memory,
    )


def main(argv: list[str] | None = None) -> None:
    """Start the server, measure, stop it, report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: checks that it all runs"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(".benchmarks/report.json"),
        help="where to write the figures (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    with bench_server() as endpoint:
        results = run(sizes, endpoint)
    print(markdown(results))
    write_json(results, args.json)
    _say(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
