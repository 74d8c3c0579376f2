"""An optional bound on one whole call: every attempt, every wait, the whole body."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx

from langchain_hf_router.core.errors import APITimeoutError
from langchain_hf_router.core.settings import Settings


class Deadline:
    """An optional bound on one whole call: its attempts, waits and body reads."""

    __slots__ = ("address", "end", "seconds")

    def __init__(self, seconds: float | None, address: str) -> None:
        self.seconds = seconds
        self.address = address
        self.end = None if seconds is None else time.monotonic() + seconds

    def passed(self) -> APITimeoutError:
        """The error for a call (to `address`) that passed its deadline."""
        msg = f"the call to {self.address} passed its deadline of {self.seconds:g} s"
        return APITimeoutError(msg, retryable=False, address=self.address)

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
