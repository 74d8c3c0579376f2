"""Load: concurrent async streams through one model, and a long sequential soak.

Every limit is a count (requests, connections, bytes of memory); the seconds
taken are reported, never asserted.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from chat_asserts import sum_chunks
from langchain_core.messages import AIMessage
from router_emulator import Reply, RouterEmulator

from langchain_hf_router import ChatHuggingFaceRouter
from langchain_hf_router.core.settings import POOL_LIMITS

CONCURRENT_STREAMS = 200
SOAK_REQUESTS = 5_000
SOAK_WARMUP = 500
SOAK_CHECKPOINT = 500
SOAK_RSS_BOUND = 5 * 2**20
"""Keeping one answer per request (an AIMessage is ~2.5 KB with its metadata) would
add ~11 MB over the 4,500 requests after warm-up; a flat process moves by allocator
noise only (~0.5 MB here, with no traced Python growth behind it)."""
SOAK_CLIENTS = 4
"""Two models (one per API), each with one sync and one async client. (A client
idle past httpx's 5 s keep-alive expiry would reconnect: a hang, not load.)"""


@pytest.fixture
def own_emulator() -> Iterator[RouterEmulator]:
    """An emulator of its own: no other test's connection is open on it."""
    with RouterEmulator() as emulator:
        yield emulator


def _rss_bytes() -> int:
    gc.collect()
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


async def test_concurrent_streams_share_one_model(
    own_emulator: RouterEmulator, make_model, api: str, record_property
) -> None:
    emulator = own_emulator
    most, keepalive = POOL_LIMITS.max_connections, POOL_LIMITS.max_keepalive_connections
    assert most is not None
    assert keepalive is not None
    texts = [f"Answer number {i} is ready." for i in range(CONCURRENT_STREAMS)]
    # Each reply waits in the server until the pool is full, so the pool's limit
    # is what stops the requests, not how fast the server answers.
    emulator.enqueue(*(Reply(text=text, hold_after=0) for text in texts))
    llm = make_model(api=api, base_url=emulator.base_url)
    try:
        started = time.perf_counter()
        calls = asyncio.gather(
            *(_collect(llm, f"q{i}") for i in range(CONCURRENT_STREAMS))
        )
        await asyncio.to_thread(emulator.wait_held, most)
        in_server = len(emulator.requests)  # the rest wait in the pool
        emulator.release()
        streams = await calls
        elapsed = time.perf_counter() - started
        # The pool closes what it may not keep; the server sees it a little later.
        idle_ok = await asyncio.to_thread(
            emulator.wait_open_connections, keepalive, at_most=True
        )
        idle = emulator.open_connections
    finally:
        await llm.aclose()
    closed = await asyncio.to_thread(emulator.wait_open_connections, 0)
    figures = {
        "api": api,
        "streams": CONCURRENT_STREAMS,
        "seconds": round(elapsed, 3),
        "in_server_at_once": in_server,
        "open_after_gather": idle,
        "connections_accepted": emulator.connections_accepted,
    }
    record_property("load", figures)
    print(f"LOAD: {json.dumps(figures)}")

    assert Counter(message.text for message in streams) == Counter(texts)
    for message in streams:
        assert message.response_metadata["finish_reason"] == "stop"
        assert message.usage_metadata is not None
        assert message.usage_metadata["total_tokens"] > 0
    assert len(emulator.requests) == CONCURRENT_STREAMS
    assert all(request.json["stream"] is True for request in emulator.requests)
    assert emulator.pending == 0
    assert emulator.server_errors == []
    assert in_server == most, "the pool's limit on connections at once"
    assert idle_ok, f"{idle} connections stayed open, keep-alive limit {keepalive}"
    assert closed, f"{emulator.open_connections} leaked after aclose()"


async def _collect(llm: ChatHuggingFaceRouter, prompt: str) -> AIMessage:
    return sum_chunks([chunk async for chunk in llm.astream(prompt)])


async def _one_request(llm: ChatHuggingFaceRouter, mode: str) -> AIMessage:
    if mode == "invoke":
        return llm.invoke("hi")
    if mode == "stream":
        return sum_chunks(list(llm.stream("hi")))
    if mode == "ainvoke":
        return await llm.ainvoke("hi")
    return await _collect(llm, "hi")


async def test_sequential_soak_holds_memory_flat(
    emulator: RouterEmulator, make_model, record_property
) -> None:
    """5,000 requests in turn: both APIs, sync and async, invoke and stream."""
    models = [make_model(api=api) for api in ("chat_completions", "responses")]
    modes = ("invoke", "stream", "ainvoke", "astream")
    requests = accepted = 0
    errors: list[BaseException] = []
    rss: list[int] = []
    try:
        started = time.perf_counter()
        for i in range(SOAK_REQUESTS):
            llm = models[i % 2]
            message = await _one_request(llm, modes[(i // 2) % len(modes)])
            assert message.text == "Hello from the emulator.", (i, message)
            assert message.response_metadata["finish_reason"] == "stop", i
            if (i + 1) % SOAK_CHECKPOINT == 0:
                # The emulator keeps every request it saw: count and forget them so
                # that its records do not weigh in this process's RSS.
                requests += len(emulator.requests)
                accepted += emulator.connections_accepted
                errors += emulator.server_errors
                emulator.reset()
                if i + 1 >= SOAK_WARMUP:
                    rss.append(_rss_bytes())
        elapsed = time.perf_counter() - started
    finally:
        for llm in models:
            await llm.aclose()
    growth = rss[-1] - rss[0]
    figures = {
        "requests": requests,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(SOAK_REQUESTS / elapsed),
        "rss_after_warmup_mb": round(rss[0] / 2**20, 2),
        "rss_end_mb": round(rss[-1] / 2**20, 2),
        "rss_growth_mb": round(growth / 2**20, 2),
        "rss_checkpoints_mb": [round(value / 2**20, 2) for value in rss],
        "connections_accepted": accepted,
    }
    record_property("soak", figures)
    print(f"SOAK: {json.dumps(figures)}")

    assert requests == SOAK_REQUESTS
    assert errors == []
    assert accepted <= SOAK_CLIENTS, "keep-alive connections were not reused"
    assert growth < SOAK_RSS_BOUND
