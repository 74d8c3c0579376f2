"""The Responses wire format against real traffic.

Most recordings come from HF's own Responses server (responses.js, the code behind
the router's `/v1/responses`) in front of llama.cpp; some from llama.cpp's own
`/v1/responses` and a LiteLLM proxy. protocol.md lists what the router accepts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.exceptions import ContextOverflowError, ModelInvalidRequestError

from langchain_hf_router.core import responses
from langchain_hf_router.core.errors import (
    AuthenticationError,
    BrokenStreamError,
    InvalidInputError,
    RateLimitError,
)
from langchain_hf_router.core.types import (
    AssistantMessage,
    CallOptions,
    ImagePart,
    PromptMessage,
    ProviderOptions,
    ReasoningOutput,
    SystemMessage,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
)

from .recorded import (
    LLAMACPP,
    RESPONSES_JS,
    Streamed,
    decode,
    random_chunks,
    raw,
    request_body,
    response_body,
    transcript,
    transcript_events,
)

# The same tool as the Chat recordings sent, in the Chat shape callers give.
CHAT_WEATHER_TOOL = request_body(f"{LLAMACPP}/04_chat_tools.request.json")["tools"][0]
CHAT_SCHEMA_FORMAT = request_body(f"{LLAMACPP}/08_chat_json_schema.request.json")[
    "response_format"
]


def user(*parts: str | ImagePart) -> UserMessage:
    return UserMessage(tuple(TextPart(p) if isinstance(p, str) else p for p in parts))


def build(
    prompt: list[PromptMessage], *, stream: bool = False, **options: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body for `prompt`, and the warnings given (setting -> message)."""
    warned: dict[str, str] = {}
    options.setdefault("model", "m")
    body = responses.build_body(
        prompt,
        CallOptions(**options),
        stream=stream,
        warn=warned.__setitem__,
    )
    return body, warned


def as_items(body: dict[str, Any]) -> dict[str, Any]:
    """A recorded body with its shorthand input spelled out as items.

    A string `input` is one user message; a string `content` is one text part
    (`input_text` from the user, `output_text` from the assistant); a message
    item says `"type": "message"` (optional for responses.js, which defaults it;
    llama.cpp's own server requires it).
    """
    body = dict(body)
    items = body["input"]
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    spelled = []
    for recorded in items:
        item = dict(recorded)
        content = item.get("content")
        if item.get("role") in ("user", "assistant") and isinstance(content, str):
            kind = "input_text" if item["role"] == "user" else "output_text"
            item["content"] = [{"type": kind, "text": content}]
        if "role" in item:
            item = {"type": "message", **item}
        spelled.append(item)
    body["input"] = spelled
    return body


# --- request bodies against the ones really sent ---------------------------------------

RECORDED_REQUESTS = [
    (
        f"{RESPONSES_JS}/01_basic",
        [user("Say hello in French.")],
        {"max_tokens": 30},
    ),
    (
        f"{RESPONSES_JS}/02_instructions_stream",
        [user("What colour is the sky?")],
        {
            "max_tokens": 20,
            "provider_options": ProviderOptions(instructions="Answer in one word."),
        },
    ),
    (
        f"{RESPONSES_JS}/03_tools",
        [user("What is the weather in Paris?")],
        {"tools": (CHAT_WEATHER_TOOL,), "max_tokens": 100},
    ),
    (
        f"{RESPONSES_JS}/04_tools_parallel_stream",
        [user("What is the weather in Paris and in Tokyo?")],
        {"tools": (CHAT_WEATHER_TOOL,), "max_tokens": 100},
    ),
    (
        f"{RESPONSES_JS}/05_tool_output_followup",
        [
            user("What is the weather in Paris?"),
            AssistantMessage(
                "", (ToolCallPart("call_abc", "get_weather", '{"city": "Paris"}'),)
            ),
            ToolResultMessage("call_abc", '{"temp_c": 21, "sky": "sunny"}'),
        ],
        {"tools": (CHAT_WEATHER_TOOL,), "max_tokens": 60},
    ),
    (
        f"{RESPONSES_JS}/06_json_schema",
        [user("Invent a person with a name and an age.")],
        {"response_format": CHAT_SCHEMA_FORMAT, "max_tokens": 80},
    ),
    (
        f"{RESPONSES_JS}/07_json_schema_stream",
        [user("Invent a person with a name and an age.")],
        {"response_format": CHAT_SCHEMA_FORMAT, "max_tokens": 80},
    ),
    (
        "responses_js_over_llamacpp/reasoning/reasoning_stream",
        [user("What is 17+25?")],
        {
            "model": "q",
            "max_tokens": 150,
            "provider_options": ProviderOptions(
                instructions=(
                    "First think inside <think></think> tags. After </think>, "
                    "write: Final answer: <number>."
                ),
                reasoning_effort="low",
            ),
        },
    ),
    (
        f"{LLAMACPP}/16_responses_basic",
        [user("Say hello in French.")],
        {"max_tokens": 30},
    ),
    (
        f"{LLAMACPP}/17_responses_stream",
        [user("Count from 1 to 3.")],
        {"max_tokens": 20},
    ),
    (
        f"{LLAMACPP}/18_responses_tools",
        [user("What is the weather in Paris?")],
        {"tools": (CHAT_WEATHER_TOOL,), "max_tokens": 100},
    ),
    (
        f"{LLAMACPP}/19_responses_tools_stream",
        [user("What is the weather in Paris?")],
        {"tools": (CHAT_WEATHER_TOOL,), "max_tokens": 100},
    ),
    (
        f"{LLAMACPP}/20_responses_json_schema",
        [user("Invent a person with a name and an age.")],
        {"response_format": CHAT_SCHEMA_FORMAT, "max_tokens": 80},
    ),
]


@pytest.mark.parametrize(
    ("name", "prompt", "options"),
    RECORDED_REQUESTS,
    ids=[name.rsplit("/", 1)[1] for name, _, _ in RECORDED_REQUESTS],
)
def test_recorded_request_bodies(
    name: str, prompt: list[PromptMessage], options: dict[str, Any]
):
    expected = as_items(request_body(f"{name}.request.json"))
    body, warned = build(
        prompt, stream=expected.get("stream", False), temperature=0, **options
    )
    assert warned == {}
    assert body == expected


def test_multi_turn_request_body_sends_system_not_developer():
    # responses.js accepts `developer` but drops it (protocol.md): send `system`.
    expected = as_items(
        request_body(f"{RESPONSES_JS}/08_multi_turn_messages.request.json")
    )
    body, _ = build(
        [
            SystemMessage("You are terse."),
            user("My name is Ada."),
            AssistantMessage("Hi Ada."),
            user("What is my name?"),
        ],
        temperature=0,
        max_tokens=30,
    )
    assert expected["input"][0] == {
        "type": "message",
        "role": "developer",
        "content": "You are terse.",
    }
    assert body["input"][0] == {
        "type": "message",
        "role": "system",
        "content": "You are terse.",
    }
    assert body["input"][1:] == expected["input"][1:]
    assert {k: v for k, v in body.items() if k != "input"} == {
        k: v for k, v in expected.items() if k != "input"
    }


# --- each mapping on its own --------------------------------------------------------------


def test_max_tokens_is_max_output_tokens():
    body, _ = build([user("hi")], max_tokens=7, temperature=0.5, top_p=0.9)
    assert body["max_output_tokens"] == 7
    assert "max_tokens" not in body
    assert (body["temperature"], body["top_p"]) == (0.5, 0.9)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("stop", ("END",)),
        ("seed", 42),
        ("seed", 0),
        ("parallel_tool_calls", True),
        ("parallel_tool_calls", False),
    ],
)
def test_settings_the_router_ignores_are_warned_about_and_not_sent(
    setting: str, value: Any
):
    body, warned = build([user("hi")], **{setting: value})
    assert setting not in body
    assert list(warned) == [setting]
    # Worded for any caller; the chat model adds "use api='chat_completions'".
    assert "cannot be sent on the Responses API" in warned[setting]


def test_instructions_and_metadata_are_top_level():
    body, warned = build(
        [user("hi")],
        provider_options=ProviderOptions(
            instructions="Be brief.", metadata={"user": "ada"}
        ),
    )
    assert warned == {}
    assert body["instructions"] == "Be brief."
    assert body["metadata"] == {"user": "ada"}
    assert [item["role"] for item in body["input"]] == ["user"]


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
def test_reasoning_effort_goes_in_reasoning(effort: Any):
    body, _ = build(
        [user("hi")], provider_options=ProviderOptions(reasoning_effort=effort)
    )
    assert body["reasoning"] == {"effort": effort}
    assert "reasoning_effort" not in body


@pytest.mark.parametrize("effort", ["none", "minimal", "xhigh"])
def test_reasoning_efforts_responses_does_not_take_are_refused(effort: Any):
    with pytest.raises(InvalidInputError, match="Responses API"):
        build([user("hi")], provider_options=ProviderOptions(reasoning_effort=effort))


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "name": "get_weather"},
        ),
        (
            {"type": "function", "name": "get_weather"},
            {"type": "function", "name": "get_weather"},
        ),
    ],
    ids=["auto", "none", "required", "chat-shape", "flat-shape"],
)
def test_tool_choice_is_flat(choice: Any, sent: Any):
    body, _ = build([user("hi")], tools=(CHAT_WEATHER_TOOL,), tool_choice=choice)
    assert body["tool_choice"] == sent


def test_tools_are_flattened():
    bare = {"type": "function", "function": {"name": "now"}}
    strict = {
        "type": "function",
        "function": {
            "name": "add",
            "description": "Add two numbers",
            "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
            "strict": True,
        },
    }
    mcp = {"type": "mcp", "server_label": "hf", "server_url": "https://hf.co/mcp"}
    body, _ = build([user("hi")], tools=(bare, strict, mcp))
    assert body["tools"] == [
        # `parameters` is required by responses.js: an empty object schema.
        {
            "type": "function",
            "name": "now",
            "parameters": {"type": "object", "properties": {}},
        },
        {
            "type": "function",
            "name": "add",
            "description": "Add two numbers",
            "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
            "strict": True,
        },
        mcp,
    ]


@pytest.mark.parametrize(
    ("response_format", "text_format"),
    [
        ({"type": "text"}, {"type": "text"}),
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {
                "type": "json_schema",
                "json_schema": {
                    "name": "answer",
                    "description": "The answer",
                    "schema": {"type": "object"},
                },
            },
            {
                "type": "json_schema",
                "name": "answer",
                "description": "The answer",
                "schema": {"type": "object"},
            },
        ),
    ],
    ids=["text", "json_object", "json_schema"],
)
def test_response_format_becomes_text_format(
    response_format: dict[str, Any], text_format: dict[str, Any]
):
    body, _ = build([user("hi")], response_format=response_format)
    assert body["text"] == {"format": text_format}
    assert "response_format" not in body


SCHEMA = {"name": "answer", "schema": {"type": "object"}}


@pytest.mark.parametrize(
    ("option", "in_schema", "sent"),
    [
        (True, None, True),
        (False, None, False),
        (None, None, None),
        (False, True, True),  # the schema's own `strict` wins
    ],
    ids=["option-true", "option-false", "unset", "schema-says"],
)
def test_strict_json_schema_option_sets_text_format_strict(
    option: bool | None, in_schema: bool | None, sent: bool | None
):
    schema = SCHEMA if in_schema is None else {**SCHEMA, "strict": in_schema}
    body, _ = build(
        [user("hi")],
        response_format={"type": "json_schema", "json_schema": schema},
        provider_options=ProviderOptions(strict_json_schema=option),
    )
    assert body["text"]["format"].get("strict") == sent
    assert body["text"]["format"]["name"] == "answer"


def test_strict_json_schema_leaves_other_formats_alone():
    body, _ = build(
        [user("hi")],
        response_format={"type": "json_object"},
        provider_options=ProviderOptions(strict_json_schema=True),
    )
    assert body["text"] == {"format": {"type": "json_object"}}


def test_images_are_input_images():
    body, _ = build(
        [
            user(
                "what is this?",
                ImagePart("https://x/a.png"),
                ImagePart("data:x", "low"),
            )
        ]
    )
    assert body["input"] == [
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "what is this?"},
                {
                    "type": "input_image",
                    "image_url": "https://x/a.png",
                    "detail": "auto",
                },
                {"type": "input_image", "image_url": "data:x", "detail": "low"},
            ],
        }
    ]


def test_an_assistant_turn_with_only_tool_calls_sends_no_empty_message():
    calls = (
        ToolCallPart("call_1", "get_weather", '{"city": "Paris"}'),
        ToolCallPart("call_2", "get_weather", '{"city": "Tokyo"}'),
    )
    body, _ = build([AssistantMessage("", calls)])
    assert body["input"] == [
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
        },
        {
            "type": "function_call",
            "call_id": "call_2",
            "name": "get_weather",
            "arguments": '{"city": "Tokyo"}',
        },
    ]


def test_streams_send_stream_only():
    body, _ = build([user("hi")], stream=True)
    assert body["stream"] is True
    assert "stream_options" not in body
    assert "stream" not in build([user("hi")])[0]


# --- whole answers ---------------------------------------------------------------------------

ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    **{
        f"responses-js-{name[:2]}": (
            lambda name=name: response_body(f"{RESPONSES_JS}/{name}.response.json")
        )
        for name in (
            "01_basic",
            "03_tools",
            "05_tool_output_followup",
            "06_json_schema",
            "08_multi_turn_messages",
        )
    },
    "responses-js-reasoning": lambda: response_body(
        "responses_js_over_llamacpp/reasoning/reasoning_nonstream.response.json"
    ),
    **{
        f"llamacpp-{name[:2]}": (
            lambda name=name: response_body(f"{LLAMACPP}/{name}.response.json")
        )
        for name in (
            "16_responses_basic",
            "18_responses_tools",
            "20_responses_json_schema",
        )
    },
    "litellm-mock": lambda: response_body("litellm_proxy/mock_responses.json"),
}


def expected_from_output(response: dict[str, Any]) -> tuple[str, str, list[Any]]:
    """Text, reasoning and calls as the `output` items say, read directly."""
    text = reasoning = ""
    calls = []
    for item in response["output"]:
        if item["type"] == "message":
            text += "".join(part["text"] for part in item["content"])
        elif item["type"] == "reasoning":
            reasoning += "".join(part["text"] for part in item["content"])
        elif item["type"] == "function_call":
            calls.append((item["call_id"], item["name"], item["arguments"]))
    return text, reasoning, calls


@pytest.mark.parametrize("load", ANSWERS.values(), ids=ANSWERS.keys())
def test_every_recorded_answer_parses(load: Callable[[], dict[str, Any]]):
    body = load()
    result = responses.parse_response(body)
    text, reasoning, calls = expected_from_output(body)
    assert "".join(p.text for p in result.content if isinstance(p, TextOutput)) == text
    assert (
        "".join(p.text for p in result.content if isinstance(p, ReasoningOutput))
        == reasoning
    )
    assert [(c.call_id, c.name, c.arguments) for c in result.tool_calls] == calls
    assert result.finish_reason == ("tool_calls" if calls else "stop")
    usage = body["usage"]
    assert result.usage is not None
    assert (
        result.usage.input_tokens,
        result.usage.output_tokens,
        result.usage.total_tokens,
    ) == (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"])
    assert (result.info.id, result.info.model, result.info.created) == (
        body["id"],
        body["model"],
        body["created_at"],
    )


def test_function_call_id_is_the_call_id_not_the_item_id():
    result = responses.parse_response(ANSWERS["responses-js-03"]())
    (call,) = result.tool_calls
    assert call.call_id == "n4386mEo4ZLG73SCXvbaVOiqJKlYZ8LR"
    assert call.name == "get_weather"
    assert call.arguments == '{"city": "Paris"}'
    assert result.content == []
    assert result.finish_reason == "tool_calls"


def test_reasoning_item_then_message():
    result = responses.parse_response(ANSWERS["responses-js-reasoning"]())
    assert result.content == [
        ReasoningOutput("17 + 25 = 42\n"),
        TextOutput("Final answer: 42"),
    ]
    assert result.finish_reason == "stop"


def test_responses_js_usage_is_zeros_with_details():
    result = responses.parse_response(ANSWERS["responses-js-01"]())
    assert result.content == [TextOutput("Bonjour!")]
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (0, 0)
    assert (result.usage.cached_input_tokens, result.usage.reasoning_tokens) == (0, 0)


def test_llamacpp_usage_with_cached_tokens():
    result = responses.parse_response(ANSWERS["llamacpp-16"]())
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (27, 3)
    assert result.usage.total_tokens == 30
    assert result.usage.cached_input_tokens == 15
    assert result.usage.reasoning_tokens is None
    assert result.info.id == "resp_F8P5649QMTW9U848I18Vn1VeKxyolegY"
    assert result.info.created == 1795754385


def test_litellm_usage_with_null_details():
    result = responses.parse_response(ANSWERS["litellm-mock"]())
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (36, 87)
    assert result.usage.total_tokens == 123
    assert result.usage.cached_input_tokens == 0
    assert result.usage.reasoning_tokens is None


def test_incomplete_details_reason_is_mapped():
    body = dict(ANSWERS["responses-js-01"]())
    body["status"] = "incomplete"
    body["incomplete_details"] = {"reason": "max_output_tokens"}
    assert responses.parse_response(body).finish_reason == "length"


def test_failed_answer_with_a_context_overflow_raises():
    recorded = transcript(
        "responses_js_over_llamacpp/errors/upstream_400_nonstream.txt"
    )
    assert recorded.status == 200  # the failure is only in the body
    with pytest.raises(ContextOverflowError) as caught:
        responses.parse_response(recorded.json())
    assert isinstance(caught.value, ModelInvalidRequestError)
    assert caught.value.status_code == 400
    assert caught.value.body["status"] == "failed"


def test_failed_answer_with_a_bad_upstream_key_raises():
    recorded = transcript(
        "responses_js_over_llamacpp/errors/upstream_401_nonstream.txt"
    )
    with pytest.raises(AuthenticationError, match="Invalid API Key"):
        responses.parse_response(recorded.json())


# --- streams ----------------------------------------------------------------------------------

STREAMS: dict[str, str] = {
    "responses-js-02-text": f"{RESPONSES_JS}/02_instructions_stream.response.sse.txt",
    "responses-js-04-parallel-tools": (
        f"{RESPONSES_JS}/04_tools_parallel_stream.response.sse.txt"
    ),
    "responses-js-07-json-schema": f"{RESPONSES_JS}/07_json_schema_stream.response.sse.txt",
    "responses-js-reasoning": (
        "responses_js_over_llamacpp/reasoning/reasoning_stream.response.sse.txt"
    ),
    "llamacpp-17-text": f"{LLAMACPP}/17_responses_stream.response.sse.txt",
    "llamacpp-19-tools": f"{LLAMACPP}/19_responses_tools_stream.response.sse.txt",
}


def events_of(data: bytes) -> list[dict[str, Any]]:
    """The JSON events of a recorded stream, read the simplest possible way."""
    return [
        json.loads(line.removeprefix("data:"))
        for line in data.decode().splitlines()
        if line.startswith("data:")
    ]


def stream_of(data: bytes, *, seed: int | None = None) -> Streamed:
    chunks = [data] if seed is None else random_chunks(data, seed)
    return decode(responses.ResponsesEventMapper(), chunks)


@pytest.mark.parametrize("name", STREAMS.keys())
def test_every_recorded_stream_adds_up_to_its_completed_response(name: str):
    data = raw(STREAMS[name])
    completed = events_of(data)[-1]
    assert completed["type"] == "response.completed"
    text, reasoning, calls = expected_from_output(completed["response"])
    for seed in (None, 0, 1, 2, 3):
        streamed = stream_of(data, seed=seed)
        assert (streamed.text, streamed.reasoning) == (text, reasoning)
        assert [
            (c.call_id, c.name, c.arguments) for _, c in sorted(streamed.calls.items())
        ] == calls
        finish = streamed.finish
        assert finish is not None
        assert finish.finish_reason == ("tool_calls" if calls else "stop")
        usage = completed["response"]["usage"]
        assert finish.usage is not None
        assert (finish.usage.input_tokens, finish.usage.output_tokens) == (
            usage["input_tokens"],
            usage["output_tokens"],
        )
        assert finish.info.id == completed["response"]["id"]
        assert finish.info.created == completed["response"]["created_at"]


@pytest.mark.parametrize(
    ("stream", "answer"),
    [
        ("responses-js-07-json-schema", f"{RESPONSES_JS}/06_json_schema.response.json"),
        (
            "responses-js-reasoning",
            "responses_js_over_llamacpp/reasoning/reasoning_nonstream.response.json",
        ),
        ("llamacpp-19-tools", f"{LLAMACPP}/18_responses_tools.response.json"),
    ],
    ids=["json-schema", "reasoning", "tools"],
)
def test_streams_match_their_whole_answers(stream: str, answer: str):
    # Same request at temperature 0, asked once whole and once streamed.
    whole = responses.parse_response(response_body(answer))
    streamed = stream_of(raw(STREAMS[stream]), seed=7)
    assert [p.text for p in whole.content if isinstance(p, TextOutput)] == (
        [streamed.text] if streamed.text else []
    )
    assert [p.text for p in whole.content if isinstance(p, ReasoningOutput)] == (
        [streamed.reasoning] if streamed.reasoning else []
    )
    assert [(c.name, c.arguments) for c in whole.tool_calls] == [
        (c.name, c.arguments) for c in streamed.calls.values()
    ]


def test_parallel_calls_where_only_the_last_item_is_closed():
    data = raw(STREAMS["responses-js-04-parallel-tools"])
    kinds = [event["type"] for event in events_of(data)]
    assert kinds.count("response.output_item.added") == 2
    assert kinds.count("response.function_call_arguments.done") == 1
    assert kinds.count("response.output_item.done") == 1
    for seed in (None, 11, 12):
        streamed = stream_of(data, seed=seed)
        assert sorted(streamed.calls) == [0, 1]
        first, second = streamed.calls[0], streamed.calls[1]
        assert (first.call_id, first.name, first.arguments) == (
            "CeCMI7s7kv7uVP1OpOyuWrLN0JzTGCPA",
            "get_weather",
            '{"city": "Paris"}',
        )
        assert (second.call_id, second.name, second.arguments) == (
            "tVpqudBJr01qRc3UgeakBC5BTmvCXlFw",
            "get_weather",
            '{"city": "Tokyo"}',
        )
        assert streamed.text == ""
        assert streamed.finish is not None
        assert streamed.finish.finish_reason == "tool_calls"


def test_message_after_reasoning_with_a_hard_coded_output_index():
    data = raw(STREAMS["responses-js-reasoning"])
    added = [e for e in events_of(data) if e["type"] == "response.output_item.added"]
    assert [(e["item"]["type"], e["output_index"]) for e in added] == [
        ("reasoning", 0),
        ("message", 0),
    ]
    streamed = stream_of(data)
    assert streamed.reasoning == "17 + 25 = 42\n"
    assert streamed.text == "Final answer: 42"
    kinds = [type(p).__name__ for p in streamed.parts]
    assert kinds.index("TextDelta") > max(
        i for i, kind in enumerate(kinds) if kind == "ReasoningDelta"
    )


def test_llamacpp_stream_usage_and_event_lines():
    streamed = stream_of(raw(STREAMS["llamacpp-17-text"]))
    assert streamed.text == "1, 2, 3"
    finish = streamed.finish
    assert finish is not None
    assert finish.usage is not None
    assert (finish.usage.input_tokens, finish.usage.output_tokens) == (30, 8)
    assert finish.usage.total_tokens == 38
    assert finish.usage.cached_input_tokens == 17
    assert finish.info.model == "qwen-coder-1.5b"


def only(data: bytes, keep: Callable[[dict[str, Any]], bool]) -> bytes:
    """The recorded stream with only the events `keep` accepts."""
    return b"".join(
        b"data: " + json.dumps(event).encode() + b"\n\n"
        for event in events_of(data)
        if keep(event)
    )


@pytest.mark.parametrize(
    ("name", "text", "arguments"),
    [
        ("responses-js-02-text", "blue", None),
        ("llamacpp-19-tools", "", '{"city": "Paris"}'),
    ],
)
def test_items_without_deltas_or_done_events_come_from_the_completed_response(
    name: str, text: str, arguments: str | None
):
    # protocol.md: items are not always closed; response.completed is authoritative.
    essential = ("response.created", "response.output_item.added", "response.completed")
    data = only(raw(STREAMS[name]), lambda event: event["type"] in essential)
    streamed = stream_of(data)
    assert streamed.text == text
    if arguments is not None:
        (call,) = streamed.calls.values()
        assert call.arguments == arguments


def test_response_failed_raises():
    data = transcript_events(
        "responses_js_over_llamacpp/errors/upstream_400_stream.txt"
    )
    assert events_of(data)[-1]["type"] == "response.failed"
    for seed in (None, 0, 1):
        with pytest.raises(ContextOverflowError) as caught:
            stream_of(data, seed=seed)
        assert isinstance(caught.value, ModelInvalidRequestError)
        assert "5023 tokens" in str(caught.value)


def test_an_error_event_raises():
    data = raw(STREAMS["responses-js-02-text"]).split(b"\n\n")[0] + b"\n\n"
    data += b'data: {"type":"error","code":"server_error","message":"429 Too many requests"}\n\n'
    with pytest.raises(RateLimitError):
        stream_of(data)


def test_response_incomplete_ends_with_length():
    def incomplete(event: dict[str, Any]) -> dict[str, Any]:
        if event["type"] == "response.completed":
            response = {
                **event["response"],
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
            }
            return {**event, "type": "response.incomplete", "response": response}
        return event

    events = [incomplete(e) for e in events_of(raw(STREAMS["responses-js-02-text"]))]
    data = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    streamed = stream_of(data)
    assert streamed.text == "blue"
    assert streamed.finish is not None
    assert streamed.finish.finish_reason == "length"


def test_a_stream_without_response_completed_raises_broken_stream():
    data = raw(STREAMS["responses-js-02-text"])
    completed_at = data.index(b'data: {"type":"response.completed"')
    for cut in [*range(0, completed_at, 211), completed_at]:
        with pytest.raises(BrokenStreamError):
            stream_of(data[:cut])
    with pytest.raises(BrokenStreamError, match="ended before"):
        stream_of(data[:completed_at])


def test_an_event_that_is_not_json_raises_and_quotes_it():
    data = raw(STREAMS["responses-js-02-text"])
    data = data.replace(b"\n\n", b"\n\ndata: upstream connect error\n\n", 1)
    with pytest.raises(BrokenStreamError, match="upstream connect error"):
        stream_of(data, seed=5)
