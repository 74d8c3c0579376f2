"""One language model per router API: send, retry, parse; sync and async.

Everything but the I/O lines is shared: the wire format builds and parses, the
`StreamDecoder` maps bytes to parts, `http` sends and decides on retries.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from langchain_hf_router.core.errors import ServerError
from langchain_hf_router.core.http import (
    AsyncRead,
    Read,
    aattempts,
    asend,
    attempts,
    body_of,
    reading,
    send,
)
from langchain_hf_router.core.settings import Settings
from langchain_hf_router.core.stream import (
    UNFORESEEN,
    StreamDecoder,
    malformed,
)
from langchain_hf_router.core.think import split_whole, starts_inside_think
from langchain_hf_router.core.types import (
    CallOptions,
    GenerateResult,
    OutputPart,
    ReasoningOutput,
    StreamPart,
    TextOutput,
)
from langchain_hf_router.core.wire import WireFormat

logger = logging.getLogger("langchain_hf_router")


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

    def _parts(self, options: CallOptions) -> Read[StreamPart]:
        def read(response: httpx.Response) -> Iterator[StreamPart]:
            decoder = self._decoder(options, response)
            with reading(response, lambda: decoder.events):
                for chunk in response.iter_bytes():
                    yield from decoder.feed(chunk)
            yield from decoder.close()

        return read

    def _aparts(self, options: CallOptions) -> AsyncRead[StreamPart]:
        async def read(response: httpx.Response) -> AsyncIterator[StreamPart]:
            decoder = self._decoder(options, response)
            with reading(response, lambda: decoder.events):
                async for chunk in response.aiter_bytes():
                    for part in decoder.feed(chunk):
                        yield part
            for part in decoder.close():
                yield part

        return read

    def generate(self, body: dict[str, Any]) -> GenerateResult:
        """Send `body` (from `build_body(stream=False)`) and parse the answer."""
        return send(self.settings, "POST", self.wire.path, self._result, body=body)

    def stream(
        self, body: dict[str, Any], options: CallOptions
    ) -> Iterator[StreamPart]:
        """Send `body` (from `build_body(stream=True)`) and yield parts as they arrive.

        Failures before the first part are retried; after it, never.
        """
        path = self.wire.path
        return attempts(self.settings, "POST", path, body, self._parts(options))

    async def agenerate(self, body: dict[str, Any]) -> GenerateResult:
        """Async `generate`."""
        return await asend(
            self.settings, "POST", self.wire.path, self._result, body=body
        )

    def astream(
        self, body: dict[str, Any], options: CallOptions
    ) -> AsyncIterator[StreamPart]:
        """Async `stream`."""
        path = self.wire.path
        return aattempts(self.settings, "POST", path, body, self._aparts(options))
