"""Requests to the router: building them, turning failures into errors, retrying.

`send`/`asend` run one request with the retry policy; the streaming loops in
`model.py` use `retry_wait` for the same decisions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from langchain_hf_router.core.errors import (
    APIConnectionError,
    APITimeoutError,
    HuggingFaceRouterError,
    InvalidInputError,
    build_error,
)
from langchain_hf_router.core.retry import retry_after, retry_delay
from langchain_hf_router.core.settings import Settings

logger = logging.getLogger("langchain_hf_router")

T = TypeVar("T")


@contextmanager
def transport_errors() -> Iterator[None]:
    """Httpx's failures (transport or not) as this package's errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"no answer within the timeout ({exc})") from exc
    except httpx.TooManyRedirects as exc:
        msg = (
            f"the server redirected too many times ({exc}); check base_url, or the "
            "proxy in front of it"
        )
        raise APIConnectionError(msg, retryable=False) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise APIConnectionError(f"connection failed: {exc!r}") from exc
    except httpx.InvalidURL as exc:
        msg = f"a request URL is not valid ({exc}); check base_url"
        raise InvalidInputError(msg) from exc
    except (httpx.HTTPError, httpx.StreamError) as exc:
        msg = f"the request failed: {type(exc).__name__}: {exc}"
        raise APIConnectionError(msg, retryable=False) from exc


class Deadline:
    """An optional bound on one whole call: its attempts, waits and body reads."""

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def passed(self) -> APITimeoutError:
        """The error for a call that passed its deadline."""
        msg = f"the call passed its deadline of {self.seconds:g} s"
        return APITimeoutError(msg, retryable=False)

    def check(self) -> None:
        """Raise `passed()` once the deadline is behind us."""
        if self.end is not None and time.monotonic() >= self.end:
            raise self.passed()

    def timeout(self, settings: Settings) -> httpx.Timeout:
        """The settings' timeouts, none longer than the time left."""
        read, connect = settings.timeout, settings.connect_timeout
        if self.end is not None:
            left = self.end - time.monotonic()
            if left <= 0:
                raise self.passed()
            read = left if read is None else min(read, left)
            connect = left if connect is None else min(connect, left)
        return httpx.Timeout(read, connect=connect)

    def watch(self, response: httpx.Response) -> httpx.Response:
        """`response` with its body checked against the deadline at every read."""
        if self.end is not None:
            response.stream = _Watched(response.stream, self)
        return response


class _Watched(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body stream that fails once its call passes the deadline.

    A read timeout alone cannot end a body that trickles in, or a stream that
    sends keep-alive comments forever: each read returns in time.
    """

    def __init__(
        self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, deadline: Deadline
    ) -> None:
        self._inner = inner
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        """The inner stream's chunks, checked."""
        for chunk in self._inner:  # type: ignore[union-attr]
            self._deadline.check()
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """The inner stream's chunks, checked."""
        async for chunk in self._inner:  # type: ignore[union-attr]
            self._deadline.check()
            yield chunk

    def close(self) -> None:
        """Close the inner stream."""
        self._inner.close()  # type: ignore[union-attr]

    async def aclose(self) -> None:
        """Close the inner stream."""
        await self._inner.aclose()  # type: ignore[union-attr]


def body_of(response: httpx.Response) -> Any:
    """The response body as JSON, or as text when it is not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return response.text


def status_error(response: httpx.Response) -> HuggingFaceRouterError:
    """The error for a response with a 4xx/5xx status."""
    headers = response.headers
    return build_error(
        response.status_code,
        body_of(response),
        request_id=headers.get("x-request-id"),
        reason=response.reason_phrase,
        retry_after=retry_after(headers),
    )


def build_request(
    settings: Settings,
    client: httpx.Client | httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    require_key: bool = True,
) -> httpx.Request:
    """A request to `base_url + path` with the settings' headers and timeouts."""
    with transport_errors():
        return client.build_request(
            method,
            settings.base_url + path,
            content=None if body is None else json.dumps(body).encode(),
            headers=settings.request_headers(require_key=require_key),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        )


def start_attempt(
    settings: Settings, request: httpx.Request, deadline: Deadline
) -> None:
    """Give the next attempt at `request` the time the deadline leaves it."""
    if deadline.end is not None:
        request.extensions["timeout"] = deadline.timeout(settings).as_dict()


def retry_wait(
    settings: Settings,
    error: HuggingFaceRouterError,
    attempt: int,
    *,
    yielded: bool = False,
    deadline: Deadline | None = None,
) -> float | None:
    """Seconds before the next attempt, or None to raise `error` (key redacted).

    Past the deadline, or when the wait would pass it, `error` is final; a
    timeout caused by the deadline is replaced by the deadline's own error.
    """
    error.redact(settings.key())
    if yielded:
        return None
    delay = retry_delay(error, attempt, settings.max_retries)
    if deadline is not None and deadline.end is not None:
        left = deadline.end - time.monotonic()
        if left <= 0 and isinstance(error, APITimeoutError):
            raise deadline.passed() from error
        if delay is not None and delay >= left:
            return None
    if delay is not None:
        logger.debug(
            "retry %d/%d in %.2fs after %s (status %s)",
            attempt + 1,
            settings.max_retries,
            delay,
            type(error).__name__,
            error.status_code,
        )
    return delay


def send(
    settings: Settings,
    method: str,
    path: str,
    parse: Callable[[httpx.Response], T],
    *,
    body: dict[str, Any] | None = None,
    require_key: bool = True,
) -> T:
    """Make one request on the settings' sync client, retrying; parse the answer."""
    client = settings.clients.sync_client()
    request = build_request(
        settings, client, method, path, body, require_key=require_key
    )
    deadline = Deadline(settings.deadline)
    attempt = 0
    while True:
        try:
            start_attempt(settings, request, deadline)
            with transport_errors():
                response = deadline.watch(client.send(request, stream=True))
                try:
                    response.read()
                finally:
                    response.close()
            if response.status_code >= 400:
                raise status_error(response)
            return parse(response)
        except HuggingFaceRouterError as error:
            delay = retry_wait(settings, error, attempt, deadline=deadline)
            if delay is None:
                raise
        time.sleep(delay)
        attempt += 1


async def asend(
    settings: Settings,
    method: str,
    path: str,
    parse: Callable[[httpx.Response], T],
    *,
    body: dict[str, Any] | None = None,
    require_key: bool = True,
) -> T:
    """Async `send`."""
    client = settings.clients.async_client()
    request = build_request(
        settings, client, method, path, body, require_key=require_key
    )
    deadline = Deadline(settings.deadline)
    attempt = 0
    while True:
        try:
            start_attempt(settings, request, deadline)
            with transport_errors():
                response = deadline.watch(await client.send(request, stream=True))
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            if response.status_code >= 400:
                raise status_error(response)
            return parse(response)
        except HuggingFaceRouterError as error:
            delay = retry_wait(settings, error, attempt, deadline=deadline)
            if delay is None:
                raise
        await asyncio.sleep(delay)
        attempt += 1
