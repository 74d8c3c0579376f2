"""Assertions shared by the chat-model tests."""

from __future__ import annotations

import traceback
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


MODES = ("invoke", "stream", "ainvoke", "astream")
"""The four ways to call a chat model; `call` runs one of them."""


async def call(model: Any, mode: str, prompt: str = "x") -> AIMessage:
    """The answer of one call made in `mode` (a stream's chunks added up)."""
    if mode == "invoke":
        return model.invoke(prompt)  # type: ignore[no-any-return]
    if mode == "ainvoke":
        return await model.ainvoke(prompt)  # type: ignore[no-any-return]
    if mode == "stream":
        return sum_chunks(list(model.stream(prompt)))
    return sum_chunks([chunk async for chunk in model.astream(prompt)])


def error_views(error: BaseException) -> dict[str, str]:
    """Every text a user can reach from an error: str, repr, args, the traceback
    with its causes, and the repr of each attribute (bodies, ids, excerpts)."""
    views = {
        "str": str(error),
        "repr": repr(error),
        "args": repr(error.args),
        "traceback": "".join(
            traceback.format_exception(type(error), error, error.__traceback__)
        ),
    }
    for name in dir(error):
        if not name.startswith("__") and name != "with_traceback":
            views[f".{name}"] = repr(getattr(error, name, None))
    return views


def assert_not_shown(error: BaseException, *pieces: str) -> None:
    """Fail naming each view of `error` that shows one of `pieces`."""
    leaks = [
        f"{where}: {text[max(0, text.find(piece) - 60) : text.find(piece) + 60]!r}"
        for where, text in error_views(error).items()
        for piece in pieces
        if piece in text
    ]
    assert not leaks, "shown in:\n" + "\n".join(leaks)


async def collect_text(model: Any, mode: str, received: list[str]) -> None:
    """Stream (`"stream"` or `"astream"`), appending each chunk's text as it comes,
    so that what arrived before an error can be checked after it."""
    if mode == "stream":
        received.extend(chunk.text for chunk in model.stream("x"))
        return
    async for chunk in model.astream("x"):
        received.append(chunk.text)
