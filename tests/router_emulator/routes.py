"""Which template answers a request: routing and script-item dispatch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from . import chat_completions, responses
from .plan import ResponsePlan, error_plan, json_plan, openai_error, raw_plan
from .script import ErrorReply, InBandFailure, RawReply, Reply, ScriptItem

if TYPE_CHECKING:
    from .recorded import RecordedRequest

MODELS_PATH: Final = "/v1/models"

Renderer: TypeAlias = Callable[[Reply | InBandFailure, Mapping[str, Any]], ResponsePlan]

RENDERERS: Final[dict[str, Renderer]] = {
    "chat_completions": chat_completions.render,
    "responses": responses.render,
}


def route(
    request: RecordedRequest,
    next_item: Callable[[], ScriptItem],
    catalog: list[dict[str, Any]],
) -> ResponsePlan:
    """Answer one request; ``next_item`` pops the script only for API calls.

    ``GET /v1/models`` lists ``catalog`` and ``GET /v1/models/{org}/{name}`` gives
    one entry. Unknown paths get a 404 and bodies that are not a JSON object a 400;
    none of these consumes a scripted reply.
    """
    if request.method == "GET" and request.path.startswith(MODELS_PATH):
        return catalog_plan(request.path, catalog)
    if request.method != "POST" or request.api not in RENDERERS:
        return openai_error(
            404, f"Not Found: {request.method} {request.path}", "not_found_error", 404
        )
    if not isinstance(request.json, dict):
        return openai_error(
            400, "Request body must be a JSON object", "invalid_request_error", 400
        )
    return render_item(next_item(), request.api, request.json)


def catalog_plan(path: str, catalog: list[dict[str, Any]]) -> ResponsePlan:
    """The model list, or one model by id (404 when unknown)."""
    model_id = path[len(MODELS_PATH) :].strip("/")
    if not model_id:
        return json_plan(200, {"object": "list", "data": catalog})
    for entry in catalog:
        if entry.get("id") == model_id:
            return json_plan(200, entry)
    return openai_error(404, f"Model {model_id} not found", "not_found_error", 404)


def render_item(item: ScriptItem, api: str, body: Mapping[str, Any]) -> ResponsePlan:
    """Render any script item for the given API."""
    if isinstance(item, ErrorReply):
        plan = error_plan(item)
    elif isinstance(item, RawReply):
        plan = raw_plan(item)
    elif isinstance(item, Reply | InBandFailure):
        plan = RENDERERS[api](item, body)
    else:
        msg = f"cannot render {type(item).__name__}"
        raise TypeError(msg)
    if isinstance(item, InBandFailure) or item.hold_after is None:
        return plan
    return dataclasses.replace(plan, hold_after=item.hold_after)
