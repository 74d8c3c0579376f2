"""Scripted replies: what the emulator should answer to the next POST request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

ReasoningStyle: TypeAlias = Literal[
    "reasoning_content", "reasoning", "think_tags", "think_open"
]
"""How reasoning travels on Chat (and whether Responses inlines it in the text)."""

SseStyle: TypeAlias = Literal["space", "nospace", "crlf"]
"""``data: {...}`` (space), ``data:{...}`` (nospace) or CRLF line endings (crlf)."""

INLINE_REASONING_STYLES: frozenset[str] = frozenset({"think_tags", "think_open"})
USAGE_KEYS: frozenset[str] = frozenset(
    {"prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens"}
)
_REASONING_STYLES = frozenset(
    {"reasoning_content", "reasoning", "think_tags", "think_open"}
)
_SSE_STYLES = frozenset({"space", "nospace", "crlf"})


@dataclass(frozen=True)
class ToolCall:
    """One function call made by the scripted assistant.

    Attributes:
        name: Function name.
        arguments: Arguments as a JSON string, sent verbatim.
        id: Chat ``tool_calls[].id`` / Responses ``call_id``; ``call_<random>`` if None.
    """

    name: str
    arguments: str
    id: str | None = None


@dataclass(frozen=True)
class McpListTools:
    """The router listing an MCP server's tools (an ``mcp_list_tools`` item).

    Attributes:
        server_label: The listed server's ``server_label``.
        tools: ``{name, input_schema, description?, annotations?}`` entries.
        error: A failed listing: ``response.mcp_list_tools.failed`` and ``error``.
        id: ``mcpl_<48 hex>`` if None.
    """

    server_label: str
    tools: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class McpCall:
    """An MCP tool call the router ran (an ``mcp_call`` item).

    Attributes:
        server_label: The server's ``server_label``.
        name: The MCP tool's name.
        arguments: Arguments as a JSON string, sent verbatim.
        output: The tool's text result.
        error: A failed call's message (``response.mcp_call.failed``).
        approval_request_id: The approved request this call runs, rendered as
            responses.js runs one: id ``mcp_`` + the request id's second
            ``_``-separated piece, whole arguments in ``output_item.added``, no
            argument events.
        id: ``mcp_<48 hex>`` if None (and not derived from an approval).
    """

    server_label: str
    name: str
    arguments: str
    output: str | None = None
    error: str | None = None
    approval_request_id: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class McpApprovalRequest:
    """An MCP tool call waiting for the user's approval (``mcp_approval_request``).

    Attributes:
        server_label: The server's ``server_label``.
        name: The MCP tool's name.
        arguments: Arguments as a JSON string, sent verbatim.
        id: ``mcpr_<48 hex>`` if None.
    """

    server_label: str
    name: str
    arguments: str
    id: str | None = None


McpItem: TypeAlias = McpListTools | McpCall | McpApprovalRequest
"""What ``Reply.mcp`` holds."""


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A successful answer, rendered by the Chat or Responses templates.

    See the package README (``tests/router_emulator/README.md``) for how each
    field appears on the wire of each API.
    """

    text: str = ""
    reasoning: str | None = None
    reasoning_style: ReasoningStyle = "reasoning_content"
    tool_calls: list[ToolCall] = field(default_factory=list)
    mcp: list[McpItem] = field(default_factory=list)
    close_all_items: bool = True
    chunk_size: int | None = None
    deltas: list[str] | None = None
    finish_reason: str | None = None
    usage: dict[str, int] | None = None
    model: str | None = None
    id: str | None = None
    created: int | None = None
    extra_delta_keys: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_before: float = 0.0
    delay_between: float = 0.0
    drop_after: int | None = None
    hold_after: int | None = None
    sse_style: SseStyle = "space"
    comments: bool = False

    def __post_init__(self) -> None:
        if self.reasoning_style not in _REASONING_STYLES:
            msg = f"unknown reasoning_style {self.reasoning_style!r}"
            raise ValueError(msg)
        if self.sse_style not in _SSE_STYLES:
            msg = f"unknown sse_style {self.sse_style!r}"
            raise ValueError(msg)
        if self.chunk_size is not None and self.chunk_size < 1:
            msg = "chunk_size must be a positive number of characters"
            raise ValueError(msg)
        if self.drop_after is not None and self.drop_after < 0:
            msg = "drop_after must be >= 0"
            raise ValueError(msg)
        check_hold_after(self.hold_after)
        unknown = set(self.usage or {}) - USAGE_KEYS
        if unknown:
            msg = f"unknown usage keys {sorted(unknown)}; use {sorted(USAGE_KEYS)}"
            raise ValueError(msg)

    @property
    def inline_reasoning(self) -> bool:
        """Whether reasoning travels inside the visible text (``<think>`` styles)."""
        return self.reasoning is not None and self.reasoning_style in (
            INLINE_REASONING_STYLES
        )


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error: ``body`` as JSON (dict/list), text (str) or nothing (None)."""

    status: int
    body: str | dict[str, Any] | list[Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    delay_before: float = 0.0
    hold_after: int | None = None

    def __post_init__(self) -> None:
        check_hold_after(self.hold_after)


@dataclass(frozen=True)
class InBandFailure:
    """The router's failure inside an HTTP 200 answer.

    On streams the failure follows the first ``stream_events_before`` events of
    the stream that ``Reply(text=partial_text)`` would produce, never its
    closing events (so on Chat with no partial text it always follows the role
    chunk, and on Responses the default 2 means ``response.created`` and
    ``response.in_progress``).
    """

    message: str
    stream_events_before: int = 2
    partial_text: str = ""


@dataclass(frozen=True)
class RawReply:
    """A reply replayed verbatim.

    With ``events`` each string is one chunked write (a ``.sse.txt`` recording
    can be replayed byte for byte); otherwise ``body`` is sent with a
    ``Content-Length``.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[str] | None = None
    delay_before: float = 0.0
    delay_between: float = 0.0
    hold_after: int | None = None

    def __post_init__(self) -> None:
        check_hold_after(self.hold_after)

    @classmethod
    def sse(cls, text: str, *, status: int = 200, **kwargs: Any) -> RawReply:
        """Replay SSE text, one chunked write per event (blank-line separated).

        The text is kept byte for byte: joining the events gives ``text`` back.
        """
        return cls(status=status, events=split_sse_text(text), **kwargs)

    @classmethod
    def json(
        cls, payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> RawReply:
        """Send ``payload`` serialised as JSON, with a JSON content type."""
        merged = {"content-type": "application/json", **(headers or {})}
        return cls(status=status, headers=merged, body=json.dumps(payload).encode())


def check_hold_after(hold_after: int | None) -> None:
    """Reject a negative ``hold_after``."""
    if hold_after is not None and hold_after < 0:
        msg = "hold_after must be >= 0 (0 holds before the status line)"
        raise ValueError(msg)


ScriptItem: TypeAlias = Reply | ErrorReply | InBandFailure | RawReply
"""Anything that can be enqueued."""


def split_sse_text(text: str) -> list[str]:
    """Split SSE text after each blank line, keeping every character."""
    events: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        current.append(line)
        if line in ("\n", "\r\n", "\r"):
            events.append("".join(current))
            current = []
    if current:
        events.append("".join(current))
    return events
