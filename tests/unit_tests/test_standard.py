"""LangChain's standard unit suite for ChatHuggingFaceRouter."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_hf_router import ChatHuggingFaceRouter


class TestChatHuggingFaceRouterUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatHuggingFaceRouter]:
        return ChatHuggingFaceRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "Qwen/Qwen3-32B", "temperature": 0}

    @property
    def init_from_env_params(
        self,
    ) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"HUGGINGFACE_API_KEY": "hf_env_key"},
            {"model": "Qwen/Qwen3-32B"},
            {"api_key": "hf_env_key"},
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @pytest.mark.xfail(
        reason=(
            "langchain-core 1.8's load() refuses every class outside its own "
            "allowlist even with allowed_objects='all' (the 'all' list is built "
            "from langchain-core's mapping), so no third-party model round-trips "
            "here; the serialized snapshot above still passes, and "
            "test_chat_model.py loads the model with an explicit allowlist."
        ),
        raises=ValueError,
        strict=True,
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)
