"""The report: the figures, the issue's targets as ratios (met or not), as Markdown
and as JSON."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Final, Literal

from benchmarks.clients import FLOOR_NO_IO, HF_CHAT, OPENAI_OF, ROUTERS
from benchmarks.measure import IMPORTS, Rate
from benchmarks.memory import Memory

Kind = Literal["stream", "invoke", "concurrent", "import", "memory"]

ENVIRONMENTS: Final = {
    "dev": "development environment",
    "app": "application environment",
    "isolated": "each package alone",
}
"""Where import times were taken: this checkout's environment; a clean one with
this package and the compared ones; one clean environment per package, each with
its own floor (`benchmarks/appenv.py`)."""

MEMORY_MARGIN: Final = 256
"""Bytes per chunk above the no-I/O floor's that count as "a small constant"."""
_PACKAGES: Final = (
    "langchain-core",
    "langchain-hf-router",
    "langchain-openai",
    "openai",
    "langchain-huggingface",
    "huggingface-hub",
    "httpx",
)


@dataclass
class Results:
    """Everything one run measured."""

    machine: dict[str, str]
    sizes: dict[str, Any]
    labels: dict[str, str]
    stream: dict[str, Rate]
    invoke: dict[str, Rate]
    concurrent: dict[str, Rate]
    imports: dict[str, dict[str, float]]
    """Median import seconds per environment (`dev`; `app` in a full run)."""
    memory: dict[str, Memory]

    def overhead(self, key: str, environment: str) -> float:
        """Seconds an import takes above the floor's in that environment."""
        times = self.imports[environment]
        return times[key] - times.get(f"floor:{key}", times.get("floor", 0.0))


@dataclass(frozen=True)
class Goal:
    """One of the issue's targets: `value(numerator, denominator)` against `bound`."""

    kind: Kind
    numerator: str
    denominator: str
    bound: float
    at_most: bool = False
    environment: str = ""
    """For import goals: which environment's times (`dev` or `app`)."""

    def value(self, results: Results) -> float:
        """A throughput ratio, an import-overhead ratio, or bytes per chunk above."""
        if self.kind == "import":
            # An overhead at or under the floor's (noise) must not divide by zero.
            env = self.environment
            below = max(results.overhead(self.denominator, env), 1e-6)
            return results.overhead(self.numerator, env) / below
        if self.kind == "memory":
            memory = results.memory
            return memory[self.numerator].per_chunk - memory[self.denominator].per_chunk
        rates: dict[str, Rate] = getattr(results, self.kind)
        return rates[self.numerator].best / rates[self.denominator].best

    def met(self, results: Results) -> bool:
        """Whether the value is on the right side of the bound."""
        value = self.value(results)
        return value <= self.bound if self.at_most else value >= self.bound


def goals(environments: Iterable[str] = ENVIRONMENTS) -> list[Goal]:
    """The issue's targets: both of the router's APIs; imports per environment."""
    out: list[Goal] = []
    for router in ROUTERS:
        openai = OPENAI_OF[router]
        out += [
            Goal("stream", router, openai, 5.0),
            Goal("stream", router, HF_CHAT, 3.4),
            Goal("stream", router, FLOOR_NO_IO, 0.5),
            Goal("invoke", router, openai, 2.0),
            Goal("invoke", router, HF_CHAT, 1.3),
            Goal("concurrent", router, openai, 3.0),
            Goal("memory", router, FLOOR_NO_IO, MEMORY_MARGIN, at_most=True),
        ]
    for env in environments:
        out += [
            Goal("import", "router", "huggingface", 1.0, at_most=True, environment=env),
            Goal("import", "router", "openai", 0.2, at_most=True, environment=env),
        ]
    return out


def machine() -> dict[str, str]:
    """The machine and the versions measured."""
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
    }
    return info | {package: _version(package) for package in _PACKAGES}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    names = [line.split(":", 1)[1].strip() for line in lines if "model name" in line]
    return names[0] if names else platform.processor()


# --- Markdown ------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _rate_cell(rate: Rate | None) -> str:
    return "-" if rate is None else f"{rate.best:,.0f} ({rate.median:,.0f})"


def _throughput(results: Results) -> str:
    sizes = results.sizes
    header = [
        "client",
        f"stream chunks/s, {sizes['stream']:,}-chunk answers",
        "chunks (text) per stream",
        f"invoke calls/s, {sizes['invoke_words']}-word answers",
        f"{sizes['streams']} concurrent astream, chunks/s",
    ]
    rows = []
    for key, label in results.labels.items():
        stream = results.stream.get(key)
        counts = f"{stream.chunks:,} ({stream.text:,})" if stream else "-"
        rows.append(
            [
                label,
                _rate_cell(stream),
                counts,
                _rate_cell(results.invoke.get(key)),
                _rate_cell(results.concurrent.get(key)),
            ]
        )
    return _table(header, rows)


def _imports(results: Results) -> str:
    envs = list(results.imports)
    header = ["import"]
    for env in envs:
        header += [f"{ENVIRONMENTS[env]}: median s", "above the floor, s"]
    rows = []
    for key in IMPORTS:
        row = [f"`{IMPORTS[key]}`"]
        for env in envs:
            times = results.imports[env]
            if key == "floor":
                floors = [t for k, t in times.items() if k.startswith("floor")]
                row += [f"{statistics.median(floors):.3f}", "(floor)"]
            else:
                row += [f"{times[key]:.3f}", f"{results.overhead(key, env):+.3f}"]
        rows.append(row)
    return _table(header, rows)


def _memory(results: Results) -> str:
    sizes = results.sizes["memory"]
    header = ["client", *(f"peak at {n:,} chunks, MB" for n in sizes), "bytes/chunk"]
    rows = [
        [
            results.labels[key],
            *(f"{peak / 1e6:.1f}" for peak in memory.peaks),
            f"{memory.per_chunk:,.0f}",
        ]
        for key, memory in results.memory.items()
    ]
    return _table(header, rows)


def _goal_name(goal: Goal, results: Results) -> str:
    if goal.kind == "import":
        where = ENVIRONMENTS[goal.environment]
        return f"import overhead ({where}): router / {goal.denominator}"
    labels = results.labels
    return f"{goal.kind}: {labels[goal.numerator]} / {labels[goal.denominator]}"


def _goal_rows(results: Results) -> list[list[str]]:
    rows = []
    for goal in goals(results.imports):
        value = goal.value(results)
        shown = f"{value:+,.0f} B" if goal.kind == "memory" else f"{value:.2f}"
        unit = " B" if goal.kind == "memory" else ""
        needs = ("<= " if goal.at_most else ">= ") + f"{goal.bound:g}{unit}"
        verdict = "met" if goal.met(results) else "**not met**"
        rows.append([_goal_name(goal, results), shown, needs, verdict])
    return rows


def markdown(results: Results) -> str:
    """The whole report."""
    info = results.machine
    runs = results.sizes["import_runs"]
    return "\n\n".join(
        [
            "# Benchmark: ChatHuggingFaceRouter against ChatOpenAI, ChatHuggingFace "
            "and the floors",
            f"Machine: {info['cpu']}, {info['cpus']} CPUs, {info['platform']}, "
            f"Python {info['python']}. Versions: "
            + ", ".join(f"{p} {info[p]}" for p in _PACKAGES)
            + ".",
            f"Rates are best (median) of {results.sizes['rounds']} passes over all "
            "clients in turn, each after a warm-up; the targets use the best. "
            "Memory per chunk counts as a small constant above the floor's when it "
            f"is at most {MEMORY_MARGIN} B more.",
            "## Throughput",
            _throughput(results),
            f"## Import time (median of {runs} fresh processes)",
            _imports(results),
            "## Peak memory of one `.stream()` (tracemalloc)",
            _memory(results),
            "## Targets (issue 6)",
            _table(["target", "value", "goal", "verdict"], _goal_rows(results)),
        ]
    )


def as_json(results: Results) -> dict[str, Any]:
    """The figures and the targets, for a file."""
    data = dataclasses.asdict(results)
    data["memory"] = {
        key: {**data["memory"][key], "per_chunk": memory.per_chunk}
        for key, memory in results.memory.items()
    }
    data["targets"] = [
        {
            "target": _goal_name(goal, results),
            **dataclasses.asdict(goal),
            "value": goal.value(results),
            "met": goal.met(results),
        }
        for goal in goals(results.imports)
    ]
    return data


def write_json(results: Results, path: Path) -> None:
    """Write `as_json` to `path` (its folder is made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(results), indent=2) + "\n")
