"""The real-model tier: one llama.cpp server with Qwen2.5-Coder-1.5B for the session.

Needs `scripts/install_real_model.sh PYTHON` (the `xllamacpp` wheel and the model in
`.models/`, or a GGUF named by `HF_ROUTER_TEST_MODEL`). Without them the tier is
skipped on a developer's machine, and fails in CI (`CI` set): CI must never skip it
silently.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
from real_server import (
    API_KEY,
    INSTALL_HINT,
    MODEL_ALIAS,
    REQUEST_TIMEOUT,
    LlamaServer,
    model_path,
)

from langchain_hf_router import ChatHuggingFaceRouter


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so `-m "not real_model"` works without touching pyproject.
    config.addinivalue_line(
        "markers", "real_model: runs a real model in a local llama.cpp server"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _missing(what: str) -> None:
    reason = f"real-model tier: {what}; run `{INSTALL_HINT}`"
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: this tier must run there)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def llama_server_process() -> Iterator[LlamaServer]:
    """The running server (for its pid, memory, log); stopped after the session."""
    path = model_path()
    if not path.is_file():
        _missing(f"no model file at {path} (HF_ROUTER_TEST_MODEL or the default)")
    if importlib.util.find_spec("xllamacpp") is None:
        _missing("the xllamacpp package is not installed in this Python")
    server = LlamaServer(path, api_keys=(API_KEY,))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def llama_server(llama_server_process: LlamaServer) -> str:
    """The server's OpenAI-style base URL, `http://127.0.0.1:PORT/v1`."""
    return llama_server_process.base_url


@pytest.fixture
def make_llm(llama_server: str) -> Iterator[type[ChatHuggingFaceRouter]]:
    """Build `ChatHuggingFaceRouter`s on the local server; closed afterwards."""
    made: list[ChatHuggingFaceRouter] = []

    def factory(**fields: object) -> ChatHuggingFaceRouter:
        fields.setdefault("model", MODEL_ALIAS)
        fields.setdefault("base_url", llama_server)
        fields.setdefault("api_key", API_KEY)
        fields.setdefault("temperature", 0)
        fields.setdefault("max_tokens", 64)
        fields.setdefault("timeout", REQUEST_TIMEOUT)
        llm = ChatHuggingFaceRouter(**fields)  # type: ignore[arg-type]
        made.append(llm)
        return llm

    yield factory  # type: ignore[misc]
    for llm in made:
        llm.close()
