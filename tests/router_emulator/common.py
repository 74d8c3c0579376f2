"""Helpers shared by the templates: ids, delta splitting, token usage."""

from __future__ import annotations

import re
import secrets
import string
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .script import Reply

_ALNUM = string.ascii_letters + string.digits
# A word with the whitespace before it, or trailing whitespace: "Hello there" ->
# "Hello", " there" (roughly what a BPE tokenizer streams).
_WORDISH = re.compile(r"\s*\S+|\s+")


def random_alnum(length: int) -> str:
    """Random letters and digits (the shape of llama.cpp and OpenAI ids)."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def random_hex_id(prefix: str) -> str:
    """An id like responses.js makes: ``resp_``/``msg_``/``rs_``/``fc_`` + 48 hex."""
    return f"{prefix}_{secrets.token_hex(24)}"


def chat_completion_id() -> str:
    """A Chat Completions id, ``chatcmpl-`` + 32 letters and digits."""
    return f"chatcmpl-{random_alnum(32)}"


def tool_call_id() -> str:
    """A default tool call id, ``call_`` + 24 letters and digits."""
    return f"call_{random_alnum(24)}"


def now() -> int:
    """Unix time in seconds."""
    return int(time.time())


def split_deltas(text: str, chunk_size: int | None) -> list[str]:
    """Split text into stream deltas: ``chunk_size`` characters, or word pieces."""
    if not text:
        return []
    if chunk_size is not None:
        return [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)]
    return _WORDISH.findall(text)


def inline_reasoning_deltas(reply: Reply) -> list[str]:
    """Deltas of the visible text when reasoning is inlined with think tags.

    Without ``chunk_size`` the tags are single pieces (a tokenizer's special
    tokens); with it the whole string is cut blindly, so tags may be split.
    """
    reasoning = reply.reasoning or ""
    opening = "<think>" if reply.reasoning_style == "think_tags" else ""
    if reply.chunk_size is not None:
        whole = f"{opening}{reasoning}</think>{reply.text}"
        return split_deltas(whole, reply.chunk_size)
    head = [opening] if opening else []
    return [
        *head,
        *split_deltas(reasoning, None),
        "</think>",
        *split_deltas(reply.text, None),
    ]


def visible_text_deltas(reply: Reply) -> list[str]:
    """The deltas of the answer channel (Chat ``content``, Responses output_text)."""
    if reply.deltas is not None:
        return list(reply.deltas)
    if reply.inline_reasoning:
        return inline_reasoning_deltas(reply)
    return split_deltas(reply.text, reply.chunk_size)


def separate_reasoning_deltas(reply: Reply) -> list[str]:
    """The deltas of reasoning sent apart from the text (empty when inlined)."""
    if reply.reasoning is None or reply.inline_reasoning:
        return []
    return split_deltas(reply.reasoning, reply.chunk_size)


def argument_deltas(reply: Reply, arguments: str) -> list[str]:
    """The fragments a tool call's arguments are streamed in."""
    return split_deltas(arguments, reply.chunk_size)


@dataclass(frozen=True)
class Usage:
    """Token counts in neutral form, rendered differently by each API."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    reasoning_tokens: int

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion."""
        return self.prompt_tokens + self.completion_tokens


def resolve_usage(scripted: Mapping[str, int] | None, default_completion: int) -> Usage:
    """Fill the scripted usage with defaults (prompt 10, completion = deltas)."""
    given = dict(scripted or {})
    return Usage(
        prompt_tokens=given.get("prompt_tokens", 10),
        completion_tokens=given.get("completion_tokens", default_completion),
        cached_tokens=given.get("cached_tokens", 0),
        reasoning_tokens=given.get("reasoning_tokens", 0),
    )


def count_deltas(reply: Reply) -> int:
    """How many deltas a stream of this reply carries (the default completion)."""
    arguments = sum(len(argument_deltas(reply, c.arguments)) for c in reply.tool_calls)
    return (
        len(visible_text_deltas(reply))
        + len(separate_reasoning_deltas(reply))
        + arguments
    )


def requested_model(request: Mapping[str, Any], reply_model: str | None) -> str:
    """The served model name: scripted, else the request's ``model`` echoed."""
    if reply_model is not None:
        return reply_model
    model = request.get("model")
    return model if isinstance(model, str) else ""
