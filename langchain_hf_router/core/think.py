"""Reasoning inlined in answer text as `<think>…</think>`, split out incrementally.

Some providers (DeepSeek-R1 on together, recorded 2026) put the model's reasoning
in `content` between think tags; the tags can be split across stream chunks, and
when the chat template already opened the block the opening tag never comes.
"""

from __future__ import annotations

import re
from typing import Final

OPEN_TAG: Final = "<think>"
CLOSE_TAG: Final = "</think>"

# Models whose chat templates open the think block in the prompt, so their answers
# start inside it and only the closing tag appears in the output.
_STARTS_INSIDE: Final = re.compile(
    r"(^|/)(DeepSeek-R1|QwQ-|Qwen3-[^/:]*-Thinking)", re.IGNORECASE
)


def starts_inside_think(model: str) -> bool:
    """Whether `model` is known to begin its answers inside an open think block."""
    return _STARTS_INSIDE.search(model) is not None


def _held_prefix(text: str, tag: str) -> int:
    """Length of the longest end of `text` that could begin `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


class ThinkSplitter:
    """Feeds answer text, returns `(is_reasoning, text)` pieces in order."""

    __slots__ = ("_implicit", "_inside", "_pending", "_started", "_strip")

    def __init__(self, *, start_inside: bool = False) -> None:
        self._inside = start_inside
        self._implicit = start_inside  # the block is open, unless a tag opens it
        self._pending = ""
        self._started = False
        self._strip = start_inside

    def provider_separates_reasoning(self) -> None:
        """The server sends reasoning in its own field: no implicit open block."""
        if not self._started:
            self._inside = self._implicit = self._strip = False

    def plain(self, text: str) -> bool:
        """Whether `text` is answer text to pass through as it is (checked cheaply)."""
        if self._inside or self._pending or self._strip or "<" in text:
            return False
        self._started = True
        return True

    def feed(self, text: str) -> list[tuple[bool, str]]:
        """Split one delta; a possible partial tag at its end is held back."""
        self._started = True
        text = self._pending + text
        self._pending = ""
        if self._implicit:
            # Assumed open, yet the model may still write the opening tag itself.
            head = text.lstrip()
            if len(head) < len(OPEN_TAG) and OPEN_TAG.startswith(head):
                self._pending = text
                return []
            self._implicit = False
            if head.startswith(OPEN_TAG):
                text = head[len(OPEN_TAG) :]
        pieces: list[tuple[bool, str]] = []
        while True:
            tag = CLOSE_TAG if self._inside else OPEN_TAG
            at = text.find(tag)
            if at < 0:
                held = _held_prefix(text, tag)
                if held:
                    self._pending = text[-held:]
                    text = text[:-held]
                pieces.extend(self._emit(text))
                return pieces
            pieces.extend(self._emit(text[:at]))
            self._inside = not self._inside
            self._strip = True
            text = text[at + len(tag) :]

    def flush(self) -> list[tuple[bool, str]]:
        """End of the answer: release any held-back text."""
        pending, self._pending = self._pending, ""
        return self._emit(pending)

    def _emit(self, text: str) -> list[tuple[bool, str]]:
        if self._strip:
            text = text.lstrip()
            if not text:
                return []
            self._strip = False
        return [(self._inside, text)] if text else []


def split_whole(text: str) -> list[tuple[bool, str]]:
    """Split a complete answer; a lone closing tag means the block began at the start.

    A whole answer shows whether the opening tag is missing, so no model list is
    needed here (unlike a stream, which cannot take back text already given).
    """
    close_at = text.find(CLOSE_TAG)
    start_inside = close_at >= 0 and OPEN_TAG not in text[:close_at]
    splitter = ThinkSplitter(start_inside=start_inside)
    return [*splitter.feed(text), *splitter.flush()]
