"""The Responses stream: events to parts, each output item mapped once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from langchain_hf_router.core.responses.answer import (
    ReadItem,
    arguments_text,
    failure,
    finish_reason,
    raise_if_failed,
    read_item,
    read_output,
    response_info,
    usage_of,
    within,
)
from langchain_hf_router.core.types import (
    ReasoningDelta,
    ResponseInfo,
    StreamFinish,
    StreamPart,
    TextAnnotation,
    TextDelta,
    ToolCallDelta,
)
from langchain_hf_router.core.wire_json import (
    WireShapeError,
    ident,
    obj,
    string,
)

_UNSET: Final = object()
_REASONING_DELTAS: Final = (
    "response.reasoning_text.delta",
    "response.reasoning_summary_text.delta",
)


class _Item:
    """One output item as the stream has delivered it so far."""

    __slots__ = (
        "annotations",
        "anonymous",
        "call_id",
        "closed",
        "delivered",
        "delta_id",
        "index",
        "kind",
        "named",
        "pieces",
        "sent_id",
        "shown",
    )

    def __init__(self, kind: str, index: int) -> None:
        self.kind = kind
        self.index = index  # a call's position among the calls
        self.pieces: list[str] = []  # the text or arguments given so far
        self.annotations: list[dict[str, Any]] = []  # the annotations given so far
        self.delta_id: str | None = None  # the item_id its deltas came under
        self.call_id: str | None = None  # a call's call_id, once known
        self.anonymous = True  # announced (or first seen) without any id
        self.closed = False  # its output_item.done came
        self.delivered = False  # an MCP item went out (whole)
        self.shown = False  # a call's first part went out
        self.sent_id = False  # a call's id went out
        self.named = False  # a call's name went out

    def blank(self) -> bool:
        """Whether nothing but its announcement came for it yet."""
        return not (self.pieces or self.annotations or self.delivered)

    def conflicts(self, read: ReadItem) -> bool:
        """Whether `read` is surely another item: a call with another call_id."""
        return None not in (self.call_id, read.call_id) and self.call_id != read.call_id


class _Cursor:
    """Where the last delta of one kind went; spares text deltas the ledger."""

    __slots__ = ("key", "kind", "make", "pieces")

    def __init__(self, kind: str, make: Callable[[str], StreamPart]) -> None:
        self.kind = kind
        self.key: object = _UNSET  # the `item_id` that delta named
        self.pieces: list[str] = []  # its item's pieces
        self.make = make


class _ItemLedger:
    """The stream's output items, each mapped once whatever ids the server uses.

    An item is known under every id it came with (`id`, `call_id`, the `item_id`
    of its deltas). An event naming no known id belongs to the open (latest, not
    yet done) item of its kind; an announcement without ids repeats that item if
    it too came without ids and nothing came for it since. The completed
    response's items pair up with the streamed ones by id, then by position
    among the unpaired items of a kind.
    """

    __slots__ = ("_by_id", "_latest", "calls", "cursors", "items")

    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.calls = 0
        self.cursors = (
            _Cursor("message", TextDelta),
            _Cursor("reasoning", ReasoningDelta),
            _Cursor("function_call", TextDelta),  # `make` is set per call
        )
        self._by_id: dict[str, _Item] = {}
        self._latest: dict[str, _Item] = {}

    def for_delta(self, kind: str, item_id: str | None) -> _Item:
        """The item a delta (or an annotation) belongs to."""
        item = None if item_id is None else self._find(kind, (item_id,))
        if item is None:
            item = self._open(kind)
            if item is None or (
                item_id is not None and item.delta_id not in (None, item_id)
            ):
                item = self._new(kind, ())
        if item_id is not None:
            item.delta_id = item.delta_id or item_id
            self._by_id.setdefault(item_id, item)
        return item

    def for_note(self, item_id: str | None) -> _Item:
        """The message an annotation belongs to: by id, else the latest message.

        Unlike a delta, an annotation never starts an item of its own.
        """
        item = None if item_id is None else self._find("message", (item_id,))
        return item or self._latest.get("message") or self._new("message", ())

    def added(self, read: ReadItem) -> _Item:
        """The item an `output_item.added` announces (a repeat: the same item)."""
        item = self._find(read.kind, read.ids)
        if item is None and not read.ids:
            latest = self._open(read.kind)
            if latest is not None and latest.anonymous and latest.blank():
                item = latest
        if item is None:
            return self._new(read.kind, read.ids, read.call_id)
        self._alias(item, read)
        return item

    def match(self, read: ReadItem) -> _Item:
        """The item a whole item (`output_item.done`, `arguments.done`) is."""
        item = self._find(read.kind, read.ids)
        if item is None:
            item = self._open(read.kind)
            if item is None or item.conflicts(read):
                return self._new(read.kind, read.ids, read.call_id)
        self._alias(item, read)
        return item

    def close(self, item: _Item) -> None:
        """`item` is done: later events without a known id go to a new item."""
        item.closed = True
        self._moved()

    def pair(self, finals: list[ReadItem]) -> list[tuple[ReadItem, _Item]]:
        """Each item of the completed response with its item (a new one if none).

        By id first; then by position among the unpaired items of a kind,
        preferring one whose streamed text the final text extends (an item
        with text before a blank one), so that no text is said twice.
        """
        found: list[_Item | None] = []
        for read in finals:
            item = self._find(read.kind, read.ids)
            found.append(None if item in found else item)
        spare = [item for item in self.items if item not in found]
        for fits in (_extends_text, _extends, _may_be):
            for at, read in enumerate(finals):
                if found[at] is None:
                    found[at] = _take(spare, read, fits)
        return [
            (read, item or self._new(read.kind, read.ids, read.call_id))
            for read, item in zip(finals, found, strict=True)
        ]

    def _find(self, kind: str, ids: tuple[str, ...]) -> _Item | None:
        for key in ids:
            item = self._by_id.get(key)
            if item is not None and item.kind == kind:
                return item
        return None

    def _open(self, kind: str) -> _Item | None:
        item = self._latest.get(kind)
        return None if item is None or item.closed else item

    def _new(
        self, kind: str, ids: tuple[str, ...], call_id: str | None = None
    ) -> _Item:
        item = _Item(kind, self.calls)
        if kind == "function_call":
            self.calls += 1
        item.call_id = call_id
        item.anonymous = not ids
        for key in ids:
            self._by_id.setdefault(key, item)
        self.items.append(item)
        self._latest[kind] = item
        self._moved()
        return item

    def _alias(self, item: _Item, read: ReadItem) -> None:
        for key in read.ids:
            self._by_id.setdefault(key, item)
        item.call_id = item.call_id or read.call_id

    def _moved(self) -> None:
        """Items changed: the cursors must look their item up again."""
        for cursor in self.cursors:
            cursor.key = _UNSET


def _may_be(item: _Item, read: ReadItem) -> bool:
    """Whether `item` may be the item `read` shows whole."""
    return item.kind == read.kind and not item.conflicts(read)


def _extends(item: _Item, read: ReadItem) -> bool:
    """Whether `read` may be `item`, its text going on from what streamed."""
    return _may_be(item, read) and read.text.startswith("".join(item.pieces))


def _extends_text(item: _Item, read: ReadItem) -> bool:
    return bool(item.pieces) and _extends(item, read)


def _take(
    pool: list[_Item], read: ReadItem, fits: Callable[[_Item, ReadItem], bool]
) -> _Item | None:
    """The first item of `pool` that `fits` `read`, taken out of it."""
    for at, item in enumerate(pool):
        if fits(item, read):
            return pool.pop(at)
    return None


def _rest(pieces: list[str], final: str) -> str:
    """What `final` adds to the `pieces` streamed, when they are its start."""
    streamed = "".join(pieces)
    if len(final) <= len(streamed) or not final.startswith(streamed):
        return ""  # all there, or it went another way: never say it twice
    pieces[:] = [final]
    return final[len(streamed) :]


def _unseen(
    seen: list[dict[str, Any]], final: tuple[dict[str, Any], ...]
) -> list[dict[str, Any]]:
    """The annotations of `final` not among those `seen` (now seen too)."""
    pool = list(seen)
    new: list[dict[str, Any]] = []
    try:
        for note in final:
            if note in pool:
                pool.remove(note)
            else:
                new.append(note)
    except RecursionError:
        msg = "an annotation is nested too deeply to read"
        raise WireShapeError(msg) from None
    seen.extend(new)
    return new


class ResponsesEventMapper:
    """Maps parsed stream events to stream parts; one instance per stream.

    Each output item is mapped once (see `_ItemLedger`): deltas go out as they
    come, and the item whole (`output_item.done`, then `response.completed`,
    which is authoritative) adds only what the deltas left out.
    """

    __slots__ = (
        "_arguments",
        "_finish",
        "_info",
        "_ledger",
        "_reasoning",
        "_text",
    )

    def __init__(self) -> None:
        self._info = ResponseInfo()
        self._ledger = _ItemLedger()
        self._text, self._reasoning, self._arguments = self._ledger.cursors
        self._finish: StreamFinish | None = None

    def feed(self, event: dict[str, Any]) -> list[StreamPart]:
        """Parts for one event."""
        kind = event.get("type")
        if kind == "response.output_text.delta":  # the hot path: `_delta`, inlined
            delta = event.get("delta")
            cursor = self._text
            if delta.__class__ is not str or event.get("item_id") != cursor.key:
                return self._seek(event, cursor)
            if not delta:
                return []
            cursor.pieces.append(delta)
            return [TextDelta(delta)]
        if kind in _REASONING_DELTAS:
            return self._delta(event, self._reasoning)
        if kind == "response.function_call_arguments.delta":
            return self._delta(event, self._arguments)
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is not None:
            return handler(self, event)
        if kind is None and event.get("error") is not None:
            raise failure(event, event)  # an error served as an event
        return []

    def _delta(self, event: dict[str, Any], cursor: _Cursor) -> list[StreamPart]:
        """A delta to the item `cursor` found last, or the one it must seek."""
        delta = event.get("delta")
        if delta.__class__ is not str or event.get("item_id") != cursor.key:
            return self._seek(event, cursor)
        if not delta:
            return []
        cursor.pieces.append(delta)
        return [cursor.make(delta)]

    def _seek(self, event: dict[str, Any], cursor: _Cursor) -> list[StreamPart]:
        """A delta for an item the cursor does not know: find it, then map it."""
        delta = string(event.get("delta"), "delta")
        item_id = ident(event.get("item_id"), "item_id")
        item = self._ledger.for_delta(cursor.kind, item_id)
        cursor.key, cursor.pieces = event.get("item_id"), item.pieces
        if item.kind == "function_call":
            index = item.index
            cursor.make = lambda text: ToolCallDelta(index, None, None, text)
        if not delta:
            return []
        item.pieces.append(delta)
        item.shown = True
        return [cursor.make(delta)]

    def _annotation(self, event: dict[str, Any]) -> list[StreamPart]:
        note = event.get("annotation")
        if note is None:
            return []
        note = obj(note, "annotation")
        item = self._ledger.for_note(ident(event.get("item_id"), "item_id"))
        item.annotations.append(note)
        return [TextAnnotation(note)]

    def _item_added(self, event: dict[str, Any]) -> list[StreamPart]:
        read = _event_item(event)
        if read is None:
            return []
        item = self._ledger.added(read)
        if read.kind != "function_call":
            return []  # text comes as deltas; MCP items whole, when done
        return self._call_parts(item, read, final=False)

    def _item_done(self, event: dict[str, Any]) -> list[StreamPart]:
        read = _event_item(event)
        if read is None:
            return []
        item = self._ledger.match(read)
        self._ledger.close(item)
        return self._settle(item, read, final=False)

    def _arguments_done(self, event: dict[str, Any]) -> list[StreamPart]:
        read = ReadItem(
            "function_call",
            ident(event.get("item_id"), "item_id"),
            text=arguments_text(event.get("arguments")),
            name=string(event.get("name"), "name"),
        )
        return self._settle(self._ledger.match(read), read, final=False)

    def _settle(self, item: _Item, read: ReadItem, *, final: bool) -> list[StreamPart]:
        """What `read`, the item whole, adds to what came of it: the rest, once."""
        if read.mcp is not None:
            if item.delivered:
                return []
            item.delivered = True
            return [read.mcp]
        if read.kind == "function_call":
            return self._call_parts(item, read, final=final)
        parts: list[StreamPart] = []
        rest = _rest(item.pieces, read.text)
        if rest:
            parts.append(
                TextDelta(rest) if read.kind == "message" else ReasoningDelta(rest)
            )
        parts.extend(
            TextAnnotation(note) for note in _unseen(item.annotations, read.annotations)
        )
        return parts

    @staticmethod
    def _call_parts(item: _Item, read: ReadItem, *, final: bool) -> list[StreamPart]:
        """A call's part with what `read` tells that has not gone out yet.

        The id is the `call_id`; the item id stands in for it (as in an answer)
        only once the completed response shows there is no `call_id`.
        """
        call_id = None
        if not item.sent_id:
            call_id = read.call_id or (read.item_id if final else None)
            item.sent_id = call_id is not None
        name = None
        if not item.named and read.name:
            name, item.named = read.name, True
        rest = _rest(item.pieces, read.text)
        if item.shown and call_id is None and name is None and not rest:
            return []
        item.shown = True
        return [ToolCallDelta(item.index, call_id, name, rest)]

    def _created(self, event: dict[str, Any]) -> list[StreamPart]:
        response = obj(event.get("response"), "response")
        try:
            self._info = response_info(response)
        except WireShapeError as exc:
            raise within("response", exc) from None
        return []

    def _completed(self, event: dict[str, Any]) -> list[StreamPart]:
        return self._end(obj(event.get("response"), "response"), incomplete=False)

    def _incomplete(self, event: dict[str, Any]) -> list[StreamPart]:
        return self._end(obj(event.get("response"), "response"), incomplete=True)

    def _end(self, response: dict[str, Any], *, incomplete: bool) -> list[StreamPart]:
        try:
            raise_if_failed(response)
            finals = read_output(response.get("output"))
            calls = self._ledger.calls or any(
                read.kind == "function_call" for read in finals
            )
            reason = finish_reason(
                response, has_calls=bool(calls), incomplete=incomplete
            )
            finish = StreamFinish(
                reason, usage_of(response.get("usage")), response_info(response)
            )
        except WireShapeError as exc:
            raise within("response", exc) from None
        parts: list[StreamPart] = []
        for read, item in self._ledger.pair(finals):
            parts.extend(self._settle(item, read, final=True))
        self._info = finish.info
        self._finish = finish
        return parts

    def _failed(self, event: dict[str, Any]) -> list[StreamPart]:
        response = obj(event.get("response"), "response")
        raise failure(response.get("error"), response)

    def _error(self, event: dict[str, Any]) -> list[StreamPart]:
        raise failure(event, event)

    def finish(self) -> StreamFinish:
        """The closing part, once the stream has ended."""
        return self._finish or StreamFinish(None, None, self._info)

    def end_of_stream(self) -> None:
        """`data: [DONE]` says nothing here: only the final response does."""

    @property
    def complete(self) -> bool:
        """Whether `response.completed` (or `.incomplete`) arrived.

        A `[DONE]` line alone does not count: only the final response says the
        answer is whole.
        """
        return self._finish is not None


def _event_item(event: dict[str, Any]) -> ReadItem | None:
    """The item an `output_item.added` / `.done` event carries."""
    item = obj(event.get("item"), "item")
    try:
        return read_item(item)
    except WireShapeError as exc:
        raise within("item", exc) from None


# Event type -> its mapping (deltas are mapped in `feed` itself).
_HANDLERS: Final[
    dict[str, Callable[[ResponsesEventMapper, dict[str, Any]], list[StreamPart]]]
] = {
    "response.output_text.annotation.added": ResponsesEventMapper._annotation,
    "response.output_item.added": ResponsesEventMapper._item_added,
    "response.output_item.done": ResponsesEventMapper._item_done,
    "response.function_call_arguments.done": ResponsesEventMapper._arguments_done,
    "response.created": ResponsesEventMapper._created,
    "response.in_progress": ResponsesEventMapper._created,
    "response.completed": ResponsesEventMapper._completed,
    "response.incomplete": ResponsesEventMapper._incomplete,
    "response.failed": ResponsesEventMapper._failed,
    "error": ResponsesEventMapper._error,
}
