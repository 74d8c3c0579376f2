"""Responses requests: the conversation and settings as a `/responses` body."""

from __future__ import annotations

from typing import Any, Final

from langchain_hf_router.core.options import (
    Warn,
    check_effort,
    copy_set,
    warn_unsent,
    with_strictness,
)
from langchain_hf_router.core.types import (
    AssistantMessage,
    CallOptions,
    ImagePart,
    McpApprovalResponse,
    McpCall,
    McpItem,
    McpListTools,
    PromptMessage,
    SystemMessage,
    UserMessage,
)

REASONING_EFFORTS: Final = frozenset({"low", "medium", "high"})
"""The `reasoning.effort` values the router's Responses API accepts."""
UNSENT: Final = {
    "stop": "stop sequences",
    "seed": "a seed",
    "parallel_tool_calls": "parallel_tool_calls",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "logprobs": "logprobs",
    "top_logprobs": "top_logprobs",
}
"""Settings the Responses API cannot carry, with their names in warnings."""

# CallOptions / ProviderOptions attribute -> body key, sent when set.
_FIELDS: Final = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_output_tokens",
}
_PROVIDER_FIELDS: Final = {"instructions": "instructions", "metadata": "metadata"}


def _items(message: PromptMessage) -> list[dict[str, Any]]:
    # Messages say `"type": "message"`: optional for responses.js, required by
    # other Responses servers (llama.cpp: "Cannot determine type of 'item'").
    if isinstance(message, SystemMessage):
        return [{"type": "message", "role": "system", "content": message.text}]
    if isinstance(message, UserMessage):
        return _user_items(message)
    if isinstance(message, AssistantMessage):
        items = [_mcp_input(item) for item in message.mcp_items]
        if message.text:
            items.append(
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": message.text}],
                }
            )
        items.extend(
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            }
            for call in message.tool_calls
        )
        return items
    return [
        {
            "type": "function_call_output",
            "call_id": message.call_id,
            "output": message.output,
        }
    ]


def _user_items(message: UserMessage) -> list[dict[str, Any]]:
    """Approvals (each its own item, answering the turn before), then the message."""
    items = [_approval_input(approval) for approval in message.approvals]
    if message.parts or not items:
        content: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, ImagePart):
                content.append(
                    {
                        "type": "input_image",
                        "image_url": part.url,
                        "detail": part.detail or "auto",
                    }
                )
            else:
                content.append({"type": "input_text", "text": part.text})
        items.append({"type": "message", "role": "user", "content": content})
    return items


def _approval_input(approval: McpApprovalResponse) -> dict[str, Any]:
    item = {
        "type": "mcp_approval_response",
        "approval_request_id": approval.approval_request_id,
        "approve": approval.approve,
    }
    return _with_set(item, reason=approval.reason)


def _mcp_input(item: McpItem) -> dict[str, Any]:
    """An earlier MCP item as an input item, in the shape responses.js validates.

    Sending them back matters: a listing in the input spares a new one, and an
    `mcp_call` there keeps an approved request from running again. responses.js
    drops `output` and `error` of input calls; other servers read them.
    """
    if isinstance(item, McpListTools):
        # Tool annotations must be objects when present (null is a 400).
        tools = [
            {k: v for k, v in tool.items() if k != "annotations" or isinstance(v, dict)}
            for tool in item.tools
        ]
        listing = {
            "type": "mcp_list_tools",
            "id": item.id,
            "server_label": item.server_label,
            "tools": tools,
        }
        return _with_set(listing, error=item.error)
    wire = {
        "type": "mcp_call" if isinstance(item, McpCall) else "mcp_approval_request",
        "id": item.id,
        "server_label": item.server_label,
        "name": item.name,
        "arguments": item.arguments,
    }
    if not isinstance(item, McpCall):
        return wire
    return _with_set(
        wire,
        output=item.output,
        error=item.error,
        approval_request_id=item.approval_request_id,
    )


def _with_set(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """`item` with the fields that are not None added."""
    item.update((key, value) for key, value in fields.items() if value is not None)
    return item


def build_body(
    prompt: list[PromptMessage], options: CallOptions, *, stream: bool, warn: Warn
) -> dict[str, Any]:
    """The JSON body for one request."""
    provider = options.provider_options
    body: dict[str, Any] = {
        "model": options.model,
        "input": [item for message in prompt for item in _items(message)],
    }
    copy_set(body, options, _FIELDS)
    copy_set(body, provider, _PROVIDER_FIELDS)
    if provider.reasoning_effort is not None:
        effort = check_effort(
            provider.reasoning_effort, REASONING_EFFORTS, "the Responses API"
        )
        body["reasoning"] = {"effort": effort}
    warn_unsent(options, UNSENT, "Responses", warn)
    if options.tools:
        body["tools"] = [_tool(tool) for tool in options.tools]
    if options.tool_choice is not None:
        body["tool_choice"] = _tool_choice(options.tool_choice)
    if options.response_format is not None:
        response_format = with_strictness(
            options.response_format, provider.strict_json_schema
        )
        body["text"] = {"format": _text_format(response_format)}
    if stream:
        body["stream"] = True
    return body


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A Chat-shaped function tool flattened to the Responses shape."""
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, dict):
        return tool
    flat: dict[str, Any] = {"type": "function", "name": function["name"]}
    if function.get("description"):
        flat["description"] = function["description"]
    flat["parameters"] = function.get("parameters") or {
        "type": "object",
        "properties": {},
    }
    if "strict" in function:
        flat["strict"] = function["strict"]
    return flat


def _tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    """The flat `{"type": "function", "name": …}` shape (the nested one is a 400)."""
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"type": "function", "name": choice["function"]["name"]}
    return choice


def _text_format(response_format: dict[str, Any]) -> dict[str, Any]:
    """A Chat `response_format` in the Responses `text.format` shape."""
    schema = response_format.get("json_schema")
    if response_format.get("type") != "json_schema" or not isinstance(schema, dict):
        return response_format
    return {"type": "json_schema", **schema}
