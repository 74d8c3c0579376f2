"""Bad input is refused before any request, with a message naming the problem.

Each case of `BAD_CALLS` runs on invoke, stream, ainvoke and astream, on every API
where the input is bad, and asserts that the emulator received nothing. Settings
an API merely cannot carry (stop on Responses, ...) stay warnings and the request
is sent (`WARN_ONLY`).
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict
from router_emulator import RouterEmulator

from langchain_hf_router import InvalidInputError, UnsupportedSettingWarning

APIS = ("chat_completions", "responses")
METHODS = ("invoke", "stream", "ainvoke", "astream")

NOT_AN_IMAGE = b"not an image at all"
NOT_AN_IMAGE_B64 = base64.b64encode(NOT_AN_IMAGE).decode()
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WAV_B64 = base64.b64encode(b"RIFF\x24\x00\x00\x00WAVEfmt ").decode()
PDF_B64 = base64.b64encode(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").decode()
MCP_TOOL = {
    "type": "mcp",
    "server_label": "deepwiki",
    "server_url": "https://mcp.deepwiki.com/mcp",
    "require_approval": "never",
}

# What the messages must say: the problem, and where the package can, the fix.
TEXT_AND_IMAGES = r"are not supported: .*text and images only.*describe the content"
NOT_AN_IMAGE_MATCH = r"(?i)not (a |an |a known |a valid )?(png|image)"


class _Opaque:
    """A type Pydantic cannot describe in JSON schema."""


class OpaqueArgs(BaseModel):
    """A tool whose argument has no JSON schema."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    thing: _Opaque


def _with_block(block: dict[str, Any]) -> list[HumanMessage]:
    return [HumanMessage(content=[{"type": "text", "text": "What is this?"}, block])]


@dataclass(frozen=True)
class Bad:
    """A call that must be refused before anything is sent."""

    id: str
    match: str
    input: Any = "Hello"
    call: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    tools: Sequence[Any] | None = None
    apis: tuple[str, ...] = APIS
    error: type[Exception] = InvalidInputError


def _effort_on_responses(effort: str, where: str) -> Bad:
    """A Chat-only `reasoning_effort`, per call or as the model's field."""
    options = {"provider_options": {"reasoning_effort": effort}}
    return Bad(
        f"effort-{effort}-on-responses-{where}",
        rf"reasoning_effort='{effort}' is not accepted by the Responses API; "
        r"choose one of high, low, medium",
        call=options if where == "call" else {},
        fields=options if where == "fields" else {},
        apis=("responses",),
    )


# Provider options that no API accepts: (id, options, match).
BAD_OPTIONS: list[tuple[str, Any, str]] = [
    (
        "unknown-key",
        {"reasoningEffort": "high"},
        r"Unknown provider option.*'reasoningEffort'.*options are .*reasoning_effort",
    ),
    ("metadata-not-a-dict", {"metadata": ["run", "7"]}, r"'metadata' must be a dict"),
    (
        "metadata-value-not-a-string",
        {"metadata": {"run": 7}},
        r"'metadata' must map strings to strings.*'run': 7",
    ),
    (
        "instructions-not-a-string",
        {"instructions": 5},
        r"'instructions' must be a string, got int",
    ),
    (
        "strict-json-schema-not-a-bool",
        {"strict_json_schema": "yes"},
        r"'strict_json_schema' must be true or false, got 'yes'",
    ),
    (
        "effort-unknown-value",
        {"reasoning_effort": "max"},
        r"reasoning_effort='max' is not accepted.*choose one of .*high",
    ),
    (
        "effort-wrong-case",
        {"reasoning_effort": "HIGH"},
        r"reasoning_effort='HIGH' is not accepted.*choose one of .*high",
    ),
    (
        "effort-not-a-string",
        {"reasoning_effort": 3},
        r"reasoning_effort=3 is not accepted.*choose one of",
    ),
    (
        "metadata-17-keys",
        {"metadata": {f"k{i}": "v" for i in range(17)}},
        r"'metadata' has 17 keys.*at most 16",
    ),
    (
        "metadata-key-65-chars",
        {"metadata": {"k" * 65: "v"}},
        r"'metadata' entry 'k+' is too long.*keys take at most 64",
    ),
    (
        "metadata-value-513-chars",
        {"metadata": {"run": "v" * 513}},
        r"'metadata' entry 'run' is too long.*values 512",
    ),
]

BAD_CALLS: list[Bad] = [
    # --- content blocks the router's chat APIs cannot take ---------------------------
    Bad(
        "audio-v1-base64",
        r"type 'audio' " + TEXT_AND_IMAGES,
        _with_block({"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"}),
    ),
    Bad(
        "audio-v1-url",
        r"type 'audio' " + TEXT_AND_IMAGES,
        _with_block({"type": "audio", "url": "https://x.test/a.wav"}),
    ),
    Bad(
        "audio-openai-input-audio",
        r"type '(input_)?audio' " + TEXT_AND_IMAGES,
        _with_block(
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
        ),
    ),
    Bad(
        "video-url",
        r"type 'video' " + TEXT_AND_IMAGES,
        _with_block({"type": "video", "url": "https://x.test/v.mp4"}),
    ),
    Bad(
        "video-base64",
        r"type 'video' " + TEXT_AND_IMAGES,
        _with_block({"type": "video", "base64": "AAAA", "mime_type": "video/mp4"}),
    ),
    Bad(
        "pdf-v1-base64",
        r"type 'file' " + TEXT_AND_IMAGES,
        _with_block(
            {"type": "file", "base64": PDF_B64, "mime_type": "application/pdf"}
        ),
    ),
    Bad(
        "pdf-v1-url",
        r"type 'file' " + TEXT_AND_IMAGES,
        _with_block(
            {
                "type": "file",
                "url": "https://x.test/a.pdf",
                "mime_type": "application/pdf",
            }
        ),
    ),
    Bad(
        "pdf-openai-file-data",
        r"type 'file' " + TEXT_AND_IMAGES,
        _with_block(
            {
                "type": "file",
                "file": {
                    "filename": "a.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
            }
        ),
    ),
    Bad(
        "file-by-id",
        r"type 'file' " + TEXT_AND_IMAGES,
        _with_block({"type": "file", "file_id": "file-abc123"}),
    ),
    Bad(
        "unknown-block-type",
        r"type 'hologram' " + TEXT_AND_IMAGES,
        _with_block({"type": "hologram"}),
    ),
    Bad(
        "image-in-system-message",
        r"system message can only hold text.*'image'",
        [
            SystemMessage(
                content=[{"type": "image", "base64": PNG_B64, "mime_type": "image/png"}]
            ),
            HumanMessage("Hello"),
        ],
    ),
    # --- 'images' that are not images ------------------------------------------------
    Bad(
        "image-raw-bytes-not-an-image",
        r"not a known image format.*Convert the image",
        _with_block({"type": "image", "data": NOT_AN_IMAGE}),
    ),
    Bad(
        "image-raw-bytes-not-an-image-declared-png",
        NOT_AN_IMAGE_MATCH,
        _with_block({"type": "image", "data": NOT_AN_IMAGE, "mime_type": "image/png"}),
    ),
    Bad(
        "image-base64-not-an-image-declared-png",
        NOT_AN_IMAGE_MATCH,
        _with_block(
            {"type": "image", "base64": NOT_AN_IMAGE_B64, "mime_type": "image/png"}
        ),
    ),
    Bad(
        "image-data-url-not-an-image",
        NOT_AN_IMAGE_MATCH,
        _with_block(
            {"type": "image", "url": f"data:image/png;base64,{NOT_AN_IMAGE_B64}"}
        ),
    ),
    Bad(
        "openai-image-url-data-url-not-an-image",
        NOT_AN_IMAGE_MATCH,
        _with_block(
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{NOT_AN_IMAGE_B64}"},
            }
        ),
    ),
    Bad(
        # langchain-core refuses this while normalising the message, as a ValueError.
        "image-base64-without-mime-type",
        r"mime_type",
        _with_block({"type": "image", "base64": NOT_AN_IMAGE_B64}),
        error=ValueError,
    ),
    Bad(
        "image-with-non-image-mime-type",
        r"MIME type must start with 'image/', got 'application/pdf'",
        _with_block(
            {"type": "image", "base64": PNG_B64, "mime_type": "application/pdf"}
        ),
    ),
    Bad(
        "image-base64-not-base64",
        r"not valid base64.*Pass raw bytes",
        _with_block(
            {"type": "image", "base64": "!!not base64!!", "mime_type": "image/png"}
        ),
    ),
    Bad(
        "image-file-url",
        r"must be http\(s\) or a data URL.*pass its bytes",
        _with_block({"type": "image", "url": "file:///etc/passwd"}),
    ),
    Bad(
        "image-file-id",
        r"file ids are not supported",
        _with_block({"type": "image", "file_id": "file-123"}),
    ),
    # --- provider options ------------------------------------------------------------
    *(
        Bad(f"option-{name}", match, call={"provider_options": options})
        for name, options, match in BAD_OPTIONS
    ),
    Bad(
        "provider-options-not-a-dict",
        r"(?i)provider_options.*(dict|mapping)",
        call={"provider_options": "high"},
    ),
    *(
        _effort_on_responses(effort, where)
        for effort in ("none", "minimal", "xhigh")
        for where in ("call", "fields")
    ),
    # --- what the forced API cannot do at all ----------------------------------------
    Bad(
        "mcp-tool-on-chat-bound",
        r"(?i)mcp.*chat completions.*responses api.*api='responses'",
        tools=[MCP_TOOL],
        apis=("chat_completions",),
    ),
    Bad(
        "mcp-tool-on-chat-per-call",
        r"(?i)mcp.*chat completions.*responses api.*api='responses'",
        call={"tools": [MCP_TOOL]},
        apis=("chat_completions",),
    ),
    # --- the call itself -------------------------------------------------------------
    Bad("empty-message-list", r"message list is empty; pass at least one", []),
    Bad(
        "unknown-call-argument",
        r"Unknown call argument 'temprature': did you mean 'temperature'\?",
        call={"temprature": 0.5},
    ),
    # --- tools that pass bind_tools but cannot be sent -------------------------------
    Bad(
        "tool-function-without-name",
        r"(?i)tool.*\bname\b",
        tools=[{"type": "function", "function": {"description": "no name"}}],
    ),
    Bad(
        "tool-parameters-not-an-object",
        r"(?i)parameters.*(object|schema|dict)",
        tools=[{"type": "function", "function": {"name": "f", "parameters": "nope"}}],
    ),
    Bad(
        "tool-per-call-not-a-tool",
        r"(?i)tool.*42.*(schema|tool)",
        call={"tools": [42]},
    ),
]


async def _call(
    runnable: Any, method: str, value: Any, kwargs: Mapping[str, Any]
) -> Any:
    if method == "invoke":
        return runnable.invoke(value, **kwargs)
    if method == "stream":
        return list(runnable.stream(value, **kwargs))
    if method == "ainvoke":
        return await runnable.ainvoke(value, **kwargs)
    return [chunk async for chunk in runnable.astream(value, **kwargs)]


@pytest.mark.parametrize(
    ("case", "api", "method"),
    [
        pytest.param(case, api, method, id=f"{case.id}-{api}-{method}")
        for case in BAD_CALLS
        for api in case.apis
        for method in METHODS
    ],
)
async def test_bad_input_is_refused_before_any_request(
    emulator: RouterEmulator,
    make_model,
    aclose_models,
    case: Bad,
    api: str,
    method: str,
) -> None:
    llm = make_model(api=api, **case.fields)
    aclose_models.append(llm)
    runnable = llm if case.tools is None else llm.bind_tools(case.tools)
    with pytest.raises(case.error, match=case.match):
        await _call(runnable, method, case.input, case.call)
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("options", "match"),
    [pytest.param(options, match, id=name) for name, options, match in BAD_OPTIONS]
    + [
        pytest.param("high", r"(?s)provider_options.*valid dictionary", id="not-a-dict")
    ],
)
def test_bad_provider_options_are_refused_when_the_model_is_built(
    emulator: RouterEmulator, make_model, options: Any, match: str
) -> None:
    # Pydantic wraps the validator's InvalidInputError in a ValidationError.
    with pytest.raises(ValueError, match=match):
        make_model(provider_options=options)
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("tool", "match"),
    [
        pytest.param(42, r"42.*cannot be turned into a function schema", id="int"),
        pytest.param(
            "not a tool",
            r"'not a tool'.*cannot be turned into a function schema",
            id="string",
        ),
        pytest.param(
            {"description": "neither a name nor a title"},
            r"cannot be turned into a function schema",
            id="dict-without-name",
        ),
        pytest.param(
            {"type": "hologram"},
            r"cannot be turned into a function schema",
            id="dict-unknown-type",
        ),
        pytest.param(
            OpaqueArgs,
            r"(?s)OpaqueArgs.*(cannot|JSON ?schema)",
            id="pydantic-model-without-json-schema",
        ),
    ],
)
def test_unconvertible_tool_is_refused_when_bound(
    emulator: RouterEmulator, make_model, tool: Any, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        make_model().bind_tools([tool])
    assert emulator.requests == []


# --- positive controls: what an API merely cannot carry warns, and is sent -----------


@dataclass(frozen=True)
class WarnOnly:
    """A setting the chosen API cannot carry: a warning, and the request goes out."""

    id: str
    api: str
    match: str
    absent: str
    call: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)


WARN_ONLY = [
    WarnOnly(
        "stop-on-responses-per-call",
        "responses",
        r"stop sequences.*Responses API.*api='chat_completions'",
        "stop",
        call={"stop": ["END"]},
    ),
    WarnOnly(
        "stop-on-responses-model-field",
        "responses",
        r"stop sequences.*Responses API.*api='chat_completions'",
        "stop",
        fields={"stop": ["END"]},
    ),
    WarnOnly(
        "seed-on-responses",
        "responses",
        r"seed.*Responses API.*api='chat_completions'",
        "seed",
        fields={"seed": 7},
    ),
    WarnOnly(
        "metadata-on-chat",
        "chat_completions",
        r"'metadata'.*Chat Completions.*api='responses'",
        "metadata",
        call={"provider_options": {"metadata": {"run": "7"}}},
    ),
]


@pytest.mark.parametrize(
    ("case", "method"),
    [
        pytest.param(case, method, id=f"{case.id}-{method}")
        for case in WARN_ONLY
        for method in METHODS
    ],
)
async def test_setting_the_api_cannot_carry_only_warns(
    emulator: RouterEmulator,
    make_model,
    aclose_models,
    case: WarnOnly,
    method: str,
) -> None:
    llm = make_model(api=case.api, **case.fields)
    aclose_models.append(llm)
    with pytest.warns(UnsupportedSettingWarning, match=case.match):
        await _call(llm, method, "Hello", case.call)
    assert len(emulator.requests) == 1
    assert emulator.last_request.api == case.api
    assert case.absent not in emulator.last_request.json


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("effort", ["none", "minimal", "xhigh"])
async def test_chat_only_efforts_are_sent_on_chat(
    emulator: RouterEmulator, make_model, aclose_models, effort: str, method: str
) -> None:
    llm = make_model(api="chat_completions")
    aclose_models.append(llm)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await _call(
            llm, method, "Hello", {"provider_options": {"reasoning_effort": effort}}
        )
    assert len(emulator.requests) == 1
    assert emulator.last_request.json["reasoning_effort"] == effort


def test_metadata_at_the_router_limits_is_sent(
    emulator: RouterEmulator, make_model
) -> None:
    metadata = {f"k{i}": "v" for i in range(14)}
    metadata["k" * 64] = "v"
    metadata["long"] = "v" * 512
    assert len(metadata) == 16
    make_model(api="responses").invoke("Hello", provider_options={"metadata": metadata})
    assert emulator.last_request.json["metadata"] == metadata


@pytest.mark.parametrize("api", ["responses", "auto"])
def test_mcp_tool_is_sent_on_responses(
    emulator: RouterEmulator, make_model, api: str
) -> None:
    make_model(api=api).bind_tools([MCP_TOOL]).invoke("Hello")
    assert len(emulator.requests) == 1
    assert emulator.last_request.api == "responses"
    assert emulator.last_request.json["tools"] == [MCP_TOOL]
