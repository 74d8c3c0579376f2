"""Streams that break: dropped, unterminated, malformed. Never a short answer."""

from __future__ import annotations

import json

import pytest
from chat_asserts import call, collect_text
from router_emulator import RawReply, Reply, RouterEmulator

from langchain_hf_router import BrokenStreamError, ServerError

SSE = {"content-type": "text/event-stream"}
STREAMS = ("stream", "astream")
INVOKES = ("invoke", "ainvoke")


@pytest.mark.parametrize("mode", STREAMS)
async def test_dropped_stream_raises_and_is_not_retried_after_output(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="one two three four five six", drop_after=5))
    emulator.enqueue(Reply(text="should not be used"))
    received: list[str] = []
    model = make_any_model(api=api, max_retries=2)
    with pytest.raises(BrokenStreamError, match="cut after"):
        await collect_text(model, mode, received)
    assert "".join(received)  # some output came before the break
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("mode", STREAMS)
async def test_stream_without_terminator_is_broken(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    events = [
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"half an answer"},"finish_reason":null}]}\n\n'
    ]
    emulator.enqueue(
        RawReply(headers={"content-type": "text/event-stream"}, events=events)
    )
    with pytest.raises(BrokenStreamError, match="ended before"):
        await call(make_any_model(api="chat_completions"), mode)


@pytest.mark.parametrize("mode", STREAMS)
async def test_malformed_event_is_quoted(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    events = ["data: {not json at all\n\n"]
    emulator.enqueue(
        RawReply(headers={"content-type": "text/event-stream"}, events=events)
    )
    with pytest.raises(BrokenStreamError, match="not json at all"):
        await call(make_any_model(api="chat_completions"), mode)


def _responses_events_without_completion() -> list[str]:
    events = [
        {
            "type": "response.created",
            "response": {"id": "resp_1", "status": "in_progress", "output": []},
        },
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [],
            },
        },
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "half an answer",
        },
        {
            "type": "response.output_text.done",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "text": "half an answer",
        },
    ]
    return [f"data: {json.dumps(event)}\n\n" for event in events]


@pytest.mark.parametrize("mode", STREAMS)
async def test_responses_stream_without_completed_event_is_broken(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    emulator.enqueue(
        RawReply(headers=SSE, events=_responses_events_without_completion())
    )
    received: list[str] = []
    with pytest.raises(BrokenStreamError, match="ended before"):
        await collect_text(make_any_model(api="responses"), mode, received)
    assert "".join(received) == "half an answer"  # what came is kept, then the error


@pytest.mark.parametrize("mode", STREAMS)
async def test_chat_stream_ending_after_done_without_finish_reason_is_complete(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "whole"}, "finish_reason": None}],
    }
    events = [f"data: {json.dumps(chunk)}\n\n", "data: [DONE]\n\n"]
    emulator.enqueue(RawReply(headers=SSE, events=events))
    assert (await call(make_any_model(api="chat_completions"), mode)).text == "whole"


@pytest.mark.parametrize("mode", STREAMS)
async def test_a_long_malformed_event_is_quoted_truncated(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    garbage = "{broken " + "x" * 5000
    emulator.enqueue(RawReply(headers=SSE, events=[f"data: {garbage}\n\n"]))
    with pytest.raises(BrokenStreamError) as caught:
        await call(make_any_model(api=api), mode)
    assert "{broken xxx" in str(caught.value)
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize("mode", INVOKES)
async def test_a_truncated_json_answer_is_an_error(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(
        RawReply(
            headers={"content-type": "application/json"},
            body=b'{"id": "chatcmpl-1", "choi',
        )
    )
    with pytest.raises(ServerError, match="not a JSON object"):
        await call(make_any_model(api=api), mode)


@pytest.mark.parametrize("mode", INVOKES)
async def test_a_streamed_invoke_cut_short_says_the_stream_was_cut(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="a b c d e f", drop_after=3))
    with pytest.raises(BrokenStreamError, match="cut after"):
        await call(make_any_model(api=api, streaming=True), mode)
