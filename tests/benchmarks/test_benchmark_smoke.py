"""The benchmark harness runs end to end with tiny sizes: every row, right chunk counts.

No timing is asserted: the targets live in the benchmark's own report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUTERS = ["router_chat", "router_responses"]
CLIENTS = [
    *ROUTERS,
    "openai_chat",
    "openai_responses",
    "hf_chat",
    "floor_no_io",
    "floor_httpx_chat",
    "floor_httpx_responses",
]
IMPORTS = ["floor", "router", "openai", "huggingface"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    path = tmp_path_factory.mktemp("bench") / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(path.read_text()), done.stdout


def test_every_client_has_every_figure(run: tuple[dict[str, Any], str]) -> None:
    report, markdown = run
    for kind in ("stream", "invoke", "concurrent"):
        assert list(report[kind]) == CLIENTS, kind
        assert all(rate["best"] > 0 for rate in report[kind].values()), kind
    assert list(report["imports"]) == ["dev"]  # --quick skips the clean environment
    assert list(report["imports"]["dev"]) == IMPORTS
    assert list(report["memory"]) == [*ROUTERS, "floor_no_io"]
    for label in report["labels"].values():
        assert f"| {label} |" in markdown


def test_streams_yield_the_expected_chunks(run: tuple[dict[str, Any], str]) -> None:
    report, _ = run
    sizes = report["sizes"]
    n = sizes["stream"]
    total = sizes["streams"] * sizes["concurrent_chunks"]
    for key in CLIENTS:
        assert report["stream"][key]["text"] == n, key
        assert report["concurrent"][key]["text"] == total, key
    for key in ROUTERS:
        # One chunk per text delta, then the closing chunk (usage, finish reason).
        assert report["stream"][key]["chunks"] == n + 1, key
        assert report["concurrent"][key]["chunks"] == total + sizes["streams"], key
        memory = report["memory"][key]
        assert memory["chunks"] == [size + 1 for size in sizes["memory"]], key
        assert all(peak > 0 for peak in memory["peaks"]), key


def test_every_target_has_a_verdict(run: tuple[dict[str, Any], str]) -> None:
    report, markdown = run
    targets = report["targets"]
    assert len(targets) == 16  # 7 per API, 2 import targets for the environment
    assert all(isinstance(target["met"], bool) for target in targets)
    section = markdown.split("## Targets", 1)[1].splitlines()
    rows = [line for line in section if line.startswith("| ")][2:]  # past the header
    assert len(rows) == len(targets)
    assert all(row.endswith(("| met |", "| **not met** |")) for row in rows)
