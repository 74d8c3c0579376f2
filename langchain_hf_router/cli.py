"""`hf-router`: chat with a model on the router, or list the router's models."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Final, NoReturn

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.runnables import Runnable

from langchain_hf_router.chat_models import ChatHuggingFaceRouter
from langchain_hf_router.core.catalog import CatalogModel, ProviderOffer
from langchain_hf_router.core.errors import HuggingFaceRouterError, InvalidInputError
from langchain_hf_router.core.formats import API_CHOICES, AUTO
from langchain_hf_router.core.routing import route
from langchain_hf_router.messages import image_block
from langchain_hf_router.provider import HuggingFaceProvider, create_huggingface

_EXIT_ERROR: Final = 1
_EXIT_USAGE: Final = 2
_EXIT_INTERRUPTED: Final = 130
_ASK: Final = "you> "
_DIM, _RESET = "\033[2m", "\033[0m"
_HEADER: Final = ("MODEL", "PROVIDERS", "CONTEXT", "$IN/M", "$OUT/M", "CAPABILITIES")
_RIGHT_ALIGNED: Final = frozenset({2, 3, 4})


class _CommandError(Exception):
    """The command could not do its job (exit code 1)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run `hf-router` with `argv` (default: the command line); return the exit code.

    0: done; 1: the router (or the way to it) failed; 2: bad usage or input;
    130: interrupted (Ctrl-C).
    """
    try:
        args = _parse(_parser(), argv)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else _EXIT_USAGE
    provider = create_huggingface(base_url=args.base_url, bill_to=args.bill_to)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.run(args, provider))
    except InvalidInputError as error:
        return _fail(error, _EXIT_USAGE)
    except (HuggingFaceRouterError, _CommandError) as error:
        return _fail(error, _EXIT_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return _EXIT_INTERRUPTED
    finally:
        provider.close()


def _fail(error: Exception, code: int) -> int:
    sys.stderr.write(f"error: {_one_line(str(error))}\n")
    return code


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show_warning(message: Warning | str, *_: object, **__: object) -> None:
    sys.stderr.write(f"warning: {_one_line(str(message))}\n")


# --- command line ------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print `error: <message>` and a pointer to the help, then exit 2."""
        self.exit(_EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $HUGGINGFACE_BASE_URL, else the router)",
    )
    parser = _Parser(
        prog="hf-router",
        description="Models on Hugging Face Inference Providers, from the shell. "
        "The token comes from HF_TOKEN (or HUGGINGFACE_API_KEY).",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    chat = commands.add_parser(
        "chat",
        parents=[common],
        help="stream an answer, or chat turn by turn without PROMPT",
        description="Stream the answer to PROMPT on stdout (reasoning and usage go "
        "to stderr). Without PROMPT, chat turn by turn: one line per turn from "
        "stdin, /exit or end of input to leave.",
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
        choices=API_CHOICES,
        default=AUTO,
        help="which router API to call (default: auto)",
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


def _image(spec: str) -> dict[str, Any]:
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


def _run_chat(args: argparse.Namespace, provider: HuggingFaceProvider) -> int:
    # Loaded quietly first, so that answers carry their estimated cost.
    with contextlib.suppress(HuggingFaceRouterError):
        provider.list_models()
    # Checked here: inside the model's validation it would come back wrapped.
    model_id = route(args.model, args.provider)
    llm = provider(
        args.model,
        api=args.api,
        provider=args.provider,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
    )
    answer: Callable[[list[BaseMessage], _Output], AIMessage] = (
        partial(_structured, llm.with_structured_output(args.schema, include_raw=True))
        if args.schema
        else partial(_streamed, llm)
    )
    out = _Output(show_reasoning=args.reasoning)
    history: list[BaseMessage] = [SystemMessage(args.system)] if args.system else []
    try:
        for turn, prompt in enumerate(_prompts(args.prompt)):
            images = args.image if turn == 0 else []
            content = [{"type": "text", "text": prompt}, *images] if images else prompt
            history.append(HumanMessage(content))
            message = answer(history, out)
            out.finish(message, model_id)
            history.append(AIMessage(message.text))
    finally:
        out.end_lines()
    return 0


def _prompts(prompt: str | None) -> Iterator[str]:
    """PROMPT alone, or lines from stdin until `/exit` or the end of input."""
    if prompt is not None:
        yield prompt
        return
    ask = _ASK if sys.stdin.isatty() else ""
    if ask:
        sys.stderr.write("/exit or Ctrl-D to leave\n")
    while True:
        try:
            line = input(ask).strip()
        except EOFError:
            return
        if line == "/exit":
            return
        if line:
            yield line


def _streamed(
    llm: ChatHuggingFaceRouter, history: list[BaseMessage], out: _Output
) -> AIMessage:
    full: AIMessageChunk | None = None
    for chunk in llm.stream(history):
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
    out.reasoning(raw)
    if result["parsing_error"] is not None:
        msg = f"the answer does not follow the schema: {result['parsing_error']}"
        raise _CommandError(msg)
    out.answer(json.dumps(result["parsed"], indent=2, ensure_ascii=False))
    return raw


class _Output:
    """The answer on stdout (so it can be piped); reasoning and usage on stderr."""

    def __init__(self, *, show_reasoning: bool) -> None:
        self.show_reasoning = show_reasoning
        color = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
        self._dim, self._reset = (_DIM, _RESET) if color else ("", "")
        self._reasoning_open = False
        self._answer_open = False

    def reasoning(self, message: BaseMessage) -> None:
        """Write the message's reasoning blocks, dimmed on a terminal."""
        if not self.show_reasoning:
            return
        for block in message.content_blocks:
            if block["type"] == "reasoning" and block.get("reasoning"):
                sys.stderr.write(f"{self._dim}{block['reasoning']}{self._reset}")
                sys.stderr.flush()
                self._reasoning_open = True

    def answer(self, text: str) -> None:
        """Write a piece of the answer."""
        if text:
            self._close_reasoning()
            sys.stdout.write(text)
            sys.stdout.flush()
            self._answer_open = True

    def finish(self, message: AIMessage, model_id: str) -> None:
        """End the answer's line and write the usage line."""
        self._answer_open = True  # every answer gets its line, even an empty one
        self.end_lines()
        sys.stderr.write(_usage_line(message, model_id) + "\n")

    def end_lines(self) -> None:
        """End the lines left open (by an answer, or an error in the middle of one)."""
        self._close_reasoning()
        if self._answer_open:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self._answer_open = False

    def _close_reasoning(self) -> None:
        if self._reasoning_open:
            sys.stderr.write("\n")
            self._reasoning_open = False


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


def _run_models(args: argparse.Namespace, provider: HuggingFaceProvider) -> int:
    models = provider.list_models(
        args.search,
        tools=args.tools,
        structured=args.structured,
        provider=args.provider,
    )
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
