"""The Chat Completions wire format against real traffic.

Request bodies are compared with what real clients sent (llama.cpp recordings,
pydantic-ai and huggingface_hub cassettes); answers and streams are every chat
recording in the fixtures, from the router, its providers and local servers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from langchain_hf_router.core import chat_completions
from langchain_hf_router.core.errors import (
    BrokenStreamError,
    HuggingFaceRouterError,
    InvalidInputError,
    RateLimitError,
)
from langchain_hf_router.core.think import starts_inside_think
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
    Streamed,
    decode,
    post,
    random_chunks,
    raw,
    request_body,
    response_body,
    tape,
    tape_ids,
)

FINISH_REASONS = {"stop", "length", "tool_calls", "content_filter"}
HUB = "huggingface_hub_vcr"


def user(*parts: str | ImagePart) -> UserMessage:
    return UserMessage(tuple(TextPart(p) if isinstance(p, str) else p for p in parts))


def build(
    prompt: list[PromptMessage], *, stream: bool = False, **options: Any
) -> tuple[dict[str, Any], list[str]]:
    """The body for `prompt`, and the keys of the settings that were warned about."""
    warned: list[str] = []
    options.setdefault("model", "m")
    body = chat_completions.build_body(
        prompt,
        CallOptions(**options),
        stream=stream,
        warn=lambda key, _message: warned.append(key),
    )
    return body, warned


def without_nulls(value: Any) -> Any:
    """A recorded body without the `null` fields some clients send."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


WEATHER_TOOL = request_body(f"{LLAMACPP}/04_chat_tools.request.json")["tools"][0]
SCHEMA_FORMAT = request_body(f"{LLAMACPP}/08_chat_json_schema.request.json")[
    "response_format"
]

# --- request bodies against the ones really sent ---------------------------------------

LLAMACPP_REQUESTS = [
    ("02_chat_basic", [user("Say hello in French.")], {"max_tokens": 30}),
    ("03_chat_stream_usage", [user("Count from 1 to 5.")], {"max_tokens": 30}),
    (
        "04_chat_tools",
        [user("What is the weather in Paris?")],
        {"tools": (WEATHER_TOOL,), "tool_choice": "auto", "max_tokens": 100},
    ),
    (
        "05_chat_tools_parallel",
        [user("What is the weather in Paris and in Tokyo?")],
        {"tools": (WEATHER_TOOL,), "parallel_tool_calls": True, "max_tokens": 100},
    ),
    (
        "06_chat_tools_stream",
        [user("What is the weather in Paris and in Tokyo?")],
        {"tools": (WEATHER_TOOL,), "parallel_tool_calls": True, "max_tokens": 100},
    ),
    (
        "08_chat_json_schema",
        [user("Invent a person with a name and an age.")],
        {"max_tokens": 80, "response_format": SCHEMA_FORMAT},
    ),
    (
        "09_chat_json_object",
        [user("Return a JSON object describing a cat.")],
        {"max_tokens": 60, "response_format": {"type": "json_object"}},
    ),
    (
        "10_chat_stop_seq",
        [user("Count from 1 to 5, comma separated.")],
        {"max_tokens": 40, "stop": ("3",)},
    ),
]


@pytest.mark.parametrize(
    ("name", "prompt", "options"),
    LLAMACPP_REQUESTS,
    ids=[name for name, _, _ in LLAMACPP_REQUESTS],
)
def test_llamacpp_request_bodies(
    name: str, prompt: list[PromptMessage], options: dict[str, Any]
):
    expected = request_body(f"{LLAMACPP}/{name}.request.json")
    stream = expected.get("stream", False)
    body, warned = build(prompt, stream=stream, temperature=0, **options)
    assert warned == []
    if stream:
        # We always ask for usage in streams; this recording did not.
        assert body.pop("stream_options") == {"include_usage": True}
        expected.pop("stream_options", None)
    assert body == expected


def test_tool_result_follow_up_request_body():
    expected = request_body(f"{LLAMACPP}/07_chat_tool_result_followup.request.json")
    call = ToolCallPart("call_abc", "get_weather", '{"city": "Paris"}')
    prompt: list[PromptMessage] = [
        user("What is the weather in Paris?"),
        AssistantMessage("", (call,)),
        ToolResultMessage("call_abc", '{"temp_c": 21, "sky": "sunny"}'),
    ]
    body, _ = build(prompt, temperature=0, max_tokens=60, tools=(WEATHER_TOOL,))
    # The recording sent `content: null` next to the tool calls; "" means the same.
    assert body["messages"][1].pop("content") in ("", None)
    expected["messages"][1].pop("content")
    assert body == expected


def test_multi_part_user_content_with_an_image():
    exchange = post("pydantic_ai_vcr/test_image_url_input.yaml")
    expected = without_nulls(exchange.request)
    url = expected["messages"][0]["content"][1]["image_url"]["url"]
    body, _ = build([user("hello", ImagePart(url))], model=expected["model"])
    assert body["messages"] == expected["messages"]


def test_tool_choice_required_request_body():
    exchange = post("pydantic_ai_vcr/test_request_structured_response.yaml")
    expected = without_nulls(exchange.request)
    prompt = expected["messages"][0]["content"]
    body, _ = build(
        [user(prompt)],
        model=expected["model"],
        tools=tuple(expected["tools"]),
        tool_choice="required",
    )
    assert body == {k: v for k, v in expected.items() if k != "stream"}


@pytest.mark.parametrize(
    "cassette",
    [
        "TestInferenceClient.test_chat_completion_with_stream[sambanova,conversational]",
        "TestInferenceClient.test_chat_completion_with_stream[together,conversational]",
    ],
)
def test_system_and_user_stream_request_bodies(cassette: str):
    expected = json.loads(post(f"{HUB}/{cassette}.yaml").request)
    system, question = (m["content"] for m in expected["messages"])
    body, _ = build(
        [SystemMessage(system), user(question)],
        stream=True,
        model=expected["model"],
        max_tokens=20,
    )
    assert body.pop("stream_options") == {"include_usage": True}
    assert body == expected


# --- each mapping on its own --------------------------------------------------------------


def test_a_single_text_part_is_sent_as_a_string():
    body, _ = build([user("hi")])
    assert body == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_images_keep_their_detail_and_order():
    body, _ = build(
        [user(ImagePart("https://x/a.png", "high"), "compare", ImagePart("data:x"))]
    )
    assert body["messages"][0]["content"] == [
        {
            "type": "image_url",
            "image_url": {"url": "https://x/a.png", "detail": "high"},
        },
        {"type": "text", "text": "compare"},
        {"type": "image_url", "image_url": {"url": "data:x"}},
    ]


def test_assistant_tool_calls_and_tool_results():
    calls = (
        ToolCallPart("call_1", "get_weather", '{"city": "Paris"}'),
        ToolCallPart("call_2", "get_weather", '{"city": "Tokyo"}'),
    )
    body, _ = build(
        [
            AssistantMessage("Checking.", calls),
            ToolResultMessage("call_1", "sunny"),
            ToolResultMessage("call_2", "rain", is_error=True),
        ]
    )
    assert body["messages"] == [
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Paris"}',
                    },
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Tokyo"}',
                    },
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_2", "content": "rain"},
    ]


def test_sampling_settings_are_sent_under_their_chat_names():
    body, warned = build(
        [user("hi")], temperature=0.2, top_p=0.9, max_tokens=7, stop=("a", "b"), seed=0
    )
    assert warned == []
    assert body == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 7,
        "stop": ["a", "b"],
        "seed": 0,
    }
    assert "max_output_tokens" not in body


def test_instructions_become_a_leading_system_message():
    body, _ = build(
        [SystemMessage("You are terse."), user("hi")],
        provider_options=ProviderOptions(instructions="Answer in French."),
    )
    assert body["messages"] == [
        {"role": "system", "content": "Answer in French."},
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "hi"},
    ]
    assert "instructions" not in body


def test_metadata_is_warned_about_and_not_sent():
    body, warned = build(
        [user("hi")], provider_options=ProviderOptions(metadata={"user": "ada"})
    )
    assert warned == ["metadata"]
    assert "metadata" not in body


@pytest.mark.parametrize(
    "effort", ["none", "minimal", "low", "medium", "high", "xhigh"]
)
def test_reasoning_effort_is_top_level(effort: Any):
    body, _ = build(
        [user("hi")], provider_options=ProviderOptions(reasoning_effort=effort)
    )
    assert body["reasoning_effort"] == effort
    assert "reasoning" not in body


def test_an_unknown_reasoning_effort_is_refused():
    options = ProviderOptions(reasoning_effort="max")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Chat Completions"):
        build([user("hi")], provider_options=options)


@pytest.mark.parametrize(
    "choice",
    [
        "auto",
        "none",
        "required",
        {"type": "function", "function": {"name": "get_weather"}},
    ],
    ids=["auto", "none", "required", "forced"],
)
def test_tool_choice_keeps_the_chat_shape(choice: Any):
    body, _ = build([user("hi")], tools=(WEATHER_TOOL,), tool_choice=choice)
    assert body["tool_choice"] == choice
    assert body["tools"] == [WEATHER_TOOL]


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
def test_strict_json_schema_option_sets_json_schema_strict(
    option: bool | None, in_schema: bool | None, sent: bool | None
):
    schema = SCHEMA if in_schema is None else {**SCHEMA, "strict": in_schema}
    response_format = {"type": "json_schema", "json_schema": schema}
    body, _ = build(
        [user("hi")],
        response_format=response_format,
        provider_options=ProviderOptions(strict_json_schema=option),
    )
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"].get("strict") == sent
    assert body["response_format"]["json_schema"]["name"] == "answer"
    assert response_format["json_schema"] is schema  # the caller's dict is untouched
    assert "strict" not in SCHEMA


def test_streams_ask_for_usage():
    body, _ = build([user("hi")], stream=True)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    body, _ = build([user("hi")])
    assert "stream" not in body
    assert "stream_options" not in body


def test_unset_settings_are_not_sent():
    body, _ = build([user("hi")], provider_options=ProviderOptions())
    assert body == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


# --- whole answers ---------------------------------------------------------------------------


def llamacpp_answer(name: str) -> Callable[[], dict[str, Any]]:
    return lambda: response_body(f"{LLAMACPP}/{name}.response.json")


def cassette_answer(cassette: str, index: int = 0) -> Callable[[], dict[str, Any]]:
    return lambda: post(cassette, index).json()


def tape_answer(prefix: str) -> Callable[[], dict[str, Any]]:
    return lambda: json.loads(tape(prefix)["response"]["body"])


ANSWERS: dict[str, Callable[[], dict[str, Any]]] = {
    **{
        f"llamacpp-{name[:2]}": llamacpp_answer(name)
        for name in (
            "02_chat_basic",
            "04_chat_tools",
            "05_chat_tools_parallel",
            "07_chat_tool_result_followup",
            "08_chat_json_schema",
            "09_chat_json_object",
            "10_chat_stop_seq",
            "11_chat_logprobs",
            "14_err_bad_role",
        )
    },
    "hub-fireworks": cassette_answer(
        f"{HUB}/TestInferenceClient.test_chat_completion_no_stream[fireworks-ai,conversational].yaml"
    ),
    "hub-nebius": cassette_answer(
        f"{HUB}/TestInferenceClient.test_chat_completion_no_stream[nebius,conversational].yaml"
    ),
    "hub-non-tgi": cassette_answer(
        f"{HUB}/TestInferenceClient.test_chat_completion_with_non_tgi.yaml"
    ),
    "hub-response-format": cassette_answer(
        f"{HUB}/InferenceClientVCRTest.test_chat_completion_with_response_format.yaml"
    ),
    "hub-tgi-tool-0": cassette_answer(
        f"{HUB}/InferenceClientVCRTest.test_chat_completion_with_tool.yaml", 0
    ),
    "hub-tgi-tool-1": cassette_answer(
        f"{HUB}/InferenceClientVCRTest.test_chat_completion_with_tool.yaml", 1
    ),
    "pydantic-image": cassette_answer("pydantic_ai_vcr/test_image_url_input.yaml"),
    "pydantic-max-tokens": cassette_answer(
        "pydantic_ai_vcr/test_max_completion_tokens.yaml"
    ),
    "pydantic-usage": cassette_answer("pydantic_ai_vcr/test_request_simple_usage.yaml"),
    "pydantic-structured": cassette_answer(
        "pydantic_ai_vcr/test_request_structured_response.yaml"
    ),
    "pydantic-tool-call": cassette_answer(
        "pydantic_ai_vcr/test_together_500_on_tool_continuation.yaml"
    ),
    "litellm-mock": lambda: response_body("litellm_proxy/mock_chat.json"),
    **{
        f"tape-{prefix}": tape_answer(prefix)
        for prefix in tape_ids(status=200, stream=False)
    },
}


@pytest.mark.parametrize("load", ANSWERS.values(), ids=ANSWERS.keys())
def test_every_recorded_answer_parses(load: Callable[[], dict[str, Any]]):
    body = load()
    result = chat_completions.parse_response(body)
    message = body["choices"][0]["message"]
    text = "".join(p.text for p in result.content if isinstance(p, TextOutput))
    assert text == (message.get("content") or "")
    assert [(c.name, json.loads(c.arguments)) for c in result.tool_calls] == [
        (c["function"]["name"], _arguments(c["function"]["arguments"]))
        for c in message.get("tool_calls") or ()
    ]
    assert all(call.call_id for call in result.tool_calls)
    assert result.finish_reason in FINISH_REASONS
    usage = body["usage"]
    assert result.usage is not None
    assert (
        result.usage.input_tokens,
        result.usage.output_tokens,
        result.usage.total_tokens,
    ) == (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"])
    assert (result.info.id, result.info.model, result.info.created) == (
        body.get("id"),
        body["model"],
        body["created"],
    )


def _arguments(raw_arguments: Any) -> Any:
    return (
        json.loads(raw_arguments) if isinstance(raw_arguments, str) else raw_arguments
    )


def test_llamacpp_answer_with_cached_tokens():
    result = chat_completions.parse_response(ANSWERS["llamacpp-02"]())
    assert result.content == [TextOutput("Bonjour!")]
    assert result.tool_calls == []
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (27, 3)
    assert result.usage.total_tokens == 30
    assert result.usage.cached_input_tokens == 11
    assert result.usage.reasoning_tokens is None
    assert result.info.id == "chatcmpl-6aFJSpVVB8XLbj0FmjkmVWrzrdCFRhTZ"
    assert result.info.model == "qwen-coder-1.5b"
    assert result.info.created == 1795754371


def test_llamacpp_parallel_tool_calls_next_to_empty_content():
    result = chat_completions.parse_response(ANSWERS["llamacpp-05"]())
    assert result.content == []
    assert [(c.call_id, c.name, c.arguments) for c in result.tool_calls] == [
        ("hoUJcvfZo8nZCidFACSz6wofMTSqZEyC", "get_weather", '{"city": "Paris"}'),
        ("HErpLtCAL0Ib0PE6aqgxJ5vRgv1ZMTuQ", "get_weather", '{"city": "Tokyo"}'),
    ]
    assert result.finish_reason == "tool_calls"


def test_tgi_integer_call_id_and_object_arguments():
    result = chat_completions.parse_response(ANSWERS["hub-tgi-tool-0"]())
    (call,) = result.tool_calls
    assert call.call_id == "0"
    assert call.name == "get_n_day_weather_forecast"
    assert isinstance(call.arguments, str)
    assert json.loads(call.arguments) == {
        "format": "fahrenheit",
        "location": "San Francisco, CA",
        "num_days": 3,
    }
    assert result.content == []
    assert result.finish_reason == "stop"  # TGI said "eos_token"
    assert result.info.id == ""
    assert result.info.model == "hsramall/hsramall-70b-chat-placeholder"


def test_forced_tool_call_with_null_content():
    result = chat_completions.parse_response(ANSWERS["pydantic-structured"]())
    assert result.content == []
    assert [(c.call_id, c.name, c.arguments) for c in result.tool_calls] == [
        ("call_7qxjvbuxpm6017n3jcq1uqwt", "final_result", '{"response":[2,3,5]}')
    ]
    assert result.finish_reason == "tool_calls"


def test_null_reasoning_and_null_usage_details():
    result = chat_completions.parse_response(ANSWERS["pydantic-image"]())
    assert [type(p) for p in result.content] == [TextOutput]
    assert result.usage is not None
    assert result.usage.cached_input_tokens is None
    assert result.usage.reasoning_tokens is None


def test_openai_usage_details():
    result = chat_completions.parse_response(ANSWERS["tape-ad463aeaa0"]())
    assert result.usage is not None
    assert (result.usage.cached_input_tokens, result.usage.reasoning_tokens) == (0, 0)


@pytest.mark.parametrize(
    ("answer", "finish"),
    [
        ("tape-5644ae1291", "stop"),  # TGI "eos_token"
        ("tape-3f2ba6c12d", "stop"),  # together "eos"
        ("tape-949ba2dd44", "length"),  # hyperbolic
        ("llamacpp-09", "length"),
        ("pydantic-max-tokens", "length"),
        ("pydantic-structured", "tool_calls"),
    ],
)
def test_provider_finish_reasons_are_normalised(answer: str, finish: str):
    assert chat_completions.parse_response(ANSWERS[answer]()).finish_reason == finish


def test_inline_think_tags_are_left_in_the_text_for_the_model_to_split():
    result = chat_completions.parse_response(ANSWERS["pydantic-usage"]())
    (text,) = result.content
    assert isinstance(text, TextOutput)
    assert text.text.startswith("<think>\nOkay, the user just said")


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_fields_come_before_the_text(field: str):
    body = {
        "choices": [
            {
                "message": {"role": "assistant", field: "2+2=4", "content": "4"},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 9,
            "total_tokens": 14,
            "completion_tokens_details": {"reasoning_tokens": 6},
        },
    }
    result = chat_completions.parse_response(body)
    assert result.content == [ReasoningOutput("2+2=4"), TextOutput("4")]
    assert result.usage is not None
    assert result.usage.reasoning_tokens == 6


def test_an_error_in_a_200_body_raises():
    body = {"error": {"message": "429 slow down", "code": "server_error"}}
    with pytest.raises(RateLimitError):
        chat_completions.parse_response(body)


# --- streams ----------------------------------------------------------------------------------


def hub_stream(cassette: str) -> Callable[[], bytes]:
    def load() -> bytes:
        return str(post(f"{HUB}/{cassette}.yaml").body).encode()

    return load


def tape_stream(prefix: str) -> Callable[[], bytes]:
    def load() -> bytes:
        return str(tape(prefix)["response"]["body"]).encode()

    return load


BROKEN_TAPE = "b3cad22ff4"  # cerebras: the recording's last event is not JSON

STREAMS: dict[str, Callable[[], bytes]] = {
    "llamacpp-03-usage": lambda: raw(
        f"{LLAMACPP}/03_chat_stream_usage.response.sse.txt"
    ),
    "llamacpp-06-tools": lambda: raw(
        f"{LLAMACPP}/06_chat_tools_stream.response.sse.txt"
    ),
    "llamacpp-reasoning": lambda: raw(
        "llamacpp_local/reasoning/chat_stream_reasoning.sse.txt"
    ),
    "litellm-mock": lambda: raw("litellm_proxy/mock_chat_stream.sse.txt"),
    **{
        f"hub-{name}": hub_stream(
            f"TestInferenceClient.test_chat_completion_with_stream[{name},conversational]"
        )
        for name in ("cerebras", "hf-inference", "sambanova", "together")
    },
    "hub-openai-client": hub_stream("TestOpenAICompatibility.test_with_stream_true"),
    **{
        f"tape-{prefix}": tape_stream(prefix)
        for prefix in tape_ids(status=200, stream=True)
        if prefix != BROKEN_TAPE
    },
}


def stream_of(name: str, *, seed: int | None = None) -> Streamed:
    data = STREAMS[name]()
    chunks = [data] if seed is None else random_chunks(data, seed)
    return decode(chat_completions.ChatChunkMapper(), chunks)


def naive_events(data: bytes) -> list[dict[str, Any]]:
    """The JSON events of a recorded stream, read the simplest possible way."""
    events = []
    for block in data.decode().split("\n\n"):
        payload = block.strip().removeprefix("data:").strip()
        if payload and payload != "[DONE]":
            events.append(json.loads(payload))
    return events


@pytest.mark.parametrize("name", STREAMS.keys())
def test_every_recorded_stream_adds_up(name: str):
    events = naive_events(STREAMS[name]())
    deltas = [c.get("delta") or {} for e in events for c in e.get("choices") or ()]
    content = "".join(d.get("content") or "" for d in deltas)
    if "<think>" in content:  # inline reasoning (DeepSeek-R1 on fireworks)
        assert content.startswith("<think>")
        reasoning, _, text = content.removeprefix("<think>").partition("</think>")
        reasoning, text = reasoning.lstrip(), text.lstrip()
    else:
        text = content
        reasoning = "".join(
            d.get("reasoning_content") or d.get("reasoning") or "" for d in deltas
        )
    usages = [e["usage"] for e in events if e.get("usage")]

    whole = stream_of(name)
    assert (whole.text, whole.reasoning) == (text, reasoning)
    assert whole.finish is not None
    assert whole.finish.finish_reason in FINISH_REASONS
    if usages:
        assert whole.finish.usage is not None
        assert whole.finish.usage.total_tokens == usages[-1]["total_tokens"]
    else:
        assert whole.finish.usage is None
    assert whole.finish.info.model == events[0]["model"]
    for seed in range(4):
        chunked = stream_of(name, seed=seed)
        assert (chunked.text, chunked.reasoning) == (whole.text, whole.reasoning)
        assert chunked.calls == whole.calls
        assert chunked.finish == whole.finish


def test_llamacpp_stream_with_a_usage_chunk():
    streamed = stream_of("llamacpp-03-usage")
    assert streamed.text == "1, 2, 3, 4, 5"
    assert streamed.reasoning == ""
    assert streamed.calls == {}
    finish = streamed.finish
    assert finish is not None
    assert finish.finish_reason == "stop"
    assert finish.usage is not None
    assert (finish.usage.input_tokens, finish.usage.output_tokens) == (30, 14)
    assert finish.usage.total_tokens == 44
    assert finish.usage.cached_input_tokens == 17
    assert finish.info.id == "chatcmpl-aljunbY9cxXeRzio5fNHIR3OOGYN9F0c"
    assert finish.info.model == "qwen-coder-1.5b"
    assert finish.info.created == 1795754371


def test_llamacpp_parallel_tool_call_stream_matches_the_whole_answer():
    # Same prompt at temperature 0, asked once whole (05) and once streamed (06).
    whole = chat_completions.parse_response(ANSWERS["llamacpp-05"]())
    for seed in (None, 1, 2, 3):
        streamed = stream_of("llamacpp-06-tools", seed=seed)
        assert streamed.text == ""
        assert [(c.name, c.arguments) for c in streamed.calls.values()] == [
            (c.name, c.arguments) for c in whole.tool_calls
        ]
        assert [c.call_id for c in streamed.calls.values()] == [
            "rQwvpl48UQ2JR4vfVTBntZfnh1SR7mJu",
            "4zLtgaM7gqlo4fzp2t8u1vsLmFXjTAhe",
        ]
        assert sorted(streamed.calls) == [0, 1]
        assert streamed.finish is not None
        assert streamed.finish.finish_reason == "tool_calls"


def test_llamacpp_reasoning_content_stream():
    streamed = stream_of("llamacpp-reasoning")
    assert streamed.reasoning == "17 + 25 = 42\n"
    assert streamed.text == "Final answer: 42"
    assert streamed.finish is not None
    assert streamed.finish.finish_reason == "stop"


def test_litellm_stream_matches_its_whole_answer():
    whole = chat_completions.parse_response(ANSWERS["litellm-mock"]())
    streamed = stream_of("litellm-mock")  # ends on a finish reason, with no [DONE]
    assert whole.content == [TextOutput(streamed.text)]
    assert streamed.text == "Hello from the LiteLLM mock!"


def test_together_stream_with_extra_delta_keys_and_null_tool_calls():
    streamed = stream_of("hub-together")
    assert streamed.text == (
        "Deep learning is a subfield of machine learning that involves the use of "
        "artificial neural networks to model and"
    )
    assert streamed.calls == {}
    finish = streamed.finish
    assert finish is not None
    assert finish.finish_reason == "length"
    assert finish.usage is not None
    assert (finish.usage.input_tokens, finish.usage.output_tokens) == (26, 20)


def test_tgi_stream_finish_reason_eos_token():
    streamed = stream_of("tape-e1218ba647")
    assert streamed.finish is not None
    assert streamed.finish.finish_reason == "stop"


def test_fireworks_deepseek_r1_stream_splits_inline_reasoning():
    streamed = stream_of("tape-ae9e118999")
    assert streamed.reasoning.startswith("Okay, let's see. The user said \"Say this")
    assert "think>" not in streamed.reasoning + streamed.text
    assert streamed.text == "This is a test. Let me know if you need anything else!"
    assert streamed.finish is not None
    assert streamed.finish.usage is not None
    assert streamed.finish.usage.total_tokens == 442


def test_fireworks_deepseek_r1_stream_as_the_model_would_decode_it():
    # The model name says "starts inside", yet this provider sends "<think>".
    data = STREAMS["tape-ae9e118999"]()
    model = naive_events(data)[0]["model"]
    assert starts_inside_think(model)
    expected = stream_of("tape-ae9e118999")
    for seed in (None, 0, 1):
        chunks = [data] if seed is None else random_chunks(data, seed)
        streamed = decode(
            chat_completions.ChatChunkMapper(), chunks, starts_inside_think=True
        )
        assert (streamed.reasoning, streamed.text) == (
            expected.reasoning,
            expected.text,
        )


# --- broken streams -----------------------------------------------------------------------------


def test_a_stream_cut_before_its_end_raises_broken_stream():
    data = STREAMS["llamacpp-03-usage"]()
    finish_at = data.index(b'"finish_reason":"stop"')
    finish_at = data.rindex(b"data: ", 0, finish_at)
    for cut in [*range(0, finish_at, 97), finish_at]:
        with pytest.raises(BrokenStreamError) as caught:
            decode(chat_completions.ChatChunkMapper(), [data[:cut]])
        assert isinstance(caught.value, HuggingFaceRouterError)
    with pytest.raises(BrokenStreamError, match="ended before"):
        decode(chat_completions.ChatChunkMapper(), [data[:finish_at]])


def non_ascii_stream() -> bytes:
    """The LiteLLM mock stream with raw UTF-8 text, as TGI and vLLM send it."""
    data = STREAMS["litellm-mock"]()
    return data.replace(b'"content":"lo "', '"content":"lo ça 😀 "'.encode())


def test_raw_utf8_text_in_a_stream():
    for seed in range(5):
        streamed = decode(
            chat_completions.ChatChunkMapper(), random_chunks(non_ascii_stream(), seed)
        )
        assert streamed.text == "Hello ça 😀 from the LiteLLM mock!"


@pytest.mark.parametrize("where", ["cut-mid-character", "invalid-byte"])
def test_undecodable_bytes_raise_broken_stream(where: str):
    data = non_ascii_stream()
    at = data.index("😀".encode())
    if where == "cut-mid-character":
        data = data[: at + 2]  # the connection drops inside the emoji
    else:
        data = data[:at] + b"\xff" + data[at + 4 :]
    with pytest.raises(BrokenStreamError):
        decode(chat_completions.ChatChunkMapper(), [data])


def test_recorded_event_that_is_not_json_raises_and_quotes_it():
    data = tape(BROKEN_TAPE)["response"]["body"].encode()
    with pytest.raises(BrokenStreamError) as caught:
        decode(chat_completions.ChatChunkMapper(), random_chunks(data, 0))
    message = str(caught.value)
    assert "not JSON" in message
    assert '{"id":"chatcmpl-f75a0132-920e-4700-b366-bfe92b75f3d6"' in message


def test_an_html_error_page_in_a_stream_is_quoted():
    data = b"data: <html>502 Bad Gateway</html>\n\n"
    with pytest.raises(BrokenStreamError, match="<html>502 Bad Gateway</html>"):
        decode(chat_completions.ChatChunkMapper(), [data])


def test_a_long_event_is_quoted_in_part():
    data = b"data: " + b"x" * 5000 + b"\n\n"
    with pytest.raises(BrokenStreamError) as caught:
        decode(chat_completions.ChatChunkMapper(), [data])
    assert "x" * 200 in str(caught.value)
    assert len(str(caught.value)) < 400


def test_an_event_that_is_not_an_object_raises():
    with pytest.raises(BrokenStreamError, match="not an object"):
        decode(chat_completions.ChatChunkMapper(), [b"data: [1, 2]\n\n"])


def test_an_error_event_inside_a_stream_raises():
    # TGI reports failures inside the stream with its error body shape.
    error = json.loads(tape("3bc1c8fa82")["response"]["body"])
    data = STREAMS["llamacpp-03-usage"]()[:400].rsplit(b"\n\n", 1)[0] + b"\n\n"
    data += b"data: " + json.dumps(error).encode() + b"\n\n"
    with pytest.raises(HuggingFaceRouterError, match="Template error"):
        decode(chat_completions.ChatChunkMapper(), [data])
