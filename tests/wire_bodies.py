"""Hand-built wire bodies shared by tests that serve exact bytes (not the emulator's
templates): a Responses answer, a Chat Completions text chunk, deep JSON."""

from __future__ import annotations

from typing import Any

USAGE = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}


def responses_body(*output: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A finished Responses answer holding `output`; `fields` override any key."""
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "m",
        "status": "completed",
        "output": list(output),
        "usage": USAGE,
        **fields,
    }


def chat_text_chunk(text: str) -> dict[str, Any]:
    """A Chat Completions stream chunk carrying `text` and no finish reason."""
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def deep_object(depth: int) -> dict[str, Any]:
    """`{"a": {"a": ...}}` nested `depth` times (past the recursion limit if asked)."""
    top: dict[str, Any] = {}
    inner = top
    for _ in range(depth):
        inner["a"] = {}
        inner = inner["a"]
    return top
