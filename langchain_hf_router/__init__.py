"""Hugging Face Inference Providers (the HF router) as LangChain chat models.

The names below load on first use (PEP 562): importing the package, or one of
its light modules, does not load LangChain until a name that needs it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_hf_router.chat_models import ChatHuggingFaceRouter
    from langchain_hf_router.core.catalog import CatalogModel, ProviderOffer
    from langchain_hf_router.core.errors import (
        APIConnectionError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BrokenStreamError,
        CapabilityWarning,
        ConflictError,
        ContextLengthError,
        HuggingFaceRouterError,
        InsufficientCreditsError,
        InvalidInputError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RequestTimeoutError,
        ServerError,
        UnknownProviderWarning,
        UnsupportedSettingWarning,
    )
    from langchain_hf_router.messages import image_block
    from langchain_hf_router.provider import (
        HuggingFaceProvider,
        create_huggingface,
        huggingface,
    )

    __version__: str

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BrokenStreamError",
    "CapabilityWarning",
    "CatalogModel",
    "ChatHuggingFaceRouter",
    "ConflictError",
    "ContextLengthError",
    "HuggingFaceProvider",
    "HuggingFaceRouterError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderOffer",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "UnknownProviderWarning",
    "UnsupportedSettingWarning",
    "__version__",
    "create_huggingface",
    "huggingface",
    "image_block",
]

# Where the version comes from: the installed distribution's metadata (the
# `name` in pyproject.toml).
_DISTRIBUTION = "langchain-hf-router"
# The modules that define the public names, lightest first: each name is loaded
# from the first of them that has it.
_MODULES = ("core.errors", "core.catalog", "messages", "provider", "chat_models")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_DISTRIBUTION)
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        return "0+unknown"


def __getattr__(name: str) -> object:
    """Load a public name from its module on first use, then keep it here."""
    if name == "__version__":
        value: object = _version()
    elif name in __all__:
        modules = (importlib.import_module(f"{__name__}.{m}") for m in _MODULES)
        value = next(getattr(m, name) for m in modules if hasattr(m, name))
    else:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The loaded names and the public ones, loaded or not."""
    return sorted({*globals(), *__all__})
