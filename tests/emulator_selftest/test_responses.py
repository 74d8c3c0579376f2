"""Responses templates, read back over HTTP with plain httpx."""

from __future__ import annotations

import json
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
    read_sse,
    shape,
)

PATH = "/responses"
BODY: dict[str, Any] = {"model": "org/model:groq", "input": "hi"}
STREAM: dict[str, Any] = {**BODY, "stream": True}
TEXT_EVENTS = [
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def collapsed(events: list[dict[str, Any]]) -> list[str]:
    """Event types with runs of deltas collapsed to one."""
    names = types(events)
    return [
        t
        for n, t in enumerate(names)
        if not (n and t == names[n - 1] and t.endswith(".delta"))
    ]


async def stream(
    emulator: RouterEmulator, mode: str, body: dict[str, Any] = STREAM
) -> list[dict[str, Any]]:
    result = await post(mode, emulator.base_url, PATH, body)
    assert result.status == 200
    assert result.headers["content-type"] == "text/event-stream"
    raw = read_sse(result.body)
    assert all(e.event is None for e in raw), "the router sends no event: lines"
    events = [e.json() for e in raw]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


async def test_non_stream_text(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="Bonjour!"))
    request = {
        **BODY,
        "instructions": "Be brief.",
        "max_output_tokens": 30,
        "metadata": {"k": "v"},
    }
    result = await post(mode, emulator.base_url, PATH, request)
    body = result.json()
    assert result.headers["content-type"] == "application/json"
    assert body["id"].startswith("resp_")
    assert body["object"] == "response"
    assert (body["status"], body["error"], body["incomplete_details"]) == (
        "completed",
        None,
        None,
    )
    assert body["model"] == "org/model:groq"
    assert (body["instructions"], body["max_output_tokens"], body["metadata"]) == (
        "Be brief.",
        30,
        {"k": "v"},
    )
    assert (body["temperature"], body["top_p"], body["tool_choice"], body["tools"]) == (
        1,
        1,
        "auto",
        [],
    )
    (message,) = body["output"]
    assert message["id"].startswith("msg_")
    assert message == {
        "id": message["id"],
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Bonjour!", "annotations": []}],
    }
    assert body["usage"] == {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 11,
    }


async def test_usage_mapping(emulator: RouterEmulator, mode: str) -> None:
    usage = {
        "prompt_tokens": 5,
        "completion_tokens": 6,
        "cached_tokens": 2,
        "reasoning_tokens": 3,
    }
    emulator.enqueue(Reply(text="x", usage=usage), Reply(text="x", usage=usage))
    expected = {
        "input_tokens": 5,
        "input_tokens_details": {"cached_tokens": 2},
        "output_tokens": 6,
        "output_tokens_details": {"reasoning_tokens": 3},
        "total_tokens": 11,
    }
    assert (await post(mode, emulator.base_url, PATH, BODY)).json()["usage"] == expected
    events = await stream(emulator, mode)
    assert events[-1]["response"]["usage"] == expected
    assert events[0]["response"]["usage"]["total_tokens"] == 0


async def test_stream_text(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="Hello there", id="resp_fixed", created=7))
    result = await post(mode, emulator.base_url, PATH, STREAM)
    assert b"[DONE]" not in result.body
    events = payloads(result.body)
    assert types(events) == [
        "response.created",
        "response.in_progress",
        *TEXT_EVENTS[:3],
        "response.output_text.delta",
        *TEXT_EVENTS[3:],
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    created, in_progress = events[0]["response"], events[1]["response"]
    assert (
        created["id"],
        created["created_at"],
        created["status"],
        created["output"],
    ) == ("resp_fixed", 7, "in_progress", [])
    assert in_progress == created
    item_id = events[2]["item"]["id"]
    assert all(e["item_id"] == item_id for e in events[3:8])
    assert [e["delta"] for e in events[4:6]] == ["Hello", " there"]
    assert events[6]["text"] == "Hello there"
    assert events[7]["part"] == {
        "type": "output_text",
        "text": "Hello there",
        "annotations": [],
    }
    final = events[-1]["response"]
    assert final["status"] == "completed"
    assert final["output"] == [events[8]["item"]]


async def test_reasoning_item_then_message(emulator: RouterEmulator, mode: str) -> None:
    for style in ("reasoning_content", "reasoning"):
        emulator.enqueue(
            Reply(text="42", reasoning="Six times seven.", reasoning_style=style)
        )  # type: ignore[arg-type]
    events = await stream(emulator, mode)
    assert collapsed(events) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.content_part.done",
        "response.output_item.done",
        *TEXT_EVENTS,
        "response.completed",
    ]
    reasoning_item = events[2]["item"]
    assert reasoning_item["id"].startswith("rs_")
    assert reasoning_item == {
        "id": reasoning_item["id"],
        "type": "reasoning",
        "status": "in_progress",
        "content": [],
        "summary": [],
    }
    assert (
        "".join(
            e["delta"] for e in events if e["type"] == "response.reasoning_text.delta"
        )
        == "Six times seven."
    )
    message_added = next(
        e for e in events[3:] if e["type"] == "response.output_item.added"
    )
    # responses.js quirk: messages and reasoning are added at output_index 0.
    assert message_added["output_index"] == 0
    assert all(
        e["output_index"] == 1
        for e in events
        if e.get("item_id") == message_added["item"]["id"]
    )
    output = events[-1]["response"]["output"]
    assert [i["type"] for i in output] == ["reasoning", "message"]
    assert output[0]["content"] == [
        {"type": "reasoning_text", "text": "Six times seven."}
    ]
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    assert [i["type"] for i in body["output"]] == ["reasoning", "message"]


@pytest.mark.parametrize(
    ("style", "inline"),
    [("think_tags", "<think>Hmm.</think>42"), ("think_open", "Hmm.</think>42")],
)
async def test_inline_reasoning_stays_in_the_text(
    emulator: RouterEmulator, mode: str, style: str, inline: str
) -> None:
    reply = Reply(text="42", reasoning="Hmm.", reasoning_style=style)  # type: ignore[arg-type]
    emulator.enqueue(reply, reply)
    events = await stream(emulator, mode)
    assert "response.reasoning_text.delta" not in types(events)
    assert (
        "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        == inline
    )
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    assert [i["type"] for i in body["output"]] == ["message"]
    assert body["output"][0]["content"][0]["text"] == inline


async def test_function_calls(emulator: RouterEmulator, mode: str) -> None:
    calls = [
        ToolCall("get_weather", '{"city": "Paris"}', id="abc"),
        ToolCall("get_time", "{}"),
    ]
    emulator.enqueue(Reply(tool_calls=calls), Reply(tool_calls=calls))
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    first, second = body["output"]
    assert first["id"].startswith("fc_")
    assert first == {
        "type": "function_call",
        "id": first["id"],
        "call_id": "abc",
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
        "status": "completed",
    }
    assert second["call_id"].startswith("call_")
    events = await stream(emulator, mode)
    call_events = [
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
    ]
    assert collapsed(events) == [
        "response.created",
        "response.in_progress",
        *call_events,
        *call_events,
        "response.completed",
    ]
    added = [e for e in events if e["type"] == "response.output_item.added"]
    assert [(e["output_index"], e["item"]["arguments"]) for e in added] == [
        (0, ""),
        (1, ""),
    ]
    for index, call in enumerate(calls):
        item_id = added[index]["item"]["id"]
        pieces = [
            e["delta"]
            for e in events
            if e["type"].endswith("arguments.delta") and e["item_id"] == item_id
        ]
        assert "".join(pieces) == call.arguments
    assert all(i["status"] == "completed" for i in events[-1]["response"]["output"])


async def test_text_then_function_call(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(Reply(text="Checking.", tool_calls=[ToolCall("f", "{}")]))
    events = await stream(emulator, mode)
    output = events[-1]["response"]["output"]
    assert [i["type"] for i in output] == ["message", "function_call"]
    call_added = [e for e in events if e["type"] == "response.output_item.added"][1]
    assert call_added["output_index"] == 1


async def test_parallel_calls_left_open_like_responses_js(
    emulator: RouterEmulator, mode: str
) -> None:
    calls = [
        ToolCall("get_weather", '{"city": "Paris"}'),
        ToolCall("get_weather", '{"city": "Tokyo"}'),
    ]
    emulator.enqueue(Reply(tool_calls=calls, close_all_items=False))
    events = await stream(emulator, mode)
    first_id, second_id = (
        e["item"]["id"] for e in events if e["type"] == "response.output_item.added"
    )
    done = [
        e
        for e in events
        if e["type"]
        in ("response.function_call_arguments.done", "response.output_item.done")
    ]
    assert {e.get("item_id", e.get("item", {}).get("id")) for e in done} == {second_id}
    first, second = events[-1]["response"]["output"]
    assert "status" not in first
    assert first["arguments"] == '{"city": "Paris"}'
    assert second["status"] == "completed"
    assert first_id != second_id


async def test_length_finish_is_incomplete(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(
        Reply(text="cut", finish_reason="length"),
        Reply(text="cut", finish_reason="length"),
    )
    body = (await post(mode, emulator.base_url, PATH, BODY)).json()
    assert (body["status"], body["incomplete_details"]) == (
        "incomplete",
        {"reason": "max_output_tokens"},
    )
    events = await stream(emulator, mode)
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {
        "reason": "max_output_tokens"
    }


async def test_tools_and_request_fields_are_echoed(
    emulator: RouterEmulator, mode: str
) -> None:
    tool = {
        "type": "function",
        "name": "f",
        "description": "d",
        "parameters": {"type": "object"},
        "strict": True,
    }
    mcp = {"type": "mcp", "server_label": "s", "server_url": "https://x"}
    request = {
        **BODY,
        "tools": [tool, mcp],
        "tool_choice": "required",
        "temperature": 0.5,
        "top_p": 0.9,
    }
    body = (await post(mode, emulator.base_url, PATH, request)).json()
    assert body["tools"] == [
        {
            "name": "f",
            "parameters": {"type": "object"},
            "strict": False,
            "type": "function",
            "description": "d",
        },
        mcp,
    ]
    assert (body["tool_choice"], body["temperature"], body["top_p"]) == (
        "required",
        0.5,
        0.9,
    )


async def test_in_band_failure(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(
        InBandFailure("401 Invalid API Key"), InBandFailure("401 Invalid API Key")
    )
    result = await post(mode, emulator.base_url, PATH, BODY)
    assert result.status == 200
    body = result.json()
    assert (body["status"], body["output"]) == ("failed", [])
    assert body["error"] == {"code": "server_error", "message": "401 Invalid API Key"}
    events = await stream(emulator, mode)
    assert types(events) == [
        "response.created",
        "response.in_progress",
        "response.failed",
    ]
    assert events[-1]["response"]["error"]["message"] == "401 Invalid API Key"
    assert events[-1]["response"]["status"] == "failed"


async def test_in_band_failure_positions(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(
        InBandFailure("boom", stream_events_before=0),
        InBandFailure("boom", stream_events_before=5, partial_text="a b c"),
    )
    assert types(await stream(emulator, mode)) == ["response.failed"]
    events = await stream(emulator, mode)
    assert types(events) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.failed",
    ]


async def test_comments_give_event_lines_named_after_the_type(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(Reply(text="a", comments=True, sse_style="crlf"))
    raw = (await post(mode, emulator.base_url, PATH, STREAM)).body
    decoded = read_sse(raw)
    assert raw.count(b": keep-alive\r\n\r\n") == len(decoded)
    assert [e.event for e in decoded] == [e.json()["type"] for e in decoded]


# -- the templates against responses.js recordings -----------------------------

BASE = "responses_js_over_llamacpp"
PARIS_TOKYO = [
    ToolCall("get_weather", '{"city": "Paris"}'),
    ToolCall("get_weather", '{"city": "Tokyo"}'),
]
RECORDED_STREAMS = [
    ("qwen2.5-coder-1.5b/02_instructions_stream", Reply(text="blue")),
    (
        "qwen2.5-coder-1.5b/04_tools_parallel_stream",
        Reply(tool_calls=PARIS_TOKYO, close_all_items=False),
    ),
    (
        "reasoning/reasoning_stream",
        Reply(text="Final answer: 42", reasoning="17 + 25 = 42\n"),
    ),
]


def without_incomplete_details(value: Any) -> Any:
    """responses.js omits ``incomplete_details``; the emulator always sends it."""
    if isinstance(value, dict):
        return {
            k: without_incomplete_details(v)
            for k, v in value.items()
            if k != "incomplete_details"
        }
    if isinstance(value, list):
        return [without_incomplete_details(v) for v in value]
    return value


def first_of_each_type(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e
        for n, e in enumerate(events)
        if not (n and e["type"] == events[n - 1]["type"])
    ]


@pytest.mark.parametrize(("name", "reply"), RECORDED_STREAMS)
async def test_stream_matches_a_responses_js_recording(
    emulator: RouterEmulator, mode: str, name: str, reply: Reply
) -> None:
    """Same event order, and each event has the same keys in the same order."""
    recorded = payloads(load_bytes(f"{BASE}/{name}.response.sse.txt"))
    emulator.enqueue(reply)
    ours = without_incomplete_details(
        await stream(emulator, mode, load_request_body(f"{BASE}/{name}.request.json"))
    )
    assert collapsed(ours) == collapsed(recorded)
    theirs_shapes = [
        shape({**e, "sequence_number": 0}) for e in first_of_each_type(recorded)
    ]
    ours_shapes = [shape({**e, "sequence_number": 0}) for e in first_of_each_type(ours)]
    assert ours_shapes == theirs_shapes
    assert [e.get("output_index") for e in first_of_each_type(ours)] == [
        e.get("output_index") for e in first_of_each_type(recorded)
    ]
    final_theirs, final_ours = recorded[-1]["response"], ours[-1]["response"]
    assert shape(final_ours) == shape(final_theirs)
    for key in (
        "instructions",
        "max_output_tokens",
        "tools",
        "temperature",
        "top_p",
        "tool_choice",
        "model",
    ):
        assert final_ours[key] == final_theirs[key]
    texts = [
        (i["type"], i.get("arguments"), i.get("content"))
        for i in final_theirs["output"]
    ]
    assert [
        (i["type"], i.get("arguments"), i.get("content")) for i in final_ours["output"]
    ] == texts


async def test_non_stream_matches_a_responses_js_recording(
    emulator: RouterEmulator, mode: str
) -> None:
    name = "qwen2.5-coder-1.5b/03_tools"
    recorded = load_json(f"{BASE}/{name}.response.json")["body"]
    emulator.enqueue(
        Reply(
            tool_calls=[ToolCall("get_weather", '{"city": "Paris"}')],
            usage={"prompt_tokens": 0, "completion_tokens": 0},
        )
    )
    ours = (
        await post(
            mode,
            emulator.base_url,
            PATH,
            load_request_body(f"{BASE}/{name}.request.json"),
        )
    ).json()
    ours = without_incomplete_details(ours)
    assert shape(ours) == shape(recorded)
    for key in ("output", "id", "created_at"):
        ours.pop(key), recorded.pop(key)
    assert ours == recorded


async def test_failure_matches_a_responses_js_recording(
    emulator: RouterEmulator, mode: str
) -> None:
    lines = (
        load_bytes(f"{BASE}/errors/upstream_400_stream.txt").decode().splitlines()[1:]
    )
    recorded = payloads("\n\n".join(lines).encode() + b"\n\n")
    message = recorded[-1]["response"]["error"]["message"]
    emulator.enqueue(InBandFailure(message))
    request = {"model": "m", "input": "x", "max_output_tokens": 5, "stream": True}
    ours = without_incomplete_details(await stream(emulator, mode, request))
    assert [shape(e) for e in ours] == [shape(e) for e in recorded]
    assert ours[-1]["response"]["error"] == recorded[-1]["response"]["error"]


async def test_failure_body_matches_a_responses_js_recording(
    emulator: RouterEmulator, mode: str
) -> None:
    text = load_bytes(f"{BASE}/errors/upstream_400_nonstream.txt").decode()
    recorded = json.loads(text.splitlines()[1])
    emulator.enqueue(InBandFailure(recorded["error"]["message"]))
    request = {"model": "m", "input": "x", "max_output_tokens": 5}
    result = await post(mode, emulator.base_url, PATH, request)
    ours = without_incomplete_details(result.json())
    assert result.status == 200
    assert shape(ours) == shape(recorded)
    for key in ("id", "created_at"):
        ours.pop(key), recorded.pop(key)
    assert ours == recorded
