"""The framework-neutral provider core: settings, HTTP, one model per router API.

Nothing here imports LangChain message classes; `langchain_hf_router.chat_models`
adapts this core to LangChain.
"""
