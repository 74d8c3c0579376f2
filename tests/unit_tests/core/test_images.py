"""`core.images`: bytes, base64 and URLs resolved to a URL the router takes.

protocol.md: bytes become `data:<mime>;base64,...` with the MIME type sniffed from
the bytes when unknown; URLs are passed through.
"""

from __future__ import annotations

import base64

import pytest

from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.images import (
    check_image_url,
    image_url_from_base64,
    image_url_from_bytes,
    sniff_image_mime,
)

# The first bytes of each format, padded as a real file would continue.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(16)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(16)
GIF87 = b"GIF87a\x01\x00\x01\x00" + bytes(16)
GIF89 = b"GIF89a\x01\x00\x01\x00" + bytes(16)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(16)
BMP = b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00" + bytes(16)
TIFF_LE = b"II*\x00\x08\x00\x00\x00" + bytes(16)
TIFF_BE = b"MM\x00*\x00\x00\x00\x08" + bytes(16)
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00" + bytes(16)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(16)

IMAGES = [
    (PNG, "image/png"),
    (JPEG, "image/jpeg"),
    (GIF87, "image/gif"),
    (GIF89, "image/gif"),
    (WEBP, "image/webp"),
    (BMP, "image/bmp"),
    (TIFF_LE, "image/tiff"),
    (TIFF_BE, "image/tiff"),
    (AVIF, "image/avif"),
    (HEIC, "image/heic"),
]
IMAGE_IDS = [
    "png",
    "jpeg",
    "gif87a",
    "gif89a",
    "webp",
    "bmp",
    "tiff-le",
    "tiff-be",
    "avif",
    "heic",
]

NOT_IMAGES = [
    b"",
    b"hello, world",
    b"%PDF-1.7\n",
    b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(8),  # RIFF, but audio
    b"\x00\x00\x00\x18ftypmp42" + bytes(8),  # ISO media, but video
    b"\x89PNG",  # a PNG signature cut short
]
NOT_IMAGE_IDS = ["empty", "text", "pdf", "wav", "mp4", "short-png"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize(("data", "mime"), IMAGES, ids=IMAGE_IDS)
def test_sniff(data: bytes, mime: str):
    assert sniff_image_mime(data) == mime


@pytest.mark.parametrize("data", NOT_IMAGES, ids=NOT_IMAGE_IDS)
def test_sniff_refuses_what_is_not_an_image(data: bytes):
    assert sniff_image_mime(data) is None


# --- bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "mime"), IMAGES, ids=IMAGE_IDS)
def test_bytes_become_a_data_url_with_the_sniffed_type(data: bytes, mime: str):
    url = image_url_from_bytes(data)
    assert url == f"data:{mime};base64,{b64(data)}"
    _, _, payload = url.partition(",")
    assert base64.b64decode(payload) == data


def test_the_bytes_decide_the_type_over_a_declared_one():
    assert (
        image_url_from_bytes(PNG, "image/jpeg") == f"data:image/png;base64,{b64(PNG)}"
    )


def test_bytes_that_are_not_an_image_are_refused_even_with_a_declared_type():
    with pytest.raises(InvalidInputError, match=r"not a known image format \(declared"):
        image_url_from_bytes(b"plain text", "image/png")


@pytest.mark.parametrize("data", NOT_IMAGES, ids=NOT_IMAGE_IDS)
def test_bytes_that_are_not_an_image_are_refused_clearly(data: bytes):
    with pytest.raises(InvalidInputError) as caught:
        image_url_from_bytes(data)
    message = str(caught.value)
    assert "not a known image format" in message
    assert "Convert the image" in message
    assert isinstance(caught.value, ValueError)


def test_a_mime_type_that_is_not_an_image_is_refused():
    with pytest.raises(InvalidInputError, match="must start with 'image/'"):
        image_url_from_bytes(PNG, "application/pdf")


# --- base64 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "mime"), IMAGES, ids=IMAGE_IDS)
def test_base64_without_a_mime_type_is_sniffed(data: bytes, mime: str):
    assert image_url_from_base64(b64(data)) == f"data:{mime};base64,{b64(data)}"


def test_base64_of_a_large_image_is_sniffed_from_its_start():
    data = JPEG + bytes(10_000)
    assert image_url_from_base64(b64(data)).startswith("data:image/jpeg;base64,/9j/")


def test_base64_with_a_wrong_mime_type_gets_the_real_one():
    assert image_url_from_base64(b64(PNG), "image/webp") == (
        f"data:image/png;base64,{b64(PNG)}"
    )


@pytest.mark.parametrize(
    "encoded",
    ["not base64!!", "iVBORw0KGgo", b64(PNG)[:-2] + "*=", "data:image/png;base64,AAAA"],
    ids=["punctuation", "bad-padding", "bad-character", "a-data-url"],
)
def test_invalid_base64_is_refused(encoded: str):
    with pytest.raises(InvalidInputError, match="not valid base64"):
        image_url_from_base64(encoded, "image/png")


def test_base64_of_something_that_is_not_an_image_is_refused():
    with pytest.raises(InvalidInputError, match="not a known image format"):
        image_url_from_base64(b64(b"just some text, not a picture"))


# --- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://t3.ftcdn.net/jpg/00/85/79/92/360_F_85799278_0BBGV9OAdQDTLnKwAPBCcg1J7QtiieJY.jpg",
        "http://127.0.0.1:8000/cat.png",
    ],
)
def test_http_urls_pass_through(url: str):
    assert check_image_url(url) == url


def test_an_image_data_url_passes():
    url = f"data:image/png;base64,{b64(PNG)}"
    assert check_image_url(url) == url


@pytest.mark.parametrize(
    ("url", "match"),
    [
        (f"data:text/plain;base64,{b64(b'hi')}", "data:image/<type>;base64"),
        ("data:image/png,rawbytes", "data:image/<type>;base64"),
        ("data:image/png;base64", "data:image/<type>;base64"),
        ("data:image/png;base64,***", "not valid base64"),
        ("file:///tmp/cat.png", "pass its bytes"),
        ("/tmp/cat.png", "pass its bytes"),
        ("ftp://example.com/cat.png", "must be http"),
    ],
    ids=[
        "data-not-image",
        "data-not-base64",
        "data-no-comma",
        "data-bad-payload",
        "file-url",
        "path",
        "ftp",
    ],
)
def test_other_urls_are_refused(url: str, match: str):
    with pytest.raises(InvalidInputError, match=match):
        check_image_url(url)
