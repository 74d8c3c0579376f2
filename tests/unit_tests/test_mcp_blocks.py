"""MCP items as LangChain content blocks, and history blocks back to items."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.types import (
    McpApprovalRequest,
    McpApprovalResponse,
    McpCall,
    McpItem,
    McpListTools,
)
from langchain_hf_router.mcp_blocks import approval_responses, from_content, to_blocks

LISTED = ({"name": "search", "input_schema": {"type": "object"}},)
ITEMS: dict[str, McpItem] = {
    "listing": McpListTools("mcpl_1", "docs", LISTED),
    "failed-listing": McpListTools("mcpl_2", "docs", (), error="refused"),
    "call": McpCall("mcp_1", "docs", "search", '{"q": "x"}', output="found"),
    "failed-call": McpCall("mcp_2", "docs", "search", "{}", error="timeout"),
    "unrun-call": McpCall("mcp_3", "docs", "search", '{"q": "z"}'),
    "raw-arguments": McpCall("mcp_4", "docs", "search", "[1, 2]", output="?"),
    "approved-call": McpCall(
        "mcp_5", "docs", "search", '{"q": "y"}', output="ok", approval_request_id="r"
    ),
    "request": McpApprovalRequest("mcpr_1", "docs", "search", '{"q": "x"}'),
}


def test_call_blocks_follow_langchain_cores_openai_shape():
    assert to_blocks(ITEMS["call"]) == [
        {
            "type": "server_tool_call",
            "id": "mcp_1",
            "name": "remote_mcp",
            "args": {"q": "x"},
            "extras": {"server_label": "docs", "tool_name": "search"},
        },
        {
            "type": "server_tool_result",
            "tool_call_id": "mcp_1",
            "status": "success",
            "output": "found",
        },
    ]


def test_blocks_of_the_other_items():
    listing_call, listing_result = to_blocks(ITEMS["failed-listing"])
    assert (listing_call["name"], listing_call["args"]) == ("mcp_list_tools", {})
    assert listing_result == {
        "type": "server_tool_result",
        "tool_call_id": "mcpl_2",
        "status": "error",
        "output": [],
        "extras": {"error": "refused"},
    }
    (unrun,) = to_blocks(ITEMS["unrun-call"])  # no result until it has run
    assert unrun["args"] == {"q": "z"}
    assert to_blocks(McpCall("mcp_6", "docs", "search", ""))[0]["args"] == {}
    raw = to_blocks(ITEMS["raw-arguments"])[0]
    assert (raw["args"], raw["extras"]["arguments"]) == ({}, "[1, 2]")
    assert to_blocks(ITEMS["approved-call"])[0]["extras"]["approval_request_id"] == "r"
    assert to_blocks(ITEMS["request"]) == [
        {
            "type": "non_standard",
            "value": {
                "type": "mcp_approval_request",
                "id": "mcpr_1",
                "server_label": "docs",
                "name": "search",
                "arguments": '{"q": "x"}',
            },
        }
    ]


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_blocks_come_back_as_the_same_item(name: str):
    blocks: list[Any] = [{"type": "text", "text": "hi"}, *to_blocks(ITEMS[name])]
    assert from_content(blocks) == (ITEMS[name],)


def test_content_blocks_of_a_message_come_back_in_order():
    blocks = [block for item in ITEMS.values() for block in to_blocks(item)]
    message = AIMessage(blocks, response_metadata={"model_provider": "huggingface"})
    assert from_content(message.content_blocks) == tuple(ITEMS.values())  # type: ignore[arg-type]


def test_other_blocks_are_left_out():
    other = [
        "text",
        {"type": "server_tool_call", "id": "ws_1", "name": "web_search", "args": {}},
        {"type": "server_tool_result", "tool_call_id": "ws_1", "status": "success"},
        {"type": "non_standard", "value": {"type": "citation"}},
        {"type": "reasoning", "reasoning": "..."},
    ]
    assert from_content(other) == ()
    assert from_content("plain text") == ()


def test_an_mcp_block_missing_its_server_is_refused():
    call = {"type": "server_tool_call", "id": "mcp_1", "name": "remote_mcp", "args": {}}
    with pytest.raises(InvalidInputError, match="server_label"):
        from_content([call])


def test_approval_responses_bare_or_wrapped():
    bare = {
        "type": "mcp_approval_response",
        "approval_request_id": "r1",
        "approve": True,
    }
    wrapped = {
        "type": "non_standard",
        "value": {
            "type": "mcp_approval_response",
            "approval_request_id": "r2",
            "approve": False,
            "reason": "no",
        },
    }
    content: list[Any] = [bare, {"type": "text", "text": "and"}, wrapped]
    assert approval_responses(content) == (
        McpApprovalResponse("r1", approve=True),
        McpApprovalResponse("r2", approve=False, reason="no"),
    )
    assert approval_responses("yes") == ()


@pytest.mark.parametrize(
    "answer",
    [
        {"approve": True},
        {"approval_request_id": "", "approve": True},
        {"approval_request_id": "r", "approve": "yes"},
        {"approval_request_id": "r", "approve": True, "reason": 3},
    ],
)
def test_malformed_approval_responses_are_refused(answer: dict[str, Any]):
    with pytest.raises(InvalidInputError, match="approval_request_id"):
        approval_responses([{"type": "mcp_approval_response", **answer}])
