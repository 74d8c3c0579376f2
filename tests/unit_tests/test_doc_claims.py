"""What the docs state about the surface matches the code, in one voice."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import tomllib

from langchain_hf_router import ChatHuggingFaceRouter

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"```python\n(.*?)```", re.S)
METHODS = ("json_schema", "function_calling", "json_mode")
# This page describes the old library's default on purpose.
OTHER_LIBRARY = "migrate-from-chathuggingface.md"


def test_the_default_structured_output_method_is_stated_once_and_right() -> None:
    default = inspect.signature(ChatHuggingFaceRouter.with_structured_output)
    method = default.parameters["method"].default
    assert method == "json_schema"
    stated: dict[str, set[str]] = {}
    for page in DOCS:
        text = " ".join(page.read_text().split())
        for name in METHODS:
            near = (
                rf"{name}\W{{0,3}} \((the )?default\)"
                rf"|default (method\W{{0,3}}|`method=\W?|method, `){name}"
            )
            if re.search(near, text):
                stated.setdefault(page.name, set()).add(name)
    assert stated, "no page states the default method"
    wrong = {page: names for page, names in stated.items() if names != {method}}
    assert set(wrong) <= {OTHER_LIBRARY}, wrong
    chat_model = " ".join((ROOT / "docs/chat-model.md").read_text().split())
    assert "through tool calling" not in chat_model
    assert (
        'by default the server\'s JSON-schema response format, `method="json_schema"`'
        in chat_model
    )


def test_no_example_indexes_a_profile_key_that_may_be_absent() -> None:
    for page in DOCS:
        for block in FENCE.findall(page.read_text()):
            assert ".profile[" not in block, f"{page.name}: use .profile.get(...)"


def test_the_extra_that_installs_create_agent_is_named_and_exists() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(spec.startswith("langchain>") for spec in extras["agents"])
    page = (ROOT / "docs/tools-and-agents.md").read_text()
    assert 'pip install\n"langchain-hf-router[agents]"' in page
