"""Every HTTP failure and in-band failure, end to end: the class, the message, the hints."""

from __future__ import annotations

import pytest
from chat_asserts import MODES, call
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from router_emulator import ErrorReply, InBandFailure, RouterEmulator

from langchain_hf_router import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthError,
    HuggingFaceRouterError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)


async def _call(llm, mode: str) -> str:
    return (await call(llm, mode)).text


@pytest.mark.parametrize("mode", MODES)
async def test_401_is_an_authentication_error(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(
        ErrorReply(
            401, {"error": "Invalid username or password."}, {"x-request-id": "req-42"}
        )
    )
    with pytest.raises(AuthenticationError) as caught:
        await _call(make_any_model(api=api, max_retries=2), mode)
    error = caught.value
    assert isinstance(error, ModelAuthenticationError)
    assert error.status_code == 401
    assert error.request_id == "req-42"
    assert error.message == "Invalid username or password."
    assert "HUGGINGFACE_API_KEY" in str(error)
    assert "HF_TOKEN" in str(error)
    assert not error.is_retryable
    assert len(emulator.requests) == 1  # not retried


@pytest.mark.parametrize("mode", MODES)
async def test_402_credits(emulator: RouterEmulator, make_any_model, mode: str) -> None:
    emulator.enqueue(
        ErrorReply(402, {"error": "You have depleted your monthly included credits."})
    )
    with pytest.raises(InsufficientCreditsError, match="credits"):
        await call(make_any_model(), mode)


@pytest.mark.parametrize("mode", MODES)
async def test_model_not_supported_hint(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
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
        await call(make_any_model(), mode)
    assert isinstance(caught.value, ModelInvalidRequestError)
    assert caught.value.code == "model_not_supported"
    assert ":provider" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
async def test_context_overflow(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    body = {
        "error": {
            "code": 400,
            "message": "request (5023 tokens) exceeds the available context size (4096 tokens), try increasing it",
            "type": "exceed_context_size_error",
        }
    }
    emulator.enqueue(ErrorReply(400, body))
    with pytest.raises(ContextLengthError) as caught:
        await call(make_any_model(), mode)
    assert isinstance(caught.value, ContextOverflowError)
    assert isinstance(caught.value, ModelInvalidRequestError)


@pytest.mark.parametrize("mode", MODES)
async def test_in_band_failure_raises(
    emulator: RouterEmulator, make_any_model, api: str, mode: str
) -> None:
    emulator.enqueue(InBandFailure("401 Invalid API Key"))
    with pytest.raises(AuthenticationError, match="Invalid API Key"):
        await _call(make_any_model(api=api), mode)


@pytest.mark.parametrize("mode", MODES)
async def test_in_band_context_overflow_on_responses(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    emulator.enqueue(
        InBandFailure(
            "400 request (5023 tokens) exceeds the available context size (4096 tokens), try increasing it"
        )
    )
    with pytest.raises(ContextLengthError) as caught:
        await call(make_any_model(api="responses"), mode)
    assert caught.value.status_code == 400


# Every status the router returns, end to end: the class, its LangChain type,
# whether it is retried (max_retries=1: a retryable status is sent twice).
STATUS_TABLE = [
    (400, BadRequestError, ModelInvalidRequestError, False),
    (401, AuthenticationError, ModelAuthenticationError, False),
    (402, InsufficientCreditsError, ModelPermissionDeniedError, False),
    (403, PermissionDeniedError, ModelPermissionDeniedError, False),
    (404, NotFoundError, ModelNotFoundError, False),
    (408, RequestTimeoutError, ModelTimeoutError, True),
    (409, ConflictError, ModelAPIError, True),
    (413, BadRequestError, ModelInvalidRequestError, False),
    (422, BadRequestError, ModelInvalidRequestError, False),
    (429, RateLimitError, ModelRateLimitError, True),
    (500, ServerError, ModelAPIError, True),
    (502, ServerError, ModelAPIError, True),
    (503, ServerError, ModelAPIError, True),
    (504, ServerError, ModelAPIError, True),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "cls", "langchain_cls", "retried"),
    STATUS_TABLE,
    ids=[str(row[0]) for row in STATUS_TABLE],
)
async def test_status_table(
    emulator: RouterEmulator,
    make_any_model,
    api: str,
    mode: str,
    status: int,
    cls: type,
    langchain_cls: type,
    retried: bool,
) -> None:
    for _ in range(2):
        emulator.enqueue(
            ErrorReply(
                status,
                {"error": {"message": f"failure {status}", "type": None}},
                {"x-request-id": f"req-{status}", "retry-after-ms": "1"},
            )
        )
    with pytest.raises(cls) as caught:
        await _call(make_any_model(api=api, max_retries=1), mode)
    error = caught.value
    assert isinstance(error, langchain_cls)
    assert isinstance(error, HuggingFaceRouterError)
    assert (error.status_code, error.request_id) == (status, f"req-{status}")
    assert error.message == f"failure {status}"
    assert error.is_retryable is retried
    assert len(emulator.requests) == (2 if retried else 1)


# The error body shapes of protocol.md, each read to the server's message.
BODY_SHAPES = {
    "nested-null-fields": (
        {"error": {"message": "Bad model", "type": None, "code": None, "param": None}},
        "Bad model",
    ),
    "plain-string-error": ({"error": "Invalid username or password."}, "Invalid"),
    "detail-list": (
        {"detail": [{"loc": ["body", "model"], "msg": "field required"}]},
        "field required",
    ),
    "success-false": (
        {"success": False, "error": [{"message": "Expected string, got number"}]},
        "Expected string",
    ),
    "plain-text": ("upstream connect error", "upstream connect error"),
    "empty": (None, "Bad Request"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", sorted(BODY_SHAPES))
async def test_every_body_shape_gives_the_servers_message(
    emulator: RouterEmulator, make_any_model, api: str, shape: str, mode: str
) -> None:
    body, expected = BODY_SHAPES[shape]
    emulator.enqueue(ErrorReply(400, body))
    with pytest.raises(BadRequestError) as caught:
        await call(make_any_model(api=api), mode)
    assert expected in caught.value.message
    assert caught.value.body == body or body is None or isinstance(body, str)


@pytest.mark.parametrize("mode", MODES)
async def test_an_echoed_key_is_redacted_from_the_error(
    emulator: RouterEmulator, make_any_model, mode: str
) -> None:
    key = "hf_echoed_secret_0123456789"
    emulator.enqueue(ErrorReply(401, {"error": f"token {key} is not valid"}))
    with pytest.raises(AuthenticationError) as caught:
        await call(make_any_model(api_key=key), mode)
    assert key not in str(caught.value)
    assert key not in repr(caught.value.body)
    assert "token *** is not valid" in caught.value.message
