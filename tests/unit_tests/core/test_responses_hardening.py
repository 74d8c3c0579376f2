"""The Responses wire format against odd and hostile answers (issue 10).

Wrong-typed shapes name their JSON path; known variants are accepted; whatever ids
a server uses, each output item is said once; the status decides the finish
reason; annotations are kept; an error served as an event gives its message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from wire_bodies import deep_object

from langchain_hf_router.core import responses
from langchain_hf_router.core.errors import (
    HuggingFaceRouterError,
    RateLimitError,
    ServerError,
)
from langchain_hf_router.core.types import (
    McpCall,
    McpItem,
    ReasoningDelta,
    ReasoningOutput,
    StreamFinish,
    StreamPart,
    TextAnnotation,
    TextDelta,
    TextOutput,
    ToolCall,
    ToolCallDelta,
)
from langchain_hf_router.core.wire_json import WireShapeError

# --- building answers and streams ---------------------------------------------


def message(text: str, item_id: str | None = "msg_1", **part: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, **part}],
    }
    return item if item_id is None else {"id": item_id, **item}


def reasoning(text: str, item_id: str = "rs_1") -> dict[str, Any]:
    content = [{"type": "reasoning_text", "text": text}]
    return {"type": "reasoning", "id": item_id, "content": content}


def call(
    arguments: Any = '{"city": "Paris"}',
    item_id: str | None = "fc_1",
    call_id: str | None = "call_1",
    name: str = "get_weather",
) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "function_call", "name": name}
    item.update({"arguments": arguments, "call_id": call_id, "id": item_id})
    return {key: value for key, value in item.items() if value is not None}


def response(*output: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1700000000,
        "model": "m",
        "status": "completed",
        "output": list(output),
        "usage": {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8},
        **fields,
    }


def added(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": 0, "item": item}


def done(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done", "output_index": 0, "item": item}


def text_delta(delta: Any, item_id: str | None = "msg_1") -> dict[str, Any]:
    event: dict[str, Any] = {"type": "response.output_text.delta", "delta": delta}
    return event if item_id is None else {**event, "item_id": item_id}


def args_delta(delta: Any, item_id: str | None = "fc_1") -> dict[str, Any]:
    event = {"type": "response.function_call_arguments.delta", "delta": delta}
    return event if item_id is None else {**event, "item_id": item_id}


def note_added(note: Any, item_id: str | None = "msg_1") -> dict[str, Any]:
    event = {"type": "response.output_text.annotation.added", "annotation": note}
    return event if item_id is None else {**event, "item_id": item_id}


def completed(body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.completed", "response": body}


def empty(item: dict[str, Any]) -> dict[str, Any]:
    """`item` as `output_item.added` announces it: no text, no arguments yet."""
    if item["type"] == "function_call":
        return {**item, "arguments": ""}
    return {**item, "content": []}


@dataclass
class Out:
    """What a stream added up to; each call's id and name given at most once."""

    text: str = ""
    reasoning: str = ""
    calls: dict[int, list[Any]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    mcp: list[McpItem] = field(default_factory=list)
    finish: StreamFinish | None = None

    def add(self, part: StreamPart) -> None:
        assert self.finish is None, "nothing may follow the finish"
        if isinstance(part, TextDelta):
            self.text += part.text
        elif isinstance(part, ReasoningDelta):
            self.reasoning += part.text
        elif isinstance(part, TextAnnotation):
            self.notes.append(part.annotation)
        elif isinstance(part, ToolCallDelta):
            call_id, name, arguments = self.calls.setdefault(part.index, [None] * 3)
            if part.call_id is not None:
                assert call_id is None, f"call {part.index}: id given twice"
                call_id = part.call_id
            if part.name:
                assert name is None, f"call {part.index}: name given twice"
                name = part.name
            self.calls[part.index] = [call_id, name, (arguments or "") + part.arguments]
        elif isinstance(part, StreamFinish):
            self.finish = part
        else:
            self.mcp.append(part)

    def tool_calls(self) -> list[ToolCall]:
        assert sorted(self.calls) == list(range(len(self.calls)))
        return [
            ToolCall(call_id or "", name or "", arguments or "")
            for call_id, name, arguments in (self.calls[i] for i in sorted(self.calls))
        ]


def collect(events: list[dict[str, Any]]) -> Out:
    """A fresh mapper fed `events` (the last must end the answer)."""
    mapper = responses.ResponsesEventMapper()
    out = Out()
    for event in events:
        for part in mapper.feed(event):
            out.add(part)
    assert mapper.complete
    out.add(mapper.finish())
    return out


def invoked(body: dict[str, Any]) -> Out:
    """The whole answer to `body`, in the same terms as a stream's."""
    result = responses.parse_response(body)
    out = Out(finish=StreamFinish(result.finish_reason, result.usage, result.info))
    for part in result.content:
        if isinstance(part, TextOutput):
            out.text += part.text
            out.notes.extend(part.annotations)
        elif isinstance(part, ReasoningOutput):
            out.reasoning += part.text
        else:
            out.mcp.append(part)
    for index, made in enumerate(result.tool_calls):
        out.calls[index] = [made.call_id, made.name, made.arguments]
    return out


def assert_same(streamed: Out, whole: Out) -> None:
    assert (streamed.text, streamed.reasoning) == (whole.text, whole.reasoning)
    assert streamed.tool_calls() == whole.tool_calls()
    assert streamed.notes == whole.notes
    assert streamed.mcp == whole.mcp
    assert streamed.finish is not None
    assert whole.finish is not None
    assert streamed.finish.finish_reason == whole.finish.finish_reason


# --- point 2: wrong-typed shapes name their path --------------------------------


def deep(depth: int = 20_000) -> dict[str, Any]:
    """An object nested far past the recursion limit."""
    return deep_object(depth)


DEEP = deep()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (response() | {"output": "hello"}, "output is a string, not a list"),
        (response() | {"output": {"a": 1}}, "output is an object, not a list"),
        (response(None), "output[0] is null, not an object"),
        (response(message("a"), 7), "output[1] is a number, not an object"),
        (
            response(message("a") | {"content": 5}),
            "output[0].content is a number, not a list",
        ),
        (
            response(message("a") | {"content": [5]}),
            "output[0].content[0] is a number, not an object",
        ),
        (
            response(message("a") | {"content": [{"type": "output_text", "text": 5}]}),
            "output[0].content[0].text is a number, not a string",
        ),
        (
            response(message("a", annotations="cite")),
            "output[0].content[0].annotations is a string, not a list",
        ),
        (response(call(arguments=5)), "output[0].arguments is a number, not JSON"),
        (response(call(arguments=DEEP)), "output[0].arguments is nested too deeply"),
        (response(call(name=["f"])), "output[0].name is a list, not a string"),
        (response(call(call_id={})), "output[0].call_id is an object, not a string"),
        (response(message("a") | {"type": 3}), "output[0].type is a number"),
        (response(usage="lots"), "usage is a string, not an object"),
        (response(usage={"input_tokens": "3"}), "usage.input_tokens is a string"),
        (response(usage={"output_tokens": float("nan")}), "usage.output_tokens is nan"),
        (response(usage={"total_tokens": -1}), "usage.total_tokens is -1, not a count"),
        (
            response(usage={"input_tokens_details": {"cached_tokens": True}}),
            "usage.input_tokens_details.cached_tokens is a boolean",
        ),
        (response(status=200), "status is a number, not a string"),
        (
            response(status="incomplete", incomplete_details="max_output_tokens"),
            "incomplete_details is a string, not an object",
        ),
        (
            response(status="incomplete", incomplete_details={"reason": 1}),
            "incomplete_details.reason is a number, not a string",
        ),
        (response(created_at="today"), "created_at is a string, not a number"),
        (response(model={"name": "m"}), "model is an object, not a string"),
    ],
)
def test_a_wrong_typed_answer_names_the_path(body: dict[str, Any], message: str):
    with pytest.raises(WireShapeError, match=re.escape(message)):
        responses.parse_response(body)


def test_mcp_items_with_wrong_types_name_the_path():
    listing = {"type": "mcp_list_tools", "id": "l", "server_label": "s", "tools": 5}
    with pytest.raises(WireShapeError, match=re.escape("output[0].tools is a number")):
        responses.parse_response(response(listing))
    ran = {"type": "mcp_call", "id": "c", "server_label": "s", "name": "n"}
    with pytest.raises(
        WireShapeError, match=re.escape("output[0].output is nested too deep")
    ):
        responses.parse_response(response(ran | {"arguments": "{}", "output": DEEP}))


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (text_delta(5), "delta is a number, not a string"),
        (text_delta({"text": "a"}), "delta is an object, not a string"),
        (text_delta("a", item_id=["x"]), "item_id is a list, not a string id"),
        (args_delta(["{"]), "delta is a list, not a string"),
        (
            {"type": "response.reasoning_text.delta", "delta": 1.5},
            "delta is a number, not a string",
        ),
        ({"type": "response.created", "response": []}, "response is a list, not an"),
        ({"type": "response.completed", "response": "done"}, "response is a string"),
        (added("item"), "item is a string, not an object"),
        (done(call(arguments=True)), "item.arguments is a boolean, not JSON text"),
        (note_added("cite"), "annotation is a string, not an object"),
        (
            completed(response(message("a") | {"content": {"text": "a"}})),
            "response.output[0].content is an object, not a list",
        ),
        (
            completed(response(usage={"input_tokens": -2})),
            "response.usage.input_tokens is -2, not a count",
        ),
        (
            completed(response(status=["completed"])),
            "response.status is a list, not a string",
        ),
        (
            {
                "type": "response.function_call_arguments.done",
                "item_id": "fc_1",
                "arguments": DEEP,
            },
            "arguments is nested too deeply",
        ),
    ],
)
def test_a_wrong_typed_event_names_the_path(event: dict[str, Any], message: str):
    with pytest.raises(WireShapeError, match=re.escape(message)):
        responses.ResponsesEventMapper().feed(event)


def test_deeply_nested_annotations_give_a_shape_error_not_a_recursion_error():
    events = [
        added(empty(message("a"))),
        text_delta("a"),
        note_added({"type": "url_citation", "extra": deep()}),
        completed(
            response(
                message("a", annotations=[{"type": "url_citation", "extra": deep()}])
            )
        ),
    ]
    with pytest.raises(WireShapeError, match="annotation is nested too deeply"):
        collect(events)


# --- point 2: known variants are accepted -------------------------------------------


def test_arguments_given_as_an_object_are_json_text_in_invoke_and_stream():
    body = response(call(arguments={"city": "Paris", "note": "é"}))
    (made,) = responses.parse_response(body).tool_calls
    assert made == ToolCall("call_1", "get_weather", '{"city": "Paris", "note": "é"}')
    announced = call(arguments={"city": "Paris", "note": "é"})
    out = collect([added(announced), done(announced), completed(body)])
    assert out.tool_calls() == [made]


@pytest.mark.parametrize(
    "content",
    [
        "Bonjour!",
        [{"type": "text", "text": "Bon"}, {"type": "output_text", "text": "jour!"}],
        ["Bon", {"text": "jour!"}],
        [{"type": "output_text", "text": "Bonjour!", "annotations": None}],
        [
            {"type": "refusal", "refusal": "no"},
            {"type": "output_text", "text": "Bonjour!"},
        ],
    ],
)
def test_content_as_a_string_or_a_list_of_text_parts(content: Any):
    body = response({"type": "message", "id": "msg_1", "content": content})
    assert responses.parse_response(body).content == [TextOutput("Bonjour!")]
    out = collect([completed(body)])
    assert out.text == "Bonjour!"


def test_reasoning_given_as_a_summary():
    summary = [{"type": "summary_text", "text": "thought"}]
    body = response(
        {"type": "reasoning", "id": "rs_1", "summary": summary, "content": []}
    )
    assert responses.parse_response(body).content == [ReasoningOutput("thought")]
    events = [
        added({"type": "reasoning", "id": "rs_1", "summary": []}),
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs_1",
            "delta": "tho",
        },
        completed(body),
    ]
    assert collect(events).reasoning == "thought"


# --- point 7: each output item once, whatever ids the server uses -----------------


def text_stream(
    final_id: str | None, delta_ids: list[str | None]
) -> list[dict[str, Any]]:
    pieces = ["The ", "sky ", "is ", "blue."]
    announced = empty(message("", final_id))
    deltas = [text_delta(p, i) for p, i in zip(pieces, delta_ids, strict=True)]
    final = message("The sky is blue.", final_id)
    return [added(announced), *deltas, done(final), completed(response(final))]


@pytest.mark.parametrize(
    ("final_id", "delta_ids"),
    [
        ("msg_1", [None] * 4),  # deltas without item_id
        ("msg_1", ["msg_other"] * 4),  # item_id other than the item's id
        ("msg_1", ["msg_1", None, "msg_1", None]),
        (None, [None] * 4),  # no ids at all
        (None, ["msg_x"] * 4),
    ],
    ids=["no-item-id", "other-item-id", "mixed", "no-ids", "ids-only-on-deltas"],
)
def test_text_comes_out_once_whatever_the_ids(
    final_id: str | None, delta_ids: list[str | None]
):
    events = text_stream(final_id, delta_ids)
    out = collect(events)
    assert out.text == "The sky is blue."
    without_done = [e for e in events if e["type"] != "response.output_item.done"]
    assert collect(without_done).text == "The sky is blue."
    without_added = [e for e in events if e["type"] != "response.output_item.added"]
    assert collect(without_added).text == "The sky is blue."


def test_text_only_partly_streamed_is_completed_by_the_done_item():
    final = message("The sky is blue.", "msg_final")
    events = [
        added(empty(message("", "msg_added"))),
        text_delta("The sky", None),
        done(final),
        completed(response(final)),
    ]
    out = collect(events)
    assert out.text == "The sky is blue."


def test_two_messages_with_ids_only_on_their_deltas():
    first, second = message("One.", "m1"), message(" Two.", "m2")
    events = [
        text_delta("On", "m1"),
        text_delta("e.", "m1"),
        text_delta(" Two.", "m2"),
        completed(response(first, second)),
    ]
    assert_same(collect(events), invoked(response(first, second)))


def test_a_repeated_added_gives_one_call():
    item = call()
    events = [
        added(empty(item)),
        added(empty(item)),
        args_delta('{"city": '),
        added(empty(item)),
        args_delta('"Paris"}'),
        done(item),
        completed(response(item)),
    ]
    out = collect(events)
    assert out.tool_calls() == [ToolCall("call_1", "get_weather", '{"city": "Paris"}')]
    assert out.finish is not None
    assert out.finish.finish_reason == "tool_calls"


def test_a_repeated_added_without_ids_gives_one_message():
    item = message("Hello.", None)
    events = [added(empty(item)), added(empty(item)), text_delta("Hello.", None)]
    out = collect([*events, completed(response(item))])
    assert out.text == "Hello."


def test_added_keyed_by_call_id_then_events_by_item_id():
    item = call()
    announced = {**empty(item), "id": None} | {"call_id": "call_1"}
    events = [
        added({k: v for k, v in announced.items() if v is not None}),
        args_delta('{"city": ', "fc_1"),
        args_delta('"Paris"}', "fc_1"),
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_1",
            "arguments": '{"city": "Paris"}',
        },
        done(item),
        completed(response(item)),
    ]
    out = collect(events)
    assert out.tool_calls() == responses.parse_response(response(item)).tool_calls
    assert len(out.calls) == 1


def test_added_with_the_item_id_as_call_id_then_done_with_both():
    item = call()
    events = [
        added(empty(call(item_id=None, call_id="fc_1"))),
        args_delta('{"city": "Paris"}', "fc_1"),
        done(item),
        completed(response(item)),
    ]
    out = collect(events)
    # The id went out first; the call is still one call, its arguments once.
    assert len(out.calls) == 1
    assert out.calls[0][1:] == ["get_weather", '{"city": "Paris"}']


@pytest.mark.parametrize("streamed", ["", '{"ci', '{"city": "Paris"}'])
@pytest.mark.parametrize("closing", ["output_item.done", "arguments.done", "completed"])
def test_arguments_partly_streamed_come_out_whole_once(streamed: str, closing: str):
    item = call()
    events: list[dict[str, Any]] = [added(empty(item))]
    events += [args_delta(c) for c in streamed]
    if closing == "output_item.done":
        events.append(done(item))
    elif closing == "arguments.done":
        events.append(
            {
                "type": "response.function_call_arguments.done",
                "item_id": "fc_1",
                "arguments": item["arguments"],
            }
        )
    events.append(completed(response(item)))
    out = collect(events)
    assert out.tool_calls() == [ToolCall("call_1", "get_weather", '{"city": "Paris"}')]


def test_parallel_calls_where_only_the_last_is_closed_and_ids_vary():
    # protocol.md: responses.js closes only the last item of parallel calls.
    paris, tokyo = call(), call('{"city": "Tokyo"}', "fc_2", "call_2")
    events = [
        added(empty(paris)),
        args_delta('{"city": "Par', None),
        args_delta('is"}', "fc_other"),
        added(empty(tokyo)),
        args_delta('{"city": ', None),
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_2",
            "arguments": tokyo["arguments"],
        },
        done(tokyo),
        completed(response(paris, tokyo)),
    ]
    out = collect(events)
    assert_same(out, invoked(response(paris, tokyo)))
    assert [c[0] for c in out.calls.values()] == ["call_1", "call_2"]


def test_a_call_seen_only_in_the_completed_response_comes_out_once():
    item = call()
    out = collect([completed(response(item))])
    assert out.tool_calls() == [ToolCall("call_1", "get_weather", '{"city": "Paris"}')]


def test_a_call_without_call_id_takes_its_item_id_as_in_an_answer():
    item = call(call_id=None)
    events = [
        added(empty(item)),
        args_delta('{"city": "Paris"}'),
        completed(response(item)),
    ]
    out = collect(events)
    assert out.tool_calls() == responses.parse_response(response(item)).tool_calls
    assert out.tool_calls()[0].call_id == "fc_1"


def test_text_that_went_another_way_is_not_said_twice():
    final = message("Completely different.")
    events = [added(empty(final)), text_delta("Hello."), completed(response(final))]
    assert collect(events).text == "Hello."


def test_mcp_items_come_out_once_whatever_the_ids():
    ran = {
        "type": "mcp_call",
        "id": "mcp_1",
        "server_label": "docs",
        "name": "search",
        "arguments": "{}",
        "output": "found",
    }
    events = [added(ran), done(ran), done(ran), completed(response(ran))]
    assert collect(events).mcp == [McpCall("mcp_1", "docs", "search", "{}", "found")]


# --- point 8: the status decides the finish reason --------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
            },
            "length",
        ),
        (
            {"status": "incomplete", "incomplete_details": {"reason": "max_tokens"}},
            "length",
        ),
        (
            {
                "status": "incomplete",
                "incomplete_details": {"reason": "content_filter"},
            },
            "content_filter",
        ),
        (
            {"status": "incomplete", "incomplete_details": {"reason": "turn_limit"}},
            "turn_limit",
        ),
        ({"status": "incomplete"}, "incomplete"),
        ({"status": "incomplete", "incomplete_details": None}, "incomplete"),
        ({"status": "incomplete", "incomplete_details": {}}, "incomplete"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "completed"}, "stop"),
        ({"status": None}, "stop"),
    ],
)
@pytest.mark.parametrize("with_call", [False, True])
def test_status_decides_the_finish_reason(
    fields: dict[str, Any], reason: str, with_call: bool
):
    output = [message("Half an ans")] + ([call()] if with_call else [])
    body = response(*output, **fields)
    if reason == "stop" and with_call:
        reason = "tool_calls"
    assert responses.parse_response(body).finish_reason == reason
    kind = (
        "response.incomplete"
        if fields.get("status") == "incomplete"
        else "response.completed"
    )
    out = collect([{"type": kind, "response": body}])
    assert out.finish is not None
    assert out.finish.finish_reason == reason
    assert out.text == "Half an ans"


def test_a_response_incomplete_event_without_status_is_incomplete():
    body = response(message("Half"))
    del body["status"]
    out = collect([{"type": "response.incomplete", "response": body}])
    assert out.finish is not None
    assert out.finish.finish_reason == "incomplete"
    reasons = {"incomplete_details": {"reason": "max_output_tokens"}}
    out = collect([{"type": "response.incomplete", "response": body | reasons}])
    assert out.finish is not None
    assert out.finish.finish_reason == "length"


@pytest.mark.parametrize("status", ["in_progress", "queued"])
def test_an_unfinished_answer_is_not_an_answer(status: str):
    with pytest.raises(
        WireShapeError, match=f"status is '{status}': the answer is not finished"
    ):
        responses.parse_response(response(message("Hal"), status=status))


@pytest.mark.parametrize("kind", ["response.completed", "response.incomplete"])
def test_a_failed_status_raises_the_in_band_error(kind: str):
    failed = response(
        status="failed", error={"code": "server_error", "message": "429 slow down"}
    )
    with pytest.raises(RateLimitError, match="slow down"):
        responses.parse_response(failed)
    with pytest.raises(RateLimitError, match="slow down"):
        collect([{"type": kind, "response": failed}])
    with pytest.raises(ServerError, match="without a message"):
        collect([{"type": "response.failed", "response": {"status": "failed"}}])


# --- point 12: annotations -----------------------------------------------------

URL = {
    "type": "url_citation",
    "url": "https://a.example",
    "title": "A",
    "start_index": 0,
    "end_index": 3,
}
FILE = {"type": "file_citation", "file_id": "file_1", "filename": "a.pdf", "index": 3}
CONTAINER = {
    "type": "container_file_citation",
    "container_id": "cntr_1",
    "file_id": "file_2",
    "filename": "b.csv",
    "start_index": 0,
    "end_index": 2,
}
PATH = {"type": "file_path", "file_id": "file_3", "index": 1}
NOTES = [URL, FILE, CONTAINER, PATH]


def test_invoke_keeps_the_annotations_as_sent_objects_only():
    body = response(
        message("Sky is blue.", annotations=[*NOTES, "junk", None]), reasoning("")
    )
    text = responses.parse_response(body).content[0]
    assert text == TextOutput("Sky is blue.", tuple(NOTES))


@pytest.mark.parametrize("streamed", [0, 2, 4], ids=["none", "some", "all"])
@pytest.mark.parametrize("in_done", [True, False])
def test_stream_gives_each_annotation_once(streamed: int, in_done: bool):
    final = message("Sky is blue.", annotations=NOTES)
    events = [added(empty(final)), text_delta("Sky is blue.")]
    events += [note_added(note) for note in NOTES[:streamed]]
    if in_done:
        events.append(done(final))
    out = collect([*events, completed(response(final))])
    assert out.notes == NOTES
    assert out.text == "Sky is blue."


def test_annotations_only_in_the_done_item_come_from_it_once():
    final = message("Sky.", annotations=[URL])
    mapper = responses.ResponsesEventMapper()
    mapper.feed(added(empty(final)))
    mapper.feed(text_delta("Sky."))
    parts = mapper.feed(done(final))
    assert [type(p) for p in parts] == [TextAnnotation]
    assert mapper.feed(completed(response(final))) == []


def test_an_annotation_event_with_another_item_id_starts_no_item():
    final = message("Sky.", annotations=[URL])
    events = [
        added(empty(final)),
        text_delta("Sky."),
        note_added(URL, "msg_elsewhere"),
        completed(response(final)),
    ]
    out = collect(events)
    assert (out.text, out.notes) == ("Sky.", [URL])


# --- point 10 and error events: the server's own message ------------------------


@pytest.mark.parametrize(
    ("event", "message", "code"),
    [
        (
            {"error": {"message": "upstream overloaded", "code": "busy"}},
            "upstream overloaded",
            "busy",
        ),
        ({"error": "upstream overloaded"}, "upstream overloaded", None),
        (
            {"error": {"message": {"message": "upstream overloaded"}}},
            "upstream overloaded",
            None,
        ),
        (
            {"type": "error", "message": {"message": "upstream overloaded", "code": 7}},
            "upstream overloaded",
            "7",
        ),
        (
            {"type": "error", "message": {"detail": "overloaded"}},
            '{"detail": "overloaded"}',
            None,
        ),
        (
            {"type": "error", "error": {"message": "upstream overloaded"}},
            "upstream overloaded",
            None,
        ),
        (
            {"type": "error", "code": "server_error"},
            "without a message",
            "server_error",
        ),
        ({"type": "error", "message": DEEP}, "too deeply nested", None),
    ],
)
def test_an_error_event_gives_the_servers_message(
    event: dict[str, Any], message: str, code: str | None
):
    with pytest.raises(HuggingFaceRouterError) as caught:
        responses.ResponsesEventMapper().feed(event)
    assert message in caught.value.message
    assert caught.value.code == code


def test_an_event_without_type_or_error_is_ignored():
    mapper = responses.ResponsesEventMapper()
    assert mapper.feed({}) == []
    assert mapper.feed({"error": None, "message": "keep-alive"}) == []
    assert mapper.feed({"type": "response.future_event", "error": "x"}) == []


def test_a_message_of_another_json_type_is_shown_as_json_text():
    with pytest.raises(ServerError) as caught:
        responses.ResponsesEventMapper().feed({"type": "error", "message": ["a", "b"]})
    assert json.loads(caught.value.message) == ["a", "b"]
