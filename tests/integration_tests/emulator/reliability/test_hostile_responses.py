"""Responses servers with odd ids, statuses and shapes, over loopback (issue 10).

Streamed modes get the exact events; invoked ones the final response as a JSON
body. Either way the user gets the same answer: text once, one call per call, a
finish reason that is never "stop" for an answer cut short, the server's own
message for its errors, a typed error naming the path for a wrong-typed answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chat_asserts import MODES, call
from router_emulator import RawReply, RouterEmulator
from wire_bodies import responses_body

from langchain_hf_router import BrokenStreamError, ServerError

SSE = {"content-type": "text/event-stream"}
STREAMED = ("stream", "astream")


def text_item(text: str) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": []}]
    return {"id": "msg_1", "type": "message", "role": "assistant", "content": content}


WEATHER = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": '{"city": "Paris"}',
}


def serve(emulator: RouterEmulator, mode: str, events: list[dict[str, Any]]) -> None:
    """`events` for a stream; the response of the last one for an invoke."""
    if mode in STREAMED:
        data = [f"data: {json.dumps(event)}\n\n" for event in events]
        emulator.enqueue(RawReply(headers=SSE, events=data))
    else:
        emulator.enqueue(RawReply.json(events[-1]["response"]))


def added(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": 0, "item": item}


@pytest.mark.parametrize("mode", MODES)
async def test_deltas_without_item_id_give_the_text_once(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    item = text_item("Hello there.")
    events = [
        {"type": "response.created", "response": responses_body(status="in_progress")},
        added({**item, "content": []}),
        {"type": "response.output_text.delta", "output_index": 0, "delta": "Hello"},
        {"type": "response.output_text.delta", "output_index": 0, "delta": " there."},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": responses_body(item)},
    ]
    serve(emulator, mode, events)
    message = await call(make_any_model(api="responses"), mode)
    assert message.text == "Hello there."
    assert message.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize("mode", MODES)
async def test_a_repeated_announcement_gives_one_call(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    announced = {**WEATHER, "arguments": ""}
    keyed_by_call_id = {k: v for k, v in announced.items() if k != "id"}
    events = [
        added(keyed_by_call_id),
        added(announced),
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "fc_1",
            "delta": '{"city": ',
        },
        {"type": "response.output_item.done", "output_index": 0, "item": WEATHER},
        {"type": "response.completed", "response": responses_body(WEATHER)},
    ]
    serve(emulator, mode, events)
    message = await call(make_any_model(api="responses"), mode)
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        ("call_1", "get_weather", {"city": "Paris"})
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("details", "reason"),
    [({"reason": "max_output_tokens"}, "length"), (None, "incomplete")],
)
async def test_an_incomplete_answer_is_never_stop(
    emulator: RouterEmulator,
    make_any_model,
    mode: str,
    details: dict[str, str] | None,
    reason: str,
) -> None:
    item = text_item("Half an ans")
    cut = responses_body(item, status="incomplete", incomplete_details=details)
    events = [
        added({**item, "content": []}),
        {"type": "response.output_text.delta", "item_id": "msg_1", "delta": "Half"},
        {"type": "response.incomplete", "response": cut},
    ]
    serve(emulator, mode, events)
    message = await call(make_any_model(api="responses"), mode)
    assert message.text == "Half an ans"
    assert message.response_metadata["finish_reason"] == reason


@pytest.mark.parametrize("mode", STREAMED)
async def test_an_error_event_with_an_object_message_gives_the_servers_message(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    error = {"message": "upstream overloaded, try later", "code": "overloaded"}
    events = [
        added({**text_item(""), "content": []}),
        {"type": "response.output_text.delta", "item_id": "msg_1", "delta": "Hal"},
        {"type": "error", "message": error, "sequence_number": 3},
    ]
    serve(emulator, mode, events)
    with pytest.raises(ServerError) as caught:
        await call(make_any_model(api="responses"), mode)
    assert caught.value.message == "upstream overloaded, try later"
    assert caught.value.code == "overloaded"


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_a_failed_answer_with_an_object_message_gives_the_servers_message(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    error = {"message": {"message": "upstream overloaded, try later"}}
    emulator.enqueue(RawReply.json(responses_body(status="failed", error=error)))
    with pytest.raises(ServerError) as caught:
        await call(make_any_model(api="responses"), mode)
    assert caught.value.message == "upstream overloaded, try later"


@pytest.mark.parametrize("mode", MODES)
async def test_a_wrong_typed_output_is_a_typed_error_naming_the_path(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    broken = responses_body({"id": "msg_1", "type": "message", "content": 42})
    events = [{"type": "response.completed", "response": broken}]
    serve(emulator, mode, events)
    expected = BrokenStreamError if mode in STREAMED else ServerError
    with pytest.raises(expected) as caught:
        await call(make_any_model(api="responses"), mode)
    assert type(caught.value) is expected
    assert "output[0].content is a number, not a list" in str(caught.value)
