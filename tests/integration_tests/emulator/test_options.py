"""Settings and provider options: what reaches the wire on each API, and what warns."""

from __future__ import annotations

import warnings

import pytest
from router_emulator import RouterEmulator

from langchain_hf_router import InvalidInputError, UnsupportedSettingWarning


def test_stop_and_seed_sent_on_chat(emulator: RouterEmulator, make_model) -> None:
    make_model(api="chat_completions", seed=7, stop=["END"]).invoke("x")
    body = emulator.last_request.json
    assert body["seed"] == 7
    assert body["stop"] == ["END"]


def test_stop_argument_overrides_field(emulator: RouterEmulator, make_model) -> None:
    make_model(api="chat_completions", stop=["END"]).invoke("x", stop=["HALT"])
    assert emulator.last_request.json["stop"] == ["HALT"]


def test_stop_and_seed_warn_once_per_instance_on_responses(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(api="responses", seed=7, stop=["END"])
    with pytest.warns(UnsupportedSettingWarning) as caught:
        llm.invoke("x")
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert "seed" in messages[0]
    assert "stop sequences" in messages[1]
    body = emulator.last_request.json
    assert "seed" not in body
    assert "stop" not in body
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.invoke("again")  # the same instance does not warn twice
    with pytest.warns(UnsupportedSettingWarning):
        make_model(api="responses", seed=7).invoke("new instance warns again")


def test_instructions_choose_responses_under_auto(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(provider_options={"instructions": "Answer in French."})
    message = llm.invoke("Hello")
    assert message.response_metadata["api"] == "responses"
    assert emulator.last_request.path == "/v1/responses"
    assert emulator.last_request.json["instructions"] == "Answer in French."


def test_auto_uses_chat_without_responses_only_options(
    emulator: RouterEmulator, make_model
) -> None:
    message = make_model(provider_options={"reasoning_effort": "high"}).invoke("Hi")
    assert message.response_metadata["api"] == "chat_completions"
    assert emulator.last_request.json["reasoning_effort"] == "high"


def test_instructions_on_forced_chat_become_leading_system_message(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(api="chat_completions")
    llm.invoke("Hello", provider_options={"instructions": "Be terse."})
    assert emulator.last_request.json["messages"][0] == {
        "role": "system",
        "content": "Be terse.",
    }


def test_metadata_on_chat_warns_and_is_not_sent(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(api="chat_completions", provider_options={"metadata": {"a": "b"}})
    with pytest.warns(UnsupportedSettingWarning, match="metadata"):
        llm.invoke("x")
    assert "metadata" not in emulator.last_request.json


def test_metadata_and_effort_on_responses(emulator: RouterEmulator, make_model) -> None:
    llm = make_model(
        api="responses",
        provider_options={"metadata": {"run": "7"}, "reasoning_effort": "low"},
    )
    llm.invoke("x", provider_options={"reasoning_effort": "high"})
    body = emulator.last_request.json
    assert body["metadata"] == {"run": "7"}
    assert body["reasoning"] == {"effort": "high"}


def test_per_call_options_merge_key_by_key(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(
        api="responses",
        provider_options={"instructions": "Model-level.", "metadata": {"k": "v"}},
    )
    llm.invoke("x", provider_options={"instructions": "Call-level."})
    body = emulator.last_request.json
    assert body["instructions"] == "Call-level."
    assert body["metadata"] == {"k": "v"}


def test_unknown_provider_option_is_an_error(
    emulator: RouterEmulator, make_model
) -> None:
    # At construction pydantic wraps the error in a ValidationError (a ValueError).
    with pytest.raises(ValueError, match=r"Unknown provider option.*reasoningEffort"):
        make_model(provider_options={"reasoningEffort": "high"})
    llm = make_model()
    with pytest.raises(InvalidInputError, match="bogus"):
        llm.invoke("x", provider_options={"bogus": 1})
    assert emulator.requests == []


@pytest.mark.parametrize("effort", ["none", "minimal", "xhigh"])
def test_chat_only_efforts_refused_on_responses_before_sending(
    emulator: RouterEmulator, make_model, effort: str
) -> None:
    llm = make_model(api="responses", provider_options={"reasoning_effort": effort})
    with pytest.raises(InvalidInputError, match="low, medium"):
        llm.invoke("x")
    assert emulator.requests == []
    make_model(api="chat_completions").invoke(
        "x", provider_options={"reasoning_effort": effort}
    )
    assert emulator.last_request.json["reasoning_effort"] == effort


def test_strict_json_schema_is_validated(make_model) -> None:
    with pytest.raises(ValueError, match="strict_json_schema"):
        make_model(provider_options={"strict_json_schema": "yes"})


def test_unknown_call_argument_is_an_error(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.raises(InvalidInputError, match="Unknown call argument 'top_k'"):
        make_model().invoke("x", top_k=40)
    assert emulator.requests == []


def test_empty_message_list_is_refused(emulator: RouterEmulator, make_model) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        make_model().invoke([])
    assert emulator.requests == []


def test_default_headers_are_sent(emulator: RouterEmulator, make_model) -> None:
    make_model(default_headers={"X-HF-Bill-To": "my-org"}).invoke("x")
    assert emulator.last_request.headers["x-hf-bill-to"] == "my-org"
