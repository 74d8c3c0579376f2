"""The HTTP/1.1 server: real sockets, keep-alive, chunked SSE, scripted replies."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

from .catalog import default_catalog
from .plan import ResponsePlan, openai_error
from .recorded import RecordedRequest
from .routes import route
from .script import Reply, ScriptItem

if TYPE_CHECKING:
    from types import TracebackType

DEFAULT_REPLY = Reply(text="Hello from the emulator.")
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})


class RouterEmulator:
    """A scripted stand-in for the Hugging Face router on 127.0.0.1.

    Start it, point a client at :attr:`base_url`, :meth:`enqueue` replies (one
    is consumed per API request, FIFO; an empty queue answers with
    :data:`DEFAULT_REPLY`) and inspect :attr:`requests` afterwards.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._lock = threading.Lock()
        self._queue: deque[ScriptItem] = deque()
        self.catalog: list[dict[str, Any]] = default_catalog()
        """What ``GET /v1/models`` lists (reset to the default by :meth:`reset`)."""
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._active: set[socket.socket] = set()
        self._accepted = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> RouterEmulator:
        """Bind a free port and serve in a background thread."""
        if self._server is not None:
            msg = "emulator already started"
            raise RuntimeError(msg)
        self._stopping.clear()
        self._server = _Server(self, self._host)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="router-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket and every connection."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            connections = list(self._active)
        for conn in connections:
            # Wakes handler threads blocked on an idle keep-alive connection.
            _quiet_shutdown(conn, socket.SHUT_RDWR)
        server.server_close()  # joins the handler threads
        if thread is not None:
            thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> RouterEmulator:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            msg = "emulator not started"
            raise RuntimeError(msg)
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``, the router's base URL equivalent."""
        return f"{self.origin}/v1"

    # -- script and records --------------------------------------------------

    def enqueue(self, *items: ScriptItem) -> None:
        """Append replies; each API request consumes the oldest one."""
        with self._lock:
            self._queue.extend(items)

    @property
    def pending(self) -> int:
        """How many enqueued replies have not been used yet."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received since the last reset, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The newest request; AssertionError when none arrived."""
        with self._lock:
            if not self._requests:
                msg = "the emulator has received no request"
                raise AssertionError(msg)
            return self._requests[-1]

    @property
    def server_errors(self) -> list[BaseException]:
        """Exceptions raised inside the emulator while serving (its own bugs)."""
        with self._lock:
            return list(self._errors)

    def reset(self) -> None:
        """Forget queued replies, recorded requests, errors and the accept count."""
        with self._lock:
            self._queue.clear()
            self.catalog = default_catalog()
            self._requests.clear()
            self._errors.clear()
            self._accepted = 0

    # -- connections ---------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Client connections accepted and not yet closed."""
        with self._lock:
            return len(self._active)

    @property
    def connections_accepted(self) -> int:
        """Connections accepted since start (or the last reset)."""
        with self._lock:
            return self._accepted

    def wait_open_connections(self, expected: int, timeout: float = 2.0) -> bool:
        """Poll until :attr:`open_connections` equals ``expected``; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.open_connections != expected:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True

    # -- called by the server ------------------------------------------------

    def _next_item(self) -> ScriptItem:
        with self._lock:
            return self._queue.popleft() if self._queue else DEFAULT_REPLY

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _record_error(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._active.add(conn)
            self._accepted += 1

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._active.discard(conn)

    def _pause(self, seconds: float) -> bool:
        """Sleep; False if the emulator is stopping meanwhile."""
        return seconds <= 0 or not self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    """Counts connections and keeps the emulator reachable from handlers."""

    daemon_threads = True
    block_on_close = True
    request_queue_size = 256  # a burst of 100+ connects must not overflow the backlog

    def __init__(self, emulator: RouterEmulator, host: str) -> None:
        self.emulator = emulator
        super().__init__((host, 0), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        # Small SSE writes must leave at once, not wait for Nagle.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.emulator._opened(conn)
        return conn, address

    def close_request(self, request: Any) -> None:
        self.emulator._closed(cast("socket.socket", request))
        super().close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.emulator._record_error(error)


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the router for a plan, writes it."""

    protocol_version = "HTTP/1.1"
    server_version = "router-emulator/0.1"

    @property
    def _emulator(self) -> RouterEmulator:
        return cast("_Server", self.server).emulator

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: pytest output is for test failures."""

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _serve(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition("?")
        request = RecordedRequest(
            method=self.command,
            path=path,
            headers=_collect_headers(self.headers.items()),
            body=body,
            json=_parse_json(body),
            query=query,
        )
        emulator = self._emulator
        emulator._record(request)
        try:
            plan = route(request, emulator._next_item, emulator.catalog)
        except Exception as exc:  # an emulator bug: make it visible to the test
            emulator._record_error(exc)
            plan = openai_error(500, f"router emulator failed: {exc!r}", "emulator")
        try:
            self._send(plan)
        except OSError:  # the client went away, or stop() closed the socket
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, plan: ResponsePlan) -> None:
        emulator = self._emulator
        if not emulator._pause(plan.delay_before):
            self._abort()
            return
        self.send_response(plan.status)
        for name, value in plan.headers.items():
            if name not in _HOP_BY_HOP:
                self.send_header(name, value)
        if plan.events is None:
            self.send_header("Content-Length", str(len(plan.body)))
            self.end_headers()
            self.wfile.write(plan.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._send_events(plan)

    def _send_events(self, plan: ResponsePlan) -> None:
        events = plan.events or []
        limit = len(events) if plan.drop_after is None else plan.drop_after
        for n, event in enumerate(events[:limit]):
            if n and not self._emulator._pause(plan.delay_between):
                self._abort()
                return
            if event:  # an empty chunk would end the body
                self.wfile.write(b"%X\r\n%s\r\n" % (len(event), event))
        if plan.drop_after is not None:
            self._abort()
            return
        self.wfile.write(b"0\r\n\r\n")

    def _abort(self) -> None:
        """End the connection mid-body: FIN without the terminating chunk."""
        self.close_connection = True
        _quiet_shutdown(self.connection, socket.SHUT_WR)


def _collect_headers(items: list[tuple[str, str]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _quiet_shutdown(conn: socket.socket, how: int) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(how)
