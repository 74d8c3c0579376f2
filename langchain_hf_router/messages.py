"""LangChain messages to the core's prompt; the core's answers to LangChain messages."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, cast, get_args

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    InvalidToolCall,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages import SystemMessage as LCSystemMessage
from langchain_core.messages.ai import (
    InputTokenDetails,
    OutputTokenDetails,
    UsageMetadata,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_hf_router.core import types as core
from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.images import (
    check_image_url,
    image_url_from_base64,
    image_url_from_bytes,
)
from langchain_hf_router.mcp_blocks import (
    approval_responses,
    from_content,
    is_approval_response,
    to_blocks,
)

MODEL_PROVIDER: Final = "huggingface"

_UNSUPPORTED: Final = (
    "the router's chat APIs take text and images only; describe the content in "
    "text or send an image"
)
_ROLE_ALIASES: Final = {"human": "user", "ai": "assistant", "developer": "system"}


def image_block(
    image: bytes | str | os.PathLike[str], *, mime_type: str | None = None
) -> dict[str, Any]:
    """A standard image content block from bytes, a file path or a URL.

    Bytes and files become base64 with their MIME type sniffed from the magic
    bytes when not given; `http(s)://` and `data:` URLs are kept as URLs.

    Args:
        image: Raw image bytes, a path to an image file, or a URL.
        mime_type: The image's MIME type, when you know it.
    """
    if isinstance(image, str) and image.startswith(("http://", "https://", "data:")):
        return {"type": "image", "url": check_image_url(image)}
    data = image if isinstance(image, bytes) else Path(image).read_bytes()
    header, _, encoded = image_url_from_bytes(data, mime_type).partition(",")
    return {"type": "image", "base64": encoded, "mime_type": header[5:-7]}


# --- LangChain -> prompt ------------------------------------------------------------


def _image_part(block: dict[str, Any]) -> core.ImagePart:
    kind = block.get("type")
    if kind == "image_url":
        raw = block.get("image_url")
        url = raw.get("url") if isinstance(raw, dict) else raw
        detail = raw.get("detail") if isinstance(raw, dict) else None
        if not isinstance(url, str):
            msg = "An 'image_url' block needs image_url={'url': ...}."
            raise InvalidInputError(msg)
        return core.ImagePart(check_image_url(url), detail)
    mime = block.get("mime_type")
    detail = (block.get("extras") or {}).get("detail") or block.get("detail")
    # `data` is the legacy key: base64 text or (here) raw bytes, unless it holds a URL.
    data = block.get("base64")
    if data is None and block.get("source_type") != "url":
        data = block.get("data")
    if isinstance(data, (bytes, bytearray)):
        return core.ImagePart(image_url_from_bytes(bytes(data), mime), detail)
    if isinstance(data, str):
        return core.ImagePart(image_url_from_base64(data, mime), detail)
    url = block.get("url")
    if url is None and block.get("source_type") == "url":
        url = block.get("data") or block.get("url")
    if isinstance(url, str):
        return core.ImagePart(check_image_url(url), detail)
    msg = (
        "An image block needs 'url', or 'base64' with 'mime_type' (or 'data' with "
        f"raw bytes; or use image_block()); got keys {sorted(block)}. Uploaded "
        "file ids are not supported by the router."
    )
    raise InvalidInputError(msg)


def _user_parts(content: str | list[Any]) -> tuple[core.UserPart, ...]:
    if isinstance(content, str):
        return (core.TextPart(content),)
    parts: list[core.UserPart] = []
    for block in content:
        if isinstance(block, str):
            parts.append(core.TextPart(block))
            continue
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            parts.append(core.TextPart(block["text"]))
        elif kind in ("image", "image_url"):
            parts.append(_image_part(block))
        elif not is_approval_response(block):  # taken by `approval_responses`
            msg = f"Content blocks of type {kind!r} are not supported: {_UNSUPPORTED}."
            raise InvalidInputError(msg)
    return tuple(parts)


def _plain_text(content: str | list[Any], role: str) -> str:
    """Text of a system or tool message; other blocks are refused."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            texts.append(block["text"])
        else:
            kind = (
                block.get("type") if isinstance(block, dict) else type(block).__name__
            )
            msg = f"A {role} message can only hold text here, not {kind!r} blocks."
            raise InvalidInputError(msg)
    return "".join(texts)


def _assistant_text(content: str | list[Any]) -> str:
    """The visible text of an earlier answer; reasoning and tool blocks stay out."""
    if isinstance(content, str):
        return content
    return "".join(
        block if isinstance(block, str) else block.get("text", "")
        for block in content
        if isinstance(block, str) or block.get("type") == "text"
    )


def _assistant(message: AIMessage) -> core.AssistantMessage:
    calls = [
        core.ToolCallPart(
            call_id=call.get("id") or "",
            name=call["name"],
            arguments=json.dumps(call["args"], ensure_ascii=False),
        )
        for call in message.tool_calls
    ]
    calls.extend(
        core.ToolCallPart(
            call_id=call.get("id") or "",
            name=call.get("name") or "",
            arguments=call.get("args") or "{}",
        )
        for call in message.invalid_tool_calls
    )
    return core.AssistantMessage(
        _assistant_text(message.content), tuple(calls), from_content(message.content)
    )


def _tool_output(content: str | list[Any]) -> str:
    if isinstance(content, str):
        return content
    if all(isinstance(b, str) or b.get("type") == "text" for b in content):
        return _assistant_text(content)
    return json.dumps(content, ensure_ascii=False)


def to_prompt(messages: Sequence[BaseMessage]) -> list[core.PromptMessage]:
    """Convert a LangChain conversation; unsupported content raises before sending."""
    if not messages:
        msg = "The message list is empty; pass at least one message."
        raise InvalidInputError(msg)
    prompt: list[core.PromptMessage] = []
    for original in messages:
        message = _by_role(original) if isinstance(original, ChatMessage) else original
        if isinstance(message, LCSystemMessage):
            prompt.append(core.SystemMessage(_plain_text(message.content, "system")))
        elif isinstance(message, HumanMessage):
            prompt.append(
                core.UserMessage(
                    _user_parts(message.content), approval_responses(message.content)
                )
            )
        elif isinstance(message, AIMessage):
            prompt.append(_assistant(message))
        elif isinstance(message, ToolMessage):
            prompt.append(
                core.ToolResultMessage(
                    call_id=message.tool_call_id,
                    output=_tool_output(message.content),
                    is_error=message.status == "error",
                )
            )
        else:
            msg = (
                f"{type(message).__name__} is not supported; use System, Human, AI "
                "or Tool messages."
            )
            raise InvalidInputError(msg)
    return prompt


def _by_role(message: ChatMessage) -> BaseMessage:
    role = _ROLE_ALIASES.get(message.role, message.role)
    if role == "system":
        return LCSystemMessage(content=message.content)
    if role == "user":
        return HumanMessage(content=message.content)
    if role == "assistant":
        return AIMessage(content=message.content)
    msg = (
        f"Chat message role {message.role!r} is not supported; use system, user "
        "or assistant."
    )
    raise InvalidInputError(msg)


# --- answers -> LangChain ------------------------------------------------------------


def usage_metadata(usage: core.Usage | None) -> UsageMetadata | None:
    """LangChain's usage record, with cache and reasoning details when reported."""
    if usage is None:
        return None
    out: dict[str, Any] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_input_tokens is not None:
        out["input_token_details"] = InputTokenDetails(
            cache_read=usage.cached_input_tokens
        )
    if usage.reasoning_tokens is not None:
        out["output_token_details"] = OutputTokenDetails(
            reasoning=usage.reasoning_tokens
        )
    return cast("UsageMetadata", out)


def response_metadata(
    info: core.ResponseInfo, finish_reason: str | None, api: str
) -> dict[str, Any]:
    """The same keys for an invoked message and for a stream's one metadata chunk.

    `logprobs` is there only when the server sent them (`logprobs=True`).
    """
    metadata: dict[str, Any] = {
        "model_name": info.model,
        "finish_reason": finish_reason,
        "id": info.id,
        "created": info.created,
        "model_provider": MODEL_PROVIDER,
        "api": api,
    }
    if info.logprobs is not None:
        metadata["logprobs"] = {"content": info.logprobs}
    return metadata


def _tool_calls(
    calls: Sequence[core.ToolCall],
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in calls:
        error: str | None = None
        try:
            args = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError as exc:
            error = f"arguments are not valid JSON: {exc}"
        else:
            if not isinstance(args, dict):
                error = "arguments are not a JSON object"
        if error is None:
            valid.append(
                ToolCall(name=call.name, args=args, id=call.call_id, type="tool_call")
            )
        else:
            invalid.append(
                invalid_tool_call(
                    name=call.name, args=call.arguments, id=call.call_id, error=error
                )
            )
    return valid, invalid


_CITATION_KEYS: Final = ("url", "title", "start_index", "end_index")
_MCP_PARTS: Final = frozenset(get_args(core.McpItem))


def citation(annotation: dict[str, Any]) -> dict[str, Any]:
    """A Responses text annotation as LangChain's citation (or non-standard) one.

    `url_citation` and the file citations become `{"type": "citation", ...}` with
    what does not fit LangChain's keys in `extras`; other kinds (`file_path`,
    unknown ones) are kept whole as a `non_standard_annotation`.
    """
    kind = annotation.get("type")
    if kind not in ("url_citation", "file_citation", "container_file_citation"):
        return {"type": "non_standard_annotation", "value": annotation}
    out: dict[str, Any] = {"type": "citation"}
    extras: dict[str, Any] = {}
    for key, value in annotation.items():
        if key in _CITATION_KEYS:
            out[key] = value
        elif key == "filename" and "title" not in annotation:
            out["title"] = value
        elif key != "type":
            extras[key] = value
    if kind != "url_citation":
        extras["kind"] = kind
    if extras:
        out["extras"] = extras
    return out


def to_ai_message(result: core.GenerateResult, api: str) -> AIMessage:
    """The invoked answer: a string, or blocks (reasoning, MCP, text) in order."""
    content: str | list[str | dict[str, Any]]
    if all(
        isinstance(part, core.TextOutput) and not part.annotations
        for part in result.content
    ):
        content = "".join(
            part.text for part in result.content if isinstance(part, core.TextOutput)
        )
    else:
        content = [block for part in _merged(result.content) for block in _blocks(part)]
    valid, invalid = _tool_calls(result.tool_calls)
    return AIMessage(
        content=content,
        tool_calls=valid,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(result.usage),
        response_metadata=response_metadata(result.info, result.finish_reason, api),
        id=result.info.id,
    )


def _blocks(part: core.OutputPart) -> list[dict[str, Any]]:
    if isinstance(part, core.ReasoningOutput):
        return [{"type": "reasoning", "reasoning": part.text}]
    if isinstance(part, core.TextOutput):
        block: dict[str, Any] = {"type": "text", "text": part.text}
        if part.annotations:
            block["annotations"] = [citation(note) for note in part.annotations]
        return [block]
    return to_blocks(part)


def _merged(parts: list[core.OutputPart]) -> list[core.OutputPart]:
    """Adjacent text (or reasoning) parts joined, as a stream's chunks merge.

    Text with annotations stays a block of its own: their offsets count from
    the start of their own text.
    """
    merged: list[core.OutputPart] = []
    for part in parts:
        last = merged[-1] if merged else None
        if (
            isinstance(part, core.TextOutput | core.ReasoningOutput)
            and isinstance(last, type(part))
            and not getattr(part, "annotations", ())
            and not getattr(last, "annotations", ())
        ):
            merged[-1] = type(part)(last.text + part.text)
        else:
            merged.append(part)
    return merged


class ChunkBuilder:
    """Turns one stream's parts into LangChain chunks.

    Text stays a plain string until reasoning or an MCP item appears; from then on
    content is a list of indexed blocks, so that chunks merge into the invoked message's
    blocks. Content blocks and tool-call chunks draw indices from one counter,
    so they never collide under `output_version="v1"`.
    """

    __slots__ = ("_api", "_block", "_kind", "_listed", "_next", "_tools")

    def __init__(self, api: str) -> None:
        self._api = api
        self._listed = False
        self._kind: type | None = None
        self._block = -1
        self._next = 0
        self._tools: dict[int, int] = {}

    def _index(self, kind: type) -> int:
        if kind is not self._kind:
            self._kind = kind
            self._block = self._next
            self._next += 1
        return self._block

    def chunk(self, part: core.StreamPart) -> ChatGenerationChunk:
        """The chunk for one part."""
        cls = type(part)
        if cls is core.TextDelta:
            text: str = part.text  # type: ignore[union-attr]
            index = self._index(cls)
            if not self._listed:
                return ChatGenerationChunk(message=AIMessageChunk(content=text))
            block = {"type": "text", "text": text, "index": index}
            return ChatGenerationChunk(message=AIMessageChunk(content=[block]))
        if cls is core.ReasoningDelta:
            self._listed = True
            block = {
                "type": "reasoning",
                "reasoning": part.text,  # type: ignore[union-attr]
                "index": self._index(cls),
            }
            return ChatGenerationChunk(message=AIMessageChunk(content=[block]))
        if cls is core.ToolCallDelta:
            return self._tool_chunk(part)  # type: ignore[arg-type]
        if cls is core.TextAnnotation:
            return self._annotation_chunk(part)  # type: ignore[arg-type]
        if cls is core.StreamFinish:
            return self._finish(part)  # type: ignore[arg-type]
        if cls in _MCP_PARTS:
            return self._mcp_chunk(part)  # type: ignore[arg-type]
        msg = f"no LangChain chunk for the stream part {cls.__name__}"
        raise TypeError(msg)

    def _fresh(self) -> int:
        """A new index; the next text or reasoning starts a block of its own."""
        self._kind = None
        self._next += 1
        return self._next - 1

    def _empty(self) -> str | list[str | dict[str, Any]]:
        return [] if self._listed else ""

    def _tool_chunk(self, part: core.ToolCallDelta) -> ChatGenerationChunk:
        index = self._tools.get(part.index)
        if index is None:
            index = self._tools[part.index] = self._fresh()
        chunk = tool_call_chunk(
            name=part.name, args=part.arguments, id=part.call_id, index=index
        )
        message = AIMessageChunk(content=self._empty(), tool_call_chunks=[chunk])
        return ChatGenerationChunk(message=message)

    def _annotation_chunk(self, part: core.TextAnnotation) -> ChatGenerationChunk:
        """A citation on the text block streamed so far (content is a list from now).

        When the text so far streamed as a plain string, the summed message holds
        that string followed by the annotated (empty) text block.
        """
        self._listed = True
        block = {
            "type": "text",
            "text": "",
            "annotations": [citation(part.annotation)],
            "index": self._index(core.TextDelta),
        }
        return ChatGenerationChunk(message=AIMessageChunk(content=[block]))

    def _mcp_chunk(self, part: core.McpItem) -> ChatGenerationChunk:
        """An MCP item's blocks, whole (never tool-call chunks: the server ran it)."""
        self._listed = True
        blocks: list[str | dict[str, Any]] = [
            {**block, "index": self._fresh()} for block in to_blocks(part)
        ]
        return ChatGenerationChunk(message=AIMessageChunk(content=blocks))

    def _finish(self, part: core.StreamFinish) -> ChatGenerationChunk:
        message = AIMessageChunk(
            content=self._empty(),
            usage_metadata=usage_metadata(part.usage),
            response_metadata=response_metadata(
                part.info, part.finish_reason, self._api
            ),
            id=part.info.id,
            chunk_position="last",
        )
        return ChatGenerationChunk(message=message)
