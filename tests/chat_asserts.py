"""Assertions shared by the chat-model tests."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk


def _blocks(message: AIMessage) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in block.items() if k != "index"}
        for block in message.content_blocks
    ]


def sum_chunks(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    assert chunks, "the stream yielded nothing"
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def assert_stream_matches_invoke(streamed: AIMessageChunk, invoked: AIMessage) -> None:
    """The architecture's definition of 'a stream adds up to the invoked message'."""
    assert _blocks(streamed) == _blocks(invoked)
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.usage_metadata == invoked.usage_metadata
    assert set(streamed.response_metadata) - {"output_version"} == set(
        invoked.response_metadata
    ) - {"output_version"}
    for key in ("finish_reason", "model_name", "model_provider", "api"):
        assert streamed.response_metadata[key] == invoked.response_metadata[key]
