"""What a tool definition must hold before it is sent (either API)."""

from __future__ import annotations

from typing import Any

from langchain_hf_router.core.errors import InvalidInputError


def check_tool(tool: object) -> dict[str, Any]:
    """`tool` if it is a sendable definition (Chat shape, or a typed tool like MCP).

    Raises:
        InvalidInputError: Not a dict, no type, a function without a name or
            with parameters that are not a JSON-schema object, or an MCP tool
            without `server_label` or `server_url`.
    """
    if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
        msg = f"Tool {tool!r:.80} is not a tool definition dict with a 'type'"
        raise InvalidInputError(msg)
    if tool["type"] == "mcp":
        return _check_mcp(tool)
    if tool["type"] != "function":
        return tool
    function = tool.get("function")
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name:
        msg = (
            f"Function tool {tool!r:.80} has no function name; expected "
            "{'type': 'function', 'function': {'name': ..., 'parameters': ...}}"
        )
        raise InvalidInputError(msg)
    parameters = function.get("parameters") if isinstance(function, dict) else None
    if parameters is not None and not isinstance(parameters, dict):
        msg = (
            f"Tool {name!r}: parameters must be a JSON-schema object (a dict), got "
            f"{type(parameters).__name__}"
        )
        raise InvalidInputError(msg)
    return tool


def _check_mcp(tool: dict[str, Any]) -> dict[str, Any]:
    """An MCP server tool names its server: `server_label` and `server_url`."""
    for key in ("server_label", "server_url"):
        if not isinstance(tool.get(key), str) or not tool[key]:
            msg = (
                f"MCP tool {tool!r:.120} needs {key!r} (a non-empty string); expected "
                "{'type': 'mcp', 'server_label': ..., 'server_url': ...}"
            )
            raise InvalidInputError(msg)
    return tool
