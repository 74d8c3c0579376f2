"""HTTP errors, in-band failures, retries and broken streams, end to end."""

from __future__ import annotations

import logging

import pytest
from chat_asserts import sum_chunks
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from router_emulator import ErrorReply, InBandFailure, RawReply, Reply, RouterEmulator

from langchain_hf_router import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BrokenStreamError,
    ContextLengthError,
    InsufficientCreditsError,
    RateLimitError,
    ServerError,
)


def _call(llm, stream: bool) -> str:
    if stream:
        return sum_chunks(list(llm.stream("x"))).text
    return llm.invoke("x").text


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_401_is_an_authentication_error(
    emulator: RouterEmulator, make_model, api: str, stream: bool
) -> None:
    emulator.enqueue(
        ErrorReply(
            401, {"error": "Invalid username or password."}, {"x-request-id": "req-42"}
        )
    )
    with pytest.raises(AuthenticationError) as caught:
        _call(make_model(api=api, max_retries=2), stream)
    error = caught.value
    assert isinstance(error, ModelAuthenticationError)
    assert error.status_code == 401
    assert error.request_id == "req-42"
    assert error.message == "Invalid username or password."
    assert "HUGGINGFACE_API_KEY" in str(error)
    assert "HF_TOKEN" in str(error)
    assert not error.is_retryable
    assert len(emulator.requests) == 1  # not retried


def test_402_credits(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(
        ErrorReply(402, {"error": "You have depleted your monthly included credits."})
    )
    with pytest.raises(InsufficientCreditsError, match="credits"):
        make_model().invoke("x")


def test_model_not_supported_hint(emulator: RouterEmulator, make_model) -> None:
    message = (
        "The requested model 'x/y' is not supported by any provider you have enabled."
    )
    emulator.enqueue(
        ErrorReply(
            400,
            {
                "error": {
                    "message": message,
                    "type": "invalid_request_error",
                    "code": "model_not_supported",
                    "param": None,
                }
            },
        )
    )
    with pytest.raises(BadRequestError) as caught:
        make_model().invoke("x")
    assert isinstance(caught.value, ModelInvalidRequestError)
    assert caught.value.code == "model_not_supported"
    assert ":provider" in str(caught.value)


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


def test_context_overflow(emulator: RouterEmulator, make_model) -> None:
    body = {
        "error": {
            "code": 400,
            "message": "request (5023 tokens) exceeds the available context size (4096 tokens), try increasing it",
            "type": "exceed_context_size_error",
        }
    }
    emulator.enqueue(ErrorReply(400, body))
    with pytest.raises(ContextLengthError) as caught:
        make_model().invoke("x")
    assert isinstance(caught.value, ContextOverflowError)
    assert isinstance(caught.value, ModelInvalidRequestError)


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_in_band_failure_raises(
    emulator: RouterEmulator, make_model, api: str, stream: bool
) -> None:
    emulator.enqueue(InBandFailure("401 Invalid API Key"))
    with pytest.raises(AuthenticationError, match="Invalid API Key"):
        _call(make_model(api=api), stream)


def test_in_band_context_overflow_on_responses(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(
        InBandFailure(
            "400 request (5023 tokens) exceeds the available context size (4096 tokens), try increasing it"
        )
    )
    with pytest.raises(ContextLengthError) as caught:
        list(make_model(api="responses").stream("x"))
    assert caught.value.status_code == 400


def test_in_band_5xx_before_output_is_retried(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(InBandFailure("503 upstream overloaded"))
    emulator.enqueue(Reply(text="recovered"))
    assert make_model(api=api, max_retries=1).invoke("x").text == "recovered"
    assert len(emulator.requests) == 2


def test_dropped_stream_raises_and_is_not_retried_after_output(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(Reply(text="one two three four five six", drop_after=5))
    emulator.enqueue(Reply(text="should not be used"))
    received: list[str] = []
    stream = make_model(api=api, max_retries=2).stream("x")
    with pytest.raises((APIConnectionError, BrokenStreamError)):
        received.extend(chunk.text for chunk in stream)
    assert "".join(received)  # some output came before the break
    assert len(emulator.requests) == 1


def test_stream_without_terminator_is_broken(
    emulator: RouterEmulator, make_model
) -> None:
    events = [
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"half an answer"},"finish_reason":null}]}\n\n'
    ]
    emulator.enqueue(
        RawReply(headers={"content-type": "text/event-stream"}, events=events)
    )
    with pytest.raises(BrokenStreamError, match="ended before"):
        list(make_model(api="chat_completions").stream("x"))


def test_malformed_event_is_quoted(emulator: RouterEmulator, make_model) -> None:
    events = ["data: {not json at all\n\n"]
    emulator.enqueue(
        RawReply(headers={"content-type": "text/event-stream"}, events=events)
    )
    with pytest.raises(BrokenStreamError, match="not json at all"):
        list(make_model(api="chat_completions").stream("x"))


def test_read_timeout(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(Reply(text="late", delay_before=1.0))
    with pytest.raises(APITimeoutError):
        make_model(timeout=0.2).invoke("x")


def test_connection_refused(make_model) -> None:
    llm = make_model(base_url="http://127.0.0.1:9/v1")
    with pytest.raises(APIConnectionError):
        llm.invoke("x")
