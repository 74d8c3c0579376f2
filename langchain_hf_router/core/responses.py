"""The Responses wire format (`POST {base}/responses`), as the router serves it.

The router's endpoint is HF's responses.js, a translation over Chat Completions
(see `protocol.md`): it hard-codes `output_index: 0` for messages, so stream
items are keyed by `item_id`; it does not always close items, so the output in
`response.completed` is authoritative; and it reports upstream failures as HTTP
200 with `status: "failed"` or a `response.failed` event.

MCP, as responses.js implements it (`src/routes/responses.ts` and `src/schemas.ts`
at c0ac6ee): the server lists an `mcp` tool's tools (`mcp_list_tools` item,
skipped when the input already holds one for that `server_label`), runs calls
(`mcp_call`) or asks for approval (`mcp_approval_request`), and runs an approved
request when the input holds it with a matching `mcp_approval_response` (and no
`mcp_call` with the derived id `mcp_<suffix>` shows it already ran). Its stream
events `response.mcp_list_tools.*` and `response.mcp_call.*` carry no item, and
`response.mcp_call_arguments.delta` only repeats what the item holds when done;
each MCP item arrives whole in `response.output_item.done` (approval requests
get no argument events at all), so MCP items are mapped from there alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from langchain_hf_router.core.errors import in_band_error
from langchain_hf_router.core.options import (
    REASONING_EFFORTS_RESPONSES,
    Warn,
    check_effort,
    copy_set,
    with_strictness,
)
from langchain_hf_router.core.types import (
    AssistantMessage,
    CallOptions,
    GenerateResult,
    ImagePart,
    McpApprovalRequest,
    McpApprovalResponse,
    McpCall,
    McpItem,
    McpListTools,
    OutputPart,
    PromptMessage,
    ReasoningDelta,
    ReasoningOutput,
    ResponseInfo,
    StreamFinish,
    StreamPart,
    SystemMessage,
    TextDelta,
    TextOutput,
    ToolCall,
    ToolCallDelta,
    Usage,
    UserMessage,
)

PATH: Final = "/responses"
API: Final = "responses"

INCOMPLETE_REASONS: Final[dict[str, str]] = {
    "max_output_tokens": "length",
    "max_tokens": "length",
    "content_filter": "content_filter",
}

# CallOptions / ProviderOptions attribute -> body key, sent when set.
_FIELDS: Final = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_output_tokens",
}
_PROVIDER_FIELDS: Final = {"instructions": "instructions", "metadata": "metadata"}

_UNSENDABLE: Final = (
    ("stop", "stop sequences"),
    ("seed", "a seed"),
    ("parallel_tool_calls", "parallel_tool_calls"),
)


# --- request ------------------------------------------------------------------


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
            provider.reasoning_effort, REASONING_EFFORTS_RESPONSES, "the Responses API"
        )
        body["reasoning"] = {"effort": effort}
    for field, label in _UNSENDABLE:
        if getattr(options, field) not in (None, ()):
            warn(
                field,
                f"{label} cannot be sent on the router's Responses API and "
                f"{'were' if field == 'stop' else 'was'} not sent; use "
                "api='chat_completions' to send it",
            )
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


# --- response -----------------------------------------------------------------


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    inputs = raw.get("input_tokens") or 0
    outputs = raw.get("output_tokens") or 0
    input_details = raw.get("input_tokens_details") or {}
    output_details = raw.get("output_tokens_details") or {}
    return Usage(
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=raw.get("total_tokens") or inputs + outputs,
        cached_input_tokens=input_details.get("cached_tokens"),
        reasoning_tokens=output_details.get("reasoning_tokens"),
    )


def _info(response: dict[str, Any]) -> ResponseInfo:
    created = response.get("created_at")
    return ResponseInfo(
        id=response.get("id"),
        model=response.get("model"),
        created=int(created) if isinstance(created, (int, float)) else None,
    )


def _raise_if_failed(response: dict[str, Any]) -> None:
    error = response.get("error")
    if response.get("status") == "failed" or error:
        error = error if isinstance(error, dict) else {"message": error}
        code = error.get("code")
        raise in_band_error(
            error.get("message"), None if code is None else str(code), body=response
        )


def _finish_reason(response: dict[str, Any], has_calls: bool) -> str:
    details = response.get("incomplete_details")
    if isinstance(details, dict) and details.get("reason"):
        reason = str(details["reason"])
        return INCOMPLETE_REASONS.get(reason, reason)
    return "tool_calls" if has_calls else "stop"


def _item_text(item: dict[str, Any]) -> str:
    parts = item.get("content") or item.get("summary") or ()
    return "".join(part.get("text", "") for part in parts if isinstance(part, dict))


def _tool_call(item: dict[str, Any]) -> ToolCall:
    return ToolCall(
        call_id=str(item.get("call_id") or item.get("id") or ""),
        name=item.get("name") or "",
        arguments=item.get("arguments") or "",
    )


def _text_or_none(value: Any) -> str | None:
    """A wire string as given; other JSON values as JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _text(item: dict[str, Any], key: str) -> str:
    return _text_or_none(item.get(key)) or ""


def _mcp_list_tools(item: dict[str, Any]) -> McpListTools:
    tools = item.get("tools") or ()
    return McpListTools(
        id=_text(item, "id"),
        server_label=_text(item, "server_label"),
        tools=tuple(tool for tool in tools if isinstance(tool, dict)),
        error=_text_or_none(item.get("error")),
    )


def _mcp_call(item: dict[str, Any]) -> McpCall:
    return McpCall(
        *_mcp_request(item),
        output=_text_or_none(item.get("output")),
        error=_text_or_none(item.get("error")),
        approval_request_id=_text_or_none(item.get("approval_request_id")),
    )


def _mcp_approval_request(item: dict[str, Any]) -> McpApprovalRequest:
    return McpApprovalRequest(*_mcp_request(item))


def _mcp_request(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """Id, server label, tool name and arguments of a call or approval request."""
    return (
        _text(item, "id"),
        _text(item, "server_label"),
        _text(item, "name"),
        _text(item, "arguments"),
    )


# Output item type -> its MCP item, for answers and streams alike.
_MCP_ITEMS: Final[dict[str, Callable[[dict[str, Any]], McpItem]]] = {
    "mcp_list_tools": _mcp_list_tools,
    "mcp_call": _mcp_call,
    "mcp_approval_request": _mcp_approval_request,
}


def parse_response(body: dict[str, Any]) -> GenerateResult:
    """A whole answer from a non-streaming response body."""
    _raise_if_failed(body)
    content: list[OutputPart] = []
    calls: list[ToolCall] = []
    for item in body.get("output") or ():
        kind = item.get("type")
        if kind in _MCP_ITEMS:
            content.append(_MCP_ITEMS[kind](item))
        elif kind == "message":
            text = _item_text(item)
            if text:
                content.append(TextOutput(text))
        elif kind == "reasoning":
            text = _item_text(item)
            if text:
                content.append(ReasoningOutput(text))
        elif kind == "function_call":
            calls.append(_tool_call(item))
    return GenerateResult(
        content=content,
        tool_calls=calls,
        finish_reason=_finish_reason(body, bool(calls)),
        usage=_usage(body.get("usage")),
        info=_info(body),
    )


# --- stream -------------------------------------------------------------------


class StreamMapper:
    """Maps parsed stream events to stream parts; one instance per stream."""

    __slots__ = ("_calls", "_finish", "_info", "_streamed", "done")

    def __init__(self) -> None:
        self._info = ResponseInfo()
        self._calls: dict[str, tuple[int, bool]] = {}  # item id -> index, got args
        self._streamed: set[str] = set()  # items delivered (as deltas, or whole)
        self._finish: StreamFinish | None = None
        self.done = False

    def feed(self, event: dict[str, Any]) -> list[StreamPart]:
        """Parts for one event."""
        kind = event.get("type")
        if kind == "response.output_text.delta":
            self._streamed.add(event.get("item_id", ""))
            return [TextDelta(event["delta"])] if event.get("delta") else []
        if kind in (
            "response.reasoning_text.delta",
            "response.reasoning_summary_text.delta",
        ):
            self._streamed.add(event.get("item_id", ""))
            return [ReasoningDelta(event["delta"])] if event.get("delta") else []
        if kind == "response.function_call_arguments.delta":
            return self._arguments(event.get("item_id", ""), event.get("delta") or "")
        if kind == "response.output_item.added":
            return self._item_added(event.get("item") or {})
        if kind in (
            "response.output_item.done",
            "response.function_call_arguments.done",
        ):
            item = event.get("item") or {
                "type": "function_call",
                "id": event.get("item_id"),
                "arguments": event.get("arguments"),
            }
            return self._item_done(item)
        if kind in ("response.created", "response.in_progress"):
            self._info = _info(event.get("response") or {})
            return []
        if kind in ("response.completed", "response.incomplete"):
            return self._completed(event.get("response") or {})
        if kind == "response.failed":
            _raise_if_failed({"status": "failed", **(event.get("response") or {})})
        if kind == "error":
            code = event.get("code")
            raise in_band_error(
                event.get("message"), None if code is None else str(code), body=event
            )
        return []

    def _item_added(self, item: dict[str, Any]) -> list[StreamPart]:
        if item.get("type") != "function_call":
            return []
        index = len(self._calls)
        item_id = str(item.get("id") or item.get("call_id"))
        arguments = item.get("arguments") or ""
        self._calls[item_id] = (index, bool(arguments))
        return [
            ToolCallDelta(index, _tool_call(item).call_id, item.get("name"), arguments)
        ]

    def _arguments(self, item_id: str, delta: str) -> list[StreamPart]:
        known = self._calls.get(item_id)
        if known is None or not delta:
            return []
        self._calls[item_id] = (known[0], True)
        return [ToolCallDelta(known[0], None, None, delta)]

    def _item_done(self, item: dict[str, Any]) -> list[StreamPart]:
        """Fill in what deltas did not bring: arguments, or a whole unseen item."""
        item_id = str(item.get("id") or item.get("call_id"))
        kind = item.get("type")
        if kind in _MCP_ITEMS:
            if item_id in self._streamed:
                return []
            self._streamed.add(item_id)
            return [_MCP_ITEMS[kind](item)]
        if kind == "function_call":
            known = self._calls.get(item_id)
            if known is None:
                return [*self._item_added(item)]
            if not known[1] and item.get("arguments"):
                return self._arguments(item_id, item["arguments"])
            return []
        if kind in ("message", "reasoning") and item_id not in self._streamed:
            self._streamed.add(item_id)
            text = _item_text(item)
            if text:
                return [TextDelta(text) if kind == "message" else ReasoningDelta(text)]
        return []

    def _completed(self, response: dict[str, Any]) -> list[StreamPart]:
        _raise_if_failed(response)
        parts: list[StreamPart] = []
        for item in response.get("output") or ():
            parts.extend(self._item_done(item))
        self._info = _info(response)
        self._finish = StreamFinish(
            finish_reason=_finish_reason(response, bool(self._calls)),
            usage=_usage(response.get("usage")),
            info=self._info,
        )
        self.done = True
        return parts

    def finish(self) -> StreamFinish:
        """The closing part, once the stream has ended."""
        return self._finish or StreamFinish(None, None, self._info)

    @property
    def complete(self) -> bool:
        """Whether `response.completed` (or `.incomplete`) arrived."""
        return self.done
