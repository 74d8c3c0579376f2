"""LangChain agents (`create_agent`) and LangGraph streaming over scripted multi-turn replies.

Each test scripts the model's turns at the emulator, runs the real agent loop, and
asserts both the result and the conversation that reached the server on each turn.
"""

from __future__ import annotations

import json

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool
from pydantic import BaseModel
from router_emulator import Reply, RouterEmulator, ToolCall


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"Sunny, 21°C in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"14:05 in {city}"


class WeatherReport(BaseModel):
    """A short weather report."""

    city: str
    summary: str


def _call(name: str, city: str, call_id: str) -> ToolCall:
    return ToolCall(name=name, arguments=json.dumps({"city": city}), id=call_id)


def _script_two_rounds(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(tool_calls=[_call("get_weather", "Paris", "call_1")]))
    emulator.enqueue(
        Reply(
            text="Also checking the time.",
            tool_calls=[
                _call("get_time", "Paris", "call_2"),
                _call("get_weather", "Zürich", "call_3"),
            ],
        )
    )
    emulator.enqueue(Reply(text="Paris: sunny, 21°C, 14:05. Zürich: sunny."))


def _assert_history_shapes(emulator: RouterEmulator, api: str) -> None:
    """What the server saw on each of the three turns."""
    assert len(emulator.requests) == 3
    if api == "chat_completions":
        turns = [r.json["messages"] for r in emulator.requests]
        assert [m["role"] for m in turns[0]] == ["user"]
        assert [m["role"] for m in turns[1]] == ["user", "assistant", "tool"]
        assert turns[1][1]["tool_calls"][0]["id"] == "call_1"
        assert turns[1][2] == {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": "Sunny, 21°C in Paris",
        }
        assert [m["role"] for m in turns[2]] == [
            "user",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "tool",
        ]
        assert turns[2][3]["content"] == "Also checking the time."
        assert [c["id"] for c in turns[2][3]["tool_calls"]] == ["call_2", "call_3"]
        assert [m["tool_call_id"] for m in turns[2][4:]] == ["call_2", "call_3"]
    else:
        turns = [r.json["input"] for r in emulator.requests]
        kinds = [
            item["role"] if item["type"] == "message" else item["type"]
            for item in turns[2]
        ]
        assert kinds == [
            "user",
            "function_call",
            "function_call_output",
            "assistant",
            "function_call",
            "function_call",
            "function_call_output",
            "function_call_output",
        ]
        assert turns[2][2] == {
            "type": "function_call_output",
            "call_id": "call_1",
            "output": "Sunny, 21°C in Paris",
        }
    for request in emulator.requests:
        names = [
            t["function"]["name"] if "function" in t else t["name"]
            for t in request.json["tools"]
        ]
        assert names == ["get_weather", "get_time"]


def test_multi_step_tool_loop(emulator: RouterEmulator, make_model, api: str) -> None:
    _script_two_rounds(emulator)
    agent = create_agent(make_model(api=api), tools=[get_weather, get_time])
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "Paris and Zürich?"}]}
    )
    assert result["messages"][-1].text == "Paris: sunny, 21°C, 14:05. Zürich: sunny."
    tool_results = [m.content for m in result["messages"] if m.type == "tool"]
    assert tool_results == [
        "Sunny, 21°C in Paris",
        "14:05 in Paris",
        "Sunny, 21°C in Zürich",
    ]
    _assert_history_shapes(emulator, api)


async def test_multi_step_tool_loop_async(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    _script_two_rounds(emulator)
    llm = make_model(api=api)
    agent = create_agent(llm, tools=[get_weather, get_time])
    try:
        result = await agent.ainvoke(
            {"messages": [{"role": "user", "content": "Paris and Zürich?"}]}
        )
    finally:
        await llm.aclose()
    assert result["messages"][-1].text.startswith("Paris: sunny")
    _assert_history_shapes(emulator, api)


def test_tool_strategy(emulator: RouterEmulator, make_model, api: str) -> None:
    emulator.enqueue(Reply(tool_calls=[_call("get_weather", "Oslo", "call_1")]))
    emulator.enqueue(
        Reply(
            tool_calls=[
                ToolCall(
                    name="WeatherReport",
                    arguments='{"city": "Oslo", "summary": "Sunny, 21°C"}',
                    id="call_2",
                )
            ]
        )
    )
    agent = create_agent(
        make_model(api=api),
        tools=[get_weather],
        response_format=ToolStrategy(WeatherReport),
    )
    result = agent.invoke({"messages": [{"role": "user", "content": "Oslo?"}]})
    assert result["structured_response"] == WeatherReport(
        city="Oslo", summary="Sunny, 21°C"
    )
    first = emulator.requests[0].json
    expected_choice = "required"
    assert first["tool_choice"] == expected_choice
    names = [
        t["function"]["name"] if "function" in t else t["name"] for t in first["tools"]
    ]
    assert names == ["get_weather", "WeatherReport"]


def test_provider_strategy(emulator: RouterEmulator, make_model, api: str) -> None:
    emulator.enqueue(Reply(tool_calls=[_call("get_weather", "Oslo", "call_1")]))
    emulator.enqueue(Reply(text='{"city": "Oslo", "summary": "Sunny, 21°C"}'))
    agent = create_agent(
        make_model(api=api),
        tools=[get_weather],
        response_format=ProviderStrategy(WeatherReport),
    )
    result = agent.invoke({"messages": [{"role": "user", "content": "Oslo?"}]})
    assert result["structured_response"] == WeatherReport(
        city="Oslo", summary="Sunny, 21°C"
    )
    for request in emulator.requests:
        body = request.json
        if api == "chat_completions":
            assert body["response_format"]["json_schema"]["name"] == "WeatherReport"
        else:
            assert body["text"]["format"]["type"] == "json_schema"
            assert body["text"]["format"]["name"] == "WeatherReport"


def test_langgraph_messages_stream_yields_token_and_tool_chunks(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(
        Reply(
            text="Checking the weather.",
            tool_calls=[_call("get_weather", "Rome", "c1")],
        )
    )
    emulator.enqueue(Reply(text="It is sunny in Rome today."))
    agent = create_agent(make_model(api=api), tools=[get_weather])
    chunks = [
        message
        for message, _meta in agent.stream(
            {"messages": [{"role": "user", "content": "Rome?"}]}, stream_mode="messages"
        )
        if isinstance(message, AIMessageChunk)
    ]
    assert any(c.tool_call_chunks for c in chunks)
    texts = [c.text for c in chunks if c.text]
    assert len(texts) > 3  # token by token, not one message at the end
    assert "".join(texts) == "Checking the weather.It is sunny in Rome today."


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_agent_with_reasoning_model(
    emulator: RouterEmulator, make_model, api: str, output_version: str
) -> None:
    emulator.enqueue(
        Reply(
            reasoning="Need weather.", tool_calls=[_call("get_weather", "Rome", "c1")]
        )
    )
    emulator.enqueue(Reply(reasoning="Now answer.", text="Sunny in Rome."))
    agent = create_agent(
        make_model(api=api, output_version=output_version), tools=[get_weather]
    )
    result = agent.invoke({"messages": [{"role": "user", "content": "Rome?"}]})
    assert result["messages"][-1].text == "Sunny in Rome."
    # reasoning from the first turn is not sent back as visible text
    assert "Need weather." not in emulator.requests[1].body.decode()
