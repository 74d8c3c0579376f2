"""`python -m langchain_hf_router [--model ID] PROMPT`: stream one answer."""

from __future__ import annotations

import argparse
import sys

from langchain_hf_router.chat_models import ChatHuggingFaceRouter
from langchain_hf_router.core.errors import HuggingFaceRouterError, InvalidInputError

DEFAULT_MODEL = "Qwen/Qwen3-32B"
_DIM, _RESET = "\033[2m", "\033[0m"


def main(argv: list[str] | None = None) -> int:
    """Stream the answer to PROMPT; reasoning goes to stderr, dimmed."""
    parser = argparse.ArgumentParser(prog="python -m langchain_hf_router")
    parser.add_argument("prompt", help="what to ask")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model id on the router")
    args = parser.parse_args(argv)
    llm = ChatHuggingFaceRouter(model=args.model)
    dim, reset = (_DIM, _RESET) if sys.stderr.isatty() else ("", "")
    reasoned = False
    try:
        for chunk in llm.stream(args.prompt):
            for block in chunk.content_blocks:
                if block["type"] == "reasoning":
                    sys.stderr.write(f"{dim}{block['reasoning']}{reset}")
                    reasoned = True
            if chunk.text and reasoned:
                sys.stderr.write("\n")
                reasoned = False
            sys.stdout.write(chunk.text)
            sys.stdout.flush()
    except (HuggingFaceRouterError, InvalidInputError) as error:
        sys.stderr.write(f"\nerror: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        llm.close()
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
