"""The router's model catalog (`GET /models`): typed entries, lookups, a cache.

Each entry lists the providers serving the model with their status, context
length, prices (USD per million tokens), capabilities and speed. Catalogs loaded
in this process are remembered per base URL, so models built afterwards can take
their profile and prices from them without a request.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import httpx

from langchain_hf_router.core.errors import ServerError
from langchain_hf_router.core.http import asend, body_of, send
from langchain_hf_router.core.routing import POLICIES, split_model
from langchain_hf_router.core.settings import Settings

PATH: Final = "/models"
DEFAULT_TTL: Final = 600.0


@dataclass(slots=True)
class ProviderOffer:
    """One provider serving a model. Fields the catalog does not give are None."""

    provider: str
    status: str | None = None
    context_length: int | None = None
    input_price: float | None = None
    """USD per million input tokens."""
    output_price: float | None = None
    """USD per million output tokens."""
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None
    first_token_latency_ms: float | None = None
    throughput: float | None = None
    """Output tokens per second."""
    is_free: bool | None = None

    @property
    def live(self) -> bool:
        """Whether the provider currently serves the model (unknown counts as live)."""
        return self.status in (None, "live")

    def cost(self, input_tokens: int, output_tokens: int) -> float | None:
        """Estimated USD for a call of that usage, when both prices are known."""
        if self.input_price is None or self.output_price is None:
            return None
        return (
            input_tokens * self.input_price + output_tokens * self.output_price
        ) / 1e6


@dataclass(slots=True)
class CatalogModel:
    """A model on the router and the providers serving it."""

    id: str
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)
    providers: tuple[ProviderOffer, ...] = ()
    owned_by: str | None = None
    created: int | None = None

    def offer(self, provider: str) -> ProviderOffer | None:
        """The named provider's offer, if it serves this model."""
        return next((o for o in self.providers if o.provider == provider), None)

    @property
    def live_providers(self) -> tuple[ProviderOffer, ...]:
        """The offers whose status is live (or not given)."""
        return tuple(o for o in self.providers if o.live)

    def chosen(self, policy: str | None) -> ProviderOffer | None:
        """The offer a suffix selects: a provider by name, or by policy.

        `fastest` (the default) picks the highest throughput and `cheapest` the
        lowest output price among live providers; `preferred` follows account
        settings, so it is known only when a single provider is live.
        """
        if policy and policy not in POLICIES:
            return self.offer(policy)
        live = self.live_providers
        if len(live) == 1:
            return live[0]
        if policy == "cheapest":
            priced = [o for o in live if o.output_price is not None]
            return min(priced, key=_price, default=None)
        if policy in (None, "fastest"):
            measured = [o for o in live if o.throughput is not None]
            return max(measured, key=_throughput, default=None)
        return None

    def supports(self, capability: str, provider: str | None = None) -> bool | None:
        """`"tools"` or `"structured_output"` on that provider, or on any live one."""
        field = f"supports_{capability}"
        if provider is not None and provider not in POLICIES:
            offer = self.offer(provider)
            return None if offer is None else getattr(offer, field)
        values = [getattr(o, field) for o in self.live_providers]
        if any(values):
            return True
        return False if values and None not in values else None

    def context_length(self, provider: str | None = None) -> int | None:
        """That provider's context length, or the largest among live providers."""
        if provider is not None and provider not in POLICIES:
            offer = self.offer(provider)
            return None if offer is None else offer.context_length
        lengths = [o.context_length for o in self.live_providers if o.context_length]
        return max(lengths, default=None)


def _price(offer: ProviderOffer) -> tuple[float, float]:
    return (offer.output_price or 0.0, offer.input_price or 0.0)


def _throughput(offer: ProviderOffer) -> float:
    return offer.throughput or 0.0


class Catalog:
    """Every model of one catalog answer, found by id (suffixes understood)."""

    def __init__(self, models: Iterable[CatalogModel], fetched_at: float) -> None:
        self.models = tuple(models)
        self.fetched_at = fetched_at
        self._by_id = {model.id: model for model in self.models}

    def __len__(self) -> int:
        return len(self.models)

    def get(self, model_id: str) -> CatalogModel | None:
        """The entry for `model_id`, with or without a `:provider`/`:policy` suffix."""
        found = self._by_id.get(model_id)
        if found is None:
            found = self._by_id.get(split_model(model_id)[0])
        return found

    def offer(self, model_id: str) -> ProviderOffer | None:
        """The offer that `model_id`'s suffix (or the default policy) selects."""
        model = self.get(model_id)
        if model is None:
            return None
        return model.chosen(split_model(model_id)[1])

    def providers(self) -> list[str]:
        """Every provider name in the catalog."""
        return sorted({o.provider for m in self.models for o in m.providers})

    def search(
        self,
        text: str | None = None,
        *,
        tools: bool = False,
        structured: bool = False,
        provider: str | None = None,
    ) -> list[CatalogModel]:
        """Models whose id contains `text`, with the capabilities asked for."""
        found = []
        for model in self.models:
            if text and text.lower() not in model.id.lower():
                continue
            if provider and model.offer(provider) is None:
                continue
            if tools and not model.supports("tools", provider):
                continue
            if structured and not model.supports("structured_output", provider):
                continue
            found.append(model)
        return found


def parse_catalog(body: Any, *, fetched_at: float | None = None) -> Catalog:
    """A catalog from a `GET /models` answer (`{"data": [...]}` or a list).

    Raises:
        ServerError: The answer is not a model list.
    """
    entries = body.get("data") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        msg = f"the model list is not a list: {str(body)[:200]!r}"
        raise ServerError(msg, retryable=False)
    models = [_model(entry) for entry in entries if isinstance(entry, dict)]
    return Catalog(
        [m for m in models if m.id], time.time() if fetched_at is None else fetched_at
    )


def _model(entry: dict[str, Any]) -> CatalogModel:
    architecture = entry.get("architecture") or {}
    return CatalogModel(
        id=str(entry.get("id") or ""),
        input_modalities=_strings(architecture.get("input_modalities"), ("text",)),
        output_modalities=_strings(architecture.get("output_modalities"), ("text",)),
        providers=tuple(
            _offer(p) for p in entry.get("providers") or () if isinstance(p, dict)
        ),
        owned_by=entry.get("owned_by"),
        created=entry.get("created"),
    )


def _offer(raw: dict[str, Any]) -> ProviderOffer:
    pricing = raw.get("pricing") or {}
    return ProviderOffer(
        provider=str(raw.get("provider") or ""),
        status=raw.get("status"),
        context_length=_number(raw.get("context_length"), int),
        input_price=_number(pricing.get("input"), float),
        output_price=_number(pricing.get("output"), float),
        supports_tools=raw.get("supports_tools"),
        supports_structured_output=raw.get("supports_structured_output"),
        first_token_latency_ms=_number(raw.get("first_token_latency_ms"), float),
        throughput=_number(raw.get("throughput"), float),
        is_free=raw.get("is_free"),
    )


def _strings(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list):
        return default
    return tuple(str(item) for item in value)


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return kind(value)


_LOADED: dict[str, Catalog] = {}


def loaded_catalog(base_url: str) -> Catalog | None:
    """The catalog last loaded in this process from `base_url`, if any."""
    return _LOADED.get(base_url)


def forget_catalogs() -> None:
    """Forget every loaded catalog (models built afterwards use the shipped table)."""
    _LOADED.clear()


class CatalogSource:
    """Fetches a base URL's catalog and keeps it for `ttl` seconds."""

    def __init__(self, settings: Settings, ttl: float = DEFAULT_TTL) -> None:
        self.settings = settings
        self.ttl = ttl
        self._cached: Catalog | None = None

    def _fresh(self, refresh: bool) -> Catalog | None:
        cached = self._cached
        if refresh or cached is None or time.time() - cached.fetched_at > self.ttl:
            return None
        _LOADED[self.settings.base_url] = cached  # what this process knows
        return cached

    def _keep(self, response: httpx.Response) -> Catalog:
        catalog = parse_catalog(body_of(response))
        self._cached = _LOADED[self.settings.base_url] = catalog
        return catalog

    def get(self, *, refresh: bool = False) -> Catalog:
        """The catalog, fetched when not cached, expired or `refresh` is set."""
        cached = self._fresh(refresh)
        if cached is not None:
            return cached
        return send(self.settings, "GET", PATH, self._keep, require_key=False)

    async def aget(self, *, refresh: bool = False) -> Catalog:
        """Async `get`."""
        cached = self._fresh(refresh)
        if cached is not None:
            return cached
        return await asend(self.settings, "GET", PATH, self._keep, require_key=False)
