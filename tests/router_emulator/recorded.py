"""Requests as the emulator received them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

API_PATHS: Final[dict[str, str]] = {
    "/v1/chat/completions": "chat_completions",
    "/v1/responses": "responses",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One received request.

    Attributes:
        method: HTTP method, e.g. ``"POST"``.
        path: URL path without the query, e.g. ``"/v1/chat/completions"``.
        headers: Header names lower-cased; repeated headers joined with ``", "``.
        body: The raw body.
        json: The parsed body, or None when it is empty or not JSON.
        query: The raw query string (without ``?``), ``""`` when absent.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    query: str = ""

    @property
    def api(self) -> str:
        """``"chat_completions"``, ``"responses"`` or ``"other"``."""
        return API_PATHS.get(self.path.rstrip("/"), "other")
