"""with_structured_output on both APIs: every method, every schema kind."""

from __future__ import annotations

import json
from typing import TypedDict

import pydantic.v1 as pydantic_v1
import pytest
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel
from router_emulator import Reply, RouterEmulator, ToolCall

from langchain_hf_router import InvalidInputError


class Person(BaseModel):
    """A person."""

    name: str
    age: int


class PersonV1(pydantic_v1.BaseModel):
    """A person."""

    name: str
    age: int


class PersonDict(TypedDict):
    """A person."""

    name: str
    age: int


PERSON_SCHEMA = {
    "title": "Person",
    "description": "A person.",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}
ANSWER = '{"name": "Ada", "age": 36}'
SCHEMAS = {
    "pydantic": Person,
    "pydantic_v1": PersonV1,
    "typeddict": PersonDict,
    "dict": PERSON_SCHEMA,
}
NAMES = {
    "pydantic": "Person",
    "pydantic_v1": "PersonV1",
    "typeddict": "PersonDict",
    "dict": "Person",
}


def _format(body: dict, api: str) -> dict:
    if api == "chat_completions":
        return body["response_format"]
    text_format = body["text"]["format"]
    return {
        "type": text_format["type"],
        "json_schema": {k: v for k, v in text_format.items() if k != "type"},
    }


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_json_schema_default_method(
    emulator: RouterEmulator, make_model, api: str, kind: str
) -> None:
    emulator.enqueue(Reply(text=ANSWER, reasoning="Ada Lovelace, born 1815."))
    result = make_model(api=api).with_structured_output(SCHEMAS[kind]).invoke("Who?")
    if kind.startswith("pydantic"):
        assert isinstance(result, SCHEMAS[kind])
        assert (result.name, result.age) == ("Ada", 36)
    else:
        assert result == {"name": "Ada", "age": 36}
    sent = _format(emulator.last_request.json, api)
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == NAMES[kind]
    assert sent["json_schema"]["schema"]["properties"]["age"]["type"] == "integer"
    assert "strict" not in sent["json_schema"]


@pytest.mark.parametrize(
    ("strict", "option", "expected"),
    [(True, None, True), (None, True, True), (False, True, False)],
)
def test_strictness(
    emulator: RouterEmulator, make_model, api: str, strict, option, expected
) -> None:
    emulator.enqueue(Reply(text=ANSWER))
    options = {"strict_json_schema": option} if option is not None else None
    llm = make_model(api=api, provider_options=options)
    llm.with_structured_output(Person, strict=strict).invoke("Who?")
    assert _format(emulator.last_request.json, api)["json_schema"]["strict"] is expected


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_function_calling(
    emulator: RouterEmulator, make_model, api: str, kind: str
) -> None:
    emulator.enqueue(
        Reply(
            tool_calls=[
                ToolCall(
                    name=NAMES[kind],
                    arguments=ANSWER,
                )
            ]
        )
    )
    llm = make_model(api=api).with_structured_output(
        SCHEMAS[kind], method="function_calling"
    )
    result = llm.invoke("Who?")
    parsed = (
        result if isinstance(result, dict) else {"name": result.name, "age": result.age}
    )
    assert parsed == {"name": "Ada", "age": 36}
    body = emulator.last_request.json
    name = NAMES[kind]
    if api == "chat_completions":
        assert body["tool_choice"] == {"type": "function", "function": {"name": name}}
    else:
        assert body["tool_choice"] == {"type": "function", "name": name}


def test_json_mode(emulator: RouterEmulator, make_model, api: str) -> None:
    emulator.enqueue(Reply(text="```json\n" + ANSWER + "\n```"))
    result = (
        make_model(api=api)
        .with_structured_output(method="json_mode")
        .invoke("Who? JSON please.")
    )
    assert result == {"name": "Ada", "age": 36}
    body = emulator.last_request.json
    sent = (
        body["response_format"] if api == "chat_completions" else body["text"]["format"]
    )
    assert sent == {"type": "json_object"}


def test_unparsable_answer_raises_with_raw_text(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(Reply(text="Ada, 36 years old"))
    with pytest.raises(OutputParserException) as caught:
        make_model(api=api).with_structured_output(Person).invoke("Who?")
    assert caught.value.llm_output == "Ada, 36 years old"


def test_schema_violation_raises(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(Reply(text='{"name": "Ada"}'))
    with pytest.raises(OutputParserException):
        make_model().with_structured_output(Person).invoke("Who?")


def test_include_raw(emulator: RouterEmulator, make_model, api: str) -> None:
    llm = make_model(api=api).with_structured_output(Person, include_raw=True)
    emulator.enqueue(Reply(text=ANSWER))
    good = llm.invoke("Who?")
    assert good["parsed"] == Person(name="Ada", age=36)
    assert good["parsing_error"] is None
    assert good["raw"].text == ANSWER
    emulator.enqueue(Reply(text="not json"))
    bad = llm.invoke("Who?")
    assert bad["parsed"] is None
    assert isinstance(bad["parsing_error"], OutputParserException)
    assert bad["raw"].text == "not json"


def test_function_calling_without_a_call_raises(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(text="I'd rather chat."))
    with pytest.raises(OutputParserException) as caught:
        make_model().with_structured_output(Person, method="function_calling").invoke(
            "Who?"
        )
    assert caught.value.llm_output == "I'd rather chat."


def test_streamed_structured_output(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(Reply(text=ANSWER, chunk_size=4))
    chunks = list(
        make_model(api=api).with_structured_output(PERSON_SCHEMA).stream("Who?")
    )
    assert chunks[-1] == {"name": "Ada", "age": 36}


def test_ls_structured_output_format_is_bound(make_model) -> None:
    sequence = make_model().with_structured_output(Person, strict=True)
    bound = sequence.first
    assert bound.kwargs["ls_structured_output_format"] == {
        "kwargs": {"method": "json_schema", "strict": True},
        "schema": Person,
    }


def test_bad_arguments(make_model) -> None:
    with pytest.raises(InvalidInputError, match="json_mode"):
        make_model().with_structured_output(None)
    with pytest.raises(InvalidInputError, match="Unknown method"):
        make_model().with_structured_output(Person, method="xml")
    with pytest.raises(InvalidInputError, match="tools"):
        make_model().with_structured_output(Person, tools=[])


def test_name_is_made_safe_for_responses(emulator: RouterEmulator, make_model) -> None:
    schema = {**PERSON_SCHEMA, "title": "A person, please!"}
    emulator.enqueue(Reply(text=ANSWER))
    make_model(api="responses").with_structured_output(schema).invoke("Who?")
    assert emulator.last_request.json["text"]["format"]["name"] == "A_person__please_"
    assert json.loads(ANSWER)


def test_a_json_schema_without_a_title_is_named_response(
    emulator: RouterEmulator, make_model
) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    emulator.enqueue(Reply(text='{"a": 1}'))
    assert make_model().with_structured_output(schema).invoke("x") == {"a": 1}
    sent = emulator.last_request.json["response_format"]["json_schema"]
    assert sent == {"name": "response", "schema": schema}


def test_a_dict_that_is_no_schema_is_refused(make_model) -> None:
    with pytest.raises(InvalidInputError, match=r"Cannot use .* as a schema"):
        make_model().with_structured_output({"foo": 1})
