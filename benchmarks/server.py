"""The benchmark server: loopback HTTP/1.1 with keep-alive, answering from cached bytes.

Paths are `/n/<count>/v1/chat/completions` and `/n/<count>/v1/responses`; the count
is how many text chunks a streamed answer has (words for a non-streamed one). Each
distinct answer is rendered once, then written whole with a `content-length`, so
the server costs next to nothing per event. `python -m benchmarks.server` prints
its port and serves until its standard input closes; `bench_server()` runs it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from benchmarks.wire import Api, render

ROOT: Final = Path(__file__).resolve().parent.parent
_PATH: Final = re.compile(r"/n/(\d+)/v1/(chat/completions|responses)")
_APIS: Final[dict[str, Api]] = {
    "chat/completions": "chat_completions",
    "responses": "responses",
}
_Key = tuple[Api, int, bool, bool]


def _response(status: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


_NOT_FOUND: Final = _response("404 Not Found", "text/plain", b"not found")
_BAD_REQUEST: Final = _response("400 Bad Request", "text/plain", b"bad request")


class _Answers:
    """Whole HTTP responses by (api, count, stream, usage), rendered on first use."""

    def __init__(self) -> None:
        self._cache: dict[_Key, bytes] = {}

    def __call__(self, target: str, body: bytes) -> bytes:
        match = _PATH.fullmatch(target)
        if match is None:
            return _NOT_FOUND
        try:
            request = json.loads(body)
        except ValueError:
            return _BAD_REQUEST
        stream = request.get("stream") is True
        options = request.get("stream_options") or {}
        usage = stream and options.get("include_usage") is True
        key = (_APIS[match[2]], int(match[1]), stream, usage)
        answer = self._cache.get(key)
        if answer is None:
            kind = "text/event-stream" if stream else "application/json"
            payload = render(key[0], key[1], stream=stream, usage=usage)
            answer = self._cache[key] = _response("200 OK", kind, payload)
        return answer


class _Connection(asyncio.Protocol):
    """One keep-alive connection: requests with a `content-length` body, in order."""

    def __init__(self, answers: _Answers) -> None:
        self._answers = answers
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and self._next_request(self._transport):
            pass

    def _next_request(self, transport: asyncio.Transport) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        lines = self._buffer[:end].decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        start = end + 4
        stop = start + int(headers.get("content-length", "0"))
        if len(self._buffer) < stop:
            return False
        body, self._buffer = self._buffer[start:stop], self._buffer[stop:]
        target = lines[0].split(" ")[1]
        transport.write(self._answers(target, body))
        if headers.get("connection", "").lower() == "close":
            transport.close()
            self._transport = None
            return False
        return True


async def serve() -> None:
    """Serve on an OS-chosen port (printed first) until standard input closes."""
    loop = asyncio.get_running_loop()
    answers = _Answers()
    server = await loop.create_server(
        lambda: _Connection(answers), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    async with server:
        await stdin.read()


@dataclass(frozen=True)
class Endpoint:
    """Where a running benchmark server listens."""

    port: int

    def url(self, count: int) -> str:
        """The base URL whose answers have `count` chunks (or words)."""
        return f"http://127.0.0.1:{self.port}/n/{count}/v1"


@contextmanager
def bench_server() -> Iterator[Endpoint]:
    """The server in a subprocess for the `with` block; stopped at its end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        line = process.stdout.readline()
        if not line.strip().isdigit():
            msg = f"the benchmark server did not start (said {line!r})"
            raise RuntimeError(msg)
        yield Endpoint(int(line))
    finally:
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(serve())
