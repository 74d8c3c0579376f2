"""The Chat Completions wire format (`POST {base}/chat/completions`).

Request building, response parsing and stream-chunk mapping, with the provider
quirks `protocol.md` lists: extra delta keys, `"tool_calls": null`, integer tool
call ids and object-shaped arguments (TGI 1.4), usage in a last `choices: []`
chunk, reasoning in `reasoning_content` or `reasoning`, content as a list of text
parts, tool-call deltas without `index` or repeating the name in every delta.
Answers are read through `wire_json`: any other shape raises `WireShapeError`
naming its JSON path; `finish_reason: "error"` raises the server's own message.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

from langchain_hf_router.core.errors import (
    HuggingFaceRouterError,
    InvalidInputError,
    error_fields,
    in_band_error,
)
from langchain_hf_router.core.options import (
    SETTING_NAMES,
    Warn,
    check_effort,
    copy_set,
    warn_unsent,
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
from langchain_hf_router.core.wire import WireFormat
from langchain_hf_router.core.wire_json import (
    WireShapeError,
    count,
    describe,
    ident,
    items,
    obj,
    objects,
    string,
    text,
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
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "logprobs": "logprobs",
    "top_logprobs": "top_logprobs",
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
    where = "; MCP tools run on the router's Responses API" if kind == "mcp" else ""
    msg = (
        f"A {kind!r} tool cannot be sent on the Chat Completions API, which takes "
        f"function tools only{where}"
    )
    raise InvalidInputError(msg, needs_api="responses")


def build_body(
    prompt: list[PromptMessage], options: CallOptions, *, stream: bool, warn: Warn
) -> dict[str, Any]:
    """The JSON body for one request."""
    if has_mcp_items(prompt):
        msg = (
            "The conversation holds MCP items (server tool calls and results, "
            "approval requests or responses), which only the router's Responses "
            "API carries"
        )
        raise InvalidInputError(msg, needs_api="responses")
    provider = options.provider_options
    messages = [_message(m) for m in prompt]
    if provider.instructions:
        messages.insert(0, {"role": "system", "content": provider.instructions})
    if options.top_logprobs is not None and not options.logprobs:
        msg = (
            f"top_logprobs={options.top_logprobs} needs logprobs=True: the server "
            "gives the top candidates only with the log probabilities"
        )
        raise InvalidInputError(msg)
    body: dict[str, Any] = {"model": options.model, "messages": messages}
    copy_set(body, options, _FIELDS)
    warn_unsent(options, FORMAT.unsent, FORMAT.label, warn)
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
            provider.reasoning_effort, FORMAT.reasoning_efforts, "Chat Completions"
        )
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


# --- response -----------------------------------------------------------------

_REASONING_KEYS: Final = ("reasoning_content", "reasoning")
_ERROR_FINISH: Final = 'the provider ended the answer with finish_reason "error"'


def _at(choices: list[Any], choice: Any, tail: str = "") -> str:
    """The JSON path of `tail` inside `choice`; worked out only to name an error."""
    position = next((i for i, item in enumerate(choices) if item is choice), "?")
    return f"choices[{position}].{tail}" if tail else f"choices[{position}]"


def _too_deep(where: str) -> WireShapeError:
    return WireShapeError(f"{where} is nested too deeply to read")


def _content_text(value: Any, where: str) -> str:
    """Content as text: a string, null, or a list of text parts."""
    try:
        return text(value, where) or ""
    except RecursionError:
        raise _too_deep(where) from None


def _reasoning(
    holder: dict[str, Any], choices: list[Any], choice: Any, kind: str
) -> str:
    """The reasoning a `kind` (message or delta) carries, in whichever field it came."""
    for key in _REASONING_KEYS:
        value = holder.get(key)
        if value.__class__ is not str and value is not None:
            value = _content_text(value, _at(choices, choice, f"{kind}.{key}"))
        if value:
            return value
    return ""


def _count(holder: dict[str, Any], key: str, where: str) -> int | None:
    return count(holder.get(key), f"{where}.{key}")


def _usage(raw: Any) -> Usage | None:
    if raw is None:
        return None
    usage = obj(raw, "usage")
    prompt = _count(usage, "prompt_tokens", "usage") or 0
    completion = _count(usage, "completion_tokens", "usage") or 0
    where = "usage.prompt_tokens_details"
    cached = _count(
        obj(usage.get("prompt_tokens_details"), where), "cached_tokens", where
    )
    if cached is None:
        cached = _count(usage, "cached_tokens", "usage")
    where = "usage.completion_tokens_details"
    details = obj(usage.get("completion_tokens_details"), where)
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=_count(usage, "total_tokens", "usage") or prompt + completion,
        cached_input_tokens=cached,
        reasoning_tokens=_count(details, "reasoning_tokens", where),
    )


def _server_error(error: Any, body: dict[str, Any]) -> HuggingFaceRouterError:
    """The error a server reported in an answer, with its own message and code."""
    fields = error_fields({"error": error})
    return in_band_error(fields.message or error or None, fields.code, body=body)


def _raise_in_band(body: dict[str, Any]) -> None:
    """Raise the error an answer or chunk reports, if it reports one.

    A non-empty `error` is one even next to choices; an empty one only when no
    choices came with it; `"error": null` is none.
    """
    error = body.get("error")
    if error or (error is not None and not body.get("choices")):
        raise _server_error(error, body)


def _finish(
    choices: list[Any], choice: dict[str, Any], body: dict[str, Any]
) -> str | None:
    """The normalised finish reason; `"error"` raises the server's message."""
    reason = choice.get("finish_reason")
    if reason.__class__ is not str:
        string(reason, _at(choices, choice, "finish_reason"))  # raises unless null
        return None
    if reason == "error":
        error = choice.get("error") or body.get("error")
        raise (
            _server_error(error, body)
            if error
            else in_band_error(_ERROR_FINISH, body=body)
        )
    return FINISH_REASONS.get(reason, reason) if reason else None


def _info(body: dict[str, Any]) -> ResponseInfo:
    created = body.get("created")
    return ResponseInfo(
        id=ident(body.get("id"), "id"),
        model=string(body.get("model"), "model"),
        # Metadata only: a timestamp of another type is left out, not an error.
        created=created if created.__class__ is int else None,
    )


def _token_logprobs(raw: Any) -> list[dict[str, Any]]:
    """The token entries of a choice's `logprobs`: `{"content": [...]}` or a list.

    Metadata only, like `created`: entries of another shape are left out (some
    providers send `[]` or `null` when none were asked for).
    """
    entries = raw.get("content") if raw.__class__ is dict else raw
    if entries.__class__ is not list:
        return []
    return [entry for entry in entries if entry.__class__ is dict]


def _arguments(raw: Any, where: str) -> str:
    """Arguments as JSON text (TGI 1.4 sends an object)."""
    if raw is None:
        return ""
    if raw.__class__ is str:
        return raw
    if raw.__class__ is not dict:
        msg = f"{where} is {describe(raw)}, not JSON text or an object"
        raise WireShapeError(msg)
    try:
        return json.dumps(raw)
    except (RecursionError, ValueError):
        raise _too_deep(where) from None


def _new_call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


def _tool_call(call: dict[str, Any], at: str) -> ToolCall:
    function = obj(call.get("function"), f"{at}.function")
    return ToolCall(
        call_id=ident(call.get("id"), f"{at}.id") or _new_call_id(),
        name=string(function.get("name"), f"{at}.function.name") or "",
        arguments=_arguments(function.get("arguments"), f"{at}.function.arguments"),
    )


def parse_response(body: dict[str, Any]) -> GenerateResult:
    """A whole answer from a non-streaming response body."""
    _raise_in_band(body)
    choices = objects(body.get("choices"), "choices")
    if not choices:
        state = "missing" if body.get("choices") is None else "empty"
        raise WireShapeError(f"choices is {state}: the answer holds no message")
    choice = choices[0]
    finish_reason = _finish(choices, choice, body)
    message = obj(choice.get("message"), "choices[0].message")
    content: list[OutputPart] = []
    reasoning = _reasoning(message, choices, choice, "message")
    if reasoning:
        content.append(ReasoningOutput(reasoning))
    answer = _content_text(message.get("content"), "choices[0].message.content")
    if answer:
        content.append(TextOutput(answer))
    where = "choices[0].message.tool_calls"
    calls = objects(message.get("tool_calls"), where)
    info = _info(body)
    if choice.get("logprobs") is not None:
        info.logprobs = _token_logprobs(choice["logprobs"])
    return GenerateResult(
        content=content,
        tool_calls=[_tool_call(call, f"{where}[{i}]") for i, call in enumerate(calls)],
        finish_reason=finish_reason,
        usage=_usage(body.get("usage")),
        info=info,
    )


# --- stream -------------------------------------------------------------------


class _ToolCalls:
    """The tool calls of one stream, however the provider tells them apart.

    Most providers key each delta by `index`; some send no index, so a new `id`
    starts a new call and a delta with neither continues the latest one (one
    chunk never holds two pieces of one call). A new `id` at a known index is a
    new call too (seen from servers that number every call 0). Calls are
    numbered 0, 1, 2... in order of first appearance, whatever the provider's
    numbers. Some providers repeat the whole name in every delta: it is given
    once.
    """

    __slots__ = ("by_id", "by_index", "given", "latest", "names")

    def __init__(self) -> None:
        self.by_index: dict[int, int] = {}
        self.by_id: dict[str, int] = {}
        self.given: list[str | None] = []  # the id the server gave each call
        self.names: list[str] = []  # each call's name so far
        self.latest = -1

    def parts(self, raw: Any, where: str) -> list[StreamPart]:
        """The deltas of one chunk's `tool_calls`."""
        seen: set[int] = set()
        return [
            self._part(call, f"{where}[{i}]", seen)
            for i, call in enumerate(objects(raw, where))
        ]

    def _part(self, call: dict[str, Any], at: str, seen: set[int]) -> ToolCallDelta:
        function = obj(call.get("function"), f"{at}.function")
        call_id = ident(call.get("id"), f"{at}.id") or None
        index = call.get("index")
        if index is not None and index.__class__ is not int:
            raise WireShapeError(f"{at}.index is {describe(index)}, not an integer")
        slot = self._known(index, call_id, seen)
        new_id = None
        if slot is None:
            slot = len(self.names)
            self.names.append("")
            self.given.append(call_id)
            new_id = call_id or _new_call_id()
        if index is not None:
            self.by_index[index] = slot
        if call_id is not None:
            self.by_id.setdefault(call_id, slot)
        seen.add(slot)
        self.latest = slot
        name = string(function.get("name"), f"{at}.function.name")
        arguments = _arguments(function.get("arguments"), f"{at}.function.arguments")
        return ToolCallDelta(slot, new_id, self._name(slot, name), arguments)

    def _known(
        self, index: int | None, call_id: str | None, seen: set[int]
    ) -> int | None:
        """The call a delta continues, or None when it starts a new one."""
        if index is not None:
            slot = self.by_index.get(index)
            if slot is None or call_id is None:
                return slot
            given = self.given[slot]
            return slot if given is None or given == call_id else None
        if call_id is not None:
            return self.by_id.get(call_id)
        if self.latest < 0 or self.latest in seen:
            return None
        return self.latest

    def _name(self, slot: int, name: str | None) -> str | None:
        """The piece of the name to emit: none when the whole name came again."""
        so_far = self.names[slot]
        if not name or name == so_far:
            return None
        self.names[slot] = so_far + name
        return name


class ChatChunkMapper:
    """Maps parsed stream chunks to stream parts; one instance per stream."""

    __slots__ = ("_calls", "_done", "_finish", "_info", "_logprobs", "_usage")

    def __init__(self) -> None:
        self._info: ResponseInfo | None = None
        self._finish: str | None = None
        self._usage: Usage | None = None
        self._calls = _ToolCalls()
        self._done = False
        self._logprobs: list[dict[str, Any]] | None = None

    def feed(self, chunk: dict[str, Any]) -> list[StreamPart]:
        """Parts for one chunk (often exactly one text delta)."""
        # Runs once per token: the text path is inlined, types are checked by
        # identity, and a path for an error message is worked out only on error.
        if self._info is None or chunk.get("usage") is not None or "error" in chunk:
            self._head(chunk)
        choices = chunk.get("choices")
        if choices.__class__ is not list:
            choices = items(choices, "choices")
        parts: list[StreamPart] = []
        for choice in choices:
            if choice.__class__ is not dict or choice.get("index"):
                _check_other_choice(choices, choice)
                continue  # another choice than the first (n > 1): not asked for
            delta = choice.get("delta")
            if delta.__class__ is not dict:
                delta = obj(delta, _at(choices, choice, "delta"))
            if (
                delta.get("reasoning_content") is not None
                or delta.get("reasoning") is not None
            ):
                reasoning = _reasoning(delta, choices, choice, "delta")
                if reasoning:
                    parts.append(ReasoningDelta(reasoning))
            content = delta.get("content")
            if content.__class__ is not str and content is not None:
                content = _content_text(content, _at(choices, choice, "delta.content"))
            if content:
                parts.append(TextDelta(content))
            if delta.get("tool_calls") is not None:
                where = _at(choices, choice, "delta.tool_calls")
                parts.extend(self._calls.parts(delta["tool_calls"], where))
            if (
                choice.get("finish_reason") is not None
                or choice.get("logprobs") is not None
            ):
                self._tail(choices, choice, chunk)
        return parts

    def _tail(
        self, choices: list[Any], choice: dict[str, Any], chunk: dict[str, Any]
    ) -> None:
        """What a choice says besides its delta: token log probabilities, the end."""
        if choice.get("logprobs") is not None:
            if self._logprobs is None:
                self._logprobs = []
            self._logprobs.extend(_token_logprobs(choice["logprobs"]))
        if choice.get("finish_reason") is not None:
            self._finish = _finish(choices, choice, chunk) or self._finish

    def _head(self, chunk: dict[str, Any]) -> None:
        """What a chunk says besides its choices: an error, the usage, the ids."""
        _raise_in_band(chunk)
        if self._info is None:
            self._info = _info(chunk)
        usage = chunk.get("usage")
        if usage is not None and obj(usage, "usage"):
            self._usage = _usage(usage)

    def finish(self) -> StreamFinish:
        """The closing part, once the stream has ended."""
        info = self._info or ResponseInfo()
        info.logprobs = self._logprobs
        return StreamFinish(finish_reason=self._finish, usage=self._usage, info=info)

    def end_of_stream(self) -> None:
        """`data: [DONE]`: the stream is whole even without a finish reason."""
        self._done = True

    @property
    def complete(self) -> bool:
        """Whether the stream said it was finished (a finish reason or `[DONE]`)."""
        return self._done or self._finish is not None


def _check_other_choice(choices: list[Any], choice: Any) -> None:
    """A choice other than the first must still be an object with a whole index."""
    if choice.__class__ is not dict:
        where = _at(choices, choice)
        raise WireShapeError(f"{where} is {describe(choice)}, not an object")
    index = choice["index"]
    if index.__class__ is not int:
        where = _at(choices, choice, "index")
        raise WireShapeError(f"{where} is {describe(index)}, not an integer")


FORMAT: Final = WireFormat(
    api=API,
    label="Chat Completions",
    path=PATH,
    build_body=build_body,
    parse_response=parse_response,
    new_mapper=ChatChunkMapper,
    reasoning_efforts=frozenset({"none", "minimal", "low", "medium", "high", "xhigh"}),
    # `instructions` go first as a system message; `strict_json_schema` and the
    # tools ride inside `response_format` and `tools`.
    sends=frozenset(SETTING_NAMES) - {"metadata"},
    unsent={"metadata": "provider option 'metadata'"},
)
"""The Chat Completions wire format, as the registry in `formats.py` lists it."""
