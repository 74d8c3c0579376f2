"""Secrets: a canary key never shows in reprs, dumps, errors, warnings or logs."""

from __future__ import annotations

import logging
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from langchain_core.load import dumpd, dumps
from pydantic import BaseModel
from router_emulator import ErrorReply, InBandFailure, Reply, RouterEmulator

from langchain_hf_router import (
    ChatHuggingFaceRouter,
    HuggingFaceRouterError,
    UnsupportedSettingWarning,
    create_huggingface,
)

CANARY = "hf_CANARY_q7Zr2VxK9pLm4TsW8bNc3YdF"
FRAGMENTS = (CANARY, CANARY[10:], CANARY[:22], CANARY[-12:])  # whole and partial
MODEL = "org/model"
SOURCES = [
    "direct",
    "provider",
    "env:HUGGINGFACE_API_KEY",
    "env:HF_TOKEN",
    "provider_env",
]
LOGGERS = ("langchain_hf_router", "httpx", "httpcore")


class Answer(BaseModel):
    value: str


def assert_no_canary(*texts: object, **labeled: object) -> None:
    """Fail naming each place (label and surrounding text) where the key shows."""
    items = {**{f"text[{i}]": t for i, t in enumerate(texts)}, **labeled}
    leaks = []
    for label, value in items.items():
        text = value if isinstance(value, str) else repr(value)
        for fragment in FRAGMENTS:
            if (at := text.find(fragment)) >= 0:
                leaks.append(f"{label}: {text[max(0, at - 60) : at + 60]!r}")
                break
    assert not leaks, "canary key leaked in:\n" + "\n".join(leaks)


def error_texts(error: BaseException) -> dict[str, object]:
    chain = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return {
        "str": str(error),
        "repr": repr(error),
        "args": error.args,
        "body": getattr(error, "body", None),
        "message": getattr(error, "message", None),
        "hint": getattr(error, "hint", None),
        "traceback": chain,
    }


@contextmanager
def watching(caplog: pytest.LogCaptureFixture) -> Iterator[dict[str, object]]:
    """Record every warning and every log record; fill the dict with their texts."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    seen: dict[str, object] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield seen
    seen["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    seen["warning objects"] = caught
    seen["log text"] = caplog.text
    seen["log messages"] = [r.getMessage() for r in caplog.records]
    seen["log args"] = [r.args for r in caplog.records]
    assert_no_canary(**seen)


def model_forms(model: ChatHuggingFaceRouter) -> dict[str, object]:
    forms: dict[str, object] = {
        "repr": repr(model),
        "str": str(model),
        "model_dump": model.model_dump(),
        "model_dump_json": model.model_dump_json(),
        "dumpd": dumpd(model),
        "dumps": dumps(model),
        "dumps pretty": dumps(model, pretty=True),
        "_identifying_params": model._identifying_params,
        "_get_ls_params": model._get_ls_params(stop=["s"]),
    }
    with warnings.catch_warnings(record=True):  # .dict() is deprecated in Pydantic 2
        warnings.simplefilter("always")
        try:
            forms["dict"] = model.dict()
        except Exception as exc:
            forms["dict raised"] = error_texts(exc)
    bound = {"bind_tools": model.bind_tools([Answer])}
    bound["structured"] = model.with_structured_output(Answer)
    for name, runnable in bound.items():
        forms[f"{name} repr"], forms[f"{name} str"] = repr(runnable), str(runnable)
        forms[f"{name} dumps"] = dumps(runnable, pretty=True)
    return forms


@pytest.fixture(params=SOURCES)
def build(request: pytest.FixtureRequest, emulator: RouterEmulator, monkeypatch):
    """`build(api, **fields)` -> (model, its provider or None), key from the source."""
    source = str(request.param)
    for name in ("HUGGINGFACE_API_KEY", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if source.startswith("env:"):
        monkeypatch.setenv(source[4:], CANARY)
    if source == "provider_env":
        monkeypatch.setenv("HF_TOKEN", CANARY)
    closers = []

    def factory(api: str, **fields: object):
        fields.setdefault("max_retries", 0)
        if source.startswith("provider"):
            key = CANARY if source == "provider" else None
            provider = create_huggingface(api_key=key, base_url=emulator.base_url)
            closers.append(provider)
            model = (
                provider.responses(MODEL, **fields)
                if api == "responses"
                else provider(MODEL, **fields)
            )
            return model, provider
        if source == "direct":
            fields["api_key"] = CANARY
        model = ChatHuggingFaceRouter(
            model=MODEL, api=api, base_url=emulator.base_url, **fields
        )
        closers.append(model)
        return model, None

    yield factory
    for item in closers:
        item.close()


def test_reprs_and_dumps_hide_the_key(emulator: RouterEmulator, build, api: str):
    model, provider = build(api)
    assert model.invoke("hi").text == "Hello from the emulator."
    assert emulator.last_request.headers["authorization"] == f"Bearer {CANARY}"
    forms = model_forms(model)
    if model.api_key is not None:  # kept as a reference to the env var
        assert forms["dumpd"]["kwargs"]["api_key"]["type"] == "secret"  # type: ignore[index]
        assert "**********" in str(forms["model_dump_json"])
    assert_no_canary(provider=provider, provider_str=str(provider), **forms)


SCENARIOS = {
    **{
        str(status): ErrorReply(status, {"error": {"message": f"failure {status}"}})
        for status in (401, 402, 403, 404, 429, 500)
    },
    "in_band": InBandFailure("500 provider failed", partial_text="par"),
    "broken_stream": Reply(text="one two three four five", drop_after=2),
    "timeout": Reply(text="x", hold_after=0),  # held until the client times out
    "refused": None,
}
ECHOES = {
    "json_body": ErrorReply(401, {"error": {"message": f"bad token {CANARY}"}}),
    "text_body": ErrorReply(403, f"Authorization: Bearer {CANARY} is not allowed"),
    "in_band": InBandFailure(f"401 Invalid API Key {CANARY}"),
}


def _failing_model(emulator: RouterEmulator, make_model, api: str, scenario: str):
    item = SCENARIOS[scenario]
    if item is not None:
        emulator.enqueue(item)
    fields: dict[str, object] = {"api": api, "api_key": CANARY}
    if scenario == "broken_stream":  # drop_after only breaks streams
        fields["streaming"] = True
    if scenario == "timeout":
        fields["timeout"] = 0.2
    if scenario == "refused":
        fields["base_url"] = "http://127.0.0.1:9/v1"
    return make_model(**fields)


def _check_live(emulator: RouterEmulator, scenario: str) -> None:
    if scenario != "refused":
        assert emulator.last_request.headers["authorization"] == f"Bearer {CANARY}"


@pytest.mark.parametrize("call", ["invoke", "stream"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_errors_hide_the_key(emulator, make_model, caplog, api, scenario, call):
    llm = _failing_model(emulator, make_model, api, scenario)
    with watching(caplog), pytest.raises(HuggingFaceRouterError) as caught:
        llm.invoke("x") if call == "invoke" else list(llm.stream("x"))
    _check_live(emulator, scenario)
    assert_no_canary(**error_texts(caught.value))


async def _acall(llm: ChatHuggingFaceRouter, call: str) -> object:
    if call == "ainvoke":
        return await llm.ainvoke("x")
    return [chunk async for chunk in llm.astream("x")]


@pytest.mark.parametrize("call", ["ainvoke", "astream"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def test_async_errors_hide_the_key(
    emulator, make_model, aclose_models, caplog, api, scenario, call
):
    llm = _failing_model(emulator, make_model, api, scenario)
    aclose_models.append(llm)
    with watching(caplog), pytest.raises(HuggingFaceRouterError) as caught:
        await _acall(llm, call)
    _check_live(emulator, scenario)
    assert_no_canary(**error_texts(caught.value))


@pytest.mark.parametrize("call", ["invoke", "stream"])
@pytest.mark.parametrize("echo", list(ECHOES))
def test_key_echoed_by_the_server_is_redacted(
    emulator, make_model, caplog, api, echo, call
):
    emulator.enqueue(ECHOES[echo])
    llm = make_model(api=api, api_key=CANARY)
    with watching(caplog), pytest.raises(HuggingFaceRouterError) as caught:
        llm.invoke("x") if call == "invoke" else list(llm.stream("x"))
    assert caught.value.status_code in (401, 403)
    assert_no_canary(**error_texts(caught.value))


def test_401_hides_the_key_from_every_source(emulator, build, caplog, api):
    emulator.enqueue(ErrorReply(401, {"error": "Invalid username or password."}))
    model, _ = build(api)
    with watching(caplog), pytest.raises(HuggingFaceRouterError) as caught:
        model.invoke("x")
    assert emulator.last_request.headers["authorization"] == f"Bearer {CANARY}"
    assert caught.value.status_code == 401
    assert_no_canary(**error_texts(caught.value))


def test_warnings_hide_the_key(emulator: RouterEmulator, build, caplog, api: str):
    model, _ = build(api)
    with watching(caplog) as seen:
        if model.api != "chat_completions":  # "auto" picks Responses: instructions
            model.invoke(
                "x", stop=["x"], provider_options={"instructions": "Be brief."}
            )
        else:
            model.invoke("x", provider_options={"metadata": {"k": "v"}})
    assert emulator.last_request.headers["authorization"] == f"Bearer {CANARY}"
    assert any(
        w.category is UnsupportedSettingWarning
        for w in seen["warning objects"]  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_logs_hide_the_key(emulator, build, caplog, api: str, stream: bool):
    emulator.enqueue(
        ErrorReply(429, {"error": "slow down"}, headers={"retry-after-ms": "1"}),
        Reply(text="ok"),
        ErrorReply(500, {"error": "boom"}),
        ErrorReply(500, {"error": "boom"}),
    )
    model, _ = build(api, max_retries=1)
    with watching(caplog):
        if stream:
            assert "".join(c.text for c in model.stream("x")) == "ok"
        else:
            assert model.invoke("x").text == "ok"
        with pytest.raises(HuggingFaceRouterError):
            model.invoke("x")  # 500, retried once, 500 again
    assert emulator.last_request.headers["authorization"] == f"Bearer {CANARY}"
    names = {(r.name, r.getMessage().split(":")[0]) for r in caplog.records}
    assert any(n == "langchain_hf_router" for n, _ in names)
    assert ("httpx", "HTTP Request") in names
    assert "retry 1/1" in caplog.text
