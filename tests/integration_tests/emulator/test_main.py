"""`python -m langchain_hf_router` runs the `hf-router` command (see test_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from router_emulator import ErrorReply, Reply, RouterEmulator


def _run(emulator: RouterEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HUGGINGFACE_BASE_URL": emulator.base_url,
        "HF_TOKEN": "hf_main_job",
    }
    env.pop("HUGGINGFACE_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "langchain_hf_router", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_streams_answer_and_reasoning(emulator: RouterEmulator) -> None:
    emulator.enqueue(
        Reply(text="Rayleigh scattering.", reasoning="Short waves scatter.")
    )
    done = _run(emulator, "chat", "deepseek-ai/DeepSeek-R1", "Why is the sky blue?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Rayleigh scattering.\n"
    assert done.stderr.splitlines()[0] == "Short waves scatter."
    assert done.stderr.splitlines()[1].startswith("[tokens: ")
    request = emulator.last_request
    assert request.json["stream"] is True
    assert request.json["model"] == "deepseek-ai/DeepSeek-R1"
    assert request.headers["authorization"] == "Bearer hf_main_job"


def test_error_is_one_line_and_nonzero_exit(emulator: RouterEmulator) -> None:
    emulator.enqueue(ErrorReply(401, {"error": "Invalid username or password."}))
    done = _run(emulator, "chat", "Qwen/Qwen3-32B", "hello")
    assert done.returncode == 1
    assert "Invalid username or password." in done.stderr
    assert "Traceback" not in done.stderr


def test_models(emulator: RouterEmulator) -> None:
    done = _run(emulator, "models", "--search", "DeepSeek-R1")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split()[:2] == ["MODEL", "PROVIDERS"]
    assert row.split()[:2] == [
        "deepseek-ai/DeepSeek-R1",
        "together,novita,sambanova(error)",
    ]
