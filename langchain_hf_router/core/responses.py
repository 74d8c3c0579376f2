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

Servers disagree on ids: deltas without an `item_id` or with another than the
item's `id`, items without an `id`, a call announced twice or by its `call_id`
alone. The stream mapper keeps one record per output item, known under every id
it went by, so that nothing is said twice (`_ItemLedger`). Every value is read
through `wire_json`: a wrong-typed one is a `WireShapeError` naming its path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from langchain_hf_router.core.errors import HuggingFaceRouterError, in_band_error
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
    TextAnnotation,
    TextDelta,
    TextOutput,
    ToolCall,
    ToolCallDelta,
    Usage,
    UserMessage,
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

PATH: Final = "/responses"
API: Final = "responses"

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


def _within(where: str, exc: WireShapeError) -> WireShapeError:
    """`exc`, raised reading the value at `where`, naming its path from there.

    Readers name paths relative to the object they read, so that the path is
    built only when something is wrong, never for a well-formed answer.
    """
    return WireShapeError(f"{where}.{exc}")


def _usage(raw: Any) -> Usage | None:
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


def _info(response: dict[str, Any]) -> ResponseInfo:
    created = number(response.get("created_at"), "created_at")
    return ResponseInfo(
        id=ident(response.get("id"), "id"),
        model=string(response.get("model"), "model"),
        created=None if created is None else int(created),
    )


def _failure(error: Any, body: Any) -> HuggingFaceRouterError:
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


def _raise_if_failed(response: dict[str, Any]) -> None:
    error = response.get("error")
    if _status(response) == "failed" or error:
        raise _failure(error, response)


def _finish_reason(
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


def _arguments(value: Any) -> str:
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
            raise _within(f"{key}[{i}]", exc) from None
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
class _Read:
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


def _read_item(item: dict[str, Any]) -> _Read | None:
    """An output item read and checked; None for item types without a mapping."""
    kind = string(item.get("type"), "type")
    item_id = ident(item.get("id"), "id")
    if kind in _MCP_ITEMS:
        return _Read(kind, item_id, mcp=_MCP_ITEMS[kind](item))
    if kind == "function_call":
        return _Read(
            kind,
            item_id,
            text=_arguments(item.get("arguments")),
            call_id=ident(item.get("call_id"), "call_id"),
            name=string(item.get("name"), "name"),
        )
    if kind in ("message", "reasoning"):
        text, notes = _content(item)
        return _Read(kind, item_id, text=text, annotations=notes)
    return None


def _read_output(output: Any) -> list[_Read]:
    """The items of a response's `output`."""
    reads: list[_Read] = []
    for i, item in enumerate(objects(output, "output")):
        try:
            read = _read_item(item)
        except WireShapeError as exc:
            raise _within(f"output[{i}]", exc) from None
        if read is not None:
            reads.append(read)
    return reads


def parse_response(body: dict[str, Any]) -> GenerateResult:
    """A whole answer from a non-streaming response body."""
    _raise_if_failed(body)
    status = _status(body)
    if status in UNFINISHED:
        msg = f"status is {status!r}: the answer is not finished"
        raise WireShapeError(msg)
    content: list[OutputPart] = []
    calls: list[ToolCall] = []
    for read in _read_output(body.get("output")):
        out = read.output()
        if isinstance(out, ToolCall):
            calls.append(out)
        elif out is not None:
            content.append(out)
    return GenerateResult(
        content=content,
        tool_calls=calls,
        finish_reason=_finish_reason(body, has_calls=bool(calls), incomplete=False),
        usage=_usage(body.get("usage")),
        info=_info(body),
    )


# --- stream -------------------------------------------------------------------

_UNSET: Final = object()
_REASONING_DELTAS: Final = (
    "response.reasoning_text.delta",
    "response.reasoning_summary_text.delta",
)


class _Item:
    """One output item as the stream has delivered it so far."""

    __slots__ = (
        "annotations",
        "anonymous",
        "call_id",
        "closed",
        "delivered",
        "delta_id",
        "index",
        "kind",
        "named",
        "pieces",
        "sent_id",
        "shown",
    )

    def __init__(self, kind: str, index: int) -> None:
        self.kind = kind
        self.index = index  # a call's position among the calls
        self.pieces: list[str] = []  # the text or arguments given so far
        self.annotations: list[dict[str, Any]] = []  # the annotations given so far
        self.delta_id: str | None = None  # the item_id its deltas came under
        self.call_id: str | None = None  # a call's call_id, once known
        self.anonymous = True  # announced (or first seen) without any id
        self.closed = False  # its output_item.done came
        self.delivered = False  # an MCP item went out (whole)
        self.shown = False  # a call's first part went out
        self.sent_id = False  # a call's id went out
        self.named = False  # a call's name went out

    def blank(self) -> bool:
        """Whether nothing but its announcement came for it yet."""
        return not (self.pieces or self.annotations or self.delivered)

    def conflicts(self, read: _Read) -> bool:
        """Whether `read` is surely another item: a call with another call_id."""
        return None not in (self.call_id, read.call_id) and self.call_id != read.call_id


class _Cursor:
    """Where the last delta of one kind went; spares text deltas the ledger."""

    __slots__ = ("key", "kind", "make", "pieces")

    def __init__(self, kind: str, make: Callable[[str], StreamPart]) -> None:
        self.kind = kind
        self.key: object = _UNSET  # the `item_id` that delta named
        self.pieces: list[str] = []  # its item's pieces
        self.make = make


class _ItemLedger:
    """The stream's output items, each mapped once whatever ids the server uses.

    An item is known under every id it came with (`id`, `call_id`, the `item_id`
    of its deltas). An event naming no known id belongs to the open (latest, not
    yet done) item of its kind; an announcement without ids repeats that item if
    it too came without ids and nothing came for it since. The completed
    response's items pair up with the streamed ones by id, then by position
    among the unpaired items of a kind.
    """

    __slots__ = ("_by_id", "_latest", "calls", "cursors", "items")

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.calls = 0
        self.cursors = (
            _Cursor("message", TextDelta),
            _Cursor("reasoning", ReasoningDelta),
            _Cursor("function_call", TextDelta),  # `make` is set per call
        )
        self._by_id: dict[str, _Item] = {}
        self._latest: dict[str, _Item] = {}

    def for_delta(self, kind: str, item_id: str | None) -> _Item:
        """The item a delta (or an annotation) belongs to."""
        item = None if item_id is None else self._find(kind, (item_id,))
        if item is None:
            item = self._open(kind)
            if item is None or (
                item_id is not None and item.delta_id not in (None, item_id)
            ):
                item = self._new(kind, ())
        if item_id is not None:
            item.delta_id = item.delta_id or item_id
            self._by_id.setdefault(item_id, item)
        return item

    def for_note(self, item_id: str | None) -> _Item:
        """The message an annotation belongs to: by id, else the latest message.

        Unlike a delta, an annotation never starts an item of its own.
        """
        item = None if item_id is None else self._find("message", (item_id,))
        return item or self._latest.get("message") or self._new("message", ())

    def added(self, read: _Read) -> _Item:
        """The item an `output_item.added` announces (a repeat: the same item)."""
        item = self._find(read.kind, read.ids)
        if item is None and not read.ids:
            latest = self._open(read.kind)
            if latest is not None and latest.anonymous and latest.blank():
                item = latest
        if item is None:
            return self._new(read.kind, read.ids, read.call_id)
        self._alias(item, read)
        return item

    def match(self, read: _Read) -> _Item:
        """The item a whole item (`output_item.done`, `arguments.done`) is."""
        item = self._find(read.kind, read.ids)
        if item is None:
            item = self._open(read.kind)
            if item is None or item.conflicts(read):
                return self._new(read.kind, read.ids, read.call_id)
        self._alias(item, read)
        return item

    def close(self, item: _Item) -> None:
        """`item` is done: later events without a known id go to a new item."""
        item.closed = True
        self._moved()

    def pair(self, finals: list[_Read]) -> list[tuple[_Read, _Item]]:
        """Each item of the completed response with its item (a new one if none).

        By id first; then by position among the unpaired items of a kind,
        preferring one whose streamed text the final text extends (an item
        with text before a blank one), so that no text is said twice.
        """
        found: list[_Item | None] = []
        for read in finals:
            item = self._find(read.kind, read.ids)
            found.append(None if item in found else item)
        spare = [item for item in self.items if item not in found]
        for fits in (_extends_text, _extends, _may_be):
            for at, read in enumerate(finals):
                if found[at] is None:
                    found[at] = _take(spare, read, fits)
        return [
            (read, item or self._new(read.kind, read.ids, read.call_id))
            for read, item in zip(finals, found, strict=True)
        ]

    def _find(self, kind: str, ids: tuple[str, ...]) -> _Item | None:
        for key in ids:
            item = self._by_id.get(key)
            if item is not None and item.kind == kind:
                return item
        return None

    def _open(self, kind: str) -> _Item | None:
        item = self._latest.get(kind)
        return None if item is None or item.closed else item

    def _new(
        self, kind: str, ids: tuple[str, ...], call_id: str | None = None
    ) -> _Item:
        item = _Item(kind, self.calls)
        if kind == "function_call":
            self.calls += 1
        item.call_id = call_id
        item.anonymous = not ids
        for key in ids:
            self._by_id.setdefault(key, item)
        self.items.append(item)
        self._latest[kind] = item
        self._moved()
        return item

    def _alias(self, item: _Item, read: _Read) -> None:
        for key in read.ids:
            self._by_id.setdefault(key, item)
        item.call_id = item.call_id or read.call_id

    def _moved(self) -> None:
        """Items changed: the cursors must look their item up again."""
        for cursor in self.cursors:
            cursor.key = _UNSET


def _may_be(item: _Item, read: _Read) -> bool:
    """Whether `item` may be the item `read` shows whole."""
    return item.kind == read.kind and not item.conflicts(read)


def _extends(item: _Item, read: _Read) -> bool:
    """Whether `read` may be `item`, its text going on from what streamed."""
    return _may_be(item, read) and read.text.startswith("".join(item.pieces))


def _extends_text(item: _Item, read: _Read) -> bool:
    return bool(item.pieces) and _extends(item, read)


def _take(
    pool: list[_Item], read: _Read, fits: Callable[[_Item, _Read], bool]
) -> _Item | None:
    """The first item of `pool` that `fits` `read`, taken out of it."""
    for at, item in enumerate(pool):
        if fits(item, read):
            return pool.pop(at)
    return None


def _rest(pieces: list[str], final: str) -> str:
    """What `final` adds to the `pieces` streamed, when they are its start."""
    streamed = "".join(pieces)
    if len(final) <= len(streamed) or not final.startswith(streamed):
        return ""  # all there, or it went another way: never say it twice
    pieces[:] = [final]
    return final[len(streamed) :]


def _unseen(
    seen: list[dict[str, Any]], final: tuple[dict[str, Any], ...]
) -> list[dict[str, Any]]:
    """The annotations of `final` not among those `seen` (now seen too)."""
    pool = list(seen)
    new: list[dict[str, Any]] = []
    try:
        for note in final:
            if note in pool:
                pool.remove(note)
            else:
                new.append(note)
    except RecursionError:
        msg = "an annotation is nested too deeply to read"
        raise WireShapeError(msg) from None
    seen.extend(new)
    return new


class StreamMapper:
    """Maps parsed stream events to stream parts; one instance per stream.

    Each output item is mapped once (see `_ItemLedger`): deltas go out as they
    come, and the item whole (`output_item.done`, then `response.completed`,
    which is authoritative) adds only what the deltas left out.
    """

    __slots__ = (
        "_arguments",
        "_finish",
        "_info",
        "_ledger",
        "_reasoning",
        "_text",
        "done",
    )

    def __init__(self) -> None:
        self._info = ResponseInfo()
        self._ledger = _ItemLedger()
        self._text, self._reasoning, self._arguments = self._ledger.cursors
        self._finish: StreamFinish | None = None
        self.done = False

    def feed(self, event: dict[str, Any]) -> list[StreamPart]:
        """Parts for one event."""
        kind = event.get("type")
        if kind == "response.output_text.delta":  # the hot path: `_delta`, inlined
            delta = event.get("delta")
            cursor = self._text
            if delta.__class__ is not str or event.get("item_id") != cursor.key:
                return self._seek(event, cursor)
            if not delta:
                return []
            cursor.pieces.append(delta)
            return [TextDelta(delta)]
        if kind in _REASONING_DELTAS:
            return self._delta(event, self._reasoning)
        if kind == "response.function_call_arguments.delta":
            return self._delta(event, self._arguments)
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is not None:
            return handler(self, event)
        if kind is None and event.get("error") is not None:
            raise _failure(event, event)  # an error served as an event
        return []

    def _delta(self, event: dict[str, Any], cursor: _Cursor) -> list[StreamPart]:
        """A delta to the item `cursor` found last, or the one it must seek."""
        delta = event.get("delta")
        if delta.__class__ is not str or event.get("item_id") != cursor.key:
            return self._seek(event, cursor)
        if not delta:
            return []
        cursor.pieces.append(delta)
        return [cursor.make(delta)]

    def _seek(self, event: dict[str, Any], cursor: _Cursor) -> list[StreamPart]:
        """A delta for an item the cursor does not know: find it, then map it."""
        delta = string(event.get("delta"), "delta")
        item_id = ident(event.get("item_id"), "item_id")
        item = self._ledger.for_delta(cursor.kind, item_id)
        cursor.key, cursor.pieces = event.get("item_id"), item.pieces
        if item.kind == "function_call":
            index = item.index
            cursor.make = lambda text: ToolCallDelta(index, None, None, text)
        if not delta:
            return []
        item.pieces.append(delta)
        item.shown = True
        return [cursor.make(delta)]

    def _annotation(self, event: dict[str, Any]) -> list[StreamPart]:
        note = event.get("annotation")
        if note is None:
            return []
        note = obj(note, "annotation")
        item = self._ledger.for_note(ident(event.get("item_id"), "item_id"))
        item.annotations.append(note)
        return [TextAnnotation(note)]

    def _item_added(self, event: dict[str, Any]) -> list[StreamPart]:
        read = _event_item(event)
        if read is None:
            return []
        item = self._ledger.added(read)
        if read.kind != "function_call":
            return []  # text comes as deltas; MCP items whole, when done
        return self._call_parts(item, read, final=False)

    def _item_done(self, event: dict[str, Any]) -> list[StreamPart]:
        read = _event_item(event)
        if read is None:
            return []
        item = self._ledger.match(read)
        self._ledger.close(item)
        return self._settle(item, read, final=False)

    def _arguments_done(self, event: dict[str, Any]) -> list[StreamPart]:
        read = _Read(
            "function_call",
            ident(event.get("item_id"), "item_id"),
            text=_arguments(event.get("arguments")),
            name=string(event.get("name"), "name"),
        )
        return self._settle(self._ledger.match(read), read, final=False)

    def _settle(self, item: _Item, read: _Read, *, final: bool) -> list[StreamPart]:
        """What `read`, the item whole, adds to what came of it: the rest, once."""
        if read.mcp is not None:
            if item.delivered:
                return []
            item.delivered = True
            return [read.mcp]
        if read.kind == "function_call":
            return self._call_parts(item, read, final=final)
        parts: list[StreamPart] = []
        rest = _rest(item.pieces, read.text)
        if rest:
            parts.append(
                TextDelta(rest) if read.kind == "message" else ReasoningDelta(rest)
            )
        parts.extend(
            TextAnnotation(note) for note in _unseen(item.annotations, read.annotations)
        )
        return parts

    @staticmethod
    def _call_parts(item: _Item, read: _Read, *, final: bool) -> list[StreamPart]:
        """A call's part with what `read` tells that has not gone out yet.

        The id is the `call_id`; the item id stands in for it (as in an answer)
        only once the completed response shows there is no `call_id`.
        """
        call_id = None
        if not item.sent_id:
            call_id = read.call_id or (read.item_id if final else None)
            item.sent_id = call_id is not None
        name = None
        if not item.named and read.name:
            name, item.named = read.name, True
        rest = _rest(item.pieces, read.text)
        if item.shown and call_id is None and name is None and not rest:
            return []
        item.shown = True
        return [ToolCallDelta(item.index, call_id, name, rest)]

    def _created(self, event: dict[str, Any]) -> list[StreamPart]:
        response = obj(event.get("response"), "response")
        try:
            self._info = _info(response)
        except WireShapeError as exc:
            raise _within("response", exc) from None
        return []

    def _completed(self, event: dict[str, Any]) -> list[StreamPart]:
        return self._end(obj(event.get("response"), "response"), incomplete=False)

    def _incomplete(self, event: dict[str, Any]) -> list[StreamPart]:
        return self._end(obj(event.get("response"), "response"), incomplete=True)

    def _end(self, response: dict[str, Any], *, incomplete: bool) -> list[StreamPart]:
        try:
            _raise_if_failed(response)
            finals = _read_output(response.get("output"))
            calls = self._ledger.calls or any(
                read.kind == "function_call" for read in finals
            )
            reason = _finish_reason(
                response, has_calls=bool(calls), incomplete=incomplete
            )
            finish = StreamFinish(
                reason, _usage(response.get("usage")), _info(response)
            )
        except WireShapeError as exc:
            raise _within("response", exc) from None
        parts: list[StreamPart] = []
        for read, item in self._ledger.pair(finals):
            parts.extend(self._settle(item, read, final=True))
        self._info = finish.info
        self._finish = finish
        self.done = True
        return parts

    def _failed(self, event: dict[str, Any]) -> list[StreamPart]:
        response = obj(event.get("response"), "response")
        raise _failure(response.get("error"), response)

    def _error(self, event: dict[str, Any]) -> list[StreamPart]:
        raise _failure(event, event)

    def finish(self) -> StreamFinish:
        """The closing part, once the stream has ended."""
        return self._finish or StreamFinish(None, None, self._info)

    @property
    def complete(self) -> bool:
        """Whether `response.completed` (or `.incomplete`) arrived.

        A `[DONE]` line alone does not count: only the final response says the
        answer is whole.
        """
        return self._finish is not None


def _event_item(event: dict[str, Any]) -> _Read | None:
    """The item an `output_item.added` / `.done` event carries."""
    item = obj(event.get("item"), "item")
    try:
        return _read_item(item)
    except WireShapeError as exc:
        raise _within("item", exc) from None


# Event type -> its mapping (deltas are mapped in `feed` itself).
_HANDLERS: Final[
    dict[str, Callable[[StreamMapper, dict[str, Any]], list[StreamPart]]]
] = {
    "response.output_text.annotation.added": StreamMapper._annotation,
    "response.output_item.added": StreamMapper._item_added,
    "response.output_item.done": StreamMapper._item_done,
    "response.function_call_arguments.done": StreamMapper._arguments_done,
    "response.created": StreamMapper._created,
    "response.in_progress": StreamMapper._created,
    "response.completed": StreamMapper._completed,
    "response.incomplete": StreamMapper._incomplete,
    "response.failed": StreamMapper._failed,
    "error": StreamMapper._error,
}
