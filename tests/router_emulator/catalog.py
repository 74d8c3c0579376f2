"""The model catalog the emulator serves on ``GET /v1/models``.

Synthetic, shaped by the field list in ``protocol.md`` (``/v1/models``): the
reference provider's models, each with a few providers whose prices, context
lengths, capabilities and speeds are plausible but invented. Tests that need
other data set :attr:`RouterEmulator.catalog`.
"""

from __future__ import annotations

import copy
from typing import Any, Final


def offer(
    provider: str,
    price: tuple[float, float] | None,
    context: int,
    *,
    tools: bool = True,
    structured: bool = True,
    status: str = "live",
    latency: float | None = 400.0,
    throughput: float | None = 100.0,
) -> dict[str, Any]:
    """One ``providers[]`` entry (``price`` is USD per million input/output tokens)."""
    entry: dict[str, Any] = {
        "provider": provider,
        "status": status,
        "context_length": context,
        "supports_tools": tools,
        "supports_structured_output": structured,
        "is_model_author": False,
    }
    if price is not None:
        entry["pricing"] = {"input": price[0], "output": price[1]}
        entry["is_free"] = price == (0.0, 0.0)
    if latency is not None:
        entry["first_token_latency_ms"] = latency
    if throughput is not None:
        entry["throughput"] = throughput
    return entry


def model(
    model_id: str, providers: list[dict[str, Any]], *, images: bool = False
) -> dict[str, Any]:
    """One ``data[]`` entry."""
    return {
        "id": model_id,
        "object": "model",
        "created": 1_735_689_600,
        "owned_by": model_id.split("/")[0],
        "architecture": {
            "input_modalities": ["text", "image"] if images else ["text"],
            "output_modalities": ["text"],
        },
        "providers": providers,
    }


_DEFAULT: Final = [
    model(
        "meta-llama/Llama-3.1-8B-Instruct",
        [
            offer("cerebras", (0.10, 0.10), 32_768, throughput=2100.0, latency=150.0),
            offer("novita", (0.02, 0.05), 16_384, throughput=60.0),
            offer("nebius", (0.02, 0.06), 131_072, throughput=120.0),
        ],
    ),
    model(
        "meta-llama/Llama-3.3-70B-Instruct",
        [
            offer("groq", (0.59, 0.79), 131_072, throughput=280.0, latency=200.0),
            offer("together", (0.88, 0.88), 131_072, throughput=110.0),
            offer("hyperbolic", (0.40, 0.40), 131_072, tools=False, structured=False),
        ],
    ),
    model(
        "deepseek-ai/DeepSeek-R1",
        [
            offer("together", (3.0, 7.0), 163_840, throughput=60.0),
            offer("novita", (0.70, 2.50), 64_000, throughput=30.0, structured=False),
            offer("sambanova", (5.0, 7.0), 32_768, status="error", throughput=None),
        ],
    ),
    model(
        "deepseek-ai/DeepSeek-V3-0324",
        [offer("fireworks-ai", (0.90, 0.90), 163_840, throughput=90.0)],
    ),
    model(
        "Qwen/Qwen3-32B",
        [
            offer("groq", (0.29, 0.59), 131_072, throughput=400.0),
            offer("nebius", (0.10, 0.30), 40_960, throughput=80.0),
        ],
    ),
    model(
        "Qwen/Qwen2.5-VL-7B-Instruct",
        [offer("hyperbolic", (0.20, 0.20), 32_768, tools=False, throughput=70.0)],
        images=True,
    ),
    model(
        "google/gemma-3-27b-it",
        [offer("nebius", (0.10, 0.30), 110_000, structured=False, throughput=None)],
        images=True,
    ),
    model(
        "moonshotai/Kimi-K2-Instruct",
        [
            offer("groq", (1.0, 3.0), 131_072, throughput=200.0),
            offer("novita", (0.57, 2.30), 131_072, throughput=40.0, latency=None),
        ],
    ),
    model(
        "HuggingFaceTB/SmolLM3-3B",
        [
            offer(
                "hf-inference",
                None,
                65_536,
                tools=False,
                structured=False,
                throughput=None,
                latency=None,
            )
        ],
    ),
]


def default_catalog() -> list[dict[str, Any]]:
    """A fresh copy of the default catalog (tests may change their copy)."""
    return copy.deepcopy(_DEFAULT)
