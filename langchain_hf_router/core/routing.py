"""Which provider serves a request: the model id's `:suffix` (policy or name)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from langchain_hf_router.core.errors import InvalidInputError

POLICIES: Final = ("fastest", "cheapest", "preferred")
"""Router policies: highest throughput (the default), lowest price, your order."""

KNOWN_PROVIDERS: Final = (
    "cerebras",
    "cohere",
    "featherless-ai",
    "fireworks-ai",
    "groq",
    "hf-inference",
    "hyperbolic",
    "nebius",
    "novita",
    "nscale",
    "ovhcloud",
    "publicai",
    "sambanova",
    "scaleway",
    "together",
    "zai-org",
)
"""Chat providers known when this release was made; the catalog is the authority."""


def split_model(model: str) -> tuple[str, str | None]:
    """`"org/name:groq"` -> `("org/name", "groq")`; no suffix -> `(model, None)`."""
    base, sep, suffix = model.rpartition(":")
    if not sep or not base or "/" in suffix:
        return model, None
    return base, suffix


def route(model: str, provider: str | None) -> str:
    """The model id to send: `model` with `provider` as its suffix.

    Raises:
        InvalidInputError: `model` already names a different provider or policy.
    """
    if not provider:
        return model
    base, suffix = split_model(model)
    if suffix is not None and suffix != provider:
        msg = (
            f"The model id {model!r} already selects {suffix!r}, but "
            f"provider={provider!r} was given; use one of the two."
        )
        raise InvalidInputError(msg)
    return f"{base}:{provider}"


def unknown_provider(provider: str, known: Iterable[str]) -> str | None:
    """A warning text when `provider` is neither a policy nor in `known`, else None."""
    names = sorted(set(known))
    if provider in POLICIES or provider in names:
        return None
    return (
        f"{provider!r} is not a provider the router is known to offer; it is sent "
        f"as given. Known: {', '.join(names)}; or a policy: {', '.join(POLICIES)}"
    )
