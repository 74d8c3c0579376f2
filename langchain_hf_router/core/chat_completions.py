"""The Chat Completions wire format (`POST {base}/chat/completions`).

Request building, response parsing and stream-chunk mapping, with the provider
quirks `protocol.md` lists: extra delta keys, `"tool_calls": null`, integer tool
call ids and object-shaped arguments (TGI 1.4), usage in a last `choices: []`
chunk, reasoning in `reasoning_content` or `reasoning`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

from langchain_hf_router.core.errors import InvalidInputError, in_band_error
from langchain_hf_router.core.options import (
    REASONING_EFFORTS_CHAT,
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
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
    UserMessage,
    has_mcp_items,
)

PATH: Final = "/chat/completions"
API: Final = "chat_completions"

FINISH_REASONS: Final[dict[str, str]] = {
    "stop": "stop",
    "eos": "stop",
    "eos_token": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "length": "length",
    "max_tokens": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}

# CallOptions attribute -> body key, sent when set.
_FIELDS: Final = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_tokens",
    "seed": "seed",
    "tool_choice": "tool_choice",
    "parallel_tool_calls": "parallel_tool_calls",
}


# --- request ------------------------------------------------------------------


def _user_content(message: UserMessage) -> str | list[dict[str, Any]]:
    if len(message.parts) == 1 and isinstance(message.parts[0], TextPart):
        return message.parts[0].text
    content: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, ImagePart):
            image: dict[str, Any] = {"url": part.url}
            if part.detail:
                image["detail"] = part.detail
            content.append({"type": "image_url", "image_url": image})
        else:
            content.append({"type": "text", "text": part.text})
    return content


def _message(message: PromptMessage) -> dict[str, Any]:
    if isinstance(message, SystemMessage):
        return {"role": "system", "content": message.text}
    if isinstance(message, UserMessage):
        return {"role": "user", "content": _user_content(message)}
    if isinstance(message, AssistantMessage):
        out: dict[str, Any] = {"role": "assistant", "content": message.text}
        if message.tool_calls:
            out["tool_calls"] = [
                {
                    "id": call.call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in message.tool_calls
            ]
        return out
    return {
        "role": "tool",
        "tool_call_id": message.call_id,
        "content": message.output,
    }


def _function_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as sent; Chat Completions carries function tools only."""
    kind = tool.get("type")
    if kind == "function":
        return tool
    where = "MCP tools run on the router's Responses API" if kind == "mcp" else ""
    msg = (
        f"A {kind!r} tool cannot be sent on the Chat Completions API, which takes "
        f"function tools only{'; ' + where if where else ''}: use api='responses' "
        "(or api='auto', which picks it for such tools)."
    )
    raise InvalidInputError(msg)


def build_body(
    prompt: list[PromptMessage], options: CallOptions, *, stream: bool, warn: Warn
) -> dict[str, Any]:
    """The JSON body for one request."""
    if has_mcp_items(prompt):
        msg = (
            "The conversation holds MCP items (server tool calls and results, "
            "approval requests or responses), which only the router's Responses "
            "API carries: use api='responses' (or api='auto', which picks it for them)."
        )
        raise InvalidInputError(msg)
    provider = options.provider_options
    messages = [_message(m) for m in prompt]
    if provider.instructions:
        messages.insert(0, {"role": "system", "content": provider.instructions})
    body: dict[str, Any] = {"model": options.model, "messages": messages}
    copy_set(body, options, _FIELDS)
    if options.stop:
        body["stop"] = list(options.stop)
    if options.tools:
        body["tools"] = [_function_tool(tool) for tool in options.tools]
    if options.response_format is not None:
        body["response_format"] = with_strictness(
            options.response_format, provider.strict_json_schema
        )
    if provider.reasoning_effort is not None:
        body["reasoning_effort"] = check_effort(
            provider.reasoning_effort, REASONING_EFFORTS_CHAT, "Chat Completions"
        )
    if provider.metadata:
        warn(
            "metadata",
            "provider option 'metadata' cannot be sent on the Chat Completions API "
            "and was not sent; use api='responses' (or api='auto') to send it",
        )
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


# --- response -----------------------------------------------------------------


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    prompt = raw.get("prompt_tokens") or 0
    completion = raw.get("completion_tokens") or 0
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=raw.get("total_tokens") or prompt + completion,
        cached_input_tokens=prompt_details.get(
            "cached_tokens", raw.get("cached_tokens")
        ),
        reasoning_tokens=completion_details.get("reasoning_tokens"),
    )


def _finish(raw: Any) -> str | None:
    if raw is None:
        return None
    reason = str(raw)
    return FINISH_REASONS.get(reason, reason)


def _info(body: dict[str, Any]) -> ResponseInfo:
    created = body.get("created")
    return ResponseInfo(
        id=body.get("id"),
        model=body.get("model"),
        created=created if isinstance(created, int) else None,
    )


def _arguments(raw: Any) -> str:
    """Arguments as JSON text (TGI 1.4 sends an object)."""
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else json.dumps(raw)


def _call_id(raw: Any) -> str:
    """A string id (TGI 1.4 sends `0`); a generated one when missing."""
    if raw is None or raw == "":
        return f"call_{uuid.uuid4().hex[:24]}"
    return str(raw)


def _text(raw: Any) -> str:
    """Message content as text (some providers send a list of text parts)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return "".join(part.get("text", "") for part in raw if isinstance(part, dict))


def _raise_in_band(body: dict[str, Any]) -> None:
    error = body.get("error")
    if error is not None and not body.get("choices"):
        if isinstance(error, dict):
            code = error.get("code")
            raise in_band_error(
                _text(error.get("message")) or None,
                None if code is None else str(code),
                body=body,
            )
        raise in_band_error(str(error), body=body)


def parse_response(body: dict[str, Any]) -> GenerateResult:
    """A whole answer from a non-streaming response body."""
    _raise_in_band(body)
    choices = body.get("choices") or [{}]
    choice = choices[0]
    message = choice.get("message") or {}
    content: list[OutputPart] = []
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    if reasoning:
        content.append(ReasoningOutput(_text(reasoning)))
    text = _text(message.get("content"))
    if text:
        content.append(TextOutput(text))
    tool_calls = [
        ToolCall(
            call_id=_call_id(call.get("id")),
            name=(call.get("function") or {}).get("name") or "",
            arguments=_arguments((call.get("function") or {}).get("arguments")),
        )
        for call in message.get("tool_calls") or ()
    ]
    return GenerateResult(
        content=content,
        tool_calls=tool_calls,
        finish_reason=_finish(choice.get("finish_reason")),
        usage=_usage(body.get("usage")),
        info=_info(body),
    )


# --- stream -------------------------------------------------------------------


class StreamMapper:
    """Maps parsed stream chunks to stream parts; one instance per stream."""

    __slots__ = ("_calls", "_finish", "_info", "_usage", "done")

    def __init__(self) -> None:
        self._info: ResponseInfo | None = None
        self._finish: str | None = None
        self._usage: Usage | None = None
        self._calls: dict[int, str] = {}
        self.done = False

    def feed(self, chunk: dict[str, Any]) -> list[StreamPart]:
        """Parts for one chunk (often exactly one text delta)."""
        if "error" in chunk:
            _raise_in_band(chunk)
        if self._info is None:
            self._info = _info(chunk)
        usage = chunk.get("usage")
        if usage:
            self._usage = _usage(usage)
        parts: list[StreamPart] = []
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            if delta:
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                if reasoning:
                    parts.append(ReasoningDelta(reasoning))
                content = delta.get("content")
                if content:
                    parts.append(TextDelta(content))
                calls = delta.get("tool_calls")
                if calls:
                    parts.extend(self._tool_calls(calls))
            reason = choice.get("finish_reason")
            if reason:
                self._finish = _finish(reason)
        return parts

    def _tool_calls(self, calls: list[dict[str, Any]]) -> list[StreamPart]:
        parts: list[StreamPart] = []
        for position, call in enumerate(calls):
            index = call.get("index", position)
            function = call.get("function") or {}
            call_id: str | None = None
            if index not in self._calls:
                call_id = self._calls[index] = _call_id(call.get("id"))
            parts.append(
                ToolCallDelta(
                    index,
                    call_id,
                    function.get("name"),
                    _arguments(function.get("arguments")),
                )
            )
        return parts

    def finish(self) -> StreamFinish:
        """The closing part, once the stream has ended."""
        return StreamFinish(
            finish_reason=self._finish,
            usage=self._usage,
            info=self._info or ResponseInfo(),
        )

    @property
    def complete(self) -> bool:
        """Whether the stream said it was finished (a finish reason or `[DONE]`)."""
        return self.done or self._finish is not None
