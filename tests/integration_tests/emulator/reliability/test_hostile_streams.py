"""Servers that answer in forms no recording shows: errors in odd shapes, JSON where a
stream was asked for, keep-alives forever, trickling bodies, redirect loops, huge events.
"""

from __future__ import annotations

import json
import re

import pytest
from chat_asserts import MODES, call
from router_emulator import ErrorReply, RawReply, Reply, RouterEmulator
from wire_bodies import chat_text_chunk, responses_body

from langchain_hf_router import (
    APIConnectionError,
    APITimeoutError,
    BrokenStreamError,
    ChatHuggingFaceRouter,
    HuggingFaceRouterError,
    ServerError,
)

SSE = {"content-type": "text/event-stream"}
STREAMS = ("stream", "astream")


def _first_text_event(api: str) -> str:
    if api == "chat_completions":
        chunk = chat_text_chunk("Hal")
    else:
        chunk = {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "Hal",
        }
    return f"data: {json.dumps(chunk)}\n\n"


# --- point 10: the server's own message, whatever form its error takes ----------------


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize(
    "data", ['{"message": "upstream overloaded"}', "upstream overloaded"]
)
async def test_an_error_event_without_a_type_gives_the_servers_message(
    emulator: RouterEmulator, make_any_model, api: str, mode: str, data: str
) -> None:
    events = [_first_text_event(api), f"event: error\ndata: {data}\n\n"]
    emulator.enqueue(RawReply(headers=SSE, events=events))
    with pytest.raises(ServerError, match="upstream overloaded"):
        await call(make_any_model(api=api), mode)


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize("content_type", ["application/json", "text/event-stream"])
async def test_a_json_error_body_served_as_the_stream_gives_its_message(
    emulator: RouterEmulator, make_any_model, api: str, mode: str, content_type: str
) -> None:
    body = {"error": {"message": "Model is loading, retry later", "code": "loading"}}
    emulator.enqueue(
        RawReply(headers={"content-type": content_type}, body=json.dumps(body).encode())
    )
    with pytest.raises(ServerError, match="Model is loading, retry later") as caught:
        await call(make_any_model(api=api), mode)
    assert caught.value.code == "loading"


@pytest.mark.parametrize("mode", STREAMS)
async def test_an_in_band_status_in_a_json_body_served_as_the_stream(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    body = {"error": "429 Too many requests for this model"}
    emulator.enqueue(RawReply.json(body))
    with pytest.raises(HuggingFaceRouterError, match="Too many requests") as caught:
        await call(make_any_model(api=api), mode)
    assert caught.value.status_code == 429


def _whole_answer(api: str) -> dict[str, object]:
    if api == "chat_completions":
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Whole answer."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    return responses_body(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Whole answer."}],
        }
    )


@pytest.mark.parametrize("mode", STREAMS)
async def test_a_whole_answer_served_for_a_stream_is_the_answer(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(RawReply.json(_whole_answer(api)))
    message = await call(make_any_model(api=api), mode)
    assert message.text == "Whole answer."
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 5


@pytest.mark.parametrize("mode", STREAMS)
async def test_a_body_that_is_no_stream_and_no_json_is_quoted(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(RawReply(headers=SSE, body=b"<html>Bad gateway</html>"))
    with pytest.raises(BrokenStreamError, match="not an event stream: '<html>Bad"):
        await call(make_any_model(api=api), mode)


# --- point 11: an overall deadline --------------------------------------------------


@pytest.mark.parametrize("mode", STREAMS)
async def test_keep_alives_forever_end_at_the_deadline(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    # Bounded: 4,000 comments 5 ms apart (20 s at most) if the client never left.
    events = [_first_text_event(api)] + [": keep-alive\n\n"] * 4000
    emulator.enqueue(RawReply(headers=SSE, events=events, delay_between=0.005))
    model = make_any_model(api=api, deadline=0.5, timeout=30)
    with pytest.raises(APITimeoutError, match=r"passed its deadline of 0\.5 s"):
        await call(model, mode)
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_a_body_trickling_in_ends_at_the_deadline(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    text = json.dumps(_whole_answer(api))
    # One character per write, 5 ms apart: each read returns well within `timeout`.
    emulator.enqueue(
        RawReply(
            headers={"content-type": "application/json"},
            events=list(text) * 4,
            delay_between=0.005,
        )
    )
    model = make_any_model(api=api, deadline=0.5, timeout=30)
    with pytest.raises(APITimeoutError, match="deadline"):
        await call(model, mode)


@pytest.mark.parametrize("mode", MODES)
async def test_a_call_within_its_deadline_is_untouched(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="In time."))
    message = await call(make_any_model(api=api, deadline=60), mode)
    assert message.text == "In time."


@pytest.mark.parametrize("mode", MODES)
async def test_no_retry_wait_passes_the_deadline(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(
        ErrorReply(503, {"error": "busy"}, headers={"retry-after": "30"}),
        Reply(text="too late"),
    )
    model = make_any_model(api=api, deadline=5, max_retries=2)
    with pytest.raises(ServerError, match="busy"):
        await call(model, mode)
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("deadline", [0, -1.5, float("nan")])
def test_a_deadline_must_be_positive(deadline: float) -> None:
    # Raised inside pydantic's validation: a ValidationError, which is a ValueError.
    with pytest.raises(ValueError, match="deadline must be"):
        ChatHuggingFaceRouter(model="m", api_key="k", deadline=deadline)


# --- point 6: one event's size is capped --------------------------------------------


@pytest.mark.parametrize("mode", STREAMS)
async def test_an_event_over_max_event_bytes_is_refused(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    big = "y" * 300_000
    emulator.enqueue(Reply(deltas=[big]))
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        await call(make_any_model(api=api, max_event_bytes=100_000), mode)
    emulator.enqueue(Reply(deltas=[big]))
    assert (await call(make_any_model(api=api), mode)).text == big


# --- point 3: httpx failures that are not transport errors --------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_redirect_loop_is_a_connection_error(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    path = "/v1/chat/completions" if api == "chat_completions" else "/v1/responses"
    emulator.enqueue(
        *[RawReply(status=307, headers={"location": emulator.origin + path})] * 25
    )
    with pytest.raises(APIConnectionError, match="redirected too many times"):
        await call(make_any_model(api=api, max_retries=2), mode)
    assert len(emulator.requests) == 21  # the first and 20 redirects; not retried


@pytest.mark.parametrize("mode", MODES)
async def test_a_redirect_to_a_url_that_cannot_be_used(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(RawReply(status=307, headers={"location": "ftp://127.0.0.1/x"}))
    with pytest.raises(APIConnectionError):
        await call(make_any_model(api=api), mode)


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        ("ftp://127.0.0.1/v1", "not an http(s) URL"),
        ("127.0.0.1:8080/v1", "not an http(s) URL"),
        ("http://[::1/v1", "not a valid URL"),
    ],
)
def test_a_base_url_that_cannot_work_is_refused_at_once(
    base_url: str, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        ChatHuggingFaceRouter(model="m", api_key="k", base_url=base_url)


# --- point 12: citations through the LangChain layer ---------------------------------

CITATION = {
    "type": "url_citation",
    "url": "https://example.org/sky",
    "title": "Why the sky is blue",
    "start_index": 0,
    "end_index": 7,
}
LC_CITATION = {
    "type": "citation",
    "url": "https://example.org/sky",
    "title": "Why the sky is blue",
    "start_index": 0,
    "end_index": 7,
}


def _cited_response() -> dict[str, object]:
    answer = _whole_answer("responses")
    answer["output"] = [
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [
                {
                    "type": "output_text",
                    "text": "Because Rayleigh.",
                    "annotations": [CITATION, {"type": "file_path", "file_id": "f1"}],
                }
            ],
        }
    ]
    return answer


def _cited_events() -> list[str]:
    final = _cited_response()
    item = final["output"][0]  # type: ignore[index]
    events = [
        {
            "type": "response.created",
            "response": {**final, "status": "in_progress", "output": []},
        },
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "content": []},
        },
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "Because ",
        },
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": 0,
            "annotation": CITATION,
        },
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "Rayleigh.",
        },
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    return [f"data: {json.dumps(event)}\n\n" for event in events]


def _annotations(message: object) -> list[dict[str, object]]:
    return [
        note
        for block in message.content_blocks  # type: ignore[attr-defined]
        if block["type"] == "text"
        for note in block.get("annotations", [])
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_citations_are_kept_on_the_text(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    if mode.endswith("invoke"):
        emulator.enqueue(RawReply.json(_cited_response()))
    else:
        emulator.enqueue(RawReply(headers=SSE, events=_cited_events()))
    message = await call(make_any_model(api="responses"), mode)
    assert message.text == "Because Rayleigh."
    notes = _annotations(message)
    assert notes[0] == LC_CITATION
    assert notes[1]["type"] == "non_standard_annotation"
    assert notes[1]["value"] == {"type": "file_path", "file_id": "f1"}
    assert len(notes) == 2
