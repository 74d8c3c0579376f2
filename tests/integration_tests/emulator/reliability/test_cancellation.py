"""Leaving a stream early closes its HTTP response: counted on the server side."""

from __future__ import annotations

import asyncio

from router_emulator import Reply, RouterEmulator

from langchain_hf_router.core.settings import POOL_LIMITS

KEEP_ALIVE = POOL_LIMITS.max_keepalive_connections
LONG = Reply(text=" ".join(["word"] * 400), delay_between=0.01)  # about 4 s in full


def test_breaking_out_of_sync_streams_closes_each_response(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    assert emulator.wait_open_connections(0)
    llm = make_model(api=api)
    most = 0
    for _ in range(30):
        emulator.enqueue(LONG)
        for _chunk in llm.stream("x"):
            break
        most = max(most, emulator.open_connections)
    # An abandoned response that stayed open would hold its connection: 30 of them.
    assert most <= KEEP_ALIVE
    assert emulator.wait_open_connections(0)  # each was closed, none left over
    assert len(emulator.requests) == 30
    emulator.enqueue(Reply(text="still usable"))
    assert llm.invoke("x").text == "still usable"
    llm.close()
    assert emulator.wait_open_connections(0)


def test_a_stream_closed_explicitly_releases_its_connection(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    assert emulator.wait_open_connections(0)
    emulator.enqueue(LONG)
    stream = make_model(api=api).stream("x")
    next(stream)
    assert emulator.open_connections == 1
    stream.close()
    assert emulator.wait_open_connections(0)


async def test_cancelling_async_streams_closes_each_response(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    assert emulator.wait_open_connections(0)
    llm = make_model(api=api)
    started = asyncio.Event()

    async def consume() -> None:
        async for _chunk in llm.astream("x"):
            started.set()

    most = 0
    for _ in range(20):
        emulator.enqueue(LONG)
        started.clear()
        task = asyncio.create_task(consume())
        await started.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        most = max(most, emulator.open_connections)
    assert most <= KEEP_ALIVE
    await asyncio.to_thread(emulator.wait_open_connections, 0)
    assert emulator.open_connections == 0
    await llm.aclose()


async def test_an_async_stream_closed_early_then_the_model_closed(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    assert emulator.wait_open_connections(0)
    llm = make_model(api=api)
    emulator.enqueue(LONG)
    stream = llm.astream("x")
    async for _chunk in stream:
        break
    await stream.aclose()
    assert await asyncio.to_thread(emulator.wait_open_connections, 0)
    for _ in range(3):
        await llm.ainvoke("x")
    assert emulator.open_connections == 1  # one kept-alive connection, reused
    await llm.aclose()
    assert await asyncio.to_thread(emulator.wait_open_connections, 0)
