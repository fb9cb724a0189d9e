"""channels/whatsapp/status.py: status callbacks and the forward-only status rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.base import InvalidPayload
from channels.whatsapp.status import STATUS_ORDER, StatusUpdate, parse_status_callback, status_moves_forward
from tests.channels.whatsapp.forms import ACCOUNT_SID


class TestStatus:
    def test_parse_delivered(self):
        update = parse_status_callback({"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID})
        assert update == StatusUpdate(provider_id="SM1", status="delivered", error_code=None)

    def test_parse_failure_with_error_code(self):
        update = parse_status_callback(
            {"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "63016", "ErrorMessage": "Outside window"}
        )
        assert update.status == "failed"
        assert update.error_code == 63016
        assert update.error_message == "Outside window"

    def test_non_numeric_error_code_is_dropped(self):
        assert parse_status_callback({"MessageSid": "SM1", "MessageStatus": "failed", "ErrorCode": "x1"}).error_code is None

    @pytest.mark.parametrize("form", [{"MessageStatus": "sent"}, {"MessageSid": "SM1"}, {"MessageSid": "SM1", "MessageStatus": "<b>"}])
    def test_invalid_callbacks(self, form):
        with pytest.raises(InvalidPayload):
            parse_status_callback(form)

    def test_order_is_the_documented_one(self):
        assert STATUS_ORDER.index("queued") < STATUS_ORDER.index("sending") < STATUS_ORDER.index("sent")
        assert STATUS_ORDER.index("sent") < STATUS_ORDER.index("delivered") < STATUS_ORDER.index("read")

    @pytest.mark.parametrize(
        "old, new, expected",
        [
            (None, "queued", True),
            ("queued", "sent", True),
            ("sent", "delivered", True),
            ("delivered", "read", True),
            ("queued", "read", True),  # a skipped step is still forward
            ("delivered", "sent", False),  # late callback never moves backwards
            ("read", "delivered", False),
            ("sent", "sent", False),
            ("queued", "failed", True),
            ("sent", "undelivered", True),
            ("delivered", "failed", False),  # proof of delivery beats a late failure
            ("read", "undelivered", False),
            ("failed", "delivered", False),  # failures are terminal
            ("undelivered", "failed", False),
            ("sent", "mystery", False),
            ("legacy-value", "sent", True),
        ],
    )
    def test_status_moves_forward(self, old, new, expected):
        assert status_moves_forward(old, new) is expected

    @given(st.lists(st.sampled_from(list(STATUS_ORDER) + ["failed", "undelivered"]), max_size=12))
    def test_applying_callbacks_in_any_order_never_goes_backwards(self, statuses):
        rank = {s: i for i, s in enumerate(STATUS_ORDER)}
        current = None
        for status in statuses:
            if status_moves_forward(current, status):
                if current in rank and status in rank:
                    assert rank[status] > rank[current]
                current = status
        if current in ("failed", "undelivered"):
            # a failure can only have been applied before any proof of delivery
            first_failure = next(i for i, s in enumerate(statuses) if s in ("failed", "undelivered"))
            assert all(s not in ("delivered", "read") for s in statuses[:first_failure])
