"""MCP items as LangChain content blocks, and blocks back to MCP items.

The blocks are langchain-core's standard ones, shaped as its OpenAI translator
shows OpenAI's MCP items, so code written for `ChatOpenAI`'s MCP blocks reads
these too, and a history from either model can be sent back:

- a call the server ran: a `server_tool_call` named `"remote_mcp"` (the tool's
  name and the server in `extras`), then a `server_tool_result` once it has one;
- a tool listing: a `server_tool_call` named `"mcp_list_tools"`, then a
  `server_tool_result` whose output is the list;
- an approval request: a `non_standard` block whose value is the request, answered
  by an `mcp_approval_response` block in the next human message.
"""

from __future__ import annotations

import json
from typing import Any, Final

from langchain_hf_router.core import types as core
from langchain_hf_router.core.errors import InvalidInputError

MCP_CALL: Final = "remote_mcp"
LIST_TOOLS: Final = "mcp_list_tools"
APPROVAL_REQUEST: Final = "mcp_approval_request"
APPROVAL_RESPONSE: Final = "mcp_approval_response"

_ANSWER: Final = (
    f"an approval is answered with {{'type': '{APPROVAL_RESPONSE}', "
    "'approval_request_id': <the request's id>, 'approve': True or False, "
    "'reason': <optional text>}"
)


def to_blocks(item: core.McpItem) -> list[dict[str, Any]]:
    """The content blocks showing one MCP item."""
    if isinstance(item, core.McpApprovalRequest):
        request = {
            "type": APPROVAL_REQUEST,
            "id": item.id,
            "server_label": item.server_label,
            "name": item.name,
            "arguments": item.arguments,
        }
        return [{"type": "non_standard", "value": request}]
    extras: dict[str, Any] = {"server_label": item.server_label}
    if isinstance(item, core.McpListTools):
        call = _call(item.id, LIST_TOOLS, {}, extras)
        return [call, _result(item.id, list(item.tools), item.error)]
    extras["tool_name"] = item.name
    try:
        args = json.loads(item.arguments) if item.arguments.strip() else {}
    except ValueError:
        args = None
    if not isinstance(args, dict):
        args, extras["arguments"] = {}, item.arguments
    if item.approval_request_id is not None:
        extras["approval_request_id"] = item.approval_request_id
    call = _call(item.id, MCP_CALL, args, extras)
    if item.output is None and item.error is None:
        return [call]  # not run (yet): no result to show
    return [call, _result(item.id, item.output, item.error)]


def _call(
    call_id: str, name: str, args: dict[str, Any], extras: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "server_tool_call",
        "id": call_id,
        "name": name,
        "args": args,
        "extras": extras,
    }


def _result(call_id: str, output: Any, error: str | None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "server_tool_result",
        "tool_call_id": call_id,
        "status": "success" if error is None else "error",
    }
    if output is not None:
        block["output"] = output
    if error is not None:
        block["extras"] = {"error": error}
    return block


# --- history -------------------------------------------------------------------


def from_content(content: str | list[Any]) -> tuple[core.McpItem, ...]:
    """The MCP items of an earlier answer's blocks, in order.

    Server tool calls other than MCP ones (another provider's web search, say)
    are left out, as other non-text blocks are.

    Raises:
        InvalidInputError: An MCP block lacks what the server needs back.
    """
    if isinstance(content, str):
        return ()
    blocks = [block for block in content if isinstance(block, dict)]
    results = {
        block.get("tool_call_id"): block
        for block in blocks
        if block.get("type") == "server_tool_result"
    }
    items: list[core.McpItem] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "server_tool_call" and block.get("name") in (MCP_CALL, LIST_TOOLS):
            items.append(_item(block, results.get(block.get("id")) or {}))
        elif kind == "non_standard" and _wrapped_type(block) == APPROVAL_REQUEST:
            items.append(_approval_request(block))
    return tuple(items)


def _item(call: dict[str, Any], result: dict[str, Any]) -> core.McpItem:
    extras = call.get("extras") or {}
    call_id = _required(call, "id", call)
    server_label = _required(extras, "server_label", call)
    output = result.get("output")
    error = (result.get("extras") or {}).get("error")
    if call["name"] == LIST_TOOLS:
        return core.McpListTools(call_id, server_label, tuple(output or ()), error)
    arguments = extras.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(call.get("args") or {}, ensure_ascii=False)
    if not (output is None or isinstance(output, str)):
        output = json.dumps(output, ensure_ascii=False)
    return core.McpCall(
        call_id,
        server_label,
        _required(extras, "tool_name", call),
        arguments,
        output=output,
        error=error,
        approval_request_id=extras.get("approval_request_id"),
    )


def _approval_request(block: dict[str, Any]) -> core.McpApprovalRequest:
    value = block["value"]
    return core.McpApprovalRequest(
        _required(value, "id", block),
        _required(value, "server_label", block),
        _required(value, "name", block),
        _required(value, "arguments", block),
    )


def _required(fields: dict[str, Any], key: str, block: dict[str, Any]) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        msg = (
            f"The MCP block {block!r:.200} has no {key!r} string, which the server "
            "needs to take it back; send the blocks as the model gave them."
        )
        raise InvalidInputError(msg)
    return value


def _wrapped_type(block: dict[str, Any]) -> Any:
    value = block.get("value")
    return value.get("type") if isinstance(value, dict) else None


def approval_responses(
    content: str | list[Any],
) -> tuple[core.McpApprovalResponse, ...]:
    """The answers to approval requests in a human message's blocks.

    Taken bare or wrapped in a `non_standard` block.

    Raises:
        InvalidInputError: An answer without a request id or a boolean `approve`.
    """
    if isinstance(content, str):
        return ()
    return tuple(
        _approval(block["value"] if block.get("type") == "non_standard" else block)
        for block in content
        if is_approval_response(block)
    )


def is_approval_response(block: Any) -> bool:
    """Whether a human message's block answers an approval request."""
    if not isinstance(block, dict):
        return False
    kind = block.get("type")
    return kind == APPROVAL_RESPONSE or (
        kind == "non_standard" and _wrapped_type(block) == APPROVAL_RESPONSE
    )


def _approval(block: dict[str, Any]) -> core.McpApprovalResponse:
    request_id = block.get("approval_request_id")
    approve = block.get("approve")
    reason = block.get("reason")
    if not (
        isinstance(request_id, str)
        and request_id
        and isinstance(approve, bool)
        and (reason is None or isinstance(reason, str))
    ):
        msg = f"Bad approval response {block!r:.200}: {_ANSWER}."
        raise InvalidInputError(msg)
    return core.McpApprovalResponse(request_id, approve, reason)
