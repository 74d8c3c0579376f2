"""`python -m langchain_hf_router`: the `hf-router` command."""

import sys

from langchain_hf_router.cli import main

if __name__ == "__main__":
    sys.exit(main())
