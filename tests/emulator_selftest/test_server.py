"""The emulator as an HTTP server: scripting, recording, errors, faults, sockets."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest
from router_emulator import (
    DEFAULT_REPLY,
    ErrorReply,
    RawReply,
    RecordedRequest,
    Reply,
    RouterEmulator,
)

from emulator_selftest.helpers import (
    HANG_GUARD_SECONDS,
    MODES,
    in_thread,
    joined,
    load_bytes,
    payloads,
    post,
    read_sse,
)

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def chat_text(response: httpx.Response) -> str:
    return str(response.json()["choices"][0]["message"]["content"])


def test_public_names() -> None:
    import router_emulator

    assert sorted(router_emulator.__all__) == [
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


def test_base_url_is_loopback_with_an_os_port(emulator: RouterEmulator) -> None:
    assert emulator.base_url == f"http://127.0.0.1:{emulator.port}/v1"
    assert emulator.port > 0


def test_default_reply_when_the_queue_is_empty(emulator: RouterEmulator) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        response = client.post("/chat/completions", json=CHAT)
    assert response.status_code == 200
    assert chat_text(response) == DEFAULT_REPLY.text == "Hello from the emulator."


def test_replies_are_consumed_in_order(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="one"), Reply(text="two"))
    emulator.enqueue(Reply(text="three"))
    assert emulator.pending == 3
    with httpx.Client(base_url=emulator.base_url) as client:
        texts = [chat_text(client.post("/chat/completions", json=CHAT)) for _ in "1234"]
    assert texts == ["one", "two", "three", DEFAULT_REPLY.text]
    assert emulator.pending == 0


def test_requests_are_recorded_with_headers_and_json(
    emulator: RouterEmulator,
) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        client.post(
            "/chat/completions?x=1",
            json=CHAT,
            headers={"Authorization": "Bearer hf_test", "X-HF-Bill-To": "my-org"},
        )
        client.post("/responses", json={"model": "m", "input": "hi"})
    first, second = emulator.requests
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path, first.query) == (
        "POST",
        "/v1/chat/completions",
        "x=1",
    )
    assert first.headers["authorization"] == "Bearer hf_test"
    assert first.headers["x-hf-bill-to"] == "my-org"
    assert first.headers["content-type"] == "application/json"
    assert first.json == CHAT
    assert json.loads(first.body) == CHAT
    assert first.api == "chat_completions"
    assert second.api == "responses"
    assert emulator.last_request == second


def test_last_request_without_requests_is_an_assertion_error(
    emulator: RouterEmulator,
) -> None:
    with pytest.raises(AssertionError, match="no request"):
        _ = emulator.last_request


def test_reset_clears_queue_and_records(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="left over"))
    with httpx.Client(base_url=emulator.base_url) as client:
        client.post("/responses", json={"model": "m", "input": "hi"})
    emulator.enqueue(Reply(text="left over"))
    emulator.reset()
    assert emulator.requests == []
    assert emulator.pending == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/completions"),
        ("POST", "/v1/models"),
        ("GET", "/v1/models/nobody/none"),
        ("GET", "/v1/chat/completions"),
    ],
)
def test_unknown_routes_are_404_and_keep_the_script(
    emulator: RouterEmulator, method: str, path: str
) -> None:
    emulator.enqueue(Reply(text="kept"))
    with httpx.Client(base_url=emulator.origin) as client:
        response = client.request(method, path, json=CHAT)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
    assert emulator.pending == 1
    assert emulator.last_request.method == method


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_400(
    emulator: RouterEmulator, body: bytes
) -> None:
    emulator.enqueue(Reply(text="kept"))
    with httpx.Client(base_url=emulator.base_url) as client:
        response = client.post(
            "/chat/completions",
            content=body,
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 400
    assert "error" in response.json()
    assert emulator.pending == 1
    assert emulator.last_request.body == body


def test_a_chunked_request_body_is_read(emulator: RouterEmulator) -> None:
    def parts():
        yield b'{"model": "m", '
        yield b'"messages": []}'

    with httpx.Client(base_url=emulator.base_url) as client:
        response = client.post("/chat/completions", content=parts())
    assert response.status_code == 200
    assert emulator.last_request.headers["transfer-encoding"] == "chunked"
    assert emulator.last_request.json == {"model": "m", "messages": []}


# -- error replies -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_error_reply_with_json_body_and_headers(
    emulator: RouterEmulator, mode: str
) -> None:
    body = {"error": {"message": "rate", "type": None, "code": None, "param": None}}
    emulator.enqueue(ErrorReply(429, body, {"retry-after": "1", "x-request-id": "r1"}))
    result = await post(mode, emulator.base_url, "/chat/completions", CHAT)
    assert result.status == 429
    assert result.json() == body
    assert result.headers["retry-after"] == "1"
    assert result.headers["x-request-id"] == "r1"
    assert result.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("body", "expected", "content_type"),
    [
        (
            {"error": "Invalid username or password."},
            b'{"error": "Invalid username or password."}',
            "application/json",
        ),
        ([{"detail": "x"}], b'[{"detail": "x"}]', "application/json"),
        ("upstream timed out", b"upstream timed out", "text/plain; charset=utf-8"),
        (None, b"", None),
    ],
)
def test_error_reply_body_kinds(
    emulator: RouterEmulator,
    body: object,
    expected: bytes,
    content_type: str | None,
) -> None:
    emulator.enqueue(ErrorReply(503, body))  # type: ignore[arg-type]
    with httpx.Client(base_url=emulator.base_url) as client:
        response = client.post("/responses", json={"model": "m", "input": "x"})
    assert response.status_code == 503
    assert response.content == expected
    assert response.headers.get("content-type") == content_type


def test_an_unrenderable_script_item_is_a_500_and_recorded(
    emulator: RouterEmulator,
) -> None:
    emulator.enqueue("not a reply")  # type: ignore[arg-type]
    with httpx.Client(base_url=emulator.base_url) as client:
        response = client.post("/chat/completions", json=CHAT)
    assert response.status_code == 500
    assert "router emulator failed" in response.json()["error"]["message"]
    assert [type(e) for e in emulator.server_errors] == [TypeError]


# -- raw replay ----------------------------------------------------------------

RECORDINGS = [
    "responses_js_over_llamacpp/qwen2.5-coder-1.5b/04_tools_parallel_stream.response.sse.txt",
    "llamacpp_local/qwen2.5-coder-1.5b/03_chat_stream_usage.response.sse.txt",
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("recording", RECORDINGS)
async def test_raw_replay_of_a_recording_is_byte_exact(
    emulator: RouterEmulator, mode: str, recording: str
) -> None:
    raw = load_bytes(recording)
    emulator.enqueue(RawReply.sse(raw.decode()))
    result = await post(mode, emulator.base_url, "/responses", {"model": "m"})
    assert result.status == 200
    assert result.headers["content-type"] == "text/event-stream"
    assert result.body == raw
    assert len(read_sse(result.body)) == raw.count(b"data:")


def test_raw_reply_body_and_status(emulator: RouterEmulator) -> None:
    emulator.enqueue(
        RawReply(
            status=422, headers={"content-type": "text/html"}, body=b"<h1>no</h1>"
        ),
        RawReply.json({"object": "error", "message": "bad"}, status=400),
    )
    with httpx.Client(base_url=emulator.base_url) as client:
        first = client.post("/chat/completions", json=CHAT)
        second = client.post("/chat/completions", json=CHAT)
    assert (first.status_code, first.headers["content-type"], first.content) == (
        422,
        "text/html",
        b"<h1>no</h1>",
    )
    assert (second.status_code, second.json()) == (
        400,
        {"object": "error", "message": "bad"},
    )


def _read_raw_response(port: int, request: bytes) -> tuple[bytes, list[bytes]]:
    """Send one request on a bare socket; return the head and the body's chunks."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while not data.endswith(b"\r\n0\r\n\r\n") and data != b"0\r\n\r\n":
            more = sock.recv(65536)
            if not more:
                break
            data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    chunks: list[bytes] = []
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    return head, chunks


def test_each_event_is_one_chunk_on_the_wire(emulator: RouterEmulator) -> None:
    events = ["data: one\n\n", ": comment\n\n", "data: two\n\n", "", "data: [DONE]\n\n"]
    emulator.enqueue(RawReply(events=events))
    body = json.dumps(CHAT).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    ) % (len(body), body)
    head, chunks = _read_raw_response(emulator.port, request)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"transfer-encoding: chunked" in head.lower()
    # Empty strings are skipped: a zero-length chunk would end the body.
    assert chunks == [e.encode() for e in events if e]


def test_templated_streams_are_chunked_per_event(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="a b c"))
    body = json.dumps({**CHAT, "stream": True}).encode()
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n%s"
    ) % (len(body), body)
    _, chunks = _read_raw_response(emulator.port, request)
    assert all(
        chunk.endswith(b"\n\n") and chunk.count(b"data:") == 1 for chunk in chunks
    )
    assert len(chunks) == 1 + 3 + 1 + 1  # role, three words, finish, [DONE]


# -- faults: drops and delays --------------------------------------------------


def _read_stream_into(
    received: bytearray, base_url: str, path: str, body: dict[str, object]
) -> None:
    with (
        httpx.Client(base_url=base_url) as client,
        client.stream("POST", path, json=body) as response,
    ):
        for chunk in response.iter_bytes():
            received += chunk


async def _aread_stream_into(
    received: bytearray, base_url: str, path: str, body: dict[str, object]
) -> None:
    async with (
        httpx.AsyncClient(base_url=base_url) as client,
        client.stream("POST", path, json=body) as response,
    ):
        async for chunk in response.aiter_bytes():
            received += chunk


@pytest.mark.parametrize("path", ["/chat/completions", "/responses"])
def test_drop_after_truncates_a_sync_stream(
    emulator: RouterEmulator, path: str
) -> None:
    emulator.enqueue(Reply(text="one two three four", drop_after=3))
    received = bytearray()
    body = {**CHAT, "input": "x", "stream": True}
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        _read_stream_into(received, emulator.base_url, path, body)
    assert len(read_sse(bytes(received))) == 3
    assert b"[DONE]" not in received
    assert b"response.completed" not in received


@pytest.mark.parametrize("path", ["/chat/completions", "/responses"])
async def test_drop_after_truncates_an_async_stream(
    emulator: RouterEmulator, path: str
) -> None:
    emulator.enqueue(Reply(text="one two three four", drop_after=2))
    received = bytearray()
    body = {**CHAT, "input": "x", "stream": True}
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        await _aread_stream_into(received, emulator.base_url, path, body)
    assert len(read_sse(bytes(received))) == 2


def test_drop_after_zero_sends_headers_only(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="x", drop_after=0))
    with (
        httpx.Client(base_url=emulator.base_url) as client,
        client.stream(
            "POST", "/responses", json={"model": "m", "input": "x", "stream": True}
        ) as response,
    ):
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()


def test_the_connection_after_a_drop_is_not_reused(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="a b", drop_after=1), Reply(text="fine"))
    with httpx.Client(base_url=emulator.base_url) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/chat/completions", json={**CHAT, "stream": True})
        assert chat_text(client.post("/chat/completions", json=CHAT)) == "fine"
    assert emulator.connections_accepted == 2


@pytest.mark.parametrize("mode", MODES)
async def test_delay_before_holds_the_headers(
    emulator: RouterEmulator, mode: str
) -> None:
    emulator.enqueue(Reply(text="late", delay_before=0.3))
    started = time.monotonic()
    result = await post(mode, emulator.base_url, "/chat/completions", CHAT)
    assert time.monotonic() - started >= 0.3
    assert result.json()["choices"][0]["message"]["content"] == "late"


def test_delay_between_spaces_the_events_out(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="a b c", delay_between=0.15))
    started = time.monotonic()
    with (
        httpx.Client(base_url=emulator.base_url) as client,
        client.stream(
            "POST", "/chat/completions", json={**CHAT, "stream": True}
        ) as response,
    ):
        arrivals = [
            time.monotonic() - started
            for line in response.iter_lines()
            if line.startswith("data:")
        ]
    assert len(arrivals) == 6
    # A lower bound only: load can delay the reads, never hasten them. That
    # each event is flushed at once is test_gate's (a stream held mid-way).
    assert arrivals[-1] >= 5 * 0.15


# -- connections ---------------------------------------------------------------


def test_keep_alive_reuses_one_connection(emulator: RouterEmulator) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        for _ in range(3):
            client.post("/chat/completions", json=CHAT)
            client.post("/chat/completions", json={**CHAT, "stream": True})
        assert emulator.connections_accepted == 1
        assert emulator.open_connections == 1
    assert emulator.wait_open_connections(0)
    assert len(emulator.requests) == 6


async def test_concurrent_requests_are_all_answered(emulator: RouterEmulator) -> None:
    emulator.enqueue(*[Reply(text=f"r{n}", hold_after=0) for n in range(8)])
    async with httpx.AsyncClient(
        base_url=emulator.base_url, timeout=HANG_GUARD_SECONDS
    ) as client:
        calls = asyncio.gather(
            *[client.post("/chat/completions", json=CHAT) for _ in range(8)]
        )
        # Served in parallel: all eight are in the server at once, then answered.
        await asyncio.to_thread(emulator.wait_held, 8)
        emulator.release()
        responses = await calls
    assert sorted(chat_text(r) for r in responses) == [f"r{n}" for n in range(8)]
    assert emulator.connections_accepted == 8


def test_waits_for_counts_of_requests_and_connections(
    emulator: RouterEmulator,
) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        client.post("/chat/completions", json=CHAT)
        client.post("/responses", json={"model": "m", "input": "x"})
        emulator.wait_requests(2)
        assert emulator.wait_open_connections(1)
        assert emulator.wait_open_connections(3, at_most=True)
        assert not emulator.wait_open_connections(0, timeout=0.01)  # still open
    with pytest.raises(AssertionError, match="2 of 3 requests arrived"):
        emulator.wait_requests(3, timeout=0.01)


def test_stop_closes_idle_keep_alive_connections() -> None:
    emulator = RouterEmulator().start()
    client = httpx.Client(base_url=emulator.base_url)
    try:
        client.post("/chat/completions", json=CHAT)
        assert emulator.wait_open_connections(1)
        joined(*in_thread(emulator.stop))  # never blocked by the idle connection
        # the handler thread notes the close just after stop() returns
        assert emulator.wait_open_connections(0)
    finally:
        client.close()
        emulator.stop()


def test_stop_interrupts_a_slow_reply() -> None:
    emulator = RouterEmulator().start()
    # An hour: only an interrupted delay ends within the hang guard.
    emulator.enqueue(Reply(text="never", delay_before=3600))
    call = in_thread(
        lambda: httpx.post(
            f"{emulator.base_url}/chat/completions",
            json=CHAT,
            timeout=HANG_GUARD_SECONDS,
        )
    )
    try:
        emulator.wait_requests(1)
        joined(*in_thread(emulator.stop))
    finally:
        emulator.stop()
    assert isinstance(joined(*call), httpx.RemoteProtocolError)


def test_context_manager_and_restart() -> None:
    with RouterEmulator() as emulator:
        emulator.enqueue(Reply(text="first life"))
        with httpx.Client(base_url=emulator.base_url) as client:
            assert (
                chat_text(client.post("/chat/completions", json=CHAT)) == "first life"
            )
    with pytest.raises(RuntimeError, match="not started"):
        _ = emulator.base_url
    emulator.start()
    try:
        with httpx.Client(base_url=emulator.base_url) as client:
            assert client.post("/chat/completions", json=CHAT).status_code == 200
    finally:
        emulator.stop()


def test_sse_reader_used_by_these_tests() -> None:
    raw = b': hi\r\n\r\nevent: message\r\ndata:{"a":1}\r\n\r\ndata: [DONE]\n\n'
    assert payloads(raw) == [{"a": 1}, "[DONE]"]
    assert [e.event for e in read_sse(raw)] == ["message", None]


def test_the_catalog_is_served_and_resettable(emulator: RouterEmulator) -> None:
    emulator.enqueue(Reply(text="kept"))
    with httpx.Client(base_url=emulator.origin) as client:
        listed = client.get("/v1/models").json()
        assert listed["object"] == "list"
        ids = [entry["id"] for entry in listed["data"]]
        assert "meta-llama/Llama-3.3-70B-Instruct" in ids
        one = client.get("/v1/models/Qwen/Qwen3-32B").json()
        assert one["id"] == "Qwen/Qwen3-32B"
        assert {p["provider"] for p in one["providers"]} == {"groq", "nebius"}
        emulator.catalog = [{"id": "only/one", "providers": []}]
        assert client.get("/v1/models").json()["data"] == [
            {"id": "only/one", "providers": []}
        ]
    assert emulator.pending == 1  # catalog requests consume no reply
    emulator.reset()
    assert len(emulator.catalog) > 1
