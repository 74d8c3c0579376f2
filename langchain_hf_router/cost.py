"""The estimated price of a call, from its usage and the catalog's prices."""

from __future__ import annotations

from langchain_core.messages import BaseMessage

from langchain_hf_router.core.catalog import ProviderOffer


def add_estimated_cost(message: BaseMessage, offer: ProviderOffer | None) -> None:
    """Put `estimated_cost_usd` and the `pricing` used into `response_metadata`.

    Nothing is added without usage or without both prices.
    """
    usage = getattr(message, "usage_metadata", None)
    if offer is None or not usage:
        return
    cost = offer.cost(usage["input_tokens"], usage["output_tokens"])
    if cost is None:
        return
    message.response_metadata["estimated_cost_usd"] = cost
    message.response_metadata["pricing"] = {
        "provider": offer.provider,
        "input_usd_per_million_tokens": offer.input_price,
        "output_usd_per_million_tokens": offer.output_price,
    }
