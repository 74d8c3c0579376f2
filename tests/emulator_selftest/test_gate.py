"""The gate: replies held at a scripted point until the test releases them.

A client timeout here only ever races a held reply, so the timeout is the one
possible outcome however slow the machine is.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from router_emulator import ErrorReply, RawReply, Reply, RouterEmulator

from emulator_selftest.helpers import (
    HANG_GUARD_SECONDS,
    MODES,
    in_thread,
    joined,
    payloads,
    post,
)

BODIES: dict[str, dict[str, Any]] = {
    "/chat/completions": {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
    },
    "/responses": {"model": "m", "input": "hi"},
}


@pytest.fixture(params=sorted(BODIES))
def path(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def streamed(path: str) -> dict[str, Any]:
    return {**BODIES[path], "stream": True}


def data_lines(lines: Iterator[str], count: int) -> list[str]:
    """The next ``count`` ``data:`` lines of a stream."""
    return list(itertools.islice(filter(_is_data, lines), count))


def _is_data(line: str) -> bool:
    return line.startswith("data:")


def text_deltas(path: str, events: list[Any]) -> list[str]:
    """The visible text deltas of a Chat or Responses stream."""
    if path == "/chat/completions":
        return [
            e["choices"][0]["delta"].get("content") or ""
            for e in events
            if isinstance(e, dict) and e["choices"]
        ]
    return [e["delta"] for e in events if e["type"] == "response.output_text.delta"]


@pytest.mark.parametrize("mode", MODES)
async def test_hold_after_zero_never_answers(
    emulator: RouterEmulator, path: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="never", hold_after=0))
    with pytest.raises(httpx.ReadTimeout):
        await post(mode, emulator.base_url, path, BODIES[path], timeout=0.2)
    emulator.wait_held()
    assert emulator.last_request.path == f"/v1{path}"


@pytest.mark.parametrize("mode", MODES)
async def test_a_released_reply_is_whole(
    emulator: RouterEmulator, path: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="a b c", hold_after=0), Reply(text="a b c"))
    thread, outcome = in_thread(
        lambda: asyncio.run(post(mode, emulator.base_url, path, streamed(path)))
    )
    emulator.wait_held()
    emulator.release()
    held = joined(thread, outcome)
    plain = await post(mode, emulator.base_url, path, streamed(path))
    assert held.status == plain.status == 200
    assert len(held.payloads) == len(plain.payloads)
    assert "".join(text_deltas(path, held.payloads)) == "a b c"
    assert emulator.pending == 0


def test_a_stream_stops_after_hold_after_events(
    emulator: RouterEmulator, path: str
) -> None:
    emulator.enqueue(Reply(text="one two three four", hold_after=2))
    with (
        httpx.Client(base_url=emulator.base_url, timeout=0.2) as client,
        client.stream("POST", path, json=streamed(path)) as response,
    ):
        lines = response.iter_lines()
        assert len(data_lines(lines, 2)) == 2
        emulator.wait_held()
        with pytest.raises(httpx.ReadTimeout):
            data_lines(lines, 1)


def test_a_held_stream_goes_on_after_release(
    emulator: RouterEmulator, path: str
) -> None:
    emulator.enqueue(Reply(text="one two three four", hold_after=2))
    with (
        httpx.Client(base_url=emulator.base_url, timeout=HANG_GUARD_SECONDS) as client,
        client.stream("POST", path, json=streamed(path)) as response,
    ):
        lines = response.iter_lines()
        first = data_lines(lines, 2)
        emulator.wait_held()
        emulator.release()
        rest = [line for line in lines if _is_data(line)]
    raw = "\n\n".join([*first, *rest, ""]).encode()
    assert "".join(text_deltas(path, payloads(raw))) == "one two three four"


def test_hold_after_past_the_last_event_keeps_the_stream_open(
    emulator: RouterEmulator,
) -> None:
    emulator.enqueue(Reply(text="a b", hold_after=100))
    with (
        httpx.Client(base_url=emulator.base_url, timeout=0.2) as client,
        client.stream(
            "POST", "/chat/completions", json=streamed("/chat/completions")
        ) as response,
    ):
        lines = response.iter_lines()
        received = data_lines(lines, 5)  # role, "a", " b", finish, [DONE]
        assert received[-1] == "data: [DONE]"
        emulator.wait_held()
        with pytest.raises(httpx.ReadTimeout):
            data_lines(lines, 1)  # the terminating chunk is held


def raw_exchange(emulator: RouterEmulator) -> socket.socket:
    """A raw socket that has sent one non-streamed Chat request."""
    conn = socket.create_connection(("127.0.0.1", emulator.port))
    body = b'{"model": "m", "messages": []}'
    conn.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body)
    )
    return conn


def receive_until(conn: socket.socket, size: int) -> bytes:
    received = b""
    while len(received) < size:
        data = conn.recv(size - len(received))
        assert data, "the emulator closed the connection"
        received += data
    return received


def head_and_body(conn: socket.socket) -> tuple[bytes, bytes]:
    """Read to the end of the headers; the headers and body bytes read with them."""
    received = b""
    while b"\r\n\r\n" not in received:
        data = conn.recv(4096)
        assert data, "the emulator closed the connection"
        received += data
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


def test_a_body_stops_after_hold_after_bytes(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="held body", hold_after=7))
    with raw_exchange(emulator) as conn:
        head, body = head_and_body(conn)
        body += receive_until(conn, 7 - len(body))
        emulator.wait_held()
        assert body == b'{"id": '
        conn.settimeout(0.2)
        with pytest.raises(TimeoutError):
            conn.recv(1)
        emulator.release()
        conn.settimeout(HANG_GUARD_SECONDS)
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        body += receive_until(conn, length - len(body))
    assert b'"content": "held body"' in body


@pytest.mark.parametrize(
    "item",
    [
        ErrorReply(503, {"error": "busy"}, hold_after=0),
        RawReply(body=b"{}", hold_after=0),
        RawReply.sse("data: 1\n\n", hold_after=0),
    ],
    ids=["error", "raw-json", "raw-sse"],
)
def test_error_and_raw_replies_hold_too(
    emulator: RouterEmulator, item: ErrorReply | RawReply
) -> None:
    emulator.enqueue(item)
    with (
        httpx.Client(base_url=emulator.base_url, timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post("/chat/completions", json=BODIES["/chat/completions"])
    emulator.wait_held()


def test_a_client_that_leaves_ends_its_held_reply(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="never", hold_after=0))
    with (
        httpx.Client(base_url=emulator.base_url, timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post("/chat/completions", json=BODIES["/chat/completions"])
    emulator.wait_held()
    assert emulator.wait_open_connections(0)  # the handler noticed and left
    with httpx.Client(base_url=emulator.base_url) as client:
        reply = client.post("/chat/completions", json=BODIES["/chat/completions"])
    assert reply.status_code == 200


def test_release_lets_later_replies_pass_until_reset(
    emulator: RouterEmulator,
) -> None:
    emulator.release()
    emulator.enqueue(Reply(text="passes", hold_after=0))
    with httpx.Client(base_url=emulator.base_url, timeout=HANG_GUARD_SECONDS) as c:
        assert c.post("/responses", json=BODIES["/responses"]).status_code == 200
    emulator.wait_held()  # it reached the hold point and went through
    emulator.reset()
    emulator.enqueue(Reply(text="held again", hold_after=0))
    with (
        httpx.Client(base_url=emulator.base_url, timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post("/responses", json=BODIES["/responses"])


def test_wait_held_counts_every_held_reply(emulator: RouterEmulator) -> None:
    emulator.enqueue(*[Reply(text=f"r{n}", hold_after=0) for n in range(3)])

    async def three() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=emulator.base_url, timeout=HANG_GUARD_SECONDS
        ) as client:
            return await asyncio.gather(
                *[
                    client.post("/chat/completions", json=BODIES["/chat/completions"])
                    for _ in range(3)
                ]
            )

    thread, outcome = in_thread(lambda: asyncio.run(three()))
    emulator.wait_held(3)
    emulator.release()
    texts = [
        r.json()["choices"][0]["message"]["content"] for r in joined(thread, outcome)
    ]
    assert sorted(texts) == ["r0", "r1", "r2"]


def test_wait_held_fails_when_nothing_is_held(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="x", hold_after=0))
    with pytest.raises(AssertionError, match="0 of 1 replies reached their hold point"):
        emulator.wait_held(timeout=0.01)


def test_reset_releases_a_held_reply(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="freed", hold_after=0))
    thread, outcome = in_thread(
        lambda: httpx.post(
            f"{emulator.base_url}/chat/completions",
            json=BODIES["/chat/completions"],
            timeout=HANG_GUARD_SECONDS,
        )
    )
    emulator.wait_held()
    emulator.reset()
    response = joined(thread, outcome)
    assert response.json()["choices"][0]["message"]["content"] == "freed"


def test_stop_ends_a_held_reply() -> None:
    emulator = RouterEmulator().start()
    emulator.enqueue(Reply(text="never", hold_after=0))
    thread, outcome = in_thread(
        lambda: httpx.post(
            f"{emulator.base_url}/chat/completions",
            json=BODIES["/chat/completions"],
            timeout=HANG_GUARD_SECONDS,
        )
    )
    try:
        emulator.wait_held()
    finally:
        emulator.stop()
    assert isinstance(joined(thread, outcome), httpx.RemoteProtocolError)


@pytest.mark.parametrize("item", [Reply, ErrorReply, RawReply])
def test_a_negative_hold_after_is_refused(item: type[Any]) -> None:
    fields = {"status": 500, "body": None} if item is ErrorReply else {}
    with pytest.raises(ValueError, match="hold_after must be >= 0"):
        item(hold_after=-1, **fields)
