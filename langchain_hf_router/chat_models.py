"""`ChatHuggingFaceRouter`: the router's models as a LangChain chat model."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import httpx
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    ModelProfile,
)
from langchain_core.language_models.base import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils import secret_from_env
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)
from typing_extensions import Self

from langchain_hf_router.arguments import (
    check_extra,
    closest,
    hide_keys,
    sort_arguments,
)
from langchain_hf_router.core import types as core
from langchain_hf_router.core.catalog import ProviderOffer, loaded_catalog
from langchain_hf_router.core.errors import (
    CapabilityWarning,
    InvalidInputError,
    UnknownProviderWarning,
    UnsupportedSettingWarning,
)
from langchain_hf_router.core.formats import (
    AUTO,
    carriers,
    choose,
    wire_format,
)
from langchain_hf_router.core.model import LanguageModel
from langchain_hf_router.core.options import (
    CALL_SETTINGS,
    MODEL_FIELDS,
    PROVIDER_OPTION_KEYS,
    merge_provider_options,
    parse_provider_options,
)
from langchain_hf_router.core.routing import KNOWN_PROVIDERS, route, unknown_provider
from langchain_hf_router.core.settings import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    KEY_ENV_VARS,
    ClientPool,
    Settings,
    base_url_from_env,
    check_base_url,
)
from langchain_hf_router.core.sse import DEFAULT_MAX_EVENT_BYTES
from langchain_hf_router.core.tools import check_tool
from langchain_hf_router.cost import add_estimated_cost
from langchain_hf_router.messages import (
    MODEL_PROVIDER,
    ChunkBuilder,
    to_ai_message,
    to_prompt,
)
from langchain_hf_router.profiles import profile_for
from langchain_hf_router.structured import StructuredMethod, structured_output

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool  # an annotation only

ApiChoice = str
"""`"auto"` or the name of a router API in `core.formats.FORMATS`."""

# `stop` comes as `_generate`'s own argument, the others as keyword arguments.
_CALL_KWARGS = frozenset(
    {*CALL_SETTINGS, "model", "provider_options", "stream", "extra_body"} - {"stop"}
)
_CALL_ALIASES = {"max_completion_tokens": "max_tokens"}
"""Call arguments accepted under the name `ChatOpenAI` users type."""
BILL_TO_HEADER = "X-HF-Bill-To"
_CATALOG_CAPABILITIES = {
    "tool_calling": "tools",
    "structured_output": "structured_output",
}
_VISION_ADVICE = (
    "Use a vision model such as Qwen/Qwen2.5-VL-7B-Instruct "
    "(`hf-router models` lists the models that take images)."
)
_TOOLS_ADVICE = (
    "Choose a provider that supports tools with provider=..., or a model that "
    "does (`hf-router models --tools`)."
)
_STRUCTURED_ADVICE = (
    "Use method='function_calling' or method='json_mode', or a provider or model "
    "with structured output (`hf-router models --structured`)."
)


class ChatHuggingFaceRouter(BaseChatModel):
    """A chat model served by Hugging Face Inference Providers (the HF router).

    Setup: `pip install langchain-hf-router`, then set `HF_TOKEN` (or
    `HUGGINGFACE_API_KEY`) to a token with the "Inference Providers" permission.

    Example:
        ```python
        from langchain_hf_router import ChatHuggingFaceRouter

        llm = ChatHuggingFaceRouter(model="deepseek-ai/DeepSeek-R1", max_tokens=512)
        for chunk in llm.stream("How many r's are in strawberry?"):
            print(chunk.text, end="")
        ```

    Reasoning comes back as `{"type": "reasoning", "reasoning": ...}` content
    blocks ahead of the answer; `message.text` is the answer alone.
    """

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = Field(validation_alias=AliasChoices("model", "model_name"))
    """Model id on the router, optionally with a `:provider` or `:policy` suffix
    (`model_name=` is accepted too)."""
    api: ApiChoice = AUTO
    """Which router API to call: `"chat_completions"`, `"responses"` or `"auto"`,
    which uses Chat Completions unless the call needs what only the Responses API
    carries (`instructions`, `metadata`, MCP tools and MCP items in the history)."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(list(KEY_ENV_VARS), default=None)
    )
    """Hugging Face token; defaults to `HUGGINGFACE_API_KEY`, then `HF_TOKEN`."""
    base_url: str = Field(default_factory=base_url_from_env)
    """API base URL: `HUGGINGFACE_BASE_URL`, else the router. Any server speaking
    the router's APIs works (a proxy, a local llama.cpp server)."""
    default_headers: dict[str, str] | None = None
    """Extra headers sent with every request."""
    provider: str | None = None
    """Who serves the model: a policy (`"fastest"`, the router's default,
    `"cheapest"`, `"preferred"`) or a provider name (`"groq"`, `"together"`, ...),
    sent as the model id's `:suffix`."""
    bill_to: str | None = None
    """Organization to bill (sent as `X-HF-Bill-To`)."""
    temperature: float | None = None
    """Sampling temperature."""
    max_tokens: int | None = Field(
        default=None,
        validation_alias=AliasChoices("max_tokens", "max_completion_tokens"),
    )
    """Answer budget (`max_tokens` on Chat, `max_output_tokens` on Responses;
    `max_completion_tokens=` is accepted too)."""
    top_p: float | None = None
    """Nucleus sampling mass."""
    stop: list[str] | None = None
    """Stop sequences (Chat Completions only; the Responses API cannot carry them)."""
    seed: int | None = None
    """Sampling seed (Chat Completions only)."""
    frequency_penalty: float | None = None
    """Penalise tokens by how often they already appeared (Chat Completions only)."""
    presence_penalty: float | None = None
    """Penalise tokens that already appeared at all (Chat Completions only)."""
    logprobs: bool | None = None
    """Return the answer's token log probabilities, in
    `response_metadata["logprobs"]` (Chat Completions only)."""
    top_logprobs: int | None = None
    """How many likeliest tokens to list at each position (needs `logprobs=True`)."""
    parallel_tool_calls: bool | None = None
    """Allow several tool calls in one answer (Chat Completions only; `bind_tools`
    takes it per binding too)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body keys for every call (`{"top_k": 20}`), sent as they are
    on either API. Unknown constructor arguments land here, with a warning."""
    extra_body: dict[str, Any] | None = None
    """Keys merged into every request body last, as they are; a call's own
    `extra_body=` is merged over these."""
    timeout: float | None = Field(
        default=DEFAULT_TIMEOUT,
        validation_alias=AliasChoices("timeout", "request_timeout"),
    )
    """Seconds to wait for each read (a stream silent this long fails), each write
    and a free pooled connection; None waits forever (`request_timeout=` is
    accepted too)."""
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT
    """Seconds to wait for a connection to be made."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries on 408, 409, 429, 5xx and connection errors, with backoff."""
    deadline: float | None = None
    """Seconds one whole call may take, its retries and its whole body included;
    past it the call raises `APITimeoutError`, also while a stream keeps sending
    keep-alive comments or trickles in. None (the default) sets no bound; `timeout`
    still bounds each read."""
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
    """The largest stream event accepted, in bytes (default 16 MiB); a larger one
    raises `BrokenStreamError` instead of filling memory."""
    streaming: bool = False
    """Stream by default, also inside `invoke`."""
    provider_options: dict[str, Any] | None = None
    """`metadata`, `instructions`, `strict_json_schema`, `reasoning_effort`; a call's
    own `provider_options=` are merged over these key by key."""
    starts_inside_think: bool | None = None
    """Whether the model's answers begin inside a `<think>` block whose opening tag
    is in the prompt; None means: known for DeepSeek-R1, QwQ and Qwen3 Thinking."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own `httpx.Client` (proxies, transports, limits)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own `httpx.AsyncClient`."""

    _pool: ClientPool = PrivateAttr()
    _owns_pool: bool = PrivateAttr(default=True)
    _key_fallback: Callable[[], str | None] | None = PrivateAttr(default=None)
    _models: dict[str, LanguageModel] = PrivateAttr(default_factory=dict)
    _warned: set[tuple[str, str]] = PrivateAttr(default_factory=set)
    """Warnings given once per model: (API, setting) and ("profile", capability)."""

    @model_validator(mode="before")
    @classmethod
    def _sort_arguments(cls, values: Any) -> Any:
        """Misspellings are errors; other unknown names go to `model_kwargs`."""
        if not isinstance(values, dict):
            return values
        hide_keys(values)  # in place: a validation error quotes this very dict
        names = set(cls.model_fields)
        for name, info in cls.model_fields.items():
            if isinstance(info.validation_alias, AliasChoices):
                choices = {str(c) for c in info.validation_alias.choices}
                if len(choices & set(values)) > 1:
                    given = " and ".join(sorted(choices & set(values)))
                    msg = f"{given} name the same setting ({name}); give one."
                    raise InvalidInputError(msg)
                names |= choices
        return sort_arguments(dict(values), names)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.api != AUTO:
            wire_format(self.api)
        parse_provider_options(self.provider_options)
        if self.extra_body is not None:
            check_extra(self.extra_body, "extra_body")
        route(self.model, self.provider)
        if self.provider:
            catalog = loaded_catalog(self.base_url)
            known = catalog.providers() if catalog else KNOWN_PROVIDERS
            if text := unknown_provider(self.provider, known):
                warnings.warn(text, UnknownProviderWarning, stacklevel=2)
        if self.max_retries < 0:
            msg = f"max_retries must be 0 or more, got {self.max_retries}."
            raise InvalidInputError(msg)
        if self.deadline is not None and not self.deadline > 0:
            msg = f"deadline must be a number of seconds above 0, got {self.deadline}."
            raise InvalidInputError(msg)
        if self.max_event_bytes < 1:
            msg = f"max_event_bytes must be 1 or more, got {self.max_event_bytes}."
            raise InvalidInputError(msg)
        check_base_url(self.base_url)
        self._pool = ClientPool(self.http_client, self.http_async_client)
        return self

    # --- LangChain conventions -------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "huggingface-router"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "api": self.api,
            "base_url": self.base_url,
            **{name: getattr(self, name) for name in MODEL_FIELDS},
            "model_kwargs": self.model_kwargs,
            "extra_body": self.extra_body,
            "provider_options": self.provider_options,
            "provider": self.provider,
        }

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=MODEL_PROVIDER,
            ls_model_name=self._routed(kwargs),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Models serialize with `dumpd`/`dumps`; the key is kept as a secret."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """`["langchain_hf_router", "chat_models"]`."""
        return ["langchain_hf_router", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The key is stored as a reference to `HUGGINGFACE_API_KEY`."""
        return {"api_key": "HUGGINGFACE_API_KEY"}

    # --- resources -----------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client this model made (not yours, not its provider's)."""
        if self._owns_pool:
            self._pool.close()

    async def aclose(self) -> None:
        """Close the HTTP clients this model made for the running loop."""
        if self._owns_pool:
            await self._pool.aclose()

    def _share(self, pool: ClientPool, key: Callable[[], str | None]) -> None:
        """Use a provider's connection pools, and its key when none was given."""
        self._pool = pool
        self._owns_pool = False
        self._key_fallback = key

    def _key(self) -> str | None:
        if self.api_key is not None:
            return self.api_key.get_secret_value() or None
        return self._key_fallback() if self._key_fallback else None

    def _resolve_model_profile(self) -> ModelProfile | None:
        return profile_for(
            route(self.model, self.provider), loaded_catalog(self.base_url)
        )

    def _routed(self, kwargs: dict[str, Any]) -> str:
        """The model id a call sends: its `model=` or the field, with the provider."""
        return route(kwargs.get("model") or self.model, self.provider)

    def _offer(self, model_id: str) -> ProviderOffer | None:
        catalog = loaded_catalog(self.base_url)
        return catalog.offer(model_id) if catalog is not None else None

    def _lacks(self, capability: str) -> bool:
        """Whether the profile says the model cannot do this, not yet warned about."""
        return not (self.profile or {}).get(capability, True) and (
            ("profile", capability) not in self._warned
        )

    def _check_capability(self, capability: str, doing: str, advice: str) -> None:
        """Warn (once per model) when the profile says the model cannot do this."""
        if not self._lacks(capability):
            return
        self._warned.add(("profile", capability))
        where = f" served by {self.provider}" if self.provider else ""
        msg = (
            f"{self.model}{where} cannot do {doing} according to its profile; "
            f"the request is sent anyway. {advice}"
        )
        catalog = loaded_catalog(self.base_url)
        entry = catalog.get(self.model) if catalog else None
        if entry is not None and capability in _CATALOG_CAPABILITIES:
            able = [
                o.provider
                for o in entry.live_providers
                if getattr(o, f"supports_{_CATALOG_CAPABILITIES[capability]}")
            ]
            if able:
                msg += f" Providers of this model that can: {', '.join(able)}."
        warnings.warn(msg, CapabilityWarning, stacklevel=4)

    def _language_model(self, api: str) -> LanguageModel:
        model = self._models.get(api)
        if model is None:
            headers = dict(self.default_headers or {})
            if self.bill_to:
                headers[BILL_TO_HEADER] = self.bill_to
            settings = Settings(
                key=self._key,
                base_url=self.base_url,
                headers=headers,
                timeout=self.timeout,
                connect_timeout=self.connect_timeout,
                max_retries=self.max_retries,
                clients=self._pool,
                deadline=self.deadline,
                max_event_bytes=self.max_event_bytes,
            )
            model = self._models[api] = LanguageModel(wire_format(api), settings)
        return model

    # --- requests ------------------------------------------------------------------

    def _warn(self, api: str) -> Callable[[str, str], None]:
        """The core's `warn`, once per setting, with the API that can send it."""

        def warn(key: str, message: str) -> None:
            if (api, key) in self._warned:
                return
            self._warned.add((api, key))
            able = [name for name in carriers(key) if name != api]
            if able:
                message += f"; use api={able[0]!r} to send it"
            warnings.warn(
                f"{self.model}: {message}.", UnsupportedSettingWarning, stacklevel=6
            )

        return warn

    def _choose_api(
        self,
        options: dict[str, Any],
        prompt: list[core.PromptMessage],
        tools: Sequence[dict[str, Any]],
    ) -> str:
        features = {key for key in PROVIDER_OPTION_KEYS if options.get(key)}
        if any(tool.get("type") == "mcp" for tool in tools) or core.has_mcp_items(
            prompt
        ):
            features.add("mcp")
        tool_history = any(
            isinstance(m, core.ToolResultMessage)
            or (isinstance(m, core.AssistantMessage) and m.tool_calls)
            for m in prompt
        )
        return choose(self.api, frozenset(features), tool_history=tool_history).api

    def _prepare(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        *,
        stream: bool,
    ) -> tuple[LanguageModel, dict[str, Any], core.CallOptions]:
        kwargs = _call_arguments(kwargs)
        prompt = to_prompt(messages)
        if self._lacks("image_inputs") and any(
            isinstance(part, core.ImagePart)
            for m in prompt
            if isinstance(m, core.UserMessage)
            for part in m.parts
        ):
            self._check_capability("image_inputs", "image input", _VISION_ADVICE)
        raw_options = merge_provider_options(
            self.provider_options, kwargs.get("provider_options")
        )
        provider = parse_provider_options(raw_options)
        tools = tuple(map(_checked_tool, kwargs.get("tools") or ()))
        api = self._choose_api(raw_options, prompt, tools)
        settings = {
            name: kwargs.get(name, getattr(self, name, None))
            for name in CALL_SETTINGS
            if name not in ("stop", "tools")
        }
        stop = stop or self.stop
        options = core.CallOptions(
            model=self._routed(kwargs),
            stop=tuple(stop) if stop else None,
            provider_options=provider,
            tools=tools,
            starts_inside_think=self.starts_inside_think,
            **settings,
        )
        model = self._language_model(api)
        body = self._body(model, prompt, options, stream=stream)
        body.update(self.model_kwargs)
        body.update(self.extra_body or {})
        body.update(check_extra(kwargs.get("extra_body") or {}, "extra_body"))
        return model, body, options

    def _body(
        self,
        model: LanguageModel,
        prompt: list[core.PromptMessage],
        options: core.CallOptions,
        *,
        stream: bool,
    ) -> dict[str, Any]:
        """The request body; a refusal another API would take says which to use."""
        try:
            return model.wire.build_body(
                prompt, options, stream=stream, warn=self._warn(model.api)
            )
        except InvalidInputError as exc:
            if exc.needs_api is None:
                raise
            advice = (
                f"use api={exc.needs_api!r} (or api='auto', which picks it for them)"
            )
            msg = f"{exc}: {advice}."
            raise InvalidInputError(msg, needs_api=exc.needs_api) from None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        model, body, options = self._prepare(messages, stop, kwargs, stream=False)
        message = to_ai_message(model.generate(body), model.api)
        add_estimated_cost(message, self._offer(options.model))
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        model, body, options = self._prepare(messages, stop, kwargs, stream=False)
        message = to_ai_message(await model.agenerate(body), model.api)
        add_estimated_cost(message, self._offer(options.model))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # langchain-core (>= 1.8) fires the token callbacks around `_stream` itself.
        model, body, options = self._prepare(messages, stop, kwargs, stream=True)
        chunk = ChunkBuilder(model.api).chunk
        offer = self._offer(options.model)
        for part in model.stream(body, options):
            out = chunk(part)
            if offer is not None and isinstance(part, core.StreamFinish):
                add_estimated_cost(out.message, offer)
            yield out

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        model, body, options = self._prepare(messages, stop, kwargs, stream=True)
        chunk = ChunkBuilder(model.api).chunk
        offer = self._offer(options.model)
        async for part in model.astream(body, options):
            out = chunk(part)
            if offer is not None and isinstance(part, core.StreamFinish):
                add_estimated_cost(out.message, offer)
            yield out

    # --- tools -----------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, Pydantic classes, schemas).

        Args:
            tools: The tools the model may call.
            tool_choice: `"auto"`, `"none"`, `"any"`/`"required"`/`True` (must call
                one), a tool's name (must call that one), or a dict passed through.
            strict: Ask the server to follow the schemas exactly.
            parallel_tool_calls: Allow several calls in one answer.
            **kwargs: More call arguments to bind (e.g. `response_format`).
        """
        formatted = [_convert_tool(tool, strict) for tool in tools]
        if any(tool.get("type") == "function" for tool in formatted):
            self._check_capability("tool_calling", "tool calling", _TOOLS_ADVICE)
        if tool_choice is not None:
            kwargs["tool_choice"] = _tool_choice(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Answer with data that follows `schema`.

        Args:
            schema: A Pydantic class (v2 or v1: answers are instances of it), a
                TypedDict, or a JSON schema / OpenAI tool dict (answers are dicts).
            method: `"json_schema"` (the server constrains the answer to the
                schema: `response_format` on Chat, `text.format` on Responses),
                `"function_calling"` (a forced tool call), or `"json_mode"` (any
                JSON object; say what you want in the prompt).
            include_raw: Return `{"raw": AIMessage, "parsed": ..., "parsing_error":
                ...}` instead of raising when the answer does not parse.
            strict: Ask the server to follow the schema exactly (the
                `strict_json_schema` provider option is the default).
            **kwargs: Not accepted; named here so that a typo is an error.

        Raises:
            OutputParserException: The answer does not parse (carries the raw text).
        """
        if kwargs:
            name = sorted(kwargs)[0]
            near = closest(name, ("schema", "method", "include_raw", "strict"))
            hint = f"; did you mean {near!r}?" if near else ""
            msg = f"Unknown argument {name!r} for with_structured_output{hint}"
            raise InvalidInputError(msg)
        if method == "json_schema":
            self._check_capability(
                "structured_output", "native structured output", _STRUCTURED_ADVICE
            )
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )


def _call_arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments under their own names; an unknown one is an error."""
    for alias, name in _CALL_ALIASES.items():
        if alias in kwargs:
            if name in kwargs:
                msg = f"{alias} and {name} name the same setting; give one."
                raise InvalidInputError(msg)
            kwargs = {**kwargs, name: kwargs[alias]}
            del kwargs[alias]
    unknown = sorted(set(kwargs) - _CALL_KWARGS)
    if unknown:
        name = unknown[0]
        near = closest(name, _CALL_KWARGS)
        hint = f"did you mean {near!r}? " if near else ""
        msg = (
            f"Unknown call argument {name!r}: {hint}To send it in the request "
            f"body as it is, pass extra_body={{{name!r}: ...}}. The call "
            f"arguments are {', '.join(sorted(_CALL_KWARGS))}."
        )
        raise InvalidInputError(msg)
    return kwargs


def _convert_tool(tool: Any, strict: bool | None) -> dict[str, Any]:
    """One tool in the Chat Completions shape (MCP and other typed dicts as given)."""
    try:
        return convert_to_openai_tool(tool, strict=strict)
    except Exception as exc:
        msg = (
            f"Tool {tool!r:.100} cannot be turned into a function schema: pass a "
            "LangChain tool, a typed function with a docstring, a Pydantic model, "
            f"a TypedDict or a JSON-schema dict ({str(exc).strip().splitlines()[0]})."
        )
        raise InvalidInputError(msg) from exc


def _tool_choice(
    choice: str | bool | dict[str, Any], tools: list[dict[str, Any]]
) -> str | dict[str, Any]:
    """LangChain's tool-choice spellings in the Chat Completions shape."""
    if isinstance(choice, dict):
        return choice
    if choice is True or choice in ("any", "required"):
        return "required"
    if choice is False:
        return "none"
    if choice in ("auto", "none"):
        return choice
    names = [tool["function"]["name"] for tool in tools if "function" in tool]
    if choice not in names:
        msg = f"tool_choice {choice!r} names no bound tool; the tools are {names}."
        raise InvalidInputError(msg)
    return {"type": "function", "function": {"name": choice}}


def _checked_tool(tool: object) -> dict[str, Any]:
    """A per-call tool definition, checked; the error says how to bind tools."""
    try:
        return check_tool(tool)
    except InvalidInputError as exc:
        how = "bind tools with bind_tools(...), which converts functions and models"
        raise InvalidInputError(f"{exc}; {how}.") from None
