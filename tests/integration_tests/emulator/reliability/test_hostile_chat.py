"""Chat Completions servers that answer valid JSON in shapes the API does not promise.

Over loopback, in invoke, stream, ainvoke and astream: wrong-typed values give the
package's errors naming the JSON path, a whole answer with no choices is an error,
tool-call deltas without `index` stay separate calls, and `finish_reason: "error"`
surfaces the server's own message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chat_asserts import MODES, call
from router_emulator import RawReply, RouterEmulator

from langchain_hf_router import (
    BrokenStreamError,
    ServerError,
)

SSE = {"content-type": "text/event-stream"}
API = "chat_completions"
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def whole(choices: Any = None, **fields: Any) -> dict[str, Any]:
    """A non-streamed answer; one text choice unless `choices` is given."""
    if choices is None:
        message = {"role": "assistant", "content": "Hi."}
        choices = [{"index": 0, "message": message, "finish_reason": "stop"}]
    body = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m"}
    return {**body, "choices": choices, "usage": USAGE, **fields}


def chunk(choices: Any = None, **fields: Any) -> dict[str, Any]:
    """A stream chunk; one text delta unless `choices` is given."""
    if choices is None:
        choices = [{"index": 0, "delta": {"content": "Hal"}, "finish_reason": None}]
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    return {**body, "choices": choices, **fields}


def delta_chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return chunk([{"index": 0, "delta": delta, "finish_reason": finish}])


def sse(*chunks: dict[str, Any]) -> RawReply:
    events = [f"data: {json.dumps(each)}\n\n" for each in chunks]
    return RawReply(headers=SSE, events=[*events, "data: [DONE]\n\n"])


def serve(emulator: RouterEmulator, mode: str, body: Any, chunks: list[Any]) -> None:
    """`body` to a non-streamed call, the `chunks` (after one text chunk) to a stream."""
    streamed = mode in ("stream", "astream")
    emulator.enqueue(sse(chunk(), *chunks) if streamed else RawReply.json(body))


def content_choice(content: Any, kind: str) -> list[dict[str, Any]]:
    return [{"index": 0, kind: {"content": content}, "finish_reason": "stop"}]


# (whole answer, stream chunks after the first, what a whole answer names, a stream)
SHAPES: dict[str, tuple[dict[str, Any], list[Any], str, str]] = {
    "null-choice": (
        whole([None]),
        [chunk([None])],
        "choices[0] is null, not an object",
        "choices[0] is null, not an object",
    ),
    "choices-object": (
        whole({"index": 0, "message": {"content": "Hi."}}),
        [chunk({"index": 0, "delta": {"content": "Hi."}})],
        "choices is an object, not a list",
        "choices is an object, not a list",
    ),
    "content-number": (
        whole(content_choice(42, "message")),
        [chunk(content_choice(42, "delta"))],
        "choices[0].message.content is a number, not a string",
        "choices[0].delta.content is a number, not a string",
    ),
    "counts-as-strings": (
        whole(usage={**USAGE, "prompt_tokens": "3"}),
        [delta_chunk({}, "stop"), chunk([], usage={**USAGE, "prompt_tokens": "3"})],
        "usage.prompt_tokens is a string, not a count",
        "usage.prompt_tokens is a string, not a count",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", SHAPES.keys())
async def test_a_wrong_shape_is_the_packages_error_naming_its_path(
    emulator: RouterEmulator, make_any_model, mode: str, shape: str
) -> None:
    body, chunks, in_whole, in_stream = SHAPES[shape]
    serve(emulator, mode, body, chunks)
    with pytest.raises((ServerError, BrokenStreamError)) as caught:
        await call(make_any_model(api=API), mode)
    if mode in ("stream", "astream"):
        assert type(caught.value) is BrokenStreamError
        assert str(caught.value).startswith(
            f"a Chat Completions stream event is not what the API promises: {in_stream}"
        )
    else:
        assert type(caught.value) is ServerError
        assert str(caught.value).startswith(
            f"the Chat Completions answer is not what the API promises: {in_whole}"
        )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("choices", [None, []], ids=["missing", "empty"])
async def test_a_whole_answer_without_choices_is_an_error(
    emulator: RouterEmulator, make_any_model, mode: str, choices: Any
) -> None:
    # A stream request answered with one JSON body is read as a whole answer too.
    body = whole([])
    if choices is None:
        del body["choices"]
    emulator.enqueue(RawReply.json(body))
    state = "empty" if choices == [] else "missing"
    expected = f"choices is {state}: the answer holds no message"
    streamed = mode in ("stream", "astream")
    with pytest.raises(BrokenStreamError if streamed else ServerError) as caught:
        await call(make_any_model(api=API), mode)
    assert expected in str(caught.value)
    assert "Chat Completions" in str(caught.value)


def index_less_tool_calls() -> list[dict[str, Any]]:
    """Two calls without `index`, the second repeating its name in every delta."""

    def piece(**fields: Any) -> dict[str, Any]:
        return delta_chunk({"tool_calls": [{"type": "function", **fields}]})

    return [
        piece(id="call_a", function={"name": "weather", "arguments": '{"city": '}),
        piece(function={"arguments": '"Paris"}'}),
        piece(id="call_b", function={"name": "weather", "arguments": ""}),
        piece(function={"name": "weather", "arguments": '{"city": "Tokyo"}'}),
        delta_chunk({}, "tool_calls"),
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_tool_calls_without_an_index_stay_two_calls(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    emulator.enqueue(sse(*index_less_tool_calls()))
    message = await call(
        make_any_model(api=API, streaming=True), mode
    )  # invoke streams too
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        ("call_a", "weather", {"city": "Paris"}),
        ("call_b", "weather", {"city": "Tokyo"}),
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"message": "upstream model crashed", "code": 500}, "upstream model crashed"),
        (None, 'the provider ended the answer with finish_reason "error"'),
    ],
    ids=["with-message", "without-message"],
)
async def test_finish_reason_error_gives_the_servers_message(
    emulator: RouterEmulator, make_any_model, mode: str, error: Any, expected: str
) -> None:
    failed: dict[str, Any] = {"index": 0, "finish_reason": "error"}
    if error is not None:
        failed["error"] = error
    body = whole([{**failed, "message": {"role": "assistant", "content": "Hal"}}])
    serve(emulator, mode, body, [chunk([{**failed, "delta": {}}])])
    with pytest.raises(ServerError) as caught:
        await call(make_any_model(api=API), mode)
    assert str(caught.value) == expected
    assert not caught.value.is_retryable


@pytest.mark.parametrize("mode", MODES)
async def test_an_error_next_to_choices_is_raised(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    error = {"message": "upstream quota exhausted"}
    serve(emulator, mode, whole(error=error), [chunk(error=error)])
    with pytest.raises(ServerError, match="upstream quota exhausted"):
        await call(make_any_model(api=API), mode)
