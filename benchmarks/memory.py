"""Peak memory of long streams, one fresh process per client (`tracemalloc` peaks).

`python -m benchmarks.memory KEY PORT SIZE...` prints, as JSON, the chunks and the
peak traced bytes of one `.stream()` of each size; `stream_memory` runs it.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass

from benchmarks.server import ROOT, Endpoint


@dataclass(frozen=True)
class Memory:
    """Peak bytes while streaming answers of growing length."""

    chunks: list[int]
    peaks: list[int]

    @property
    def per_chunk(self) -> float:
        """Growth of the peak per chunk, from the shortest stream to the longest."""
        return (self.peaks[-1] - self.peaks[0]) / (self.chunks[-1] - self.chunks[0])


def stream_memory(
    endpoint: Endpoint, sizes: list[int], keys: list[str]
) -> dict[str, Memory]:
    """Measure each key's streams of `sizes` chunks, each in a fresh process.

    The processes run side by side: traced bytes do not depend on timing.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.memory", key, str(endpoint.port)]
            + [str(size) for size in sizes],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for key in keys
    ]
    out: dict[str, Memory] = {}
    for key, process in zip(keys, processes, strict=True):
        stdout, _ = process.communicate()
        if process.returncode:
            msg = f"the memory measurement of {key} failed ({process.returncode})"
            raise RuntimeError(msg)
        out[key] = Memory(**json.loads(stdout))
    return out


def _measure(key: str, port: int, sizes: list[int]) -> Memory:
    from benchmarks.clients import targets

    target = targets(Endpoint(port))[key]
    target.runner(10).stream()  # imports, first connection, lazy state
    chunks: list[int] = []
    peaks: list[int] = []
    for size in sizes:
        runner = target.runner(size)
        gc.collect()
        tracemalloc.start()
        chunks.append(runner.stream()[0])
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return Memory(chunks, peaks)


if __name__ == "__main__":
    key, port, *sizes = sys.argv[1:]
    memory = _measure(key, int(port), [int(size) for size in sizes])
    print(json.dumps({"chunks": memory.chunks, "peaks": memory.peaks}))
