"""One error hierarchy, built from one status table.

Each class is also the `langchain_core.exceptions.Model*Error` of its kind, so
code written against LangChain's error types catches ours unchanged. Error
bodies come in many shapes behind the router (see `protocol.md`); `error_message`
reads them all.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Final

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

KEY_HELP: Final = (
    "pass api_key=... or set HUGGINGFACE_API_KEY or HF_TOKEN "
    "(tokens: https://huggingface.co/settings/tokens)"
)


class InvalidInputError(ValueError):
    """Input this package refuses before sending anything; the message says why."""


class UnsupportedSettingWarning(UserWarning):
    """A setting the chosen API cannot carry was not sent (given once per model)."""


class UnknownProviderWarning(UserWarning):
    """`provider=` names no provider the router is known to offer (sent anyway)."""


class CapabilityWarning(UserWarning):
    """The model's profile says it cannot do what was asked (sent anyway)."""


class HuggingFaceRouterError(ModelError):
    """Base of every failure the router (or the way to it) reports.

    Attributes:
        message: The server's own message, or what went wrong on the way.
        status_code: The HTTP status (or the status leading an in-band failure).
        request_id: The `x-request-id` the server gave, for support requests.
        code: The server's error code, when it gave one.
        body: The parsed error body, when there was one.
        is_retryable: Whether sending the same request again may succeed.
        retry_after: Seconds the server asked to wait before a retry, if it did.
    """

    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        body: Any = None,
        hint: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.code = code
        self.body = body
        self.hint = hint
        self.is_retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        super().__init__(self._render())

    def redact(self, secret: str | None) -> None:
        """Replace `secret` (the API key) wherever the server echoed it back."""
        if not secret or secret not in repr((self.message, self.hint, self.body)):
            return
        self.message = self.message.replace(secret, "***")
        self.hint = self.hint.replace(secret, "***") if self.hint else self.hint
        self.body = _redacted(self.body, secret)
        self.args = (self._render(),)

    def _render(self) -> str:
        head = f"{self.status_code} " if self.status_code else ""
        text = f"{head}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.request_id:
            text += f" [request id: {self.request_id}]"
        return text


def _redacted(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, dict):
        return {key: _redacted(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, secret) for item in value]
    return value


class BadRequestError(HuggingFaceRouterError, ModelInvalidRequestError):
    """The request was refused as invalid (400, 413, 422)."""


class ContextLengthError(BadRequestError, ContextOverflowError):
    """The prompt (plus the answer budget) does not fit the model's context."""


class AuthenticationError(HuggingFaceRouterError, ModelAuthenticationError):
    """The token is missing or invalid (401)."""


class InsufficientCreditsError(HuggingFaceRouterError, ModelPermissionDeniedError):
    """The account's Inference Providers credits are used up (402)."""


class PermissionDeniedError(HuggingFaceRouterError, ModelPermissionDeniedError):
    """The token may not do this (403)."""


class NotFoundError(HuggingFaceRouterError, ModelNotFoundError):
    """The model or path does not exist (404)."""


class RequestTimeoutError(HuggingFaceRouterError, ModelTimeoutError):
    """The server timed out waiting for the request (408)."""

    default_retryable = True


class ConflictError(HuggingFaceRouterError, ModelAPIError):
    """A conflicting request was in flight (409)."""

    default_retryable = True


class RateLimitError(HuggingFaceRouterError, ModelRateLimitError):
    """Too many requests (429)."""

    default_retryable = True


class ServerError(HuggingFaceRouterError, ModelAPIError):
    """The router or the provider behind it failed (5xx, or an in-band failure)."""

    default_retryable = True


class APIConnectionError(HuggingFaceRouterError, ModelConnectionError):
    """The server could not be reached, or the connection broke."""

    default_retryable = True


class APITimeoutError(HuggingFaceRouterError, ModelTimeoutError):
    """No answer within the timeout (connect or read)."""

    default_retryable = True


class BrokenStreamError(HuggingFaceRouterError, ModelAPIError):
    """A stream ended early or carried an event that cannot be read."""


_BY_STATUS: Final[dict[int, type[HuggingFaceRouterError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}

_CONTEXT_CODES: Final = frozenset(
    {"context_length_exceeded", "exceed_context_size_error", "context_window_exceeded"}
)
_CONTEXT_TEXT: Final = re.compile(
    r"context (?:size|length|window)|maximum context|too many tokens"
    r"|prompt is too long",
    re.IGNORECASE,
)
_LEADING_STATUS: Final = re.compile(r"^\s*(\d{3})\b\s*:?\s*")


def error_class(status: int) -> type[HuggingFaceRouterError]:
    """The class for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else BadRequestError


def error_message(body: Any) -> tuple[str | None, str | None]:
    """`(message, code)` from any error body shape the router's providers send."""
    if isinstance(body, str):
        text = body.strip()
        return (text[:2000] or None), None
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        if not isinstance(code, str):  # llama.cpp: numeric code, kind in `type`
            code = error.get("type") or code
        return _text(error.get("message")), None if code is None else str(code)
    if isinstance(error, list):  # responses.js validation: zod issues
        return "; ".join(_issue(item) for item in error) or None, None
    if isinstance(error, str):
        code = body.get("error_type") or body.get("code")
        return error, None if code is None else str(code)
    detail = body.get("detail")
    if isinstance(detail, list):  # FastAPI validation
        return "; ".join(_issue(item) for item in detail) or None, None
    if detail is not None:
        return _text(detail), None
    code = body.get("code") or body.get("type")
    return _text(body.get("message")), None if code is None else str(code)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _issue(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(p) for p in item.get("path") or item.get("loc") or ())
    message = str(item.get("message") or item.get("msg") or item)
    return f"{where}: {message}" if where else message


def _hint(status: int | None, message: str, code: str | None) -> str | None:
    if status == 401:
        return f"check the token: {KEY_HELP}"
    if status == 402:
        return "credits are used up: add credits or bill an organization with bill_to"
    if code == "model_not_supported" or "not supported by any provider" in message:
        return (
            "enable a provider for this model at "
            "https://huggingface.co/settings/inference-providers or pick one with "
            "a ':provider' suffix"
        )
    return None


def build_error(
    status: int,
    body: Any,
    *,
    request_id: str | None = None,
    reason: str = "",
    retry_after: float | None = None,
) -> HuggingFaceRouterError:
    """The error for an HTTP status and its (parsed or text) body."""
    message, code = error_message(body)
    if isinstance(body, dict) and request_id is None:
        rid = body.get("request_id")
        request_id = rid if isinstance(rid, str) else None
    message = message or reason or "no error message in the response"
    cls = error_class(status)
    if cls is BadRequestError and (
        code in _CONTEXT_CODES or _CONTEXT_TEXT.search(message)
    ):
        cls = ContextLengthError
    return cls(
        message,
        status_code=status,
        request_id=request_id,
        code=code,
        body=body,
        hint=_hint(status, message, code),
        retry_after=retry_after,
    )


def in_band_error(
    message: str | None, code: str | None = None, *, body: Any = None
) -> HuggingFaceRouterError:
    """The error for a failure reported inside a 200 answer.

    The router puts the upstream status only at the start of the message
    (`"401 Invalid API Key"`), with `code` always `server_error`.
    """
    message = message or "the provider reported a failure without a message"
    match = _LEADING_STATUS.match(message)
    if match is None:
        return ServerError(message, code=code, body=body, retryable=False)
    status = int(match.group(1))
    rest = message[match.end() :] or message
    error = build_error(status, {"error": {"message": rest, "code": code}})
    error.body = body
    error.is_retryable = status == 429 or status >= 500
    return error
