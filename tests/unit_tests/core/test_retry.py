"""`core.retry`: how long the server asked us to wait, backoff, and when to stop."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from langchain_hf_router.core.errors import (
    BadRequestError,
    HuggingFaceRouterError,
    RateLimitError,
    ServerError,
    build_error,
)
from langchain_hf_router.core.retry import (
    INITIAL_DELAY,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    backoff,
    retry_after,
    retry_delay,
)

from .recorded import post

NOW = 1_739_457_445.0  # the together stream recording's Date, as a timestamp


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


# --- retry_after ------------------------------------------------------------------------


def test_retry_after_ms():
    assert retry_after({"retry-after-ms": "1500"}) == 1.5


def test_retry_after_ms_wins_over_seconds():
    assert retry_after({"retry-after-ms": "250", "retry-after": "5"}) == 0.25


def test_garbage_ms_falls_back_to_seconds():
    assert retry_after({"retry-after-ms": "soon", "retry-after": "3"}) == 3.0


@pytest.mark.parametrize(("value", "seconds"), [("2", 2.0), ("0", 0.0), ("1.5", 1.5)])
def test_retry_after_seconds(value: str, seconds: float):
    assert retry_after({"retry-after": value}) == seconds


def test_retry_after_http_date():
    headers = {"retry-after": http_date(NOW + 30)}
    assert retry_after(headers, now=NOW) == pytest.approx(30.0)


def test_retry_after_http_date_in_the_past_asks_for_no_wait():
    assert retry_after({"retry-after": http_date(NOW - 30)}, now=NOW) in (None, 0.0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"retry-after": "soon"},
        {"retry-after": ""},
        {"retry-after": "-5"},
        {"retry-after": "Wed, 99 Foo 2015 99:99:99 GMT"},
        {"retry-after-ms": "-1"},
        {"retry-after-ms": "later"},
    ],
    ids=["none", "word", "empty", "negative", "bad-date", "negative-ms", "word-ms"],
)
def test_garbage_is_ignored(headers: dict[str, str]):
    assert retry_after(headers, now=NOW) is None


@pytest.mark.parametrize("name", ["retry-after", "retry-after-ms"])
def test_not_a_number_is_ignored(name: str):
    assert retry_after({name: "nan"}) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": str(MAX_RETRY_AFTER + 1)},
        {"retry-after": "inf"},
        {"retry-after-ms": str((MAX_RETRY_AFTER + 1) * 1000)},
        {"retry-after": http_date(NOW + 120)},
    ],
    ids=["seconds", "infinite", "ms", "date"],
)
def test_waits_over_the_cap_are_ignored(headers: dict[str, str]):
    assert retry_after(headers, now=NOW) is None


def test_a_wait_at_the_cap_is_honoured():
    assert retry_after({"retry-after": str(MAX_RETRY_AFTER)}) == MAX_RETRY_AFTER


def test_header_names_are_case_insensitive_in_httpx_headers():
    assert retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert retry_after(httpx.Headers({"Retry-After-Ms": "40"})) == 0.04


@pytest.mark.parametrize(
    ("cassette", "index", "seconds"),
    [
        ("pydantic_ai_vcr/test_together_500_on_tool_continuation.yaml", 1, 1.0),
        (
            "huggingface_hub_vcr/TestInferenceClient.test_chat_completion_with_stream"
            "[together,conversational].yaml",
            0,
            2.0,
        ),
    ],
    ids=["router-500", "together-stream"],
)
def test_recorded_router_retry_after(cassette: str, index: int, seconds: float):
    assert retry_after(post(cassette, index).headers) == seconds


# --- backoff ------------------------------------------------------------------------------


def test_backoff_doubles_from_the_initial_delay_up_to_the_cap():
    delays = [backoff(attempt, jitter=0) for attempt in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert delays[0] == INITIAL_DELAY
    assert max(delays) == MAX_DELAY


def test_full_jitter_takes_off_a_quarter():
    assert [backoff(attempt, jitter=1) for attempt in range(5)] == [
        0.375,
        0.75,
        1.5,
        3.0,
        6.0,
    ]


def test_random_jitter_stays_within_bounds():
    for attempt in range(10):
        top = backoff(attempt, jitter=0)
        for _ in range(50):
            assert 0.75 * top <= backoff(attempt) <= top


def test_backoff_cap_holds_for_any_attempt():
    assert backoff(2000, jitter=0) == MAX_DELAY


# --- retry_delay -------------------------------------------------------------------------


def test_a_retryable_error_is_retried_after_a_backoff():
    error = RateLimitError("slow down", status_code=429)
    delay = retry_delay(error, attempt=1, max_retries=2)
    assert delay is not None
    assert 0.75 * backoff(1, jitter=0) <= delay <= backoff(1, jitter=0)


def test_the_servers_retry_after_is_used_when_given():
    error = build_error(503, {"error": {"message": "busy"}}, retry_after=3.0)
    assert retry_delay(error, attempt=0, max_retries=2) == 3.0


@pytest.mark.parametrize(("attempt", "max_retries"), [(2, 2), (5, 2), (0, 0)])
def test_no_retry_once_max_retries_are_used(attempt: int, max_retries: int):
    error = ServerError("boom", status_code=500, retry_after=1.0)
    assert retry_delay(error, attempt, max_retries) is None


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError("bad", status_code=400),
        build_error(401, {"error": "Invalid username or password."}),
        ServerError("final", retryable=False, retry_after=1.0),
    ],
    ids=["400", "401", "not-retryable-server-error"],
)
def test_non_retryable_errors_are_not_retried(error: HuggingFaceRouterError):
    assert retry_delay(error, attempt=0, max_retries=5) is None
