"""The package's imports: no import circle, and a core free of LangChain.

The import graph is read from the source with `ast`, so an import under
`if TYPE_CHECKING:` or inside a function counts as much as a top-level one
(an annotation-only circle is still a circle for a reader and a type checker).

What counts as an edge:

- `import a.b.c` and `from a.b.c import name` edge to the module `a.b.c`;
  `from a.b import c`, where `c` is a submodule, edges to `a.b.c`.
- An edge goes to a package's `__init__` only when the package itself is
  imported (`import langchain_hf_router`) or a name is taken from it that is
  not a submodule (`from langchain_hf_router import ChatHuggingFaceRouter`).
- The parent packages that Python runs before a submodule are not edges. Python
  always starts a package's `__init__` before any of its submodules, so a
  submodule never re-enters it; counting that step would make every module sit
  in a false circle with the top-level `__init__`, which imports them all.
  A real circle through an `__init__` (a module taking a re-exported name from a
  package whose `__init__` imports that module) is caught by the rule above,
  and `test_graph_rules` shows it on a small package.

Dynamic imports (`importlib.import_module`) are not in the graph; the
subprocess checks of the core see them.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "langchain_hf_router"
CORE = f"{PACKAGE}.core"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE

# (module under core/, the module it may import): the one LangChain import the
# core may make, for the error base classes.
ALLOWED_IN_CORE = frozenset({(f"{CORE}.errors", "langchain_core.exceptions")})
LANGCHAIN_ROOTS = frozenset({"langchain", "langsmith", "langgraph"})
# Modules a core import must not load (beyond what an allowed import brings).
HEAVY = ("langchain_core.messages", "langchain_core.language_models", "pydantic")


@dataclass(frozen=True)
class Import:
    """One import statement, with the absolute module names it imports."""

    module: str
    path: Path
    line: int
    statement: str
    targets: tuple[str, ...]

    def where(self) -> str:
        return f"{self.path}:{self.line}: {self.statement}"


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Each module's dotted name (a package is named by its `__init__`)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def _statement(source: str, node: ast.stmt) -> str:
    text = " ".join((ast.get_source_segment(source, node) or ast.unparse(node)).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, path: Path, modules: set[str]
) -> tuple[str, ...]:
    if isinstance(node, ast.Import):
        return tuple(dict.fromkeys(alias.name for alias in node.names))
    if node.level:
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        base = importlib.util.resolve_name("." * node.level + (node.module or ""), here)
    else:
        base = node.module or ""
    found = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        found.append(submodule if submodule in modules else base)
    return tuple(dict.fromkeys(found))


def read_imports(root: Path, package: str) -> list[Import]:
    """Every import statement of every module under `root`, anywhere in it."""
    files = module_files(root, package)
    imports = []
    for module, path in files.items():
        source = path.read_text(encoding="utf-8")
        shown = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(
                    Import(
                        module,
                        shown,
                        node.lineno,
                        _statement(source, node),
                        _targets(node, module, path, set(files)),
                    )
                )
    return sorted(imports, key=lambda item: (item.module, item.line))


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def import_graph(root: Path, package: str) -> dict[str, dict[str, Import]]:
    """`graph[a][b]`: the first statement by which module `a` imports module `b`."""
    graph: dict[str, dict[str, Import]] = {
        module: {} for module in module_files(root, package)
    }
    for item in read_imports(root, package):
        for target in item.targets:
            if target in graph:
                graph[item.module].setdefault(target, item)
    return graph


def cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The shortest circle through each module that is on one, each listed once."""
    found: set[tuple[str, ...]] = set()
    for start in sorted(graph):
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue and start not in came_from:
            node = queue.popleft()
            for after in sorted(graph[node]):
                if after not in came_from:
                    came_from[after] = node
                    queue.append(after)
        if start in came_from:
            path = [start]
            while (path[-1] != start or len(path) == 1) and len(path) <= len(graph):
                path.append(came_from[path[-1]])
            ring = path[:0:-1]  # start, ..., the module that imports start
            first = ring.index(min(ring))
            found.add(tuple(ring[first:] + ring[:first]))
    return [list(ring) for ring in sorted(found)]


def describe(ring: list[str], graph: dict[str, dict[str, Import]]) -> str:
    steps = [
        f"  {a} -> {b}  ({graph[a][b].where()})"
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    ]
    return "\n".join(steps)


def test_no_import_cycle() -> None:
    graph = import_graph(ROOT, PACKAGE)
    rings = cycles(graph)
    report = "\n\n".join(describe(ring, graph) for ring in rings)
    assert not rings, f"Import circle(s) in {PACKAGE}:\n{report}"


def test_every_package_import_names_a_module() -> None:
    modules = set(module_files(ROOT, PACKAGE))
    unknown = [
        f"{item.module} imports {target}, which is no module ({item.where()})"
        for item in read_imports(ROOT, PACKAGE)
        for target in item.targets
        if _inside(target, PACKAGE) and target not in modules
    ]
    assert not unknown, "\n".join(unknown)


def test_graph_rules(tmp_path: Path) -> None:
    """The edge rules on a small package, with one circle and one non-circle."""
    files = {
        "__init__.py": "from pkg.a import A\n",
        "a.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from .b import f\n"
            "class A: ...\n"
        ),
        "b.py": "def f():\n    from pkg import a\n",
        "c.py": "from pkg.sub.d import D\n",
        "sub/__init__.py": "",
        "sub/d.py": "from pkg import A\nfrom ..b import f\nD = A\n",
    }
    root = tmp_path / "pkg"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    graph = import_graph(root, "pkg")
    edges = {module: sorted(targets) for module, targets in graph.items()}
    assert edges == {
        "pkg": ["pkg.a"],
        "pkg.a": ["pkg.b"],  # under TYPE_CHECKING, relative
        "pkg.b": ["pkg.a"],  # inside a function; `a` is a submodule
        "pkg.c": ["pkg.sub.d"],  # not `pkg` nor `pkg.sub`, its parents
        "pkg.sub": [],
        "pkg.sub.d": ["pkg", "pkg.b"],  # `A` is a name of pkg's __init__
    }
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert "pkg/b.py:2: from pkg import a" in describe(["pkg.a", "pkg.b"], graph)
    (root / "a.py").write_text("from pkg.sub.d import D\nclass A: ...\n")
    assert cycles(import_graph(root, "pkg")) == [
        ["pkg", "pkg.a", "pkg.sub.d"],  # a re-exported name taken from __init__
        ["pkg.a", "pkg.sub.d", "pkg.b"],
    ]


def _langchain_or_outside_core(target: str) -> bool:
    top = target.split(".")[0]
    if top == PACKAGE:
        return not _inside(target, CORE)
    return top in LANGCHAIN_ROOTS or top.startswith("langchain_")


def test_core_imports_no_langchain() -> None:
    core_imports = [
        item for item in read_imports(ROOT, PACKAGE) if _inside(item.module, CORE)
    ]
    assert core_imports, f"no imports read under {CORE}"
    seen = set()
    refused = []
    for item in core_imports:
        for target in item.targets:
            if not _langchain_or_outside_core(target):
                continue
            if (item.module, target) in ALLOWED_IN_CORE:
                seen.add((item.module, target))
            else:
                refused.append(f"{item.module} imports {target} ({item.where()})")
    assert not refused, (
        f"{CORE} must not import LangChain or the LangChain layer:\n"
        + "\n".join(refused)
    )
    stale = sorted(ALLOWED_IN_CORE - seen)
    assert not stale, (
        f"Allowed import(s) no longer made; update ALLOWED_IN_CORE: {stale}"
    )


# Imports one module in a fresh interpreter and prints, for each HEAVY module it
# loaded, the chain of first importers that brought it in. With "isolated", the
# top-level package is an empty stand-in, so its `__init__` (which imports the
# whole LangChain layer) does not run: what loads is what the module needs.
_PROBE = r"""
import builtins, importlib, json, sys, types

module, mode, root, heavy = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if mode == "isolated":
    stand_in = types.ModuleType("langchain_hf_router")
    stand_in.__path__ = [root]
    sys.modules["langchain_hf_router"] = stand_in
importer = {}
real_import = builtins.__import__

def tracing_import(name, globals=None, locals=None, fromlist=(), level=0):
    before = set(sys.modules)
    try:
        return real_import(name, globals, locals, fromlist, level)
    finally:
        by = (globals or {}).get("__name__", "?")
        for new in set(sys.modules) - before:
            importer.setdefault(new, by)

builtins.__import__ = tracing_import
importlib.import_module(module)
builtins.__import__ = real_import
chains = {}
for name in heavy:
    if name in sys.modules:
        chain = [name]
        while chain[-1] in importer and len(chain) < 60:
            chain.append(importer[chain[-1]])
        chains[name] = chain[::-1]
print(json.dumps(chains))
"""


def _loaded_heavy(module: str, mode: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module, mode, str(ROOT), *HEAVY],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"
    chains: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return chains


def _leaves_core_by_allowed_import(chain: list[str]) -> bool:
    """Whether the chain's first step out of the core is an allowed import.

    That step may be a parent package of the allowed module (`langchain_core`
    for `langchain_core.exceptions`): Python loads it first, for the same line.
    """
    for before, after in itertools.pairwise(chain):
        if not _inside(after, CORE):
            return any(
                before == holder and _inside(target, after)
                for holder, target in ALLOWED_IN_CORE
            )
    return False


CORE_MODULES = sorted(m for m in module_files(ROOT, PACKAGE) if _inside(m, CORE))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_loads_no_langchain_messages_or_pydantic(module: str) -> None:
    """Run alone (without the top-level `__init__`), a core module loads none of
    HEAVY, except what its one allowed import brings: `langchain_core.exceptions`
    loads pydantic itself (through `langchain_core._api.deprecation`)."""
    chains = _loaded_heavy(module, "isolated")
    refused = {
        name: " -> ".join(chain)
        for name, chain in chains.items()
        if not _leaves_core_by_allowed_import(chain)
    }
    assert not refused, f"import {module} loads: " + "; ".join(
        f"{name} (by {how})" for name, how in refused.items()
    )


def test_core_import_through_the_package_loads_no_langchain_messages() -> None:
    """Python runs the package's `__init__` before `core.types`: a lazy one (PEP
    562) loads nothing, so the core module loads no more than it needs."""
    chains = _loaded_heavy(f"{CORE}.types", "package")
    assert not chains, f"import {CORE}.types loads: " + "; ".join(
        f"{name} (by {' -> '.join(chain)})" for name, chain in chains.items()
    )


# Modules the command line must not load to answer without running a command.
CLI_HEAVY = ("langchain_core", "httpx", "pydantic")


def _imported(line: str) -> str:
    """The module of one `-X importtime` line: `import time: 12 | 34 |   a.b`."""
    return line.rpartition("|")[2].strip()


@pytest.mark.parametrize(
    "args",
    [["--help"], ["chat", "--help"], ["models", "--help"], ["--version"], ["nope"]],
)
def test_cli_without_a_command_to_run_loads_no_langchain(args: list[str]) -> None:
    """`hf-router --help` (and the like) load LangChain, httpx, pydantic lazily."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", PACKAGE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
        timeout=120,
        check=False,
    )
    lines = done.stderr.splitlines()
    imported = {_imported(line) for line in lines if line.startswith("import time:")}
    assert f"{PACKAGE}.cli" in imported, done.stderr  # the probe sees the imports
    loaded = sorted(name for name in imported if name.split(".")[0] in CLI_HEAVY)
    assert not loaded, f"hf-router {' '.join(args)} loads {loaded}"
