"""One error hierarchy, built from one status table.

Each class is also the `langchain_core.exceptions.Model*Error` of its kind, so
code written against LangChain's error types catches ours unchanged. Error
bodies come in many shapes behind the router (see `protocol.md`); `error_message`
reads them all.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Final, NamedTuple

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
    """Input this package refuses before sending anything; the message says why.

    Attributes:
        needs_api: The API that can carry what was refused, when another can.
    """

    def __init__(self, message: str, *, needs_api: str | None = None) -> None:
        super().__init__(message)
        self.needs_api = needs_api


class UnsupportedSettingWarning(UserWarning):
    """A setting the chosen API cannot carry was not sent (given once per model)."""


class UnknownProviderWarning(UserWarning):
    """`provider=` names no provider the router is known to offer (sent anyway)."""


class CapabilityWarning(UserWarning):
    """The model's profile says it cannot do what was asked (sent anyway)."""


EXCERPT_LIMIT: Final = 200
"""Characters of a malformed event or answer quoted in an error message."""
# Kept past the cut until redaction, since a key may straddle the cut.
_EXCERPT_MARGIN: Final = 1024
REDACTED: Final = "***"


class HuggingFaceRouterError(ModelError):
    """Base of every failure the router (or the way to it) reports.

    Attributes:
        message: The server's own message, or what went wrong on the way.
        status_code: The HTTP status (or the status leading an in-band failure).
        request_id: The `x-request-id` the server gave, for support requests.
        code: The server's error code, when it gave one.
        param: The request parameter the server blamed, when it named one.
        error_type: The server's error type, when it gave one.
        body: The parsed error body, when there was one.
        excerpt: The start of the malformed event or answer, when one is quoted.
        is_retryable: Whether sending the same request again may succeed.
        retry_after: Seconds the server asked to wait before a retry, if it did.
        address: Where the request went (`scheme://host:port`), once it was sent.
        attempts: How many times the request was sent, once it was.
    """

    default_retryable: ClassVar[bool] = False
    # Whether the message counts the attempts even when there was one: where
    # retries (`max_retries=`) are part of the remedy.
    _counts_one_attempt: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        error_type: str | None = None,
        body: Any = None,
        hint: str | None = None,
        excerpt: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        address: str | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.code = code
        self.param = param
        self.error_type = error_type
        self.body = body
        self.hint = hint
        self._excerpt = excerpt[: EXCERPT_LIMIT + _EXCERPT_MARGIN] if excerpt else None
        self.is_retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        self.address = address
        self.attempts: int | None = None
        super().__init__(self._render())

    @property
    def excerpt(self) -> str | None:
        """The quoted start of a malformed event or answer (at most 200 characters)."""
        return _cut(self._excerpt)

    def tried(self, address: str, attempts: int) -> None:
        """Record where the call went and how many attempts it made.

        The message counts the attempts when there were several, or when
        retries are part of the remedy (connection failures, timeouts).
        """
        if self.address is None:
            self.address = address
        self.attempts = attempts
        self.args = (self._render(),)

    def redact(self, secret: str | None) -> None:
        """Replace `secret` (the API key) in every string this error carries.

        Covers each attribute (nested bodies and their keys included), the
        quoted excerpt before it is cut, and the rendered message. The excerpt
        is cut to its limit afterwards, so no piece of a key outlives the cut.
        """
        if secret:
            for name, value in vars(self).items():
                setattr(self, name, redacted(value, secret))
        self._excerpt = _cut(self._excerpt)
        self.args = (self._render(),)
        if secret and self.__cause__ is not None and secret in repr(self.__cause__):
            self.__cause__ = None
            self.__suppress_context__ = True

    def _render(self) -> str:
        head = f"{self.status_code} " if self.status_code else ""
        text = f"{head}{self.message}"
        if self._excerpt:
            text += f": {_cut(self._excerpt)!r}"
        notes = []
        if self.attempts is not None and (
            self.attempts > 1 or self._counts_one_attempt
        ):
            notes.append(f"after {plural(self.attempts, 'attempt')}")
        if self.hint:
            notes.append(self.hint)
        if notes:
            text += f" ({'; '.join(notes)})"
        if self.request_id:
            text += f" [request id: {self.request_id}]"
        return text


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, in the plural unless `count` is 1: "3 attempts"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= EXCERPT_LIMIT:
        return text
    return text[:EXCERPT_LIMIT] + "…"


def redacted(value: Any, secret: str) -> Any:
    """`value` with `secret` replaced in every string, keys of objects included.

    Iterative, so that a deeply nested body cannot exhaust the recursion limit.
    """
    if isinstance(value, str):
        return value.replace(secret, REDACTED)
    if not isinstance(value, (dict, list, tuple)):
        return value
    root: list[Any] = [None]
    # (container to fill, slot in it, value to copy into that slot)
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        target, slot, item = stack.pop()
        if isinstance(item, str):
            item = item.replace(secret, REDACTED)
        elif isinstance(item, dict):
            copy: dict[Any, Any] = {}
            for key, inner in item.items():
                new_key = key.replace(secret, REDACTED) if isinstance(key, str) else key
                copy[new_key] = None
                stack.append((copy, new_key, inner))
            item = copy
        elif isinstance(item, (list, tuple)):
            filled: list[Any] = [None] * len(item)
            stack.extend((filled, i, inner) for i, inner in enumerate(item))
            item = filled
        target[slot] = item
    return root[0]


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
    _counts_one_attempt = True


class APITimeoutError(HuggingFaceRouterError, ModelTimeoutError):
    """No answer within a timeout (connect, read, write or pool), or the deadline."""

    default_retryable = True
    _counts_one_attempt = True


class BrokenStreamError(HuggingFaceRouterError, ModelAPIError):
    """A stream was cut, ended early or carried an event that cannot be read."""


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
_LEADING_STATUS: Final = re.compile(r"^\s*([0-9]{3})\b\s*:?\s*")


def error_class(status: int) -> type[HuggingFaceRouterError]:
    """The class for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else BadRequestError


class ErrorFields(NamedTuple):
    """What an error body says, in whichever shape it came."""

    message: str | None = None
    code: str | None = None
    param: str | None = None
    error_type: str | None = None
    request_id: str | None = None


def error_message(body: Any) -> tuple[str | None, str | None]:
    """`(message, code)` from any error body shape the router's providers send."""
    fields = error_fields(body)
    return fields.message, fields.code


def error_fields(body: Any) -> ErrorFields:
    """Message, code, param, type and request id from any error body shape.

    Never raises: a field of an unexpected type is shown as JSON text, or left out.
    """
    if isinstance(body, str):
        return ErrorFields(body.strip()[:2000] or None)
    if not isinstance(body, dict):
        return ErrorFields()
    request_id = _label(body.get("request_id"))
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        if not isinstance(code, str):  # llama.cpp: numeric code, kind in `type`
            code = error.get("type") or code
        return _object_fields(error, code, request_id)
    if isinstance(error, list):  # responses.js validation: zod issues
        return ErrorFields(_issues(error), request_id=request_id)
    if isinstance(error, str):
        code = body.get("error_type") or body.get("code")
        return ErrorFields(error, _label(code), request_id=request_id)
    detail = body.get("detail")
    if isinstance(detail, list):  # FastAPI validation
        return ErrorFields(_issues(detail), request_id=request_id)
    if detail is not None:
        return ErrorFields(_shown(detail), request_id=request_id)
    return _object_fields(body, body.get("code") or body.get("type"), request_id)


def _object_fields(
    error: dict[str, Any], code: Any, request_id: str | None
) -> ErrorFields:
    """The fields of an error object (`{"message", "code", "param", "type"}`)."""
    return ErrorFields(
        _shown(error.get("message")),
        _label(code),
        _label(error.get("param")),
        _label(error.get("type")),
        request_id,
    )


def _shown(value: Any) -> str | None:
    """A message as text: a string as it is, other JSON values as JSON text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[:2000]
    except (RecursionError, TypeError, ValueError):
        return f"(a message that is {type(value).__name__}, too deeply nested to show)"


def _label(value: Any) -> str | None:
    """A code, param, type or id: strings and numbers as text; else left out."""
    if isinstance(value, str):
        return value[:200]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _issues(items: list[Any]) -> str | None:
    return "; ".join(_issue(item) for item in items[:20]) or None


def _issue(item: Any) -> str:
    if not isinstance(item, dict):
        return _shown(item) or ""
    path = item.get("path") or item.get("loc") or ()
    if not isinstance(path, list):
        path = [path]
    where = ".".join(p if isinstance(p, str) else _shown(p) or "" for p in path)
    message = _shown(item.get("message") or item.get("msg") or item) or ""
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
    fields = error_fields(body)
    code = fields.code
    message = fields.message or reason or "no error message in the response"
    cls = error_class(status)
    if cls is BadRequestError and (
        code in _CONTEXT_CODES or _CONTEXT_TEXT.search(message)
    ):
        cls = ContextLengthError
    return cls(
        message,
        status_code=status,
        request_id=request_id or fields.request_id,
        code=code,
        param=fields.param,
        error_type=fields.error_type,
        body=body,
        hint=_hint(status, message, code),
        retry_after=retry_after,
    )


def in_band_error(
    message: Any, code: Any = None, *, body: Any = None
) -> HuggingFaceRouterError:
    """The error for a failure reported inside a 200 answer.

    The router puts the upstream status only at the start of the message
    (`"401 Invalid API Key"`), with `code` always `server_error`. A message or
    code of another JSON type is shown as JSON text.
    """
    message = _shown(message) or "the provider reported a failure without a message"
    code = _label(code)
    match = _LEADING_STATUS.match(message)
    if match is None:
        return ServerError(message, code=code, body=body, retryable=False)
    status = int(match.group(1))
    rest = message[match.end() :] or message
    error = build_error(status, {"error": {"message": rest, "code": code}})
    error.body = body
    error.is_retryable = status == 429 or status >= 500
    return error
