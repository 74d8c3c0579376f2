"""Edges of the event-stream format, served over HTTP: a byte-order mark first."""

from __future__ import annotations

import pytest
from chat_asserts import call
from router_emulator import RawReply, Reply, RouterEmulator
from router_emulator.routes import render_item

SSE = {"content-type": "text/event-stream"}
TEXT = "Hello there, friend."
BOM = "\ufeff"  # EF BB BF once encoded as UTF-8, as the emulator sends it


def answer_events(api: str) -> list[str]:
    """The emulator's own stream of `TEXT`, one string per event.

    The Chat Completions stream starts with the first words, not with a chunk
    holding only the role, so that losing the first event loses text. (A
    Responses stream starts with `response.created`, which carries no text.)
    """
    plan = render_item(Reply(text=TEXT), api, {"stream": True, "model": "m"})
    events = [event.decode() for event in plan.events]
    if api == "chat_completions":
        assert '"content":null' in events[0]
        events = events[1:]
    assert plan.headers["content-type"].startswith("text/event-stream")
    return events


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("own_write", [False, True], ids=["glued", "own-write"])
async def test_a_stream_that_starts_with_a_bom_gives_the_whole_answer(
    emulator: RouterEmulator, make_any_model, api: str, mode: str, own_write: bool
) -> None:
    events = answer_events(api)
    # Glued, the BOM and the first event arrive in one read; else in two.
    events = [BOM, *events] if own_write else [BOM + events[0], *events[1:]]
    emulator.enqueue(RawReply(headers=SSE, events=events))
    message = await call(make_any_model(api=api), mode)
    assert message.text == TEXT
    assert message.response_metadata["finish_reason"] == "stop"
