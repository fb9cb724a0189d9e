"""Provider adapters. `rules(name)` gives the core what it needs to know of a channel."""
from __future__ import annotations

from datetime import timedelta

from channels.base import ChannelRules
from channels.email.headers import masked_address
from channels.whatsapp.inbound import masked_number, number_region

RULES = {
    "whatsapp": ChannelRules(
        "whatsapp", address_field="whatsapp", reply_window=timedelta(hours=24),
        region_of=number_region, mask_of=masked_number,
    ),
    "email": ChannelRules(
        "email", address_field="email", threads=True, consent_in_first_reply=True, fixed_message_id=True,
        case_insensitive_address=True, mask_of=masked_address,
    ),
    "simulator": ChannelRules("simulator", address_field="simulator_id"),
}


def rules(channel: str) -> ChannelRules:
    """Raises KeyError for a channel we do not have."""
    return RULES[channel]
