"""Requests to the router: building them, turning failures into errors, retrying.

`send`/`asend` run one request with the retry policy; the streaming loops in
`model.py` use `retry_wait` for the same decisions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

from langchain_hf_router.core.errors import (
    APIConnectionError,
    APITimeoutError,
    HuggingFaceRouterError,
    build_error,
)
from langchain_hf_router.core.retry import retry_after, retry_delay
from langchain_hf_router.core.settings import Settings

logger = logging.getLogger("langchain_hf_router")

T = TypeVar("T")


@contextmanager
def transport_errors() -> Iterator[None]:
    """Httpx's transport failures as this package's errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"no answer within the timeout ({exc})") from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise APIConnectionError(f"connection failed: {exc!r}") from exc


def body_of(response: httpx.Response) -> Any:
    """The response body as JSON, or as text when it is not JSON."""
    try:
        return json.loads(response.content)
    except ValueError:
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
    return client.build_request(
        method,
        settings.base_url + path,
        content=None if body is None else json.dumps(body).encode(),
        headers=settings.request_headers(require_key=require_key),
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
    )


def retry_wait(
    settings: Settings,
    error: HuggingFaceRouterError,
    attempt: int,
    *,
    yielded: bool = False,
) -> float | None:
    """Seconds before the next attempt, or None to raise `error` (key redacted)."""
    error.redact(settings.key())
    if yielded:
        return None
    delay = retry_delay(error, attempt, settings.max_retries)
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
    attempt = 0
    while True:
        try:
            with transport_errors():
                response = client.send(request)
            if response.status_code >= 400:
                raise status_error(response)
            return parse(response)
        except HuggingFaceRouterError as error:
            delay = retry_wait(settings, error, attempt)
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
    attempt = 0
    while True:
        try:
            with transport_errors():
                response = await client.send(request)
            if response.status_code >= 400:
                raise status_error(response)
            return parse(response)
        except HuggingFaceRouterError as error:
            delay = retry_wait(settings, error, attempt)
            if delay is None:
                raise
        await asyncio.sleep(delay)
        attempt += 1
