"""`SSEDecoder`: bytes in, events out, however the network cuts the bytes.

Reference: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from langchain_hf_router import BrokenStreamError
from langchain_hf_router.core.sse import (
    DEFAULT_MAX_EVENT_BYTES,
    STRAY_LIMIT,
    SSEDecoder,
    SSEEvent,
)

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


# --- a byte-order mark before the first line -----------------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_a_leading_bom_is_dropped(line_end: str):
    assert decode_all(BOM + sample(line_end)) == SAMPLE_EVENTS


@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_a_leading_bom_split_at_every_byte(line_end: str):
    data = BOM + sample(line_end)
    for at in range(len(BOM) + 8):
        assert decode_all(data[:at], data[at:]) == SAMPLE_EVENTS, f"split at {at}"


def test_a_leading_bom_one_byte_at_a_time_and_after_empty_reads():
    chunks = [b"", b"\xef", b"", b"\xbb", b"\xbf", b"", b"data: a\n\n"]
    assert decode_all(*chunks) == [SSEEvent(None, "a")]


def test_the_first_event_right_after_a_bom_is_whole():
    decoder = SSEDecoder()
    assert decoder.feed(BOM + b"event: first\ndata: 1\n\n") == [SSEEvent("first", "1")]
    assert decoder.stray == b""


def test_only_one_leading_bom_is_dropped():
    # The second is content: it starts the field name, so the line is no `data:`.
    decoder = SSEDecoder()
    events = decoder.feed(BOM + BOM + b"data: a\n\ndata: b\n\n") + decoder.flush()
    assert events == [SSEEvent(None, "b")]
    assert decoder.stray == BOM + b"data: a"


def test_a_bom_later_in_the_stream_is_ordinary_content():
    data = b"data: a\n\n" + BOM + b"data: b\n\ndata: " + BOM + b"c\n\n"
    assert decode_all(data) == [SSEEvent(None, "a"), SSEEvent(None, "\ufeffc")]
    assert decode_all(b"data: a\n\n", BOM, b"data: b\n\n") == [SSEEvent(None, "a")]


@pytest.mark.parametrize("start", [b"\xef", b"\xef\xbb", b"\xef\xbbX", b"\xbb\xbf"])
def test_a_partial_bom_is_content_not_a_bom(start: bytes):
    decoder = SSEDecoder()
    events = decoder.feed(start) + decoder.feed(b"data: a\n\ndata: b\n\n")
    assert events + decoder.flush() == [SSEEvent(None, "b")]
    assert decoder.stray == start + b"data: a"


def test_a_stream_of_only_a_bom_or_part_of_one_has_no_events():
    assert decode_all(BOM) == []
    assert decode_all(b"\xef\xbb") == []


# --- the cap on one event's size -------------------------------------------------

CAP = 1000


def feed_in(decoder: SSEDecoder, data: bytes, size: int) -> list[SSEEvent]:
    events = []
    for at in range(0, len(data), size):
        events += decoder.feed(data[at : at + size])
    return events + decoder.flush()


READ_SIZES = [1, 7, 4096, CAP * 10]


@pytest.mark.parametrize("size", READ_SIZES)
@pytest.mark.parametrize("prefix", [b"data: ", b"data:"], ids=["space", "no-space"])
def test_an_event_of_exactly_the_cap_passes(prefix: bytes, size: int):
    value = "é" * (CAP // 2)  # multi-byte: the cap counts bytes, not characters
    data = prefix + value.encode() + b"\n\n"
    assert feed_in(SSEDecoder(CAP), data, size) == [SSEEvent(None, value)]


@pytest.mark.parametrize("size", READ_SIZES)
@pytest.mark.parametrize("prefix", [b"data: ", b"data:"], ids=["space", "no-space"])
def test_an_event_one_byte_over_the_cap_raises(prefix: bytes, size: int):
    data = prefix + b"x" * (CAP + 1) + b"\n\n"
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        feed_in(SSEDecoder(CAP), data, size)


@pytest.mark.parametrize("size", READ_SIZES)
def test_the_cap_counts_all_data_lines_and_their_newlines(size: int):
    # Lines of 333, 333 and 332 bytes, and the two newlines joining them: 1000.
    lines = [b"data: " + b"x" * length + b"\n" for length in (333, 333, 332)]
    events = feed_in(SSEDecoder(CAP), b"".join(lines) + b"\n", size)
    assert [len(event.data) for event in events] == [CAP]
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        feed_in(SSEDecoder(CAP), b"".join(lines) + b"data:\n\n", size)


@pytest.mark.parametrize("size", READ_SIZES)
def test_the_cap_is_per_event(size: int):
    event = b"data: " + b"x" * CAP + b"\n\n"
    assert len(feed_in(SSEDecoder(CAP), event * 5, size)) == 5


@pytest.mark.parametrize("size", READ_SIZES)
@pytest.mark.parametrize("start", [b":", b"event: ", b"id: ", b"{", b"stray: "])
def test_any_other_line_is_capped_too(start: bytes, size: int):
    # Up to the cap plus `data: `, as long as a data line of exactly the cap.
    longest = start + b"x" * (CAP + 6 - len(start))
    assert feed_in(SSEDecoder(CAP), longest + b"\n\ndata: a\n\n", size)[-1].data == "a"
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        feed_in(SSEDecoder(CAP), longest + b"x\n\n", size)


def endless(*pieces: bytes, read: int) -> Iterator[bytes]:
    """`pieces`, then `read`-byte reads of "x" forever."""
    yield from pieces
    while True:
        yield b"x" * read


class Fed:
    """Reads handed to a decoder, counting the bytes handed over."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.bytes = 0

    def into(self, decoder: SSEDecoder) -> None:
        for chunk in self.chunks:
            self.bytes += len(chunk)
            decoder.feed(chunk)


@pytest.mark.parametrize(
    "pieces",
    [(b"data: ",), (b": ",), (b"",), (b"data: a\n", b"data: ")],
    ids=["data", "comment", "stray", "second-data-line"],
)
def test_an_endless_line_raises_before_holding_more_than_the_cap(pieces):
    fed = Fed(endless(*pieces, read=100))
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        fed.into(SSEDecoder(CAP))
    # At most the cap, the `data: ` and one read of the line are held.
    assert CAP < fed.bytes <= sum(map(len, pieces)) + CAP + 6 + 100


def test_endless_data_lines_of_one_event_raise_at_the_cap():
    fed = Fed(itertools.repeat(b"data: 12345678\n", 100 * CAP))
    with pytest.raises(BrokenStreamError, match="max_event_bytes"):
        fed.into(SSEDecoder(CAP))
    assert CAP < fed.bytes <= CAP * 15 / 9 + 15  # 9 bytes of data per 15 fed


def test_the_cap_error_names_the_size_the_setting_and_the_fix_never_the_content():
    decoder = SSEDecoder()
    with pytest.raises(BrokenStreamError) as caught:
        decoder.feed(b"data: " + b"secret" * (DEFAULT_MAX_EVENT_BYTES // 6 + 1))
    assert str(caught.value) == (
        "a stream event passed 16 MiB (16777216 bytes), the limit set by "
        "max_event_bytes; raise max_event_bytes if the server really sends "
        "events this large"
    )
    assert caught.value.excerpt is None


@pytest.mark.parametrize(
    ("cap", "shown"),
    [
        (100, "100 bytes"),
        (100_000, "97.7 KiB (100000 bytes)"),
        (3 << 19, "1.5 MiB (1572864 bytes)"),
    ],
)
def test_the_cap_error_names_any_cap_in_bytes(cap: int, shown: str):
    with pytest.raises(BrokenStreamError) as caught:
        SSEDecoder(cap).feed(b"data: " + b"x" * (cap + 1) + b"\n")
    assert f"a stream event passed {shown}, the limit" in str(caught.value)


def test_the_default_cap_is_16_mib():
    assert DEFAULT_MAX_EVENT_BYTES == 16 * 1024 * 1024


# --- lines that are no SSE field -------------------------------------------------


def stray_of(*chunks: bytes) -> bytes:
    decoder = SSEDecoder()
    for chunk in chunks:
        decoder.feed(chunk)
    decoder.flush()
    return decoder.stray


def test_a_json_error_body_served_as_the_stream_is_kept():
    body = b'{"error": {"message": "Model is loading", "code": 503}}'
    assert stray_of(body) == body
    assert stray_of(*(body[i : i + 3] for i in range(0, len(body), 3))) == body


def test_a_pretty_printed_body_keeps_its_lines():
    body = b'{\r\n  "error": {\r\n    "message": "busy"\r\n  }\r\n}\r\n'
    assert stray_of(body) == b'{\n  "error": {\n    "message": "busy"\n  }\n}'


def test_sse_fields_and_comments_are_not_stray():
    stream = sample("\n") + b"data\nevent\nid\nretry\n:\n: x\nid:\nretry: 5\n\n"
    assert stray_of(stream) == b""


def test_stray_lines_among_events_are_kept_and_the_events_still_come():
    decoder = SSEDecoder()
    events = decoder.feed(b"<html>\ndata: a\n\nfoo: bar\ndata:b\n\ndatum: c\n")
    assert events + decoder.flush() == [SSEEvent(None, "a"), SSEEvent(None, "b")]
    assert decoder.stray == b"<html>\nfoo: bar\ndatum: c"


def test_stray_keeps_only_the_first_64_kib():
    line = b"x" * 1000
    assert stray_of(b"\n".join([line] * 100)) == b"\n".join([line] * 100)[:STRAY_LIMIT]
    assert len(stray_of(b"y" * (STRAY_LIMIT * 3))) == STRAY_LIMIT == 64 * 1024


def test_stray_is_read_only():
    with pytest.raises(AttributeError):
        SSEDecoder().stray = b"x"  # type: ignore[misc]


# --- bytes that are not UTF-8 ----------------------------------------------------


@pytest.mark.parametrize("field", [b"data: ", b"data:", b"event: "])
def test_bytes_that_are_not_utf8_are_quoted(field: bytes):
    with pytest.raises(BrokenStreamError) as caught:
        decode_all(field + b"caf\xe9 \xc3\xa9t\xc3\xa9\n\n")
    shown = field.decode() + "caf\\xe9 été"
    assert caught.value.excerpt == shown
    assert (
        str(caught.value) == f"the stream carried bytes that are not UTF-8: {shown!r}"
    )


def test_a_long_undecodable_line_is_quoted_in_part():
    with pytest.raises(BrokenStreamError) as caught:
        decode_all(b"data: \xff" + b"x" * 5000 + b"\n\n")
    assert caught.value.excerpt == "data: \\xff" + "x" * 190 + "…"


def test_undecodable_bytes_in_comments_and_stray_lines_are_no_error():
    assert decode_all(b": \xff\nid: \xfe\n\xff\ndata: a\n\n") == [SSEEvent(None, "a")]


# --- linear cost: a meter of every operation on the bytes ---------------------------


class Meter:
    """Counts the bytes that operations on metered byte strings touch.

    Every method and operator of `bytes` / `bytearray` called on a metered
    value is charged the length of the value and of each bytes-like argument
    (an append only the appended bytes: it is amortised O(1) per byte), and any
    byte string it returns is metered again. Fed metered reads, with its held
    line metered, the decoder touches no byte of the stream unseen. Not
    metered: work on the decoded text, which is joined once per event.
    """

    APPENDS = frozenset({"__iadd__", "extend", "append"})
    OPERATORS = (
        "__add__",
        "__contains__",
        "__getitem__",
        "__setitem__",
        "__delitem__",
        "__eq__",
        "__ne__",
        "__hash__",
        "__iter__",
        "__mul__",
        "__mod__",
        "__iadd__",
    )

    def __init__(self) -> None:
        self.touched = 0
        self.bytes = self._metered(bytes)
        self.bytearray = self._metered(bytearray)

    def charge(self, name: str, value: Any, args: tuple[Any, ...]) -> None:
        sizes = [len(a) for a in args if isinstance(a, bytes | bytearray | memoryview)]
        self.touched += sum(sizes) + (0 if name in self.APPENDS else len(value))

    def wrap(self, result: Any) -> Any:
        if type(result) is bytes:
            return self.bytes(result)
        if type(result) is bytearray:
            return self.bytearray(result)
        if type(result) in (list, tuple):
            return type(result)(map(self.wrap, result))
        return result

    def _metered(self, base: type) -> type:
        meter = self

        def charged(name: str) -> Callable[..., Any]:
            method = getattr(base, name)

            def operator(value: Any, *args: Any) -> Any:
                meter.charge(name, value, args)
                return meter.wrap(method(value, *args))

            return operator

        def __getattribute__(value: Any, name: str) -> Any:
            attr = base.__getattribute__(value, name)
            if name.startswith("__") or not callable(attr):
                return attr

            def call(*args: Any) -> Any:
                meter.charge(name, value, args)
                return meter.wrap(attr(*args))

            return call

        def __radd__(value: Any, other: Any) -> Any:
            meter.charge("__radd__", value, (other,))
            return meter.bytes(bytes(other) + bytes(memoryview(value)))

        def __bytes__(value: Any) -> Any:
            meter.charge("__bytes__", value, ())
            return meter.bytes(memoryview(value))

        namespace = {
            name: charged(name) for name in self.OPERATORS if hasattr(base, name)
        }
        namespace |= {
            "__getattribute__": __getattribute__,
            "__radd__": __radd__,
            "__bytes__": __bytes__,
        }
        return type(f"Metered{base.__name__}", (base,), namespace)

    def decode(self, chunks: list[bytes]) -> list[SSEEvent]:
        """Decode `chunks`, metered; the events come out as usual."""
        decoder = SSEDecoder()
        decoder._pending = self.bytearray()  # the held line: metered too
        events = []
        for chunk in chunks:
            events += decoder.feed(self.bytes(chunk))
        return events + decoder.flush()


def reads(data: bytes, size: int) -> list[bytes]:
    return [data[at : at + size] for at in range(0, len(data), size)]


def touched(chunks: list[bytes]) -> int:
    meter = Meter()
    assert meter.decode(chunks) == decode_all(*chunks)  # metering changes nothing
    return meter.touched


def test_the_meter_sees_quadratic_buffering():
    # The decoder's old way: the held bytes concatenated with each read, re-split.
    meter = Meter()
    held = meter.bytes()
    for chunk in reads(b"data: " + b"x" * (1 << 20) + b"\n\n", 4096):
        *_, held = (held + meter.bytes(chunk)).split(b"\n")
    assert meter.touched > 100 * (1 << 20)


def one_long_event(size: int, line_end: bytes = b"\n") -> bytes:
    return b"data: " + b"x" * size + line_end * 2


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_one_long_event_in_small_reads_costs_linear_time(line_end: bytes):
    costs = [
        touched(reads(one_long_event(size << 10, line_end), 4096))
        for size in (256, 512, 1024)
    ]
    assert costs[1] <= 2.1 * costs[0]
    assert costs[2] <= 2.1 * costs[1]
    assert costs[2] <= 16 * len(one_long_event(1 << 20))


@pytest.mark.parametrize(
    "line",
    [b": ", b"event: ", b"{", b"data: a\ndata: "],
    ids=["comment", "event", "stray", "multi-line-data"],
)
def test_any_long_line_in_one_byte_reads_costs_linear_time(line: bytes):
    data = line + b"x" * 8000 + b"\n\n"
    assert touched(reads(data, 1)) <= 16 * len(data)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 4096, 1 << 20])
@pytest.mark.parametrize("line_end", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_many_events_cost_linear_time_however_read(line_end: str, size: int):
    data = BOM + sample(line_end) * 40
    assert touched(reads(data, size)) <= 16 * len(data)


def test_many_lines_of_one_event_cost_linear_time():
    data = b"data: 1234\n" * 20_000 + b"\n"
    assert touched(reads(data, 4096)) <= 16 * len(data)
