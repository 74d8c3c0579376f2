"""`ChatHuggingFaceRouter` against llama.cpp's server with a real 1.5B model.

A small model's wording varies even at temperature 0, so these tests check
structure (text, metadata, usage, tool calls with valid arguments), not wording.
"""

from __future__ import annotations

import json

import httpx
import pytest
from chat_asserts import sum_chunks
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from real_server import API_KEY, MODEL_ALIAS, REQUEST_TIMEOUT

from langchain_hf_router import AuthenticationError, ChatHuggingFaceRouter

pytestmark = pytest.mark.real_model

APIS = ["chat_completions", "responses"]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: The city's name, e.g. "Paris".
    """
    return json.dumps({"city": city, "temp_c": 21, "sky": "sunny"})


def assert_weather_calls(message: AIMessage, *cities: str) -> None:
    """Each call is get_weather with a string city; the cities asked for appear."""
    assert message.tool_calls, f"no tool call; the model said {message.text!r}"
    for call in message.tool_calls:
        assert call["name"] == "get_weather"
        assert isinstance(call["args"].get("city"), str)
        assert call["id"]
    called = {call["args"]["city"].lower() for call in message.tool_calls}
    for city in cities:
        assert any(city.lower() in name for name in called), (city, called)


@pytest.mark.parametrize("api", APIS)
def test_invoke(make_llm, api: str) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api=api, max_tokens=32)
    message = llm.invoke("Say hello in French, in one word.")
    assert isinstance(message, AIMessage)
    assert message.text.strip()
    assert not message.tool_calls
    meta = message.response_metadata
    assert meta["api"] == api
    assert meta["model_provider"] == "huggingface"
    assert meta["finish_reason"] in {"stop", "length"}
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


@pytest.mark.parametrize("api", APIS)
def test_stream(make_llm, api: str) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api=api, max_tokens=40)
    chunks = list(llm.stream("Count from 1 to 5, separated by commas."))
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    assert sum(1 for chunk in chunks if chunk.text) > 1, "the text came in one piece"
    total = sum_chunks(chunks)
    assert total.text.strip()
    assert total.response_metadata["api"] == api
    assert total.response_metadata["finish_reason"] in {"stop", "length"}
    if api == "chat_completions":  # the package asks for stream_options.include_usage
        assert total.usage_metadata is not None
        assert total.usage_metadata["output_tokens"] > 0


@pytest.mark.parametrize("api", APIS)
async def test_ainvoke_and_astream(make_llm, api: str) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api=api, max_tokens=24)
    try:
        message = await llm.ainvoke("Name one primary colour.")
        assert message.text.strip()
        assert message.response_metadata["api"] == api
        chunks = [chunk async for chunk in llm.astream("Name one primary colour.")]
        assert sum_chunks(chunks).text.strip()
    finally:
        await llm.aclose()


def test_wrong_key_is_an_authentication_error(make_llm) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api_key="not-the-key", max_retries=0)
    with pytest.raises(AuthenticationError):
        llm.invoke("Hi")


def test_raw_chat_completions_returns_a_tool_call(llama_server: str) -> None:
    """The template makes the model call tools: proven without the package."""
    response = httpx.post(
        f"{llama_server}/chat/completions",
        headers={"authorization": f"Bearer {API_KEY}"},
        json={
            "model": MODEL_ALIAS,
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
            "tools": [WEATHER_TOOL],
            "temperature": 0,
            "max_tokens": 100,
        },
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 200, response.text
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    calls = choice["message"]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == ["get_weather"]
    assert calls[0]["type"] == "function"
    assert calls[0]["id"]
    arguments = json.loads(calls[0]["function"]["arguments"])
    assert arguments["city"].lower() == "paris"


@pytest.mark.parametrize("api", APIS)
def test_bind_tools_invoke_returns_tool_calls(make_llm, api: str) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api=api, max_tokens=100)
    message = llm.bind_tools([get_weather]).invoke("What is the weather in Paris?")
    assert_weather_calls(message, "Paris")
    assert message.response_metadata["api"] == api


@pytest.mark.parametrize("api", APIS)
def test_bind_tools_stream_adds_up_to_tool_calls(make_llm, api: str) -> None:
    llm: ChatHuggingFaceRouter = make_llm(api=api, max_tokens=120)
    chunks = list(
        llm.bind_tools([get_weather]).stream(
            "What is the weather in Paris and in Tokyo?"
        )
    )
    total = sum_chunks(chunks)
    assert_weather_calls(total, "Paris", "Tokyo")


@pytest.mark.parametrize("api", APIS)
def test_tool_round_trip(make_llm, api: str) -> None:
    """Call, run the tool, send the result back: the model answers in text."""
    llm = make_llm(api=api, max_tokens=80).bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    first = llm.invoke([question])
    assert_weather_calls(first, "Paris")
    results = [
        ToolMessage(get_weather(**call["args"]), tool_call_id=call["id"])
        for call in first.tool_calls
    ]
    final = llm.invoke([question, first, *results])
    assert final.text.strip()
    assert not final.tool_calls
    assert final.response_metadata["api"] == api
