"""The bodies the benchmark server sends, rendered once: both APIs, streamed or not.

Shapes follow the router (see `tests/router_emulator/`), plus the fields the openai
SDK's Responses models require (`parallel_tool_calls`, `logprobs`).
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

Api = Literal["chat_completions", "responses"]

WORD: Final = " tok"
"""Every text delta; an answer of `n` chunks is `WORD * n`."""
MODEL: Final = "bench/model"
_CHAT_ID: Final = "chatcmpl-bench0000000000000000000000000"
_RESP_ID: Final = "resp_" + "0" * 48
_MSG_ID: Final = "msg_" + "0" * 48
_CREATED: Final = 1_700_000_000


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


def sse(payloads: list[Any]) -> bytes:
    """`data: ...` events, each followed by a blank line."""
    return "".join(
        f"data: {p if isinstance(p, str) else _dumps(p)}\n\n" for p in payloads
    ).encode()


# --- Chat Completions ----------------------------------------------------------------


def _chat_usage(n: int) -> dict[str, Any]:
    return {
        "prompt_tokens": 10,
        "completion_tokens": n,
        "total_tokens": 10 + n,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def _chat_chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return {
        "id": _CHAT_ID,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": MODEL,
        "choices": [choice],
    }


def chat_stream(n: int, *, usage: bool) -> bytes:
    """Role chunk, `n` content chunks, finish chunk, usage chunk if asked, `[DONE]`."""
    head = _chat_chunk({"role": "assistant", "content": ""}, None)
    text = [_chat_chunk({"content": WORD}, None) for _ in range(n)]
    events = [head, *text, _chat_chunk({}, "stop")]
    if usage:
        events.append({**_chat_chunk({}, None), "choices": [], "usage": _chat_usage(n)})
    return sse([*events, "[DONE]"])


def chat_json(n: int) -> bytes:
    """A `chat.completion` whose answer is `n` words."""
    message = {"role": "assistant", "content": WORD * n}
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
    body = {
        "id": _CHAT_ID,
        "object": "chat.completion",
        "created": _CREATED,
        "model": MODEL,
        "choices": [choice],
        "usage": _chat_usage(n),
    }
    return _dumps(body).encode()


# --- Responses -----------------------------------------------------------------------


def _message(status: str, text: str | None) -> dict[str, Any]:
    content = [] if text is None else [_text_part(text)]
    return {
        "id": _MSG_ID,
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": content,
    }


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _response(status: str, output: list[Any], n: int) -> dict[str, Any]:
    return {
        "id": _RESP_ID,
        "object": "response",
        "created_at": _CREATED,
        "model": MODEL,
        "status": status,
        "output": output,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "metadata": None,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "temperature": 1,
        "top_p": 1,
        "usage": {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": n,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 10 + n,
        },
    }


def responses_stream(n: int) -> bytes:
    """responses.js's numbered events for one message item of `n` text deltas."""
    text = WORD * n
    where = {"item_id": _MSG_ID, "output_index": 0, "content_index": 0}
    opening = _response("in_progress", [], 0)
    before: list[dict[str, Any]] = [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": _message("in_progress", None),
        },
        {"type": "response.content_part.added", **where, "part": _text_part("")},
    ]
    after: list[dict[str, Any]] = [
        {"type": "response.output_text.done", **where, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "part": _text_part(text)},
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": _message("completed", text),
        },
        {
            "type": "response.completed",
            "response": _response("completed", [_message("completed", text)], n),
        },
    ]
    delta = {"type": "response.output_text.delta", **where, "delta": WORD}
    events = [*before, *[{**delta, "logprobs": []} for _ in range(n)], *after]
    return sse([{**e, "sequence_number": i} for i, e in enumerate(events)])


def responses_json(n: int) -> bytes:
    """The completed response whose answer is `n` words."""
    message = _message("completed", WORD * n)
    return _dumps(_response("completed", [message], n)).encode()


def render(api: Api, n: int, *, stream: bool, usage: bool) -> bytes:
    """The body for one request: `n` text chunks (streamed) or `n` words."""
    if api == "chat_completions":
        return chat_stream(n, usage=usage) if stream else chat_json(n)
    return responses_stream(n) if stream else responses_json(n)
