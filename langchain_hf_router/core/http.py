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
from typing import Any, Final, TypeVar

import httpx

from langchain_hf_router.core.deadline import Deadline
from langchain_hf_router.core.errors import (
    APIConnectionError,
    APITimeoutError,
    BrokenStreamError,
    HuggingFaceRouterError,
    InvalidInputError,
    build_error,
    plural,
)
from langchain_hf_router.core.retry import retry_after, retry_delay
from langchain_hf_router.core.settings import BASE_URL_ENV_VAR, Settings

logger = logging.getLogger("langchain_hf_router")

T = TypeVar("T")


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
CONNECT_HELP: Final = f"check base_url or {BASE_URL_ENV_VAR}, and that the server is up"
# What each httpx timeout waited for: its key in a request's timeouts; the
# start of its message; what to change. (`timeout=` sets read, write and pool.)
_TIMEOUTS: Final = {
    httpx.ConnectTimeout: (
        "connect",
        "could not connect to {}",
        "check that the server is up, or raise connect_timeout= or max_retries=",
    ),
    httpx.ReadTimeout: ("read", "no answer from {}", "raise timeout= or max_retries="),
    httpx.WriteTimeout: (
        "write",
        "could not send the request to {}",
        "raise timeout= or max_retries=",
    ),
    httpx.PoolTimeout: (
        "pool",
        "no connection to {} came free in the pool",
        "make fewer calls at once, or raise timeout=",
    ),
}


def address(url: httpx.URL) -> str:
    """Where `url` goes, as `scheme://host:port`: no user info, no path."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    port = url.port or _DEFAULT_PORTS.get(url.scheme)
    return f"{url.scheme}://{host}:{port}" if port else f"{url.scheme}://{host}"


def _cause(exc: Exception) -> str:
    """An httpx failure as `ConnectError: [Errno 111] Connection refused`."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _limit(exc: httpx.TimeoutException, request: httpx.Request, kind: str) -> str:
    """The timeout `exc` ran out of, as it applied (the deadline may shorten it)."""
    seconds = request.extensions.get("timeout", {}).get(kind)
    if seconds is None:
        return f"the {kind} timeout ({_cause(exc)})"
    return f"the {kind} timeout of {round(seconds, 3):g} s"


def _timeout_error(
    exc: httpx.TimeoutException, request: httpx.Request
) -> APITimeoutError:
    kind, what, hint = _TIMEOUTS.get(type(exc), _TIMEOUTS[httpx.ReadTimeout])
    where = address(request.url)
    msg = f"{what.format(where)} within {_limit(exc, request, kind)}"
    return APITimeoutError(msg, hint=hint, address=where)


@contextmanager
def transport_errors(request: httpx.Request) -> Iterator[None]:
    """Httpx's failures (transport or not) as this package's errors.

    Each names the address tried (that of `request`, or of the redirect that
    failed) and, for a timeout, which one ran out, after how long.
    """
    try:
        yield
    except httpx.TimeoutException as exc:
        raise _timeout_error(exc, _request_of(exc, request)) from exc
    except httpx.TooManyRedirects as exc:
        where = address(_request_of(exc, request).url)
        msg = f"{where} redirected too many times ({exc})"
        hint = "check base_url, or the proxy in front of it"
        raise APIConnectionError(
            msg, hint=hint, address=where, retryable=False
        ) from exc
    except httpx.ConnectError as exc:
        where = address(_request_of(exc, request).url)
        msg = f"could not connect to {where}: {_cause(exc)}"
        raise APIConnectionError(msg, hint=CONNECT_HELP, address=where) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        where = address(_request_of(exc, request).url)
        msg = f"the connection to {where} failed: {_cause(exc)}"
        raise APIConnectionError(msg, address=where) from exc
    except httpx.InvalidURL as exc:
        raise _invalid_url(exc) from exc
    except (httpx.HTTPError, httpx.StreamError) as exc:
        msg = f"the request failed: {_cause(exc)}"
        raise APIConnectionError(msg, retryable=False) from exc


def _request_of(exc: httpx.HTTPError, request: httpx.Request) -> httpx.Request:
    """The request `exc` failed on (a redirect's, maybe), else `request`."""
    try:
        return exc.request
    except RuntimeError:  # httpx raised it before a request was attached
        return request


def _invalid_url(exc: httpx.InvalidURL) -> InvalidInputError:
    return InvalidInputError(f"a request URL is not valid ({exc}); check base_url")


@contextmanager
def reading(
    response: httpx.Response, events: Callable[[], int] | None = None
) -> Iterator[None]:
    """Reading `response`'s body: a cut or a stall says how far the body got.

    Args:
        response: The response whose body is read inside the block.
        events: For a stream, how many of its events were read. A stream cut
            mid-way is a `BrokenStreamError` (the answer is incomplete; retried
            only while none of it was given out); a whole answer cut short is an
            `APIConnectionError`, retried.

    A failure before any byte of the body is left to `transport_errors`.
    """
    try:
        yield
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        if not response.num_bytes_downloaded:
            raise
        where = address(response.request.url)
        got = f"the {'answer' if events is None else 'stream'} from {where}"
        so_far = _progress(response, events)
        if isinstance(exc, httpx.TimeoutException):
            limit = _limit(exc, response.request, "read")
            msg = f"{got} stopped after {so_far}: nothing more came within {limit}"
            raise APITimeoutError(msg, hint="raise timeout=", address=where) from exc
        msg = f"{got} was cut after {so_far}: {_cause(exc)}"
        if events is None:
            raise APIConnectionError(msg, address=where) from exc
        msg += "; the answer is incomplete"
        raise BrokenStreamError(msg, retryable=True, address=where) from exc


def _progress(response: httpx.Response, events: Callable[[], int] | None) -> str:
    """How much of a body came: "5 events (648 bytes)", "120 of 500 bytes"."""
    got = response.num_bytes_downloaded
    if events is not None:
        return f"{plural(events(), 'event')} ({plural(got, 'byte')})"
    total = response.headers.get("content-length")
    return f"{got} of {total} bytes" if total else plural(got, "byte")


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
    try:
        return client.build_request(
            method,
            settings.base_url + path,
            content=None if body is None else json.dumps(body).encode(),
            headers=settings.request_headers(require_key=require_key),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        )
    except httpx.InvalidURL as exc:
        raise _invalid_url(exc) from exc


class RetryPolicy:
    """The retry decisions of one call of `request`; the loops below do the I/O.

    Attributes:
        attempts: How many times the request was sent so far.
    """

    __slots__ = ("address", "attempts", "deadline", "request", "settings")

    def __init__(self, settings: Settings, request: httpx.Request) -> None:
        self.settings = settings
        self.request = request
        self.address = address(request.url)
        self.deadline = Deadline(settings.deadline, self.address)
        self.attempts = 0

    def begin(self) -> None:
        """Give the next attempt the time the deadline leaves it; count it."""
        if self.deadline.end is not None:
            self.request.extensions["timeout"] = self.deadline.timeout(
                self.settings
            ).as_dict()
        self.attempts += 1

    def wait(self, error: HuggingFaceRouterError, *, yielded: bool) -> float | None:
        """Seconds before the next attempt, or None to raise `error` (key redacted).

        Once output was given, never again. Past the deadline, or when the wait
        would pass it, `error` is final; a timeout caused by the deadline is
        replaced by the deadline's own error. The error raised says how many
        attempts were made.
        """
        error.tried(self.address, self.attempts)
        error.redact(self.settings.key())
        if yielded:
            return None
        retries = self.attempts - 1
        delay = retry_delay(error, retries, self.settings.max_retries)
        end = self.deadline.end
        if end is not None:
            left = end - time.monotonic()
            if left <= 0 and isinstance(error, APITimeoutError):
                passed = self.deadline.passed()
                passed.tried(self.address, self.attempts)
                raise passed from error
            if delay is not None and delay >= left:
                return None
        if delay is not None:
            logger.debug(
                "retry %d/%d in %.2fs after %s (status %s)",
                retries + 1,
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
    policy = RetryPolicy(settings, request)
    while True:
        yielded = False
        try:
            policy.begin()
            with transport_errors(request):
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
    policy = RetryPolicy(settings, request)
    while True:
        yielded = False
        try:
            policy.begin()
            with transport_errors(request):
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
        with reading(response):
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
        with reading(response):
            await response.aread()
        yield parse(response)

    results = aattempts(settings, method, path, body, whole, require_key=require_key)
    try:
        return await results.__anext__()
    finally:
        await results.aclose()
