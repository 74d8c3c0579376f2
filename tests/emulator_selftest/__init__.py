"""Self-tests of the router emulator, written against plain httpx."""
