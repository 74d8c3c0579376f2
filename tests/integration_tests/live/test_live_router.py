"""The real Hugging Face router; runs only when HF_TOKEN is set."""

from __future__ import annotations

import os

import pytest
from chat_asserts import sum_chunks

from langchain_hf_router import ChatHuggingFaceRouter

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("HF_TOKEN"),
        reason="live router tests need HF_TOKEN (none is set, e.g. in CI)",
    ),
]

TEXT_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
REASONING_MODEL = "deepseek-ai/DeepSeek-R1"


@pytest.mark.parametrize("api", ["chat_completions", "responses"])
def test_invoke_and_stream(api: str) -> None:
    llm = ChatHuggingFaceRouter(model=TEXT_MODEL, api=api, max_tokens=32, temperature=0)
    message = llm.invoke("Say hello in one word.")
    assert message.text
    assert message.response_metadata["api"] == api
    streamed = sum_chunks(list(llm.stream("Say hello in one word.")))
    assert streamed.text
    llm.close()


def test_reasoning_model_returns_reasoning_blocks() -> None:
    llm = ChatHuggingFaceRouter(model=REASONING_MODEL, max_tokens=512)
    message = llm.invoke("What is 12 * 13? Answer with the number only.")
    assert "156" in message.text
    assert any(block["type"] == "reasoning" for block in message.content_blocks)
    llm.close()
