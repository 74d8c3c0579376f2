"""The public surface, pinned: `__all__` and what each name in it is.

As httpx pins its exported members: a name added to, removed from or changed in
`langchain_hf_router.__all__` fails here until `SURFACE` says so (one line per
name), so a change of the public API is always a deliberate one.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.language_models import BaseChatModel

import langchain_hf_router

ROUTER_ERROR = "HuggingFaceRouterError"


@dataclass(frozen=True)
class Class:
    """A class with these bases (a `str` names another public member)."""

    bases: tuple[type | str, ...] = ()
    record: bool = False  # a dataclass


@dataclass(frozen=True)
class Function:
    """A function with these parameters, written as in a `def` without types."""

    parameters: str


@dataclass(frozen=True)
class Instance:
    """An object of this class (a `str` names another public member)."""

    of: type | str


def error(*bases: type | str) -> Class:
    """An error class: a `HuggingFaceRouterError` and LangChain's error type(s)."""
    return Class((ROUTER_ERROR, *bases))


def warning() -> Class:
    return Class((UserWarning,))


SURFACE: dict[str, Class | Function | Instance] = {
    "APIConnectionError": error(ModelConnectionError),
    "APITimeoutError": error(ModelTimeoutError),
    "AuthenticationError": error(ModelAuthenticationError),
    "BadRequestError": error(ModelInvalidRequestError),
    "BrokenStreamError": error(ModelAPIError),
    "CapabilityWarning": warning(),
    "CatalogModel": Class(record=True),
    "ChatHuggingFaceRouter": Class((BaseChatModel,)),
    "ConflictError": error(ModelAPIError),
    "ContextLengthError": error("BadRequestError", ContextOverflowError),
    "HuggingFaceProvider": Class(),
    ROUTER_ERROR: Class((ModelError,)),
    "InsufficientCreditsError": error(ModelPermissionDeniedError),
    "InvalidInputError": Class((ValueError,)),
    "NotFoundError": error(ModelNotFoundError),
    "PermissionDeniedError": error(ModelPermissionDeniedError),
    "ProviderOffer": Class(record=True),
    "RateLimitError": error(ModelRateLimitError),
    "RequestTimeoutError": error(ModelTimeoutError),
    "ServerError": error(ModelAPIError),
    "UnknownProviderWarning": warning(),
    "UnsupportedSettingWarning": warning(),
    "__version__": Instance(str),
    "create_huggingface": Function(
        "*, api_key, base_url, headers, http_client, http_async_client, "
        "max_retries, timeout, bill_to, catalog_ttl"
    ),
    "huggingface": Instance("HuggingFaceProvider"),
    "image_block": Function("image, *, mime_type"),
}


def _public(name: type | str) -> type:
    if isinstance(name, str):
        found = getattr(langchain_hf_router, name)
        assert inspect.isclass(found), f"{name} is no class"
        return found
    return name


def _parameters(function: Callable[..., object]) -> str:
    """`function`'s parameters as written in its `def`, without types or defaults."""
    written: list[str] = []
    keyword_only_marked = False
    parameters = list(inspect.signature(function).parameters.values())
    for index, parameter in enumerate(parameters):
        kind = parameter.kind
        if kind is parameter.VAR_POSITIONAL:
            written.append(f"*{parameter.name}")
            keyword_only_marked = True
            continue
        if kind is parameter.KEYWORD_ONLY and not keyword_only_marked:
            written.append("*")
            keyword_only_marked = True
        written.append(
            f"**{parameter.name}" if kind is parameter.VAR_KEYWORD else parameter.name
        )
        following = parameters[index + 1 :]
        if kind is parameter.POSITIONAL_ONLY and (
            not following or following[0].kind is not parameter.POSITIONAL_ONLY
        ):
            written.append("/")
    return ", ".join(written)


def test_all_is_sorted_and_pinned() -> None:
    names = list(langchain_hf_router.__all__)
    assert names == sorted(names), "Keep __all__ sorted (sorted(), as Python sorts)."
    missing = sorted(set(SURFACE) - set(names))
    added = sorted(set(names) - set(SURFACE))
    assert not missing, f"Gone from __all__ (remove from SURFACE if meant): {missing}"
    assert not added, f"New in __all__ (add a line to SURFACE if meant): {added}"
    assert len(names) == len(set(names)), f"Named twice in __all__: {names}"


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_public_name_is_what_it_was(name: str) -> None:
    assert hasattr(langchain_hf_router, name), f"__all__ names {name}, not defined"
    value = getattr(langchain_hf_router, name)
    kind = SURFACE[name]
    if isinstance(kind, Class):
        assert inspect.isclass(value), f"{name} is no longer a class: {value!r}"
        for base in map(_public, kind.bases):
            assert issubclass(value, base), f"{name} is no longer a {base.__name__}"
        if kind.record:
            assert dataclasses.is_dataclass(value), f"{name} is no longer a dataclass"
    elif isinstance(kind, Function):
        assert inspect.isfunction(value), f"{name} is no longer a function: {value!r}"
        assert _parameters(value) == kind.parameters, (
            f"{name}'s parameters changed: ({_parameters(value)}), "
            f"were ({kind.parameters})"
        )
    else:
        of = _public(kind.of)
        assert isinstance(value, of), f"{name} is no longer a {of.__name__}: {value!r}"


def test_every_error_class_is_a_router_error() -> None:
    """Each public exception but `InvalidInputError` (a `ValueError`) is ours."""
    router_error = _public(ROUTER_ERROR)
    exceptions = {
        name: value
        for name in langchain_hf_router.__all__
        if inspect.isclass(value := getattr(langchain_hf_router, name))
        and issubclass(value, BaseException)
        and not issubclass(value, Warning)
    }
    outside = sorted(
        name
        for name, value in exceptions.items()
        if not issubclass(value, router_error) and name != "InvalidInputError"
    )
    assert not outside, f"Not a {ROUTER_ERROR}: {outside}"
    lacking = sorted(
        name
        for name, value in exceptions.items()
        if value is not router_error
        and issubclass(value, router_error)
        and not any(
            issubclass(base, ModelError)
            and base is not ModelError
            and base.__module__ == ModelError.__module__
            for base in value.__mro__
        )
    )
    assert not lacking, f"Not a langchain_core Model*Error subclass: {lacking}"


def test_no_public_class_or_function_outside_all() -> None:
    """Names in the package namespace are in `__all__`, private, or submodules."""
    stray = sorted(
        f"{name} ({type(value).__name__})"
        for name, value in vars(langchain_hf_router).items()
        if not name.startswith("_")
        and name not in langchain_hf_router.__all__
        and not isinstance(value, types.ModuleType)
        and (inspect.isclass(value) or callable(value))
    )
    assert not stray, f"Public in langchain_hf_router but not in __all__: {stray}"


def test_parameters_written_as_in_a_def() -> None:
    def every_kind(a: int, /, b: int, *args: int, c: int, **kwargs: int) -> None:
        return None

    def keyword_only(a: int, /, *, b: int) -> None:
        return None

    assert _parameters(every_kind) == "a, /, b, *args, c, **kwargs"
    assert _parameters(keyword_only) == "a, /, *, b"
