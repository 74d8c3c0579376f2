"""How `hf-router` words what it tells: the cases no emulator run can reach.

The command's runs, with every error a server can cause, are in
`tests/integration_tests/emulator/test_cli.py`.
"""

from __future__ import annotations

import httpx
import pytest

from langchain_hf_router.cli import _Target
from langchain_hf_router.core.errors import APITimeoutError


@pytest.mark.parametrize(
    ("base_url", "address"),
    [
        ("https://router.huggingface.co/v1", "router.huggingface.co:443"),
        ("http://127.0.0.1:8080/v1", "127.0.0.1:8080"),
        ("http://localhost/v1", "localhost:80"),
        ("https://user:secret@proxy.example:8443/v1", "proxy.example:8443"),
        ("https://user:secret@proxy.example/v1", "proxy.example:443"),
        ("http://[::1]:8080/v1", "[::1]:8080"),
        ("http://host:port/v1", "host:port"),  # the request will say what is wrong
    ],
)
def test_address_is_host_and_port_without_credentials(
    base_url: str, address: str
) -> None:
    assert _Target(base_url, 120.0, 2).address == address


def test_connect_timeout_reads_as_cannot_connect() -> None:
    """Connecting has the package's own timeout: `--timeout` is not what ran out."""
    error = APITimeoutError("could not connect within the connect timeout")
    error.__cause__ = httpx.ConnectTimeout("timed out")
    line = _Target("http://10.255.255.1/v1", 1.0, 0).explain(error, started=False)
    assert line == (
        "cannot connect to 10.255.255.1:80 (timed out); check the address "
        "(--base-url or HUGGINGFACE_BASE_URL) and that the server is up"
    )
