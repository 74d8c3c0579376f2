"""Every transport failure names what was tried: the address, the timeout that ran
out and its value, how many attempts were made, and for a cut body how far it got.

Timeouts race only replies the emulator holds (`hold_after`), so the timeout is the
one possible outcome however slow the machine is; attempts are counted against the
requests the emulator received.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from chat_asserts import MODES, assert_not_shown, call
from router_emulator import RawReply, Reply, RouterEmulator

from langchain_hf_router import (
    APIConnectionError,
    APITimeoutError,
    BrokenStreamError,
    HuggingFaceRouterError,
)

KEY = "hf_wording_canary_0123456789"
SSE = {"content-type": "text/event-stream"}
STREAMS = ("stream", "astream")
INVOKES = ("invoke", "ainvoke")
# Bounds a failure only: a join that takes this long is a hang.
HANG_GUARD_SECONDS = 30.0


def attempts(count: int) -> str:
    return f"after {count} attempt" + ("" if count == 1 else "s")


async def failure(model: object, mode: str) -> HuggingFaceRouterError:
    """The error a call in `mode` raises; the key is nowhere in it."""
    with pytest.raises(HuggingFaceRouterError) as caught:
        await call(model, mode)
    assert_not_shown(caught.value, KEY)
    return caught.value


def assert_names(error: HuggingFaceRouterError, origin: str, count: int) -> None:
    """The message and the attributes name the address and the attempts."""
    assert origin in str(error)
    assert attempts(count) in str(error)
    assert (error.address, error.attempts) == (origin, count)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full, so a new connection is never answered.

    With a backlog of 0, Linux queues one connection (the filler, connected here)
    and drops the SYNs of later ones.
    """
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = int(server.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port), HANG_GUARD_SECONDS):
            yield port


@pytest.mark.parametrize("mode", MODES)
async def test_a_refused_connection_names_the_address_and_attempts(
    make_any_model, closed_port: int, mode: str
) -> None:
    origin = f"http://127.0.0.1:{closed_port}"
    model = make_any_model(base_url=f"{origin}/v1", api_key=KEY, max_retries=1)
    error = await failure(model, mode)
    assert type(error) is APIConnectionError
    assert error.is_retryable
    assert_names(error, origin, 2)
    assert f"could not connect to {origin}: ConnectError:" in str(error)
    assert "check base_url or HUGGINGFACE_BASE_URL" in str(error)


@pytest.mark.parametrize("mode", MODES)
async def test_a_read_timeout_names_its_value_and_the_attempts(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(*[Reply(text="never", hold_after=0)] * 2)
    model = make_any_model(api=api, api_key=KEY, timeout=0.2, max_retries=1)
    error = await failure(model, mode)
    assert type(error) is APITimeoutError
    assert_names(error, emulator.origin, len(emulator.requests))
    assert error.attempts == 2
    message = f"no answer from {emulator.origin} within the read timeout of 0.2 s"
    assert message in str(error)
    assert "raise timeout= or max_retries=" in str(error)


@pytest.mark.parametrize("mode", ["invoke", "astream"])
async def test_a_connect_timeout_names_connect_timeout(
    make_any_model, unanswered_port: int, mode: str
) -> None:
    origin = f"http://127.0.0.1:{unanswered_port}"
    model = make_any_model(
        base_url=f"{origin}/v1", api_key=KEY, connect_timeout=0.2, timeout=30
    )
    error = await failure(model, mode)
    assert type(error) is APITimeoutError
    assert_names(error, origin, 1)
    assert f"could not connect to {origin} within the connect timeout of 0.2 s" in (
        str(error)
    )
    assert "raise connect_timeout=" in str(error)


@pytest.mark.parametrize("mode", INVOKES)
async def test_a_pool_timeout_names_the_pool(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    """One connection for two calls: the second waits for the first, held."""
    limits = httpx.Limits(max_connections=1)
    clients = {"http_client": httpx.Client(limits=limits)}
    clients["http_async_client"] = httpx.AsyncClient(limits=limits)  # type: ignore[assignment]
    holder = make_any_model(api_key=KEY, timeout=HANG_GUARD_SECONDS, **clients)
    waiter = make_any_model(api_key=KEY, timeout=0.2, **clients)
    emulator.enqueue(Reply(text="held", hold_after=0))
    try:
        if mode == "invoke":  # a blocking call, made in a thread of its own
            held = asyncio.ensure_future(asyncio.to_thread(holder.invoke, "x"))
        else:
            held = asyncio.ensure_future(holder.ainvoke("x"))
        await asyncio.to_thread(emulator.wait_held)
        error = await failure(waiter, mode)
        emulator.release()
        assert (await held).text == "held"
    finally:
        emulator.release()
        clients["http_client"].close()
        await clients["http_async_client"].aclose()
    assert type(error) is APITimeoutError
    assert_names(error, emulator.origin, 1)
    assert "came free in the pool within the pool timeout of 0.2 s" in str(error)
    assert len(emulator.requests) == 1  # the waiter never got a connection


@pytest.mark.parametrize("mode", STREAMS)
async def test_a_stream_cut_midway_says_it_was_cut(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(Reply(text="one two three four five six seven", drop_after=5))
    error = await failure(make_any_model(api=api, api_key=KEY, max_retries=2), mode)
    assert type(error) is BrokenStreamError
    text = str(error)
    assert f"the stream from {emulator.origin} was cut after 5 events (" in text
    assert "RemoteProtocolError" in text
    assert "the answer is incomplete" in text
    assert (error.address, error.attempts) == (emulator.origin, 1)
    assert len(emulator.requests) == 1  # output was given: never sent again


@pytest.mark.parametrize("mode", MODES)
async def test_a_connection_closed_before_the_body_stays_a_connection_error(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(*[Reply(text="lost", drop_after=0)] * 2)
    model = make_any_model(api=api, api_key=KEY, max_retries=1, streaming=True)
    error = await failure(model, mode)
    assert type(error) is APIConnectionError
    assert error.is_retryable
    assert_names(error, emulator.origin, 2)
    assert f"the connection to {emulator.origin} failed" in str(error)
    assert "cut" not in str(error)


@pytest.mark.parametrize("mode", STREAMS)
async def test_a_stream_that_stalls_says_how_far_it_got(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(*[Reply(text="one two three", hold_after=2)] * 2)
    model = make_any_model(api=api, api_key=KEY, timeout=0.2, max_retries=1)
    error = await failure(model, mode)
    assert type(error) is APITimeoutError
    # Chat gave text in its first 2 events (no retry); Responses did not.
    assert_names(error, emulator.origin, len(emulator.requests))
    text = str(error)
    assert f"the stream from {emulator.origin} stopped after 2 events (" in text
    assert "nothing more came within the read timeout of 0.2 s" in text


@pytest.mark.parametrize("mode", INVOKES)
async def test_a_whole_answer_that_stalls_says_how_many_bytes_came(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(*[Reply(text="a whole answer", hold_after=20)] * 2)
    model = make_any_model(api=api, api_key=KEY, timeout=0.2, max_retries=1)
    error = await failure(model, mode)
    assert type(error) is APITimeoutError
    assert_names(error, emulator.origin, 2)
    assert len(emulator.requests) == 2
    assert f"the answer from {emulator.origin} stopped after 20 of " in str(error)


@pytest.mark.parametrize("mode", INVOKES)
async def test_a_whole_answer_cut_short_says_how_many_bytes_came(
    make_any_model, api: str, mode: str
) -> None:
    """A server of its own, stopped while it holds the body after 20 bytes."""
    with RouterEmulator() as server:
        origin = server.origin
        server.enqueue(Reply(text="a whole answer", hold_after=20))
        stopper = threading.Thread(target=lambda: (server.wait_held(), server.stop()))
        stopper.start()
        model = make_any_model(api=api, base_url=f"{origin}/v1", api_key=KEY)
        error = await failure(model, mode)
        stopper.join(HANG_GUARD_SECONDS)
    assert type(error) is APIConnectionError
    assert error.is_retryable
    assert_names(error, origin, 1)
    assert f"the answer from {origin} was cut after 20 of " in str(error)
    assert "RemoteProtocolError" in str(error)


@pytest.mark.parametrize("mode", MODES)
async def test_the_deadline_names_the_call_and_the_attempts(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    # Each read returns at once; the deadline alone can end the call. Bounded:
    # 4,000 comments 5 ms apart (20 s at most) if the client never left.
    events = [": keep-alive\n\n"] * 4000
    emulator.enqueue(RawReply(headers=SSE, events=events, delay_between=0.005))
    model = make_any_model(api=api, api_key=KEY, deadline=0.5, timeout=30)
    error = await failure(model, mode)
    assert type(error) is APITimeoutError
    assert_names(error, emulator.origin, 1)
    assert f"the call to {emulator.origin} passed its deadline of 0.5 s" in str(error)
