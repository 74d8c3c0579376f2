"""Seeded fuzz test of `SSEDecoder` against a reference decoder written for clarity.

Each case is a random event stream: an optional byte-order mark (or the start of
one), then random lines (`data:` with and without the space, holding ASCII,
2-, 3- and 4-byte UTF-8 and byte-order marks; comments; `event:`, `id:` and
`retry:` fields; blank lines; lines that are no SSE field; now and then bytes
that are not UTF-8), each ended by LF, CRLF or CR, the last one at times by
nothing. The stream is cut into random reads (1 byte, a few bytes, up to the
whole stream), and decoded with either the default cap or a cap small enough
for some lines or events to pass it. The events, the stray lines and whether
the decoder refuses the stream must be what the reference says, whatever the
cuts. 4 seeds x 750 cases.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pytest

from langchain_hf_router import BrokenStreamError
from langchain_hf_router.core.sse import STRAY_LIMIT, SSEDecoder, SSEEvent

BOM = b"\xef\xbb\xbf"
CASES_PER_SEED = 750
CHARACTERS = [*"abcXYZ019 :{}\"',\t", "é", "ß", "日本", "€", "😀", "\ufeff"]
LINE_ENDS = [b"\n", b"\r\n", b"\r"]
STRAY_LINES = [
    b'{"error": {"message": "Model is loading", "code": 503}}',
    b"<html><body>Bad Gateway</body></html>",
    b"foo: bar",
    b"datum: x",
    b"Data: x",
    b" data: x",
    BOM + b"data: x",
    b"\xff\xfe",
]


# --- the reference: the whole stream at once, line by line -----------------------


@dataclass
class Outcome:
    events: list[SSEEvent]
    stray: bytes
    refused: bool


def reference(stream: bytes, cap: int) -> Outcome:
    """What the decoder must make of `stream`, following the spec step by step.

    Where the decoder chose otherwise than the spec, so does this: an `event:`
    value is stripped of all surrounding whitespace (the spec removes one
    leading space), and a `data` line without a colon is ignored (the spec
    adds an empty line). The cap: an event whose data (lines joined by LF)
    passes `cap` bytes, a data line whose value does, or any other line longer
    than `cap` + 6 bytes, refuses the stream.
    """
    if stream.startswith(BOM):
        stream = stream[len(BOM) :]
    events: list[SSEEvent] = []
    stray: list[bytes] = []
    data: list[bytes] | None = None
    name: str | None = None
    try:
        for line in [*re.split(rb"\r\n|\r|\n", stream), b""]:
            field, colon, value = line.partition(b":")
            if colon and value.startswith(b" "):
                value = value[1:]
            if not line:
                if data is not None:
                    events.append(SSEEvent(name, b"\n".join(data).decode("utf-8")))
                data, name = None, None
            elif colon and field == b"data":
                data = [*(data or []), value]
                if len(b"\n".join(data)) > cap:
                    return Outcome(events, b"", True)
            elif len(line) > cap + 6:
                return Outcome(events, b"", True)
            elif colon and field == b"event":
                name = value.strip().decode("utf-8")
            elif field not in (b"", b"data", b"event", b"id", b"retry"):
                stray.append(line)
    except UnicodeDecodeError:
        return Outcome(events, b"", True)
    return Outcome(events, b"\n".join(stray)[:STRAY_LIMIT], False)


def decoded(chunks: list[bytes], cap: int) -> Outcome:
    decoder = SSEDecoder(max_event_bytes=cap)
    events: list[SSEEvent] = []
    try:
        for chunk in chunks:
            events += decoder.feed(chunk)
        events += decoder.flush()
    except BrokenStreamError:
        return Outcome(events, b"", True)
    return Outcome(events, decoder.stray, False)


# --- random streams -----------------------------------------------------------------


def text(rng: random.Random, longest: int) -> bytes:
    size = rng.randint(0, longest)
    return "".join(rng.choices(CHARACTERS, k=size)).encode()


def line(rng: random.Random, longest: int) -> bytes:
    kind = rng.choices(
        ["data", "blank", "comment", "event", "id", "retry", "stray", "not-utf8"],
        weights=[40, 25, 6, 8, 3, 2, 4, 1],
    )[0]
    if kind == "data":
        return rng.choice([b"data: ", b"data:", b"data:  ", b"data"]) + text(
            rng, longest
        )
    if kind == "comment":
        return b":" + text(rng, longest)
    if kind == "event":
        return rng.choice([b"event: ", b"event:", b"event:  "]) + text(rng, 12)
    if kind == "id":
        return rng.choice([b"id: 7", b"id:", b"id"])
    if kind == "retry":
        return rng.choice([b"retry: 1000", b"retry"])
    if kind == "stray":
        return rng.choice(STRAY_LINES)
    if kind == "not-utf8":
        return rng.choice([b"data: \xff", b"data:caf\xe9", b"event: \xc3"])
    return b""


def stream(rng: random.Random) -> bytes:
    longest = rng.choice([8, 40, 200])
    lines = [line(rng, longest) for _ in range(rng.randint(0, 30))]
    ends = [rng.choice(LINE_ENDS) for _ in lines]
    if lines and rng.random() < 0.2:
        ends[-1] = b""  # a last line with no line end
    out = b"".join(part + end for part, end in zip(lines, ends, strict=True))
    start = rng.choices([b"", BOM, BOM[:1], BOM[:2], BOM + BOM], [6, 6, 1, 1, 1])[0]
    return start + out


def reads(rng: random.Random, data: bytes) -> list[bytes]:
    largest = rng.choice([1, 2, 3, 7, 64, len(data) or 1])
    chunks, at = [], 0
    while at < len(data):
        size = rng.randint(1, largest)
        chunks.append(data[at : at + size])
        at += size
    if rng.random() < 0.1:
        chunks.insert(rng.randint(0, len(chunks)), b"")
    return chunks


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_streams_cut_at_random_decode_as_the_reference_says(seed: int):
    rng = random.Random(seed)
    refused = 0
    for case in range(CASES_PER_SEED):
        data = stream(rng)
        cap = rng.choice([1 << 24, 1 << 24, rng.randint(5, 120)])
        chunks = reads(rng, data)
        want, got = reference(data, cap), decoded(chunks, cap)
        where = f"case {case}: {data!r} in {len(chunks)} reads, cap {cap}"
        assert got.refused == want.refused, where
        if want.refused:
            # Events completed in the read that is refused are not given out.
            assert got.events == want.events[: len(got.events)], where
        else:
            assert got.events == want.events, where
            assert got.stray == want.stray, where
        refused += got.refused
    # Both outcomes are exercised, neither is the rule.
    assert CASES_PER_SEED / 20 < refused < CASES_PER_SEED / 2
