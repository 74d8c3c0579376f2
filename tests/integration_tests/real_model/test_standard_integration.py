"""LangChain's standard integration suite on a real model (llama.cpp), both APIs.

The server is llama.cpp's own (xllamacpp) with Qwen2.5-Coder-1.5B; each xfail names
what that server or that small model cannot do, not a gap of this package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from real_server import API_KEY, MODEL_ALIAS, REQUEST_TIMEOUT

from langchain_hf_router import ChatHuggingFaceRouter

pytestmark = pytest.mark.real_model

NOT_ENFORCED = pytest.mark.xfail(
    reason=(
        "llama.cpp's server does not enforce tool_choice ('required' or a named "
        "tool): the 1.5B model may answer in text instead (real-server.md)"
    ),
    strict=False,
)
IGNORES_TEXT_FORMAT = pytest.mark.xfail(
    reason=(
        "llama.cpp's own /v1/responses ignores text.format, so the model answers "
        "in prose; the router's Responses API honours it (emulator tests)"
    ),
    raises=OutputParserException,
    strict=True,
)


class _OnLlamaServer(ChatModelIntegrationTests):
    api: str

    @property
    def chat_model_class(self) -> type[ChatHuggingFaceRouter]:
        return ChatHuggingFaceRouter

    server_url = ""

    @pytest.fixture(autouse=True)
    def _on_server(self, request: pytest.FixtureRequest, llama_server: str) -> None:
        # The suite builds some models from `chat_model_params` alone.
        request.cls.server_url = llama_server  # type: ignore[union-attr]

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": MODEL_ALIAS,
            "api": self.api,
            "api_key": API_KEY,
            "base_url": self.server_url,
            # The integration suite sets no sampling defaults; a small model left
            # without a budget can run on to the end of its context.
            "temperature": 0,
            "max_tokens": 256,
            # The suite's 60 s races a small model on a loaded machine.
            "timeout": REQUEST_TIMEOUT,
        }

    @pytest.fixture
    async def model(
        self, request: Any, _on_server: None
    ) -> AsyncIterator[BaseChatModel]:
        # Async so that the clients are closed inside the test's own event loop.
        extra = getattr(request, "param", None) or {}
        llm = self.chat_model_class(
            **{**self.standard_chat_model_params, **self.chat_model_params, **extra}
        )
        yield llm
        await llm.aclose()

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False  # a text-only model behind this server

    @property
    def has_tool_choice(self) -> bool:
        return True

    @NOT_ENFORCED
    def test_tool_choice(self, model: BaseChatModel) -> None:
        super().test_tool_choice(model)

    @NOT_ENFORCED
    def test_tool_calling_with_no_arguments(self, model: BaseChatModel) -> None:
        super().test_tool_calling_with_no_arguments(model)

    @NOT_ENFORCED
    def test_unicode_tool_call_integration(self, model: BaseChatModel) -> None:
        super().test_unicode_tool_call_integration(model)


class TestChatCompletionsOnLlamaServer(_OnLlamaServer):
    api = "chat_completions"


# The Responses API cannot carry `stop` (test_stop_sequence): the package warns
# instead of dropping it silently (asserted in the emulator tests).
@pytest.mark.filterwarnings("ignore::langchain_hf_router.UnsupportedSettingWarning")
class TestResponsesOnLlamaServer(_OnLlamaServer):
    api = "responses"

    @IGNORES_TEXT_FORMAT
    @pytest.mark.parametrize("schema_type", ["pydantic", "typeddict", "json_schema"])
    def test_structured_output(self, model: BaseChatModel, schema_type: str) -> None:
        super().test_structured_output(model, schema_type)  # type: ignore[arg-type]

    @IGNORES_TEXT_FORMAT
    @pytest.mark.parametrize("schema_type", ["pydantic", "typeddict", "json_schema"])
    async def test_structured_output_async(
        self, model: BaseChatModel, schema_type: str
    ) -> None:
        await super().test_structured_output_async(model, schema_type)  # type: ignore[arg-type]

    @IGNORES_TEXT_FORMAT
    def test_structured_output_pydantic_2_v1(self, model: BaseChatModel) -> None:
        super().test_structured_output_pydantic_2_v1(model)

    @IGNORES_TEXT_FORMAT
    def test_structured_output_optional_param(self, model: BaseChatModel) -> None:
        super().test_structured_output_optional_param(model)
