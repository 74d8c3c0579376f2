"""MCP on the Responses wire: history items, answers, stream events.

No recording of the router running an MCP server exists, so the shapes here are
transcribed from responses.js, the server behind the router's `/v1/responses`
(`src/routes/responses.ts` and `src/schemas.ts` at c0ac6ee): item key order,
`mcpl_`/`mcp_`/`mcpr_` ids, progress events without an item id, approval
requests without argument events, approved calls with whole arguments.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from wire_bodies import responses_body

from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.tools import check_tool
from langchain_hf_router.core.types import (
    AssistantMessage,
    CallOptions,
    McpApprovalRequest,
    McpApprovalResponse,
    McpCall,
    McpListTools,
    PromptMessage,
    TextOutput,
    TextPart,
    ToolCallPart,
    UserMessage,
)

from .recorded import Streamed, decode, random_chunks

LISTED = {
    "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
    "name": "search",
    "description": "Search the docs.",
}
LISTING_ITEM = {
    "id": "mcpl_1",
    "type": "mcp_list_tools",
    "server_label": "docs",
    "tools": [LISTED],
}
CALL_ITEM = {
    "type": "mcp_call",
    "id": "mcp_2",
    "name": "search",
    "server_label": "docs",
    "arguments": '{"q": "bpe"}',
    "output": "Byte pair encoding.",
}
REQUEST_ITEM = {
    "id": "mcpr_3",
    "type": "mcp_approval_request",
    "name": "search",
    "server_label": "docs",
    "arguments": '{"q": "bpe"}',
}
MESSAGE_ITEM = {
    "id": "msg_4",
    "type": "message",
    "role": "assistant",
    "status": "completed",
    "content": [
        {"type": "output_text", "text": "BPE merges pairs.", "annotations": []}
    ],
}
LISTING = McpListTools("mcpl_1", "docs", (LISTED,))
CALL = McpCall("mcp_2", "docs", "search", '{"q": "bpe"}', output="Byte pair encoding.")
REQUEST = McpApprovalRequest("mcpr_3", "docs", "search", '{"q": "bpe"}')


def body_for(prompt: list[PromptMessage]) -> dict[str, Any]:
    return responses.build_body(
        prompt, CallOptions(model="m"), stream=False, warn=lambda *_: None
    )


def response(*output: dict[str, Any]) -> dict[str, Any]:
    zero = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    return responses_body(*output, error=None, usage=zero)


# --- request ------------------------------------------------------------------


def test_history_sends_mcp_items_then_text_then_function_calls():
    turn = AssistantMessage(
        "Here.",
        (ToolCallPart("call_1", "f", "{}"),),
        (LISTING, CALL, REQUEST),
    )
    items = body_for([turn])["input"]
    assert [item["type"] for item in items] == [
        "mcp_list_tools",
        "mcp_call",
        "mcp_approval_request",
        "message",
        "function_call",
    ]
    assert items[0] == {**LISTING_ITEM, "tools": [LISTED]}
    assert items[1] == CALL_ITEM
    assert items[2] == REQUEST_ITEM


def test_history_items_carry_only_what_the_server_validates():
    listing = McpListTools(
        "mcpl_1",
        "docs",
        ({**LISTED, "annotations": None}, {**LISTED, "annotations": {"x": 1}}),
        error="partial",
    )
    call = McpCall(
        "mcp_2", "docs", "search", "{}", error="boom", approval_request_id="r"
    )
    sent_listing, sent_call = body_for([AssistantMessage("", (), (listing, call))])[
        "input"
    ]
    # responses.js rejects `annotations: null`; an object is fine.
    assert [("annotations" in tool) for tool in sent_listing["tools"]] == [False, True]
    assert sent_listing["error"] == "partial"
    assert sent_call == {
        "type": "mcp_call",
        "id": "mcp_2",
        "server_label": "docs",
        "name": "search",
        "arguments": "{}",
        "error": "boom",
        "approval_request_id": "r",
    }


def test_approvals_go_before_the_user_text_and_alone_send_no_message():
    yes = McpApprovalResponse("mcpr_3", approve=True)
    no = McpApprovalResponse("mcpr_4", approve=False, reason="too broad")
    with_text = UserMessage((TextPart("go on"),), (yes, no))
    alone = UserMessage((), (yes,))
    items = body_for([with_text, alone])["input"]
    assert items == [
        {
            "type": "mcp_approval_response",
            "approval_request_id": "mcpr_3",
            "approve": True,
        },
        {
            "type": "mcp_approval_response",
            "approval_request_id": "mcpr_4",
            "approve": False,
            "reason": "too broad",
        },
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "go on"}],
        },
        {
            "type": "mcp_approval_response",
            "approval_request_id": "mcpr_3",
            "approve": True,
        },
    ]


@pytest.mark.parametrize(
    "turn",
    [
        AssistantMessage("", (), (CALL,)),
        UserMessage((TextPart("ok"),), (McpApprovalResponse("mcpr_3", approve=True),)),
    ],
    ids=["mcp-item", "approval"],
)
def test_chat_completions_refuses_mcp_history(turn: PromptMessage):
    # The core names the API that can carry it; the chat model adds "use api=...".
    with pytest.raises(InvalidInputError, match="Responses API") as caught:
        chat_completions.build_body(
            [turn], CallOptions(model="m"), stream=False, warn=lambda *_: None
        )
    assert caught.value.needs_api == "responses"


@pytest.mark.parametrize(
    ("tool", "missing"),
    [
        ({"type": "mcp", "server_url": "https://x"}, "server_label"),
        ({"type": "mcp", "server_label": "x"}, "server_url"),
        (
            {"type": "mcp", "server_label": "", "server_url": "https://x"},
            "server_label",
        ),
        ({"type": "mcp", "server_label": "x", "server_url": None}, "server_url"),
    ],
)
def test_mcp_tool_must_name_its_server(tool: dict[str, Any], missing: str):
    with pytest.raises(InvalidInputError, match=missing):
        check_tool(tool)


def test_complete_mcp_tool_passes_unchanged():
    tool = {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://docs.example/mcp",
        "require_approval": {"never": {"tool_names": ["search"]}},
    }
    assert check_tool(tool) is tool


# --- answer -------------------------------------------------------------------


def test_answer_keeps_mcp_items_in_order_and_no_tool_calls():
    result = responses.parse_response(
        response(LISTING_ITEM, CALL_ITEM, REQUEST_ITEM, MESSAGE_ITEM)
    )
    assert result.content == [LISTING, CALL, REQUEST, TextOutput("BPE merges pairs.")]
    assert result.tool_calls == []
    assert result.finish_reason == "stop"


def test_answer_mcp_fields_beyond_responses_js():
    # OpenAI's shapes: approval_request_id on calls, structured values.
    call = {
        **CALL_ITEM,
        "arguments": {"q": "bpe"},
        "output": None,
        "error": {"code": 500},
        "approval_request_id": "mcpr_3",
    }
    (parsed,) = responses.parse_response(response(call)).content
    assert parsed == McpCall(
        "mcp_2",
        "docs",
        "search",
        '{"q": "bpe"}',
        error='{"code": 500}',
        approval_request_id="mcpr_3",
    )


# --- stream -------------------------------------------------------------------


def sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(
        f"data: {json.dumps({**event, 'sequence_number': n})}\n\n"
        for n, event in enumerate(events)
    ).encode()


def added(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def done(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done", "output_index": index, "item": item}


def completed(*output: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.completed", "response": response(*output)}


def call_events(index: int) -> list[dict[str, Any]]:
    """An auto-approved call, as responses.js streams it while the model calls."""
    where = {"item_id": "mcp_2", "output_index": index}
    return [
        added(index, {**CALL_ITEM, "arguments": ""}),
        {"type": "response.mcp_call.in_progress", **where},
        {"type": "response.mcp_call_arguments.delta", **where, "delta": '{"q": '},
        {"type": "response.mcp_call_arguments.delta", **where, "delta": '"bpe"}'},
        {
            "type": "response.mcp_call_arguments.done",
            **where,
            "arguments": CALL_ITEM["arguments"],
        },
        {"type": "response.mcp_call.completed"},
    ]


def listing_events() -> list[dict[str, Any]]:
    return [
        added(0, {**LISTING_ITEM, "tools": []}),
        {"type": "response.mcp_list_tools.in_progress"},
        {"type": "response.mcp_list_tools.completed"},
        done(0, LISTING_ITEM),
    ]


def text_events() -> list[dict[str, Any]]:
    where = {"item_id": "msg_4", "output_index": 2, "content_index": 0}
    return [
        added(0, {**MESSAGE_ITEM, "status": "in_progress", "content": []}),
        {"type": "response.output_text.delta", **where, "delta": "BPE merges pairs."},
        done(2, MESSAGE_ITEM),
    ]


def streamed(events: list[dict[str, Any]]) -> list[Streamed]:
    """The stream read whole, and cut into small pieces."""
    data = sse(events)
    return [
        decode(responses.ResponsesEventMapper(), chunks)
        for chunks in ([data], random_chunks(data, seed=5))
    ]


def test_stream_gives_each_mcp_item_once_when_done():
    events = [
        *listing_events(),
        *call_events(1),
        done(1, CALL_ITEM),
        *text_events(),
        completed(LISTING_ITEM, CALL_ITEM, MESSAGE_ITEM),
    ]
    for out in streamed(events):
        assert out.mcp == [LISTING, CALL]
        assert out.calls == {}
        assert out.text == "BPE merges pairs."
        assert out.finish is not None
        assert out.finish.finish_reason == "stop"
        # Whole, before the answer's text: where the item was done.
        kinds = [type(part).__name__ for part in out.parts]
        assert kinds[:3] == ["McpListTools", "McpCall", "TextDelta"]


def test_stream_matches_the_whole_answer():
    final = (LISTING_ITEM, REQUEST_ITEM)
    events = [
        *listing_events(),
        added(1, {**REQUEST_ITEM, "arguments": ""}),
        done(1, REQUEST_ITEM),
        completed(*final),
    ]
    whole = responses.parse_response(response(*final))
    for out in streamed(events):
        assert out.mcp == whole.content == [LISTING, REQUEST]


def test_approved_call_without_argument_events():
    item = {**CALL_ITEM, "id": "mcp_3"}
    events = [
        added(0, item),  # responses.js: whole arguments, no argument events
        {
            "type": "response.mcp_call.in_progress",
            "item_id": "mcp_3",
            "output_index": 0,
        },
        {"type": "response.mcp_call.completed"},
        done(0, item),
        completed(item),
    ]
    for out in streamed(events):
        assert out.mcp == [
            McpCall("mcp_3", "docs", "search", '{"q": "bpe"}', CALL.output)
        ]


def test_unclosed_mcp_item_comes_from_the_completed_response():
    # responses.js closes only the last item of a turn (see protocol.md).
    unrun = {k: v for k, v in CALL_ITEM.items() if k != "output"}
    events = [*call_events(0)[:-2], *text_events(), completed(unrun, MESSAGE_ITEM)]
    for out in streamed(events):
        assert out.mcp == [McpCall("mcp_2", "docs", "search", '{"q": "bpe"}')]
        assert out.calls == {}
