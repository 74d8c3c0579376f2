"""Hugging Face Inference Providers (the HF router) as LangChain chat models."""

from langchain_hf_router.chat_models import ChatHuggingFaceRouter
from langchain_hf_router.core.catalog import CatalogModel, ProviderOffer
from langchain_hf_router.core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BrokenStreamError,
    CapabilityWarning,
    ConflictError,
    ContextLengthError,
    HuggingFaceRouterError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    UnknownProviderWarning,
    UnsupportedSettingWarning,
)
from langchain_hf_router.messages import image_block
from langchain_hf_router.provider import (
    HuggingFaceProvider,
    create_huggingface,
    huggingface,
)

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BrokenStreamError",
    "CapabilityWarning",
    "CatalogModel",
    "ChatHuggingFaceRouter",
    "ConflictError",
    "ContextLengthError",
    "HuggingFaceProvider",
    "HuggingFaceRouterError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderOffer",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "UnknownProviderWarning",
    "UnsupportedSettingWarning",
    "create_huggingface",
    "huggingface",
    "image_block",
]
