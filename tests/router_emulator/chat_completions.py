"""Chat Completions templates: scripted replies as ``/v1/chat/completions`` output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .common import (
    Usage,
    argument_deltas,
    chat_completion_id,
    count_deltas,
    now,
    requested_model,
    resolve_usage,
    separate_reasoning_deltas,
    tool_call_id,
    visible_text_deltas,
)
from .plan import SSE_TYPE, ResponsePlan, json_plan, merge_headers
from .script import InBandFailure, Reply
from .sse import frame

if TYPE_CHECKING:
    from collections.abc import Mapping

DONE: Final = "[DONE]"
# The field each separate reasoning style travels in (inline styles use content).
_REASONING_FIELD: Final[dict[str, str]] = {
    "reasoning_content": "reasoning_content",
    "reasoning": "reasoning",
}


@dataclass(frozen=True)
class _Context:
    """Values fixed for one completion."""

    id: str
    created: int
    model: str
    call_ids: list[str]

    @classmethod
    def of(cls, reply: Reply, request: Mapping[str, Any]) -> _Context:
        return cls(
            id=reply.id or chat_completion_id(),
            created=reply.created if reply.created is not None else now(),
            model=requested_model(request, reply.model),
            call_ids=[call.id or tool_call_id() for call in reply.tool_calls],
        )


def render(item: Reply | InBandFailure, request: Mapping[str, Any]) -> ResponsePlan:
    """Render a reply or an in-band failure for a Chat Completions request."""
    stream = request.get("stream") is True
    if isinstance(item, InBandFailure):
        return _failure_stream(item, request) if stream else _failure_body(item)
    if item.mcp:
        # A scripting error (the emulator answers 500 and records it).
        msg = "MCP items exist on the Responses API only; Chat cannot render them"
        raise ValueError(msg)
    if stream:
        return _stream(item, request)
    return json_plan(
        200,
        completion_body(item, request),
        item.headers,
        delay_before=item.delay_before,
    )


def finish_reason(reply: Reply) -> str:
    """The scripted finish reason, else ``tool_calls`` or ``stop``."""
    if reply.finish_reason is not None:
        return reply.finish_reason
    return "tool_calls" if reply.tool_calls else "stop"


def usage_payload(usage: Usage) -> dict[str, Any]:
    """OpenAI Chat Completions usage."""
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def completion_body(
    reply: Reply, request: Mapping[str, Any], ctx: _Context | None = None
) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object."""
    ctx = ctx or _Context.of(reply, request)
    content = "".join(visible_text_deltas(reply))
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content if content or not reply.tool_calls else None,
    }
    if reply.reasoning is not None and not reply.inline_reasoning:
        message[_REASONING_FIELD[reply.reasoning_style]] = reply.reasoning
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call, call_id in zip(reply.tool_calls, ctx.call_ids, strict=True)
        ]
    return {
        "id": ctx.id,
        "object": "chat.completion",
        "created": ctx.created,
        "model": ctx.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason(reply),
            }
        ],
        "usage": usage_payload(resolve_usage(reply.usage, count_deltas(reply))),
    }


def _chunk(
    ctx: _Context,
    delta: dict[str, Any],
    finish: str | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "id": ctx.id,
        "object": "chat.completion.chunk",
        "created": ctx.created,
        "model": ctx.model,
        "choices": [
            {
                "index": 0,
                "delta": {**delta, **(extra or {})},
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
    }


def _deltas(reply: Reply, ctx: _Context) -> list[dict[str, Any]]:
    """Every delta of the stream before the finish chunk, role chunk first."""
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": None}]
    field = _REASONING_FIELD.get(reply.reasoning_style, "reasoning_content")
    deltas += [{field: piece} for piece in separate_reasoning_deltas(reply)]
    deltas += [{"content": piece} for piece in visible_text_deltas(reply)]
    for index, (call, call_id) in enumerate(
        zip(reply.tool_calls, ctx.call_ids, strict=True)
    ):
        head = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        deltas.append({"tool_calls": [head]})
        deltas += [
            {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            for piece in argument_deltas(reply, call.arguments)
        ]
    return deltas


def stream_payloads(reply: Reply, request: Mapping[str, Any]) -> list[Any]:
    """The ``data:`` payloads of a stream: chunks, optional usage chunk, ``[DONE]``."""
    ctx = _Context.of(reply, request)
    extra = reply.extra_delta_keys
    payloads: list[Any] = [_chunk(ctx, d, None, extra) for d in _deltas(reply, ctx)]
    payloads.append(_chunk(ctx, {}, finish_reason(reply), extra))
    if _include_usage(request):
        usage = resolve_usage(reply.usage, count_deltas(reply))
        payloads.append(
            {
                "id": ctx.id,
                "object": "chat.completion.chunk",
                "created": ctx.created,
                "model": ctx.model,
                "choices": [],
                "usage": usage_payload(usage),
            }
        )
    payloads.append(DONE)
    return payloads


def _include_usage(request: Mapping[str, Any]) -> bool:
    options = request.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _stream(reply: Reply, request: Mapping[str, Any]) -> ResponsePlan:
    name = "message" if reply.comments else None
    events = [
        frame(p, style=reply.sse_style, comments=reply.comments, event_name=name)
        for p in stream_payloads(reply, request)
    ]
    return ResponsePlan(
        status=200,
        headers=merge_headers(
            {"content-type": SSE_TYPE, "cache-control": "no-cache"}, reply.headers
        ),
        events=events,
        delay_before=reply.delay_before,
        delay_between=reply.delay_between,
        drop_after=reply.drop_after,
    )


def _error_object(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "code": None}}


def _failure_body(failure: InBandFailure) -> ResponsePlan:
    return json_plan(200, _error_object(failure.message))


def _failure_stream(failure: InBandFailure, request: Mapping[str, Any]) -> ResponsePlan:
    partial = Reply(text=failure.partial_text)
    ctx = _Context.of(partial, request)
    chunks = [_chunk(ctx, d, None, None) for d in _deltas(partial, ctx)]
    payloads = [*chunks[: max(failure.stream_events_before, 0)]]
    payloads.append(_error_object(failure.message))
    return ResponsePlan(
        status=200,
        headers={"content-type": SSE_TYPE, "cache-control": "no-cache"},
        events=[
            frame(p, style="space", comments=False, event_name=None) for p in payloads
        ],
    )
