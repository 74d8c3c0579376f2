"""What a model can do (`ChatHuggingFaceRouter.profile`), known without a request.

A table shipped with the package covers the models of the AI SDK provider's
capability table; a catalog loaded earlier in the process (`list_models()`)
overrides it, per provider when the model id names one.
"""

from __future__ import annotations

from typing import Final

from langchain_core.language_models import ModelProfile

from langchain_hf_router.core.catalog import Catalog
from langchain_hf_router.core.routing import split_model

ROUTER_BASE: Final = ModelProfile(
    text_inputs=True,
    text_outputs=True,
    pdf_inputs=False,
    audio_inputs=False,
    video_inputs=False,
    image_outputs=False,
    audio_outputs=False,
    video_outputs=False,
)
"""True of every chat model behind the router: text in and out, no files or media."""

_TEXT_TOOLS: Final = ModelProfile(
    image_inputs=False,
    image_url_inputs=False,
    structured_output=True,
    tool_calling=True,
    tool_choice=True,
    tool_call_streaming=True,
)
_VISION_TOOLS: Final = _TEXT_TOOLS | ModelProfile(
    image_inputs=True, image_url_inputs=True
)
_REASONING: Final = _TEXT_TOOLS | ModelProfile(reasoning_output=True)

KNOWN_MODELS: Final[dict[str, ModelProfile]] = {
    "meta-llama/Llama-3.1-8B-Instruct": _TEXT_TOOLS,
    "meta-llama/Llama-3.1-70B-Instruct": _TEXT_TOOLS,
    "meta-llama/Llama-3.3-70B-Instruct": _TEXT_TOOLS,
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": _TEXT_TOOLS,
    "deepseek-ai/DeepSeek-V3.1": _TEXT_TOOLS,
    "deepseek-ai/DeepSeek-V3-0324": _TEXT_TOOLS,
    "deepseek-ai/DeepSeek-R1": _REASONING,
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B": _REASONING,
    "Qwen/Qwen3-32B": _REASONING,
    "Qwen/Qwen3-Coder-480B-A35B-Instruct": _TEXT_TOOLS,
    "Qwen/Qwen2.5-VL-7B-Instruct": _VISION_TOOLS,
    "google/gemma-3-27b-it": _TEXT_TOOLS,
    "moonshotai/Kimi-K2-Instruct": _TEXT_TOOLS,
}
"""The AI SDK provider's capability table (image input, object generation, tool
usage, tool streaming), plus reasoning output for the reasoning models."""


def profile_for(model_id: str, catalog: Catalog | None = None) -> ModelProfile:
    """The profile of `model_id` (suffix understood) from the table and catalog."""
    base, suffix = split_model(model_id)
    profile = ModelProfile(**ROUTER_BASE)
    profile.update(KNOWN_MODELS.get(base, {}))
    entry = catalog.get(model_id) if catalog is not None else None
    if entry is None:
        return profile
    images = "image" in entry.input_modalities
    profile["image_inputs"] = profile["image_url_inputs"] = images
    tools = entry.supports("tools", suffix)
    if tools is not None:
        profile["tool_calling"] = profile["tool_choice"] = tools
        if not tools:
            profile["tool_call_streaming"] = False
    structured = entry.supports("structured_output", suffix)
    if structured is not None:
        profile["structured_output"] = structured
    context = entry.context_length(suffix)
    if context:
        profile["max_input_tokens"] = context
    return profile
