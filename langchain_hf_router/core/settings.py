"""Where requests go and with what: base URL, key, headers, timeout, HTTP clients."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable, Mapping
from typing import Final

import httpx

from langchain_hf_router.core.errors import (
    KEY_HELP,
    AuthenticationError,
    InvalidInputError,
)
from langchain_hf_router.core.sse import DEFAULT_MAX_EVENT_BYTES

DEFAULT_BASE_URL: Final = "https://router.huggingface.co/v1"
KEY_ENV_VARS: Final = ("HUGGINGFACE_API_KEY", "HF_TOKEN")
BASE_URL_ENV_VAR: Final = "HUGGINGFACE_BASE_URL"
DEFAULT_TIMEOUT: Final = 120.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
POOL_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
"""Per client: at most 100 connections at once, at most 20 kept alive when idle."""
DEFAULT_MAX_RETRIES: Final = 2
USER_AGENT: Final = "langchain-hf-router"

KeySource = Callable[[], str | None]


def key_from_env() -> str | None:
    """The first non-empty key among `HUGGINGFACE_API_KEY`, `HF_TOKEN`."""
    for name in KEY_ENV_VARS:
        value = os.environ.get(name)
        if value:
            return value
    return None


def base_url_from_env() -> str:
    """`HUGGINGFACE_BASE_URL` when set, else the router."""
    return normalize_base_url(os.environ.get(BASE_URL_ENV_VAR))


def normalize_base_url(url: str | None) -> str:
    """The base URL without a trailing slash (default: the router)."""
    return (url or DEFAULT_BASE_URL).rstrip("/")


def check_base_url(url: str) -> None:
    """Refuse a base URL that no request could be sent to.

    Raises:
        InvalidInputError: Not an absolute `http://` or `https://` URL.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        msg = f"base_url {url!r} is not a valid URL ({exc})."
        raise InvalidInputError(msg) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        msg = (
            f"base_url {url!r} is not an http(s) URL; give one such as "
            "'https://router.huggingface.co/v1' or 'http://127.0.0.1:8080/v1'."
        )
        raise InvalidInputError(msg)


class ClientPool:
    """The HTTP clients behind a provider or a model, reused across calls.

    A caller's own clients are used as given and never closed here. Otherwise one
    `httpx.Client` is made on first use, and one `httpx.AsyncClient` per event loop
    (an async connection pool cannot outlive the loop it was made in).
    """

    def __init__(
        self,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._given_sync = http_client
        self._given_async = http_async_client
        self._sync: httpx.Client | None = None
        self._async: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def sync_client(self) -> httpx.Client:
        """The client for blocking calls."""
        if self._given_sync is not None:
            return self._given_sync
        if self._sync is None:
            self._sync = httpx.Client(follow_redirects=True, limits=POOL_LIMITS)
            # A pool dropped without close() still releases its sockets.
            weakref.finalize(self, self._sync.close)
        return self._sync

    def async_client(self) -> httpx.AsyncClient:
        """The client for the running event loop."""
        if self._given_async is not None:
            return self._given_async
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            # Clients of loops that have ended cannot be closed any more; drop them
            # so that they do not pile up (close with aclose() inside the loop).
            for ended in [old for old in self._async if old.is_closed()]:
                del self._async[ended]
            client = httpx.AsyncClient(follow_redirects=True, limits=POOL_LIMITS)
            self._async[loop] = client
        return client

    def close(self) -> None:
        """Close the sync client this pool made (not a caller's own)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close every client this pool made for the running loop, and the sync one."""
        self.close()
        loop = asyncio.get_running_loop()
        client = self._async.pop(loop, None)
        if client is not None:
            await client.aclose()


class Settings:
    """Everything a request needs besides its body. The key is never shown."""

    __slots__ = (
        "_key",
        "base_url",
        "clients",
        "connect_timeout",
        "deadline",
        "headers",
        "max_event_bytes",
        "max_retries",
        "timeout",
    )

    def __init__(
        self,
        *,
        key: KeySource,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        clients: ClientPool | None = None,
        deadline: float | None = None,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._key = key
        self.base_url = normalize_base_url(base_url)
        self.headers = dict(headers or {})
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_retries = max_retries
        self.clients = clients or ClientPool()
        self.deadline = deadline
        self.max_event_bytes = max_event_bytes

    def __repr__(self) -> str:
        return f"Settings(base_url={self.base_url!r}, key=***)"

    def key(self) -> str | None:
        """The key requests are sent with now (never log or show it)."""
        return self._key() or None

    def request_headers(self, *, require_key: bool = True) -> dict[str, str]:
        """Headers for one request; the key is resolved now.

        Raises:
            AuthenticationError: No key at all while the base URL is the router
                (unless `require_key` is False: the catalog is public).
        """
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **self.headers,
        }
        key = self.key()
        if key:
            headers["authorization"] = f"Bearer {key}"
        elif require_key and self.base_url == DEFAULT_BASE_URL:
            msg = "No Hugging Face API key was found"
            raise AuthenticationError(msg, hint=KEY_HELP)
        return headers
