"""Plain conversations and reasoning on both APIs, sync and async, invoke and stream."""

from __future__ import annotations

import pytest
from chat_asserts import assert_stream_matches_invoke, sum_chunks
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from router_emulator import Reply, RouterEmulator

REASONING_STYLES = ["reasoning_content", "reasoning", "think_tags", "think_open"]


def test_invoke_text(emulator: RouterEmulator, make_model, api: str) -> None:
    emulator.enqueue(Reply(text="Paris is the capital of France.", id="resp-1"))
    llm = make_model(api=api, temperature=0.2, max_tokens=64, top_p=0.9)
    message = llm.invoke([SystemMessage("Be brief."), HumanMessage("Capital?")])
    assert isinstance(message, AIMessage)
    assert message.content == "Paris is the capital of France."
    assert message.text == "Paris is the capital of France."
    meta = message.response_metadata
    assert meta["api"] == api
    assert meta["model_provider"] == "huggingface"
    assert meta["model_name"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert meta["finish_reason"] == "stop"
    assert meta["id"] == message.id
    assert isinstance(meta["created"], int)
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 10
    body = emulator.last_request.json
    assert body["temperature"] == 0.2
    assert body["top_p"] == 0.9
    if api == "chat_completions":
        assert emulator.last_request.path == "/v1/chat/completions"
        assert body["max_tokens"] == 64
        assert body["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital?"},
        ]
    else:
        assert emulator.last_request.path == "/v1/responses"
        assert body["max_output_tokens"] == 64
        assert body["input"] == [
            {"type": "message", "role": "system", "content": "Be brief."},
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Capital?"}],
            },
        ]
    assert emulator.last_request.headers["authorization"] == "Bearer hf_test_key"


@pytest.mark.parametrize("style", REASONING_STYLES)
def test_reasoning_invoke_equals_stream(
    emulator: RouterEmulator, make_model, api: str, style: str
) -> None:
    reply = Reply(
        text="There are 3 r's.",
        reasoning="s-t-r-a-w-b-e-r-r-y has r at 3, 8, 9.",
        reasoning_style=style,  # type: ignore[arg-type]
        usage={"prompt_tokens": 12, "completion_tokens": 30, "reasoning_tokens": 20},
    )
    # Without the opening tag only a declared model can be split while streaming.
    llm = make_model(api=api, starts_inside_think=style == "think_open" or None)
    emulator.enqueue(reply)
    invoked = llm.invoke("How many r's in strawberry?")
    emulator.enqueue(reply)
    chunks = list(llm.stream("How many r's in strawberry?"))
    streamed = sum_chunks(chunks)

    assert invoked.text == "There are 3 r's."
    assert invoked.content_blocks[0] == {
        "type": "reasoning",
        "reasoning": "s-t-r-a-w-b-e-r-r-y has r at 3, 8, 9.",
    }
    assert [b["type"] for b in invoked.content_blocks] == ["reasoning", "text"]
    assert streamed.text == "There are 3 r's."
    assert_stream_matches_invoke(streamed, invoked)
    # Exactly one chunk carries the response metadata; the last one says so.
    assert sum(1 for c in chunks if c.response_metadata) == 1
    assert chunks[-1].chunk_position == "last"
    if api == "chat_completions":
        assert invoked.usage_metadata is not None
        assert invoked.usage_metadata["output_token_details"] == {"reasoning": 20}
    # Reasoning chunks arrive before the answer text.
    kinds = [b["type"] for c in chunks for b in c.content_blocks]
    assert kinds.index("reasoning") < kinds.index("text")


def test_think_tags_split_across_chunks(emulator: RouterEmulator, make_model) -> None:
    emulator.enqueue(
        Reply(deltas=["<thi", "nk>Two ", "plus two</th", "ink>", "\n\nFour."])
    )
    streamed = sum_chunks(list(make_model(api="chat_completions").stream("2+2?")))
    assert streamed.content_blocks == [
        {"type": "reasoning", "reasoning": "Two plus two", "index": 0},
        {"type": "text", "text": "Four.", "index": 1},
    ]


def test_missing_open_tag_in_invoke_needs_no_declaration(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(text="Four.", reasoning="2+2", reasoning_style="think_open"))
    message = make_model(api="chat_completions").invoke("2+2?")
    assert message.content == [
        {"type": "reasoning", "reasoning": "2+2"},
        {"type": "text", "text": "Four."},
    ]


def test_known_model_streams_missing_open_tag_as_reasoning(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(text="Four.", reasoning="2+2", reasoning_style="think_open"))
    llm = make_model(api="chat_completions", model="deepseek-ai/DeepSeek-R1:together")
    streamed = sum_chunks(list(llm.stream("2+2?")))
    assert streamed.text == "Four."
    assert streamed.content_blocks[0]["reasoning"] == "2+2"


def test_reasoning_field_turns_off_implicit_think_block(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(text="Four.", reasoning="2+2"))
    llm = make_model(api="chat_completions", model="deepseek-ai/DeepSeek-R1")
    streamed = sum_chunks(list(llm.stream("2+2?")))
    assert streamed.text == "Four."


async def test_async_invoke_and_stream(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    llm = make_model(api=api)
    try:
        emulator.enqueue(Reply(text="Hello there, friend.", reasoning="greet"))
        invoked = await llm.ainvoke("Hi")
        emulator.enqueue(Reply(text="Hello there, friend.", reasoning="greet"))
        chunks = [chunk async for chunk in llm.astream("Hi")]
    finally:
        await llm.aclose()
    assert invoked.text == "Hello there, friend."
    assert len(chunks) > 3
    assert_stream_matches_invoke(sum_chunks(chunks), invoked)
    assert emulator.requests[-1].json["stream"] is True


def test_stream_text_only_is_plain_string_chunks(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    emulator.enqueue(Reply(text="one two three four"))
    chunks = list(make_model(api=api).stream("count"))
    assert [c.content for c in chunks if c.content] == [
        "one",
        " two",
        " three",
        " four",
    ]
    streamed = sum_chunks(chunks)
    assert streamed.content == "one two three four"
    assert streamed.usage_metadata is not None
    if api == "chat_completions":
        assert emulator.last_request.json["stream_options"] == {"include_usage": True}


def test_batch(emulator: RouterEmulator, make_model, api: str) -> None:
    llm = make_model(api=api)
    answers = llm.batch(["a", "b", "c"], config={"max_concurrency": 1})
    assert [a.text for a in answers] == ["Hello from the emulator."] * 3
    assert len(emulator.requests) == 3


async def test_abatch(emulator: RouterEmulator, make_model, api: str) -> None:
    llm = make_model(api=api)
    try:
        answers = await llm.abatch(["a", "b"])
    finally:
        await llm.aclose()
    assert [a.text for a in answers] == ["Hello from the emulator."] * 2


def test_streaming_field_streams_inside_invoke(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    message = make_model(api=api, streaming=True).invoke("hi")
    assert message.text == "Hello from the emulator."
    assert emulator.last_request.json["stream"] is True


def test_reasoning_in_history_is_not_sent_back(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    earlier = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "secret chain of thought"},
            {"type": "text", "text": "Four."},
        ]
    )
    make_model(api=api).invoke(
        [HumanMessage("2+2?"), earlier, HumanMessage("And 3+3?")]
    )
    raw = emulator.last_request.body.decode()
    assert "secret chain of thought" not in raw
    body = emulator.last_request.json
    if api == "chat_completions":
        assert body["messages"][1] == {"role": "assistant", "content": "Four."}
    else:
        assert body["input"][1] == {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Four."}],
        }


def test_sse_framing_variants(emulator: RouterEmulator, make_model, api: str) -> None:
    for style in ("space", "nospace", "crlf"):
        emulator.enqueue(Reply(text="framed answer", sse_style=style, comments=True))  # type: ignore[arg-type]
        assert sum_chunks(list(make_model(api=api).stream("x"))).text == "framed answer"


def test_model_override_per_call(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    make_model(api=api).invoke("x", model="Qwen/Qwen3-32B:groq")
    assert emulator.last_request.json["model"] == "Qwen/Qwen3-32B:groq"
