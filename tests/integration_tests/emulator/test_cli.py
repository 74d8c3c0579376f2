"""`hf-router`, the installed console script, run as a real process on the emulator."""

from __future__ import annotations

import base64
import importlib.metadata
import json
import os
import pty
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from router_emulator import ErrorReply, Reply, RouterEmulator
from router_emulator.catalog import model, offer

HF_ROUTER = Path(sys.executable).parent / "hf-router"
TOKEN = "hf_cli_test"
LLAMA = "meta-llama/Llama-3.3-70B-Instruct"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
ANSWER = "Rayleigh scattering."
REASONED = Reply(
    text=ANSWER,
    reasoning="Short waves scatter more.",
    usage={"prompt_tokens": 21, "completion_tokens": 34, "reasoning_tokens": 20},
)
# What llama.cpp's server lists on /v1/models: no providers, no prices.
LLAMA_CPP_CATALOG = [
    {"id": "qwen2.5-coder-1.5b", "object": "model", "owned_by": "llamacpp"}
]


# Bounds only a failure (a line that never shows); never a condition to pass.
GUARD = 60
# Runs a command with SIGINT at its default, as from a terminal: a suite started in
# the background (`cmd &` in a script) inherits an ignored SIGINT, which Python
# would keep, so Ctrl-C would never reach the command. The default survives exec.
WITH_DEFAULT_SIGINT = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]
HEADER = ["MODEL", "PROVIDERS", "CONTEXT", "$IN/M", "$OUT/M", "CAPABILITIES"]


def cli_env(emulator: RouterEmulator) -> dict[str, str]:
    env = {**os.environ, "HUGGINGFACE_BASE_URL": emulator.base_url, "HF_TOKEN": TOKEN}
    env.pop("HUGGINGFACE_API_KEY", None)
    return env


def address(emulator: RouterEmulator) -> str:
    return emulator.origin.removeprefix("http://")


def hf_router(
    emulator: RouterEmulator, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HF_ROUTER), *args],
        env=cli_env(emulator),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )


def read_some(fd: int) -> bytes:
    """What `fd` has (waiting for it); b"" once the other side closed."""
    ready, _, _ = select.select([fd], [], [], GUARD)
    assert ready, f"nothing to read within {GUARD} s"
    try:
        return os.read(fd, 65536)
    except OSError:  # a terminal whose other side closed (EIO on Linux)
        return b""


def read_until(fd: int, wanted: bytes) -> bytes:
    """Everything read from `fd` up to and including `wanted`'s appearance."""
    got = b""
    while wanted not in got:
        chunk = read_some(fd)
        assert chunk, f"{wanted!r} never showed; got {got!r}"
        got += chunk
    return got


def read_to_end(fd: int) -> bytes:
    got = b""
    while chunk := read_some(fd):
        got += chunk
    return got


class Terminal:
    """A pseudo-terminal: the test reads and types on `ours`; one process it
    starts gets the other side."""

    def __init__(self) -> None:
        self.ours, self._theirs = pty.openpty()
        self._given = False

    def start(
        self, command: list[str], env: dict[str, str], *, on: tuple[str, ...]
    ) -> subprocess.Popen[bytes]:
        """Start `command` with the streams named in `on` ("stdin", ...) on the
        terminal and the others on pipes."""
        pipes = {name: subprocess.PIPE for name in ("stdin", "stdout", "stderr")}
        try:
            return subprocess.Popen(
                command, env=env, **(pipes | dict.fromkeys(on, self._theirs))
            )
        finally:
            # Only the process holds its side now: its exit ends our reads.
            os.close(self._theirs)
            self._given = True

    def close(self) -> None:
        os.close(self.ours)
        if not self._given:
            os.close(self._theirs)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    yield term
    term.close()


def api_requests(emulator: RouterEmulator) -> list[dict]:
    return [r.json for r in emulator.requests if r.api != "other"]


def expected_cost(emulator: RouterEmulator, model_id: str, provider: str) -> str:
    """The usage line's cost for REASONED's usage, from the served catalog's prices."""
    entry = next(m for m in emulator.catalog if m["id"] == model_id)
    prices = next(p for p in entry["providers"] if p["provider"] == provider)["pricing"]
    return f"${(21 * prices['input'] + 34 * prices['output']) / 1e6:.6f}"


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# --- chat ----------------------------------------------------------------------------


def test_console_script_is_installed() -> None:
    assert HF_ROUTER.is_file(), "run `pip install -e .` to install hf-router"


def test_chat_streams_answer_then_reasoning_apart_and_cost(
    emulator: RouterEmulator,
) -> None:
    emulator.enqueue(REASONED)
    done = hf_router(emulator, "chat", LLAMA, "--provider", "groq", "Why blue?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ANSWER + "\n"
    cost = expected_cost(emulator, LLAMA, "groq")
    assert done.stderr.splitlines() == [
        "Short waves scatter more.",
        f"[tokens: 21 in, 34 out (20 reasoning) · {cost} (groq) · {LLAMA}:groq]",
    ]
    assert "\033[" not in done.stderr  # no colour when stderr is not a terminal
    catalog, chat = emulator.requests
    assert (catalog.method, catalog.path) == ("GET", "/v1/models")
    assert chat.path == "/v1/chat/completions"
    assert chat.json["model"] == f"{LLAMA}:groq"
    assert chat.json["stream"] is True
    assert chat.json["messages"] == [{"role": "user", "content": "Why blue?"}]
    assert chat.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in done.stdout + done.stderr


def test_no_reasoning_hides_it(emulator: RouterEmulator) -> None:
    emulator.enqueue(REASONED)
    done = hf_router(emulator, "chat", "Qwen/Qwen3-32B:nebius", "hi", "--no-reasoning")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ANSWER + "\n"
    cost = expected_cost(emulator, "Qwen/Qwen3-32B", "nebius")
    assert done.stderr == (
        f"[tokens: 21 in, 34 out (20 reasoning) · {cost} (nebius) · "
        "Qwen/Qwen3-32B:nebius]\n"
    )


def test_system_max_tokens_temperature_and_bill_to_are_sent(
    emulator: RouterEmulator,
) -> None:
    done = hf_router(
        emulator,
        "chat",
        LLAMA,
        "Say hi.",
        "--system",
        "Answer in French.",
        "--max-tokens",
        "64",
        "--temperature",
        "0.2",
        "--bill-to",
        "my-org",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello from the emulator.\n"
    request = emulator.last_request
    assert request.json["messages"] == [
        {"role": "system", "content": "Answer in French."},
        {"role": "user", "content": "Say hi."},
    ]
    assert request.json["max_tokens"] == 64
    assert request.json["temperature"] == 0.2
    assert request.headers["x-hf-bill-to"] == "my-org"


def test_api_responses(emulator: RouterEmulator) -> None:
    emulator.enqueue(REASONED)
    done = hf_router(
        emulator, "chat", LLAMA, "Why blue?", "--api", "responses", "--max-tokens", "9"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ANSWER + "\n"
    assert done.stderr.splitlines()[0] == "Short waves scatter more."
    request = emulator.last_request
    assert request.path == "/v1/responses"
    assert request.json["max_output_tokens"] == 9
    assert request.json["stream"] is True


def test_images_from_a_file_and_a_url(emulator: RouterEmulator, tmp_path: Path) -> None:
    (tmp_path / "dot.png").write_bytes(PNG)
    url = "https://example.com/cat.png"
    done = hf_router(
        emulator,
        "chat",
        "Qwen/Qwen2.5-VL-7B-Instruct",
        "Describe.",
        "--image",
        str(tmp_path / "dot.png"),
        "--image",
        url,
    )
    assert done.returncode == 0, done.stderr
    parts = emulator.last_request.json["messages"][0]["content"]
    assert parts == [
        {"type": "text", "text": "Describe."},
        {
            "type": "image_url",
            "image_url": {
                "url": "data:image/png;base64," + base64.b64encode(PNG).decode()
            },
        },
        {"type": "image_url", "image_url": {"url": url}},
    ]


def test_schema_prints_the_parsed_json(
    emulator: RouterEmulator, tmp_path: Path
) -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["title", "year"],
    }
    (tmp_path / "movie.json").write_text(json.dumps(schema))
    emulator.enqueue(Reply(text='{"title": "Alien", "year": 1979}', reasoning="Hmm."))
    done = hf_router(
        emulator,
        "chat",
        LLAMA,
        "Alien, as data.",
        "--schema",
        str(tmp_path / "movie.json"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"title": "Alien", "year": 1979}
    assert done.stdout == json.dumps({"title": "Alien", "year": 1979}, indent=2) + "\n"
    assert done.stderr.splitlines()[0] == "Hmm."
    assert done.stderr.splitlines()[1].startswith("[tokens: ")
    request = emulator.last_request.json
    assert "stream" not in request or request["stream"] is False
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "movie"  # file stem
    assert (
        request["response_format"]["json_schema"]["schema"]["properties"]
        == (schema["properties"])
    )


def test_schema_answer_that_does_not_parse_fails(
    emulator: RouterEmulator, tmp_path: Path
) -> None:
    (tmp_path / "s.json").write_text('{"title": "S", "type": "object"}')
    emulator.enqueue(Reply(text="not json at all"))
    done = hf_router(emulator, "chat", LLAMA, "q", "--schema", str(tmp_path / "s.json"))
    assert done.returncode == 1
    assert "the answer does not follow the schema" in one_error_line(done.stderr)


def test_interactive_chat_keeps_history(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="Paris."), Reply(text="About 2.1 million."))
    done = hf_router(
        emulator,
        "chat",
        LLAMA,
        "--system",
        "Be brief.",
        stdin="Capital of France?\n\nHow many people live there?\n/exit\nNever sent\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Paris.\nAbout 2.1 million.\n"  # no prompt on a pipe
    assert len(done.stderr.splitlines()) == 2  # one usage line a turn
    first, second = api_requests(emulator)
    assert len(first["messages"]) == 2
    assert second["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "How many people live there?"},
    ]


def test_interactive_chat_ends_at_end_of_input(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "chat", LLAMA, stdin="Hi\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello from the emulator.\n"
    assert len(api_requests(emulator)) == 1


def test_help_command_lists_the_commands_and_asks_nothing(
    emulator: RouterEmulator,
) -> None:
    done = hf_router(emulator, "chat", LLAMA, stdin="/help\nHi\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello from the emulator.\n"
    help_lines = done.stderr.splitlines()[:2]
    assert [line.split()[0] for line in help_lines] == ["/help", "/exit"]
    assert len(api_requests(emulator)) == 1
    assert api_requests(emulator)[0]["messages"] == [{"role": "user", "content": "Hi"}]


THINK_OPEN = Reply(
    text=ANSWER, reasoning="Short waves scatter more.", reasoning_style="think_open"
)


def test_think_streams_text_up_to_the_closing_tag_as_reasoning(
    emulator: RouterEmulator,
) -> None:
    """`reasoning</think>answer`: the opening tag was in the model's prompt."""
    emulator.enqueue(THINK_OPEN)
    done = hf_router(emulator, "chat", LLAMA, "--think", stdin="Why blue?\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ANSWER + "\n"
    assert done.stderr.splitlines()[0] == "Short waves scatter more."


def test_without_think_the_tag_stays_in_the_answer(emulator: RouterEmulator) -> None:
    """The test above can fail: LLAMA is no model known to start inside <think>."""
    emulator.enqueue(THINK_OPEN)
    done = hf_router(emulator, "chat", LLAMA, stdin="Why blue?\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Short waves scatter more.</think>" + ANSWER + "\n"


def chat_on_terminal(
    emulator: RouterEmulator, terminal: Terminal, cache: Path, keys: list[bytes]
) -> tuple[bytes, str]:
    """`hf-router chat` with stdin and stdout on a terminal: type each of `keys`
    at a `you> ` prompt; return what the terminal showed, and stderr."""
    env = {**cli_env(emulator), "XDG_CACHE_HOME": str(cache), "INPUTRC": os.devnull}
    process = terminal.start(
        [str(HF_ROUTER), "chat", LLAMA], env, on=("stdin", "stdout")
    )
    shown = b""
    for key in keys:
        shown += read_until(terminal.ours, b"you> ")
        os.write(terminal.ours, key)
    shown += read_to_end(terminal.ours)
    _, stderr = process.communicate(timeout=GUARD)
    assert process.returncode == 0, stderr
    return shown, stderr.decode()


def test_terminal_session_keeps_a_history_across_sessions(
    emulator: RouterEmulator, terminal: Terminal, tmp_path: Path
) -> None:
    shown, stderr = chat_on_terminal(
        emulator, terminal, tmp_path, [b"Capital of France?\n", b"\x04"]
    )
    assert b"you> Capital of France?\r\nHello from the emulator.\r\nyou> " in shown
    assert stderr.splitlines()[0] == "/help lists the commands, /exit or Ctrl-D leaves"
    assert stderr.endswith("]\n\n")  # Ctrl-D ends the prompt's line
    history = tmp_path / "hf-router" / "history"
    assert history.read_text().splitlines() == ["Capital of France?"]


def test_terminal_session_recalls_the_last_session_line(
    emulator: RouterEmulator, terminal: Terminal, tmp_path: Path
) -> None:
    (tmp_path / "hf-router").mkdir()
    (tmp_path / "hf-router" / "history").write_text("Capital of France?\n")
    up = b"\033[A"
    chat_on_terminal(emulator, terminal, tmp_path, [up + b"\n", b"/exit\n"])
    (request,) = api_requests(emulator)
    assert request["messages"] == [{"role": "user", "content": "Capital of France?"}]


def test_history_that_cannot_be_kept_is_ignored(
    emulator: RouterEmulator, terminal: Terminal, tmp_path: Path
) -> None:
    cache = tmp_path / "a-file"
    cache.write_text("not a directory")
    shown, stderr = chat_on_terminal(emulator, terminal, cache, [b"Hi\n", b"/exit\n"])
    assert b"Hello from the emulator." in shown
    assert "Traceback" not in stderr
    assert "warning" not in stderr
    assert "error" not in stderr


def test_chat_without_catalog_prices_has_no_cost(emulator: RouterEmulator) -> None:
    emulator.catalog = LLAMA_CPP_CATALOG
    emulator.enqueue(REASONED)
    done = hf_router(emulator, "chat", "qwen2.5-coder-1.5b", "hi", "--no-reasoning")
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        "[tokens: 21 in, 34 out (20 reasoning) · qwen2.5-coder-1.5b]\n"
    )


def test_chat_goes_on_when_the_catalog_fails(emulator: RouterEmulator) -> None:
    emulator.catalog = "not a list"  # type: ignore[assignment]
    done = hf_router(emulator, "chat", LLAMA, "hi")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello from the emulator.\n"
    assert done.stderr.startswith("[tokens: ")


def test_unknown_provider_is_one_warning_line(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "chat", LLAMA, "hi", "--provider", "nosuch")
    assert done.returncode == 0, done.stderr
    warning, usage = done.stderr.splitlines()
    assert warning.startswith("warning: 'nosuch' is not a provider")
    assert "groq" in warning  # the catalog's providers are the known ones
    assert usage.endswith(f"{LLAMA}:nosuch]")
    assert emulator.last_request.json["model"] == f"{LLAMA}:nosuch"


# --- errors --------------------------------------------------------------------------


def test_router_error_is_one_line_exit_1(emulator: RouterEmulator) -> None:
    emulator.enqueue(ErrorReply(401, {"error": "Invalid username or password."}))
    done = hf_router(emulator, "chat", LLAMA, "hi")
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "Invalid username or password." in line
    assert "HF_TOKEN" in line
    assert done.stdout == ""


def test_broken_stream_ends_the_answer_line_then_one_error_line(
    emulator: RouterEmulator,
) -> None:
    emulator.enqueue(Reply(text="one two three four", drop_after=3))
    done = hf_router(emulator, "chat", LLAMA, "Count.", "--no-reasoning")
    assert done.returncode == 1
    assert done.stdout == "one two\n"
    line = one_error_line(done.stderr)
    assert line.startswith(
        "error: the stream was cut mid-way, the answer is incomplete: "
    )
    assert "incomplete chunked read" in line  # what the connection said


def test_stream_that_stalls_mid_way_names_the_timeout(
    emulator: RouterEmulator,
) -> None:
    emulator.enqueue(Reply(text="one two three", hold_after=2))  # role chunk, "one"
    done = hf_router(emulator, "chat", LLAMA, "Count.", "--timeout", "1")
    assert done.returncode == 1
    assert done.stdout == "one\n"
    assert one_error_line(done.stderr) == (
        f"error: the stream from {address(emulator)} stopped mid-way: nothing more "
        "came within 1 s (--timeout 1); try a larger --timeout"
    )


@pytest.mark.parametrize(
    ("retries", "attempts"), [("0", "1 attempt"), ("1", "2 attempts")]
)
def test_silent_server_ends_after_timeout_times_attempts(
    emulator: RouterEmulator, retries: str, attempts: str
) -> None:
    """The server takes the request and never answers: each attempt times out."""
    emulator.enqueue(Reply(hold_after=0), Reply(hold_after=0))
    done = hf_router(
        emulator, "chat", LLAMA, "hi", "--timeout", "1", "--max-retries", retries
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert one_error_line(done.stderr) == (
        f"error: no answer from {address(emulator)} within 1 s (--timeout 1), "
        f"{attempts}; try a larger --timeout"
    )
    assert len(api_requests(emulator)) == int(retries) + 1


@pytest.mark.parametrize("command", [["chat", LLAMA, "hi"], ["models"]])
def test_closed_port_names_the_address_and_how_to_change_it(
    emulator: RouterEmulator, command: list[str]
) -> None:
    with socket.socket() as bound:  # bound, not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        done = hf_router(
            emulator,
            *command,
            "--base-url",
            f"http://127.0.0.1:{port}/v1",
            "--max-retries",
            "0",
        )
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert line.startswith(f"error: cannot connect to 127.0.0.1:{port} (")
    assert "Connection refused" in line
    assert line.endswith(
        "; check the address (--base-url or HUGGINGFACE_BASE_URL) and that the "
        "server is up"
    )


def test_no_token_says_how_to_give_one(emulator: RouterEmulator) -> None:
    env = cli_env(emulator)
    for name in ("HF_TOKEN", "HUGGINGFACE_API_KEY", "HUGGINGFACE_BASE_URL"):
        env.pop(name, None)
    done = subprocess.run(
        [str(HF_ROUTER), "chat", LLAMA, "hi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )
    assert done.returncode == 1
    assert one_error_line(done.stderr) == (
        "error: no Hugging Face token: set HF_TOKEN or pass --api-key "
        "(tokens: https://huggingface.co/settings/tokens)"
    )
    assert not emulator.requests  # the check comes before any request


def test_api_key_flag_is_sent_and_never_shown(emulator: RouterEmulator) -> None:
    key = "hf_from_the_flag"
    emulator.enqueue(ErrorReply(401, {"error": f"Invalid token {key}."}))
    done = hf_router(emulator, "chat", LLAMA, "hi", "--api-key", key)
    assert done.returncode == 1
    assert emulator.last_request.headers["authorization"] == f"Bearer {key}"
    line = one_error_line(done.stderr)
    assert key not in line
    assert line.endswith("(check the token: set HF_TOKEN or pass --api-key)")
    assert "api_key=" not in line


def test_missing_image_file_is_a_usage_error(
    emulator: RouterEmulator, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.png"
    done = hf_router(emulator, "chat", LLAMA, "hi", "--image", str(missing))
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert f"cannot read image {missing}: No such file or directory" in line
    assert not emulator.requests


def test_file_that_is_no_image_is_a_usage_error(
    emulator: RouterEmulator, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    done = hf_router(
        emulator, "chat", LLAMA, "hi", "--image", str(tmp_path / "notes.txt")
    )
    assert done.returncode == 2
    assert "not a known image format" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read schema"), ("{oops", "is not JSON"), ("[1]", "JSON Schema")],
)
def test_bad_schema_file_is_a_usage_error(
    emulator: RouterEmulator, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "schema.json"
    if content is not None:
        path.write_text(content)
    done = hf_router(emulator, "chat", LLAMA, "hi", "--schema", str(path))
    assert done.returncode == 2
    assert message in one_error_line(done.stderr)
    assert not emulator.requests


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chat", LLAMA, "hi", "--api", "soap"], "argument --api: invalid choice"),
        (["chat", LLAMA, "hi", "more"], "unrecognized arguments: more"),
        (["chat", LLAMA, "--max-tokens", "many"], "argument --max-tokens"),
        (["chat"], "required: MODEL"),
        ([], "required: COMMAND"),
        (["models", "--nope"], "unrecognized arguments: --nope"),
        (["models", "--timeout", "0"], "argument --timeout: '0' is not a number"),
        (["models", "--timeout", "soon"], "argument --timeout: 'soon' is not"),
        (["models", "--max-retries", "-1"], "argument --max-retries: '-1' is not"),
    ],
)
def test_usage_errors_exit_2(
    emulator: RouterEmulator, args: list[str], message: str
) -> None:
    done = hf_router(emulator, *args)
    assert done.returncode == 2
    assert message in one_error_line(done.stderr)
    assert not emulator.requests


def test_bad_input_from_the_package_exits_2(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "chat", f"{LLAMA}:groq", "hi", "--provider", "together")
    assert done.returncode == 2
    assert "already selects 'groq'" in one_error_line(done.stderr)
    assert not api_requests(emulator)


def test_ctrl_c_exits_130_without_traceback(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="one two three four five six", hold_after=2))
    process = subprocess.Popen(
        [*WITH_DEFAULT_SIGINT, str(HF_ROUTER), "chat", LLAMA, "Count."],
        env=cli_env(emulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = read_until(process.stdout.fileno(), b"one")  # role chunk and "one"
        emulator.wait_held()  # the rest waits at the emulator
        process.send_signal(signal.SIGINT)
        rest, stderr = process.communicate(timeout=GUARD)
    finally:
        process.kill()  # a no-op once it has exited; never left behind
        process.communicate()
    assert process.returncode == 130
    assert stderr == b"\n"
    assert first + rest == b"one\n"  # the answer's line ended, nothing more came


def test_waiting_note_only_on_a_terminal(
    emulator: RouterEmulator, terminal: Terminal
) -> None:
    """A server slow to answer gets `waiting for <host>...` on a terminal's stderr,
    erased when the answer comes; stderr on a pipe never gets it."""
    emulator.enqueue(Reply(text=ANSWER, hold_after=0), Reply(text=ANSWER, hold_after=0))
    command = [str(HF_ROUTER), "chat", LLAMA, "hi", "--no-reasoning"]
    piped = subprocess.Popen(
        command, env=cli_env(emulator), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # The piped process waits first: when the other one's note shows, the piped
    # one would have shown its own already.
    emulator.wait_held()
    on_terminal = terminal.start(command, cli_env(emulator), on=("stderr",))
    note = f"waiting for {address(emulator)}...".encode()
    assert read_until(terminal.ours, note) == note
    emulator.release()
    rest = read_to_end(terminal.ours)
    stdout, _ = on_terminal.communicate(timeout=GUARD)
    assert on_terminal.returncode == 0
    assert stdout == (ANSWER + "\n").encode()
    assert rest.startswith(b"\r\033[K")  # erased, then the usage line follows
    assert rest[len(b"\r\033[K") :].decode().startswith("[tokens: ")
    stdout, stderr = piped.communicate(timeout=GUARD)
    assert piped.returncode == 0
    assert stderr.decode().startswith("[tokens: ")
    assert len(stderr.splitlines()) == 1
    assert b"waiting" not in stderr


def test_version() -> None:
    done = subprocess.run(
        [str(HF_ROUTER), "--version"],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    version = importlib.metadata.version("langchain-hf-router")
    assert done.stdout == f"hf-router {version}\n"


def test_help_names_the_apis_and_the_package_defaults() -> None:
    from langchain_hf_router.core.formats import API_CHOICES
    from langchain_hf_router.core.settings import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT

    done = subprocess.run(
        [str(HF_ROUTER), "chat", "--help"],
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert all(api in text for api in API_CHOICES)
    assert f"(default {DEFAULT_TIMEOUT:g})" in text
    assert f"(default {DEFAULT_MAX_RETRIES})" in text


@pytest.mark.parametrize(
    "command", [["models"], ["models", "--json"], ["chat", LLAMA, "hi"]]
)
def test_stdout_closed_by_its_reader_ends_quietly(
    emulator: RouterEmulator, command: list[str]
) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # gone before anything is written: every write fails
    try:
        done = subprocess.run(
            [str(HF_ROUTER), *command],
            env=cli_env(emulator),
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=GUARD,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == 0
    assert done.stderr == b""


def test_models_piped_to_head_ends_quietly(emulator: RouterEmulator) -> None:
    """More lines than a pipe holds: `head -1` leaves while they are written."""
    emulator.catalog = [
        model(f"org/model-{n}", [offer("groq", (0.1, 0.2), 8192)]) for n in range(5000)
    ]
    listing = subprocess.Popen(
        [str(HF_ROUTER), "models"],
        env=cli_env(emulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert listing.stdout is not None
    head = subprocess.run(
        ["head", "-1"],
        stdin=listing.stdout,
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=True,
    )
    listing.stdout.close()
    _, stderr = listing.communicate(timeout=GUARD)
    assert head.stdout.split() == HEADER
    assert listing.returncode == 0
    assert stderr == b""


# --- models --------------------------------------------------------------------------


def rows(stdout: str) -> dict[str, list[str]]:
    """Table rows by model id; cells are split on runs of two or more spaces."""
    lines = stdout.splitlines()
    header = lines[0].split()
    assert header == HEADER
    table = {}
    for line in lines[1:]:
        cells = line.split()
        assert len(cells) == len(header), line
        table[cells[0]] = cells[1:]
    return table


def test_models_table(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "models")
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert list(table) == [entry["id"] for entry in emulator.catalog]
    assert table["deepseek-ai/DeepSeek-R1"] == [
        "together,novita,sambanova(error)",
        "164k",
        "0.70-3.00",
        "2.50-7.00",
        "tools,json",
    ]
    assert table["deepseek-ai/DeepSeek-V3-0324"] == [
        "fireworks-ai",
        "164k",
        "0.90",
        "0.90",
        "tools,json",
    ]
    assert table["Qwen/Qwen2.5-VL-7B-Instruct"][1:] == [
        "33k",
        "0.20",
        "0.20",
        "json,vision",
    ]
    assert table["HuggingFaceTB/SmolLM3-3B"] == ["hf-inference", "66k", "-", "-", "-"]
    # Columns line up: every row is as wide as the header up to the last column.
    lines = done.stdout.splitlines()
    start = lines[0].index("CAPABILITIES")
    assert all(line[start - 2 : start] == "  " for line in lines)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            ["--tools"],
            {
                "meta-llama/Llama-3.1-8B-Instruct",
                "meta-llama/Llama-3.3-70B-Instruct",
                "deepseek-ai/DeepSeek-R1",
                "deepseek-ai/DeepSeek-V3-0324",
                "Qwen/Qwen3-32B",
                "google/gemma-3-27b-it",
                "moonshotai/Kimi-K2-Instruct",
            },
        ),
        (["--search", "QWEN"], {"Qwen/Qwen3-32B", "Qwen/Qwen2.5-VL-7B-Instruct"}),
        (
            ["--structured", "--provider", "novita"],
            {"meta-llama/Llama-3.1-8B-Instruct", "moonshotai/Kimi-K2-Instruct"},
        ),
        (["--search", "llama", "--provider", "groq"], {LLAMA}),
    ],
)
def test_models_filters(
    emulator: RouterEmulator, flags: list[str], expected: set[str]
) -> None:
    done = hf_router(emulator, "models", *flags)
    assert done.returncode == 0, done.stderr
    assert set(rows(done.stdout)) == expected


def test_models_of_one_provider_show_its_offer(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "models", "--provider", "hyperbolic")
    table = rows(done.stdout)
    assert table[LLAMA] == ["groq,together,hyperbolic", "131k", "0.40", "0.40", "-"]


def test_models_free_and_unpriced(emulator: RouterEmulator) -> None:
    emulator.catalog = [
        model("org/free", [offer("hf-inference", (0.0, 0.0), 8_192, tools=False)]),
        model("org/big", [offer("a", (0.015, 2.0), 1_048_576), offer("b", None, 512)]),
    ]
    table = rows(hf_router(emulator, "models").stdout)
    assert table["org/free"] == ["hf-inference", "8k", "free", "free", "json"]
    assert table["org/big"] == ["a,b", "1M", "0.015", "2.00", "tools,json"]


def test_models_from_llama_cpp(emulator: RouterEmulator) -> None:
    emulator.catalog = LLAMA_CPP_CATALOG
    done = hf_router(emulator, "models")
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == {"qwen2.5-coder-1.5b": ["-", "-", "-", "-", "-"]}


def test_models_json_lines(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "models", "--json", "--search", "Kimi")
    assert done.returncode == 0, done.stderr
    (entry,) = map(json.loads, done.stdout.splitlines())
    assert entry["id"] == "moonshotai/Kimi-K2-Instruct"
    assert [p["provider"] for p in entry["providers"]] == ["groq", "novita"]
    assert entry["providers"][0]["output_price"] == 3.0


def test_models_none_match(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "models", "--search", "no-such-model")
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr == "no model matches\n"


def test_models_error_and_base_url_flag(emulator: RouterEmulator) -> None:
    done = hf_router(emulator, "models", "--base-url", f"{emulator.origin}/elsewhere")
    assert done.returncode == 1
    assert "Not Found: GET /elsewhere/models" in one_error_line(done.stderr)
    assert emulator.last_request.path == "/elsewhere/models"
