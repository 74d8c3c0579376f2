"""Provider selection, billing, the catalog, profiles, guardrails and cost."""

from __future__ import annotations

import warnings

import pytest
from chat_asserts import sum_chunks
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from router_emulator import Reply, RouterEmulator, ToolCall

from langchain_hf_router import (
    CapabilityWarning,
    ChatHuggingFaceRouter,
    UnknownProviderWarning,
    create_huggingface,
    image_block,
)
from langchain_hf_router.profiles import KNOWN_MODELS

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
USAGE = {"prompt_tokens": 1_000, "completion_tokens": 500}


@pytest.fixture
def provider(emulator: RouterEmulator):
    made = create_huggingface(api_key="hf_test", base_url=emulator.base_url)
    yield made
    made.close()


# --- provider selection and billing ---------------------------------------------------


def test_provider_is_sent_as_the_suffix(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    make_model(api=api, provider="groq").invoke("x")
    assert (
        emulator.last_request.json["model"] == "meta-llama/Llama-3.3-70B-Instruct:groq"
    )


@pytest.mark.parametrize("policy", ["fastest", "cheapest", "preferred"])
def test_policies(emulator: RouterEmulator, provider, policy: str) -> None:
    provider("Qwen/Qwen3-32B", provider=policy).invoke("x")
    assert emulator.last_request.json["model"] == f"Qwen/Qwen3-32B:{policy}"


def test_provider_on_every_factory(emulator: RouterEmulator, provider) -> None:
    for factory in (
        provider,
        provider.language_model,
        provider.responses,
        provider.chat,
    ):
        factory("org/m", provider="together").invoke("x")
        assert emulator.last_request.json["model"] == "org/m:together"


def test_a_call_model_gets_the_provider_too(
    emulator: RouterEmulator, make_model
) -> None:
    make_model(provider="novita").invoke("x", model="org/other")
    assert emulator.last_request.json["model"] == "org/other:novita"


def test_a_conflicting_suffix_is_an_error(make_model) -> None:
    with pytest.raises(ValueError, match="already selects 'together'"):
        make_model(model="org/m:together", provider="groq")


def test_the_same_suffix_twice_is_fine(emulator: RouterEmulator, make_model) -> None:
    make_model(model="org/m:groq", provider="groq").invoke("x")
    assert emulator.last_request.json["model"] == "org/m:groq"


def test_an_unknown_provider_warns_with_the_known_ones(
    emulator: RouterEmulator, make_model
) -> None:
    with pytest.warns(UnknownProviderWarning, match="groq") as caught:
        llm = make_model(provider="grok")
    assert "fastest" in str(caught[0].message)
    llm.invoke("x")
    assert emulator.last_request.json["model"].endswith(":grok")  # sent as given


def test_the_loaded_catalog_is_the_authority_on_provider_names(
    emulator: RouterEmulator, provider
) -> None:
    emulator.catalog[0]["providers"].append({"provider": "brand-new", "status": "live"})
    provider.list_models()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        provider("org/m", provider="brand-new")  # no warning: the catalog lists it
    with pytest.warns(UnknownProviderWarning, match="brand-new"):
        provider(
            "org/m", provider="zai-org"
        )  # known to the package, not to this catalog


def test_bill_to_on_the_model_and_the_provider(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    make_model(api=api, bill_to="my-org").invoke("x")
    assert emulator.last_request.headers["x-hf-bill-to"] == "my-org"
    billed = create_huggingface(
        api_key="k", base_url=emulator.base_url, bill_to="org-b"
    )
    try:
        list(billed.responses("org/m").stream("x"))
        assert emulator.last_request.headers["x-hf-bill-to"] == "org-b"
        billed("org/m", bill_to="org-c").invoke("x")
        assert emulator.last_request.headers["x-hf-bill-to"] == "org-c"
    finally:
        billed.close()


def test_no_bill_to_header_by_default(emulator: RouterEmulator, make_model) -> None:
    make_model().invoke("x")
    assert "x-hf-bill-to" not in emulator.last_request.headers


# --- catalog ---------------------------------------------------------------------------


def test_list_models_is_typed_and_filtered(emulator: RouterEmulator, provider) -> None:
    models = provider.list_models()
    assert len(models) == len(emulator.catalog)
    assert emulator.last_request.path == "/v1/models"
    assert emulator.last_request.method == "GET"
    llama = next(m for m in models if m.id == "meta-llama/Llama-3.3-70B-Instruct")
    groq = llama.offer("groq")
    assert groq is not None
    assert (groq.input_price, groq.output_price, groq.context_length) == (
        0.59,
        0.79,
        131072,
    )
    assert groq.supports_tools is True
    assert groq.throughput == 280.0
    assert "Qwen/Qwen2.5-VL-7B-Instruct" not in [
        m.id for m in provider.list_models(tools=True)
    ]
    assert [m.id for m in provider.list_models("qwen3")] == ["Qwen/Qwen3-32B"]
    assert {m.id for m in provider.list_models(provider="groq", structured=True)} == {
        "meta-llama/Llama-3.3-70B-Instruct",
        "Qwen/Qwen3-32B",
        "moonshotai/Kimi-K2-Instruct",
    }


def test_the_catalog_is_cached_for_its_time_to_live(emulator: RouterEmulator) -> None:
    cached = create_huggingface(api_key="k", base_url=emulator.base_url, catalog_ttl=60)
    expired = create_huggingface(api_key="k", base_url=emulator.base_url, catalog_ttl=0)
    try:
        for _ in range(3):
            cached.list_models()
        assert len(emulator.requests) == 1
        cached.list_models(refresh=True)
        assert len(emulator.requests) == 2
        expired.list_models()
        expired.list_models()
        assert len(emulator.requests) == 4
    finally:
        cached.close()
        expired.close()


async def test_alist_models_and_lookup_by_suffixed_id(
    emulator: RouterEmulator, provider
) -> None:
    models = await provider.alist_models(tools=True)
    assert "deepseek-ai/DeepSeek-R1" in [m.id for m in models]
    info = await provider.amodel_info("deepseek-ai/DeepSeek-R1:novita")
    assert info is not None
    assert info.id == "deepseek-ai/DeepSeek-R1"
    assert provider.model_info("nobody/none") is None
    assert len(emulator.requests) == 1  # one fetch, then the cache
    await provider.aclose()


def test_the_catalog_needs_no_token(emulator: RouterEmulator, monkeypatch) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGINGFACE_API_KEY", raising=False)
    anonymous = create_huggingface(base_url=emulator.base_url)
    try:
        assert anonymous.list_models()
        assert "authorization" not in emulator.last_request.headers
    finally:
        anonymous.close()


# --- profiles ----------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", sorted(KNOWN_MODELS))
def test_profiles_of_the_reference_table_need_no_request(
    emulator: RouterEmulator, model_id: str
) -> None:
    profile = ChatHuggingFaceRouter(
        model=model_id, api_key="k", base_url=emulator.base_url
    ).profile
    assert profile is not None
    assert profile["tool_calling"] is True
    assert profile["structured_output"] is True
    assert profile["tool_call_streaming"] is True
    assert profile["image_inputs"] is (model_id == "Qwen/Qwen2.5-VL-7B-Instruct")
    assert profile["text_inputs"] is True
    assert profile["pdf_inputs"] is False
    assert emulator.requests == []


def test_an_unknown_model_gets_the_router_facts_only(make_model) -> None:
    profile = make_model(model="someone/new-model").profile
    assert profile["text_inputs"] is True
    assert profile["audio_inputs"] is False
    assert "tool_calling" not in profile
    assert "image_inputs" not in profile


def test_a_loaded_catalog_refines_the_profile_per_provider(
    emulator: RouterEmulator, provider
) -> None:
    provider.list_models()
    fetched = len(emulator.requests)
    llama = "meta-llama/Llama-3.3-70B-Instruct"
    assert provider(llama).profile["max_input_tokens"] == 131072
    hyperbolic = provider(llama, provider="hyperbolic").profile
    assert hyperbolic["tool_calling"] is False
    assert hyperbolic["structured_output"] is False
    gemma = provider("google/gemma-3-27b-it").profile  # the table says no images
    assert gemma["image_inputs"] is True  # the catalog says it takes images
    assert gemma["structured_output"] is False
    assert (
        provider("deepseek-ai/DeepSeek-R1:novita").profile["max_input_tokens"] == 64000
    )
    assert len(emulator.requests) == fetched  # profiles made no request


def test_a_model_built_before_the_catalog_keeps_its_profile(
    emulator: RouterEmulator, provider
) -> None:
    early = provider("meta-llama/Llama-3.3-70B-Instruct", provider="hyperbolic")
    provider.list_models()
    assert early.profile["tool_calling"] is True  # from the table, at construction


# --- guardrails ---------------------------------------------------------------------------


def test_tools_on_a_model_that_cannot_call_them_warn(
    emulator: RouterEmulator, provider
) -> None:
    provider.list_models()
    llm = provider("meta-llama/Llama-3.3-70B-Instruct", provider="hyperbolic")
    with pytest.warns(
        CapabilityWarning, match="hyperbolic cannot do tool calling"
    ) as caught:
        bound = llm.bind_tools(
            [{"type": "function", "function": {"name": "f", "parameters": {}}}]
        )
    assert "provider=" in str(caught[0].message)
    assert "Providers of this model that can: groq, together." in str(caught[0].message)
    bound.invoke("x")
    assert emulator.last_request.json["tools"]  # still sent: never a silent failure


def test_images_on_a_text_model_warn_once(emulator: RouterEmulator, make_model) -> None:
    llm = make_model()
    message = HumanMessage(
        content=[{"type": "text", "text": "What is this?"}, image_block(PNG)]
    )
    with pytest.warns(CapabilityWarning, match="image input") as caught:
        llm.invoke([message])
    assert "Qwen/Qwen2.5-VL-7B-Instruct" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.invoke([message])  # once per model
    assert len(emulator.requests) == 2


def test_structured_output_without_native_support_warns(
    emulator: RouterEmulator, provider
) -> None:
    provider.list_models()
    llm = provider("google/gemma-3-27b-it")

    class Answer(BaseModel):
        value: int

    with pytest.warns(CapabilityWarning, match="structured output") as caught:
        llm.with_structured_output(Answer)
    assert "function_calling" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.with_structured_output(Answer, method="function_calling")


def test_no_warning_when_the_profile_does_not_say(make_model) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_model(model="someone/new").bind_tools(
            [{"type": "function", "function": {"name": "f", "parameters": {}}}]
        )


# --- create_agent picks the strategy from the profile ---------------------------------------


class Weather(BaseModel):
    city: str
    summary: str


def test_create_agent_uses_native_structured_output_when_the_profile_allows(
    emulator: RouterEmulator, make_model
) -> None:
    emulator.enqueue(Reply(text='{"city": "Paris", "summary": "Sunny"}'))
    agent = create_agent(
        make_model(model="Qwen/Qwen3-32B"), tools=[], response_format=Weather
    )
    result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})
    assert result["structured_response"] == Weather(city="Paris", summary="Sunny")
    assert emulator.last_request.json["response_format"]["type"] == "json_schema"


def test_create_agent_falls_back_to_a_tool_without_native_support(
    emulator: RouterEmulator, provider
) -> None:
    provider.list_models()
    emulator.reset()
    args = '{"city": "Paris", "summary": "Sunny"}'
    emulator.enqueue(Reply(tool_calls=[ToolCall("Weather", args)]))
    llm = provider("meta-llama/Llama-3.3-70B-Instruct", provider="hyperbolic")
    agent = create_agent(llm, tools=[], response_format=Weather)
    with pytest.warns(CapabilityWarning):  # tools on a provider without them
        result = agent.invoke({"messages": [HumanMessage("Weather in Paris?")]})
    assert result["structured_response"] == Weather(city="Paris", summary="Sunny")
    assert "response_format" not in emulator.last_request.json
    assert emulator.last_request.json["tools"][0]["function"]["name"] == "Weather"


# --- cost ----------------------------------------------------------------------------


def test_cost_when_the_catalog_gives_prices(
    emulator: RouterEmulator, provider, api: str
) -> None:
    provider.list_models()
    llm = provider("meta-llama/Llama-3.3-70B-Instruct", provider="groq", api=api)
    emulator.enqueue(Reply(text="hi", usage=USAGE), Reply(text="hi", usage=USAGE))
    expected = (1_000 * 0.59 + 500 * 0.79) / 1e6
    invoked = llm.invoke("x")
    assert invoked.response_metadata["estimated_cost_usd"] == pytest.approx(expected)
    assert invoked.response_metadata["pricing"] == {
        "provider": "groq",
        "input_usd_per_million_tokens": 0.59,
        "output_usd_per_million_tokens": 0.79,
    }
    streamed = sum_chunks(list(llm.stream("x")))
    assert streamed.response_metadata["estimated_cost_usd"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("suffix", "priced_by"),
    [("", "groq"), (":cheapest", "hyperbolic"), (":together", "together")],
)
async def test_cost_follows_the_provider_the_policy_selects(
    emulator: RouterEmulator, provider, suffix: str, priced_by: str
) -> None:
    await provider.alist_models()
    emulator.enqueue(Reply(text="hi", usage=USAGE))
    message = await provider(f"meta-llama/Llama-3.3-70B-Instruct{suffix}").ainvoke("x")
    assert message.response_metadata["pricing"]["provider"] == priced_by
    await provider.aclose()


def test_no_cost_without_a_catalog_or_prices(
    emulator: RouterEmulator, provider
) -> None:
    emulator.enqueue(Reply(text="hi", usage=USAGE))
    assert (
        "estimated_cost_usd"
        not in provider("Qwen/Qwen3-32B:groq").invoke("x").response_metadata
    )
    provider.list_models()
    emulator.enqueue(Reply(text="hi", usage=USAGE))
    free = provider("HuggingFaceTB/SmolLM3-3B").invoke("x")  # no prices listed
    assert "estimated_cost_usd" not in free.response_metadata
