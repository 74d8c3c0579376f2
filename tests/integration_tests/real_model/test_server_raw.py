"""The local server and the tool template, spoken to with plain httpx.

These pin what the package's real-model tests rely on: tool calls come back as
OpenAI `tool_calls` on Chat Completions (single, parallel, streamed) and as
`function_call` items on Responses, and model names are taken as given.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from real_server import API_KEY, MODEL_ALIAS, REQUEST_TIMEOUT

pytestmark = pytest.mark.real_model

HEADERS = {"authorization": f"Bearer {API_KEY}"}
PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}
CHAT_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": PARAMETERS,
    },
}
RESPONSES_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": PARAMETERS,
}
TWO_CITIES = "What is the weather in Paris and in Tokyo?"


# One connection per request: right after a stream the server sometimes closes a
# kept-alive connection under the next request ("Server disconnected").
def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    body = {"model": MODEL_ALIAS, "temperature": 0, **body}
    response = httpx.post(url, json=body, headers=HEADERS, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def sse_events(url: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(event name or "", data) for each SSE event, up to `[DONE]`."""
    body = {"model": MODEL_ALIAS, "temperature": 0, "stream": True, **body}
    events: list[tuple[str, dict[str, Any]]] = []
    name = ""
    with httpx.stream(
        "POST", url, json=body, headers=HEADERS, timeout=REQUEST_TIMEOUT
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
                if data == "[DONE]":
                    break
                events.append((name, json.loads(data)))
                name = ""
    return events


def cities(arguments: list[str]) -> list[str]:
    return [json.loads(text)["city"].lower() for text in arguments]


def test_models_lists_the_alias(llama_server: str) -> None:
    response = httpx.get(f"{llama_server}/models", headers=HEADERS, timeout=30)
    assert response.status_code == 200
    assert MODEL_ALIAS in [model["id"] for model in response.json()["data"]]


def test_any_model_name_is_accepted(llama_server: str) -> None:
    payload = post(
        f"{llama_server}/chat/completions",
        {
            "model": "Qwen/Qwen2.5-Coder-1.5B-Instruct:some-provider",
            "messages": [{"role": "user", "content": "Say hi."}],
            "max_tokens": 8,
        },
    )
    assert payload["choices"][0]["message"]["content"]
    assert payload["model"] == MODEL_ALIAS  # answered under the alias, not the name


def test_wrong_key_is_a_401_in_openai_shape(llama_server: str) -> None:
    response = httpx.post(
        f"{llama_server}/chat/completions",
        json={"model": MODEL_ALIAS, "messages": [{"role": "user", "content": "Hi"}]},
        headers={"authorization": "Bearer wrong"},
        timeout=30,
    )
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_chat_parallel_tool_calls(llama_server: str) -> None:
    payload = post(
        f"{llama_server}/chat/completions",
        {
            "messages": [{"role": "user", "content": TWO_CITIES}],
            "tools": [CHAT_TOOL],
            "max_tokens": 120,
        },
    )
    choice = payload["choices"][0]
    calls = choice["message"]["tool_calls"]
    assert choice["finish_reason"] == "tool_calls"
    assert {call["function"]["name"] for call in calls} == {"get_weather"}
    assert len({call["id"] for call in calls}) == len(calls)
    found = cities([call["function"]["arguments"] for call in calls])
    assert {"paris", "tokyo"} <= set(found)
    assert payload["usage"]["completion_tokens"] > 0


def test_chat_streamed_tool_calls(llama_server: str) -> None:
    events = sse_events(
        f"{llama_server}/chat/completions",
        {
            "messages": [{"role": "user", "content": TWO_CITIES}],
            "tools": [CHAT_TOOL],
            "max_tokens": 120,
            "stream_options": {"include_usage": True},
        },
    )
    calls: dict[int, dict[str, str]] = {}
    finish_reasons = []
    for _, chunk in events:
        for choice in chunk["choices"]:
            if choice.get("finish_reason"):
                finish_reasons.append(choice["finish_reason"])
            for delta in choice["delta"].get("tool_calls") or []:
                call = calls.setdefault(
                    delta["index"], {"id": "", "name": "", "args": ""}
                )
                call["id"] += delta.get("id") or ""
                call["name"] += delta.get("function", {}).get("name") or ""
                call["args"] += delta.get("function", {}).get("arguments") or ""
    assert finish_reasons == ["tool_calls"]
    assert len(calls) >= 2, calls
    assert all(call["id"] and call["name"] == "get_weather" for call in calls.values())
    assert {"paris", "tokyo"} <= set(cities([c["args"] for c in calls.values()]))
    assert events[-1][1]["usage"]["completion_tokens"] > 0  # include_usage honoured


def test_chat_tool_result_is_answered_in_text(llama_server: str) -> None:
    payload = post(
        f"{llama_server}/chat/completions",
        {
            "messages": [
                {"role": "user", "content": "What is the weather in Paris?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "get_weather",
                                "arguments": '{"city": "Paris"}',
                            },
                        }
                    ],
                },
                {
                    "role": "tool",
                    "tool_call_id": "call_1",
                    "content": '{"temp_c": 21, "sky": "sunny"}',
                },
            ],
            "tools": [CHAT_TOOL],
            "max_tokens": 60,
        },
    )
    message = payload["choices"][0]["message"]
    assert not message.get("tool_calls")
    assert "21" in message["content"]


def test_responses_function_calls(llama_server: str) -> None:
    payload = post(
        f"{llama_server}/responses",
        {"input": TWO_CITIES, "tools": [RESPONSES_TOOL], "max_output_tokens": 120},
    )
    assert payload["status"] == "completed"
    items = [item for item in payload["output"] if item["type"] == "function_call"]
    assert len(items) >= 2, payload["output"]
    for item in items:
        assert item["name"] == "get_weather"
        assert item["call_id"]
        assert item["status"] == "completed"
    assert {"paris", "tokyo"} <= set(cities([item["arguments"] for item in items]))


def test_responses_streamed_function_call(llama_server: str) -> None:
    events = sse_events(
        f"{llama_server}/responses",
        {
            "input": "What is the weather in Paris?",
            "tools": [RESPONSES_TOOL],
            "max_output_tokens": 100,
        },
    )
    names = [name for name, _ in events]
    assert names[0] == "response.created"
    assert names[-1] == "response.completed"
    assert "response.function_call_arguments.delta" in names
    deltas = "".join(
        data["delta"]
        for name, data in events
        if name == "response.function_call_arguments.delta"
    )
    done = [
        data["item"]
        for name, data in events
        if name == "response.output_item.done"
        and data["item"]["type"] == "function_call"
    ]
    assert len(done) == 1
    assert done[0]["name"] == "get_weather"
    assert done[0]["arguments"] == deltas
    assert cities([deltas]) == ["paris"]
