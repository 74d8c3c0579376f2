"""`core.errors`: one hierarchy from one status table, and every error body shape.

The bodies are the ones real servers sent (see the fixtures README); the expected
classes follow protocol.md's status conventions and LangChain's error types.
"""

from __future__ import annotations

import json

import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_hf_router.core.errors import (
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
    build_error,
    error_class,
    error_message,
    in_band_error,
)
from langchain_hf_router.core.retry import retry_after

from .recorded import (
    LLAMACPP,
    RESPONSES_JS,
    post,
    response_body,
    response_status,
    tape,
    tape_ids,
    transcript,
)

# --- the status table ---------------------------------------------------------------

STATUSES = [
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


@pytest.mark.parametrize(("status", "cls", "langchain_base", "retryable"), STATUSES)
def test_status_table(
    status: int, cls: type, langchain_base: type[ModelError], retryable: bool
):
    error = build_error(status, {"error": {"message": "it failed"}})
    assert error_class(status) is cls
    assert type(error) is cls
    assert isinstance(error, langchain_base)
    assert isinstance(error, HuggingFaceRouterError)
    assert isinstance(error, ModelError)
    assert error.is_retryable is retryable
    assert error.status_code == status
    assert error.message == "it failed"


def test_only_timeouts_conflicts_rate_limits_and_5xx_are_retryable():
    # protocol.md: "Retryable by convention: 408, 409, 429, 5xx".
    for status in range(400, 600):
        expected = status in (408, 409, 429) or status >= 500
        assert error_class(status).default_retryable is expected, status


def test_retryable_can_be_overridden():
    assert ServerError("x", retryable=False).is_retryable is False
    assert BadRequestError("x", retryable=True).is_retryable is True


def test_rendering_carries_status_message_hint_and_request_id():
    error = build_error(404, {"error": {"message": "no such model"}}, request_id="r1")
    assert str(error) == "404 no such model [request id: r1]"
    error = build_error(401, {"error": "Invalid username or password."})
    assert str(error).startswith("401 Invalid username or password. (check the token")


def test_an_empty_body_falls_back_to_the_reason_phrase():
    assert build_error(502, "", reason="Bad Gateway").message == "Bad Gateway"
    assert build_error(502, None).message == "no error message in the response"


# --- context overflow -----------------------------------------------------------------


def test_llamacpp_context_overflow_is_both_overflow_and_invalid_request():
    recorded = transcript("llamacpp_local/errors/400_context_exceeded_llamacpp.txt")
    error = build_error(recorded.status, recorded.json())
    assert isinstance(error, ContextLengthError)
    assert isinstance(error, ContextOverflowError)
    assert isinstance(error, ModelInvalidRequestError)
    assert isinstance(error, BadRequestError)
    assert error.status_code == 400
    assert error.code == "exceed_context_size_error"
    assert error.message.startswith("request (5031 tokens) exceeds the available")
    assert not error.is_retryable


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "too long", "code": "context_length_exceeded"}},
        {"error": {"message": "This model's maximum context length is 8192 tokens"}},
        {"error": "prompt is too long: 210000 tokens > 200000 maximum"},
    ],
    ids=["openai-code", "openai-text", "string-error"],
)
def test_other_context_overflow_shapes(body: object):
    error = build_error(400, body)
    assert isinstance(error, ContextOverflowError)
    assert isinstance(error, ModelInvalidRequestError)


def test_an_ordinary_400_is_not_a_context_overflow():
    body = response_body(f"{LLAMACPP}/12_chat_n2.response.json")
    error = build_error(400, body)
    assert type(error) is BadRequestError
    assert not isinstance(error, ContextOverflowError)


# --- error bodies from real servers --------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "cls", "message", "code"),
    [
        # hf-inference (TGI): {"error": "...", "error_type": "..."}
        ("3bc1c8fa82", BadRequestError, "Template error: template not found", None),
        # hf-inference (TGI): plain text body
        (
            "2e0134943b",
            BadRequestError,
            "Failed to deserialize the JSON body into the target type: missing field "
            "`messages` at line 1 column 144",
            None,
        ),
        (
            "7b37a6972c",
            BadRequestError,
            "Failed to deserialize the JSON body into the target type: missing field "
            "`messages` at line 1 column 143",
            None,
        ),
        # hyperbolic: FastAPI {"detail": [...]}
        ("63ed3f76e2", BadRequestError, "body.messages: Field required", None),
        # hyperbolic: {"object": "error", "message", "code": 40301}
        ("340a2a0cae", BadRequestError, None, "40301"),
        # openai: {"error": {...}} with null code and param
        (
            "a5c77198e4",
            BadRequestError,
            "you must provide a model parameter",
            "invalid_request_error",
        ),
        # mistral: {"message", "request_id"}
        ("e01b3c04b2", AuthenticationError, "No API key found in request", None),
    ],
    ids=[
        "tgi-error-string",
        "tgi-text-144",
        "tgi-text-143",
        "fastapi-detail",
        "object-error",
        "openai-null-fields",
        "message-request-id",
    ],
)
def test_huggingface_js_error_tapes(
    prefix: str, cls: type, message: str | None, code: str | None
):
    response = tape(prefix)["response"]
    try:
        body = json.loads(response["body"])
    except ValueError:
        body = response["body"]
    error = build_error(response["status"], body, reason=response["statusText"])
    assert type(error) is cls
    if message is not None:
        assert error.message == message
    if code is not None:
        assert error.code == code
    assert error.body == body


def test_every_error_tape_is_covered():
    covered = {
        "3bc1c8fa82",
        "2e0134943b",
        "7b37a6972c",
        "63ed3f76e2",
        "340a2a0cae",
        "a5c77198e4",
        "e01b3c04b2",
    }
    errors = {
        prefix
        for status in (400, 401, 422)
        for prefix in tape_ids(status=status, stream=False)
    }
    assert errors == covered


def test_tgi_error_type_becomes_the_code():
    body = json.loads(tape("3bc1c8fa82")["response"]["body"])
    assert error_message(body) == (
        "Template error: template not found",
        "template_error",
    )


def test_object_error_message_is_read_whole():
    body = json.loads(tape("340a2a0cae")["response"]["body"])
    message, _ = error_message(body)
    assert message is not None
    assert message.startswith("Only Qwen/Qwen2.5-72B-Instruct && ")
    assert message.endswith("your model mistralai/Mixtral-8x7B-Instruct-v0.1")


def test_request_id_is_read_from_the_body_when_no_header_gave_one():
    body = json.loads(tape("e01b3c04b2")["response"]["body"])
    assert build_error(401, body).request_id == "ab5386689131886ef950356f5333e057"
    assert build_error(401, body, request_id="hdr").request_id == "hdr"


def test_router_401_with_a_string_error():
    exchange = post(
        "huggingface_hub_vcr/TestInferenceClient"
        ".test_chat_completion_unprocessable_entity.yaml"
    )
    assert exchange.status == 401
    error = build_error(exchange.status, exchange.json())
    assert type(error) is AuthenticationError
    assert error.message == "Invalid username or password."
    assert error.code is None


def test_router_500_with_null_fields_and_retry_after():
    exchange = post("pydantic_ai_vcr/test_together_500_on_tool_continuation.yaml", 1)
    assert exchange.status == 500
    error = build_error(
        exchange.status, exchange.json(), retry_after=retry_after(exchange.headers)
    )
    assert type(error) is ServerError
    assert isinstance(error, ModelAPIError)
    assert error.message == "Internal server error"
    assert error.code == "server_error"
    assert error.is_retryable
    assert error.retry_after == 1.0


@pytest.mark.parametrize(
    ("name", "cls", "start", "code"),
    [
        (
            "err_429_mock",
            RateLimitError,
            "litellm.RateLimitError: This is a mock",
            "429",
        ),
        ("err_bad_key_without_db_400", BadRequestError, "No connected db.", "400"),
        (
            "err_unknown_model",
            BadRequestError,
            "/chat/completions: Invalid model name passed in model=nope.",
            "400",
        ),
    ],
)
def test_litellm_errors(name: str, cls: type, start: str, code: str):
    recorded = transcript(f"litellm_proxy/{name}.txt")
    error = build_error(recorded.status, recorded.json())
    assert type(error) is cls
    assert error.message.startswith(start)
    assert error.code == code
    # The injected 429 came without any Retry-After header.
    assert retry_after(recorded.headers) is None


@pytest.mark.parametrize(
    ("relative", "cls", "message", "code"),
    [
        (
            f"{LLAMACPP}/12_chat_n2.response.json",
            BadRequestError,
            "Field 'n': Value must be between 1 <= value <= 1, but got 2",
            "invalid_request_error",
        ),
        (
            f"{LLAMACPP}/13_err_bad_json_body.response.json",
            BadRequestError,
            "'messages' is required",
            "invalid_request_error",
        ),
        (
            f"{LLAMACPP}/15_err_404_path.response.json",
            NotFoundError,
            "File Not Found",
            "not_found_error",
        ),
    ],
    ids=["n2", "missing-messages", "404"],
)
def test_llamacpp_errors_with_a_numeric_code(
    relative: str, cls: type, message: str, code: str
):
    # llama.cpp puts the status in `code` (a number) and the kind in `type`.
    error = build_error(response_status(relative), response_body(relative))
    assert type(error) is cls
    assert (error.message, error.code) == (message, code)


def test_llamacpp_401():
    recorded = transcript("llamacpp_local/errors/401_llamacpp.txt")
    error = build_error(recorded.status, recorded.json())
    assert type(error) is AuthenticationError
    assert (error.message, error.code) == ("Invalid API Key", "authentication_error")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("09_err_missing_input", "input: Invalid input"),
        ("10_err_bad_tool_type", "tools.0: Invalid input"),
    ],
)
def test_responses_js_zod_validation_errors(name: str, message: str):
    relative = f"{RESPONSES_JS}/{name}.response.json"
    body = response_body(relative)
    assert body["success"] is False
    error = build_error(response_status(relative), body)
    assert type(error) is BadRequestError
    assert error.message == message


# --- hints ------------------------------------------------------------------------------


def test_401_hint_names_both_environment_variables():
    error = build_error(401, {"error": "Invalid username or password."})
    assert error.hint is not None
    assert "HUGGINGFACE_API_KEY" in error.hint
    assert "HF_TOKEN" in error.hint
    assert "HUGGINGFACE_API_KEY" in str(error)


def test_402_hint_says_credits_are_used_up():
    body = {"error": "You have depleted your monthly included credits."}
    error = build_error(402, body)
    assert type(error) is InsufficientCreditsError
    assert error.hint is not None
    assert "credits" in error.hint
    assert "bill_to" in error.hint


MODEL_NOT_SUPPORTED = (
    "The requested model 'org/some-model' is not supported by any provider you "
    "have enabled."
)


@pytest.mark.parametrize(
    "body",
    [
        {
            "error": {
                "message": MODEL_NOT_SUPPORTED,
                "type": "invalid_request_error",
                "param": "model",
                "code": "model_not_supported",
            }
        },
        {"error": MODEL_NOT_SUPPORTED},
    ],
    ids=["with-code", "message-only"],
)
def test_model_not_supported_hint_points_to_provider_settings(body: object):
    error = build_error(400, body)
    assert type(error) is BadRequestError
    assert error.hint is not None
    assert "https://huggingface.co/settings/inference-providers" in error.hint
    assert ":provider" in error.hint


def test_no_hint_for_an_ordinary_error():
    assert build_error(500, {"error": {"message": "boom"}}).hint is None


# --- failures reported inside a 200 answer ------------------------------------------------


def in_band_body(name: str) -> dict[str, object]:
    body = transcript(f"responses_js_over_llamacpp/errors/{name}.txt").json()
    assert body["status"] == "failed"
    return body


def test_in_band_context_overflow():
    body = in_band_body("upstream_400_nonstream")
    error = in_band_error(body["error"]["message"], body["error"]["code"], body=body)
    assert isinstance(error, ContextOverflowError)
    assert isinstance(error, ModelInvalidRequestError)
    assert error.status_code == 400
    assert error.code == "server_error"
    assert error.message.startswith("request (5023 tokens) exceeds")
    assert error.body is body
    assert not error.is_retryable


def test_in_band_invalid_key():
    body = in_band_body("upstream_401_nonstream")
    error = in_band_error(body["error"]["message"], body["error"]["code"], body=body)
    assert type(error) is AuthenticationError
    assert error.message == "Invalid API Key"
    assert error.hint is not None
    assert "HF_TOKEN" in error.hint


@pytest.mark.parametrize(
    ("message", "cls", "status", "retryable"),
    [
        ("429 Too Many Requests", RateLimitError, 429, True),
        ("503 Service Unavailable", ServerError, 503, True),
        ("500: upstream crashed", ServerError, 500, True),
        ("404 model not found", NotFoundError, 404, False),
        ("the provider went away", ServerError, None, False),
    ],
)
def test_in_band_leading_status(
    message: str, cls: type, status: int | None, retryable: bool
):
    error = in_band_error(message, "server_error")
    assert type(error) is cls
    assert error.status_code == status
    assert error.is_retryable is retryable


def test_in_band_without_a_message():
    error = in_band_error(None)
    assert type(error) is ServerError
    assert error.message


@pytest.mark.parametrize("status", [408, 409])
def test_in_band_408_409_are_final(status: int):
    # By design: an in-band failure is retried only for 429 and 5xx (the
    # reliability issue's rule), while the same status over HTTP is retryable.
    in_band = in_band_error(f"{status} upstream said so", "server_error")
    assert in_band.is_retryable is False
    assert build_error(status, None).is_retryable is True
