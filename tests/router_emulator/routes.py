"""Which template answers a request: routing and script-item dispatch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from . import chat_completions, responses
from .plan import ResponsePlan, error_plan, openai_error, raw_plan
from .script import ErrorReply, InBandFailure, RawReply, Reply, ScriptItem

if TYPE_CHECKING:
    from .recorded import RecordedRequest

Renderer: TypeAlias = Callable[[Reply | InBandFailure, Mapping[str, Any]], ResponsePlan]

RENDERERS: Final[dict[str, Renderer]] = {
    "chat_completions": chat_completions.render,
    "responses": responses.render,
}


def route(
    request: RecordedRequest, next_item: Callable[[], ScriptItem]
) -> ResponsePlan:
    """Answer one request; ``next_item`` pops the script only for API calls.

    Unknown paths get a 404 and bodies that are not a JSON object a 400; neither
    consumes a scripted reply.
    """
    if request.method != "POST" or request.api not in RENDERERS:
        return openai_error(
            404, f"Not Found: {request.method} {request.path}", "not_found_error", 404
        )
    if not isinstance(request.json, dict):
        return openai_error(
            400, "Request body must be a JSON object", "invalid_request_error", 400
        )
    return render_item(next_item(), request.api, request.json)


def render_item(item: ScriptItem, api: str, body: Mapping[str, Any]) -> ResponsePlan:
    """Render any script item for the given API."""
    if isinstance(item, ErrorReply):
        return error_plan(item)
    if isinstance(item, RawReply):
        return raw_plan(item)
    if isinstance(item, Reply | InBandFailure):
        return RENDERERS[api](item, body)
    msg = f"cannot render {type(item).__name__}"
    raise TypeError(msg)
