"""The catalog: parsing every field, lookups with suffixes, policies, searches."""

from __future__ import annotations

import pytest

from langchain_hf_router.core.catalog import Catalog, ProviderOffer, parse_catalog
from langchain_hf_router.core.errors import InvalidInputError, ServerError
from langchain_hf_router.core.routing import (
    KNOWN_PROVIDERS,
    route,
    split_model,
    unknown_provider,
)

ENTRY = {
    "id": "org/model",
    "object": "model",
    "created": 1700000000,
    "owned_by": "org",
    "architecture": {
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
    },
    "providers": [
        {
            "provider": "fast",
            "status": "live",
            "context_length": 32768,
            "pricing": {"input": 0.5, "output": 1.5},
            "is_free": False,
            "supports_tools": True,
            "supports_structured_output": False,
            "first_token_latency_ms": 120,
            "throughput": 900,
            "is_model_author": False,
        },
        {
            "provider": "cheap",
            "status": "live",
            "context_length": 131072,
            "pricing": {"input": 0.1, "output": 0.2},
            "supports_tools": False,
            "supports_structured_output": True,
            "throughput": 50.5,
        },
        {"provider": "down", "status": "error", "pricing": {"input": 0, "output": 0}},
    ],
}


@pytest.fixture
def catalog() -> Catalog:
    return parse_catalog({"object": "list", "data": [ENTRY, {"id": "other/plain"}]})


def test_every_field_is_read(catalog: Catalog) -> None:
    model = catalog.get("org/model")
    assert model is not None
    assert model.input_modalities == ("text", "image")
    assert model.owned_by == "org"
    assert model.created == 1700000000
    assert model.offer("fast") == ProviderOffer(
        provider="fast",
        status="live",
        context_length=32768,
        input_price=0.5,
        output_price=1.5,
        supports_tools=True,
        supports_structured_output=False,
        first_token_latency_ms=120.0,
        throughput=900.0,
        is_free=False,
    )
    assert [o.provider for o in model.live_providers] == ["fast", "cheap"]


def test_an_entry_without_providers_has_defaults(catalog: Catalog) -> None:
    plain = catalog.get("other/plain")
    assert plain is not None
    assert plain.providers == ()
    assert plain.input_modalities == ("text",)
    assert plain.supports("tools") is None
    assert plain.context_length() is None


@pytest.mark.parametrize(
    ("model_id", "provider"),
    [
        ("org/model", "fast"),  # default policy: highest throughput
        ("org/model:fastest", "fast"),
        ("org/model:cheapest", "cheap"),
        ("org/model:cheap", "cheap"),
        ("org/model:down", "down"),
        ("org/model:preferred", None),  # account settings decide
        ("org/model:nobody", None),
    ],
)
def test_the_suffix_selects_the_offer(
    catalog: Catalog, model_id: str, provider: str | None
) -> None:
    offer = catalog.offer(model_id)
    assert (offer.provider if offer else None) == provider


def test_capabilities_per_provider_and_overall(catalog: Catalog) -> None:
    model = catalog.get("org/model:cheap")
    assert model is not None
    assert model.supports("tools") is True
    assert model.supports("tools", "cheap") is False
    assert model.supports("structured_output", "fast") is False
    assert model.supports("structured_output") is True
    assert model.context_length() == 131072
    assert model.context_length("fast") == 32768


def test_cost_from_prices() -> None:
    offer = ProviderOffer("p", input_price=0.5, output_price=1.5)
    assert offer.cost(1_000_000, 2_000_000) == pytest.approx(3.5)
    assert ProviderOffer("p", input_price=0.5).cost(1, 1) is None


def test_search_filters(catalog: Catalog) -> None:
    assert [m.id for m in catalog.search("MODEL")] == ["org/model"]
    assert [m.id for m in catalog.search(tools=True)] == ["org/model"]
    assert catalog.search(tools=True, provider="cheap") == []
    assert [m.id for m in catalog.search(structured=True, provider="cheap")] == [
        "org/model"
    ]
    assert catalog.providers() == ["cheap", "down", "fast"]


@pytest.mark.parametrize("body", [{"error": "nope"}, "text", {"data": "x"}])
def test_a_body_that_is_not_a_list_is_an_error(body: object) -> None:
    with pytest.raises(ServerError, match="not a list"):
        parse_catalog(body)


def test_wrongly_typed_numbers_are_unknown() -> None:
    entry = {
        "id": "a/b",
        "providers": [
            {
                "provider": "p",
                "context_length": "big",
                "pricing": {"input": True, "output": None},
            }
        ],
    }
    offer = parse_catalog([entry]).offer("a/b:p")
    assert offer is not None
    assert (offer.context_length, offer.input_price, offer.output_price) == (
        None,
        None,
        None,
    )


# --- routing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("org/name", ("org/name", None)),
        ("org/name:groq", ("org/name", "groq")),
        ("org/name:fastest", ("org/name", "fastest")),
        ("local-alias", ("local-alias", None)),
        (":groq", (":groq", None)),
    ],
)
def test_split_model(model: str, expected: tuple[str, str | None]) -> None:
    assert split_model(model) == expected


def test_route_adds_the_suffix_once() -> None:
    assert route("org/name", None) == "org/name"
    assert route("org/name", "groq") == "org/name:groq"
    assert route("org/name:groq", "groq") == "org/name:groq"
    with pytest.raises(InvalidInputError, match="already selects 'together'"):
        route("org/name:together", "groq")


def test_unknown_provider_warning_text() -> None:
    assert unknown_provider("groq", KNOWN_PROVIDERS) is None
    assert unknown_provider("cheapest", KNOWN_PROVIDERS) is None
    text = unknown_provider("grok", KNOWN_PROVIDERS)
    assert text is not None
    assert "'grok'" in text
    assert "groq" in text
    assert "fastest" in text
