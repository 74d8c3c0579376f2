"""MCP tools on the Responses API: the tool sent, server-run items as blocks, approvals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chat_asserts import assert_stream_matches_invoke, sum_chunks
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from router_emulator import (
    McpApprovalRequest,
    McpCall,
    McpListTools,
    Reply,
    RouterEmulator,
)

from langchain_hf_router import InvalidInputError

MCP_TOOL = {
    "type": "mcp",
    "server_label": "docs",
    "server_url": "https://docs.example/mcp",
    "allowed_tools": ["search"],
    "headers": {"Authorization": "Bearer mcp-token"},
    "require_approval": "never",
}
LISTED = [
    {
        "name": "search",
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
        "description": "Search the docs.",
        "annotations": {"readOnlyHint": True},
    }
]
LISTING = McpListTools("docs", LISTED, id="mcpl_1")
CALL = McpCall("docs", "search", '{"q": "tokenizer"}', output="BPE.", id="mcp_1")
AUTO_RUN = Reply(text="It uses BPE.", mcp=[LISTING, CALL])
REQUEST = McpApprovalRequest("docs", "search", '{"q": "tokenizer"}', id="mcpr_7f")

LISTING_BLOCKS = [
    {
        "type": "server_tool_call",
        "id": "mcpl_1",
        "name": "mcp_list_tools",
        "args": {},
        "extras": {"server_label": "docs"},
    },
    {
        "type": "server_tool_result",
        "tool_call_id": "mcpl_1",
        "status": "success",
        "output": LISTED,
    },
]
CALL_BLOCKS = [
    {
        "type": "server_tool_call",
        "id": "mcp_1",
        "name": "remote_mcp",
        "args": {"q": "tokenizer"},
        "extras": {"server_label": "docs", "tool_name": "search"},
    },
    {
        "type": "server_tool_result",
        "tool_call_id": "mcp_1",
        "status": "success",
        "output": "BPE.",
    },
]
REQUEST_BLOCK = {
    "type": "non_standard",
    "value": {
        "type": "mcp_approval_request",
        "id": "mcpr_7f",
        "server_label": "docs",
        "name": "search",
        "arguments": '{"q": "tokenizer"}',
    },
}


# A question, the MCP items of its answer and the answer's text, a new question.
HISTORY_TYPES = ["message", "mcp_list_tools", "mcp_call", "message", "message"]


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"12:00 in {city}"


def _without_index(blocks: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in block.items() if k != "index"} for block in blocks]


def _sent_types(emulator: RouterEmulator) -> list[str]:
    return [item["type"] for item in emulator.last_request.json["input"]]


def _invoke_then_stream(
    emulator: RouterEmulator, llm: Any, reply: Reply
) -> tuple[AIMessage, list[AIMessageChunk]]:
    """The same scripted reply, invoked and then streamed."""
    emulator.enqueue(reply)
    invoked = llm.invoke("x")
    emulator.enqueue(reply)
    return invoked, list(llm.stream("x"))


def test_mcp_tool_is_sent_as_given_next_to_function_tools(
    emulator: RouterEmulator, make_model
) -> None:
    make_model().bind_tools([get_time, MCP_TOOL]).invoke("hi")
    request = emulator.last_request
    assert request.api == "responses"  # api="auto" picks it for MCP tools
    function, mcp = request.json["tools"]
    assert (function["type"], function["name"]) == ("function", "get_time")
    assert mcp == MCP_TOOL


@pytest.mark.parametrize("missing", ["server_label", "server_url"])
def test_mcp_tool_without_its_server_is_refused_before_sending(
    emulator: RouterEmulator, make_model, missing: str
) -> None:
    broken = {k: v for k, v in MCP_TOOL.items() if k != missing}
    with pytest.raises(InvalidInputError, match=missing):
        make_model(api="responses").bind_tools([broken]).invoke("hi")
    assert emulator.requests == []


def test_invoke_shows_server_run_items_as_blocks_not_tool_calls(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(AUTO_RUN)
    message = make_model().bind_tools([MCP_TOOL]).invoke("How do tokenizers work?")
    assert message.content == [
        *LISTING_BLOCKS,
        *CALL_BLOCKS,
        {"type": "text", "text": "It uses BPE."},
    ]
    assert message.text == "It uses BPE."
    assert message.tool_calls == message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.content_blocks == message.content


def test_stream_yields_whole_blocks_and_adds_up_to_invoke(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model().bind_tools([MCP_TOOL])
    invoked, chunks = _invoke_then_stream(emulator, llm, AUTO_RUN)
    assert not any(chunk.tool_call_chunks for chunk in chunks)
    listed = [c.content for c in chunks if isinstance(c.content, list) and c.content]
    # Each MCP item arrives in one chunk, whole: its call block with its result.
    assert _without_index(listed[0]) == LISTING_BLOCKS
    assert _without_index(listed[1]) == CALL_BLOCKS
    streamed = sum_chunks(chunks)
    assert_stream_matches_invoke(streamed, invoked)
    assert streamed.tool_calls == []


async def test_async_stream_adds_up_to_async_invoke(
    emulator: RouterEmulator, make_model
) -> None:
    model = make_model()
    llm = model.bind_tools([MCP_TOOL])
    try:
        emulator.enqueue(AUTO_RUN)
        invoked = await llm.ainvoke("x")
        emulator.enqueue(AUTO_RUN)
        streamed = sum_chunks([chunk async for chunk in llm.astream("x")])
    finally:
        await model.aclose()
    assert_stream_matches_invoke(streamed, invoked)
    assert streamed.content_blocks[-1] == {
        "type": "text",
        "text": "It uses BPE.",
        "index": 4,
    }


def test_failed_call_and_failed_listing_are_error_results(
    emulator: RouterEmulator, make_model
) -> None:
    failed = Reply(
        text="The server is down.",
        mcp=[
            McpListTools("other", error="connection refused", id="mcpl_2"),
            McpCall("docs", "search", "{}", error="timeout", id="mcp_2"),
        ],
    )
    llm = make_model().bind_tools([MCP_TOOL])
    invoked, chunks = _invoke_then_stream(emulator, llm, failed)
    results = [b for b in invoked.content if b["type"] == "server_tool_result"]
    assert [(r["status"], r["extras"]) for r in results] == [
        ("error", {"error": "connection refused"}),
        ("error", {"error": "timeout"}),
    ]
    assert "output" not in results[1]
    assert_stream_matches_invoke(sum_chunks(chunks), invoked)


def test_arguments_that_are_not_json_are_kept_raw_and_sent_back(
    emulator: RouterEmulator, make_model
) -> None:
    odd = McpCall("docs", "search", "q=tokenizer", output="?", id="mcp_3")
    llm = make_model().bind_tools([MCP_TOOL])
    emulator.enqueue(Reply(text="Hm.", mcp=[odd]))
    message = llm.invoke("x")
    call = message.content[0]
    assert call["args"] == {}
    assert call["extras"]["arguments"] == "q=tokenizer"
    llm.invoke([HumanMessage("x"), message, HumanMessage("again")])
    sent = emulator.last_request.json["input"][1]
    assert (sent["type"], sent["arguments"]) == ("mcp_call", "q=tokenizer")


def test_history_sends_mcp_items_back_before_the_text(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model().bind_tools([MCP_TOOL])
    emulator.enqueue(AUTO_RUN)
    first = llm.invoke("How do tokenizers work?")
    llm.invoke([HumanMessage("How do tokenizers work?"), first, HumanMessage("More")])
    assert _sent_types(emulator) == HISTORY_TYPES
    items = emulator.last_request.json["input"]
    assert items[1] == {
        "type": "mcp_list_tools",
        "id": "mcpl_1",
        "server_label": "docs",
        "tools": LISTED,
    }
    assert items[2] == {
        "type": "mcp_call",
        "id": "mcp_1",
        "server_label": "docs",
        "name": "search",
        "arguments": '{"q": "tokenizer"}',
        "output": "BPE.",
    }
    assert items[3]["role"] == "assistant"


@pytest.mark.parametrize("output_version", ["v0", "v1"])
@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "non_standard"])
def test_approval_round_trip(
    emulator: RouterEmulator, make_model, output_version: str, wrapped: bool
) -> None:
    llm = make_model(output_version=output_version).bind_tools(
        [{**MCP_TOOL, "require_approval": "always"}]
    )
    emulator.enqueue(Reply(mcp=[LISTING, REQUEST]))
    asked = llm.invoke("How do tokenizers work?")
    assert _without_index(asked.content) == [*LISTING_BLOCKS, REQUEST_BLOCK]
    assert asked.tool_calls == []
    request = next(b for b in asked.content_blocks if b["type"] == "non_standard")
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": request["value"]["id"],
        "approve": True,
    }
    if wrapped:
        answer = {"type": "non_standard", "value": answer}
    history = [HumanMessage("How do tokenizers work?"), asked, HumanMessage([answer])]

    approved = McpCall(
        "docs",
        "search",
        '{"q": "tokenizer"}',
        output="BPE.",
        approval_request_id="mcpr_7f",
    )
    emulator.enqueue(Reply(text="It uses BPE.", mcp=[approved]))
    ran = llm.invoke(history)
    assert _sent_types(emulator) == [
        "message",
        "mcp_list_tools",
        "mcp_approval_request",
        "mcp_approval_response",
    ]
    items = emulator.last_request.json["input"]
    assert items[2] == {**REQUEST_BLOCK["value"]}
    assert items[3] == {
        "type": "mcp_approval_response",
        "approval_request_id": "mcpr_7f",
        "approve": True,
    }
    # responses.js names the approved call after the request: mcp_<suffix>.
    assert ran.content_blocks[0]["id"] == "mcp_7f"
    assert ran.text == "It uses BPE."

    emulator.enqueue(Reply(text="You're welcome."))
    llm.invoke([*history, ran, HumanMessage("Thanks")])
    # The call goes back too, so the server does not run the approval again.
    assert _sent_types(emulator)[4:] == ["mcp_call", "message", "message"]
    assert emulator.last_request.json["input"][4]["id"] == "mcp_7f"


def test_refusal_with_a_reason(emulator: RouterEmulator, make_model) -> None:
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": "mcpr_7f",
        "approve": False,
        "reason": "not now",
    }
    history = [
        HumanMessage("x"),
        AIMessage([REQUEST_BLOCK]),
        HumanMessage([answer, {"type": "text", "text": "Answer without it."}]),
    ]
    make_model().invoke(history)
    items = emulator.last_request.json["input"]
    assert items[2] == answer
    assert items[3]["content"] == [{"type": "input_text", "text": "Answer without it."}]


@pytest.mark.parametrize(
    "answer",
    [
        {"type": "mcp_approval_response", "approve": True},
        {"type": "mcp_approval_response", "approval_request_id": "r", "approve": 1},
        {"type": "non_standard", "value": {"type": "mcp_approval_response"}},
    ],
)
def test_malformed_approval_is_refused_before_sending(
    emulator: RouterEmulator, make_model, answer: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError, match="approval_request_id"):
        make_model().invoke([HumanMessage([answer])])
    assert emulator.requests == []


MCP_HISTORIES = {
    "ai_blocks": [HumanMessage("x"), AIMessage([*CALL_BLOCKS]), HumanMessage("y")],
    "approval": [
        HumanMessage("x"),
        AIMessage([REQUEST_BLOCK]),
        HumanMessage(
            [
                {
                    "type": "mcp_approval_response",
                    "approval_request_id": "mcpr_7f",
                    "approve": True,
                }
            ]
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(MCP_HISTORIES))
def test_chat_completions_refuses_mcp_history(
    emulator: RouterEmulator, make_model, name: str
) -> None:
    with pytest.raises(InvalidInputError, match="api='responses'"):
        make_model(api="chat_completions").invoke(MCP_HISTORIES[name])
    assert emulator.requests == []


@pytest.mark.parametrize("name", sorted(MCP_HISTORIES))
def test_auto_picks_responses_for_mcp_history(
    emulator: RouterEmulator, make_model, name: str
) -> None:
    # Function-call history alone would keep "auto" on Chat; MCP items need Responses.
    tool_turn = AIMessage(
        "", tool_calls=[{"name": "get_time", "args": {"city": "Oslo"}, "id": "c1"}]
    )
    make_model().invoke([*MCP_HISTORIES[name], tool_turn])
    assert emulator.last_request.api == "responses"


def test_v1_content_blocks_in_invoke_stream_and_history(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(output_version="v1").bind_tools([MCP_TOOL])
    invoked, chunks = _invoke_then_stream(emulator, llm, AUTO_RUN)
    assert invoked.content == invoked.content_blocks
    assert [b["type"] for b in invoked.content_blocks] == [
        "server_tool_call",
        "server_tool_result",
        "server_tool_call",
        "server_tool_result",
        "text",
    ]
    assert_stream_matches_invoke(sum_chunks(chunks), invoked)
    llm.invoke([HumanMessage("x"), invoked, HumanMessage("y")])
    assert _sent_types(emulator) == HISTORY_TYPES


def test_mcp_headers_travel_only_in_the_tool(
    emulator: RouterEmulator, make_model
) -> None:
    make_model().bind_tools([MCP_TOOL]).invoke("x")
    request = emulator.last_request
    assert request.json["tools"][0]["headers"] == {"Authorization": "Bearer mcp-token"}
    assert "mcp-token" not in json.dumps(dict(request.headers))


def test_stream_events_v3_output_keeps_the_blocks(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(AUTO_RUN)
    stream = make_model().bind_tools([MCP_TOOL]).stream_events("x", version="v3")
    assert list(stream)
    assert _without_index(stream.output.content_blocks) == [
        *LISTING_BLOCKS,
        *CALL_BLOCKS,
        {"type": "text", "text": "It uses BPE."},
    ]
