"""Test-side helpers: an independent SSE reader, clients in both modes, fixtures."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HANG_GUARD_SECONDS = 30.0
"""Long enough for any machine: a wait that takes this long is a hang (a failure)."""
CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures" / "conformance"
MODES = ("sync", "async")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SseEvent:
    """One dispatched server-sent event."""

    event: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def read_sse(raw: bytes) -> list[SseEvent]:
    """Decode a whole SSE body per the WHATWG rules (comments, CR/LF/CRLF)."""
    events: list[SseEvent] = []
    name: str | None = None
    data: list[str] = []
    for line in _LINE_BREAK.split(raw.decode()):
        if line == "":
            if data:
                events.append(SseEvent(name, "\n".join(data)))
            name, data = None, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
    return events


def payloads(raw: bytes) -> list[Any]:
    """Every ``data:`` payload, parsed as JSON except ``[DONE]``."""
    return [e.data if e.data == "[DONE]" else e.json() for e in read_sse(raw)]


@dataclass(frozen=True)
class Result:
    """Status, headers and the full body of one exchange."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def payloads(self) -> list[Any]:
        return payloads(self.body)


async def post(
    mode: str,
    base_url: str,
    path: str,
    body: Any,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Result:
    """POST JSON with a sync or an async httpx client and read the whole body."""
    if mode == "sync":
        with (
            httpx.Client(base_url=base_url, timeout=timeout) as client,
            client.stream("POST", path, json=body, headers=headers) as response,
        ):
            raw = b"".join(response.iter_bytes())
            return Result(response.status_code, response.headers, raw)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as client,
        client.stream("POST", path, json=body, headers=headers) as response,
    ):
        raw = b"".join([chunk async for chunk in response.aiter_bytes()])
        return Result(response.status_code, response.headers, raw)


def load_json(relative: str) -> Any:
    return json.loads((CONFORMANCE / relative).read_text())


def load_request_body(relative: str) -> dict[str, Any]:
    """A recorded request body (bare, or wrapped as ``{method, path, body}``)."""
    data = load_json(relative)
    body = data["body"] if "path" in data else data
    assert isinstance(body, dict)
    return body


def load_bytes(relative: str) -> bytes:
    return (CONFORMANCE / relative).read_bytes()


def shape(value: Any) -> Any:
    """Replace leaves by their type names, keep keys (in order) and list lengths."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread; its result or exception lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def joined(thread: threading.Thread, outcome: list[Any]) -> Any:
    """The thread's single outcome once it has finished (a hang fails the test)."""
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), f"still running after {HANG_GUARD_SECONDS} s"
    [result] = outcome
    return result
