"""Seeded fuzz of the Responses answer parser and stream mapper.

(a) Id variants. A random answer (an optional reasoning item, 0-2 messages with
random text and 0-2 annotations, 0-3 function calls with random arguments, in a
random order, with a random status) is rendered as a stream the ways servers vary
it: deltas with the item's id, without one or with another; items announced with
their id, without, with another, or by `call_id` alone; announcements repeated;
`.done` events with any of those ids or dropped; text and arguments split at
random, streamed in part, or given whole only when done; annotations streamed or
not. A fresh `ResponsesEventMapper` must add the stream up to what `parse_response` makes
of the final response: the same text, reasoning, calls (by index), annotations
and finish reason, each call's id and name given once. 4 seeds x 600 answers.

(b) Mutations. Valid answers and streams (generated ones and the recordings) get
one value at a random JSON path replaced by one of another type (null, booleans,
numbers out of range, NaN, strings, lists, objects, JSON nested far past the
recursion limit) or removed. Only `WireShapeError` or the package's own errors
may come out. 4 seeds x 600 answers and 600 streams.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_hf_router.core import responses
from langchain_hf_router.core.errors import HuggingFaceRouterError
from langchain_hf_router.core.wire_json import WireShapeError

from .recorded import FIXTURES
from .test_responses_hardening import (
    Out,
    added,
    collect,
    deep,
    done,
    empty,
    invoked,
    response,
)

SEEDS = [0, 1, 2, 3]
ANSWERS_PER_SEED = 600
ALPHABET = 'ab cd,.\n{}"\\éß中🙂'
STATUSES: list[dict[str, Any]] = [
    {"status": "completed"},
    {"status": "completed"},
    {"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}},
    {"status": "incomplete", "incomplete_details": None},
    {"status": "cancelled"},
]


def random_text(rng: random.Random, shortest: int = 0) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(shortest, 24)))


def random_answer(rng: random.Random) -> dict[str, Any]:
    """A final response body: the answer invoke would get."""
    output: list[dict[str, Any]] = []
    for k in range(rng.randint(0, 2)):
        notes = [
            {
                "type": rng.choice(["url_citation", "file_citation"]),
                "url": f"https://e.example/{k}/{j}",
                "start_index": j,
                "end_index": j + 1,
            }
            for j in range(rng.randint(0, 2))
        ]
        part = {"type": "output_text", "text": random_text(rng), "annotations": notes}
        output.append({"type": "message", "id": f"msg_{k}", "content": [part]})
    for k in range(rng.randint(0, 3)):
        arguments = {"q": random_text(rng), "n": rng.randint(-5, 5)}
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{k}",
                "call_id": f"call_{k}",
                "name": rng.choice(["get_weather", "search"]),
                "arguments": json.dumps(arguments, ensure_ascii=rng.random() < 0.5),
            }
        )
    rng.shuffle(output)
    if rng.random() < 0.5:
        key = rng.choice(["content", "summary"])
        thought = [{"type": "reasoning_text", "text": random_text(rng, 1)}]
        output.insert(0, {"type": "reasoning", "id": "rs_0", key: thought})
    if rng.random() < 0.2:  # a server without item ids
        output = [
            {k: v for k, v in item.items() if k != "id"}
            if item["type"] != "function_call"
            else item
            for item in output
        ]
    return response(*output, **rng.choice(STATUSES))


def split(rng: random.Random, text: str) -> list[str]:
    """`text` in random pieces (an empty one now and then)."""
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text), rng.randint(0, 5))))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return [p for p in pieces if p or rng.random() < 0.1]


def with_id(item: dict[str, Any], variant: str, alias: str) -> dict[str, Any]:
    """`item` with its ids as one variant of server gives them."""
    item = dict(item)
    if variant in ("none", "call_id_only"):
        item.pop("id", None)
    elif variant == "other":
        item["id"] = alias
    elif variant == "id_only":
        item.pop("call_id", None)
    return item


def event_id(item: dict[str, Any], variant: str, alias: str) -> dict[str, Any]:
    """The `item_id` field of a delta, in one variant."""
    if variant == "none" or "id" not in item:
        return {}
    return {"item_id": alias if variant == "other" else item["id"]}


class Renderer:
    """Renders one final answer as a stream, varying it with `rng`."""

    def __init__(self, rng: random.Random, final: dict[str, Any]) -> None:
        self.rng = rng
        self.final = final
        self.events: list[dict[str, Any]] = [
            {"type": "response.created", "response": {**final, "output": []}}
        ]
        self.no_done = rng.random() < 0.2  # llama.cpp: no .done events at all

    def render(self) -> list[dict[str, Any]]:
        items = self.final["output"]
        texts = [i for i, item in enumerate(items) if item["type"] == "message"]
        for at, item in enumerate(items):
            self.item(item, at, last_text=not texts or at == texts[-1])
        kind = "response.completed"
        if self.final["status"] == "incomplete" and self.rng.random() < 0.7:
            kind = "response.incomplete"
        self.events.append({"type": kind, "response": self.final})
        return self.events

    def item(self, item: dict[str, Any], at: int, *, last_text: bool) -> None:
        rng = self.rng
        calls = item["type"] == "function_call"
        variants = (
            ["same", "other", "call_id_only", "id_only"]
            if calls
            else ["same", "none", "other"]
        )
        announced = with_id(empty(item), rng.choice(variants), f"alt_added_{at}")
        self.events.append(added(announced))
        if rng.random() < 0.2:  # announced twice, at once
            self.events.append(added(announced))
        closing = "drop" if self.no_done else rng.choice([*variants, "drop"])
        deltas = event_id(
            item, rng.choice(["same", "none", "other"]), f"alt_delta_{at}"
        )
        if calls:
            self.call(item, deltas, announced, closing)
        elif item["type"] == "message":
            self.message(item, deltas, partial=closing != "drop" or last_text)
        else:
            self.reasoning(item, deltas)
        if closing != "drop":
            self.events.append(done(with_id(item, closing, f"alt_done_{at}")))

    def message(
        self, item: dict[str, Any], where: dict[str, Any], *, partial: bool
    ) -> None:
        part = item["content"][0]
        pieces = split(self.rng, part["text"])
        if partial and self.rng.random() < 0.3:  # the rest only when done
            pieces = pieces[: self.rng.randint(0, len(pieces))]
        for piece in pieces:
            self.events.append(
                {"type": "response.output_text.delta", **where, "delta": piece}
            )
        for note in part["annotations"]:
            if self.rng.random() < 0.5:
                event = {"type": "response.output_text.annotation.added", **where}
                self.events.append({**event, "annotation": note})

    def reasoning(self, item: dict[str, Any], where: dict[str, Any]) -> None:
        kind = "reasoning_summary_text" if "summary" in item else "reasoning_text"
        text = item.get("summary", item.get("content"))[0]["text"]
        pieces = split(self.rng, text)
        if self.rng.random() < 0.3:
            pieces = pieces[: self.rng.randint(0, len(pieces))]
        for piece in pieces:
            self.events.append(
                {"type": f"response.{kind}.delta", **where, "delta": piece}
            )

    def call(
        self,
        item: dict[str, Any],
        where: dict[str, Any],
        announced: dict[str, Any],
        closing: str,
    ) -> None:
        rng = self.rng
        mode = rng.choice(["deltas", "partial", "whole_when_done"])
        pieces = [] if mode == "whole_when_done" else split(rng, item["arguments"])
        if mode == "partial":
            pieces = pieces[: rng.randint(0, len(pieces))]
        for n, piece in enumerate(pieces):
            if n == 1 and rng.random() < 0.1 and announced.get("call_id"):
                self.events.append(added(announced))  # announced again, later
            event = {"type": "response.function_call_arguments.delta", **where}
            self.events.append({**event, "delta": piece})
        if closing != "drop" and rng.random() < 0.3:
            event = {"type": "response.function_call_arguments.done", **where}
            self.events.append({**event, "arguments": item["arguments"]})


def sorted_notes(out: Out) -> list[str]:
    return sorted(json.dumps(note, sort_keys=True) for note in out.notes)


@pytest.mark.parametrize("seed", SEEDS)
def test_any_id_variant_adds_up_to_the_whole_answer(seed: int):
    rng = random.Random(seed)
    for case in range(ANSWERS_PER_SEED):
        final = random_answer(rng)
        events = Renderer(rng, final).render()
        whole = invoked(final)
        streamed = collect(events)
        context = f"seed {seed} case {case}: {json.dumps(events)[:3000]}"
        assert (streamed.text, streamed.reasoning) == (whole.text, whole.reasoning), (
            context
        )
        assert streamed.tool_calls() == whole.tool_calls(), context
        assert sorted_notes(streamed) == sorted_notes(whole), context
        assert streamed.finish is not None
        assert whole.finish is not None
        assert streamed.finish.finish_reason == whole.finish.finish_reason, context


# --- (b) mutations ----------------------------------------------------------------

DEEP_OBJECT = deep()
DEEP_LIST: list[Any] = []
_inner = DEEP_LIST
for _ in range(20_000):
    _inner.append([])
    _inner = _inner[0]

WRONG: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**70,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "text",
    [],
    [None],
    [1, "a", {}],
    {},
    {"type": "message"},
    {"message": {"message": 3}},
    DEEP_OBJECT,
    DEEP_LIST,
]
_GONE = object()


def paths(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) in a JSON value, the root's own slot excluded."""
    stack = [value]
    while stack:
        node = stack.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            yield node, key
            if isinstance(node[key], (dict, list)):
                stack.append(node[key])


def mutated(rng: random.Random, value: dict[str, Any]) -> dict[str, Any]:
    """A copy of `value` with one value of another type, or one key gone."""
    value = copy.deepcopy(value)
    slots = list(paths(value))
    if not slots:
        return value
    node, key = rng.choice(slots)
    wrong = rng.choice([*WRONG, _GONE])
    if wrong is _GONE and isinstance(node, dict):
        del node[key]
    else:
        node[key] = None if wrong is _GONE else wrong
    return value


def recorded_material() -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The recorded Responses answers and streams."""
    bodies, streams = [], []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or "respons" not in path.name:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if '"type":"response.' in text.replace(" ", ""):
            events = [
                json.loads(line[5:])
                for line in text.splitlines()
                if line.startswith("data:") and line[5:].strip().startswith("{")
            ]
            streams.append(events)
        elif path.suffix == ".json":
            data = json.loads(text)
            body = data.get("body", data) if isinstance(data, dict) else None
            if isinstance(body, dict) and "output" in body:
                bodies.append(body)
    return bodies, streams


RECORDED_BODIES, RECORDED_STREAMS = recorded_material()


# Only the package's own errors may come out of a hostile answer.
OWN_ERRORS = (WireShapeError, HuggingFaceRouterError)


def feed_all(events: list[dict[str, Any]]) -> None:
    mapper = responses.ResponsesEventMapper()
    for event in events:
        mapper.feed(event)
    mapper.finish()


def test_the_recordings_are_there():
    assert len(RECORDED_BODIES) >= 5
    assert len(RECORDED_STREAMS) >= 5


@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_typed_answers_give_only_the_packages_errors(seed: int):
    rng = random.Random(seed)
    for _ in range(ANSWERS_PER_SEED):
        recorded = rng.random() < 0.3
        body = rng.choice(RECORDED_BODIES) if recorded else random_answer(rng)
        with contextlib.suppress(*OWN_ERRORS):
            responses.parse_response(mutated(rng, body))


@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_typed_events_give_only_the_packages_errors(seed: int):
    rng = random.Random(seed)
    for _ in range(ANSWERS_PER_SEED):
        if rng.random() < 0.3:
            events = list(rng.choice(RECORDED_STREAMS))
        else:
            events = Renderer(rng, random_answer(rng)).render()
        at = rng.randrange(len(events))
        events[at] = mutated(rng, events[at])
        with contextlib.suppress(*OWN_ERRORS):
            feed_all(events)
