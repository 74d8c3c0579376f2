"""The HTTP/1.1 server: real sockets, keep-alive, chunked SSE, scripted replies."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import sys
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

from .catalog import default_catalog
from .plan import ResponsePlan, openai_error
from .recorded import RecordedRequest
from .routes import route
from .script import Reply, ScriptItem

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

DEFAULT_REPLY = Reply(text="Hello from the emulator.")
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})
# How often a held reply checks whether its client went away.
_HOLD_POLL_SECONDS = 0.05


class RouterEmulator:
    """A scripted stand-in for the Hugging Face router on 127.0.0.1.

    Start it, point a client at :attr:`base_url`, :meth:`enqueue` replies (one
    is consumed per API request, FIFO; an empty queue answers with
    :data:`DEFAULT_REPLY`) and inspect :attr:`requests` afterwards.

    A reply scripted with ``hold_after`` stops at that point until
    :meth:`release`; :meth:`wait_held` waits until replies got there.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[ScriptItem] = deque()
        self.catalog: list[dict[str, Any]] = default_catalog()
        """What ``GET /v1/models`` lists (reset to the default by :meth:`reset`)."""
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._active: set[socket.socket] = set()
        self._accepted = 0
        self._held = 0
        self._gate_open = False
        self._gate_generation = 0
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
        with self._changed:
            self._changed.notify_all()  # held replies end at once
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

    def wait_requests(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` requests arrived since the last reset.

        ``timeout`` only bounds a failure: AssertionError when it passes first.
        """
        if not self._wait(lambda: len(self._requests) >= count, timeout):
            msg = f"{len(self.requests)} of {count} requests arrived in {timeout} s"
            raise AssertionError(msg)

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
        """Forget the script, records, errors and counts; release held replies.

        The gate closes again: replies that reach a hold point later stop there.
        """
        with self._changed:
            self._queue.clear()
            self.catalog = default_catalog()
            self._requests.clear()
            self._errors.clear()
            self._accepted = 0
            self._held = 0
            self._gate_open = False
            self._gate_generation += 1
            self._changed.notify_all()

    # -- the gate ------------------------------------------------------------

    def release(self) -> None:
        """Open the gate: held replies go on and later ones pass (until reset)."""
        with self._changed:
            self._gate_open = True
            self._changed.notify_all()

    def wait_held(self, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until ``count`` replies reached their hold point since the reset.

        ``timeout`` only bounds a failure: AssertionError when it passes first.
        """
        if not self._wait(lambda: self._held >= count, timeout):
            held = self._held
            msg = f"{held} of {count} replies reached their hold point in {timeout} s"
            raise AssertionError(msg)

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

    def wait_open_connections(
        self, expected: int, timeout: float = 30.0, *, at_most: bool = False
    ) -> bool:
        """Wait until :attr:`open_connections` is ``expected`` (or fewer with
        ``at_most``); False when ``timeout``, a bound on a failure only, passes.
        """
        if at_most:
            return self._wait(lambda: len(self._active) <= expected, timeout)
        return self._wait(lambda: len(self._active) == expected, timeout)

    def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` (called under the lock) holds; False on timeout."""
        with self._changed:
            return self._changed.wait_for(done, timeout)

    # -- called by the server ------------------------------------------------

    def _next_item(self) -> ScriptItem:
        with self._lock:
            return self._queue.popleft() if self._queue else DEFAULT_REPLY

    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def _record_error(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def _opened(self, conn: socket.socket) -> None:
        with self._changed:
            self._active.add(conn)
            self._accepted += 1
            self._changed.notify_all()

    def _closed(self, conn: socket.socket) -> None:
        with self._changed:
            self._active.discard(conn)
            self._changed.notify_all()

    def _hold(self, conn: socket.socket) -> bool:
        """Block a reply at its hold point until released or reset.

        False when the reply must end instead: its client closed ``conn`` or
        the emulator is stopping.
        """
        with self._changed:
            self._held += 1
            self._changed.notify_all()
            generation = self._gate_generation
            while not self._gate_open and generation == self._gate_generation:
                if self._stopping.is_set() or _peer_closed(conn):
                    return False
                self._changed.wait(_HOLD_POLL_SECONDS)
        return True

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
        pieces, hold = _body_writes(plan)
        if not (self._held_if(hold == 0) and emulator._pause(plan.delay_before)):
            self._abort()
            return
        self.send_response(plan.status)
        for name, value in plan.headers.items():
            if name not in _HOP_BY_HOP:
                self.send_header(name, value)
        if plan.events is None:
            self.send_header("Content-Length", str(len(plan.body)))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for n, piece in enumerate(pieces, start=1):
            if n > 1 and not emulator._pause(plan.delay_between):
                self._abort()
                return
            self.wfile.write(piece)
            if not self._held_if(hold == n):
                self._abort()
                return
        if plan.events is None:
            return
        if plan.drop_after is not None:
            self._abort()
            return
        self.wfile.write(b"0\r\n\r\n")

    def _held_if(self, due: bool) -> bool:
        """Hold here when ``due``; False when the reply must end instead."""
        return not due or self._emulator._hold(self.connection)

    def _abort(self) -> None:
        """End the connection mid-body: FIN without the terminating chunk."""
        self.close_connection = True
        _quiet_shutdown(self.connection, socket.SHUT_WR)


def _body_writes(plan: ResponsePlan) -> tuple[list[bytes], int | None]:
    """The writes after the headers, and after how many of them to hold.

    A stream's events as HTTP chunks (up to ``drop_after``; empty ones are
    skipped, as an empty chunk would end the body), held after ``hold_after``
    of them or the last one; otherwise the body, cut in two at ``hold_after``
    bytes and held after the first part.
    """
    hold = plan.hold_after
    if plan.events is None:
        if hold:
            return [plan.body[:hold], plan.body[hold:]], 1
        return [plan.body], hold
    limit = len(plan.events) if plan.drop_after is None else plan.drop_after
    writes = [b"%X\r\n%s\r\n" % (len(e), e) for e in plan.events[:limit] if e]
    return writes, None if hold is None else min(hold, len(writes))


def _peer_closed(conn: socket.socket) -> bool:
    """Whether the client closed (or reset) the connection, without blocking."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and not conn.recv(1, socket.MSG_PEEK)
    except OSError:
        return True


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
