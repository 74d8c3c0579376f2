"""Seeded fuzz of the Chat Completions reader.

Mutation fuzz: valid whole answers and streams (recorded ones and a few built here)
with one to three values at random JSON paths replaced by a value of another kind
(null, numbers, NaN, strings, lists, objects, booleans, a 3000-deep list) or deleted;
`parse_response` and `ChatChunkMapper` may then raise only `WireShapeError` or the
package's own errors. Tool-call fuzz: one to four calls with random names and
arguments, the arguments cut into fragments interleaved between the calls, with or
without `index` (then each call comes whole before the next, its id on its first
delta), ids on the first or on every delta, the name repeated in every delta or not;
the deltas must add up to the calls as generated, numbered 0, 1, 2... in order.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from langchain_hf_router.core.chat_completions import ChatChunkMapper, parse_response
from langchain_hf_router.core.errors import HuggingFaceRouterError
from langchain_hf_router.core.types import StreamPart, ToolCallDelta
from langchain_hf_router.core.wire_json import WireShapeError

from .recorded import LLAMACPP, post, raw, response_body, tape, tape_ids

SEEDS = [0, 1, 2, 3]
HUB = "huggingface_hub_vcr"
BROKEN_TAPE = "b3cad22ff4"  # its last event is not JSON


def _deep_list(depth: int) -> list[Any]:
    root: list[Any] = []
    inner = root
    for _ in range(depth):
        inner.append([])
        inner = inner[0]
    return root


DEEP = _deep_list(3000)


def wrong_value(rng: random.Random) -> Any:
    """A JSON value of any kind, the hostile ones included."""
    kind = rng.randrange(12)
    return [
        None,
        rng.randint(-3, 3),
        rng.choice([float("nan"), float("inf"), 1.5, -0.0]),
        "".join(rng.choices(string.printable, k=rng.randint(0, 5))),
        [],
        [rng.randint(0, 2), "x", None],
        {},
        {"text": rng.randint(0, 9), "index": "0"},
        True,
        False,
        DEEP,
        [DEEP],
    ][kind]


def _events(data: bytes) -> list[dict[str, Any]]:
    """The JSON objects of a recorded stream's `data:` lines."""
    events = []
    for block in data.decode().replace("\r\n", "\n").split("\n\n"):
        payload = block.strip().removeprefix("data:").strip()
        if payload and payload != "[DONE]":
            events.append(json.loads(payload))
    return events


CALL = {
    "id": 0,
    "type": "function",
    "function": {"name": "weather", "arguments": {"city": "Paris"}},
}
BUILT_ANSWERS: list[dict[str, Any]] = [
    {
        "id": "c1",
        "model": "m",
        "created": 1,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "reasoning_content": "think",
                    "content": [{"type": "text", "text": "Hi"}],
                    "tool_calls": [CALL, {**CALL, "id": "call_2"}],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 3,
            "completion_tokens": 2,
            "total_tokens": 5,
            "prompt_tokens_details": {"cached_tokens": 1},
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
    }
]


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "c1", "model": "m", "created": 1, "choices": [choice]}


BUILT_STREAMS: list[list[dict[str, Any]]] = [
    [
        _chunk({"role": "assistant", "reasoning": "hm"}),
        _chunk({"content": "Hi", "tool_calls": None}),
        _chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f"}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x"'}}]}),
        _chunk({"tool_calls": [{"id": "b", "function": {"arguments": {"y": 1}}}]}),
        _chunk({}, "tool_calls"),
        {
            "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    ]
]


@cache
def answers() -> list[str]:
    """Valid whole answers, as JSON text (parsed afresh for each case)."""
    bodies = [
        response_body(f"{LLAMACPP}/{name}.response.json")
        for name in (
            "02_chat_basic",
            "05_chat_tools_parallel",
            "11_chat_logprobs",
        )
    ]
    cassette = f"{HUB}/InferenceClientVCRTest.test_chat_completion_with_tool.yaml"
    bodies.append(post(cassette).json())
    bodies.extend(
        json.loads(tape(prefix)["response"]["body"])
        for prefix in tape_ids(status=200, stream=False)[:6]
    )
    return [json.dumps(body) for body in [*bodies, *BUILT_ANSWERS]]


@cache
def streams() -> list[str]:
    """Valid streams, each as the JSON text of its list of chunks."""
    recorded = [
        raw(f"{LLAMACPP}/03_chat_stream_usage.response.sse.txt"),
        raw(f"{LLAMACPP}/06_chat_tools_stream.response.sse.txt"),
        raw("llamacpp_local/reasoning/chat_stream_reasoning.sse.txt"),
        raw("litellm_proxy/mock_chat_stream.sse.txt"),
        *(
            str(tape(prefix)["response"]["body"]).encode()
            for prefix in tape_ids(status=200, stream=True)[:6]
            if prefix != BROKEN_TAPE
        ),
    ]
    return [json.dumps(events) for events in [*map(_events, recorded), *BUILT_STREAMS]]


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a JSON value, found without recursion."""
    slots: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            slots.append((node, key))
            if isinstance(node[key], (dict, list)) and node[key] is not DEEP:
                stack.append(node[key])
    return slots


def mutate(value: Any, rng: random.Random) -> None:
    """Replace (or delete) one value at a random path of `value`, in place."""
    slots = _slots(value)
    if not slots:
        return
    node, key = rng.choice(slots)
    if isinstance(node, dict) and rng.random() < 0.2:
        del node[key]
    else:
        node[key] = wrong_value(rng)


OUTCOMES = (WireShapeError, HuggingFaceRouterError)


def _whole(rng: random.Random) -> bool:
    """One mutated whole answer; whether it was read without an error."""
    body = json.loads(rng.choice(answers()))
    for _ in range(rng.randint(1, 3)):
        mutate(body, rng)
    try:
        parse_response(body)
    except OUTCOMES:
        return False
    return True


def _stream(rng: random.Random) -> bool:
    """One stream with a mutated chunk; whether it was read without an error."""
    chunks = json.loads(rng.choice(streams()))
    for _ in range(rng.randint(1, 3)):
        mutate(rng.choice(chunks), rng)
    mapper = ChatChunkMapper()
    try:
        for each in chunks:
            mapper.feed(each)
    except OUTCOMES:
        return False
    mapper.finish()
    return True


def test_the_unmutated_sources_are_read():
    for body in answers():
        assert parse_response(json.loads(body)).finish_reason is not None
    for chunks in streams():
        mapper = ChatChunkMapper()
        for each in json.loads(chunks):
            mapper.feed(each)
        assert mapper.complete


@pytest.mark.parametrize("case", [_whole, _stream], ids=["whole", "stream"])
@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_answers_raise_only_the_packages_errors(
    case: Callable[[random.Random], bool], seed: int
):
    rng = random.Random(seed)
    read = [case(rng) for _ in range(500)]
    # Both outcomes occur: the fuzz reaches the readers' checks and the paths past them.
    assert any(read)
    assert not all(read)


# --- tool-call streams --------------------------------------------------------------


@dataclass
class Call:
    call_id: str | int
    name: str
    arguments: str
    index: int


def _calls(rng: random.Random) -> list[Call]:
    count = rng.randint(1, 4)
    indices = rng.sample(range(10), count)
    calls = []
    for n in range(count):
        ids: list[str | int] = [f"call_{rng.getrandbits(40):x}", n + 100]
        call_id = rng.choice(ids)
        name = "".join(rng.choices(string.ascii_lowercase + "_", k=rng.randint(1, 12)))
        args = {f"k{i}": rng.choice([1, "vé", None, [2.5]]) for i in range(3)}
        arguments = json.dumps(dict(list(args.items())[: rng.randint(0, 3)]))
        calls.append(Call(call_id, name, arguments, indices[n]))
    return calls


def _fragments(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(
        rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 4)))
    )
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return ["", *pieces] if rng.random() < 0.5 else pieces


def _deltas(call: Call, rng: random.Random, style: dict[str, bool]) -> list[Any]:
    """The deltas of one call, in order; the first introduces it."""
    out = []
    for n, piece in enumerate(_fragments(call.arguments, rng)):
        function: dict[str, Any] = {"arguments": piece}
        delta: dict[str, Any] = {"type": "function", "function": function}
        if n == 0 or style["name_every"]:
            function["name"] = call.name
        if n == 0 or style["id_every"]:
            delta["id"] = call.call_id
        if style["indexed"]:
            delta["index"] = call.index
        out.append(delta)
    return out


def _interleave(
    per_call: list[list[Any]], rng: random.Random, *, mixed: bool
) -> list[Any]:
    if not mixed:
        return [delta for deltas in per_call for delta in deltas]
    queues = [list(deltas) for deltas in per_call]
    out = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        out.append(queue.pop(0))
    return out


def _chunks(deltas: list[Any], rng: random.Random, *, grouped: bool) -> list[Any]:
    chunks = [_chunk({"role": "assistant", "content": ""})]
    at = 0
    while at < len(deltas):
        size = rng.randint(1, 3) if grouped else 1
        chunks.append(_chunk({"tool_calls": deltas[at : at + size]}))
        at += size
    return [*chunks, _chunk({}, "tool_calls")]


def _reassembled(parts: list[StreamPart]) -> list[tuple[str | None, str, str]]:
    calls: dict[int, list[Any]] = {}
    for part in parts:
        if not isinstance(part, ToolCallDelta):
            continue
        assert part.index == len(calls) or part.index in calls, "dense, in order"
        call = calls.setdefault(part.index, [part.call_id, "", ""])
        assert part.call_id is None or part.index == len(calls) - 1
        call[1] += part.name or ""
        call[2] += part.arguments
    return [(call_id, name, args) for call_id, name, args in calls.values()]


def _tool_stream_case(rng: random.Random) -> None:
    calls = _calls(rng)
    style = {k: rng.random() < 0.5 for k in ("indexed", "id_every", "name_every")}
    per_call = [_deltas(call, rng, style) for call in calls]
    deltas = _interleave(per_call, rng, mixed=style["indexed"])
    chunks = _chunks(deltas, rng, grouped=style["indexed"])
    mapper = ChatChunkMapper()
    parts = [part for each in chunks for part in mapper.feed(each)]
    first_seen = sorted(
        calls,
        key=lambda c: next(i for i, d in enumerate(deltas) if d.get("id") == c.call_id),
    )
    assert _reassembled(parts) == [
        (str(c.call_id), c.name, c.arguments) for c in first_seen
    ], (style, deltas)
    assert mapper.finish().finish_reason == "tool_calls"


@pytest.mark.parametrize("seed", SEEDS)
def test_tool_call_streams_add_up_to_the_calls(seed: int):
    rng = random.Random(seed)
    for _ in range(600):
        _tool_stream_case(rng)
