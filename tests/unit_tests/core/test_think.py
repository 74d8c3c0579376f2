"""Reasoning inlined as `<think>...</think>` in answer text (protocol.md, way 3).

The tags can be split across stream chunks, and the opening tag may be missing
when the chat template already opened the block.
"""

from __future__ import annotations

import itertools
import json
import random

import pytest

from langchain_hf_router.core.think import (
    ThinkSplitter,
    split_whole,
    starts_inside_think,
)

from .recorded import post, tape

Pieces = list[tuple[bool, str]]


def merged(pieces: Pieces) -> Pieces:
    """Adjacent pieces of the same kind joined (how a consumer adds them up)."""
    out: Pieces = []
    for reasoning, text in pieces:
        if out and out[-1][0] == reasoning:
            out[-1] = (reasoning, out[-1][1] + text)
        else:
            out.append((reasoning, text))
    return out


def stream(
    chunks: list[str], *, start_inside: bool = False, plain_first: bool = False
) -> Pieces:
    """Feed `chunks` as a stream would.

    `plain_first` is `StreamDecoder`'s way: the fast path first, and never an
    empty delta (the wire mappers drop those).
    """
    splitter = ThinkSplitter(start_inside=start_inside)
    pieces: Pieces = []
    for chunk in chunks:
        if plain_first and not chunk:
            continue
        if plain_first and splitter.plain(chunk):
            pieces.append((False, chunk))
        else:
            pieces.extend(splitter.feed(chunk))
    pieces.extend(splitter.flush())
    assert all(text for _, text in pieces), "no empty pieces"
    return pieces


def cut(text: str, points: list[int]) -> list[str]:
    bounds = [0, *sorted(points), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


# --- whole answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>why</think>answer", [(True, "why"), (False, "answer")]),
        (
            "<think>\n  step one\nstep two\n</think>\n\nThe answer.",
            [(True, "step one\nstep two\n"), (False, "The answer.")],
        ),
        # The chat template opened the block: only the closing tag comes back.
        ("why\n</think>\n\nanswer", [(True, "why\n"), (False, "answer")]),
        ("no reasoning at all", [(False, "no reasoning at all")]),
        ("", []),
        # Reasoning that is only whitespace leaves nothing behind.
        ("<think>\n\n</think>\n\nanswer", [(False, "answer")]),
        # Cut off inside the block (finish_reason "length").
        ("<think>\nstill thinking", [(True, "still thinking")]),
    ],
    ids=["tags", "whitespace", "no-open-tag", "no-tags", "empty", "blank", "cut-off"],
)
def test_split_whole(text: str, expected: Pieces):
    assert split_whole(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "if a < b and b > c then <b>bold</b>",
        "<thinking>not a tag</thinking> <thin k>",
        "a <think without a close",
        "x </think without >",
        "<",
        "ends with <thi",
    ],
)
def test_angle_brackets_that_are_not_think_tags_stay_text(text: str):
    assert merged(split_whole(text)) == [(False, text)]
    for at in range(len(text) + 1):
        assert merged(stream([text[:at], text[at:]])) == [(False, text)], at


def test_text_before_the_opening_tag_is_answer_text():
    assert split_whole("Sure. <think>hm</think> Done") == [
        (False, "Sure. "),
        (True, "hm"),
        (False, "Done"),
    ]


# --- streams ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start_inside"),
    [("<think>abc</think>xyz", False), ("abc</think>xyz", True)],
    ids=["open-tag", "start-inside"],
)
def test_tags_split_at_every_position(text: str, start_inside: bool):
    expected = [(True, "abc"), (False, "xyz")]
    for at in range(len(text) + 1):
        chunks = [text[:at], text[at:]]
        assert merged(stream(chunks, start_inside=start_inside)) == expected, at
    chunks = [text[i : i + 1] for i in range(len(text))]
    assert merged(stream(chunks, start_inside=start_inside)) == expected


def test_tags_cut_into_three_at_every_pair_of_positions():
    text = "<think>a</think>b"
    for first in range(len(text) + 1):
        for second in range(first, len(text) + 1):
            chunks = cut(text, [first, second])
            assert merged(stream(chunks)) == [(True, "a"), (False, "b")], chunks


def test_missing_opening_tag_streamed_with_start_inside():
    chunks = ["Let me", " think.\n</thi", "nk>\n\n", "Paris."]
    assert merged(stream(chunks, start_inside=True)) == [
        (True, "Let me think.\n"),
        (False, "Paris."),
    ]


def test_a_partial_tag_is_held_back_until_it_is_decided():
    splitter = ThinkSplitter()
    assert splitter.feed("Hello <th") == [(False, "Hello ")]
    assert splitter.feed("ere") == [(False, "<there")]
    assert splitter.feed("<") == []
    assert splitter.flush() == [(False, "<")]


def test_whitespace_after_a_tag_is_stripped_across_chunks():
    chunks = ["<think>", "\n", "  ", "why", "</think>", "\n\n", " ", "answer"]
    assert stream(chunks) == [(True, "why"), (False, "answer")]


def test_provider_separates_reasoning_before_any_text_cancels_start_inside():
    # llama.cpp sends `reasoning_content` itself: the content is all answer.
    splitter = ThinkSplitter(start_inside=True)
    splitter.provider_separates_reasoning()
    assert splitter.feed("  Final answer") == [(False, "  Final answer")]
    assert splitter.flush() == []


def test_provider_separates_reasoning_after_text_changes_nothing():
    splitter = ThinkSplitter(start_inside=True)
    assert splitter.feed("hm") == [(True, "hm")]
    splitter.provider_separates_reasoning()
    assert splitter.feed("</think>ok") == [(False, "ok")]


def test_plain_is_the_fast_path_only_outside_any_block():
    splitter = ThinkSplitter()
    assert splitter.plain("just text")
    assert not splitter.plain("a <b>")
    assert not ThinkSplitter(start_inside=True).plain("reasoning")
    held = ThinkSplitter()
    held.feed("x <thi")
    assert not held.plain("no tag here")


# Answers for the property loop, with whether a stream must start inside.
ANSWERS = [
    ("<think>\nFirst, 2+2.\nThat is 4.\n</think>\n\nThe answer is **4**.", False),
    ("I think 2+2=4\n</think>\n\n4", True),
    ("plain answer with a < b and <b>tags</b>", False),
    ("<think></think>empty reasoning", False),
    ("<think> a <thin b </thi c </think> d <think>e</think> f", False),
    ("  \n<think>\n\n</think>\n\n  spaced", False),
    ("<think>日本語の推論 😀</think>答え 😀", False),
    ("<think>never closed", False),
]


@pytest.mark.parametrize(("text", "start_inside"), ANSWERS)
@pytest.mark.parametrize("plain_first", [False, True], ids=["feed", "plain-first"])
def test_any_chunking_adds_up_to_the_whole_text_split(
    text: str, start_inside: bool, plain_first: bool
):
    expected = merged(split_whole(text))
    rng = random.Random(text)
    chunkings = [[text[:at], text[at:]] for at in range(len(text) + 1)]
    for _ in range(300):
        points = rng.sample(range(len(text) + 1), k=rng.randint(1, 8))
        chunkings.append(cut(text, points))
    for chunks in chunkings:
        got = stream(chunks, start_inside=start_inside, plain_first=plain_first)
        assert merged(got) == expected, chunks


# --- recorded answers ---------------------------------------------------------------


def test_recorded_deepseek_r1_answer_on_together():
    body = post("pydantic_ai_vcr/test_request_simple_usage.yaml").json()
    content = body["choices"][0]["message"]["content"]
    pieces = split_whole(content)
    assert [reasoning for reasoning, _ in pieces] == [True, False]
    assert pieces[0][1].startswith("Okay, the user just said")
    assert pieces[0][1].endswith("treat it as genuine.\n")
    assert pieces[1][1].startswith("Hello! 😊")
    assert "think>" not in pieces[0][1] + pieces[1][1]


def test_recorded_deepseek_r1_answer_cut_off_inside_its_reasoning():
    body = post("pydantic_ai_vcr/test_max_completion_tokens.yaml").json()
    assert body["choices"][0]["finish_reason"] == "length"
    (piece,) = split_whole(body["choices"][0]["message"]["content"])
    assert piece[0] is True
    assert piece[1].startswith("Hmm, the user just said")


def test_recorded_deepseek_r1_answer_on_fireworks():
    body = json.loads(tape("f9b039c4a7")["response"]["body"])
    content = body["choices"][0]["message"]["content"]
    (reasoning, why), (answer, text) = split_whole(content)
    assert (reasoning, answer) == (True, False)
    assert why.startswith("Okay, let's see.")
    assert text.startswith("One plus one is equal to **two**.")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("deepseek-ai/DeepSeek-R1", True),
        ("deepseek-ai/DeepSeek-R1:together", True),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", True),
        ("Qwen/QwQ-32B", True),
        ("meta-llama/Llama-3.3-70B-Instruct", False),
        ("deepseek-ai/DeepSeek-V3", False),
        ("Qwen/Qwen2.5-72B-Instruct", False),
    ],
)
def test_starts_inside_think(model: str, expected: bool):
    assert starts_inside_think(model) is expected


def test_start_inside_tolerates_an_opening_tag_that_does_come():
    # starts_inside_think() is true for DeepSeek-R1, yet together sends the tag.
    body = post("pydantic_ai_vcr/test_request_simple_usage.yaml").json()
    content = body["choices"][0]["message"]["content"]
    assert content.startswith("<think>")
    assert starts_inside_think(body["model"])
    for size in (1, 2, 3, 5, 8, 13):
        chunks = cut(content, list(range(0, len(content), size)))
        got = merged(stream(chunks, start_inside=True, plain_first=True))
        assert got == merged(split_whole(content)), size


# Answers whose block is opened by a tag, maybe after whitespace: a stream that
# assumed the block open must give the same pieces as one that did not.
OPENED_BY_A_TAG = [
    "<think>\nFirst, 2+2.\n</think>\n\nThe answer is **4**.",
    "\n\n  <think>x</think>y",
    "<think></think>empty reasoning",
    "<think>never closed",
    "<think>",
    "<thin",
]


@pytest.mark.parametrize("text", OPENED_BY_A_TAG)
def test_start_inside_with_an_opening_tag_at_every_split(text: str):
    # Whitespace before the tag is dropped with the assumed-open block.
    expected = merged(split_whole(text.lstrip()))
    if text == "<thin":  # not a tag: assumed-open reasoning
        expected = [(True, "<thin")]
    rng = random.Random(text)
    chunkings = [[text[:at], text[at:]] for at in range(len(text) + 1)]
    for _ in range(200):
        points = rng.sample(range(len(text) + 1), k=rng.randint(1, 6))
        chunkings.append(cut(text, points))
    for chunks in chunkings:
        got = stream(chunks, start_inside=True, plain_first=True)
        assert merged(got) == expected, chunks
