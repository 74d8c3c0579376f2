"""Loading the vendored recordings, and running recorded streams through the core.

The recordings live in `tests/fixtures/conformance/` (origin and licence in its
README). Three on-disk shapes occur: JSON files (`{"status", "body"}`, a request's
`{"method", "path", "body"}`, or a bare body), raw HTTP transcripts (`.txt`: a status
line, optional headers, then the body) and VCR cassettes (YAML).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from langchain_hf_router.core.stream import StreamDecoder, StreamMapper
from langchain_hf_router.core.types import (
    McpApprovalRequest,
    McpCall,
    McpItem,
    McpListTools,
    ReasoningDelta,
    StreamFinish,
    StreamPart,
    TextAnnotation,
    TextDelta,
    ToolCallDelta,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "conformance"
LLAMACPP = "llamacpp_local/qwen2.5-coder-1.5b"
RESPONSES_JS = "responses_js_over_llamacpp/qwen2.5-coder-1.5b"


def path(relative: str) -> Path:
    return FIXTURES / relative


def load_json(relative: str) -> Any:
    return json.loads(path(relative).read_text(encoding="utf-8"))


def response_body(relative: str) -> dict[str, Any]:
    """The body of a `.response.json` (wrapped in `{status, body}` or bare)."""
    data = load_json(relative)
    return data["body"] if "body" in data and "status" in data else data


def response_status(relative: str) -> int:
    return int(load_json(relative)["status"])


def request_body(relative: str) -> dict[str, Any]:
    """The body of a `.request.json` (wrapped in `{method, path, body}` or bare)."""
    data = load_json(relative)
    return data["body"] if "method" in data and "body" in data else data


def raw(relative: str) -> bytes:
    return path(relative).read_bytes()


@dataclass
class Transcript:
    """The first HTTP response in a `.txt` transcript."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def transcript(relative: str) -> Transcript:
    lines = path(relative).read_text(encoding="utf-8").splitlines()
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    at = 1
    while ": " in lines[at] and not lines[at].startswith(("{", "data:")):
        name, _, value = lines[at].partition(": ")
        headers[name.lower()] = value
        at += 1
    # Some transcripts hold the same exchange twice; the body is the line after.
    return Transcript(status, headers, lines[at])


def transcript_events(relative: str) -> bytes:
    """A streamed transcript stored one `data:` line per event, as SSE bytes.

    `responses_js_over_llamacpp/errors/upstream_400_stream.txt` was stored without
    the blank lines that end each event on the wire; put them back.
    """
    lines = path(relative).read_text(encoding="utf-8").splitlines()[1:]
    return "".join(f"{line}\n\n" for line in lines if line.startswith("data:")).encode()


@dataclass
class Exchange:
    """One request/response pair of a VCR cassette."""

    uri: str
    request: Any
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON when the cassette stored it parsed, else the text

    def json(self) -> Any:
        return self.body if not isinstance(self.body, str) else json.loads(self.body)


def cassette(relative: str) -> list[Exchange]:
    data = yaml.safe_load(path(relative).read_text(encoding="utf-8"))
    exchanges = []
    for interaction in data["interactions"]:
        request, response = interaction["request"], interaction["response"]
        body = response.get("body") or {}
        if "parsed_body" in response:
            body = response["parsed_body"]
        elif isinstance(body, dict):
            body = body.get("string")
        headers = {
            name.lower(): values[0]
            for name, values in (response.get("headers") or {}).items()
            if values
        }
        sent = request.get("parsed_body", request.get("body"))
        exchanges.append(
            Exchange(request["uri"], sent, response["status"]["code"], headers, body)
        )
    return exchanges


def post(relative: str, index: int = 0) -> Exchange:
    """The `index`-th chat-completion POST of a cassette."""
    return [e for e in cassette(relative) if e.uri.endswith("/chat/completions")][index]


@cache
def tapes() -> dict[str, dict[str, Any]]:
    """huggingface.js tapes: `{hash: {url, init, response}}`."""
    data: dict[str, dict[str, Any]] = load_json(
        "huggingface_js_tapes/chat_completions_tapes.json"
    )
    return data


def tape(prefix: str) -> dict[str, Any]:
    (entry,) = [entry for key, entry in tapes().items() if key.startswith(prefix)]
    return entry


def tape_ids(*, status: int, stream: bool) -> list[str]:
    """Hash prefixes of the tapes answered with `status`, streamed or not."""
    return [
        key[:10]
        for key, entry in tapes().items()
        if entry["response"]["status"] == status
        and entry["response"]["body"].startswith("data:") == stream
    ]


# --- streams ------------------------------------------------------------------


def random_chunks(data: bytes, seed: int, largest: int = 7) -> list[bytes]:
    """`data` cut into pieces of 1..`largest` bytes, reproducibly."""
    rng = random.Random(seed)
    chunks, at = [], 0
    while at < len(data):
        size = rng.randint(1, largest)
        chunks.append(data[at : at + size])
        at += size
    return chunks


@dataclass
class StreamedCall:
    call_id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass
class Streamed:
    """What a stream added up to."""

    text: str = ""
    reasoning: str = ""
    calls: dict[int, StreamedCall] = field(default_factory=dict)
    mcp: list[McpItem] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    finish: StreamFinish | None = None
    parts: list[StreamPart] = field(default_factory=list)


def summarize(parts: list[StreamPart]) -> Streamed:
    out = Streamed(parts=parts)
    for part in parts:
        assert out.finish is None, "nothing may follow the finish part"
        if isinstance(part, TextDelta):
            out.text += part.text
        elif isinstance(part, ReasoningDelta):
            out.reasoning += part.text
        elif isinstance(part, ToolCallDelta):
            call = out.calls.setdefault(part.index, StreamedCall())
            if part.call_id is not None:
                assert call.call_id is None, "a call's id is given once"
                call.call_id = part.call_id
            if part.name:  # pieces add up, as LangChain's chunks do
                call.name = (call.name or "") + part.name
            call.arguments += part.arguments
        elif isinstance(part, TextAnnotation):
            out.annotations.append(part.annotation)
        elif isinstance(part, McpListTools | McpCall | McpApprovalRequest):
            out.mcp.append(part)
        else:
            assert isinstance(part, StreamFinish)
            out.finish = part
    assert out.finish is not None, "a stream ends with a finish part"
    return out


def decode(
    mapper: StreamMapper, chunks: list[bytes], *, starts_inside_think: bool = False
) -> Streamed:
    """Feed `chunks` through a `StreamDecoder`, close it, add the parts up."""
    decoder = StreamDecoder(mapper, starts_inside_think=starts_inside_think)
    parts: list[StreamPart] = []
    for chunk in chunks:
        parts.extend(decoder.feed(chunk))
    parts.extend(decoder.close())
    return summarize(parts)
