"""What is measured: each chat model (and floor) built against the benchmark server.

`langchain_openai` and `langchain_huggingface` are imported when first built, so
that a process measuring one client loads only that one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import SecretStr

from benchmarks.floors import NoIOChatModel, RawHttpx
from benchmarks.server import Endpoint
from benchmarks.wire import MODEL, Api
from langchain_hf_router import ChatHuggingFaceRouter

ROUTER_CHAT: Final = "router_chat"
ROUTER_RESPONSES: Final = "router_responses"
OPENAI_CHAT: Final = "openai_chat"
OPENAI_RESPONSES: Final = "openai_responses"
HF_CHAT: Final = "hf_chat"
FLOOR_NO_IO: Final = "floor_no_io"
FLOOR_HTTPX_CHAT: Final = "floor_httpx_chat"
FLOOR_HTTPX_RESPONSES: Final = "floor_httpx_responses"
ROUTERS: Final = (ROUTER_CHAT, ROUTER_RESPONSES)
"""The package's two APIs; `OPENAI_OF` pairs each with ChatOpenAI on the same API."""
OPENAI_OF: Final = {ROUTER_CHAT: OPENAI_CHAT, ROUTER_RESPONSES: OPENAI_RESPONSES}
LABELS: Final = {
    ROUTER_CHAT: "ChatHuggingFaceRouter (chat)",
    ROUTER_RESPONSES: "ChatHuggingFaceRouter (responses)",
    OPENAI_CHAT: "ChatOpenAI (chat)",
    OPENAI_RESPONSES: "ChatOpenAI (responses)",
    HF_CHAT: "ChatHuggingFace (chat)",
    FLOOR_NO_IO: "floor: BaseChatModel, no I/O",
    FLOOR_HTTPX_CHAT: "floor: httpx + json.loads (chat)",
    FLOOR_HTTPX_RESPONSES: "floor: httpx + json.loads (responses)",
}

PROMPT: Final = "Hi"
_KEY: Final = SecretStr("bench")


class Runner(Protocol):
    """One client bound to one answer size."""

    def stream(self) -> tuple[int, int]:
        """Stream one answer: (chunks yielded, chunks with text)."""

    async def astream(self) -> tuple[int, int]:
        """Async `stream`."""

    def invoke(self) -> str:
        """Invoke once; the answer's text (or id)."""


class ChatModelRunner:
    """A LangChain chat model through `.stream()`, `.astream()` and `.invoke()`."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def stream(self) -> tuple[int, int]:
        """Chunks yielded by `.stream()` and how many carry text."""
        chunks = text = 0
        for chunk in self.model.stream(PROMPT):
            chunks += 1
            text += bool(chunk.text)
        return chunks, text

    async def astream(self) -> tuple[int, int]:
        """Async `stream`."""
        chunks = text = 0
        async for chunk in self.model.astream(PROMPT):
            chunks += 1
            text += bool(chunk.text)
        return chunks, text

    def invoke(self) -> str:
        """The invoked answer's text."""
        return self.model.invoke(PROMPT).text


@dataclass
class Target:
    """One row of the report: a label and a runner per answer size (made once)."""

    key: str
    label: str
    build: Callable[[int], Runner]
    _runners: dict[int, Runner] = field(default_factory=dict, repr=False)

    def runner(self, size: int) -> Runner:
        """The runner whose answers have `size` chunks (or words)."""
        runner = self._runners.get(size)
        if runner is None:
            runner = self._runners[size] = self.build(size)
        return runner


def _router(endpoint: Endpoint, api: Api) -> Callable[[int], Runner]:
    def build(size: int) -> Runner:
        model = ChatHuggingFaceRouter(
            model=MODEL,
            api=api,
            base_url=endpoint.url(size),
            api_key=_KEY,
            max_retries=0,
        )
        return ChatModelRunner(model)

    return build


def _openai(endpoint: Endpoint, *, responses: bool) -> Callable[[int], Runner]:
    def build(size: int) -> Runner:
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(
            model=MODEL,
            base_url=endpoint.url(size),
            api_key=_KEY,
            max_retries=0,
            use_responses_api=responses,
        )
        return ChatModelRunner(model)

    return build


def _huggingface(endpoint: Endpoint) -> Callable[[int], Runner]:
    def build(size: int) -> Runner:
        from langchain_huggingface import ChatHuggingFace, HuggingFaceEndpoint

        llm = HuggingFaceEndpoint(endpoint_url=endpoint.url(size))  # type: ignore[call-arg]
        return ChatModelRunner(ChatHuggingFace(llm=llm))

    return build


def _no_io(size: int) -> Runner:
    return ChatModelRunner(NoIOChatModel(chunks=size))


def _raw(endpoint: Endpoint, api: Api) -> Callable[[int], Runner]:
    return lambda size: RawHttpx(api, endpoint.url(size))


def targets(endpoint: Endpoint) -> dict[str, Target]:
    """Every client and floor, by key, in report order."""
    builders: dict[str, Callable[[int], Runner]] = {
        ROUTER_CHAT: _router(endpoint, "chat_completions"),
        ROUTER_RESPONSES: _router(endpoint, "responses"),
        OPENAI_CHAT: _openai(endpoint, responses=False),
        OPENAI_RESPONSES: _openai(endpoint, responses=True),
        HF_CHAT: _huggingface(endpoint),
        FLOOR_NO_IO: _no_io,
        FLOOR_HTTPX_CHAT: _raw(endpoint, "chat_completions"),
        FLOOR_HTTPX_RESPONSES: _raw(endpoint, "responses"),
    }
    return {key: Target(key, LABELS[key], build) for key, build in builders.items()}
