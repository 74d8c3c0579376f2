"""`core.options`: provider options, their validation and the router's limits.

protocol.md: `metadata` takes at most 16 keys, keys of at most 64 characters and
values of at most 512; Responses takes `reasoning.effort` low/medium/high, Chat
Completions `reasoning_effort` none/minimal/low/medium/high/xhigh.
"""

from __future__ import annotations

from typing import Any

import pytest

from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.options import (
    METADATA_MAX_KEY_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_MAX_VALUE_LENGTH,
    PROVIDER_OPTION_KEYS,
    check_effort,
    merge_provider_options,
    parse_provider_options,
    with_strictness,
)
from langchain_hf_router.core.types import ProviderOptions


def test_nothing_gives_default_options():
    assert parse_provider_options(None) == ProviderOptions()
    assert parse_provider_options({}) == ProviderOptions()


def test_every_option():
    options = parse_provider_options(
        {
            "metadata": {"user": "ada"},
            "instructions": "Be brief.",
            "strict_json_schema": True,
            "reasoning_effort": "high",
        }
    )
    assert options == ProviderOptions(
        metadata={"user": "ada"},
        instructions="Be brief.",
        strict_json_schema=True,
        reasoning_effort="high",
    )
    assert set(PROVIDER_OPTION_KEYS) == {
        "metadata",
        "instructions",
        "strict_json_schema",
        "reasoning_effort",
    }


def test_none_values_mean_unset():
    assert parse_provider_options({"instructions": None}) == ProviderOptions()


@pytest.mark.parametrize("key", ["reasoningEffort", "strictJsonSchema", "seed"])
def test_unknown_keys_are_refused_by_name(key: str):
    with pytest.raises(InvalidInputError) as caught:
        parse_provider_options({key: "x"})
    assert repr(key) in str(caught.value)
    assert "reasoning_effort" in str(caught.value)  # the valid ones are listed


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"instructions": 1}, "'instructions' must be a string"),
        ({"instructions": ["a"]}, "'instructions' must be a string"),
        ({"strict_json_schema": "yes"}, "'strict_json_schema' must be true or false"),
        ({"strict_json_schema": 1}, "'strict_json_schema' must be true or false"),
        ({"metadata": [("a", "b")]}, "'metadata' must be a dict"),
        ({"metadata": "a=b"}, "'metadata' must be a dict"),
        ({"metadata": {"a": 1}}, "must map strings to strings"),
        ({"metadata": {1: "a"}}, "must map strings to strings"),
        ({"metadata": {"a": None}}, "must map strings to strings"),
        ({"reasoning_effort": "extreme"}, "choose one of"),
        ({"reasoning_effort": 3}, "choose one of"),
    ],
    ids=[
        "instructions-int",
        "instructions-list",
        "strict-str",
        "strict-int",
        "metadata-list",
        "metadata-str",
        "metadata-int-value",
        "metadata-int-key",
        "metadata-none-value",
        "effort-unknown",
        "effort-int",
    ],
)
def test_wrong_types_are_refused(raw: dict[str, Any], match: str):
    with pytest.raises(InvalidInputError, match=match):
        parse_provider_options(raw)


@pytest.mark.parametrize("effort", [["low"], {"effort": "low"}], ids=["list", "dict"])
def test_unhashable_effort_is_refused_as_invalid_input(effort: object):
    with pytest.raises(InvalidInputError):
        parse_provider_options({"reasoning_effort": effort})


# --- metadata limits -----------------------------------------------------------------


def metadata_of(keys: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(keys)}


def test_metadata_limits_are_the_routers():
    assert (METADATA_MAX_KEYS, METADATA_MAX_KEY_LENGTH, METADATA_MAX_VALUE_LENGTH) == (
        16,
        64,
        512,
    )


def test_sixteen_keys_pass_seventeen_do_not():
    assert parse_provider_options({"metadata": metadata_of(16)}).metadata == (
        metadata_of(16)
    )
    with pytest.raises(InvalidInputError, match="17 keys"):
        parse_provider_options({"metadata": metadata_of(17)})


def test_key_of_64_characters_passes_65_does_not():
    parse_provider_options({"metadata": {"k" * 64: "v"}})
    with pytest.raises(InvalidInputError, match="too long"):
        parse_provider_options({"metadata": {"k" * 65: "v"}})


def test_value_of_512_characters_passes_513_does_not():
    parse_provider_options({"metadata": {"k": "v" * 512}})
    with pytest.raises(InvalidInputError, match="too long"):
        parse_provider_options({"metadata": {"k": "v" * 513}})


def test_metadata_is_copied():
    metadata = {"user": "ada"}
    options = parse_provider_options({"metadata": metadata})
    metadata["user"] = "grace"
    assert options.metadata == {"user": "ada"}


# --- reasoning effort ------------------------------------------------------------------


def test_reasoning_effort_sets():
    assert frozenset({"low", "medium", "high"}) == responses.FORMAT.reasoning_efforts
    assert (
        frozenset({"none", "minimal", "low", "medium", "high", "xhigh"})
        == chat_completions.FORMAT.reasoning_efforts
    )


@pytest.mark.parametrize("effort", sorted(chat_completions.FORMAT.reasoning_efforts))
def test_any_chat_effort_is_a_valid_option(effort: str):
    assert parse_provider_options({"reasoning_effort": effort}).reasoning_effort == (
        effort
    )


def test_check_effort_names_the_api_and_the_choices():
    assert (
        check_effort("low", responses.FORMAT.reasoning_efforts, "the Responses API")
        == "low"
    )
    with pytest.raises(InvalidInputError) as caught:
        check_effort("minimal", responses.FORMAT.reasoning_efforts, "the Responses API")
    assert str(caught.value) == (
        "reasoning_effort='minimal' is not accepted by the Responses API; "
        "choose one of high, low, medium."
    )


# --- merging ---------------------------------------------------------------------------


def test_later_layers_win_key_by_key():
    defaults = {"instructions": "Be brief.", "reasoning_effort": "low"}
    call = {"reasoning_effort": "high"}
    assert merge_provider_options(defaults, call) == {
        "instructions": "Be brief.",
        "reasoning_effort": "high",
    }


def test_none_unsets_a_key_from_an_earlier_layer():
    assert merge_provider_options({"instructions": "x"}, {"instructions": None}) == {}


def test_missing_layers_are_skipped():
    assert merge_provider_options(None, {"metadata": {"a": "b"}}, None, {}) == {
        "metadata": {"a": "b"}
    }
    assert merge_provider_options() == {}


def test_merging_is_shallow_and_leaves_the_layers_alone():
    defaults = {"metadata": {"team": "search"}}
    call = {"metadata": {"user": "ada"}}
    merged = merge_provider_options(defaults, call)
    assert merged == {"metadata": {"user": "ada"}}
    assert defaults == {"metadata": {"team": "search"}}
    assert call == {"metadata": {"user": "ada"}}


# --- strict_json_schema ------------------------------------------------------------------


def test_with_strictness_sets_strict_on_a_json_schema_format():
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "a", "schema": {}},
    }
    assert with_strictness(response_format, True) == {
        "type": "json_schema",
        "json_schema": {"name": "a", "schema": {}, "strict": True},
    }
    assert "strict" not in response_format["json_schema"]


@pytest.mark.parametrize(
    ("response_format", "strict"),
    [
        ({"type": "json_schema", "json_schema": {"name": "a", "strict": False}}, True),
        ({"type": "json_schema", "json_schema": {"name": "a"}}, None),
        ({"type": "json_object"}, True),
        ({"type": "text"}, False),
    ],
    ids=["schema-says", "unset", "json-object", "text"],
)
def test_with_strictness_leaves_the_rest_alone(
    response_format: dict[str, Any], strict: bool | None
):
    assert with_strictness(response_format, strict) == response_format
