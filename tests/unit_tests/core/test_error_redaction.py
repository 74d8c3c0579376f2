"""Redaction: a key echoed back by a server shows in no part of an error.

The fuzz test builds error bodies of random shapes (objects, lists, strings,
numbers; up to 6 levels deep, plus some 300 levels deep, and 3,000-deep
JSON text that stays text as `body_of` keeps it) with the key planted
at random places: in values, in object keys, in the message, code, param, type,
request id and in a quoted excerpt at every offset around the 200-character cut.
Each error goes through `redact()` and every way a user can see it is scanned.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from chat_asserts import assert_not_shown

from langchain_hf_router.core.errors import (
    EXCERPT_LIMIT,
    BrokenStreamError,
    HuggingFaceRouterError,
    build_error,
    in_band_error,
    redacted,
)

KEY = "hf_SECRET_7uXq2LmPz9VwK4rT8sNc"
PIECES = (KEY, KEY[:12], KEY[8:20], KEY[-12:])


def assert_clean(error: HuggingFaceRouterError) -> None:
    assert_not_shown(error, *PIECES)


def test_every_attribute_is_redacted() -> None:
    body = {
        "error": {
            "message": f"bad key {KEY}",
            "code": f"code-{KEY}",
            "param": f"param-{KEY}",
            "type": f"type-{KEY}",
        },
        "request_id": f"req-{KEY}",
        KEY: [[{"nested": KEY}], (KEY,)],
    }
    error = build_error(401, body, request_id=f"hdr-{KEY}")
    assert KEY in error.code  # type: ignore[operator]
    assert KEY in error.param  # type: ignore[operator]
    assert KEY in error.error_type  # type: ignore[operator]
    error.redact(KEY)
    assert_clean(error)
    assert error.param == "param-***"
    assert error.error_type == "type-***"
    assert error.request_id == "hdr-***"
    assert "***" in error.body


def test_request_id_from_the_body_is_redacted() -> None:
    error = build_error(500, {"message": "boom", "request_id": KEY})
    assert error.request_id == KEY
    error.redact(KEY)
    assert error.request_id == "***"
    assert_clean(error)


@pytest.mark.parametrize("offset", range(EXCERPT_LIMIT - len(KEY), EXCERPT_LIMIT + 1))
def test_a_key_straddling_the_quoting_cut_is_redacted(offset: int) -> None:
    data = "x" * offset + KEY + "y" * 500
    error = BrokenStreamError(
        "the stream carried an event that is not JSON", excerpt=data
    )
    error.redact(KEY)
    assert_clean(error)
    assert "***" in str(error) or offset > EXCERPT_LIMIT - 3
    assert error.excerpt is not None
    assert len(error.excerpt) <= EXCERPT_LIMIT + 1


def test_an_excerpt_is_cut_even_without_a_key() -> None:
    error = BrokenStreamError("not JSON", excerpt="z" * 5000)
    error.redact(None)
    assert error.excerpt == "z" * EXCERPT_LIMIT + "…"
    assert len(str(error)) < 300


def test_a_cause_that_holds_the_key_is_dropped() -> None:
    error = BrokenStreamError("wrapped")
    error.__cause__ = KeyError(KEY)
    error.redact(KEY)
    assert error.__cause__ is None
    assert_clean(error)


def test_redaction_of_a_very_deep_body_does_not_recurse() -> None:
    deep: Any = KEY
    for _ in range(5000):
        deep = {"k": [deep]}
    out = redacted(deep, KEY)
    for _ in range(5000):
        out = out["k"][0]
    assert out == "***"


def test_in_band_error_with_an_object_message_is_redacted() -> None:
    error = in_band_error({"detail": KEY, "n": 1}, {"code": KEY})
    error.redact(KEY)
    assert_clean(error)
    assert "detail" in error.message


def _random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.3:
        return rng.choice(
            [KEY, f"pre {KEY} post", "plain", 42, 1.5, None, True, KEY[:5]]
        )
    if roll < 0.65:
        return {
            rng.choice([KEY, "message", "code", "param", "type", f"k{depth}"]): (
                _random_value(rng, depth - 1)
            )
            for _ in range(rng.randint(1, 4))
        }
    return [_random_value(rng, depth - 1) for _ in range(rng.randint(1, 4))]


def _random_body(rng: random.Random) -> Any:
    shape = rng.randrange(6)
    if shape == 0:
        return {"error": _random_value(rng, 4), "request_id": rng.choice([KEY, 7])}
    if shape == 1:
        return {
            "error": {
                key: _random_value(rng, 2)
                for key in ("message", "code", "param", "type")
                if rng.random() < 0.8
            }
        }
    if shape == 2:
        return {"detail": [_random_value(rng, 3) for _ in range(3)]}
    if shape == 3:
        return f"plain text {KEY} body"
    if shape == 4:  # as `body_of` keeps it: JSON too deep to parse stays text
        depth = rng.choice([300, 3000])
        text = "[" * depth + f'"{KEY}"' + "]" * depth
        try:
            return {"error": {"message": json.loads(text)}}
        except RecursionError:
            return text
    return _random_value(rng, 6)


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_no_key_survives_in_any_error(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        body = _random_body(rng)
        status = rng.choice([400, 401, 404, 422, 429, 500, 503])
        errors = [
            build_error(status, body, request_id=rng.choice([None, KEY, "r-1"])),
            in_band_error(_random_value(rng, 3), _random_value(rng, 1), body=body),
            BrokenStreamError(
                "not JSON",
                excerpt="a" * rng.randrange(400) + KEY + "b" * rng.randrange(400),
            ),
        ]
        for error in errors:
            assert isinstance(error, HuggingFaceRouterError)
            error.redact(KEY)
            assert_clean(error)
