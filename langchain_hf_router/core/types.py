"""The neutral vocabulary between the LangChain layer and the wire formats.

Prompts go down as `PromptMessage`s made of parts; answers come up as a
`GenerateResult` (whole) or as a sequence of stream parts. Nothing here knows a
wire format or a LangChain class. The stream parts are the only per-event
objects the core creates, so they are small slotted classes.

The records are slotted dataclasses that the package never changes once built.
They are not declared `frozen`: a frozen slotted dataclass takes three times as
long to define, and this module is on the import path of every user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

# --- prompt -----------------------------------------------------------------


@dataclass(slots=True)
class TextPart:
    """Plain text inside a message."""

    text: str


@dataclass(slots=True)
class ImagePart:
    """An image, already resolved to a URL (`https://…` or a `data:` URL)."""

    url: str
    detail: str | None = None


@dataclass(slots=True)
class ToolCallPart:
    """A tool call the assistant made earlier in the conversation."""

    call_id: str
    name: str
    arguments: str  # JSON text, as the wire formats carry it


UserPart: TypeAlias = TextPart | ImagePart


# --- MCP items: run by the server, shown to the user, sent back in history --------


@dataclass(slots=True)
class McpListTools:
    """The tools an MCP server offered; `tools` as the server listed them."""

    id: str
    server_label: str
    tools: tuple[dict[str, Any], ...]
    error: str | None = None


@dataclass(slots=True)
class McpCall:
    """An MCP tool call the server ran; `arguments` is the raw JSON text."""

    id: str
    server_label: str
    name: str
    arguments: str
    output: str | None = None
    error: str | None = None
    approval_request_id: str | None = None


@dataclass(slots=True)
class McpApprovalRequest:
    """An MCP tool call the server runs only once the user approves it."""

    id: str
    server_label: str
    name: str
    arguments: str


McpItem: TypeAlias = McpListTools | McpCall | McpApprovalRequest


@dataclass(slots=True)
class McpApprovalResponse:
    """The user's answer to an `McpApprovalRequest`."""

    approval_request_id: str
    approve: bool
    reason: str | None = None


@dataclass(slots=True)
class SystemMessage:
    """Instructions from the application."""

    text: str


@dataclass(slots=True)
class UserMessage:
    """A user turn: text and images, and answers to MCP approval requests."""

    parts: tuple[UserPart, ...]
    approvals: tuple[McpApprovalResponse, ...] = ()


@dataclass(slots=True)
class AssistantMessage:
    """An earlier assistant turn: its visible text, tool calls and MCP items."""

    text: str
    tool_calls: tuple[ToolCallPart, ...] = ()
    mcp_items: tuple[McpItem, ...] = ()


@dataclass(slots=True)
class ToolResultMessage:
    """The result of running one tool call."""

    call_id: str
    output: str
    is_error: bool = False


PromptMessage: TypeAlias = (
    SystemMessage | UserMessage | AssistantMessage | ToolResultMessage
)


def has_mcp_items(prompt: Iterable[PromptMessage]) -> bool:
    """Whether a conversation holds MCP items or approvals (Responses API only)."""
    return any(
        (isinstance(message, UserMessage) and message.approvals)
        or (isinstance(message, AssistantMessage) and message.mcp_items)
        for message in prompt
    )


# --- call options -------------------------------------------------------------

ReasoningEffort: TypeAlias = Literal[
    "none", "minimal", "low", "medium", "high", "xhigh"
]


@dataclass(slots=True)
class ProviderOptions:
    """Router options beyond the common sampling settings."""

    metadata: dict[str, str] | None = None
    instructions: str | None = None
    strict_json_schema: bool | None = None
    reasoning_effort: ReasoningEffort | None = None


@dataclass(slots=True)
class CallOptions:
    """Everything one request needs besides the prompt."""

    model: str
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    provider_options: ProviderOptions = field(default_factory=ProviderOptions)
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    starts_inside_think: bool | None = None


# --- results ------------------------------------------------------------------


@dataclass(slots=True)
class Usage:
    """Token counts; the details are None when the server did not report them."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cached_input_tokens: int | None = None
    reasoning_tokens: int | None = None


FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter"]


@dataclass(slots=True)
class ToolCall:
    """A tool call the model asked for; `arguments` is the raw JSON text."""

    call_id: str
    name: str
    arguments: str


@dataclass(slots=True)
class ReasoningOutput:
    """Reasoning text, in answer order."""

    text: str


@dataclass(slots=True)
class TextOutput:
    """Answer text, in answer order, with the citations the server attached to it.

    `annotations` are the Responses API's own annotation objects (`url_citation`,
    `file_citation`, ...), as the server sent them.
    """

    text: str
    annotations: tuple[dict[str, Any], ...] = ()


OutputPart: TypeAlias = ReasoningOutput | TextOutput | McpItem


@dataclass(slots=True)
class ResponseInfo:
    """What the server says about the response besides its content.

    `logprobs` holds the token entries (`{"token", "logprob", "top_logprobs",
    ...}`) when they were asked for and sent.
    """

    id: str | None = None
    model: str | None = None
    created: int | None = None
    logprobs: list[dict[str, Any]] | None = None


@dataclass(slots=True)
class GenerateResult:
    """A whole answer."""

    content: list[OutputPart]
    tool_calls: list[ToolCall]
    finish_reason: str | None
    usage: Usage | None
    info: ResponseInfo


# --- stream parts ---------------------------------------------------------------


class TextDelta:
    """A piece of answer text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class ReasoningDelta:
    """A piece of reasoning text."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class TextAnnotation:
    """An annotation (a citation) on the answer text streamed so far."""

    __slots__ = ("annotation",)

    def __init__(self, annotation: dict[str, Any]) -> None:
        self.annotation = annotation


class ToolCallDelta:
    """A piece of a streamed tool call; `index` is the call's position (0-based)."""

    __slots__ = ("arguments", "call_id", "index", "name")

    def __init__(
        self, index: int, call_id: str | None, name: str | None, arguments: str
    ) -> None:
        self.index = index
        self.call_id = call_id
        self.name = name
        self.arguments = arguments


@dataclass(slots=True)
class StreamFinish:
    """The end of a stream: why it ended and what it cost."""

    finish_reason: str | None
    usage: Usage | None
    info: ResponseInfo


# MCP items stream whole, once the server has run them.
StreamPart: TypeAlias = (
    TextDelta | ReasoningDelta | TextAnnotation | ToolCallDelta | McpItem | StreamFinish
)
