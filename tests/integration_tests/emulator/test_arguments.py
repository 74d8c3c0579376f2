"""Constructor and call arguments a LangChain user types: none is silently dropped.

OpenAI-style settings are fields, sent on the API that takes them and warned
about on the one that does not; `ChatOpenAI`'s names are aliases; a misspelling
is an error naming the field; any other name goes to the body via `model_kwargs`
(with a warning) or `extra_body` (as it is).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from router_emulator import RouterEmulator

from langchain_hf_router import (
    ChatHuggingFaceRouter,
    InvalidInputError,
    UnsupportedSettingWarning,
)

PENALTIES = {
    "frequency_penalty": 0.5,
    "presence_penalty": -0.25,
    "logprobs": True,
    "top_logprobs": 2,
    "parallel_tool_calls": False,
}


def test_openai_style_settings_are_sent_on_chat(
    emulator: RouterEmulator, make_model
) -> None:
    make_model(api="chat_completions", **PENALTIES).invoke("x")
    body = emulator.last_request.json
    assert {key: body[key] for key in PENALTIES} == PENALTIES


def test_openai_style_settings_can_be_given_per_call(
    emulator: RouterEmulator, make_model
) -> None:
    make_model(api="chat_completions").invoke("x", **PENALTIES)
    body = emulator.last_request.json
    assert {key: body[key] for key in PENALTIES} == PENALTIES


def test_openai_style_settings_warn_on_responses(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.warns(UnsupportedSettingWarning) as caught:
        make_model(api="responses", **PENALTIES).invoke("x")
    messages = sorted(str(w.message) for w in caught)
    for message in messages:
        print(message)
    assert len(messages) == len(PENALTIES)
    for name in PENALTIES:
        assert any(name in m and "api='chat_completions'" in m for m in messages)
    assert not set(PENALTIES) & set(emulator.last_request.json)


def test_top_logprobs_without_logprobs_is_refused_before_any_request(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_model(api="chat_completions", top_logprobs=3).invoke("x")
    print(caught.value)
    assert "top_logprobs=3 needs logprobs=True" in str(caught.value)
    assert not emulator.requests


@pytest.mark.parametrize(
    ("alias", "field", "value"),
    [
        ("model_name", "model", "org/other-model"),
        ("max_completion_tokens", "max_tokens", 33),
        ("request_timeout", "timeout", 5.0),
    ],
)
def test_chatopenai_names_are_aliases(
    make_model, alias: str, field: str, value: object
) -> None:
    fields = {alias: value}
    if alias == "model_name":
        llm = ChatHuggingFaceRouter(api_key="hf_x", **fields)  # type: ignore[arg-type]
    else:
        llm = make_model(**fields)
    assert getattr(llm, field) == value


def test_max_completion_tokens_reaches_both_apis(
    emulator: RouterEmulator, make_model
) -> None:
    make_model(api="chat_completions", max_completion_tokens=21).invoke("x")
    assert emulator.last_request.json["max_tokens"] == 21
    make_model(api="responses", max_completion_tokens=22).invoke("x")
    assert emulator.last_request.json["max_output_tokens"] == 22
    make_model(api="chat_completions").invoke("x", max_completion_tokens=23)
    assert emulator.last_request.json["max_tokens"] == 23


def test_a_request_timeout_is_the_timeout_of_the_requests(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(request_timeout=7.5)
    llm.invoke("x")
    assert llm._language_model("chat_completions").settings.timeout == 7.5


def test_an_alias_and_its_field_together_are_refused(make_model) -> None:
    with pytest.raises(ValidationError) as caught:
        make_model(timeout=3, request_timeout=5)
    print(caught.value)
    assert "request_timeout and timeout name the same setting" in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("temprature", "temperature"),
        ("max_token", "max_tokens"),
        ("frequency_penatly", "frequency_penalty"),
        ("Temperature", "temperature"),
        ("openai_api_key", "api_key"),
        ("huggingfacehub_api_token", "api_key"),
        ("max_new_tokens", "max_tokens"),
        ("repo_id", "model"),
    ],
)
def test_a_misspelled_argument_names_the_field(
    emulator: RouterEmulator, make_model, typed: str, meant: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_model(**{typed: 0.2})
    print(caught.value)
    assert f"Unknown argument {typed!r}: did you mean {meant!r}?" in str(caught.value)
    assert f"model_kwargs={{{typed!r}: ...}}" in str(caught.value)
    assert not emulator.requests


def test_an_unknown_argument_moves_to_model_kwargs_with_a_warning(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.warns(UserWarning, match="moved to model_kwargs") as caught:
        llm = make_model(api="responses", repetition_penalty=1.1)
    print(caught[0].message)
    assert "'repetition_penalty' is not a ChatHuggingFaceRouter field" in str(
        caught[0].message
    )
    assert llm.model_kwargs == {"repetition_penalty": 1.1}
    llm.invoke("x")
    assert emulator.last_request.json["repetition_penalty"] == 1.1


def test_model_kwargs_are_sent_on_both_apis_without_a_warning(
    emulator: RouterEmulator, make_model
) -> None:
    for api in ("chat_completions", "responses"):
        make_model(api=api, model_kwargs={"top_k": 20}).invoke("x")
        assert emulator.last_request.json["top_k"] == 20


def test_model_kwargs_holding_a_field_is_refused(make_model) -> None:
    with pytest.raises(ValidationError) as caught:
        make_model(model_kwargs={"temperature": 0})
    print(caught.value)
    assert "model_kwargs holds 'temperature', which is a field" in str(caught.value)


def test_extra_body_is_merged_as_it_is_per_model_and_per_call(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(
        api="chat_completions",
        temperature=0.1,
        model_kwargs={"top_k": 20},
        extra_body={"top_k": 40, "chat_template_kwargs": {"enable_thinking": False}},
    )
    llm.invoke("x")
    body = emulator.last_request.json
    assert body["top_k"] == 40  # extra_body is merged last
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    llm.invoke("x", extra_body={"top_k": 60, "temperature": 0.9})
    body = emulator.last_request.json
    assert body["top_k"] == 60
    assert body["temperature"] == 0.9  # as it is, over the field
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    llm.bind(extra_body={"min_p": 0.05}).invoke("x")
    assert emulator.last_request.json["min_p"] == 0.05


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_extra_body_cannot_change_how_the_answer_is_read(
    emulator: RouterEmulator, make_model, mode: str
) -> None:
    llm = make_model()
    with pytest.raises(InvalidInputError) as caught:
        list(getattr(llm, mode)("x", extra_body={"stream": True}))
    print(caught.value)
    assert "extra_body cannot set 'stream'" in str(caught.value)
    with pytest.raises(ValidationError, match="model_kwargs cannot set 'stream'"):
        make_model(model_kwargs={"stream": False})
    with pytest.raises(InvalidInputError, match="extra_body must be a dict"):
        llm.invoke("x", extra_body=["top_k", 1])
    assert not emulator.requests


def test_n_above_one_is_refused_with_what_to_do(make_model) -> None:
    with pytest.raises(ValidationError) as caught:
        make_model(n=2)
    print(caught.value)
    assert "n=2: the router gives one answer per request" in str(caught.value)
    assert "llm.batch([prompt] * n)" in str(caught.value)
    assert make_model(n=1).model_kwargs == {}


def test_a_misspelled_call_argument_names_the_argument(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_model().invoke("x", temprature=0)
    print(caught.value)
    text = str(caught.value)
    assert "Unknown call argument 'temprature': did you mean 'temperature'?" in text
    assert "extra_body={'temprature': ...}" in text
    with pytest.raises(InvalidInputError, match=r"extra_body=\{'top_k': \.\.\.\}"):
        make_model().invoke("x", top_k=3)
    assert not emulator.requests


@pytest.mark.parametrize(
    "fields",
    [
        {"deadline": -1},
        {"temprature": 1},
        {"base_url": "ftp://x"},
        {"model_kwargs": {"temperature": 0}},
        {"huggingfacehub_api_token": "hf_SECRETSECRETSECRET"},
        {"api_token": "hf_SECRETSECRETSECRET"},
    ],
)
def test_a_refused_argument_never_quotes_the_key(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatHuggingFaceRouter(model="m", api_key="hf_SECRETSECRETSECRET", **fields)
    error = caught.value
    seen = [str(error), repr(error), repr(error.errors()), error.json()]
    assert not any("SECRET" in text for text in seen)


def test_a_misspelled_structured_output_argument_names_it(make_model) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_model().with_structured_output({"type": "object"}, mehtod="json_mode")
    print(caught.value)
    assert str(caught.value) == (
        "Unknown argument 'mehtod' for with_structured_output; did you mean 'method'?"
    )
