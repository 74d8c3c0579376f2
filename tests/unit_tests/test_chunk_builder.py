"""`ChunkBuilder` has a chunk for every kind of stream part, and no fall-through."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from langchain_hf_router.core import types as core
from langchain_hf_router.messages import ChunkBuilder

EXAMPLES: dict[type, Any] = {
    core.TextDelta: core.TextDelta("Hi"),
    core.ReasoningDelta: core.ReasoningDelta("Hmm"),
    core.TextAnnotation: core.TextAnnotation({"type": "url_citation", "url": "u"}),
    core.ToolCallDelta: core.ToolCallDelta(0, "call_1", "f", "{}"),
    core.McpListTools: core.McpListTools("l1", "srv", ()),
    core.McpCall: core.McpCall("c1", "srv", "t", "{}"),
    core.McpApprovalRequest: core.McpApprovalRequest("r1", "srv", "t", "{}"),
    core.StreamFinish: core.StreamFinish("stop", None, core.ResponseInfo()),
}


def _members(alias: Any) -> set[type]:
    out: set[type] = set()
    for member in get_args(alias):
        out |= _members(member) if get_args(member) else {member}
    return out


def test_every_stream_part_kind_has_an_example() -> None:
    assert _members(core.StreamPart) == set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES, key=lambda k: k.__name__))
def test_every_stream_part_kind_becomes_a_chunk(kind: type) -> None:
    chunk = ChunkBuilder("responses").chunk(EXAMPLES[kind])
    assert (
        chunk.message.content
        or chunk.message.tool_call_chunks
        or (chunk.message.response_metadata.get("finish_reason") == "stop")
    )


def test_an_unknown_part_is_an_error_not_another_kinds_chunk() -> None:
    with pytest.raises(TypeError, match="no LangChain chunk for the stream part str"):
        ChunkBuilder("responses").chunk("stray")  # type: ignore[arg-type]
