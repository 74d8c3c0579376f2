"""Run llama.cpp's HTTP server (from the `xllamacpp` wheel) until stdin closes.

`real_server.LlamaServer` runs this file in a child process: `xllamacpp.Server`
serves from threads of the process that built it, until that process exits, so the
server gets a process of its own. Once the model is loaded and the socket listens,
one JSON line `{"url": ..., "pid": ...}` is written to stdout; the server then runs
until SIGINT/SIGTERM or, with `--exit-on-stdin-eof`, until stdin reaches end of
file (the parent closed it, or the parent died: no server outlives its tests).

By hand, from the repository root:

    .venv/bin/python tests/real_server/serve.py --port 8080
    # then e.g. base_url="http://127.0.0.1:8080/v1"; Ctrl-C to stop

Only the standard library and xllamacpp are imported: this file runs as a script.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MODEL = HERE.parents[1] / ".models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_TEMPLATE = HERE / "qwen_tools.jinja"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("HF_ROUTER_TEST_MODEL") or DEFAULT_MODEL),
    )
    parser.add_argument(
        "--chat-template",
        default=str(DEFAULT_TEMPLATE),
        help="Jinja chat template file; an empty string keeps the model's own",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--alias", action="append", default=[])
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--api-key", action="append", default=[])
    parser.add_argument("--cache-ram-mib", type=int, default=256)
    parser.add_argument("--verbosity", type=int, default=3)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    return parser.parse_args(argv)


def build_params(args: argparse.Namespace):  # -> xllamacpp.CommonParams
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(args.model)
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.n_ctx
    params.n_parallel = 1
    params.use_jinja = True
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.warmup = False
    params.ui = False
    # The prompt cache kept in RAM across requests (default 8 GiB) is capped.
    params.cache_ram_mib = args.cache_ram_mib
    params.verbosity = args.verbosity
    if args.alias:
        params.model_alias = set(args.alias)
    if args.api_key:
        params.api_keys = list(args.api_key)
    if args.chat_template:
        params.chat_template = Path(args.chat_template).read_text(encoding="utf-8")
    return params


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.model.is_file():
        print(f"serve.py: no model file at {args.model}", file=sys.stderr)
        return 2

    import xllamacpp

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = xllamacpp.Server(build_params(args))  # returns once it listens
    sys.stdout.write(
        json.dumps({"url": server.listening_address, "pid": os.getpid()}) + "\n"
    )
    sys.stdout.flush()
    # Nothing else goes to the parent's pipe, which nobody reads from now on.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def wait_for_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            stop.set()

    if args.exit_on_stdin_eof:
        threading.Thread(target=wait_for_eof, daemon=True).start()
    while not stop.wait(0.5):
        pass
    del server  # stops the HTTP listener and the inference loop
    return 0


if __name__ == "__main__":
    sys.exit(main())
