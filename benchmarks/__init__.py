"""Benchmarks: `ChatHuggingFaceRouter` against ChatOpenAI, ChatHuggingFace and floors.

Run `python -m benchmarks` from the repository root (`--quick` for small sizes,
`--help` for the rest). Needs the `bench` extra (`pip install -e ".[bench]"`).
"""
