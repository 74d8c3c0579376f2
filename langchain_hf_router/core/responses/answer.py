"""Reading Responses answers: each output item, for whole answers and streams alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from langchain_hf_router.core.errors import HuggingFaceRouterError, in_band_error
from langchain_hf_router.core.types import (
    GenerateResult,
    McpApprovalRequest,
    McpCall,
    McpItem,
    McpListTools,
    OutputPart,
    ReasoningOutput,
    ResponseInfo,
    TextOutput,
    ToolCall,
    Usage,
)
from langchain_hf_router.core.wire_json import (
    WireShapeError,
    count,
    describe,
    ident,
    items,
    number,
    obj,
    objects,
    string,
)

INCOMPLETE_REASONS: Final[dict[str, str]] = {
    "max_output_tokens": "length",
    "max_tokens": "length",
    "content_filter": "content_filter",
}
"""`incomplete_details.reason` -> finish reason (another reason is kept as is)."""

STATUS_REASONS: Final[dict[str, str]] = {
    "incomplete": "incomplete",
    "cancelled": "cancelled",
}
"""Response `status` -> finish reason, for answers that did not complete."""

UNFINISHED: Final = frozenset({"in_progress", "queued"})
"""Statuses of a response still being made: not an answer yet."""

# How deep a server may nest error objects before its message (`{"error":
# {"message": {"message": ...}}}`); deeper ones are shown as JSON text.
_ERROR_NESTING: Final = 4


def within(where: str, exc: WireShapeError) -> WireShapeError:
    """`exc`, raised reading the value at `where`, naming its path from there.

    Readers name paths relative to the object they read, so that the path is
    built only when something is wrong, never for a well-formed answer.
    """
    return WireShapeError(f"{where}.{exc}")


def usage_of(raw: Any) -> Usage | None:
    """The token counts of a `usage` object, if there is one."""
    if raw is None:
        return None
    usage = obj(raw, "usage")
    inputs = count(usage.get("input_tokens"), "usage.input_tokens") or 0
    outputs = count(usage.get("output_tokens"), "usage.output_tokens") or 0
    total = count(usage.get("total_tokens"), "usage.total_tokens")
    inner = obj(usage.get("input_tokens_details"), "usage.input_tokens_details")
    outer = obj(usage.get("output_tokens_details"), "usage.output_tokens_details")
    return Usage(
        input_tokens=inputs,
        output_tokens=outputs,
        total_tokens=total or inputs + outputs,
        cached_input_tokens=count(
            inner.get("cached_tokens"), "usage.input_tokens_details.cached_tokens"
        ),
        reasoning_tokens=count(
            outer.get("reasoning_tokens"),
            "usage.output_tokens_details.reasoning_tokens",
        ),
    )


def response_info(response: dict[str, Any]) -> ResponseInfo:
    """What a response says about itself: id, model, creation time."""
    created = number(response.get("created_at"), "created_at")
    return ResponseInfo(
        id=ident(response.get("id"), "id"),
        model=string(response.get("model"), "model"),
        created=None if created is None else int(created),
    )


def failure(error: Any, body: Any) -> HuggingFaceRouterError:
    """The in-band error for a reported failure, with the server's own message.

    Servers nest the message (`{"error": {"message": ...}}`, a `message` that is
    itself an error object); the first string found is the message, and the
    first `code` on the way is the code. An error object with no message at all
    gets in_band_error's generic one; anything else is shown as JSON text.
    """
    message, code = error, None
    for depth in range(_ERROR_NESTING):
        if not isinstance(message, dict):
            break
        if code is None:
            code = message.get("code")
        inner = message.get("message")
        inner = message.get("error") if inner is None else inner
        if inner is None:
            message = None if depth == 0 else message
            break
        message = inner
    return in_band_error(message, code, body=body)


def _status(response: dict[str, Any]) -> str | None:
    return string(response.get("status"), "status")


def raise_if_failed(response: dict[str, Any]) -> None:
    """Raise the in-band error of a failed response."""
    error = response.get("error")
    if _status(response) == "failed" or error:
        raise failure(error, response)


def finish_reason(
    response: dict[str, Any], *, has_calls: bool, incomplete: bool
) -> str:
    """Why the answer ended; an answer cut short is never "stop"."""
    details = obj(response.get("incomplete_details"), "incomplete_details")
    reason = string(details.get("reason"), "incomplete_details.reason")
    if reason:
        return INCOMPLETE_REASONS.get(reason, reason)
    status = "incomplete" if incomplete else _status(response)
    if status in STATUS_REASONS:
        return STATUS_REASONS[status]
    return "tool_calls" if has_calls else "stop"


def _json_text(value: Any, where: str) -> str | None:
    """A wire string as given; other JSON values as JSON text."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except RecursionError:
        msg = f"{where} is nested too deeply to read"
        raise WireShapeError(msg) from None


def arguments_text(value: Any) -> str:
    """A call's arguments as JSON text; an object (a known variant) is dumped."""
    if value is not None and not isinstance(value, (str, dict)):
        msg = f"arguments is {describe(value)}, not JSON text or an object"
        raise WireShapeError(msg)
    return _json_text(value, "arguments") or ""


def _content(item: dict[str, Any]) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The text of a message or reasoning item, and the annotations on it.

    `content` is a list of parts (`output_text`, `reasoning_text`; a part may also
    be a bare string) or, as some servers send it, one string; reasoning may
    come as `summary` parts instead. Annotations are kept as sent, objects only.
    """
    key = "content" if item.get("content") or "summary" not in item else "summary"
    parts = item.get(key)
    if isinstance(parts, str):
        return parts, ()
    texts: list[str] = []
    notes: list[dict[str, Any]] = []
    for i, part in enumerate(items(parts, key)):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            msg = f"{key}[{i}] is {describe(part)}, not an object"
            raise WireShapeError(msg)
        try:
            texts.append(string(part.get("text"), "text") or "")
            found = items(part.get("annotations"), "annotations")
        except WireShapeError as exc:
            raise within(f"{key}[{i}]", exc) from None
        notes.extend(note for note in found if isinstance(note, dict))
    return "".join(texts), tuple(notes)


def _field(item: dict[str, Any], key: str) -> str:
    return _json_text(item.get(key), key) or ""


def _mcp_list_tools(item: dict[str, Any]) -> McpListTools:
    tools = items(item.get("tools"), "tools")
    return McpListTools(
        id=_field(item, "id"),
        server_label=_field(item, "server_label"),
        tools=tuple(tool for tool in tools if isinstance(tool, dict)),
        error=_json_text(item.get("error"), "error"),
    )


def _mcp_call(item: dict[str, Any]) -> McpCall:
    return McpCall(
        *_mcp_request(item),
        output=_json_text(item.get("output"), "output"),
        error=_json_text(item.get("error"), "error"),
        approval_request_id=_json_text(
            item.get("approval_request_id"), "approval_request_id"
        ),
    )


def _mcp_approval_request(item: dict[str, Any]) -> McpApprovalRequest:
    return McpApprovalRequest(*_mcp_request(item))


def _mcp_request(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """Id, server label, tool name and arguments of a call or approval request."""
    return (
        _field(item, "id"),
        _field(item, "server_label"),
        _field(item, "name"),
        _field(item, "arguments"),
    )


# Output item type -> its MCP item, for answers and streams alike.
_MCP_ITEMS: Final[dict[str, Callable[[dict[str, Any]], McpItem]]] = {
    "mcp_list_tools": _mcp_list_tools,
    "mcp_call": _mcp_call,
    "mcp_approval_request": _mcp_approval_request,
}


@dataclass(slots=True)
class ReadItem:
    """One output item, read and checked: what an answer holds, whole or streamed.

    `text` is a message's or reasoning's text, or a function call's arguments.
    """

    kind: str
    item_id: str | None
    text: str = ""
    annotations: tuple[dict[str, Any], ...] = ()
    call_id: str | None = None
    name: str | None = None
    mcp: McpItem | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id the item goes by; a call's `call_id` first, the surest."""
        if self.call_id is None:
            return () if self.item_id is None else (self.item_id,)
        return (self.call_id,) if self.item_id is None else (self.call_id, self.item_id)

    def output(self) -> OutputPart | ToolCall | None:
        """The item in an answer; None for one that says nothing."""
        if self.mcp is not None:
            return self.mcp
        if self.kind == "function_call":
            call_id = self.call_id or self.item_id or ""
            return ToolCall(call_id, self.name or "", self.text)
        if self.kind == "message" and (self.text or self.annotations):
            return TextOutput(self.text, self.annotations)
        return ReasoningOutput(self.text) if self.text else None


def read_item(item: dict[str, Any]) -> ReadItem | None:
    """An output item read and checked; None for item types without a mapping."""
    kind = string(item.get("type"), "type")
    item_id = ident(item.get("id"), "id")
    if kind in _MCP_ITEMS:
        return ReadItem(kind, item_id, mcp=_MCP_ITEMS[kind](item))
    if kind == "function_call":
        return ReadItem(
            kind,
            item_id,
            text=arguments_text(item.get("arguments")),
            call_id=ident(item.get("call_id"), "call_id"),
            name=string(item.get("name"), "name"),
        )
    if kind in ("message", "reasoning"):
        text, notes = _content(item)
        return ReadItem(kind, item_id, text=text, annotations=notes)
    return None


def read_output(output: Any) -> list[ReadItem]:
    """The items of a response's `output`."""
    reads: list[ReadItem] = []
    for i, item in enumerate(objects(output, "output")):
        try:
            read = read_item(item)
        except WireShapeError as exc:
            raise within(f"output[{i}]", exc) from None
        if read is not None:
            reads.append(read)
    return reads


def parse_response(body: dict[str, Any]) -> GenerateResult:
    """A whole answer from a non-streaming response body."""
    raise_if_failed(body)
    status = _status(body)
    if status in UNFINISHED:
        msg = f"status is {status!r}: the answer is not finished"
        raise WireShapeError(msg)
    content: list[OutputPart] = []
    calls: list[ToolCall] = []
    for read in read_output(body.get("output")):
        out = read.output()
        if isinstance(out, ToolCall):
            calls.append(out)
        elif out is not None:
            content.append(out)
    return GenerateResult(
        content=content,
        tool_calls=calls,
        finish_reason=finish_reason(body, has_calls=bool(calls), incomplete=False),
        usage=usage_of(body.get("usage")),
        info=response_info(body),
    )
