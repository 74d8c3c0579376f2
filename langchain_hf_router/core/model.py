"""One language model per router API: send, retry, parse; sync and async.

Everything but the I/O lines is shared: the wire format builds and parses, the
`StreamDecoder` maps bytes to parts, `http` sends and decides on retries.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.errors import HuggingFaceRouterError, ServerError
from langchain_hf_router.core.http import (
    Deadline,
    asend,
    body_of,
    build_request,
    retry_wait,
    send,
    start_attempt,
    status_error,
    transport_errors,
)
from langchain_hf_router.core.options import Warn
from langchain_hf_router.core.settings import Settings
from langchain_hf_router.core.stream import (
    UNFORESEEN,
    StreamDecoder,
    StreamMapper,
    malformed,
)
from langchain_hf_router.core.think import split_whole, starts_inside_think
from langchain_hf_router.core.types import (
    CallOptions,
    GenerateResult,
    OutputPart,
    PromptMessage,
    ReasoningOutput,
    StreamPart,
    TextOutput,
)

logger = logging.getLogger("langchain_hf_router")


@dataclass(slots=True)
class WireFormat:
    """The pieces of one API's wire format that a `LanguageModel` drives."""

    api: str
    label: str
    path: str
    build_body: Callable[..., dict[str, Any]]
    parse_response: Callable[[dict[str, Any]], GenerateResult]
    new_mapper: Callable[[], StreamMapper]


CHAT_COMPLETIONS = WireFormat(
    chat_completions.API,
    "Chat Completions",
    chat_completions.PATH,
    chat_completions.build_body,
    chat_completions.parse_response,
    chat_completions.StreamMapper,
)
RESPONSES = WireFormat(
    responses.API,
    "Responses",
    responses.PATH,
    responses.build_body,
    responses.parse_response,
    responses.StreamMapper,
)


def _split_think(content: list[OutputPart]) -> list[OutputPart]:
    out: list[OutputPart] = []
    for part in content:
        if (
            isinstance(part, TextOutput)
            and "think>" in part.text
            and not part.annotations
        ):
            out.extend(
                ReasoningOutput(text) if reasoning else TextOutput(text)
                for reasoning, text in split_whole(part.text)
            )
        else:
            out.append(part)
    return out


class LanguageModel:
    """A model behind one router API: `generate`, `stream` and their async twins."""

    def __init__(self, wire: WireFormat, settings: Settings) -> None:
        self.wire = wire
        self.settings = settings

    @property
    def api(self) -> str:
        """`"chat_completions"` or `"responses"`."""
        return self.wire.api

    def build_body(
        self,
        prompt: list[PromptMessage],
        options: CallOptions,
        *,
        stream: bool,
        warn: Warn,
    ) -> dict[str, Any]:
        """The JSON body this model would send (validation errors raise here)."""
        return self.wire.build_body(prompt, options, stream=stream, warn=warn)

    def _request(
        self, client: httpx.Client | httpx.AsyncClient, body: dict[str, Any]
    ) -> httpx.Request:
        return build_request(self.settings, client, "POST", self.wire.path, body)

    def _result(self, response: httpx.Response) -> GenerateResult:
        body = body_of(response)
        if not isinstance(body, dict):
            msg = "the answer is not a JSON object"
            raise ServerError(msg, excerpt=str(body), retryable=False)
        try:
            return self._parse_whole(body)
        except UNFORESEEN as exc:
            what = f"the {self.wire.label} answer"
            excerpt = response.text
            raise malformed(ServerError, exc, what, excerpt) from None

    def _parse_whole(self, body: dict[str, Any]) -> GenerateResult:
        result = self.wire.parse_response(body)
        result.content = _split_think(result.content)
        return result

    def _decoder(self, options: CallOptions, response: httpx.Response) -> StreamDecoder:
        inside = options.starts_inside_think
        if inside is None:
            inside = starts_inside_think(options.model)
        kind = response.headers.get("content-type", "")
        return StreamDecoder(
            self.wire.new_mapper(),
            starts_inside_think=inside,
            api=self.wire.label,
            parse_whole=self._parse_whole,
            whole_json=kind.startswith("application/json"),
            max_event_bytes=self.settings.max_event_bytes,
        )

    # --- sync -----------------------------------------------------------------

    def generate(self, body: dict[str, Any]) -> GenerateResult:
        """Send `body` (from `build_body(stream=False)`) and parse the answer."""
        return send(self.settings, "POST", self.wire.path, self._result, body=body)

    def stream(
        self, body: dict[str, Any], options: CallOptions
    ) -> Iterator[StreamPart]:
        """Send `body` (from `build_body(stream=True)`) and yield parts as they arrive.

        Failures before the first part are retried; after it, never.
        """
        client = self.settings.clients.sync_client()
        request = self._request(client, body)
        deadline = Deadline(self.settings.deadline)
        attempt = 0
        while True:
            yielded = False
            try:
                start_attempt(self.settings, request, deadline)
                with transport_errors():
                    response = deadline.watch(client.send(request, stream=True))
                    try:
                        if response.status_code >= 400:
                            response.read()
                            raise status_error(response)
                        decoder = self._decoder(options, response)
                        for chunk in response.iter_bytes():
                            for part in decoder.feed(chunk):
                                yielded = True
                                yield part
                        yield from decoder.close()
                        return
                    finally:
                        response.close()
            except HuggingFaceRouterError as error:
                delay = retry_wait(
                    self.settings, error, attempt, yielded=yielded, deadline=deadline
                )
                if delay is None:
                    raise
            time.sleep(delay)
            attempt += 1

    # --- async ----------------------------------------------------------------

    async def agenerate(self, body: dict[str, Any]) -> GenerateResult:
        """Async `generate`."""
        return await asend(
            self.settings, "POST", self.wire.path, self._result, body=body
        )

    async def astream(
        self, body: dict[str, Any], options: CallOptions
    ) -> AsyncIterator[StreamPart]:
        """Async `stream`."""
        client = self.settings.clients.async_client()
        request = self._request(client, body)
        deadline = Deadline(self.settings.deadline)
        attempt = 0
        while True:
            yielded = False
            try:
                start_attempt(self.settings, request, deadline)
                with transport_errors():
                    response = await client.send(request, stream=True)
                    deadline.watch(response)
                    try:
                        if response.status_code >= 400:
                            await response.aread()
                            raise status_error(response)
                        decoder = self._decoder(options, response)
                        async for chunk in response.aiter_bytes():
                            for part in decoder.feed(chunk):
                                yielded = True
                                yield part
                        for part in decoder.close():
                            yield part
                        return
                    finally:
                        await response.aclose()
            except HuggingFaceRouterError as error:
                delay = retry_wait(
                    self.settings, error, attempt, yielded=yielded, deadline=deadline
                )
                if delay is None:
                    raise
            await asyncio.sleep(delay)
            attempt += 1
