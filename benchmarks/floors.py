"""The two floors: LangChain with no I/O, and raw `httpx` + `json.loads` of the SSE."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from benchmarks.wire import MODEL, WORD, Api


class NoIOChatModel(BaseChatModel):
    """LangChain's own floor: one `AIMessageChunk` per event, built with no I/O."""

    chunks: int
    """Chunks per streamed answer (words per invoked one)."""

    @property
    def _llm_type(self) -> str:
        return "bench-no-io"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = AIMessage(content=WORD * self.chunks)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for _ in range(self.chunks):
            yield ChatGenerationChunk(message=AIMessageChunk(content=WORD))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for _ in range(self.chunks):
            yield ChatGenerationChunk(message=AIMessageChunk(content=WORD))


def _has_text(api: Api, event: dict[str, Any]) -> bool:
    if api == "responses":
        return bool(event.get("type") == "response.output_text.delta")
    choices = event.get("choices")
    return bool(choices and choices[0]["delta"].get("content"))


def _body(api: Api, *, stream: bool) -> dict[str, Any]:
    if api == "responses":
        return {"model": MODEL, "input": "Hi", "stream": stream}
    messages = [{"role": "user", "content": "Hi"}]
    return {"model": MODEL, "messages": messages, "stream": stream}


class RawHttpx:
    """The transport floor: `httpx` reads the SSE and `json.loads` each data line.

    Made for one event loop (the async client is created on first use in it).
    """

    def __init__(self, api: Api, url: str) -> None:
        self.api = api
        self._url = url + ("/responses" if api == "responses" else "/chat/completions")
        self._client = httpx.Client()
        self._async: httpx.AsyncClient | None = None

    def _parse(self, line: str, counts: list[int]) -> None:
        if line.startswith("data: ") and line != "data: [DONE]":
            event = json.loads(line[6:])
            counts[0] += 1
            counts[1] += _has_text(self.api, event)

    def stream(self) -> tuple[int, int]:
        """Events parsed and events carrying text, for one streamed answer."""
        counts = [0, 0]
        body = _body(self.api, stream=True)
        with self._client.stream("POST", self._url, json=body) as response:
            for line in response.iter_lines():
                self._parse(line, counts)
        return counts[0], counts[1]

    async def astream(self) -> tuple[int, int]:
        """Async `stream`."""
        if self._async is None:
            self._async = httpx.AsyncClient(limits=httpx.Limits(max_connections=None))
        counts = [0, 0]
        body = _body(self.api, stream=True)
        async with self._async.stream("POST", self._url, json=body) as response:
            async for line in response.aiter_lines():
                self._parse(line, counts)
        return counts[0], counts[1]

    def invoke(self) -> str:
        """One non-streamed answer, parsed."""
        response = self._client.post(self._url, json=_body(self.api, stream=False))
        return str(json.loads(response.content)["id"])
