"""Retries: which failures are sent again, how long we wait, and when never.

A wait is read from what the client asked for (the delay its debug log records
before it sleeps) and the requests the emulator counted, never from a clock.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time

import pytest
from chat_asserts import MODES, call, collect_text
from langchain_core.exceptions import ModelAPIError, ModelRateLimitError
from router_emulator import ErrorReply, InBandFailure, Reply, RouterEmulator

from langchain_hf_router import (
    APIConnectionError,
    BadRequestError,
    RateLimitError,
    ServerError,
    create_huggingface,
)
from langchain_hf_router.core.retry import MAX_RETRY_AFTER, backoff

LOGGER = "langchain_hf_router"
RETRY_LOG = re.compile(r"retry \d+/\d+ in (\d+\.\d+) ?s")
FIRST_BACKOFF = backoff(0, jitter=0.0)
"""The longest first backoff (0.5 s): a longer wait is the server's."""


async def _call(llm, mode: str) -> str:
    return (await call(llm, mode)).text


def _retry_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The delays, in seconds, of the retries the client logged (2 decimals)."""
    return [
        float(found[1])
        for record in caplog.records
        if (found := RETRY_LOG.search(record.getMessage()))
    ]


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("mode", MODES)
async def test_retryable_statuses_are_sent_again(
    emulator: RouterEmulator, make_any_model, api: str, mode: str, status: int
) -> None:
    emulator.enqueue(ErrorReply(status, None, {"retry-after-ms": "1"}))
    emulator.enqueue(Reply(text="recovered"))
    assert await _call(make_any_model(api=api, max_retries=1), mode) == "recovered"
    assert len(emulator.requests) == 2
    assert emulator.requests[0].body == emulator.requests[1].body


@pytest.mark.parametrize("mode", MODES)
async def test_429_then_success_is_retried_honouring_retry_after_ms(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(
        ErrorReply(
            429,
            {
                "error": {
                    "message": "slow down",
                    "type": None,
                    "code": None,
                    "param": None,
                }
            },
            {"retry-after-ms": "10"},
        )
    )
    emulator.enqueue(ErrorReply(503, "upstream unavailable", {"retry-after": "0"}))
    emulator.enqueue(Reply(text="finally"))
    assert await _call(make_any_model(api=api, max_retries=2), mode) == "finally"
    assert len(emulator.requests) == 3
    assert emulator.requests[0].body == emulator.requests[2].body


@pytest.mark.parametrize("mode", MODES)
async def test_retries_give_up_after_max_retries(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    for _ in range(3):
        emulator.enqueue(
            ErrorReply(
                500,
                {
                    "error": {
                        "message": "Internal server error",
                        "code": None,
                        "param": None,
                        "type": "server_error",
                    }
                },
                {"retry-after": "0"},
            )
        )
    with pytest.raises(ServerError) as caught:
        await call(make_any_model(max_retries=2), mode)
    assert isinstance(caught.value, ModelAPIError)
    assert caught.value.is_retryable
    assert caught.value.message == "Internal server error"
    assert len(emulator.requests) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_rate_limit_with_max_retries_zero(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    emulator.enqueue(ErrorReply(429, None))
    with pytest.raises(RateLimitError) as caught:
        await call(make_any_model(max_retries=0), mode)
    assert isinstance(caught.value, ModelRateLimitError)
    assert "Too Many Requests" in str(caught.value)  # empty body: the reason phrase


@pytest.mark.parametrize("mode", MODES)
async def test_retry_is_logged_at_debug_without_the_key(
    emulator: RouterEmulator,
    make_any_model,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    emulator.enqueue(ErrorReply(503, None, {"retry-after": "0"}))
    emulator.enqueue(Reply(text="ok"))
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        await call(make_any_model(max_retries=1, api_key="hf_canary_secret"), mode)
    assert "retry 1/1" in caplog.text
    assert "hf_canary_secret" not in caplog.text


FIRST_FAILURES = {  # (failure, modes): a drop only exists on a stream
    "in-band-503": (InBandFailure("503 upstream overloaded"), MODES),
    "dropped-connection": (Reply(text="lost", drop_after=0), ("stream", "astream")),
    "stall-before-first-byte": (Reply(text="never sent", hold_after=0), MODES),
}


@pytest.mark.parametrize(
    ("case", "mode"),
    [
        (case, mode)
        for case, (_, modes) in sorted(FIRST_FAILURES.items())
        for mode in modes
    ],
)
async def test_a_failure_before_any_output_is_retried(
    emulator: RouterEmulator, make_any_model, api: str, case: str, mode: str
) -> None:
    failure, _ = FIRST_FAILURES[case]
    emulator.enqueue(failure, Reply(text="recovered"))
    # The stall is held until the client leaves: its timeout fires whatever the
    # load. The same timeout then bounds the retry's answer, normally in ms.
    llm = make_any_model(api=api, max_retries=1, timeout=1.0)
    assert await _call(llm, mode) == "recovered"
    assert len(emulator.requests) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_connection_errors_are_retried_then_raised(
    make_any_model, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    llm = make_any_model(base_url="http://127.0.0.1:9/v1", max_retries=1)
    with (
        caplog.at_level(logging.DEBUG, logger=LOGGER),
        pytest.raises(APIConnectionError) as caught,
    ):
        await call(llm, mode)
    assert caught.value.is_retryable
    [delay] = _retry_delays(caplog)  # one backoff: 0.375 s to 0.5 s
    assert 0.75 * FIRST_BACKOFF <= delay <= FIRST_BACKOFF


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_retry_after_seconds_is_honoured(
    emulator: RouterEmulator,
    make_any_model,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    emulator.enqueue(ErrorReply(429, None, {"retry-after": "1"}))
    emulator.enqueue(Reply(text="ok"))
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert await _call(make_any_model(max_retries=1), mode) == "ok"
    assert _retry_delays(caplog) == [1.0]
    assert len(emulator.requests) == 2


def test_retry_after_http_date_is_honoured(
    emulator: RouterEmulator, make_model, caplog: pytest.LogCaptureFixture
) -> None:
    # Whole seconds: the date is 2 to 3 s ahead when written.
    date = int(time.time()) + 3
    emulator.enqueue(
        ErrorReply(
            503, None, {"retry-after": email.utils.formatdate(date, usegmt=True)}
        )
    )
    emulator.enqueue(Reply(text="ok"))
    before = time.time()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert make_model(max_retries=1).invoke("x").text == "ok"
    [record] = [r for r in caplog.records if RETRY_LOG.search(r.getMessage())]
    [delay] = _retry_delays(caplog)
    # The client read the date between `before` and its log line: the wait it
    # asked for is the time left until the date then (to the log's 0.01 s).
    assert date - record.created - 0.01 <= delay <= date - before + 0.01
    assert delay > FIRST_BACKOFF  # the date's wait, not a backoff
    assert len(emulator.requests) == 2


def test_retry_after_beyond_the_cap_falls_back_to_backoff(
    emulator: RouterEmulator, make_model, caplog: pytest.LogCaptureFixture
) -> None:
    far = str(int(MAX_RETRY_AFTER * 10))
    emulator.enqueue(ErrorReply(429, None, {"retry-after": far}))
    emulator.enqueue(Reply(text="ok"))
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert make_model(max_retries=1).invoke("x").text == "ok"
    [delay] = _retry_delays(caplog)  # the first backoff, not an hour
    assert delay <= FIRST_BACKOFF


def test_max_retries_on_the_provider(emulator: RouterEmulator) -> None:
    provider = create_huggingface(
        api_key="hf_test", base_url=emulator.base_url, max_retries=3
    )
    for _ in range(3):
        emulator.enqueue(ErrorReply(500, None, {"retry-after-ms": "1"}))
    emulator.enqueue(Reply(text="fourth time lucky"))
    try:
        assert provider("m").invoke("x").text == "fourth time lucky"
        assert len(emulator.requests) == 4
        emulator.reset()
        emulator.enqueue(ErrorReply(500, None, {"retry-after-ms": "1"}))
        with pytest.raises(ServerError):
            provider("m", max_retries=0).invoke("x")  # the model's own value wins
        assert len(emulator.requests) == 1
    finally:
        provider.close()


@pytest.mark.parametrize("mode", MODES)
async def test_errors_that_cannot_succeed_are_not_retried(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(InBandFailure("400 bad input"))
    emulator.enqueue(Reply(text="never sent"))
    with pytest.raises(BadRequestError):
        await _call(make_any_model(api=api, max_retries=2), mode)
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_no_retry_once_a_stream_has_yielded(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(
        InBandFailure(
            "503 provider overloaded",
            stream_events_before=10,
            partial_text="Hello there",
        )
    )
    emulator.enqueue(Reply(text="would duplicate output"))
    received: list[str] = []
    with pytest.raises(ServerError):
        await collect_text(make_any_model(api=api, max_retries=2), mode, received)
    assert "".join(received)  # output reached the caller first
    assert len(emulator.requests) == 1
