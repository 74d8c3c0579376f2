"""Every ```python block in docs/*.md runs against the router emulator.

Each block runs in a fresh namespace with the package pointed at the emulator
through the environment, after a few replies with reasoning and text are queued.
A block must finish without an error or an unexpected warning (the pytest
configuration turns warnings into errors), and must reach the emulator at least
once, unless it is marked as making no request.

Every `hf-router` command in a ```bash block (or after `$ ` in a ```console
block) runs too, as a process of the installed console script, one command a
line, from a fresh temporary directory, with stdin empty. It must exit with 0
and print no traceback and no warning.

Markers:
- `<!-- docs: no-request -->` on the line before the fence: the block only
  builds things; it must make no request at all.
- `<!-- docs: replies=NAME -->` on the line before the fence: the emulator answers
  with the scripted turns `SCRIPTS[NAME]` (tool calls, JSON) instead of the
  default replies.
- `# docs: no-run (<reason>)` as the block's first line: the block is not run.
  Only for another library's code (a migration guide's "before" side, whose
  library is not a dependency); a test checks that no other block uses it.
- `<!-- docs: exit=N -->` on the line before a ```bash fence: its `hf-router`
  commands must exit with N instead.
- `<!-- docs: file=NAME -->` on the line before a fence: its text is written
  to NAME in the working directory of the page's `hf-router` commands.
"""

from __future__ import annotations

import gc
import os
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from router_emulator import (
    McpApprovalRequest,
    McpCall,
    McpListTools,
    Reply,
    RouterEmulator,
    ToolCall,
)

from langchain_hf_router import huggingface

DOCS = Path(__file__).resolve().parents[3] / "docs"
EXPECTED_PAGES = (
    "index.md",
    "chat-model.md",
    "api-choice.md",
    "tools-and-agents.md",
    "structured-output.md",
    "reliability.md",
    "router-features.md",
    "mcp.md",
    "cli.md",
    "reasoning.md",
    "images.md",
    "migrate-from-chathuggingface.md",
    "migrate-from-chatopenai.md",
    "architecture.md",
)

NO_REQUEST = "<!-- docs: no-request -->"
REPLIES_MARKER = re.compile(r"<!-- docs: replies=(?P<name>\w+) -->")
NO_RUN = re.compile(r"#\s*docs:\s*no-run\s*\((?P<reason>[^)]+)\)")
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)```(?P<lang>[^`\s]*)\s*$")
# Fence languages that look like Python but would escape the test.
PYTHON_ALIASES = frozenset({"py", "python3", "pycon", "ipython"})
HF_ROUTER = Path(sys.executable).parent / "hf-router"
COMMAND_LINE = re.compile(r"^(?:\$ )?hf-router (?P<args>.+)$")
EXIT_MARKER = re.compile(r"<!-- docs: exit=(?P<code>\d+) -->")
FILE_MARKER = re.compile(r"<!-- docs: file=(?P<name>[\w.-]+) -->")

REPLIES = 8
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

# Reasoning inline in the answer text: `<think>r</think>text`, and `r</think>text`
# (the opening tag in the prompt), streamed in small pieces that split the tags.
SCRIPTS |= {
    "think_tags": [
        Reply(text=REPLY.text, reasoning=REPLY.reasoning, reasoning_style="think_tags")
    ],
    "think_open": [
        Reply(
            text=REPLY.text,
            reasoning=REPLY.reasoning,
            reasoning_style="think_open",
            chunk_size=4,
        )
    ]
    * 2,
    "think_json": [
        Reply(
            text='{"title": "Alien", "year": 1979}',
            reasoning="The first Alien film is Ridley Scott's, from 1979.",
            reasoning_style="think_tags",
        )
    ],
}

HUB_TOOLS = McpListTools(
    "hf",
    [
        {
            "name": "model_search",
            "input_schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "limit": {"type": "integer"},
                },
            },
            "description": "Find models on the Hugging Face Hub.",
        }
    ],
)
HUB_ARGUMENTS = '{"query": "text-to-speech", "limit": 3}'
HUB_OUTPUT = "1. hexgrad/Kokoro-82M\n2. facebook/mms-tts-eng\n3. suno/bark-small"
HUB_ANSWER = "hexgrad/Kokoro-82M is small (82M parameters) and popular."
SCRIPTS |= {
    "mcp_auto": [
        Reply(
            text=HUB_ANSWER,
            mcp=[HUB_TOOLS, McpCall("hf", "model_search", HUB_ARGUMENTS, HUB_OUTPUT)],
        )
    ],
    "mcp_approval": [
        Reply(
            mcp=[
                HUB_TOOLS,
                McpApprovalRequest("hf", "model_search", HUB_ARGUMENTS, id="mcpr_5e1f"),
            ]
        ),
        Reply(
            text=HUB_ANSWER,
            mcp=[
                McpCall(
                    "hf",
                    "model_search",
                    HUB_ARGUMENTS,
                    HUB_OUTPUT,
                    approval_request_id="mcpr_5e1f",
                )
            ],
        ),
    ],
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
RUNNABLE = [block for block in BLOCKS if not block.skip_reason]
NOT_RUN = [block for block in BLOCKS if block.skip_reason]


def test_docs_pages_have_examples() -> None:
    pages = {block.page for block in BLOCKS} | {cmd.page for cmd in COMMANDS}
    for page in EXPECTED_PAGES:
        assert (DOCS / page).is_file(), f"docs/{page} is missing"
        assert page in pages, f"docs/{page} has no ```python example or command"


def test_fences_declare_a_language() -> None:
    """A fence without a language, or with a Python alias, would not be run."""
    for path in sorted(DOCS.glob("*.md")):
        for fence in read_fences(path):
            where = f"{fence.page}:{fence.line}"
            assert fence.lang, f"{where}: fence without a language"
            assert fence.lang not in PYTHON_ALIASES, (
                f"{where}: use ```python (so the block is run) or ```text"
            )


def test_blocks_that_cannot_run_here_are_the_other_libraries_side() -> None:
    """`no-run` is for code of another library (a migration's "before" side)."""
    for block in NOT_RUN:
        assert block.page.startswith("migrate-from-"), block.id
        assert "not a dependency" in str(block.skip_reason), block.id


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_docs_block(
    block: Block,
    emulator: RouterEmulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HUGGINGFACE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("HF_TOKEN", "hf_docs_test")
    monkeypatch.delenv("HUGGINGFACE_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # files a block writes land here
    emulator.enqueue(*(SCRIPTS[block.script] if block.script else [REPLY] * REPLIES))
    open_before = emulator.open_connections
    # Each block starts as a fresh process would: no catalog cached by the
    # default instance from an earlier block.
    huggingface._catalogs.clear()

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
    assert emulator.wait_open_connections(open_before, at_most=True), (
        f"{block.id} left {emulator.open_connections - open_before} connection(s) "
        "open: close the clients it made (await llm.aclose() / provider.aclose())"
    )
    if block.makes_requests:
        assert emulator.requests, (
            f"{block.id} made no request; mark it with {NO_REQUEST!r} above the "
            "fence if it only builds things"
        )
        for request in emulator.requests:
            assert request.api != "other" or request.path == "/v1/models", request.path
    else:
        assert not emulator.requests, (
            f"{block.id} is marked {NO_REQUEST!r} but sent "
            f"{[request.path for request in emulator.requests]}"
        )


@dataclass(frozen=True)
class Command:
    """One `hf-router` command line of a docs page."""

    page: str
    line: int
    args: list[str]
    exit_code: int
    script: str | None
    files: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def cli_commands() -> list[Command]:
    """The `hf-router` lines of every ```bash and ```console block."""
    commands: list[Command] = []
    for path in sorted(DOCS.glob("*.md")):
        fences = read_fences(path)
        files = {
            found["name"]: fence.code + "\n"
            for fence in fences
            if (found := FILE_MARKER.fullmatch(fence.marker))
        }
        for fence in fences:
            if fence.lang not in ("bash", "console"):
                continue
            exit_code = EXIT_MARKER.fullmatch(fence.marker)
            script = REPLIES_MARKER.fullmatch(fence.marker)
            for offset, text in enumerate(fence.code.splitlines(), start=1):
                if command := COMMAND_LINE.match(text.strip()):
                    commands.append(
                        Command(
                            page=fence.page,
                            line=fence.line + offset,
                            args=shlex.split(command["args"]),
                            exit_code=int(exit_code["code"]) if exit_code else 0,
                            script=script["name"] if script else None,
                            files=files,
                        )
                    )
    return commands


COMMANDS = cli_commands()


@pytest.mark.parametrize("command", COMMANDS, ids=[cmd.id for cmd in COMMANDS])
def test_docs_command(
    command: Command, emulator: RouterEmulator, tmp_path: Path
) -> None:
    for name, text in command.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    emulator.enqueue(
        *(SCRIPTS[command.script] if command.script else [REPLY] * REPLIES)
    )
    env = {**os.environ, "HUGGINGFACE_BASE_URL": emulator.base_url}
    env["HF_TOKEN"] = "hf_docs_test"
    env.pop("HUGGINGFACE_API_KEY", None)
    done = subprocess.run(
        [str(HF_ROUTER), *command.args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == command.exit_code, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "warning:" not in done.stderr, done.stderr
    assert not emulator.server_errors, emulator.server_errors
    if command.exit_code == 0:
        assert emulator.requests, f"{command.id} made no request"
