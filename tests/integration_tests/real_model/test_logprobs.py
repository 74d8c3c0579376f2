"""Token log probabilities from llama.cpp's server with a real model, through LangChain."""

from __future__ import annotations

import pytest
from chat_asserts import sum_chunks

pytestmark = pytest.mark.real_model


def check_entries(metadata: dict[str, object], text: str) -> None:
    entries = metadata["logprobs"]["content"]  # type: ignore[index]
    assert entries, metadata
    assert "".join(e["token"] for e in entries) == text
    for e in entries:
        assert e["logprob"] <= 0
        assert len(e["top_logprobs"]) == 2


def test_invoke_returns_logprobs(make_llm) -> None:
    llm = make_llm(api="chat_completions", logprobs=True, top_logprobs=2, max_tokens=6)
    message = llm.invoke("Say hello.")
    check_entries(message.response_metadata, message.text)


def test_stream_sums_to_the_whole_logprobs(make_llm) -> None:
    llm = make_llm(api="chat_completions", max_tokens=6)
    message = sum_chunks(list(llm.stream("Say hello.", logprobs=True, top_logprobs=2)))
    check_entries(message.response_metadata, message.text)
