"""Provider instances, keys, base URLs and HTTP clients."""

from __future__ import annotations

import httpx
import pytest
from router_emulator import RouterEmulator

from langchain_hf_router import (
    AuthenticationError,
    ChatHuggingFaceRouter,
    create_huggingface,
    huggingface,
)


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUGGINGFACE_API_KEY", "HF_TOKEN", "HUGGINGFACE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_factories_share_settings_and_pool(emulator: RouterEmulator) -> None:
    hf = create_huggingface(
        api_key="hf_provider_key",
        base_url=emulator.base_url + "/",
        headers={"X-Team": "a"},
    )
    try:
        models = [
            hf("deepseek-ai/DeepSeek-V3-0324"),
            hf.language_model("moonshotai/Kimi-K2-Instruct"),
            hf.responses("deepseek-ai/DeepSeek-V3-0324"),
            hf.chat("Qwen/Qwen3-32B", temperature=0),
        ]
        assert [m.api for m in models] == [
            "auto",
            "auto",
            "responses",
            "chat_completions",
        ]
        assert models[3].temperature == 0
        for model in models:
            assert isinstance(model, ChatHuggingFaceRouter)
            assert model.invoke("hi").text == "Hello from the emulator."
        assert [r.path for r in emulator.requests] == [
            "/v1/chat/completions",
            "/v1/chat/completions",
            "/v1/responses",
            "/v1/chat/completions",
        ]
        for request in emulator.requests:
            assert request.headers["authorization"] == "Bearer hf_provider_key"
            assert request.headers["x-team"] == "a"
        # one connection pool: the four calls reused one keep-alive connection
        assert emulator.connections_accepted == 1
    finally:
        hf.close()


def test_default_instance_reads_key_at_request_time(
    emulator: RouterEmulator, monkeypatch: pytest.MonkeyPatch, no_env_key: None
) -> None:
    llm = huggingface("meta-llama/Llama-3.1-8B-Instruct", base_url=emulator.base_url)
    monkeypatch.setenv("HF_TOKEN", "hf_set_after_construction")
    llm.invoke("hi")
    assert (
        emulator.last_request.headers["authorization"]
        == "Bearer hf_set_after_construction"
    )
    monkeypatch.setenv("HUGGINGFACE_API_KEY", "hf_preferred")
    llm.invoke("hi")
    assert emulator.last_request.headers["authorization"] == "Bearer hf_preferred"


def test_direct_model_reads_env_at_construction(
    monkeypatch: pytest.MonkeyPatch, no_env_key: None
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    llm = ChatHuggingFaceRouter(model="m")
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "hf_from_env"
    monkeypatch.setenv("HUGGINGFACE_API_KEY", "hf_first")
    assert ChatHuggingFaceRouter(model="m").api_key.get_secret_value() == "hf_first"  # type: ignore[union-attr]


def test_no_key_to_the_router_fails_before_sending(no_env_key: None) -> None:
    llm = ChatHuggingFaceRouter(model="meta-llama/Llama-3.1-8B-Instruct")
    assert llm.api_key is None  # constructible without a key
    with pytest.raises(AuthenticationError) as caught:
        llm.invoke("hi")
    assert "HUGGINGFACE_API_KEY" in str(caught.value)
    assert "HF_TOKEN" in str(caught.value)
    assert caught.value.status_code is None


def test_no_key_to_a_custom_base_url_sends_no_authorization(
    emulator: RouterEmulator, no_env_key: None
) -> None:
    llm = ChatHuggingFaceRouter(model="local", base_url=emulator.base_url)
    assert llm.invoke("hi").text == "Hello from the emulator."
    assert "authorization" not in emulator.last_request.headers


def test_base_url_from_environment(
    emulator: RouterEmulator, monkeypatch: pytest.MonkeyPatch, no_env_key: None
) -> None:
    monkeypatch.setenv("HUGGINGFACE_BASE_URL", emulator.base_url + "/")
    llm = ChatHuggingFaceRouter(model="m")
    llm.invoke("hi")
    assert emulator.last_request.path == "/v1/chat/completions"


def test_callers_own_clients_are_used_and_left_open(emulator: RouterEmulator) -> None:
    seen: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
    hf = create_huggingface(api_key="k", base_url=emulator.base_url, http_client=client)
    hf("m").invoke("hi")
    hf.close()
    assert seen == [emulator.base_url + "/chat/completions"]
    assert not client.is_closed
    client.close()


async def test_callers_async_client(emulator: RouterEmulator) -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [hook]}) as client:
        llm = ChatHuggingFaceRouter(
            model="m", base_url=emulator.base_url, api_key="k", http_async_client=client
        )
        await llm.ainvoke("hi")
        assert [chunk.text async for chunk in llm.astream("hi")]
    assert seen == ["/v1/chat/completions", "/v1/chat/completions"]


def test_key_never_in_repr_or_str(emulator: RouterEmulator) -> None:
    hf = create_huggingface(api_key="hf_canary_repr", base_url=emulator.base_url)
    llm = hf("m")
    direct = ChatHuggingFaceRouter(model="m", api_key="hf_canary_repr")
    for text in (repr(hf), str(hf), repr(llm), str(llm), repr(direct), str(direct)):
        assert "hf_canary_repr" not in text
