"""Image inputs: bytes, base64 and URLs, all resolved to a URL the router takes."""

from __future__ import annotations

import base64
import binascii
from typing import Final

from langchain_hf_router.core.errors import InvalidInputError

_MAGIC: Final[tuple[tuple[bytes, int, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"ftypavif", 4, "image/avif"),
    (b"ftypheic", 4, "image/heic"),
)


def sniff_image_mime(data: bytes) -> str | None:
    """The image MIME type that `data`'s magic bytes announce, or None."""
    for magic, offset, mime in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if mime == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return mime
    return None


def image_url_from_bytes(data: bytes, mime_type: str | None = None) -> str:
    """Encode raw image bytes as a `data:` URL; the bytes' own format sets the type."""
    return _data_url(data, base64.b64encode(data).decode("ascii"), mime_type)


def image_url_from_base64(encoded: str, mime_type: str | None = None) -> str:
    """Wrap base64 image data in a `data:` URL, checking it decodes."""
    try:
        head = base64.b64decode(encoded[:64], validate=False)
        base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = (
            "Image data is not valid base64. Pass raw bytes, a base64 string, "
            "a data URL or an http(s) URL."
        )
        raise InvalidInputError(msg) from exc
    return _data_url(head, encoded, mime_type)


def check_image_url(url: str) -> str:
    """Accept an http(s) URL or an image `data:` URL; refuse anything else."""
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("data:"):
        header, sep, payload = url.partition(",")
        if not sep or not header.startswith("data:image/") or ";base64" not in header:
            msg = (
                f"Image data URL must look like 'data:image/<type>;base64,<data>', "
                f"got {url[:40]!r}."
            )
            raise InvalidInputError(msg)
        return image_url_from_base64(payload, header[5:].split(";", 1)[0])
    msg = (
        f"Image URL must be http(s) or a data URL, got {url[:40]!r}. For a local "
        "file, pass its bytes."
    )
    raise InvalidInputError(msg)


def _data_url(head: bytes, encoded: str, mime_type: str | None) -> str:
    """A `data:` URL typed by what the bytes are (a declared type must be an image)."""
    if mime_type is not None and not mime_type.startswith("image/"):
        msg = f"Image MIME type must start with 'image/', got {mime_type!r}."
        raise InvalidInputError(msg)
    sniffed = sniff_image_mime(head)
    if sniffed is None:
        declared = f" (declared {mime_type})" if mime_type else ""
        msg = (
            f"Image bytes are not a known image format{declared}: PNG, JPEG, GIF, "
            "WebP, BMP, TIFF, AVIF or HEIC. Convert the image, or pass its http(s) URL."
        )
        raise InvalidInputError(msg)
    return f"data:{sniffed};base64,{encoded}"
