"""A clean application environment for import times: the package as users get it.

The development environment holds test tools (pytest-codspeed brings `rich`,
huggingface-hub brings `click`); httpx imports both, with `pygments`, for its
command line whenever they are installed. An application environment holds the
runtime dependencies and the two compared packages, each installed from a wheel
and byte-compiled, so every import starts from cached bytecode.
"""

from __future__ import annotations

import compileall
import subprocess
import sys
from pathlib import Path
from typing import Final

from benchmarks.server import ROOT

APP_VENV: Final = ROOT / ".benchmarks" / "app-venv"
COMPARED: Final = ("langchain-openai", "langchain-huggingface")


def compile_package() -> None:
    """Byte-compile the editable package, as pip does for an installed wheel.

    With `PYTHONDONTWRITEBYTECODE` set (as on CI machines) an editable install is
    otherwise compiled again by every fresh process.
    """
    compileall.compile_dir(ROOT / "langchain_hf_router", quiet=1)


def app_python() -> str:
    """The interpreter of the application environment, made or updated now."""
    python = APP_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(APP_VENV)], check=True)
        _pip(python, *COMPARED)
    _pip(python, "--no-deps", "--force-reinstall", str(ROOT))  # this checkout
    _pip(python, str(ROOT))  # its runtime dependencies, if they changed
    return str(python)


def _pip(python: Path, *args: str) -> None:
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--compile", *args],
        check=True,
        cwd=ROOT,
    )
