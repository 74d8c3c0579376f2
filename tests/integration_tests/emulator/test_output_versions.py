"""`output_version="v1"` and `stream_events(version="v3")` keep reasoning and text apart."""

from __future__ import annotations

import pytest
from chat_asserts import assert_stream_matches_invoke, sum_chunks
from router_emulator import Reply, RouterEmulator

REPLIES = {
    "text": Reply(text="The answer is near."),
    "reasoning": Reply(text="The answer is near.", reasoning="Thinking it over."),
}


@pytest.mark.parametrize("kind", sorted(REPLIES))
def test_v1_stream_adds_up_to_v1_invoke(
    emulator: RouterEmulator, make_model, api: str, kind: str
) -> None:
    llm = make_model(api=api, output_version="v1")
    emulator.enqueue(REPLIES[kind])
    invoked = llm.invoke("x")
    emulator.enqueue(REPLIES[kind])
    streamed = sum_chunks(list(llm.stream("x")))
    assert_stream_matches_invoke(streamed, invoked)
    assert [b["type"] for b in streamed.content_blocks].count("text") == 1
    assert invoked.text == "The answer is near."


@pytest.mark.parametrize("kind", sorted(REPLIES))
def test_stream_events_v3(
    emulator: RouterEmulator, make_model, api: str, kind: str
) -> None:
    emulator.enqueue(REPLIES[kind])
    stream = make_model(api=api).stream_events("x", version="v3")
    events = list(stream)
    assert events
    message = stream.output
    assert message.text == "The answer is near."
    kinds = [b["type"] for b in message.content_blocks]
    assert kinds == (["reasoning", "text"] if kind == "reasoning" else ["text"])
