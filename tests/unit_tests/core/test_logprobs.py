"""Token log probabilities: read from whole answers and summed over streams."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_hf_router.core.chat_completions import ChatChunkMapper, parse_response
from langchain_hf_router.core.types import StreamFinish
from langchain_hf_router.messages import response_metadata

from .recorded import LLAMACPP, response_body


def test_a_recorded_answer_keeps_its_token_entries() -> None:
    body = response_body(f"{LLAMACPP}/11_chat_logprobs.response.json")
    result = parse_response(body)
    expected = body["choices"][0]["logprobs"]["content"]
    assert result.info.logprobs == expected
    assert [entry["token"] for entry in expected] == ["Hello", "!", " How"]
    metadata = response_metadata(result.info, result.finish_reason, "chat_completions")
    assert metadata["logprobs"] == {"content": expected}


def entry(token: str) -> dict[str, Any]:
    return {"token": token, "logprob": -0.5, "top_logprobs": []}


def chunk(text: str, logprobs: Any, finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": {"content": text}, "logprobs": logprobs}
    if finish:
        choice["finish_reason"] = finish
    return {"id": "c", "choices": [choice]}


def test_a_stream_gives_every_entry_once_in_its_closing_part() -> None:
    mapper = ChatChunkMapper()
    mapper.feed(chunk("Hel", {"content": [entry("Hel")]}))
    mapper.feed(chunk("lo", {"content": [entry("lo"), entry("!")]}))
    mapper.feed(chunk("", None, finish="stop"))
    finish = mapper.finish()
    assert isinstance(finish, StreamFinish)
    assert finish.info.logprobs == [entry("Hel"), entry("lo"), entry("!")]


@pytest.mark.parametrize(
    "odd", [[], {}, {"content": None}, "x", 3, {"content": "x"}, {"content": [1, None]}]
)
def test_odd_logprobs_are_left_out_not_an_error(odd: Any) -> None:
    mapper = ChatChunkMapper()
    assert [p.text for p in mapper.feed(chunk("Hi", odd, finish="stop"))] == ["Hi"]
    assert mapper.finish().info.logprobs == []
    body = {"choices": [{"message": {"content": "Hi"}, "logprobs": odd}]}
    assert parse_response(body).info.logprobs == []


def test_no_logprobs_key_means_none_in_the_metadata() -> None:
    mapper = ChatChunkMapper()
    mapper.feed(chunk("Hi", None, finish="stop"))
    finish = mapper.finish()
    assert finish.info.logprobs is None
    metadata = response_metadata(finish.info, "stop", "chat_completions")
    assert "logprobs" not in metadata
