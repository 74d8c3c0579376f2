"""A scripted Hugging Face router on 127.0.0.1 for loopback tests.

The replies come from the emulator's own templates, shaped like recorded
router traffic; it never imports the package under test.
"""

from .recorded import RecordedRequest
from .script import (
    ErrorReply,
    InBandFailure,
    McpApprovalRequest,
    McpCall,
    McpListTools,
    RawReply,
    Reply,
    ScriptItem,
    ToolCall,
)
from .server import DEFAULT_REPLY, RouterEmulator

__all__ = [
    "DEFAULT_REPLY",
    "ErrorReply",
    "InBandFailure",
    "McpApprovalRequest",
    "McpCall",
    "McpListTools",
    "RawReply",
    "RecordedRequest",
    "Reply",
    "RouterEmulator",
    "ScriptItem",
    "ToolCall",
]
