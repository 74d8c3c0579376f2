"""The Responses wire format (`POST {base}/responses`), as the router serves it.

The router's endpoint is HF's responses.js, a translation over Chat Completions
(see `protocol.md`): it hard-codes `output_index: 0` for messages, so stream
items are keyed by `item_id`; it does not always close items, so the output in
`response.completed` is authoritative; and it reports upstream failures as HTTP
200 with `status: "failed"` or a `response.failed` event.

MCP, as responses.js implements it (`src/routes/responses.ts` and `src/schemas.ts`
at c0ac6ee): the server lists an `mcp` tool's tools (`mcp_list_tools` item,
skipped when the input already holds one for that `server_label`), runs calls
(`mcp_call`) or asks for approval (`mcp_approval_request`), and runs an approved
request when the input holds it with a matching `mcp_approval_response` (and no
`mcp_call` with the derived id `mcp_<suffix>` shows it already ran). Its stream
events `response.mcp_list_tools.*` and `response.mcp_call.*` carry no item, and
`response.mcp_call_arguments.delta` only repeats what the item holds when done;
each MCP item arrives whole in `response.output_item.done` (approval requests
get no argument events at all), so MCP items are mapped from there alone.

Servers disagree on ids: deltas without an `item_id` or with another than the
item's `id`, items without an `id`, a call announced twice or by its `call_id`
alone. The stream mapper keeps one record per output item, known under every id
it went by, so that nothing is said twice (`_ItemLedger`). Every value is read
through `wire_json`: a wrong-typed one is a `WireShapeError` naming its path.
"""

from __future__ import annotations

from typing import Final

from langchain_hf_router.core.options import SETTING_NAMES
from langchain_hf_router.core.responses.answer import parse_response
from langchain_hf_router.core.responses.events import ResponsesEventMapper
from langchain_hf_router.core.responses.request import (
    REASONING_EFFORTS,
    UNSENT,
    build_body,
)
from langchain_hf_router.core.wire import WireFormat

__all__ = [
    "API",
    "FORMAT",
    "PATH",
    "ResponsesEventMapper",
    "build_body",
    "parse_response",
]

PATH: Final = "/responses"
API: Final = "responses"

FORMAT: Final = WireFormat(
    api=API,
    label="Responses",
    path=PATH,
    build_body=build_body,
    parse_response=parse_response,
    new_mapper=ResponsesEventMapper,
    reasoning_efforts=REASONING_EFFORTS,
    # `strict_json_schema` rides inside `text.format`, the tools in `tools`.
    sends=frozenset(SETTING_NAMES) - set(UNSENT),
    unsent=UNSENT,
    chosen_for=frozenset({"mcp"}),
    preferred_for=frozenset({"instructions", "metadata"}),
)
"""The Responses wire format, as the registry in `formats.py` lists it."""
