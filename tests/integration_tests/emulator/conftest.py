"""Fixtures for chat-model tests against the router emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from router_emulator import RouterEmulator

from langchain_hf_router import ChatHuggingFaceRouter

APIS = ["chat_completions", "responses"]


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_model(emulator: RouterEmulator) -> Iterator[type[ChatHuggingFaceRouter]]:
    """Build models pointed at the emulator; their clients are closed afterwards."""
    made: list[ChatHuggingFaceRouter] = []

    def factory(**fields: object) -> ChatHuggingFaceRouter:
        fields.setdefault("model", "meta-llama/Llama-3.3-70B-Instruct")
        fields.setdefault("base_url", emulator.base_url)
        fields.setdefault("api_key", "hf_test_key")
        fields.setdefault("max_retries", 0)
        model = ChatHuggingFaceRouter(**fields)  # type: ignore[arg-type]
        made.append(model)
        return model

    yield factory  # type: ignore[misc]
    for model in made:
        model.close()


@pytest.fixture
async def aclose_models() -> AsyncIterator[list[ChatHuggingFaceRouter]]:
    """Models listed here get their async clients closed inside the test's loop."""
    models: list[ChatHuggingFaceRouter] = []
    yield models
    for model in models:
        await model.aclose()


@pytest.fixture
def make_any_model(
    make_model: type[ChatHuggingFaceRouter],
    aclose_models: list[ChatHuggingFaceRouter],
) -> type[ChatHuggingFaceRouter]:
    """`make_model` for tests that call in any mode: async clients closed too."""

    def factory(**fields: object) -> ChatHuggingFaceRouter:
        model = make_model(**fields)
        aclose_models.append(model)
        return model

    return factory  # type: ignore[return-value]
