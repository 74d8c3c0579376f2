"""Every example of the AI SDK's Hugging Face provider page, in Python, on the emulator.

The reference page is `shared/reference/ai-sdk-huggingface-provider.md`; each test
names the example it reproduces and asserts what the example shows.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from router_emulator import Reply, RouterEmulator

from langchain_hf_router import create_huggingface, huggingface, image_block

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def router_env(
    emulator: RouterEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point the package's defaults at the emulator, as a user's environment would."""
    monkeypatch.setenv("HUGGINGFACE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("HUGGINGFACE_API_KEY", "hf_reference_key")
    yield
    huggingface.close()


def test_provider_instance_default(emulator: RouterEmulator) -> None:
    # import { huggingface } from '@ai-sdk/huggingface';
    model = huggingface("deepseek-ai/DeepSeek-V3-0324")
    assert model.invoke("Hi").text
    assert emulator.last_request.headers["authorization"] == "Bearer hf_reference_key"


def test_create_huggingface_with_key(emulator: RouterEmulator) -> None:
    # const huggingface = createHuggingFace({ apiKey: process.env.HUGGINGFACE_API_KEY ?? '' });
    hf = create_huggingface(api_key=os.environ.get("HUGGINGFACE_API_KEY", ""))
    hf("deepseek-ai/DeepSeek-V3-0324").invoke("Hi")
    hf.close()
    assert emulator.last_request.headers["authorization"] == "Bearer hf_reference_key"


def test_generate_text(emulator: RouterEmulator) -> None:
    # generateText({ model: huggingface('deepseek-ai/DeepSeek-V3-0324'), prompt: ... })
    emulator.enqueue(
        Reply(text="Layer pasta, spinach, ricotta and sauce; bake 45 min.")
    )
    text = (
        huggingface("deepseek-ai/DeepSeek-V3-0324")
        .invoke("Write a vegetarian lasagna recipe for 4 people.")
        .text
    )
    assert text == "Layer pasta, spinach, ricotta and sauce; bake 45 min."
    body = emulator.last_request.json
    assert body["model"] == "deepseek-ai/DeepSeek-V3-0324"
    assert body["messages"] == [
        {"role": "user", "content": "Write a vegetarian lasagna recipe for 4 people."}
    ]


def test_responses_and_language_model_factories(emulator: RouterEmulator) -> None:
    # huggingface.responses('deepseek-ai/DeepSeek-V3-0324'); huggingface.languageModel('moonshotai/Kimi-K2-Instruct')
    huggingface.responses("deepseek-ai/DeepSeek-V3-0324").invoke("Hi")
    assert emulator.last_request.path == "/v1/responses"
    huggingface.language_model("moonshotai/Kimi-K2-Instruct").invoke("Hi")
    assert emulator.last_request.json["model"] == "moonshotai/Kimi-K2-Instruct"


def test_stream_text(emulator: RouterEmulator) -> None:
    # "can be used in the streamText function"
    emulator.enqueue(Reply(text="one two three"))
    pieces = [
        c.text for c in huggingface("deepseek-ai/DeepSeek-V3-0324").stream("Count")
    ]
    assert "".join(pieces) == "one two three"
    assert len([p for p in pieces if p]) == 3


def test_provider_options(emulator: RouterEmulator) -> None:
    # providerOptions: { huggingface: { reasoningEffort: 'high', instructions: '...' } }
    emulator.enqueue(Reply(text="E = mc^2 ...", reasoning="Start from invariance."))
    message = huggingface("deepseek-ai/DeepSeek-R1").invoke(
        "Explain the theory of relativity.",
        provider_options={
            "reasoning_effort": "high",
            "instructions": "Respond in a clear and educational manner.",
        },
    )
    assert message.text == "E = mc^2 ..."
    assert message.response_metadata["api"] == "responses"
    body = emulator.last_request.json
    assert body["reasoning"] == {"effort": "high"}
    assert body["instructions"] == "Respond in a clear and educational manner."


def test_reasoning_stream(emulator: RouterEmulator) -> None:
    # for await (const part of result.fullStream) { if (part.type === 'reasoning') ... }
    emulator.enqueue(
        Reply(text="There are 3.", reasoning="s-t-r-a-w-b-e-r-r-y: r at 3, 8, 9.")
    )
    reasoning, answer = [], []
    for chunk in huggingface("deepseek-ai/DeepSeek-R1").stream(
        "How many r letters are in the word strawberry?",
        provider_options={"reasoning_effort": "high"},
    ):
        for block in chunk.content_blocks:
            if block["type"] == "reasoning":
                reasoning.append(block["reasoning"])
        answer.append(chunk.text)
    assert "".join(reasoning) == "s-t-r-a-w-b-e-r-r-y: r at 3, 8, 9."
    assert "".join(answer) == "There are 3."
    assert emulator.last_request.json["reasoning_effort"] == "high"


def test_reasoning_generate(emulator: RouterEmulator) -> None:
    # console.log('Reasoning:', result.reasoning); console.log('Answer:', result.text);
    emulator.enqueue(Reply(text="925", reasoning="25 * 37 = 25 * 40 - 25 * 3"))
    result = huggingface("deepseek-ai/DeepSeek-R1").invoke(
        "What is 25 * 37?", provider_options={"reasoning_effort": "medium"}
    )
    reasoning = [
        b["reasoning"] for b in result.content_blocks if b["type"] == "reasoning"
    ]
    assert reasoning == ["25 * 37 = 25 * 40 - 25 * 3"]
    assert result.text == "925"


def test_image_input_from_file(emulator: RouterEmulator, tmp_path: Path) -> None:
    # { type: 'image', image: readFileSync('./image.png') }
    image_path = tmp_path / "image.png"
    image_path.write_bytes(PNG)
    huggingface("Qwen/Qwen2.5-VL-7B-Instruct").invoke(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe this image in detail."},
                    image_block(image_path),
                ],
            }
        ]
    )
    part = emulator.last_request.json["messages"][0]["content"][1]
    assert part == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
    }


def test_image_input_from_url(emulator: RouterEmulator) -> None:
    # { type: 'image', image: 'https://example.com/image.png' }
    huggingface("Qwen/Qwen2.5-VL-7B-Instruct").invoke(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe this image in detail."},
                    image_block("https://example.com/image.png"),
                ],
            }
        ]
    )
    part = emulator.last_request.json["messages"][0]["content"][1]
    assert part == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/image.png"},
    }
