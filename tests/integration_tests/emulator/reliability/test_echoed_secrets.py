"""A server that echoes the key back, in every place an error can carry it.

Each case runs on both APIs and in invoke, stream, ainvoke and astream; the error
the user gets is scanned in every view (`chat_asserts.error_views`) for the key
and for pieces of it.
"""

from __future__ import annotations

import json

import pytest
from chat_asserts import MODES, assert_not_shown, call
from router_emulator import ErrorReply, RawReply, RouterEmulator

from langchain_hf_router import (
    AuthenticationError,
    BrokenStreamError,
    ChatHuggingFaceRouter,
    HuggingFaceRouterError,
    ServerError,
)

KEY = "hf_ECHO_3pVn8QkZr5TtYw2LxMb7Cd"
PIECES = (KEY, KEY[:12], KEY[6:18], KEY[-12:])
SSE = {"content-type": "text/event-stream"}


@pytest.fixture
def keyed_model(make_any_model):  # type: ignore[no-untyped-def]
    def factory(api: str) -> ChatHuggingFaceRouter:
        return make_any_model(api=api, api_key=KEY)  # type: ignore[no-any-return]

    return factory


def _sent_with_the_key(emulator: RouterEmulator) -> None:
    headers = {k.lower(): v for k, v in emulator.last_request.headers.items()}
    assert headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("mode", MODES)
async def test_a_key_echoed_in_every_field_of_an_error_body(
    emulator: RouterEmulator, keyed_model, api: str, mode: str
) -> None:
    body = {
        "error": {
            "message": f"Invalid token {KEY}",
            "code": f"bad_{KEY}",
            "param": f"authorization: Bearer {KEY}",
            "type": f"auth/{KEY}",
        },
        "request_id": f"req_{KEY}",
        KEY: [{"seen": [KEY, {KEY: KEY}]}],
    }
    emulator.enqueue(ErrorReply(401, body, headers={"x-request-id": f"xr-{KEY}"}))
    with pytest.raises(AuthenticationError) as caught:
        await call(keyed_model(api), mode)
    _sent_with_the_key(emulator)
    error = caught.value
    assert_not_shown(error, *PIECES)
    assert error.param == "authorization: Bearer ***"
    assert error.error_type == "auth/***"
    assert error.request_id == "xr-***"
    assert "Invalid token ***" in str(error)


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("offset", [150, 185, 190, 199, 200, 230])
async def test_a_key_inside_a_malformed_event_straddling_the_cut(
    emulator: RouterEmulator, keyed_model, api: str, mode: str, offset: int
) -> None:
    data = "{" + "x" * (offset - 1) + KEY + "y" * 300
    emulator.enqueue(RawReply(headers=SSE, events=[f"data: {data}\n\n"]))
    with pytest.raises(BrokenStreamError, match="not JSON") as caught:
        await call(keyed_model(api), mode)
    _sent_with_the_key(emulator)
    assert_not_shown(caught.value, *PIECES)


def _failed_in_band(api: str) -> dict[str, object]:
    if api == "chat_completions":
        return {"error": {"message": f"upstream rejected {KEY}", "code": KEY}}
    return {
        "id": "resp_1",
        "object": "response",
        "status": "failed",
        "output": [],
        "error": {"code": "server_error", "message": {"echo": KEY, KEY: 1}},
    }


@pytest.mark.parametrize("mode", MODES)
async def test_a_key_echoed_in_an_in_band_failure(
    emulator: RouterEmulator, keyed_model, api: str, mode: str
) -> None:
    emulator.enqueue(RawReply.json(_failed_in_band(api)))
    with pytest.raises(ServerError) as caught:
        await call(keyed_model(api), mode)
    _sent_with_the_key(emulator)
    assert_not_shown(caught.value, *PIECES)
    assert "***" in str(caught.value)


@pytest.mark.parametrize("mode", MODES)
async def test_a_key_inside_an_answer_of_the_wrong_shape(
    emulator: RouterEmulator, keyed_model, api: str, mode: str
) -> None:
    wrong = {"choices": {KEY: "x"}, "output": {KEY: "x"}, "status": KEY}
    if mode.endswith("stream"):
        event = {"type": "response.output_text.delta", "delta": {KEY: 1}, **wrong}
        reply = RawReply(headers=SSE, events=[f"data: {json.dumps(event)}\n\n"])
    else:
        reply = RawReply.json(wrong)
    emulator.enqueue(reply)
    with pytest.raises(HuggingFaceRouterError) as caught:
        await call(keyed_model(api), mode)
    _sent_with_the_key(emulator)
    assert_not_shown(caught.value, *PIECES)
