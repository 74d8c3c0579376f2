"""Every ```python block in docs/*.md runs against the router emulator.

Each block runs in a fresh namespace with the package pointed at the emulator
through the environment, after a few replies with reasoning and text are queued.
A block must finish without an error or an unexpected warning (the pytest
configuration turns warnings into errors), and must reach the emulator at least
once, unless it is marked as making no request.

Markers:
- `<!-- docs: no-request -->` on the line before the fence: the block only
  builds things; it must make no request at all.
- `<!-- docs: replies=NAME -->` on the line before the fence: the emulator answers
  with the scripted turns `SCRIPTS[NAME]` (tool calls, JSON) instead of the
  default replies.
- `# docs: no-run (<reason>)` as the block's first line: the block is skipped
  with that reason. Avoid it: write files into the working directory (a fresh
  temporary directory) or use inline bytes instead.
"""

from __future__ import annotations

import gc
import re
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from router_emulator import Reply, RouterEmulator, ToolCall

from langchain_hf_router import huggingface

DOCS = Path(__file__).resolve().parents[3] / "docs"
EXPECTED_PAGES = (
    "index.md",
    "chat-model.md",
    "api-choice.md",
    "tools-and-agents.md",
    "structured-output.md",
    "reliability.md",
)

NO_REQUEST = "<!-- docs: no-request -->"
REPLIES_MARKER = re.compile(r"<!-- docs: replies=(?P<name>\w+) -->")
NO_RUN = re.compile(r"#\s*docs:\s*no-run\s*\((?P<reason>[^)]+)\)")
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)```(?P<lang>[^`\s]*)\s*$")
# Fence languages that look like Python but would escape the test.
PYTHON_ALIASES = frozenset({"py", "python3", "pycon", "ipython"})

REPLIES = 8
CLOSE_TIMEOUT = 2.0
REPLY = Reply(
    text="There are three r letters in strawberry.",
    reasoning="Spell it out: s-t-r-a-w-b-e-r-r-y. The r letters are at 3, 8 and 9.",
    usage={"prompt_tokens": 21, "completion_tokens": 34, "reasoning_tokens": 20},
)


WEATHER = ToolCall(name="get_weather", arguments='{"city": "Paris"}', id="call_1")
SCRIPTS: dict[str, list[Reply]] = {
    "weather_tool_call": [Reply(tool_calls=[WEATHER])],
    "weather_agent": [
        Reply(tool_calls=[WEATHER]),
        Reply(text="It is sunny and 21°C in Paris."),
    ],
    "weather_report_agent": [
        Reply(tool_calls=[WEATHER]),
        Reply(text='{"city": "Paris", "summary": "Sunny, 21°C"}'),
    ],
    "weather_stream": [
        Reply(text="Let me check.", tool_calls=[WEATHER]),
        Reply(text="Sunny in Paris."),
    ],
    "movie_json": [
        Reply(text='{"title": "Alien", "year": 1979, "genres": ["horror", "sci-fi"]}')
    ]
    * 4,
    "movie_tool": [
        Reply(
            tool_calls=[
                ToolCall(
                    name="Movie",
                    arguments='{"title": "Alien", "year": 1979, "genres": ["horror"]}',
                )
            ]
        )
    ],
    "movie_broken": [Reply(text="Alien, from 1979.")] * 2,
}


@dataclass(frozen=True)
class Fence:
    """One fenced block of a docs page."""

    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str  # the nearest non-blank line above the fence


@dataclass(frozen=True)
class Block:
    """One ```python block and what the test expects of it."""

    page: str
    line: int
    code: str
    makes_requests: bool
    skip_reason: str | None
    script: str | None = None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def path(self) -> Path:
        return DOCS / self.page


def read_fences(path: Path) -> list[Fence]:
    """Every fenced block of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        match = FENCE_OPEN.match(lines[index])
        if match is None:
            index += 1
            continue
        indent = match["indent"]
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            msg = f"{path.name}:{start + 1}: fence is never closed"
            raise ValueError(msg)
        above = [text.strip() for text in lines[:start] if text.strip()]
        fences.append(
            Fence(
                page=path.name,
                line=start + 1,
                lang=match["lang"],
                code=textwrap.dedent("\n".join(body)) if indent else "\n".join(body),
                marker=above[-1] if above else "",
            )
        )
        index += 1
    return fences


def python_blocks() -> list[Block]:
    """The ```python blocks of every docs page."""
    blocks: list[Block] = []
    for path in sorted(DOCS.glob("*.md")):
        for fence in read_fences(path):
            if fence.lang != "python":
                continue
            first = fence.code.lstrip().splitlines()[0] if fence.code.strip() else ""
            no_run = NO_RUN.match(first)
            blocks.append(
                Block(
                    page=fence.page,
                    line=fence.line,
                    code=fence.code,
                    makes_requests=fence.marker != NO_REQUEST,
                    skip_reason=no_run["reason"] if no_run else None,
                    script=script["name"]
                    if (script := REPLIES_MARKER.fullmatch(fence.marker))
                    else None,
                )
            )
    return blocks


BLOCKS = python_blocks()


def connections_closed(emulator: RouterEmulator, limit: int) -> bool:
    """Wait until at most `limit` client connections are open at the emulator."""
    deadline = time.monotonic() + CLOSE_TIMEOUT
    while emulator.open_connections > limit:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def test_docs_pages_have_python_examples() -> None:
    pages = {block.page for block in BLOCKS}
    for page in EXPECTED_PAGES:
        assert (DOCS / page).is_file(), f"docs/{page} is missing"
        assert page in pages, f"docs/{page} has no ```python example"


def test_fences_declare_a_language() -> None:
    """A fence without a language, or with a Python alias, would not be run."""
    for path in sorted(DOCS.glob("*.md")):
        for fence in read_fences(path):
            where = f"{fence.page}:{fence.line}"
            assert fence.lang, f"{where}: fence without a language"
            assert fence.lang not in PYTHON_ALIASES, (
                f"{where}: use ```python (so the block is run) or ```text"
            )


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_docs_block(
    block: Block,
    emulator: RouterEmulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if block.skip_reason:
        pytest.skip(block.skip_reason)
    monkeypatch.setenv("HUGGINGFACE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("HF_TOKEN", "hf_docs_test")
    monkeypatch.delenv("HUGGINGFACE_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # files a block writes land here
    emulator.enqueue(*(SCRIPTS[block.script] if block.script else [REPLY] * REPLIES))
    open_before = emulator.open_connections

    # Leading newlines keep the page's line numbers in tracebacks.
    source = "\n" * block.line + block.code
    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        exec(compile(source, str(block.path), "exec"), namespace)
    finally:
        namespace.clear()
        huggingface.close()
        # Unclosed clients would warn when collected: make that happen here.
        gc.collect()

    assert not emulator.server_errors, emulator.server_errors
    # A client left open (say, an async one never closed) keeps its connection.
    assert connections_closed(emulator, open_before), (
        f"{block.id} left {emulator.open_connections - open_before} connection(s) "
        "open: close the clients it made (await llm.aclose() / provider.aclose())"
    )
    if block.makes_requests:
        assert emulator.requests, (
            f"{block.id} made no request; mark it with {NO_REQUEST!r} above the "
            "fence if it only builds things"
        )
        for request in emulator.requests:
            assert request.api in ("chat_completions", "responses"), request.path
    else:
        assert not emulator.requests, (
            f"{block.id} is marked {NO_REQUEST!r} but sent "
            f"{[request.path for request in emulator.requests]}"
        )
