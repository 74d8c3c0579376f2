"""Chat Completions answers that are valid JSON but not what the API promises.

Each wrong shape gives a `WireShapeError` naming its JSON path (the model turns it
into `ServerError` / `BrokenStreamError`); each known provider variant is read.
Also: no choices in a whole answer, tool-call deltas without `index`, names repeated
in every delta, and `finish_reason: "error"`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from wire_bodies import deep_object

from langchain_hf_router.core.chat_completions import ChatChunkMapper, parse_response
from langchain_hf_router.core.errors import RateLimitError, ServerError
from langchain_hf_router.core.types import (
    ReasoningOutput,
    StreamPart,
    TextOutput,
    ToolCallDelta,
)
from langchain_hf_router.core.wire_json import WireShapeError

from .recorded import Streamed, summarize


def answer(message: Any = None, **fields: Any) -> dict[str, Any]:
    """A whole answer whose first choice holds `message`."""
    if message is None:
        message = {"role": "assistant", "content": "Hi."}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return {"id": "c1", "model": "m", "created": 1, "choices": [choice], **fields}


def chunk(delta: Any = None, finish: Any = None, **fields: Any) -> dict[str, Any]:
    """A stream chunk whose first choice holds `delta`."""
    choice = {"index": 0, "delta": {} if delta is None else delta}
    choice["finish_reason"] = finish
    return {"id": "c1", "model": "m", "created": 1, "choices": [choice], **fields}


def call_delta(**fields: Any) -> dict[str, Any]:
    return chunk({"tool_calls": [fields]})


def feed(*chunks: dict[str, Any]) -> list[StreamPart]:
    mapper = ChatChunkMapper()
    parts: list[StreamPart] = []
    for each in chunks:
        parts.extend(mapper.feed(each))
    return [*parts, mapper.finish()]


def streamed(*chunks: dict[str, Any]) -> Streamed:
    return summarize(feed(*chunks))


def deep_text_parts(depth: int) -> list[Any]:
    root: list[Any] = []
    inner = root
    for _ in range(depth):
        nested: list[Any] = []
        inner.append({"type": "text", "text": nested})
        inner = nested
    return root


def tool_message(call: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def function_call(**function: Any) -> dict[str, Any]:
    return {"id": "call_1", "type": "function", "function": function}


USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}

# --- wrong shapes in a whole answer --------------------------------------------------

BAD_ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "null-choice": ({"choices": [None]}, "choices[0] is null, not an object"),
    "choices-object": (
        {"choices": {"0": {"message": {}}}},
        "choices is an object, not a list",
    ),
    "message-string": (answer("Hi."), "choices[0].message is a string, not an object"),
    "message-list": (answer([]), "choices[0].message is a list, not an object"),
    "content-number": (
        answer({"content": 42}),
        "choices[0].message.content is a number, not a string",
    ),
    "content-part-not-object": (
        answer({"content": [{"text": "a"}, 7]}),
        "choices[0].message.content[1] is a number, not an object",
    ),
    "tool-calls-object": (
        answer({"tool_calls": {"id": "c"}}),
        "choices[0].message.tool_calls is an object, not a list",
    ),
    "tool-call-null": (
        answer({"tool_calls": [None]}),
        "choices[0].message.tool_calls[0] is null, not an object",
    ),
    "function-string": (
        answer(tool_message({"id": "c", "function": "f"})),
        "choices[0].message.tool_calls[0].function is a string, not an object",
    ),
    "name-number": (
        answer(tool_message(function_call(name=1, arguments="{}"))),
        "choices[0].message.tool_calls[0].function.name is a number, not a string",
    ),
    "arguments-list": (
        answer(tool_message(function_call(name="f", arguments=[1]))),
        "choices[0].message.tool_calls[0].function.arguments is a list, "
        "not JSON text or an object",
    ),
    "call-id-float": (
        answer(tool_message({"id": 1.5, "function": {"name": "f"}})),
        "choices[0].message.tool_calls[0].id is a number, not a string id",
    ),
    "call-id-object": (
        answer(tool_message({"id": {}, "function": {"name": "f"}})),
        "choices[0].message.tool_calls[0].id is an object, not a string id",
    ),
    "answer-id-list": (answer(id=["c1"]), "id is a list, not a string id"),
    "model-number": (answer(model=7), "model is a number, not a string"),
    "usage-string": (answer(usage="5 tokens"), "usage is a string, not an object"),
    "count-string": (
        answer(usage={**USAGE, "prompt_tokens": "3"}),
        "usage.prompt_tokens is a string, not a count",
    ),
    "count-nan": (
        answer(usage={**USAGE, "completion_tokens": float("nan")}),
        "usage.completion_tokens is nan, not a count",
    ),
    "count-negative": (
        answer(usage={**USAGE, "total_tokens": -5}),
        "usage.total_tokens is -5, not a count",
    ),
    "details-list": (
        answer(usage={**USAGE, "prompt_tokens_details": [1]}),
        "usage.prompt_tokens_details is a list, not an object",
    ),
    "cached-string": (
        answer(usage={**USAGE, "prompt_tokens_details": {"cached_tokens": "1"}}),
        "usage.prompt_tokens_details.cached_tokens is a string, not a count",
    ),
    "finish-number": (
        {"choices": [{"message": {"content": "x"}, "finish_reason": 1}]},
        "choices[0].finish_reason is a number, not a string",
    ),
    "reasoning-number": (
        answer({"reasoning_content": 3, "content": "x"}),
        "choices[0].message.reasoning_content is a number, not a string",
    ),
    "reasoning-object": (
        answer({"reasoning": {"text": "x"}, "content": "x"}),
        "choices[0].message.reasoning is an object, not a string",
    ),
    "deep-arguments": (
        answer(tool_message(function_call(name="f", arguments=deep_object(5000)))),
        "choices[0].message.tool_calls[0].function.arguments is nested too deeply "
        "to read",
    ),
    "deep-content": (
        answer({"content": deep_text_parts(3000)}),
        "choices[0].message.content is nested too deeply to read",
    ),
}


@pytest.mark.parametrize(
    ("body", "message"), BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys()
)
def test_a_wrong_shape_in_a_whole_answer_names_its_path(
    body: dict[str, Any], message: str
):
    with pytest.raises(WireShapeError) as caught:
        parse_response(body)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id": "c1", "model": "m"}, "choices is missing: the answer holds no message"),
        (answer(choices=[]), "choices is empty: the answer holds no message"),
        (answer(choices=None), "choices is missing: the answer holds no message"),
    ],
    ids=["missing", "empty", "null"],
)
def test_a_whole_answer_without_choices_is_an_error(body: dict[str, Any], message: str):
    with pytest.raises(WireShapeError) as caught:
        parse_response(body)
    assert str(caught.value) == message


def test_an_error_body_without_choices_keeps_its_own_error():
    body = {"error": {"message": "429 slow down", "code": "server_error"}}
    with pytest.raises(RateLimitError, match="slow down"):
        parse_response(body)


# --- wrong shapes in a stream chunk ----------------------------------------------------

BAD_CHUNKS: dict[str, tuple[dict[str, Any], str]] = {
    "null-choice": ({"choices": [None]}, "choices[0] is null, not an object"),
    "null-second-choice": (
        {"choices": [{"index": 0, "delta": {}}, None]},
        "choices[1] is null, not an object",
    ),
    "choices-object": ({"choices": {"index": 0}}, "choices is an object, not a list"),
    "choices-string": ({"choices": "none"}, "choices is a string, not a list"),
    "choice-index-string": (
        {"choices": [{"index": "1", "delta": {}}]},
        "choices[0].index is a string, not an integer",
    ),
    "delta-string": (chunk("Hi"), "choices[0].delta is a string, not an object"),
    "delta-false": (chunk(False), "choices[0].delta is a boolean, not an object"),
    "content-number": (
        chunk({"content": 42}),
        "choices[0].delta.content is a number, not a string",
    ),
    "content-zero": (
        chunk({"content": 0}),
        "choices[0].delta.content is a number, not a string",
    ),
    "reasoning-number": (
        chunk({"reasoning_content": 1}),
        "choices[0].delta.reasoning_content is a number, not a string",
    ),
    "reasoning-list-of-numbers": (
        chunk({"reasoning": [1]}),
        "choices[0].delta.reasoning[0] is a number, not an object",
    ),
    "tool-calls-object": (
        chunk({"tool_calls": {"index": 0}}),
        "choices[0].delta.tool_calls is an object, not a list",
    ),
    "tool-call-string": (
        chunk({"tool_calls": ["call"]}),
        "choices[0].delta.tool_calls[0] is a string, not an object",
    ),
    "function-list": (
        call_delta(index=0, id="c", function=[]),
        "choices[0].delta.tool_calls[0].function is a list, not an object",
    ),
    "call-index-string": (
        call_delta(index="0", id="c", function={"name": "f"}),
        "choices[0].delta.tool_calls[0].index is a string, not an integer",
    ),
    "call-index-bool": (
        call_delta(index=True, id="c", function={"name": "f"}),
        "choices[0].delta.tool_calls[0].index is a boolean, not an integer",
    ),
    "call-id-list": (
        call_delta(index=0, id=["c"], function={"name": "f"}),
        "choices[0].delta.tool_calls[0].id is a list, not a string id",
    ),
    "name-object": (
        call_delta(index=0, id="c", function={"name": {}}),
        "choices[0].delta.tool_calls[0].function.name is an object, not a string",
    ),
    "arguments-number": (
        call_delta(index=0, id="c", function={"name": "f", "arguments": 1}),
        "choices[0].delta.tool_calls[0].function.arguments is a number, "
        "not JSON text or an object",
    ),
    "deep-arguments": (
        call_delta(index=0, id="c", function={"arguments": deep_object(5000)}),
        "choices[0].delta.tool_calls[0].function.arguments is nested too deeply "
        "to read",
    ),
    "finish-list": (
        chunk({}, ["stop"]),
        "choices[0].finish_reason is a list, not a string",
    ),
    "usage-list": ({"choices": [], "usage": [1]}, "usage is a list, not an object"),
    "count-string": (
        {"choices": [], "usage": {**USAGE, "completion_tokens": "2"}},
        "usage.completion_tokens is a string, not a count",
    ),
    "count-infinite": (
        {"choices": [], "usage": {**USAGE, "prompt_tokens": float("inf")}},
        "usage.prompt_tokens is inf, not a count",
    ),
    "chunk-id-float": (chunk(id=0.5), "id is a number, not a string id"),
}


@pytest.mark.parametrize(
    ("data", "message"), BAD_CHUNKS.values(), ids=BAD_CHUNKS.keys()
)
def test_a_wrong_shape_in_a_stream_chunk_names_its_path(
    data: dict[str, Any], message: str
):
    with pytest.raises(WireShapeError) as caught:
        ChatChunkMapper().feed(data)
    assert str(caught.value) == message


def test_a_chunk_for_another_choice_is_skipped():
    other = {"choices": [{"index": 1, "delta": {"content": "other"}}]}
    parts = feed(chunk({"content": "first"}), other, chunk({}, "stop"))
    assert summarize(parts).text == "first"


# --- provider variants that are read -------------------------------------------------


def test_tgi_object_arguments_and_integer_ids_in_a_whole_answer():
    arguments = {"city": "Paris", "days": 3}
    call = {
        "id": 0,
        "type": "function",
        "function": {"name": "f", "arguments": arguments},
    }
    result = parse_response(answer(tool_message(call), id=17))
    (parsed,) = result.tool_calls
    assert (parsed.call_id, parsed.name) == ("0", "f")
    assert json.loads(parsed.arguments) == {"city": "Paris", "days": 3}
    assert result.info.id == "17"


def test_tgi_object_arguments_and_integer_ids_in_a_stream():
    function = {"name": "f", "arguments": {"city": "Paris"}}
    out = streamed(call_delta(index=0, id=0, function=function), chunk({}, "stop"))
    assert [
        (c.call_id, c.name, json.loads(c.arguments)) for c in out.calls.values()
    ] == [("0", "f", {"city": "Paris"})]


def test_content_as_a_list_of_text_parts():
    parts = [{"type": "text", "text": "Hello, "}, "there", {"type": "text"}]
    result = parse_response(answer({"content": parts, "reasoning": [{"text": "hm"}]}))
    assert result.content == [ReasoningOutput("hm"), TextOutput("Hello, there")]
    out = streamed(chunk({"content": parts}), chunk({}, "stop"))
    assert out.text == "Hello, there"


def test_null_tool_calls_extra_keys_and_empty_content_next_to_tool_calls():
    call = function_call(name="f", arguments="{}")
    message = {"content": "", "tool_calls": [call], "refusal": None, "audio": None}
    result = parse_response(answer(message, system_fingerprint="fp", usage=USAGE))
    assert result.content == []
    assert [c.name for c in result.tool_calls] == ["f"]
    delta = {"content": "Hi", "tool_calls": None, "token_id": 5, "text": "Hi"}
    out = streamed(chunk(delta, logprobs=None), chunk({}, "stop"))
    assert (out.text, out.calls) == ("Hi", {})


def test_a_usage_chunk_with_no_choices_and_whole_float_counts():
    usage = {"prompt_tokens": 3.0, "completion_tokens": 2, "total_tokens": 5}
    out = streamed(chunk({"content": "Hi"}, "stop"), {"choices": [], "usage": usage})
    assert out.finish is not None
    assert out.finish.finish_reason == "stop"
    assert out.finish.usage is not None
    assert (out.finish.usage.input_tokens, out.finish.usage.total_tokens) == (3, 5)


def test_error_null_is_no_error():
    result = parse_response(answer(error=None))
    assert result.content == [TextOutput("Hi.")]
    assert streamed(chunk({"content": "Hi"}, "stop", error=None)).text == "Hi"


# --- tool-call deltas without an index (point 9) ---------------------------------------


def deltas(parts: list[StreamPart]) -> list[tuple[int, str | None, str | None, str]]:
    return [
        (p.index, p.call_id, p.name, p.arguments)
        for p in parts
        if isinstance(p, ToolCallDelta)
    ]


def test_two_calls_with_ids_and_no_index_stay_two():
    parts = feed(
        call_delta(id="call_a", function={"name": "weather", "arguments": ""}),
        call_delta(function={"arguments": '{"city": "Paris"}'}),
        call_delta(id="call_b", function={"name": "weather", "arguments": '{"ci'}),
        call_delta(function={"arguments": 'ty": "Tokyo"}'}),
        chunk({}, "tool_calls"),
    )
    out = summarize(parts)
    assert [(i, c.call_id, c.name, c.arguments) for i, c in out.calls.items()] == [
        (0, "call_a", "weather", '{"city": "Paris"}'),
        (1, "call_b", "weather", '{"city": "Tokyo"}'),
    ]


def test_a_name_repeated_in_every_delta_is_given_once():
    parts = feed(
        call_delta(index=0, id="call_a", function={"name": "weather", "arguments": ""}),
        call_delta(index=0, function={"name": "weather", "arguments": '{"a"'}),
        call_delta(index=0, function={"name": "weather", "arguments": ": 1}"}),
        chunk({}, "tool_calls"),
    )
    assert deltas(parts) == [
        (0, "call_a", "weather", ""),
        (0, None, None, '{"a"'),
        (0, None, None, ": 1}"),
    ]


def test_a_name_streamed_in_pieces_is_kept_whole():
    parts = feed(
        call_delta(index=0, id="c", function={"name": "get_"}),
        call_delta(index=0, function={"name": "weather"}),
    )
    assert "".join(name for _, _, name, _ in deltas(parts) if name) == "get_weather"


def test_the_same_id_on_every_delta_continues_its_call():
    parts = feed(
        call_delta(id="call_a", function={"name": "f", "arguments": "{"}),
        call_delta(id="call_a", function={"name": "f", "arguments": "}"}),
    )
    assert deltas(parts) == [(0, "call_a", "f", "{"), (0, None, None, "}")]


def test_calls_without_index_or_id_in_one_chunk_are_separate():
    calls = [
        {"function": {"name": "f", "arguments": "{}"}},
        {"function": {"name": "g", "arguments": "[]"}},
    ]
    out = streamed(chunk({"tool_calls": calls}), chunk({}, "tool_calls"))
    assert [(i, c.name, c.arguments) for i, c in out.calls.items()] == [
        (0, "f", "{}"),
        (1, "g", "[]"),
    ]
    assert all(c.call_id for c in out.calls.values())


def test_provider_indices_become_dense_in_order_of_appearance():
    out = streamed(
        call_delta(index=7, id="x", function={"name": "f", "arguments": "1"}),
        call_delta(index=3, id="y", function={"name": "g", "arguments": "2"}),
        call_delta(index=7, function={"arguments": "3"}),
        chunk({}, "tool_calls"),
    )
    assert [(i, c.call_id, c.arguments) for i, c in out.calls.items()] == [
        (0, "x", "13"),
        (1, "y", "2"),
    ]


def test_a_new_id_at_a_known_index_is_a_new_call():
    # Some servers number every call 0 and tell them apart by id.
    out = streamed(
        call_delta(index=0, id="a", function={"name": "f", "arguments": "{}"}),
        call_delta(index=0, id="b", function={"name": "f", "arguments": "[]"}),
        chunk({}, "tool_calls"),
    )
    assert [(i, c.call_id, c.arguments) for i, c in out.calls.items()] == [
        (0, "a", "{}"),
        (1, "b", "[]"),
    ]


# --- finish_reason "error" and errors next to choices (point 10) -----------------------


def test_finish_reason_error_in_a_stream_gives_the_servers_message():
    failed = chunk({}, "error")
    failed["choices"][0]["error"] = {"message": "upstream crashed", "code": "boom"}
    mapper = ChatChunkMapper()
    mapper.feed(chunk({"content": "Hal"}))
    with pytest.raises(ServerError) as caught:
        mapper.feed(failed)
    assert str(caught.value) == "upstream crashed"
    assert caught.value.code == "boom"


def test_finish_reason_error_without_a_message():
    with pytest.raises(ServerError) as caught:
        feed(chunk({"content": "Hal"}), chunk({}, "error"))
    assert str(caught.value) == (
        'the provider ended the answer with finish_reason "error"'
    )


def test_finish_reason_error_in_a_whole_answer():
    body = answer()
    body["choices"][0].update(finish_reason="error", error="503 model overloaded")
    with pytest.raises(ServerError) as caught:
        parse_response(body)
    assert caught.value.status_code == 503
    assert "model overloaded" in str(caught.value)


@pytest.mark.parametrize(
    "error", [{"message": "rate limited upstream"}, "rate limited upstream"]
)
def test_an_error_next_to_choices_raises(error: Any):
    with pytest.raises(ServerError, match="rate limited upstream"):
        feed(chunk({"content": "Hal"}, error=error))
    with pytest.raises(ServerError, match="rate limited upstream"):
        parse_response(answer(error=error))
