"""`hf-router`: chat with a model on the router, or list the router's models.

Only the standard library loads to read the command line, so `--help`, `--version`
and usage errors answer at once; LangChain, httpx and pydantic load when a command
runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple, NoReturn
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.runnables import Runnable

    from langchain_hf_router.chat_models import ChatHuggingFaceRouter
    from langchain_hf_router.core.catalog import CatalogModel, ProviderOffer
    from langchain_hf_router.core.errors import HuggingFaceRouterError
    from langchain_hf_router.provider import HuggingFaceProvider

_EXIT_ERROR: Final = 1
_EXIT_USAGE: Final = 2
_EXIT_INTERRUPTED: Final = 130
_ASK: Final = "you> "
_COMMANDS: Final = {
    "/help": "list these commands",
    "/exit": "leave (Ctrl-D, the end of input, too)",
}
_HISTORY_LINES: Final = 1000
_KEY_HELP: Final = "set HF_TOKEN or pass --api-key"
_TOKENS_PAGE: Final = "tokens: https://huggingface.co/settings/tokens"
_DIM, _RESET = "\033[2m", "\033[0m"
_ERASE_LINE: Final = "\r\033[K"
_NOTE_AFTER: Final = 1.5
"""Seconds without an answer before `waiting for <host>...` shows on a terminal."""
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_HEADER: Final = ("MODEL", "PROVIDERS", "CONTEXT", "$IN/M", "$OUT/M", "CAPABILITIES")
_RIGHT_ALIGNED: Final = frozenset({2, 3, 4})


class _CommandError(Exception):
    """The command could not do its job (exit code 1)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run `hf-router` with `argv` (default: the command line); return the exit code.

    0: done (also when the reader of stdout left early, as `| head` does);
    1: the router (or the way to it) failed; 2: bad usage or input;
    130: interrupted (Ctrl-C).
    """
    try:
        try:
            args = _parse(_parser(), argv)
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else _EXIT_USAGE
        code = _run(args)
        sys.stdout.flush()  # a reader that left shows here, not at exit
    except BrokenPipeError:
        # Nobody reads stdout any more: what is left goes nowhere, including
        # what Python itself flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


def _run(args: argparse.Namespace) -> int:
    from langchain_hf_router.core.errors import (
        HuggingFaceRouterError,
        InvalidInputError,
    )
    from langchain_hf_router.core.settings import (
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        base_url_from_env,
    )
    from langchain_hf_router.provider import create_huggingface

    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    retries = DEFAULT_MAX_RETRIES if args.max_retries is None else args.max_retries
    provider = create_huggingface(
        api_key=args.api_key,
        base_url=args.base_url,
        bill_to=args.bill_to,
        timeout=timeout,
        max_retries=retries,
    )
    target = _Target(provider.base_url or base_url_from_env(), timeout, retries)
    out = _Output(target.address)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = out.warning
            return int(args.run(args, provider, out, target))
    except InvalidInputError as error:
        return out.fail(str(error), _EXIT_USAGE)
    except HuggingFaceRouterError as error:
        return out.fail(target.explain(error, started=out.started), _EXIT_ERROR)
    except _CommandError as error:
        return out.fail(str(error), _EXIT_ERROR)
    except KeyboardInterrupt:
        out.end_lines()
        sys.stderr.write("\n")
        return _EXIT_INTERRUPTED
    finally:
        provider.close()


class _Target(NamedTuple):
    """Where the requests go and how long each may wait: what errors are told with."""

    base_url: str
    timeout: float
    max_retries: int

    @property
    def address(self) -> str:
        """`host:port` of the base URL (never its user name or password)."""
        url = urlsplit(self.base_url)
        where = url.netloc.rpartition("@")[2]
        with contextlib.suppress(ValueError):  # a bad port: the request says so
            if url.port is None and url.scheme in _DEFAULT_PORTS:
                return f"{where}:{_DEFAULT_PORTS[url.scheme]}"
        return where

    def explain(self, error: HuggingFaceRouterError, *, started: bool) -> str:
        """`error` worded for the shell: what failed, where, and what to try.

        `started`: some of the answer came before the failure.
        """
        import httpx

        from langchain_hf_router.core.errors import (
            APIConnectionError,
            APITimeoutError,
            AuthenticationError,
            BrokenStreamError,
        )

        # Connecting has its own timeout (the package's), not --timeout.
        unreachable = isinstance(error, APIConnectionError) or isinstance(
            error.__cause__, httpx.ConnectTimeout
        )
        limit = f"{self.timeout:g} s (--timeout {self.timeout:g})"
        if isinstance(error, APITimeoutError) and not unreachable:
            if started:
                return (
                    f"the stream from {self.address} stopped mid-way: nothing more "
                    f"came within {limit}; try a larger --timeout"
                )
            attempts = self.max_retries + 1
            return (
                f"no answer from {self.address} within {limit}, "
                f"{attempts} attempt{'s' if attempts > 1 else ''}; "
                "try a larger --timeout"
            )
        if started and isinstance(error, (APIConnectionError, BrokenStreamError)):
            cut = "the stream was cut mid-way, the answer is incomplete"
            return f"{cut}: {_reason(error)}"
        if unreachable:
            return (
                f"cannot connect to {self.address} ({_reason(error)}); check the "
                "address (--base-url or HUGGINGFACE_BASE_URL) and that the server "
                "is up"
            )
        if isinstance(error, AuthenticationError) and error.hint:
            return str(error).replace(error.hint, f"check the token: {_KEY_HELP}")
        return str(error)


def _reason(error: HuggingFaceRouterError) -> str:
    """What the connection itself reported, without the package's wording."""
    cause = error.__cause__
    if cause is None:
        return error.message
    return str(cause) or type(cause).__name__


# --- command line ------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print `error: <message>` and a pointer to the help, then exit 2."""
        self.exit(_EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


class _Version(argparse.Action):
    """`--version`: print `hf-router <version>` and exit (the version is read then)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: Any) -> None:
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        """Print the version on stdout and exit 0."""
        from langchain_hf_router import __version__

        sys.stdout.write(f"{parser.prog} {__version__}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $HUGGINGFACE_BASE_URL, else the router)",
    )
    common.add_argument(
        "--api-key",
        metavar="TOKEN",
        help="Hugging Face token (default: $HF_TOKEN or $HUGGINGFACE_API_KEY)",
    )
    common.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        help="give up on a server silent this long (default 120)",
    )
    common.add_argument(
        "--max-retries",
        metavar="N",
        type=_count,
        help="retries after a connection failure, a timeout, a 429 or a 5xx "
        "(default 2)",
    )
    parser = _Parser(
        prog="hf-router",
        description="Models on Hugging Face Inference Providers, from the shell. "
        "The token comes from HF_TOKEN (or HUGGINGFACE_API_KEY, or --api-key).",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    chat = commands.add_parser(
        "chat",
        parents=[common],
        help="stream an answer, or chat turn by turn without PROMPT",
        description="Stream the answer to PROMPT on stdout (reasoning and usage go "
        "to stderr). Without PROMPT, chat turn by turn: one line per turn from "
        "stdin; /help lists the commands, /exit or end of input leaves.",
    )
    chat.add_argument("model", metavar="MODEL", help="model id, e.g. Qwen/Qwen3-32B")
    chat.add_argument("prompt", metavar="PROMPT", nargs="?", help="what to ask")
    chat.add_argument("--system", metavar="TEXT", help="system message")
    chat.add_argument(
        "--provider",
        metavar="NAME",
        help="provider (groq, together, ...) or policy (fastest, cheapest, preferred)",
    )
    chat.add_argument(
        "--api",
        metavar="API",
        type=_api,
        help="which router API to call: auto (the default), chat_completions or "
        "responses",
    )
    chat.add_argument(
        "--image",
        metavar="PATH|URL",
        type=_image,
        action="append",
        default=[],
        help="attach an image to the (first) prompt; repeatable",
    )
    chat.add_argument(
        "--schema",
        metavar="FILE.json",
        type=_schema,
        help="answer with JSON following this JSON Schema, printed as JSON",
    )
    chat.add_argument("--max-tokens", metavar="N", type=int, help="answer budget")
    chat.add_argument(
        "--temperature", metavar="T", type=float, help="sampling temperature"
    )
    chat.add_argument(
        "--bill-to", metavar="ORG", help="organization to bill (X-HF-Bill-To)"
    )
    chat.add_argument(
        "--no-reasoning",
        dest="reasoning",
        action="store_false",
        help="do not show the model's reasoning",
    )
    chat.add_argument(
        "--think",
        action="store_true",
        help="the model starts its answers inside a <think> block (the opening "
        "tag is in its prompt template): the text up to </think> is reasoning",
    )
    chat.set_defaults(run=_run_chat)
    models = commands.add_parser(
        "models",
        parents=[common],
        help="list the router's models",
        description="List the router's models with their providers, context, "
        "prices (USD per million tokens) and capabilities.",
    )
    models.add_argument("--search", metavar="TEXT", help="ids containing TEXT")
    models.add_argument("--tools", action="store_true", help="with tool calling")
    models.add_argument(
        "--structured", action="store_true", help="with structured output"
    )
    models.add_argument("--provider", metavar="NAME", help="served by this provider")
    models.add_argument("--json", action="store_true", help="one JSON object a line")
    models.set_defaults(run=_run_models, bill_to=None)
    return parser


def _parse(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    args, extra = parser.parse_known_args(argv)
    # argparse matches MODEL and the optional PROMPT together, so a PROMPT after
    # options (`chat MODEL --provider groq PROMPT`) comes back unrecognized.
    if extra and getattr(args, "prompt", "") is None and not extra[0].startswith("-"):
        args.prompt = extra.pop(0)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _seconds(text: str) -> float:
    with contextlib.suppress(ValueError):
        if (seconds := float(text)) > 0:
            return seconds
    msg = f"{text!r} is not a number of seconds above 0"
    raise argparse.ArgumentTypeError(msg)


def _count(text: str) -> int:
    with contextlib.suppress(ValueError):
        if (count := int(text)) >= 0:
            return count
    msg = f"{text!r} is not a whole number, 0 or more"
    raise argparse.ArgumentTypeError(msg)


def _api(name: str) -> str:
    from langchain_hf_router.core.formats import API_CHOICES

    if name not in API_CHOICES:
        msg = f"invalid choice: {name!r} (choose from {', '.join(API_CHOICES)})"
        raise argparse.ArgumentTypeError(msg)
    return name


def _image(spec: str) -> dict[str, Any]:
    from langchain_hf_router.core.errors import InvalidInputError
    from langchain_hf_router.messages import image_block

    try:
        return image_block(spec)
    except OSError as error:
        msg = f"cannot read image {spec}: {error.strerror}"
        raise argparse.ArgumentTypeError(msg) from error
    except InvalidInputError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _schema(path: str) -> dict[str, Any]:
    try:
        schema = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        msg = f"cannot read schema {path}: {error.strerror}"
        raise argparse.ArgumentTypeError(msg) from error
    except ValueError as error:
        msg = f"schema {path} is not JSON: {error}"
        raise argparse.ArgumentTypeError(msg) from error
    if not isinstance(schema, dict):
        msg = f"schema {path} must hold a JSON Schema object"
        raise argparse.ArgumentTypeError(msg)
    schema.setdefault("title", Path(path).stem)  # names the format on the wire
    return schema


# --- chat ----------------------------------------------------------------------------


def _run_chat(
    args: argparse.Namespace,
    provider: HuggingFaceProvider,
    out: _Output,
    target: _Target,
) -> int:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from langchain_hf_router.core.formats import AUTO
    from langchain_hf_router.core.routing import route
    from langchain_hf_router.core.settings import DEFAULT_BASE_URL, key_from_env

    if target.base_url == DEFAULT_BASE_URL and not (args.api_key or key_from_env()):
        msg = f"no Hugging Face token: {_KEY_HELP} ({_TOKENS_PAGE})"
        raise _CommandError(msg)
    out.show_reasoning = args.reasoning
    out.start_waiting()
    _load_catalog(provider)
    # Checked here: inside the model's validation it would come back wrapped.
    model_id = route(args.model, args.provider)
    llm = provider(
        args.model,
        api=args.api or AUTO,
        provider=args.provider,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        starts_inside_think=args.think or None,
    )
    answer: Callable[[list[BaseMessage], _Output], AIMessage] = (
        partial(_structured, llm.with_structured_output(args.schema, include_raw=True))
        if args.schema
        else partial(_streamed, llm)
    )
    history: list[BaseMessage] = [SystemMessage(args.system)] if args.system else []
    interactive = args.prompt is None and sys.stdin.isatty()
    with _line_editing() if interactive else contextlib.nullcontext():
        for turn, prompt in enumerate(_prompts(args.prompt, out, ask=interactive)):
            images = args.image if turn == 0 else []
            content = [{"type": "text", "text": prompt}, *images] if images else prompt
            history.append(HumanMessage(content))
            out.start_waiting()
            message = answer(history, out)
            out.finish(message, model_id)
            history.append(AIMessage(message.text))
    return 0


def _load_catalog(provider: HuggingFaceProvider) -> None:
    """Load the catalog quietly, so that answers carry their estimated cost.

    A server without a (readable) catalog still chats; one that cannot be
    reached fails here, rather than after a second wait for the answer.
    """
    from langchain_hf_router.core.errors import (
        APIConnectionError,
        APITimeoutError,
        HuggingFaceRouterError,
    )

    try:
        provider.list_models()
    except (APIConnectionError, APITimeoutError):
        raise
    except HuggingFaceRouterError:
        pass


def _prompts(prompt: str | None, out: _Output, *, ask: bool) -> Iterator[str]:
    """PROMPT alone, or lines from stdin until `/exit` or the end of input.

    `ask`: show the `you> ` prompt and the way out (stdin is a terminal).
    """
    if prompt is not None:
        yield prompt
        return
    if ask:
        sys.stderr.write("/help lists the commands, /exit or Ctrl-D leaves\n")
    while True:
        out.stop_waiting()
        try:
            line = input(_ASK if ask else "").strip()
        except EOFError:
            if ask:  # Ctrl-D: the shell's prompt goes on a line of its own
                sys.stderr.write("\n")
            return
        if line == "/exit":
            return
        if line == "/help":
            sys.stderr.write(_commands_help())
        elif line:
            yield line


def _commands_help() -> str:
    width = max(map(len, _COMMANDS))
    return "".join(f"{name.ljust(width)}  {what}\n" for name, what in _COMMANDS.items())


@contextlib.contextmanager
def _line_editing() -> Iterator[None]:
    """Line editing and a history kept across sessions, where readline exists.

    A history file that cannot be read or written is left alone, silently.
    """
    try:
        import readline
    except ImportError:  # a Python built without it
        yield
        return
    path = _history_file()
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    try:
        yield
    finally:
        readline.set_history_length(_HISTORY_LINES)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)


def _history_file() -> Path:
    """`$XDG_CACHE_HOME/hf-router/history`, else `~/.cache/hf-router/history`."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(cache):  # unset, or not usable (the XDG rule)
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache, "hf-router", "history")


def _streamed(
    llm: ChatHuggingFaceRouter, history: list[BaseMessage], out: _Output
) -> AIMessage:
    from langchain_core.messages import AIMessage, AIMessageChunk

    full: AIMessageChunk | None = None
    for chunk in llm.stream(history):
        out.arrived()
        out.reasoning(chunk)
        out.answer(chunk.text)
        full = chunk if full is None else full + chunk
    return full if full is not None else AIMessage("")


def _structured(
    runnable: Runnable[list[BaseMessage], Any],
    history: list[BaseMessage],
    out: _Output,
) -> AIMessage:
    result = runnable.invoke(history)
    raw: AIMessage = result["raw"]
    out.arrived()
    out.reasoning(raw)
    if result["parsing_error"] is not None:
        msg = f"the answer does not follow the schema: {result['parsing_error']}"
        raise _CommandError(msg)
    out.answer(json.dumps(result["parsed"], indent=2, ensure_ascii=False))
    return raw


class _WaitingNote:
    """`waiting for <host>...` on a terminal's stderr while a server is slow.

    A timer thread writes it once a wait passes `_NOTE_AFTER` seconds; the main
    thread erases it when the answer (or anything else for stderr) comes. One
    lock orders their writes.
    """

    def __init__(self, address: str, *, enabled: bool) -> None:
        self._text = f"waiting for {address}..."
        self._enabled = enabled
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._shown = False

    def start(self) -> None:
        """Start a wait (if none is going on)."""
        with self._lock:
            if self._enabled and self._timer is None:
                self._timer = threading.Timer(_NOTE_AFTER, self._show)
                self._timer.daemon = True
                self._timer.start()

    def stop(self) -> None:
        """End the wait: the note never shows, or is erased."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._erase()

    @contextlib.contextmanager
    def aside(self) -> Iterator[None]:
        """While something else is written to stderr, the note steps aside."""
        with self._lock:
            shown = self._shown
            self._erase()
            yield
            if shown:
                self._write()

    def _show(self) -> None:
        with self._lock:
            if threading.current_thread() is self._timer:  # still waiting
                self._write()

    def _write(self) -> None:
        sys.stderr.write(self._text)
        sys.stderr.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            sys.stderr.write(_ERASE_LINE)
            sys.stderr.flush()
            self._shown = False


class _Output:
    """The answer on stdout (so it can be piped); reasoning, notes, usage on stderr.

    Attributes:
        show_reasoning: Write the model's reasoning.
        started: Some of the current answer came (a failure now cuts it).
    """

    def __init__(self, address: str) -> None:
        self.show_reasoning = True
        self.started = False
        terminal = sys.stderr.isatty()
        color = terminal and not os.environ.get("NO_COLOR")
        self._dim, self._reset = (_DIM, _RESET) if color else ("", "")
        self._note = _WaitingNote(address, enabled=terminal)
        self._reasoning_open = False
        self._answer_open = False

    def start_waiting(self) -> None:
        """A request is on its way: a slow answer gets a note on a terminal."""
        self._note.start()

    def stop_waiting(self) -> None:
        """No answer is awaited any more (the note, if out, is erased)."""
        self._note.stop()

    def arrived(self) -> None:
        """Some of the answer came."""
        self.stop_waiting()
        self.started = True

    def reasoning(self, message: BaseMessage) -> None:
        """Write the message's reasoning blocks, dimmed on a terminal."""
        if not self.show_reasoning:
            return
        for block in message.content_blocks:
            if block["type"] == "reasoning" and block.get("reasoning"):
                # Marked open first: a Ctrl-C right after the write still ends it.
                self._reasoning_open = True
                sys.stderr.write(f"{self._dim}{block['reasoning']}{self._reset}")
                sys.stderr.flush()

    def answer(self, text: str) -> None:
        """Write a piece of the answer."""
        if text:
            self._close_reasoning()
            self._answer_open = True
            sys.stdout.write(text)
            sys.stdout.flush()

    def finish(self, message: AIMessage, model_id: str) -> None:
        """End the answer's line and write the usage line."""
        self._answer_open = True  # every answer gets its line, even an empty one
        self.end_lines()
        self.started = False
        sys.stderr.write(_usage_line(message, model_id) + "\n")

    def warning(self, message: Warning | str, *_: object, **__: object) -> None:
        """Write a warning as one line (a `warnings.showwarning`)."""
        with self._note.aside():
            sys.stderr.write(f"warning: {_one_line(str(message))}\n")

    def fail(self, text: str, code: int) -> int:
        """End the lines left open, write `error: <text>` as one line; return `code`."""
        self.end_lines()
        sys.stderr.write(f"error: {_one_line(text)}\n")
        return code

    def end_lines(self) -> None:
        """End the note and the lines left open (an error may cut an answer)."""
        self.stop_waiting()
        self._close_reasoning()
        if self._answer_open:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self._answer_open = False

    def _close_reasoning(self) -> None:
        if self._reasoning_open:
            sys.stderr.write("\n")
            self._reasoning_open = False


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _usage_line(message: AIMessage, model_id: str) -> str:
    """`[tokens: 21 in, 34 out (20 reasoning) · $0.000039 (groq) · model]`."""
    parts = []
    usage = message.usage_metadata
    if usage:
        reasoning = usage.get("output_token_details", {}).get("reasoning")
        detail = f" ({reasoning} reasoning)" if reasoning else ""
        parts.append(
            f"tokens: {usage['input_tokens']} in, {usage['output_tokens']} out{detail}"
        )
    cost = message.response_metadata.get("estimated_cost_usd")
    if cost is not None:
        priced_by = message.response_metadata["pricing"]["provider"]
        parts.append(f"${cost:.6f} ({priced_by})")
    parts.append(model_id)
    return f"[{' · '.join(parts)}]"


# --- models --------------------------------------------------------------------------


def _run_models(
    args: argparse.Namespace,
    provider: HuggingFaceProvider,
    out: _Output,
    _: _Target,
) -> int:
    import dataclasses

    out.start_waiting()
    models = provider.list_models(
        args.search,
        tools=args.tools,
        structured=args.structured,
        provider=args.provider,
    )
    out.stop_waiting()
    if args.json:
        for model in models:
            print(json.dumps(dataclasses.asdict(model), ensure_ascii=False))
    elif models:
        print(_table([_HEADER, *(_model_row(m, args.provider) for m in models)]))
    else:
        sys.stderr.write("no model matches\n")
    return 0


def _model_row(model: CatalogModel, provider: str | None) -> tuple[str, ...]:
    """One table row; context and prices are `provider`'s, else the live range."""
    offer = model.offer(provider) if provider else None
    offers = (offer,) if offer else model.live_providers
    capabilities = [
        name
        for name, present in (
            ("tools", model.supports("tools", provider)),
            ("json", model.supports("structured_output", provider)),
            ("vision", "image" in model.input_modalities),
        )
        if present
    ]
    return (
        model.id,
        ",".join(map(_provider_name, model.providers)) or "-",
        _tokens(model.context_length(provider)),
        _price_range([o.input_price for o in offers]),
        _price_range([o.output_price for o in offers]),
        ",".join(capabilities) or "-",
    )


def _provider_name(offer: ProviderOffer) -> str:
    return offer.provider if offer.live else f"{offer.provider}({offer.status})"


def _tokens(count: int | None) -> str:
    if count is None:
        return "-"
    if count >= 1_000_000:
        return f"{round(count / 1e6, 1):g}M"
    return f"{round(count / 1000)}k" if count >= 1000 else str(count)


def _price_range(prices: list[float | None]) -> str:
    known = [price for price in prices if price is not None]
    if not known:
        return "-"
    low, high = min(known), max(known)
    if high == 0:
        return "free"
    return _price(low) if low == high else f"{_price(low)}-{_price(high)}"


def _price(price: float) -> str:
    return f"{price:.2f}" if round(price, 2) == price else f"{price:g}"


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns (numbers right-aligned), two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if column in _RIGHT_ALIGNED else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )
