"""How transport failures are worded: the address, the timeout, the attempts.

The loopback tests (`reliability/test_error_wording.py`) cover what a server can
cause; these cover what a loopback server cannot (a write timeout, IPv6, user
info in a URL) and the counting rules.
"""

from __future__ import annotations

import httpx
import pytest

from langchain_hf_router.core.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ServerError,
)
from langchain_hf_router.core.http import address, transport_errors


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://router.huggingface.co/v1/chat", "https://router.huggingface.co:443"),
        ("http://example.com/v1", "http://example.com:80"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
        ("http://user:hf_secret@[::1]:9/v1", "http://[::1]:9"),
    ],
)
def test_the_address_is_scheme_host_and_port_only(url: str, expected: str) -> None:
    assert address(httpx.URL(url)) == expected


def _request(**timeouts: float) -> httpx.Request:
    applied = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0, **timeouts}
    return httpx.Request(
        "POST", "http://127.0.0.1:8080/v1/chat", extensions={"timeout": applied}
    )


@pytest.mark.parametrize(
    ("raised", "says"),
    [
        (
            httpx.WriteTimeout,
            "could not send the request to http://127.0.0.1:8080 within the write "
            "timeout of 0.123 s (raise timeout= or max_retries=)",
        ),
        (
            httpx.ConnectTimeout,
            "could not connect to http://127.0.0.1:8080 within the connect timeout "
            "of 0.123 s",
        ),
        (httpx.ReadTimeout, "no answer from http://127.0.0.1:8080 within the read"),
        (httpx.PoolTimeout, "came free in the pool within the pool timeout of 0.123"),
    ],
)
def test_each_timeout_names_the_value_that_applied(
    raised: type[httpx.TimeoutException], says: str
) -> None:
    # What the deadline left, not the setting: the request's own timeouts.
    request = _request(connect=0.1234, read=0.1234, write=0.1234, pool=0.1234)
    with pytest.raises(APITimeoutError) as caught, transport_errors(request):
        raise raised("timed out", request=request)
    assert says in str(caught.value)
    assert caught.value.address == "http://127.0.0.1:8080"


def test_the_attempts_survive_redaction_and_hold_no_key() -> None:
    error = APIConnectionError("could not connect to http://127.0.0.1:9")
    error.tried("http://127.0.0.1:9", 3)
    error.redact("hf_secret")
    assert (error.address, error.attempts) == ("http://127.0.0.1:9", 3)
    assert str(error) == "could not connect to http://127.0.0.1:9 (after 3 attempts)"


def test_one_attempt_is_counted_only_where_retries_are_a_remedy() -> None:
    refused = BadRequestError("bad model", status_code=400, hint="pick another")
    refused.tried("http://h:80", 1)
    assert str(refused) == "400 bad model (pick another)"
    retried = ServerError("upstream down", status_code=503)
    retried.tried("http://h:80", 3)
    assert str(retried) == "503 upstream down (after 3 attempts)"
    timeout = APITimeoutError("no answer", hint="raise timeout=")
    timeout.tried("http://h:80", 1)
    assert str(timeout) == "no answer (after 1 attempt; raise timeout=)"
