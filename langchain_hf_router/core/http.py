"""Requests to the router: building them, turning failures into errors, retrying.

One retry policy (`RetryPolicy`) and one loop per I/O flavour (`attempts`,
`aattempts`): they differ only in their I/O and sleep lines. `send`/`asend` read
a whole answer through them; `model.py` streams through them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterator,
)
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from langchain_hf_router.core.deadline import Deadline
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


class RetryPolicy:
    """The retry decisions of one call; the two loops below only do the I/O."""

    __slots__ = ("attempt", "deadline", "settings")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.deadline = Deadline(settings.deadline)
        self.attempt = 0

    def begin(self, request: httpx.Request) -> None:
        """Give the next attempt at `request` the time the deadline leaves it."""
        if self.deadline.end is not None:
            request.extensions["timeout"] = self.deadline.timeout(
                self.settings
            ).as_dict()

    def wait(self, error: HuggingFaceRouterError, *, yielded: bool) -> float | None:
        """Seconds before the next attempt, or None to raise `error` (key redacted).

        Once output was given, never again. Past the deadline, or when the wait
        would pass it, `error` is final; a timeout caused by the deadline is
        replaced by the deadline's own error.
        """
        error.redact(self.settings.key())
        if yielded:
            return None
        delay = retry_delay(error, self.attempt, self.settings.max_retries)
        end = self.deadline.end
        if end is not None:
            left = end - time.monotonic()
            if left <= 0 and isinstance(error, APITimeoutError):
                raise self.deadline.passed() from error
            if delay is not None and delay >= left:
                return None
        if delay is not None:
            self.attempt += 1
            logger.debug(
                "retry %d/%d in %.2fs after %s (status %s)",
                self.attempt,
                self.settings.max_retries,
                delay,
                type(error).__name__,
                error.status_code,
            )
        return delay


Read = Callable[[httpx.Response], Iterator[T]]
"""What a call takes from a good response (a whole answer, or stream parts)."""
AsyncRead = Callable[[httpx.Response], AsyncIterator[T]]


def attempts(
    settings: Settings,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    read: Read[T],
    *,
    require_key: bool = True,
) -> Generator[T, None, None]:
    """Send a request, retrying as `RetryPolicy` decides; yield what `read` gives."""
    client = settings.clients.sync_client()
    request = build_request(
        settings, client, method, path, body, require_key=require_key
    )
    policy = RetryPolicy(settings)
    while True:
        yielded = False
        try:
            policy.begin(request)
            with transport_errors():
                response = policy.deadline.watch(client.send(request, stream=True))
                try:
                    if response.status_code >= 400:
                        response.read()
                        raise status_error(response)
                    for item in read(response):
                        yielded = True
                        yield item
                    return
                finally:
                    response.close()
        except HuggingFaceRouterError as error:
            delay = policy.wait(error, yielded=yielded)
            if delay is None:
                raise
        time.sleep(delay)


async def aattempts(
    settings: Settings,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    read: AsyncRead[T],
    *,
    require_key: bool = True,
) -> AsyncGenerator[T, None]:
    """Async `attempts`: the same loop, with async I/O and sleep."""
    client = settings.clients.async_client()
    request = build_request(
        settings, client, method, path, body, require_key=require_key
    )
    policy = RetryPolicy(settings)
    while True:
        yielded = False
        try:
            policy.begin(request)
            with transport_errors():
                response = policy.deadline.watch(
                    await client.send(request, stream=True)
                )
                try:
                    if response.status_code >= 400:
                        await response.aread()
                        raise status_error(response)
                    async for item in read(response):
                        yielded = True
                        yield item
                    return
                finally:
                    await response.aclose()
        except HuggingFaceRouterError as error:
            delay = policy.wait(error, yielded=yielded)
            if delay is None:
                raise
        await asyncio.sleep(delay)


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

    def whole(response: httpx.Response) -> Iterator[T]:
        response.read()
        yield parse(response)

    results = attempts(settings, method, path, body, whole, require_key=require_key)
    try:
        return next(results)
    finally:
        results.close()


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

    async def whole(response: httpx.Response) -> AsyncIterator[T]:
        await response.aread()
        yield parse(response)

    results = aattempts(settings, method, path, body, whole, require_key=require_key)
    try:
        return await results.__anext__()
    finally:
        await results.aclose()
