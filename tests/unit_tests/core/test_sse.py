"""`SSEDecoder`: bytes in, events out, however the network cuts the bytes.

Reference: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import json

import pytest

from langchain_hf_router.core.sse import SSEDecoder, SSEEvent

from .recorded import LLAMACPP, random_chunks, raw


def decode_all(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.flush()


# A stream touching every rule at once: named and unnamed events, a comment,
# multi-line data, ignored fields, and multi-byte UTF-8 (2, 3 and 4 bytes).
SAMPLE_LINES = [
    ": keep-alive",
    "event: response.created",
    'data: {"text":"héllo"}',
    "",
    'data:{"text":"日本語"}',
    "id: 7",
    "retry: 1000",
    "",
    "data: first 😀",
    ": a comment inside an event",
    "data:second",
    "",
    "",
    "data: [DONE]",
    "",
]
SAMPLE_EVENTS = [
    SSEEvent("response.created", '{"text":"héllo"}'),
    SSEEvent(None, '{"text":"日本語"}'),
    SSEEvent(None, "first 😀\nsecond"),
    SSEEvent(None, "[DONE]"),
]
LINE_ENDS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def sample(line_end: str) -> bytes:
    return "".join(line + line_end for line in SAMPLE_LINES).encode()


def test_data_with_a_space_after_the_colon():
    assert decode_all(b'data: {"a": 1}\n\n') == [SSEEvent(None, '{"a": 1}')]


def test_data_without_a_space_after_the_colon():
    assert decode_all(b"data:x\n\n") == [SSEEvent(None, "x")]


def test_only_one_space_after_the_colon_is_removed():
    assert decode_all(b"data:  x \n\n") == [SSEEvent(None, " x ")]


def test_event_line_names_the_next_event_only():
    events = decode_all(b"event: response.created\ndata: {}\n\ndata: {}\n\n")
    assert events == [SSEEvent("response.created", "{}"), SSEEvent(None, "{}")]


def test_comments_and_unused_fields_carry_nothing():
    assert decode_all(b": ping\n\nid: 3\nretry: 10\n\n:\n\n") == []


def test_multi_line_data_is_joined_with_newlines():
    assert decode_all(b"data: a\ndata: b\ndata:\n\n") == [SSEEvent(None, "a\nb\n")]


@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_every_line_end(line_end: str):
    assert decode_all(sample(line_end)) == SAMPLE_EVENTS


@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_split_into_two_at_every_byte(line_end: str):
    data = sample(line_end)
    for at in range(len(data) + 1):
        assert decode_all(data[:at], data[at:]) == SAMPLE_EVENTS, f"split at {at}"


@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_one_byte_at_a_time(line_end: str):
    data = sample(line_end)
    assert decode_all(*(data[i : i + 1] for i in range(len(data)))) == SAMPLE_EVENTS


def test_split_into_three_at_every_pair_of_bytes():
    # Covers a CRLF split from its LF by one feed and the next line by another.
    data = "data: é\r\n\r\ndata: 😀\r\n\r\n".encode()
    expected = [SSEEvent(None, "é"), SSEEvent(None, "😀")]
    for first in range(len(data) + 1):
        for second in range(first, len(data) + 1):
            chunks = data[:first], data[first:second], data[second:]
            assert decode_all(*chunks) == expected, (first, second)


def test_mixed_line_ends_in_one_stream():
    data = b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"
    expected = [SSEEvent(None, "a"), SSEEvent(None, "b"), SSEEvent(None, "c")]
    assert decode_all(data) == expected


def test_cr_then_lf_in_the_next_chunk_is_one_line_end():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\n") == [SSEEvent(None, "a")]
    assert decoder.flush() == []


def test_an_event_is_given_out_as_soon_as_its_blank_line_arrives():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\ndata: b") == [SSEEvent(None, "a")]


@pytest.mark.parametrize(
    "tail",
    [b"data: last\n", b"data: last", b"data: last\r", b"data: last\r\n"],
    ids=["lf", "no-line-end", "cr", "crlf"],
)
def test_last_event_without_a_blank_line_comes_out_of_flush(tail: bytes):
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n\n" + tail) == [SSEEvent(None, "first")]
    assert decoder.flush() == [SSEEvent(None, "last")]
    assert decoder.flush() == []


def test_empty_events_are_not_given_out():
    assert decode_all(b"\n\n\n\r\n\r\r") == []
    assert decode_all(b"event: ping\n\n") == []
    # The name of an event with no data does not stick to the next one.
    assert decode_all(b"event: ping\n\ndata: x\n\n") == [SSEEvent(None, "x")]


def test_flush_of_a_fresh_decoder_is_empty():
    assert SSEDecoder().flush() == []


def test_recorded_llamacpp_responses_stream_with_event_lines():
    # llama.cpp's own /v1/responses names every event; the name matches the type.
    data = raw(f"{LLAMACPP}/17_responses_stream.response.sse.txt")
    events = decode_all(data)
    assert len(events) == data.count(b"\ndata: ") + data.startswith(b"data: ")
    assert [e.event for e in events] == [json.loads(e.data)["type"] for e in events]
    assert events[-1].event == "response.completed"
    for seed in range(20):
        assert decode_all(*random_chunks(data, seed, largest=13)) == events


def test_recorded_chat_stream_decodes_the_same_with_crlf_line_ends():
    data = raw(f"{LLAMACPP}/03_chat_stream_usage.response.sse.txt")
    events = decode_all(data)
    assert events[-1] == SSEEvent(None, "[DONE]")
    assert all(e.event is None for e in events)
    crlf = data.replace(b"\n", b"\r\n")
    for seed in range(20):
        assert decode_all(*random_chunks(crlf, seed)) == events
