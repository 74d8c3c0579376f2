"""Unit tests for the framework-neutral provider core (`langchain_hf_router.core`)."""
