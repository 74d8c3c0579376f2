"""Timeouts: connecting, waiting for an answer, and a stream that stalls.

The emulator holds the late replies (`hold_after`) until the client leaves, so a
timeout is the only possible outcome however slow the machine is.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.exceptions import ModelTimeoutError
from langchain_core.messages import BaseMessageChunk
from router_emulator import RawReply, Reply, RouterEmulator

from langchain_hf_router import APIConnectionError, APITimeoutError

QUEUE_POLLS = 3000
"""Checks of the accept queue, 10 ms apart: 30 s, a bound on a failure only."""


def test_read_timeout(emulator: RouterEmulator, make_model, api: str) -> None:
    emulator.enqueue(Reply(text="never sent", hold_after=0))
    with pytest.raises(APITimeoutError) as caught:
        make_model(api=api, timeout=0.2).invoke("x")
    assert isinstance(caught.value, ModelTimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    emulator.wait_held()


def _stalling_stream(api: str) -> RawReply:
    """First write: the opening events and the text "one"; then held silence."""
    if api == "chat_completions":
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
        }
        first = [
            {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant"}}]},
            {**chunk, "choices": [{"index": 0, "delta": {"content": "one"}}]},
        ]
        later = {**chunk, "choices": [{"index": 0, "delta": {"content": " two"}}]}
    else:
        item = {"id": "msg_1", "type": "message", "role": "assistant", "content": []}
        delta = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
        first = [
            {"type": "response.created", "response": {"id": "r", "output": []}},
            {"type": "response.output_item.added", "output_index": 0, "item": item},
            {"type": "response.output_text.delta", **delta, "delta": "one"},
        ]
        later = {"type": "response.output_text.delta", **delta, "delta": " two"}
    events = ["".join(f"data: {json.dumps(e)}\n\n" for e in first)]
    events.append(f"data: {json.dumps(later)}\n\n")
    return RawReply(events=events, hold_after=1)


def test_a_stream_that_stalls_raises_instead_of_hanging(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(_stalling_stream(api))
    emulator.enqueue(Reply(text="must not be used"))
    received: list[str] = []
    stream = make_model(api=api, timeout=0.3, max_retries=2).stream("x")
    with pytest.raises(APITimeoutError):
        received.extend(chunk.text for chunk in stream)
    assert "".join(received) == "one"
    assert len(emulator.requests) == 1  # output was yielded: never sent again


async def _drain(stream: AsyncIterator[BaseMessageChunk], into: list[str]) -> None:
    async for chunk in stream:
        into.append(chunk.text)


async def test_an_async_stream_that_stalls_raises(
    emulator: RouterEmulator, make_model, aclose_models, api: str
) -> None:
    emulator.enqueue(_stalling_stream(api))
    llm = make_model(api=api, timeout=0.3, max_retries=2)
    aclose_models.append(llm)
    received: list[str] = []
    with pytest.raises(APITimeoutError):
        await _drain(llm.astream("x"), received)
    assert "".join(received) == "one"
    assert len(emulator.requests) == 1


def _accept_queue(port: int) -> int:
    """Connections waiting in the accept queue of the listener on `port` (Linux)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        _, local, _, state, queues = line.split()[:5]
        if state == "0A" and int(local.split(":")[1], 16) == port:  # 0A: LISTEN
            return int(queues.split(":")[1], 16)
    return 0


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection attempt gets no answer."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)  # room for one connection; SYNs beyond it are dropped
    port = server.getsockname()[1]
    filler = socket.socket()
    filler.setblocking(False)
    filler.connect_ex(("127.0.0.1", port))
    try:
        # The kernel queues the filler once its handshake is done.
        for _ in range(QUEUE_POLLS):
            if _accept_queue(port):
                break
            time.sleep(0.01)
        else:
            pytest.fail(f"the filler never reached the accept queue of {port}")
        yield port
    finally:
        filler.close()
        server.close()


def test_connect_timeout(make_model, unanswered_port: int) -> None:
    llm = make_model(
        base_url=f"http://127.0.0.1:{unanswered_port}/v1",
        connect_timeout=0.3,
        timeout=30,
    )
    with pytest.raises(APITimeoutError) as caught:
        llm.invoke("x")
    # The connect timeout, not the read one: the connection was never made.
    assert isinstance(caught.value.__cause__, httpx.ConnectTimeout)


def test_connection_refused(make_model) -> None:
    with pytest.raises(APIConnectionError, match="could not connect to"):
        make_model(base_url="http://127.0.0.1:9/v1").invoke("x")
