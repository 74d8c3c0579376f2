"""Leaving a stream early closes its HTTP response: counted on the server side.

Each stream is held by the emulator after a few events until its client leaves,
so a stream can only end by being closed, however slow the machine is.
"""

from __future__ import annotations

import asyncio

from router_emulator import Reply, RouterEmulator

LONG = Reply(text=" ".join(["word"] * 40), hold_after=8)  # text within 8 events


def test_breaking_out_of_sync_streams_closes_each_response(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    assert emulator.wait_open_connections(0)
    llm = make_model(api=api)
    for _ in range(30):
        emulator.enqueue(LONG)
        for _chunk in llm.stream("x"):
            break
        # An abandoned response that stayed open would hold its connection.
        assert emulator.wait_open_connections(0)
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

    for _ in range(20):
        emulator.enqueue(LONG)
        started.clear()
        task = asyncio.create_task(consume())
        await started.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
        assert await asyncio.to_thread(emulator.wait_open_connections, 0)
    assert len(emulator.requests) == 20
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
