"""MCP items in Responses templates, read back over HTTP with plain httpx.

Shapes as responses.js builds them (`src/routes/responses.ts` at c0ac6ee).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from router_emulator import (
    McpApprovalRequest,
    McpCall,
    McpListTools,
    Reply,
    RouterEmulator,
)

from emulator_selftest.helpers import MODES, post
from emulator_selftest.test_responses import (
    BODY,
    PATH,
    STREAM,
    TEXT_EVENTS,
    collapsed,
    stream,
)

TOOLS = [{"name": "search", "input_schema": {"type": "object"}}]
AUTO_RUN = Reply(
    text="Found it.",
    mcp=[
        McpListTools("docs", TOOLS),
        McpCall("docs", "search", '{"q": "bpe tokenizer"}', output="BPE."),
    ],
)
HEX_48 = re.compile(r"[0-9a-f]{48}")


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _id_ok(item: dict[str, Any], prefix: str) -> bool:
    head, _, tail = item["id"].partition("_")
    return head == prefix and bool(HEX_48.fullmatch(tail))


async def test_non_stream_output_items(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(AUTO_RUN)
    listing, call, message = (await post(mode, emulator.base_url, PATH, BODY)).json()[
        "output"
    ]
    assert _id_ok(listing, "mcpl")
    assert _id_ok(call, "mcp")
    assert listing == {
        "id": listing["id"],
        "type": "mcp_list_tools",
        "server_label": "docs",
        "tools": TOOLS,
    }
    assert call == {
        "type": "mcp_call",
        "id": call["id"],
        "name": "search",
        "server_label": "docs",
        "arguments": '{"q": "bpe tokenizer"}',
        "output": "BPE.",
    }
    assert message["type"] == "message"


async def test_stream_events(emulator: RouterEmulator, mode: str) -> None:
    emulator.enqueue(AUTO_RUN)
    events = await stream(emulator, mode)
    assert collapsed(events) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.output_item.done",
        "response.output_item.added",
        "response.mcp_call.in_progress",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.completed",
        "response.output_item.done",
        *TEXT_EVENTS,
        "response.completed",
    ]
    listing_added, call_added = events[2]["item"], events[6]["item"]
    assert (listing_added["tools"], call_added["arguments"]) == ([], "")
    assert set(events[3]) == {"type", "sequence_number"}  # no item id
    where = {"item_id": call_added["id"], "output_index": 1}
    assert {k: events[7][k] for k in where} == where
    deltas = [e for e in events if e["type"] == "response.mcp_call_arguments.delta"]
    assert [e["delta"] for e in deltas] == ['{"q":', ' "bpe', ' tokenizer"}']
    done = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert events[-1]["response"]["output"] == done


async def test_approval_request_then_approved_call(
    emulator: RouterEmulator, mode: str
) -> None:
    request = McpApprovalRequest("docs", "search", '{"q": "x"}', id="mcpr_ab12_c")
    approved = McpCall(
        "docs", "search", '{"q": "x"}', output="ok", approval_request_id=request.id
    )
    emulator.enqueue(Reply(mcp=[request]), Reply(mcp=[approved], text="Done."))
    asked = await stream(emulator, mode)
    assert collapsed(asked)[2:] == [
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
    ]  # no argument events, and no message without text
    assert (asked[2]["item"]["arguments"], asked[3]["item"]["arguments"]) == (
        "",
        '{"q": "x"}',
    )
    ran = await stream(emulator, mode)
    assert collapsed(ran)[2:7] == [
        "response.output_item.added",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.output_item.done",
        "response.output_item.added",
    ]
    # responses.js: id "mcp_" + the request id's second piece, whole arguments.
    assert ran[2]["item"]["id"] == "mcp_ab12"
    assert ran[2]["item"]["arguments"] == '{"q": "x"}'


async def test_failures(emulator: RouterEmulator, mode: str) -> None:
    failed = Reply(
        text="Sorry.",
        mcp=[
            McpListTools("docs", error="refused"),
            McpCall("docs", "search", "{}", error="timeout"),
        ],
    )
    emulator.enqueue(failed)
    events = await stream(emulator, mode)
    names = [e["type"] for e in events]
    assert "response.mcp_list_tools.failed" in names
    assert "response.mcp_call.failed" in names
    listing, call, _ = events[-1]["response"]["output"]
    assert (listing["error"], call["error"]) == ("refused", "timeout")
    assert "output" not in call


async def test_chat_cannot_render_mcp_items(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(AUTO_RUN)
    result = await post(
        mode, emulator.base_url, "/chat/completions", {**STREAM, "messages": []}
    )
    assert result.status == 500
    assert emulator.server_errors
