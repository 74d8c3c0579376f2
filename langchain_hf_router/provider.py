"""Provider instances: shared settings and connection pools, models by id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from langchain_hf_router.chat_models import ApiChoice, ChatHuggingFaceRouter
from langchain_hf_router.core.settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientPool,
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
    ) -> None:
        self._defaults: dict[str, Any] = {
            "max_retries": max_retries,
            "timeout": timeout,
        }
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
        """A model that picks its API per call (`api="auto"`)."""
        return self._model(model_id, "auto", fields)

    def language_model(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """The same as calling the provider."""
        return self._model(model_id, "auto", fields)

    def responses(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """A model that always uses the Responses API (the AI SDK's model)."""
        return self._model(model_id, "responses", fields)

    def chat(self, model_id: str, **fields: Any) -> ChatHuggingFaceRouter:
        """A model that always uses the Chat Completions API."""
        return self._model(model_id, "chat_completions", fields)

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
    """
    return HuggingFaceProvider(
        api_key=api_key,
        base_url=base_url,
        headers=headers,
        http_client=http_client,
        http_async_client=http_async_client,
        max_retries=max_retries,
        timeout=timeout,
    )


huggingface = create_huggingface()
"""The default provider instance (key from the environment at request time)."""
