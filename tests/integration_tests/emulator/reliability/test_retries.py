"""Retries: which failures are sent again, how long we wait, and when never."""

from __future__ import annotations

import email.utils
import logging
import time

import pytest
from chat_asserts import sum_chunks
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


def _call(llm, stream: bool) -> str:
    if stream:
        return sum_chunks(list(llm.stream("x"))).text
    return llm.invoke("x").text


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_retryable_statuses_are_sent_again(
    emulator: RouterEmulator, make_model, api: str, stream: bool, status: int
) -> None:
    emulator.enqueue(ErrorReply(status, None, {"retry-after-ms": "1"}))
    emulator.enqueue(Reply(text="recovered"))
    assert _call(make_model(api=api, max_retries=1), stream) == "recovered"
    assert len(emulator.requests) == 2
    assert emulator.requests[0].body == emulator.requests[1].body


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_429_then_success_is_retried_honouring_retry_after_ms(
    emulator: RouterEmulator, make_model, api: str, stream: bool
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
    assert _call(make_model(api=api, max_retries=2), stream) == "finally"
    assert len(emulator.requests) == 3
    assert emulator.requests[0].body == emulator.requests[2].body


def test_retries_give_up_after_max_retries(
    emulator: RouterEmulator, make_model
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
        make_model(max_retries=2).invoke("x")
    assert isinstance(caught.value, ModelAPIError)
    assert caught.value.is_retryable
    assert caught.value.message == "Internal server error"
    assert len(emulator.requests) == 3


def test_rate_limit_with_max_retries_zero(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(ErrorReply(429, None))
    with pytest.raises(RateLimitError) as caught:
        make_model(max_retries=0).invoke("x")
    assert isinstance(caught.value, ModelRateLimitError)
    assert "Too Many Requests" in str(caught.value)  # empty body: the reason phrase


def test_retry_is_logged_at_debug_without_the_key(
    emulator: RouterEmulator, make_model, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.enqueue(ErrorReply(503, None, {"retry-after": "0"}))
    emulator.enqueue(Reply(text="ok"))
    with caplog.at_level(logging.DEBUG, logger="langchain_hf_router"):
        make_model(max_retries=1, api_key="hf_canary_secret").invoke("x")
    assert "retry 1/1" in caplog.text
    assert "hf_canary_secret" not in caplog.text


FIRST_FAILURES = {  # (failure, streamed?): a drop only exists on a stream
    "in-band-503-invoke": (InBandFailure("503 upstream overloaded"), False),
    "in-band-503-stream": (InBandFailure("503 upstream overloaded"), True),
    "dropped-connection-stream": (Reply(text="lost", drop_after=0), True),
    "stall-before-first-byte-invoke": (Reply(text="late", delay_before=1.0), False),
    "stall-before-first-byte-stream": (Reply(text="late", delay_before=1.0), True),
}


@pytest.mark.parametrize("case", sorted(FIRST_FAILURES))
def test_a_failure_before_any_output_is_retried(
    emulator: RouterEmulator, make_model, api: str, case: str
) -> None:
    failure, stream = FIRST_FAILURES[case]
    emulator.enqueue(failure, Reply(text="recovered"))
    llm = make_model(api=api, max_retries=1, timeout=0.3)
    assert _call(llm, stream) == "recovered"
    assert len(emulator.requests) == 2


def test_connection_errors_are_retried_then_raised(make_model) -> None:
    llm = make_model(base_url="http://127.0.0.1:9/v1", max_retries=1)
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as caught:
        llm.invoke("x")
    assert caught.value.is_retryable
    assert time.monotonic() - started >= 0.3  # one backoff (0.375 s at least)


def test_retry_after_seconds_is_honoured(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(ErrorReply(429, None, {"retry-after": "1"}))
    emulator.enqueue(Reply(text="ok"))
    started = time.monotonic()
    assert make_model(max_retries=1).invoke("x").text == "ok"
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


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_errors_that_cannot_succeed_are_not_retried(
    emulator: RouterEmulator, make_model, api: str, stream: bool
) -> None:
    emulator.enqueue(InBandFailure("400 bad input"))
    emulator.enqueue(Reply(text="never sent"))
    with pytest.raises(BadRequestError):
        _call(make_model(api=api, max_retries=2), stream)
    assert len(emulator.requests) == 1


def test_no_retry_once_a_stream_has_yielded(
    emulator: RouterEmulator, make_model, api: str
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
        received.extend(
            chunk.text for chunk in make_model(api=api, max_retries=2).stream("x")
        )
    assert "".join(received)  # output reached the caller first
    assert len(emulator.requests) == 1
