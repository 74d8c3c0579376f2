"""The registry of wire formats and the setting records every list is made from."""

from __future__ import annotations

import dataclasses

import pytest

from langchain_hf_router import ChatHuggingFaceRouter
from langchain_hf_router.chat_models import _CALL_KWARGS
from langchain_hf_router.cli import _parser
from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.formats import (
    API_CHOICES,
    FORMATS,
    carriers,
    choose,
    wire_format,
)
from langchain_hf_router.core.options import (
    CALL_SETTINGS,
    MODEL_FIELDS,
    PROVIDER_OPTION_KEYS,
    REASONING_EFFORTS,
    SETTING_NAMES,
)
from langchain_hf_router.core.types import CallOptions, ProviderOptions
from langchain_hf_router.core.wire import WireFormat


@pytest.mark.parametrize("api", sorted(FORMATS))
def test_every_setting_is_sent_or_warned_about_by_every_format(api: str) -> None:
    wire = FORMATS[api]
    sent, unsent = wire.sends, set(wire.unsent)
    assert not sent & unsent, f"{api}: both sent and warned about: {sent & unsent}"
    missing = set(SETTING_NAMES) - sent - unsent
    assert not missing, f"{api}: neither sent nor warned about: {sorted(missing)}"
    assert not (sent | unsent) - set(SETTING_NAMES), f"{api}: unknown settings"


def test_the_registry_holds_each_format_module_under_its_api() -> None:
    assert FORMATS == {
        chat_completions.API: chat_completions.FORMAT,
        responses.API: responses.FORMAT,
    }
    assert all(isinstance(wire, WireFormat) for wire in FORMATS.values())
    assert API_CHOICES == ("auto", "chat_completions", "responses")


def test_an_unknown_api_is_an_error_never_a_fallback() -> None:
    with pytest.raises(InvalidInputError, match=r"Unknown API 'chat'.*'auto'"):
        wire_format("chat")
    with pytest.raises(InvalidInputError, match="Unknown API"):
        choose("openai", frozenset(), tool_history=False)
    with pytest.raises(ValueError, match="Unknown API 'completions'"):
        ChatHuggingFaceRouter(model="m", api_key="k", api="completions")


@pytest.mark.parametrize(
    ("features", "tool_history", "api"),
    [
        (set(), False, "chat_completions"),
        ({"instructions"}, False, "responses"),
        ({"metadata"}, False, "responses"),
        ({"instructions"}, True, "chat_completions"),
        ({"mcp"}, True, "responses"),
        ({"reasoning_effort"}, False, "chat_completions"),
    ],
)
def test_auto_picks_by_the_features_each_format_declares(
    features: set[str], tool_history: bool, api: str
) -> None:
    chosen = choose("auto", frozenset(features), tool_history=tool_history)
    assert chosen.api == api
    assert choose(api, frozenset({"mcp"}), tool_history=False).api == api


def test_each_format_accepts_a_subset_of_the_efforts() -> None:
    assert {"none", "minimal", "low", "medium", "high", "xhigh"} == REASONING_EFFORTS
    accepted = [wire.reasoning_efforts for wire in FORMATS.values()]
    assert all(efforts <= REASONING_EFFORTS for efforts in accepted)
    assert frozenset().union(*accepted) == REASONING_EFFORTS


def test_the_lists_of_names_come_from_the_records() -> None:
    call_fields = {f.name for f in dataclasses.fields(CallOptions)}
    provider_fields = {f.name for f in dataclasses.fields(ProviderOptions)}
    assert set(CALL_SETTINGS) <= call_fields
    assert set(PROVIDER_OPTION_KEYS) == provider_fields
    assert set(MODEL_FIELDS) <= set(ChatHuggingFaceRouter.model_fields)
    assert {*CALL_SETTINGS, "model", "provider_options", "stream", "extra_body"} - {
        "stop"
    } == _CALL_KWARGS


def test_carriers_name_the_apis_that_send_a_setting() -> None:
    assert carriers("metadata") == ("responses",)
    assert carriers("seed") == ("chat_completions",)
    assert carriers("temperature") == ("chat_completions", "responses")


def test_the_command_line_offers_the_registry_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = _parser()
    for api in API_CHOICES:
        assert parser.parse_args(["chat", "m", "--api", api]).api == api
    with pytest.raises(SystemExit):
        parser.parse_args(["chat", "m", "--api", "soap"])
    assert f"choose from {', '.join(API_CHOICES)}" in capsys.readouterr().err
