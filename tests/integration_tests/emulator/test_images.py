"""Image input: bytes, base64, data URLs and http(s) URLs on both APIs."""

from __future__ import annotations

import base64

import pytest
from langchain_core.messages import HumanMessage
from router_emulator import RouterEmulator

from langchain_hf_router import InvalidInputError, image_block

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def _sent_images(emulator: RouterEmulator, api: str) -> list[str]:
    body = emulator.last_request.json
    if api == "chat_completions":
        parts = body["messages"][0]["content"]
        assert parts[0] == {"type": "text", "text": "Describe this image."}
        return [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    parts = body["input"][0]["content"]
    assert parts[0] == {"type": "input_text", "text": "Describe this image."}
    return [p["image_url"] for p in parts if p["type"] == "input_image"]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (image_block(PNG), PNG_URL),
        ({"type": "image", "data": PNG}, PNG_URL),
        ({"type": "image", "data": base64.b64encode(PNG).decode()}, PNG_URL),
        (
            {"type": "image", "data": base64.b64encode(JPEG).decode()},
            "data:image/jpeg;base64," + base64.b64encode(JPEG).decode(),
        ),
        (
            {
                "type": "image",
                "source_type": "base64",
                "data": base64.b64encode(PNG).decode(),
                "mime_type": "image/png",
            },
            PNG_URL,
        ),
        ({"type": "image", "url": PNG_URL}, PNG_URL),
        (
            {"type": "image", "url": "https://example.com/cat.png"},
            "https://example.com/cat.png",
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}},
            "https://example.com/a.jpg",
        ),
        ({"type": "image_url", "image_url": PNG_URL}, PNG_URL),
    ],
    ids=[
        "bytes",
        "data-bytes",
        "base64-sniffed",
        "jpeg-sniffed",
        "legacy-base64",
        "data-url",
        "https-url",
        "openai-dict",
        "openai-str",
    ],
)
def test_image_forms(
    emulator: RouterEmulator, make_model, api: str, block: dict, expected: str
) -> None:
    message = HumanMessage(
        content=[{"type": "text", "text": "Describe this image."}, block]
    )
    make_model(api=api, model="Qwen/Qwen2.5-VL-7B-Instruct").invoke([message])
    assert _sent_images(emulator, api) == [expected]


def test_detail_is_passed_on_chat(emulator: RouterEmulator, make_model) -> None:
    block = {
        "type": "image_url",
        "image_url": {"url": "https://x.test/a.png", "detail": "low"},
    }
    make_model(api="chat_completions", model="Qwen/Qwen2.5-VL-7B-Instruct").invoke(
        [
            HumanMessage(
                content=[{"type": "text", "text": "Describe this image."}, block]
            )
        ]
    )
    part = emulator.last_request.json["messages"][0]["content"][1]
    assert part == {
        "type": "image_url",
        "image_url": {"url": "https://x.test/a.png", "detail": "low"},
    }


@pytest.mark.parametrize(
    ("block", "match"),
    [
        (
            {"type": "image", "data": b"%PDF-1.7 not an image"},
            "not a known image format",
        ),
        ({"type": "image", "data": "!!not base64!!"}, "not valid base64"),
        ({"type": "image", "url": "file:///etc/passwd"}, "http\\(s\\) or a data URL"),
        ({"type": "image", "file_id": "file-123"}, "file ids"),
        ({"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}, "'audio'"),
        ({"type": "video", "url": "https://x.test/v.mp4"}, "'video'"),
        (
            {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"},
            "'file'",
        ),
        (
            {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}},
            "'audio'",
        ),
    ],
)
def test_bad_content_refused_before_sending(
    emulator: RouterEmulator, make_model, block: dict, match: str
) -> None:
    message = HumanMessage(
        content=[{"type": "text", "text": "Describe this image."}, block]
    )
    with pytest.raises(InvalidInputError, match=match):
        make_model().invoke([message])
    assert emulator.requests == []
