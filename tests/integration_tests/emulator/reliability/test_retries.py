"""Retries: which failures are sent again, how long we wait, and when never."""

from __future__ import annotations

import email.utils
import logging
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
from langchain_hf_router.core.retry import MAX_RETRY_AFTER


async def _call(llm, mode: str) -> str:
    return (await call(llm, mode)).text


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
    with caplog.at_level(logging.DEBUG, logger="langchain_hf_router"):
        await call(make_any_model(max_retries=1, api_key="hf_canary_secret"), mode)
    assert "retry 1/1" in caplog.text
    assert "hf_canary_secret" not in caplog.text


FIRST_FAILURES = {  # (failure, modes): a drop only exists on a stream
    "in-band-503": (InBandFailure("503 upstream overloaded"), MODES),
    "dropped-connection": (Reply(text="lost", drop_after=0), ("stream", "astream")),
    "stall-before-first-byte": (Reply(text="late", delay_before=1.0), MODES),
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
    llm = make_any_model(api=api, max_retries=1, timeout=0.3)
    assert await _call(llm, mode) == "recovered"
    assert len(emulator.requests) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_connection_errors_are_retried_then_raised(
    make_any_model, mode: str
) -> None:
    llm = make_any_model(base_url="http://127.0.0.1:9/v1", max_retries=1)
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as caught:
        await call(llm, mode)
    assert caught.value.is_retryable
    assert time.monotonic() - started >= 0.3  # one backoff (0.375 s at least)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_retry_after_seconds_is_honoured(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    emulator.enqueue(ErrorReply(429, None, {"retry-after": "1"}))
    emulator.enqueue(Reply(text="ok"))
    started = time.monotonic()
    assert await _call(make_any_model(max_retries=1), mode) == "ok"
    assert time.monotonic() - started >= 1.0


def test_retry_after_http_date_is_honoured(
    emulator: RouterEmulator, make_model
) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # 1-2 s from now
    emulator.enqueue(ErrorReply(503, None, {"retry-after": when}))
    emulator.enqueue(Reply(text="ok"))
    started = time.monotonic()
    assert make_model(max_retries=1).invoke("x").text == "ok"
    assert 0.9 <= time.monotonic() - started < 3


def test_retry_after_beyond_the_cap_falls_back_to_backoff(
    emulator: RouterEmulator, make_model
) -> None:
    far = str(int(MAX_RETRY_AFTER * 10))
    emulator.enqueue(ErrorReply(429, None, {"retry-after": far}))
    emulator.enqueue(Reply(text="ok"))
    started = time.monotonic()
    assert make_model(max_retries=1).invoke("x").text == "ok"
    assert time.monotonic() - started < 2  # the first backoff, not an hour


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
