"""Clean environments for import times: each package as its users get it.

The development environment holds test tools (pytest-codspeed brings `rich`,
huggingface-hub brings `click`); httpx imports them, with `pygments`, for its
command line whenever they are installed. Two kinds of clean environment, each
package installed from a wheel and byte-compiled:

- the application environment: this package and the two compared ones together;
- isolated environments: one per package, holding it and its own dependencies
  only, so no package pays for what another one brought in.
"""

from __future__ import annotations

import compileall
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from benchmarks.server import ROOT

ENVS: Final = ROOT / ".benchmarks" / "import-envs"
COMPARED: Final = {"openai": "langchain-openai", "huggingface": "langchain-huggingface"}


def compile_package() -> None:
    """Byte-compile the editable package, as pip does for an installed wheel.

    With `PYTHONDONTWRITEBYTECODE` set (as on CI machines) an editable install is
    otherwise compiled again by every fresh process.
    """
    compileall.compile_dir(ROOT / "langchain_hf_router", quiet=1)


def app_python() -> str:
    """The application environment's interpreter, made or updated now."""
    return _environment("app", COMPARED.values())


def isolated_python(key: str) -> str:
    """The interpreter of the environment holding only `key`'s package."""
    if key == "router":
        return _environment("router", ())
    return _environment(key, (COMPARED[key],))


def _environment(name: str, packages: Iterable[str]) -> str:
    python = ENVS / name / "bin" / "python"
    if not python.exists():
        venv = [sys.executable, "-m", "venv", str(python.parents[1])]
        subprocess.run(venv, check=True)
        if packages := tuple(packages):
            _pip(python, *packages)
    if name in ("app", "router"):  # this checkout, as it is now
        _pip(python, "--no-deps", "--force-reinstall", str(ROOT))
        _pip(python, str(ROOT))  # its runtime dependencies, if they changed
    return str(python)


def _pip(python: Path, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--compile", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        msg = f"pip install {' '.join(args)} failed:\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)
