"""Provider instances: shared settings and connection pools, models by id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from langchain_hf_router.chat_models import ApiChoice, ChatHuggingFaceRouter
from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.catalog import DEFAULT_TTL, CatalogModel, CatalogSource
from langchain_hf_router.core.formats import AUTO
from langchain_hf_router.core.settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientPool,
    Settings,
    base_url_from_env,
    key_from_env,
    normalize_base_url,
)


class HuggingFaceProvider:
    """Makes `ChatHuggingFaceRouter` models that share settings and connections.

    Calling the provider, `language_model()` and `responses()`/`chat()` return
    models; keyword arguments become model fields (`temperature=0`, ...). Without
    an explicit key, models read `HUGGINGFACE_API_KEY` / `HF_TOKEN` when each
    request is made, so setting the environment after import works.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | None = DEFAULT_TIMEOUT,
        bill_to: str | None = None,
        catalog_ttl: float = DEFAULT_TTL,
    ) -> None:
        self._defaults: dict[str, Any] = {
            "max_retries": max_retries,
            "timeout": timeout,
            "bill_to": bill_to,
        }
        self._catalog_ttl = catalog_ttl
        self._catalogs: dict[str, CatalogSource] = {}
        self._api_key = SecretStr(api_key) if api_key else None
        self.base_url = normalize_base_url(base_url) if base_url else None
        self.headers = dict(headers or {})
        self._pool = ClientPool(http_client, http_async_client)

    def __repr__(self) -> str:
        return f"HuggingFaceProvider(base_url={self.base_url!r})"

    def _key(self) -> str | None:
        if self._api_key is not None:
            return self._api_key.get_secret_value()
        return key_from_env()

    def _model(
        self, model_id: str, api: ApiChoice, fields: dict[str, Any]
    ) -> ChatHuggingFaceRouter:
        headers = {**self.headers, **(fields.pop("default_headers", None) or {})}
        fields = {**self._defaults, **fields}
        fields.setdefault("api_key", self._api_key)
        if self.base_url:
            fields.setdefault("base_url", self.base_url)
        model = ChatHuggingFaceRouter(
            model=model_id, api=api, default_headers=headers or None, **fields
        )
        model._share(self._pool, self._key)
        return model

    def __call__(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """A model that picks its API per call (`api="auto"`, or `api=` given)."""
        return self._model(model_id, fields.pop("api", AUTO), fields)

    def language_model(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """The same as calling the provider."""
        return self(model_id, **fields)

    def responses(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """A model that always uses the Responses API (the AI SDK's model)."""
        return self._model(model_id, responses.API, fields)

    def chat(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """A model that always uses the Chat Completions API."""
        return self._model(model_id, chat_completions.API, fields)

    def _catalog(self) -> CatalogSource:
        base_url = self.base_url or base_url_from_env()
        source = self._catalogs.get(base_url)
        if source is None:
            settings = Settings(
                key=self._key,
                base_url=base_url,
                headers=self.headers,
                timeout=self._defaults["timeout"],
                max_retries=self._defaults["max_retries"],
                clients=self._pool,
            )
            source = self._catalogs[base_url] = CatalogSource(
                settings, self._catalog_ttl
            )
        return source

    def list_models(
        self,
        search: str | None = None,
        *,
        tools: bool = False,
        structured: bool = False,
        provider: str | None = None,
        refresh: bool = False,
    ) -> list[CatalogModel]:
        """The router's models (`GET /models`), cached for `catalog_ttl` seconds.

        Args:
            search: Keep models whose id contains this text (any case).
            tools: Keep models with tool calling (on `provider`, if given).
            structured: Keep models with structured output (on `provider`).
            provider: Keep models that this provider serves.
            refresh: Fetch again even if a cached catalog is fresh.
        """
        catalog = self._catalog().get(refresh=refresh)
        return catalog.search(
            search, tools=tools, structured=structured, provider=provider
        )

    async def alist_models(
        self,
        search: str | None = None,
        *,
        tools: bool = False,
        structured: bool = False,
        provider: str | None = None,
        refresh: bool = False,
    ) -> list[CatalogModel]:
        """Async `list_models`."""
        catalog = await self._catalog().aget(refresh=refresh)
        return catalog.search(
            search, tools=tools, structured=structured, provider=provider
        )

    def model_info(self, model_id: str) -> CatalogModel | None:
        """The catalog entry for `model_id` (`:provider`/`:policy` suffix allowed)."""
        return self._catalog().get().get(model_id)

    async def amodel_info(self, model_id: str) -> CatalogModel | None:
        """Async `model_info`."""
        return (await self._catalog().aget()).get(model_id)

    def close(self) -> None:
        """Close the HTTP client the provider made (not one you passed in)."""
        self._pool.close()

    async def aclose(self) -> None:
        """Close the HTTP clients the provider made for the running loop."""
        await self._pool.aclose()


def create_huggingface(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    http_client: httpx.Client | None = None,
    http_async_client: httpx.AsyncClient | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    timeout: float | None = DEFAULT_TIMEOUT,
    bill_to: str | None = None,
    catalog_ttl: float = DEFAULT_TTL,
) -> HuggingFaceProvider:
    """A provider instance with your settings.

    Args:
        api_key: Hugging Face token; default `HUGGINGFACE_API_KEY`, then `HF_TOKEN`,
            read when each request is made.
        base_url: API base URL; default `HUGGINGFACE_BASE_URL`, else
            `https://router.huggingface.co/v1`.
        headers: Extra headers for every request.
        http_client: Your own `httpx.Client` for blocking calls.
        http_async_client: Your own `httpx.AsyncClient` for async calls.
        max_retries: Retries for every model made here (default 2).
        timeout: Read timeout in seconds for every model made here (default 120;
            None waits forever).
        bill_to: Organization billed for every model made here (`X-HF-Bill-To`).
        catalog_ttl: Seconds a fetched model catalog is reused (default 600).
    """
    return HuggingFaceProvider(
        api_key=api_key,
        base_url=base_url,
        headers=headers,
        http_client=http_client,
        http_async_client=http_async_client,
        max_retries=max_retries,
        timeout=timeout,
        bill_to=bill_to,
        catalog_ttl=catalog_ttl,
    )


huggingface = create_huggingface()
"""The default provider instance (key from the environment at request time)."""
