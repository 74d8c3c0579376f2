"""Chat Completions templates, read back over HTTP with plain httpx."""

from __future__ import annotations

from typing import Any

import pytest
from router_emulator import InBandFailure, Reply, RouterEmulator, ToolCall

from emulator_selftest.helpers import (
    MODES,
    load_bytes,
    load_json,
    load_request_body,
    payloads,
    post,
    shape,
)

PATH = "/chat/completions"
BODY: dict[str, Any] = {
    "model": "org/model:groq",
    "messages": [{"role": "user", "content": "hi"}],
}
STREAM: dict[str, Any] = {**BODY, "stream": True}
STREAM_USAGE: dict[str, Any] = {**STREAM, "stream_options": {"include_usage": True}}


def deltas(chunks: list[Any]) -> list[dict[str, Any]]:
    return [
        c["choices"][0]["delta"] for c in chunks if isinstance(c, dict) and c["choices"]
    ]


def collapsed_kinds(chunks: list[Any]) -> list[str | None]:
    """The first key of each delta, consecutive repeats collapsed."""
    kinds = [next(iter(d), None) for d in deltas(chunks)]
    return [k for n, k in enumerate(kinds) if n == 0 or kinds[n - 1] != k]


def joined(chunks: list[Any], key: str) -> str:
    return "".join(d.get(key) or "" for d in deltas(chunks))


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_non_stream_completion(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="Hello there"))
    result = await post(mode, emulator.base_url, PATH, BODY)
    body = result.json()
    assert result.status == 200
    assert result.headers["content-type"] == "application/json"
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int)
    assert body["model"] == "org/model:groq"
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello there"},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ]
    assert body["usage"] == {
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "total_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


async def test_scripted_model_id_created_usage_and_headers(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(
        Reply(
            text="x",
            model="served/model",
            id="chatcmpl-fixed",
            created=123,
            usage={
                "prompt_tokens": 7,
                "completion_tokens": 3,
                "cached_tokens": 2,
                "reasoning_tokens": 1,
            },
            headers={"x-request-id": "req-1"},
        )
    )
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    assert (body["id"], body["created"], body["model"]) == (
        "chatcmpl-fixed",
        123,
        "served/model",
    )
    assert body["usage"]["total_tokens"] == 10
    assert body["usage"]["prompt_tokens_details"] == {"cached_tokens": 2}
    assert body["usage"]["completion_tokens_details"] == {"reasoning_tokens": 1}
    emulator.enqueue(Reply(text="x", headers={"x-request-id": "req-2"}))
    result = await post(mode, emulator.base_url, PATH, STREAM)
    assert result.headers["x-request-id"] == "req-2"


async def test_stream_without_include_usage(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(Reply(text="Hello there, world"))
    result = await post(mode, emulator.base_url, PATH, STREAM)
    assert result.headers["content-type"] == "text/event-stream"
    assert result.headers["transfer-encoding"] == "chunked"
    chunks = result.payloads
    assert chunks[-1] == "[DONE]"
    assert chunks.count("[DONE]") == 1
    assert all(c["choices"] for c in chunks[:-1]), (
        "no usage chunk without include_usage"
    )
    assert all("usage" not in c for c in chunks[:-1])
    assert deltas(chunks) == [
        {"role": "assistant", "content": None},
        {"content": "Hello"},
        {"content": " there,"},
        {"content": " world"},
        {},
    ]
    finishes = [c["choices"][0]["finish_reason"] for c in chunks[:-1]]
    assert finishes == [None, None, None, None, "stop"]
    assert len({(c["id"], c["created"], c["model"]) for c in chunks[:-1]}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks[:-1])


async def test_stream_with_include_usage(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="a b c", usage={"prompt_tokens": 4}))
    chunks = (await post(mode, emulator.base_url, PATH, STREAM_USAGE)).payloads
    usage_chunk = chunks[-2]
    assert chunks[-1] == "[DONE]"
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"] == {
        "prompt_tokens": 4,
        "completion_tokens": 3,
        "total_tokens": 7,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    assert chunks[-3]["choices"][0]["finish_reason"] == "stop"


async def test_chunk_size_and_exact_deltas(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(
        Reply(text="abcdefg", chunk_size=3),
        Reply(deltas=["<thi", "nk>abc</th", "ink>Answer"]),
    )
    first = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    assert [d.get("content") for d in deltas(first)[1:-1]] == ["abc", "def", "g"]
    second = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    assert [d.get("content") for d in deltas(second)[1:-1]] == [
        "<thi",
        "nk>abc</th",
        "ink>Answer",
    ]
    emulator.enqueue(Reply(deltas=["<thi", "nk>abc</th", "ink>Answer"]))
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    assert body["choices"][0]["message"]["content"] == "<think>abc</think>Answer"


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
async def test_reasoning_in_a_separate_field(
    emulator: RouterEmulator, mode: str, field: str
) -> None:
    reply = Reply(text="42", reasoning="Six times seven.", reasoning_style=field)  # type: ignore[arg-type]
    emulator.enqueue(reply, reply)
    message = (await post(mode, emulator.base_url, PATH, BODY)).json()["choices"][0][
        "message"
    ]
    assert message == {"role": "assistant", "content": "42", field: "Six times seven."}
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    stream = deltas(chunks)
    assert [list(d) for d in stream[1:-1]] == [[field]] * 3 + [["content"]]
    assert joined(chunks, field) == "Six times seven."
    assert joined(chunks, "content") == "42"


@pytest.mark.parametrize(
    ("style", "inline"),
    [
        ("think_tags", "<think>Six times seven.</think>42"),
        ("think_open", "Six times seven.</think>42"),
    ],
)
async def test_reasoning_inline_in_content(
    emulator: RouterEmulator, mode: str, style: str, inline: str
) -> None:
    reply = Reply(text="42", reasoning="Six times seven.", reasoning_style=style)  # type: ignore[arg-type]
    emulator.enqueue(
        reply,
        reply,
        Reply(text="42", reasoning="Six.", reasoning_style=style, chunk_size=4),
    )  # type: ignore[arg-type]
    message = (await post(mode, emulator.base_url, PATH, BODY)).json()["choices"][0][
        "message"
    ]
    assert message == {"role": "assistant", "content": inline}
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    pieces = [d["content"] for d in deltas(chunks)[1:-1]]
    assert "".join(pieces) == inline
    assert "</think>" in pieces, "without chunk_size the tags are whole tokens"
    assert all("reasoning_content" not in d for d in deltas(chunks))
    cut = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    cut_pieces = [d["content"] for d in deltas(cut)[1:-1]]
    assert all(len(p) <= 4 for p in cut_pieces)
    assert "".join(cut_pieces).endswith("Six.</think>42")


async def test_tool_calls(emulator: RouterEmulator, mode: str) -> None:
    calls = [
        ToolCall("get_weather", '{"city": "Paris"}'),
        ToolCall("get_time", '{"tz": "Asia/Tokyo"}', id="my-id-1"),
    ]
    emulator.enqueue(Reply(tool_calls=calls), Reply(tool_calls=calls))
    choice = (await post(mode, emulator.base_url, PATH, BODY)).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["content"] is None
    first, second = message["tool_calls"]
    assert first["id"].startswith("call_")
    assert first["type"] == "function"
    assert first["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    assert second["id"] == "my-id-1"

    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    tool_deltas = [d["tool_calls"][0] for d in deltas(chunks) if "tool_calls" in d]
    heads = [t for t in tool_deltas if "id" in t]
    assert [(h["index"], h["type"], h["function"]) for h in heads] == [
        (0, "function", {"name": "get_weather", "arguments": ""}),
        (1, "function", {"name": "get_time", "arguments": ""}),
    ]
    assert heads[1]["id"] == "my-id-1"
    fragments = [t for t in tool_deltas if "id" not in t]
    assert all(
        set(t) == {"index", "function"} and set(t["function"]) == {"arguments"}
        for t in fragments
    )
    for index, call in enumerate(calls):
        args = "".join(
            t["function"]["arguments"] for t in tool_deltas if t["index"] == index
        )
        assert args == call.arguments
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


async def test_text_before_tool_calls(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="Let me check.", tool_calls=[ToolCall("f", "{}")]))
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    kinds = [next(iter(d), None) for d in deltas(chunks)]
    assert kinds == [
        "role",
        "content",
        "content",
        "content",
        "tool_calls",
        "tool_calls",
        None,
    ]


async def test_extra_delta_keys_and_finish_reason(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(
        Reply(
            text="a b",
            extra_delta_keys={"tool_calls": None, "token_id": 1},
            finish_reason="length",
        )
    )
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    assert all(d["tool_calls"] is None and d["token_id"] == 1 for d in deltas(chunks))
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("style", "prefix", "newline"),
    [
        ("space", b"data: {", b"\n\n"),
        ("nospace", b"data:{", b"\n\n"),
        ("crlf", b"data: {", b"\r\n\r\n"),
    ],
)
async def test_sse_styles(
    emulator: RouterEmulator, mode: str, style: str, prefix: bytes, newline: bytes
) -> None:
    emulator.enqueue(Reply(text="a b", sse_style=style))  # type: ignore[arg-type]
    raw = (await post(mode, emulator.base_url, PATH, STREAM)).body
    assert raw.startswith(prefix)
    assert raw.endswith(b"[DONE]" + newline)
    if style != "crlf":
        assert b"\r" not in raw
    assert joined(payloads(raw), "content") == "a b"


async def test_comments_and_event_lines(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="a b", comments=True))
    raw = (await post(mode, emulator.base_url, PATH, STREAM)).body
    assert raw.count(b": keep-alive\n") == 5
    assert raw.count(b"event: message\n") == 5
    assert joined(payloads(raw), "content") == "a b"


async def test_in_band_failure(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(
        InBandFailure("500 upstream exploded"), InBandFailure("500 upstream exploded")
    )
    result = await post(mode, emulator.base_url, PATH, BODY)
    assert result.status == 200
    assert result.json() == {
        "error": {
            "message": "500 upstream exploded",
            "type": "server_error",
            "code": None,
        }
    }
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    assert deltas(chunks[:1]) == [{"role": "assistant", "content": None}]
    assert chunks[1:] == [
        {
            "error": {
                "message": "500 upstream exploded",
                "type": "server_error",
                "code": None,
            }
        }
    ]


async def test_in_band_failure_after_partial_text(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(
        InBandFailure("boom", stream_events_before=3, partial_text="one two three")
    )
    chunks = (await post(mode, emulator.base_url, PATH, STREAM)).payloads
    assert [d.get("content") for d in deltas(chunks[:-1])] == [None, "one", " two"]
    assert chunks[-1]["error"]["message"] == "boom"


CHAT_RECORDINGS = [
    ("03_chat_stream_usage", Reply(text="1, 2, 3, 4, 5")),
    (
        "06_chat_tools_stream",
        Reply(
            tool_calls=[
                ToolCall("get_weather", '{"city": "Paris"}'),
                ToolCall("get_weather", '{"city": "Tokyo"}'),
            ]
        ),
    ),
]


@pytest.mark.parametrize(("name", "reply"), CHAT_RECORDINGS)
async def test_stream_shape_matches_llama_cpp(
    emulator: RouterEmulator, mode: str, name: str, reply: Reply
) -> None:
    """Every key llama.cpp sends (but its extras) is sent, at the same place."""
    base = f"llamacpp_local/qwen2.5-coder-1.5b/{name}"
    recorded = payloads(load_bytes(f"{base}.response.sse.txt"))
    emulator.enqueue(reply)
    ours = (
        await post(
            mode, emulator.base_url, PATH, load_request_body(f"{base}.request.json")
        )
    ).payloads
    assert (recorded[-1], ours[-1]) == ("[DONE]", "[DONE]")
    assert (recorded[-2]["choices"] == []) == (ours[-2]["choices"] == [])
    extras = {"system_fingerprint", "timings"}
    for theirs, mine in (
        (recorded[0], ours[0]),
        (recorded[-2], ours[-2]),
        (recorded[-3], ours[-3]),
    ):
        assert set(theirs) - extras <= set(mine)
        if theirs["choices"]:
            assert set(theirs["choices"][0]) <= set(mine["choices"][0])
            assert (
                theirs["choices"][0]["delta"].keys()
                == mine["choices"][0]["delta"].keys()
            )
    assert collapsed_kinds(recorded) == collapsed_kinds(ours)


async def test_non_stream_shape_matches_llama_cpp(
    emulator: RouterEmulator, mode: str
) -> None:
    base = "llamacpp_local/qwen2.5-coder-1.5b/02_chat_basic"
    recorded = load_json(f"{base}.response.json")["body"]
    emulator.enqueue(Reply(text="Bonjour!"))
    ours = (
        await post(
            mode, emulator.base_url, PATH, load_request_body(f"{base}.request.json")
        )
    ).json()
    assert set(recorded) - {"system_fingerprint", "timings"} <= set(ours)
    assert shape(recorded["choices"][0]["message"]) == shape(
        ours["choices"][0]["message"]
    )
    assert set(recorded["usage"]) <= set(ours["usage"])
