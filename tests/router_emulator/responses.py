"""Responses templates: scripted replies as ``/v1/responses`` output (responses.js)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .common import (
    Usage,
    argument_deltas,
    count_deltas,
    now,
    random_hex_id,
    requested_model,
    resolve_usage,
    separate_reasoning_deltas,
    tool_call_id,
    visible_text_deltas,
)
from .plan import SSE_TYPE, ResponsePlan, json_plan, merge_headers
from .script import (
    InBandFailure,
    McpApprovalRequest,
    McpCall,
    McpItem,
    McpListTools,
    Reply,
)
from .sse import frame

if TYPE_CHECKING:
    from collections.abc import Mapping

_ZERO_USAGE = Usage(0, 0, 0, 0)
_MCP_ID_PREFIXES: dict[type, str] = {
    McpListTools: "mcpl",
    McpCall: "mcp",
    McpApprovalRequest: "mcpr",
}


@dataclass
class _Item:
    """One output item with its stream deltas; ``closed`` items get ``.done``."""

    kind: Literal["reasoning", "message", "function_call"]
    id: str
    index: int
    deltas: list[str]
    call_id: str = ""
    name: str = ""
    closed: bool = True

    @property
    def text(self) -> str:
        return "".join(self.deltas)

    def part(self, text: str) -> dict[str, Any]:
        if self.kind == "reasoning":
            return {"type": "reasoning_text", "text": text}
        return {"type": "output_text", "text": text, "annotations": []}

    def as_added(self) -> dict[str, Any]:
        """The item as ``response.output_item.added`` shows it."""
        if self.kind == "function_call":
            return self._call(arguments="")
        return self._content_item("in_progress", [])

    def as_final(self) -> dict[str, Any]:
        """The item as ``output_item.done`` and ``response.output`` show it."""
        if self.kind == "function_call":
            done = {"status": "completed"} if self.closed else {}
            return {**self._call(arguments=self.text), **done}
        return self._content_item("completed", [self.part(self.text)])

    def _call(self, arguments: str) -> dict[str, Any]:
        return {
            "type": "function_call",
            "id": self.id,
            "call_id": self.call_id,
            "name": self.name,
            "arguments": arguments,
        }

    def _content_item(self, status: str, content: list[Any]) -> dict[str, Any]:
        if self.kind == "reasoning":
            return {
                "id": self.id,
                "type": "reasoning",
                "status": status,
                "content": content,
                "summary": [],
            }
        return {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "status": status,
            "content": content,
        }


@dataclass
class _McpItem:
    """One MCP output item, shaped as responses.js builds it (``mcp.ts``/routes)."""

    source: McpItem
    id: str
    index: int
    deltas: list[str]

    @classmethod
    def of(cls, source: McpItem, index: int, reply: Reply) -> _McpItem:
        if isinstance(source, McpCall) and source.approval_request_id:
            # responses.js derives the id of an approved call from the request's.
            suffix = source.approval_request_id.split("_")[1]
            return cls(source, source.id or f"mcp_{suffix}", index, [])
        item_id = source.id or random_hex_id(_MCP_ID_PREFIXES[type(source)])
        deltas = (
            argument_deltas(reply, source.arguments)
            if isinstance(source, McpCall)
            else []
        )
        return cls(source, item_id, index, deltas)

    def as_added(self) -> dict[str, Any]:
        """The item as ``response.output_item.added`` shows it."""
        source = self.source
        if isinstance(source, McpListTools):
            return {**self._listing(), "tools": []}
        whole = isinstance(source, McpCall) and source.approval_request_id
        return self._request(source, source.arguments if whole else "")

    def as_final(self) -> dict[str, Any]:
        """The item as ``output_item.done`` and ``response.output`` show it."""
        source = self.source
        if isinstance(source, McpListTools):
            error = {"error": source.error} if source.error is not None else {}
            return {**self._listing(), "tools": source.tools, **error}
        item = self._request(source, source.arguments)
        if isinstance(source, McpCall):
            outcome = {"output": source.output, "error": source.error}
            item.update((k, v) for k, v in outcome.items() if v is not None)
        return item

    def _listing(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "mcp_list_tools",
            "server_label": self.source.server_label,
        }

    def _request(
        self, source: McpCall | McpApprovalRequest, arguments: str
    ) -> dict[str, Any]:
        kind = "mcp_call" if isinstance(source, McpCall) else "mcp_approval_request"
        return {
            "type": kind,
            "id": self.id,
            "name": source.name,
            "server_label": source.server_label,
            "arguments": arguments,
        }


@dataclass
class _Context:
    """Values fixed for one response: ids, echoed request fields, items."""

    id: str
    created_at: int
    model: str
    request: Mapping[str, Any]
    items: list[_Item | _McpItem] = field(default_factory=list)

    @classmethod
    def of(cls, reply: Reply, request: Mapping[str, Any]) -> _Context:
        ctx = cls(
            id=reply.id or random_hex_id("resp"),
            created_at=reply.created if reply.created is not None else now(),
            model=requested_model(request, reply.model),
            request=request,
        )
        ctx.items = _plan_items(reply)
        return ctx

    def response(
        self,
        status: str,
        output: list[Any],
        usage: Usage,
        *,
        error: dict[str, Any] | None = None,
        incomplete: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The response object, echoing the request as responses.js does."""
        req = self.request
        return {
            "created_at": self.created_at,
            "error": error,
            "id": self.id,
            "incomplete_details": incomplete,
            "instructions": req.get("instructions"),
            "max_output_tokens": req.get("max_output_tokens"),
            "metadata": req.get("metadata"),
            "model": self.model,
            "object": "response",
            "output": output,
            "status": status,
            "tool_choice": req.get("tool_choice", "auto"),
            "tools": [_echo_tool(t) for t in req.get("tools") or []],
            "temperature": req.get("temperature", 1),
            "top_p": req.get("top_p", 1),
            "usage": usage_payload(usage),
        }


def _echo_tool(tool: Any) -> Any:
    """Function tools come back normalised, with ``strict`` forced to false."""
    if not isinstance(tool, dict) or tool.get("type") != "function":
        return tool
    echoed = {
        "name": tool.get("name"),
        "parameters": tool.get("parameters"),
        "strict": False,
        "type": "function",
    }
    if "description" in tool:
        echoed["description"] = tool["description"]
    return echoed


def _plan_items(reply: Reply) -> list[_Item | _McpItem]:
    # MCP items first: responses.js lists tools and runs approved calls before
    # it asks the model, whose answer is the reasoning, message and calls.
    items: list[_Item | _McpItem] = [
        _McpItem.of(source, n, reply) for n, source in enumerate(reply.mcp)
    ]
    reasoning = separate_reasoning_deltas(reply)
    if reply.reasoning is not None and not reply.inline_reasoning:
        items.append(_Item("reasoning", random_hex_id("rs"), len(items), reasoning))
    text = visible_text_deltas(reply)
    if text or not (reply.tool_calls or reply.mcp):
        items.append(_Item("message", random_hex_id("msg"), len(items), text))
    last = len(reply.tool_calls) - 1
    for n, call in enumerate(reply.tool_calls):
        items.append(
            _Item(
                "function_call",
                random_hex_id("fc"),
                len(items),
                argument_deltas(reply, call.arguments),
                call_id=call.id or tool_call_id(),
                name=call.name,
                closed=reply.close_all_items or n == last,
            )
        )
    return items


def usage_payload(usage: Usage) -> dict[str, Any]:
    """Responses usage."""
    return {
        "input_tokens": usage.prompt_tokens,
        "input_tokens_details": {"cached_tokens": usage.cached_tokens},
        "output_tokens": usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }


def _outcome(reply: Reply) -> tuple[str, dict[str, Any] | None]:
    """Status and ``incomplete_details``: only a ``length`` finish is incomplete."""
    if reply.finish_reason == "length":
        return "incomplete", {"reason": "max_output_tokens"}
    return "completed", None


def _final_response(reply: Reply, ctx: _Context) -> dict[str, Any]:
    status, incomplete = _outcome(reply)
    usage = resolve_usage(reply.usage, count_deltas(reply))
    output = [item.as_final() for item in ctx.items]
    return ctx.response(status, output, usage, incomplete=incomplete)


def response_body(reply: Reply, request: Mapping[str, Any]) -> dict[str, Any]:
    """The non-streamed response object."""
    return _final_response(reply, _Context.of(reply, request))


def _content_item_events(item: _Item) -> list[dict[str, Any]]:
    kind = "reasoning_text" if item.kind == "reasoning" else "output_text"
    where = {"item_id": item.id, "output_index": item.index, "content_index": 0}
    return [
        # responses.js hard-codes output_index 0 when it adds messages and
        # reasoning; clients must key items by id (see protocol.md).
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": item.as_added(),
        },
        {"type": "response.content_part.added", **where, "part": item.part("")},
        *({"type": f"response.{kind}.delta", **where, "delta": d} for d in item.deltas),
        {"type": f"response.{kind}.done", **where, "text": item.text},
        {"type": "response.content_part.done", **where, "part": item.part(item.text)},
        {
            "type": "response.output_item.done",
            "output_index": item.index,
            "item": item.as_final(),
        },
    ]


def _call_events(item: _Item) -> list[dict[str, Any]]:
    where = {"item_id": item.id, "output_index": item.index}
    events: list[dict[str, Any]] = [
        {
            "type": "response.output_item.added",
            "output_index": item.index,
            "item": item.as_added(),
        },
        *(
            {"type": "response.function_call_arguments.delta", **where, "delta": d}
            for d in item.deltas
        ),
    ]
    if item.closed:
        events += [
            {
                "type": "response.function_call_arguments.done",
                **where,
                "arguments": item.text,
            },
            {
                "type": "response.output_item.done",
                "output_index": item.index,
                "item": item.as_final(),
            },
        ]
    return events


def _mcp_events(item: _McpItem) -> list[dict[str, Any]]:
    """responses.js's events for an MCP item (``routes/responses.ts``).

    Its ``response.mcp_list_tools.*`` and ``.completed``/``.failed`` events carry
    no item id; approval requests get no argument events, nor do approved calls.
    """
    source = item.source
    where = {"item_id": item.id, "output_index": item.index}
    events: list[dict[str, Any]] = [
        {
            "type": "response.output_item.added",
            "output_index": item.index,
            "item": item.as_added(),
        }
    ]
    if isinstance(source, McpListTools):
        outcome = "failed" if source.error is not None else "completed"
        events += [
            {"type": "response.mcp_list_tools.in_progress"},
            {"type": f"response.mcp_list_tools.{outcome}"},
        ]
    elif isinstance(source, McpCall):
        events.append({"type": "response.mcp_call.in_progress", **where})
        if not source.approval_request_id:
            events += [
                *(
                    {"type": "response.mcp_call_arguments.delta", **where, "delta": d}
                    for d in item.deltas
                ),
                {
                    "type": "response.mcp_call_arguments.done",
                    **where,
                    "arguments": source.arguments,
                },
            ]
        outcome = "failed" if source.error is not None else "completed"
        events.append({"type": f"response.mcp_call.{outcome}"})
    events.append(
        {
            "type": "response.output_item.done",
            "output_index": item.index,
            "item": item.as_final(),
        }
    )
    return events


def _opening_events(ctx: _Context) -> list[dict[str, Any]]:
    opening = ctx.response("in_progress", [], _ZERO_USAGE)
    return [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
    ]


def _item_events(ctx: _Context) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for item in ctx.items:
        if isinstance(item, _McpItem):
            events += _mcp_events(item)
        elif item.kind == "function_call":
            events += _call_events(item)
        else:
            events += _content_item_events(item)
    return events


def numbered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append the 0-based ``sequence_number`` to every event (last key, as sent)."""
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def stream_events(reply: Reply, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every event of a streamed response, numbered."""
    ctx = _Context.of(reply, request)
    final = _final_response(reply, ctx)
    terminal = (
        "response.incomplete"
        if final["status"] == "incomplete"
        else "response.completed"
    )
    events = [
        *_opening_events(ctx),
        *_item_events(ctx),
        {"type": terminal, "response": final},
    ]
    return numbered(events)


def failure_events(
    failure: InBandFailure, request: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Events of a stream that fails in band with ``response.failed``."""
    ctx = _Context.of(Reply(text=failure.partial_text), request)
    before = [*_opening_events(ctx), *_item_events(ctx)]
    failed = _failed_response(failure, ctx)
    kept = before[: max(failure.stream_events_before, 0)]
    return numbered([*kept, {"type": "response.failed", "response": failed}])


def _failed_response(failure: InBandFailure, ctx: _Context) -> dict[str, Any]:
    error = {"code": "server_error", "message": failure.message}
    return ctx.response("failed", [], _ZERO_USAGE, error=error)


def _sse_plan(
    events: list[dict[str, Any]], reply: Reply | None, headers: dict[str, str]
) -> ResponsePlan:
    style = reply.sse_style if reply else "space"
    comments = reply.comments if reply else False
    return ResponsePlan(
        status=200,
        headers=merge_headers(
            {"content-type": SSE_TYPE, "cache-control": "no-cache"}, headers
        ),
        events=[
            frame(e, style=style, comments=comments, event_name=e["type"])
            for e in events
        ],
        delay_before=reply.delay_before if reply else 0.0,
        delay_between=reply.delay_between if reply else 0.0,
        drop_after=reply.drop_after if reply else None,
    )


def render(item: Reply | InBandFailure, request: Mapping[str, Any]) -> ResponsePlan:
    """Render a reply or an in-band failure for a Responses request."""
    stream = request.get("stream") is True
    if isinstance(item, InBandFailure):
        if stream:
            return _sse_plan(failure_events(item, request), None, {})
        ctx = _Context.of(Reply(), request)
        return json_plan(200, _failed_response(item, ctx))
    if stream:
        return _sse_plan(stream_events(item, request), item, item.headers)
    return json_plan(
        200,
        response_body(item, request),
        item.headers,
        delay_before=item.delay_before,
    )
