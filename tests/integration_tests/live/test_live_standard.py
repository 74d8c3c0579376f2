"""LangChain's standard integration suite on the real router (needs HF_TOKEN).

Models come from the reference provider's capability table: Llama-3.3-70B-Instruct
does object generation, tool usage and tool streaming; Qwen2.5-VL-7B-Instruct takes
images.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_hf_router import ChatHuggingFaceRouter

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("HF_TOKEN"),
        reason="live router tests need HF_TOKEN (none is set, e.g. in CI)",
    ),
]


class _OnRouter(ChatModelIntegrationTests):
    api: str
    router_model = "meta-llama/Llama-3.3-70B-Instruct"

    @property
    def chat_model_class(self) -> type[ChatHuggingFaceRouter]:
        return ChatHuggingFaceRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": self.router_model, "api": self.api}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True


class TestChatCompletionsOnRouter(_OnRouter):
    api = "chat_completions"


class TestResponsesOnRouter(_OnRouter):
    api = "responses"


class TestImagesOnRouter(_OnRouter):
    api = "chat_completions"
    router_model = "Qwen/Qwen2.5-VL-7B-Instruct"

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True
