"""Tools: binding, tool choice, tool history both ways, tool calls out, streamed."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from chat_asserts import assert_stream_matches_invoke, sum_chunks
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from router_emulator import RawReply, Reply, RouterEmulator, ToolCall

from langchain_hf_router import InvalidInputError, UnsupportedSettingWarning


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"Sunny in {city}"


class Calculator(BaseModel):
    """Multiply two numbers."""

    a: int = Field(description="first factor")
    b: int = Field(description="second factor")


class Lookup(TypedDict):
    """Look a word up in the dictionary."""

    word: str


def add(x: int, y: int) -> int:
    """Add two integers."""
    return x + y


RAW_SCHEMA = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}
ALL_TOOLS = [get_weather, Calculator, Lookup, add, RAW_SCHEMA]
NAMES = ["get_weather", "Calculator", "Lookup", "add", "search"]


def _tool_names(body: dict, api: str) -> list[str]:
    if api == "chat_completions":
        return [t["function"]["name"] for t in body["tools"]]
    return [t["name"] for t in body["tools"]]


def test_every_tool_kind_binds(emulator: RouterEmulator, make_model, api: str) -> None:
    make_model(api=api).bind_tools(ALL_TOOLS).invoke("hi")
    body = emulator.last_request.json
    assert _tool_names(body, api) == NAMES
    if api == "responses":
        weather = body["tools"][0]
        assert weather["type"] == "function"
        assert weather["description"] == "Current weather in a city."
        assert weather["parameters"]["properties"]["city"]["type"] == "string"
    else:
        assert body["tools"][1]["function"]["parameters"]["required"] == ["a", "b"]


@pytest.mark.parametrize(
    ("choice", "chat", "responses"),
    [
        ("auto", "auto", "auto"),
        ("none", "none", "none"),
        ("any", "required", "required"),
        ("required", "required", "required"),
        (True, "required", "required"),
        (
            "get_weather",
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "name": "get_weather"},
        ),
    ],
)
def test_tool_choice_shapes(
    emulator: RouterEmulator, make_model, api: str, choice, chat, responses
) -> None:
    make_model(api=api).bind_tools(ALL_TOOLS, tool_choice=choice).invoke("hi")
    expected = chat if api == "chat_completions" else responses
    assert emulator.last_request.json["tool_choice"] == expected


def test_unknown_tool_choice_name(make_model) -> None:
    with pytest.raises(InvalidInputError, match="names no bound tool"):
        make_model().bind_tools([get_weather], tool_choice="get_time")


def test_strict_and_parallel(emulator: RouterEmulator, make_model) -> None:
    llm = make_model(api="chat_completions")
    llm.bind_tools([Calculator], strict=True, parallel_tool_calls=False).invoke("hi")
    body = emulator.last_request.json
    assert body["tools"][0]["function"]["strict"] is True
    assert body["parallel_tool_calls"] is False


def test_parallel_tool_calls_warn_on_responses(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(api="responses").bind_tools([add], parallel_tool_calls=False)
    with pytest.warns(UnsupportedSettingWarning, match="parallel_tool_calls"):
        llm.invoke("hi")
    assert "parallel_tool_calls" not in emulator.last_request.json


CALLS = [
    ToolCall(name="get_weather", arguments='{"city": "Paris"}', id="call_1"),
    ToolCall(name="get_weather", arguments='{"city": "Zürich 🌤"}', id="call_2"),
]


def test_parallel_calls_out_invoke_and_stream(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    llm = make_model(api=api).bind_tools([get_weather])
    emulator.enqueue(Reply(tool_calls=CALLS, text="Checking both."))
    invoked = llm.invoke("Weather in Paris and Zürich?")
    assert [(c["name"], c["args"], c["id"]) for c in invoked.tool_calls] == [
        ("get_weather", {"city": "Paris"}, "call_1"),
        ("get_weather", {"city": "Zürich 🌤"}, "call_2"),
    ]
    assert invoked.response_metadata["finish_reason"] == "tool_calls"
    emulator.enqueue(Reply(tool_calls=CALLS, text="Checking both."))
    chunks = list(llm.stream("Weather in Paris and Zürich?"))
    assert any(c.tool_call_chunks for c in chunks)
    streamed = sum_chunks(chunks)
    assert_stream_matches_invoke(streamed, invoked)


def test_responses_parallel_stream_with_unclosed_items(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(tool_calls=CALLS, close_all_items=False))
    streamed = sum_chunks(
        list(make_model(api="responses").bind_tools([get_weather]).stream("x"))
    )
    assert [c["args"] for c in streamed.tool_calls] == [
        {"city": "Paris"},
        {"city": "Zürich 🌤"},
    ]


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_text_and_tool_call_indices_do_not_collide(
    emulator: RouterEmulator, make_model, api: str, output_version: str
) -> None:
    llm = make_model(api=api, output_version=output_version).bind_tools([get_weather])
    reply = Reply(
        reasoning="Need the weather.", text="Let me check.", tool_calls=CALLS[:1]
    )
    emulator.enqueue(reply)
    invoked = llm.invoke("x")
    emulator.enqueue(reply)
    streamed = sum_chunks(list(llm.stream("x")))
    assert streamed.text == invoked.text == "Let me check."
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.tool_calls[0]["args"] == {"city": "Paris"}
    assert_stream_matches_invoke(streamed, invoked)


def test_malformed_arguments_become_invalid_tool_calls(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    bad = [ToolCall(name="get_weather", arguments='{"city": "Par', id="call_x")]
    llm = make_model(api=api).bind_tools([get_weather])
    emulator.enqueue(Reply(tool_calls=bad))
    invoked = llm.invoke("x")
    assert invoked.tool_calls == []
    assert invoked.invalid_tool_calls[0]["name"] == "get_weather"
    assert invoked.invalid_tool_calls[0]["args"] == '{"city": "Par'
    assert "not valid JSON" in invoked.invalid_tool_calls[0]["error"]
    emulator.enqueue(Reply(tool_calls=bad))
    # In a stream, langchain-core itself joins the argument chunks and parses them
    # leniently (it closes truncated JSON), as it does for every chat model; the
    # stream still ends without an exception and the raw fragments are kept.
    chunks = list(llm.stream("x"))
    streamed = sum_chunks(chunks)
    assert streamed.tool_call_chunks[0]["args"] == '{"city": "Par'
    assert streamed.tool_calls[0]["args"] == {"city": "Par"}


def test_tgi_quirks_integer_id_object_arguments(
    emulator: RouterEmulator, make_model
) -> None:
    body = {
        "id": "",
        "object": "chat.completion",
        "created": 1,
        "model": "tgi",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {
                            "id": 0,
                            "type": "function",
                            "function": {
                                "name": "get_weather",
                                "arguments": {"city": "Oslo"},
                            },
                        },
                        {
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": "{}"},
                        },
                    ],
                },
                "finish_reason": "eos_token",
            }
        ],
        "usage": None,
    }
    emulator.enqueue(RawReply.json(body))
    message = make_model(api="chat_completions").bind_tools([get_weather]).invoke("x")
    first, second = message.tool_calls
    assert first["id"] == "0"
    assert first["args"] == {"city": "Oslo"}
    assert second["id"].startswith("call_")  # generated when missing


HISTORY = [
    HumanMessage("Weather in Paris?"),
    AIMessage(
        content="Checking.",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "Zürich"}, "id": "call_1"}
        ],
    ),
    ToolMessage("Sunny, 21°C", tool_call_id="call_1"),
    AIMessage(
        content="",
        tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_2"}],
    ),
    ToolMessage(
        [{"type": "text", "text": "city not found"}],
        tool_call_id="call_2",
        status="error",
    ),
]


def test_tool_history_on_chat(emulator: RouterEmulator, make_model) -> None:
    make_model(api="chat_completions").bind_tools([get_weather]).invoke(HISTORY)
    messages = emulator.last_request.json["messages"]
    assert messages[1] == {
        "role": "assistant",
        "content": "Checking.",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Zürich"}'},
            }
        ],
    }
    assert messages[2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "Sunny, 21°C",
    }
    assert messages[3]["tool_calls"][0]["id"] == "call_2"
    assert messages[4] == {
        "role": "tool",
        "tool_call_id": "call_2",
        "content": "city not found",
    }


def test_tool_history_on_forced_responses(emulator: RouterEmulator, make_model) -> None:
    make_model(api="responses").bind_tools([get_weather]).invoke(HISTORY)
    items = emulator.last_request.json["input"]
    assert items[1] == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Checking."}],
    }
    assert items[2] == {
        "type": "function_call",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": '{"city": "Zürich"}',
    }
    assert items[3] == {
        "type": "function_call_output",
        "call_id": "call_1",
        "output": "Sunny, 21°C",
    }
    assert items[4]["type"] == "function_call"
    assert items[5] == {
        "type": "function_call_output",
        "call_id": "call_2",
        "output": "city not found",
    }


def test_auto_with_tool_history_stays_on_chat(
    emulator: RouterEmulator, make_model
) -> None:
    llm = make_model(
        provider_options={"instructions": "Be brief.", "metadata": {"run": "1"}}
    ).bind_tools([get_weather])
    with pytest.warns(UnsupportedSettingWarning, match="metadata"):
        message = llm.invoke(HISTORY)
    assert message.response_metadata["api"] == "chat_completions"
    body = emulator.last_request.json
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert "metadata" not in body


def test_invalid_tool_calls_in_history_are_sent_back(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    history = [
        HumanMessage("x"),
        AIMessage(
            content="",
            invalid_tool_calls=[
                {
                    "name": "get_weather",
                    "args": '{"city": "Par',
                    "id": "call_9",
                    "error": "bad",
                }
            ],
        ),
        ToolMessage(
            "Your arguments were not valid JSON.", tool_call_id="call_9", status="error"
        ),
    ]
    make_model(api=api).bind_tools([get_weather]).invoke(history)
    raw = emulator.last_request.body.decode()
    assert "call_9" in raw
    assert json.dumps('{"city": "Par')[1:-1] in raw


def test_response_format_kwarg_maps_per_api(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    }
    make_model(api=api).bind_tools(
        [get_weather], response_format=response_format
    ).invoke("x")
    body = emulator.last_request.json
    if api == "chat_completions":
        assert body["response_format"] == response_format
    else:
        assert body["text"] == {
            "format": {
                "type": "json_schema",
                "name": "answer",
                "schema": {"type": "object"},
                "strict": True,
            }
        }
