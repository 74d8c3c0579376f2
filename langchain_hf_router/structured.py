"""`with_structured_output`: typed answers from a schema, in three ways."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough
from langchain_core.utils.function_calling import (
    convert_to_json_schema,
    convert_to_openai_tool,
)
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ValidationError

from langchain_hf_router.core.errors import InvalidInputError

if TYPE_CHECKING:
    # Annotations only. The model is typed as the LangChain base class (all this
    # module calls is `bind_tools` and `bind`), so that this module never imports
    # `chat_models`, which imports it.
    from langchain_core.language_models import BaseChatModel
    from langchain_core.language_models.base import LanguageModelInput

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def _format_name(schema: dict[str, Any]) -> str:
    """A format name the Responses API accepts (`^[a-zA-Z0-9_-]{1,64}$`)."""
    title = str(schema.get("title") or "")
    return _NAME_CHARS.sub("_", title)[:64] or "response"


def _json_schema_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    if isinstance(schema, dict) and "title" not in schema and "properties" in schema:
        json_schema = dict(schema)  # a plain JSON schema: named "response"
    else:
        try:
            json_schema = convert_to_json_schema(schema, strict=strict)
        except ValueError as exc:
            msg = (
                f"Cannot use {schema!r:.80} as a schema: pass a Pydantic class, a "
                "TypedDict, or a JSON-schema dict with 'properties' "
                f"({str(exc).strip().splitlines()[0]})."
            )
            raise InvalidInputError(msg) from exc
    spec: dict[str, Any] = {"name": _format_name(json_schema), "schema": json_schema}
    if json_schema.get("description"):
        spec["description"] = json_schema["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def _require_parsed(
    parse: Runnable[BaseMessage, Any],
) -> Callable[[BaseMessage], Any]:
    """A parse step that raises, with the raw text, when nothing could be parsed."""

    def run(message: BaseMessage) -> Any:
        parsed = parse.invoke(message)
        if parsed is None:
            calls = message.tool_calls if isinstance(message, AIMessage) else []
            msg = f"The answer lacks the requested structure (tool calls: {calls})."
            raise OutputParserException(msg, llm_output=message.text)
        return parsed

    return run


def structured_output(
    llm: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """The runnable behind `ChatHuggingFaceRouter.with_structured_output`."""
    pydantic_schema = isinstance(schema, type) and is_basemodel_subclass(schema)
    trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    parser: Runnable[BaseMessage, Any]
    if method == "function_calling":
        if schema is None:
            msg = "method='function_calling' needs a schema."
            raise InvalidInputError(msg)
        name = convert_to_openai_tool(schema)["function"]["name"]
        bound = llm.bind_tools(
            [schema], tool_choice=name, strict=strict, ls_structured_output_format=trace
        )
        parser = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            if pydantic_schema
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
    elif method in ("json_schema", "json_mode"):
        if method == "json_schema" and schema is None:
            msg = "method='json_schema' needs a schema; method='json_mode' takes none."
            raise InvalidInputError(msg)
        response_format = (
            _json_schema_format(schema, strict)
            if method == "json_schema"
            else {"type": "json_object"}
        )
        bound = llm.bind(
            response_format=response_format, ls_structured_output_format=trace
        )
        parser = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if pydantic_schema
            else JsonOutputParser()
        )
    else:
        msg = (
            f"Unknown method {method!r}; use 'json_schema', 'function_calling' "
            "or 'json_mode'."
        )
        raise InvalidInputError(msg)
    parse = RunnableLambda(_require_parsed(parser))
    if not include_raw:
        return bound | parse
    with_parsed = RunnablePassthrough.assign(
        parsed=lambda step: parse.invoke(step["raw"]), parsing_error=lambda _: None
    )
    on_error = RunnablePassthrough.assign(parsed=lambda _: None)
    return {"raw": bound} | with_parsed.with_fallbacks(
        [on_error],
        exceptions_to_handle=(OutputParserException, ValidationError),
        exception_key="parsing_error",
    )
