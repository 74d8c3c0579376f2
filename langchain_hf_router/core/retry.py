"""When to send a failed request again, and how long to wait first (pure functions)."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from typing import Final

from langchain_hf_router.core.errors import HuggingFaceRouterError

INITIAL_DELAY: Final = 0.5
MAX_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0


def retry_after(
    headers: Mapping[str, str], *, now: float | None = None
) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after`), if any.

    `retry-after` may be seconds or an HTTP date. Values beyond `MAX_RETRY_AFTER`
    are ignored: waiting minutes inside a call is worse than failing.
    """
    value: float | None = None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            value = float(ms) / 1000
        except ValueError:
            value = None
    if value is None and (raw := headers.get("retry-after")) is not None:
        try:
            value = float(raw)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                return None
            value = parsed.timestamp() - (time.time() if now is None else now)
    if value is None or not 0 <= value <= MAX_RETRY_AFTER:  # also refuses NaN
        return None
    return value


def backoff(attempt: int, *, jitter: float | None = None) -> float:
    """Exponential backoff with jitter for retry number `attempt` (0-based)."""
    base: float = min(MAX_DELAY, INITIAL_DELAY * 2.0 ** min(attempt, 32))
    share = random.random() if jitter is None else jitter  # noqa: S311 - not crypto
    return base * (1 - 0.25 * share)


def retry_delay(
    error: HuggingFaceRouterError, attempt: int, max_retries: int
) -> float | None:
    """Seconds to wait before retrying `error`, or None when it must not be retried."""
    if attempt >= max_retries or not error.is_retryable:
        return None
    if error.retry_after is not None:
        return error.retry_after
    return backoff(attempt)
