"""channels/whatsapp.py: signature, inbound parsing, status callbacks,
splitting, and sending through a recording Twilio HTTP client."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.channels.channel_fakes import RecordingTwilioHttpClient, message_created, twilio_error
from channels.base import (
    InboundMessage,
    InvalidPayload,
    OutboundMessage,
    PermanentSendError,
    Sender,
    TransientSendError,
    utf16_len,
)
from channels.whatsapp import (
    MAX_BODY_CHARS,
    STATUS_ORDER,
    StatusUpdate,
    WhatsAppSender,
    parse_status_callback,
    parse_webhook,
    public_url,
    split_text,
    status_moves_forward,
    verify_signature,
)

AUTH_TOKEN = "12345678901234567890123456789012"
ACCOUNT_SID = "AC" + "a" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'b' * 32}/Media/ME{'c' * 32}"


def twilio_signature(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """Twilio's algorithm, written out independently: HMAC-SHA1 over the URL
    followed by every POST parameter name and value, sorted by name."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def inbound(**fields: str) -> dict[str, str]:
    form = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": ACCOUNT_SID,
        "From": "whatsapp:+254711000101",
        "To": "whatsapp:+14155238886",
        "Body": "Hello",
        "NumMedia": "0",
        "ProfileName": "Wanjiru K",
        "WaId": "254711000101",
        "ApiVersion": "2010-04-01",
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


# --------------------------------------------------------------------------- signature


class TestSignature:
    URL = "https://intake.example.org/webhooks/twilio"

    def test_valid_signature_is_accepted(self):
        form = inbound()
        assert verify_signature(self.URL, form, twilio_signature(self.URL, form), AUTH_TOKEN) is True

    def test_tampered_body_is_rejected(self):
        form = inbound()
        signature = twilio_signature(self.URL, form)
        form["Body"] = "Hello, changed in transit"
        assert verify_signature(self.URL, form, signature, AUTH_TOKEN) is False

    def test_wrong_token_is_rejected(self):
        form = inbound()
        signature = twilio_signature(self.URL, form, token="another-token")
        assert verify_signature(self.URL, form, signature, AUTH_TOKEN) is False

    @pytest.mark.parametrize("signature", [None, ""])
    def test_missing_signature_is_rejected(self, signature):
        assert verify_signature(self.URL, inbound(), signature, AUTH_TOKEN) is False

    def test_empty_auth_token_never_validates(self):
        form = inbound()
        assert verify_signature(self.URL, form, twilio_signature(self.URL, form, token=""), "") is False

    def test_flask_multidict_form_is_accepted(self):
        form = inbound(Body="Habari 👋")
        signature = twilio_signature(self.URL, form)
        assert verify_signature(self.URL, MultiDict(list(form.items())), signature, AUTH_TOKEN) is True

    def test_behind_a_proxy_the_configured_public_url_validates(self):
        # Twilio signed the public URL; the app behind the proxy sees a local one.
        signed = "https://intake.example.org/intake/webhooks/twilio?channel=wa"
        form = inbound()
        signature = twilio_signature(signed, form)
        local = "http://127.0.0.1:8000/webhooks/twilio?channel=wa"
        assert verify_signature(local, form, signature, AUTH_TOKEN) is False
        rebuilt = public_url("https://intake.example.org/intake/", "/webhooks/twilio", b"channel=wa")
        assert rebuilt == signed
        assert verify_signature(rebuilt, form, signature, AUTH_TOKEN) is True

    @pytest.mark.parametrize(
        "base, path, query, expected",
        [
            ("https://x.org", "/hook", "", "https://x.org/hook"),
            ("https://x.org/", "hook", "", "https://x.org/hook"),
            ("https://x.org/app/", "/hook", "?a=1&b=2", "https://x.org/app/hook?a=1&b=2"),
            ("https://x.org", "/hook", b"a=%20x", "https://x.org/hook?a=%20x"),
        ],
    )
    def test_public_url_joins_without_double_or_missing_slashes(self, base, path, query, expected):
        assert public_url(base, path, query) == expected


# --------------------------------------------------------------------------- inbound parsing


class TestParseWebhook:
    def test_text_message(self):
        msg = parse_webhook(inbound(Body="My mum has breast cancer stage 2"))
        assert isinstance(msg, InboundMessage)
        assert msg.channel == "whatsapp"
        assert msg.sender == "+254711000101"
        assert msg.recipient == "+14155238886"
        assert msg.text == "My mum has breast cancer stage 2"
        assert msg.provider_id == "SM" + "1" * 32
        assert msg.profile_name == "Wanjiru K"
        assert msg.attachments == ()
        assert msg.auto_submitted is False
        assert msg.extra["WaId"] == "254711000101"

    def test_unknown_fields_are_ignored(self):
        msg = parse_webhook(inbound(SomethingNew="x", SmsMessageSid="SMx"))
        assert "SomethingNew" not in msg.extra and "SmsMessageSid" not in msg.extra

    def test_media_only_message_has_empty_text(self):
        form = inbound(NumMedia="1", MediaUrl0=MEDIA_URL, MediaContentType0="application/pdf")
        del form["Body"]
        msg = parse_webhook(form)
        assert msg.text == ""
        assert len(msg.attachments) == 1
        attachment = msg.attachments[0]
        assert attachment.url == MEDIA_URL
        assert attachment.content_type == "application/pdf"
        assert attachment.filename == "ME" + "c" * 32 + ".pdf"
        assert attachment.size is None and attachment.data is None

    @pytest.mark.parametrize(
        "content_type, extension",
        [("image/jpeg", ".jpg"), ("audio/ogg", ".ogg"), ("video/mp4", ".mp4"), ("image/png", ".png"), ("application/octet-stream", "")],
    )
    def test_media_filename_extension_comes_from_content_type(self, content_type, extension):
        msg = parse_webhook(inbound(NumMedia="1", MediaUrl0=MEDIA_URL, MediaContentType0=content_type))
        assert msg.attachments[0].filename == "ME" + "c" * 32 + extension

    def test_several_media_keep_their_order(self):
        form = inbound(NumMedia="2", MediaUrl0=MEDIA_URL + "0", MediaContentType0="image/jpeg", MediaUrl1=MEDIA_URL + "1", MediaContentType1="application/pdf")
        msg = parse_webhook(form)
        assert [a.url for a in msg.attachments] == [MEDIA_URL + "0", MEDIA_URL + "1"]
        assert [a.content_type for a in msg.attachments] == ["image/jpeg", "application/pdf"]

    def test_missing_content_type_falls_back_to_octet_stream(self):
        msg = parse_webhook(inbound(NumMedia="1", MediaUrl0=MEDIA_URL))
        assert msg.attachments[0].content_type == "application/octet-stream"

    @pytest.mark.parametrize("missing", ["MessageSid", "From"])
    def test_missing_required_field_is_invalid(self, missing):
        form = inbound()
        del form[missing]
        with pytest.raises(InvalidPayload, match=missing):
            parse_webhook(form)

    @pytest.mark.parametrize("sid", ["   ", "SM 1", "SM<script>", "x" * 65])
    def test_malformed_message_sid_is_invalid(self, sid):
        with pytest.raises(InvalidPayload, match="MessageSid"):
            parse_webhook(inbound(MessageSid=sid))

    @pytest.mark.parametrize("num_media", ["abc", "-1", "1.5", "٣", "1e1", "0x1"])
    def test_num_media_not_a_whole_number_is_invalid(self, num_media):
        with pytest.raises(InvalidPayload, match="NumMedia must be a whole number"):
            parse_webhook(inbound(NumMedia=num_media, MediaUrl0=MEDIA_URL))

    def test_media_beyond_ten_are_not_kept_and_the_patient_is_told(self):
        urls = {f"MediaUrl{i}": f"{MEDIA_URL}{i}" for i in range(12)}
        msg = parse_webhook(inbound(NumMedia="12", Body="scans", **urls))
        assert len(msg.attachments) == 10 and msg.text == "scans"
        assert msg.extra["notices"] == ["media_not_kept"]

    def test_announced_media_without_url_is_invalid(self):
        with pytest.raises(InvalidPayload, match="MediaUrl1 is missing"):
            parse_webhook(inbound(NumMedia="2", MediaUrl0=MEDIA_URL))

    def test_media_url_beyond_num_media_is_invalid(self):
        with pytest.raises(InvalidPayload, match="MediaUrl1 given but NumMedia is 1"):
            parse_webhook(inbound(NumMedia="1", MediaUrl0=MEDIA_URL, MediaUrl1=MEDIA_URL))

    def test_media_url_without_num_media_is_invalid(self):
        form = inbound(MediaUrl0=MEDIA_URL)
        del form["NumMedia"]
        with pytest.raises(InvalidPayload, match="NumMedia is 0"):
            parse_webhook(form)

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/a", "https://"])
    def test_media_url_must_be_http(self, url):
        with pytest.raises(InvalidPayload, match="MediaUrl0 is not an http"):
            parse_webhook(inbound(NumMedia="1", MediaUrl0=url))

    def test_nul_and_control_characters_are_removed_but_newlines_and_tabs_kept(self):
        msg = parse_webhook(inbound(Body="a\x00b\x07c\r\nline two\tend\x1b[31m\x7f"))
        assert msg.text == "abc\nline two\tend[31m"

    @pytest.mark.parametrize(
        "body",
        [
            "السلام عليكم، ابني عمره ٧ سنوات عنده لوكيميا",  # Arabic, right to left
            "שלום, אמא שלי חולה",  # Hebrew
            "\u200fمرحبا\u200e ABC",  # explicit direction marks are meaningful, kept
            "Thank you 🙏🏽 👨‍👩‍👧 🇰🇪",  # skin tone, ZWJ family, flag
            "আমার আম্মুর ওভারিয়ান ক্যান্সার",  # Bengali
            "我父亲今年56岁。确诊为鼻咽癌！",
        ],
    )
    def test_unicode_is_kept_exactly(self, body):
        assert parse_webhook(inbound(Body=body)).text == body

    def test_html_and_script_are_kept_verbatim_as_text(self):
        body = '<script>alert("x")</script><b>bold</b> & <a href="javascript:1">link</a>'
        assert parse_webhook(inbound(Body=body)).text == body

    def test_body_at_the_cap_is_kept_and_above_it_is_invalid(self):
        assert len(parse_webhook(inbound(Body="a" * MAX_BODY_CHARS)).text) == MAX_BODY_CHARS
        with pytest.raises(InvalidPayload, match="too long"):
            parse_webhook(inbound(Body="a" * (MAX_BODY_CHARS + 1)))

    @pytest.mark.parametrize(
        "raw, expected",
        [
            ("whatsapp:+254711000101", "+254711000101"),
            ("whatsapp:+254 711 000 101", "+254711000101"),
            ("WhatsApp:+44 (0)7711 000111", "+447711000111"),
            ("+919810000114", "+919810000114"),
            ("whatsapp:+999123456", "+999123456"),  # unknown country code: kept as given
        ],
    )
    def test_sender_is_normalised_to_e164(self, raw, expected):
        assert parse_webhook(inbound(From=raw)).sender == expected

    @pytest.mark.parametrize("raw", ["whatsapp:254711000101", "hello", "whatsapp:+abc"])
    def test_sender_that_is_not_a_phone_number_is_invalid(self, raw):
        with pytest.raises(InvalidPayload, match="phone number"):
            parse_webhook(inbound(From=raw))

    def test_profile_name_is_cleaned_and_empty_becomes_none(self):
        assert parse_webhook(inbound(ProfileName=" أبو\x00 حسن \n")).profile_name == "أبو حسن"
        assert parse_webhook(inbound(ProfileName="")).profile_name is None

    def test_multidict_form_from_flask(self):
        form = MultiDict(list(inbound(Body="yes").items()))
        assert parse_webhook(form).text == "yes"

    def test_repr_does_not_leak_text_or_number(self):
        msg = parse_webhook(inbound(Body="secret diagnosis"))
        assert "secret" not in repr(msg) and "254711000101" not in repr(msg)
        assert msg.provider_id in repr(msg)


# --------------------------------------------------------------------------- status callbacks


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


# --------------------------------------------------------------------------- splitting

SENTENCE_END = set(".!?…؟۔।。！？")


def nonspace(text: str) -> str:
    return "".join(text.split())


class TestSplitText:
    def test_short_text_is_one_part(self):
        assert split_text("  Hello there.  ") == ["Hello there."]

    def test_blank_text_gives_no_parts(self):
        assert split_text("") == [] and split_text(" \n\t ") == []

    def test_splits_at_sentence_boundaries(self):
        text = "First sentence here. Second one is here! Third? Fourth sentence."
        parts = split_text(text, limit=42)
        assert parts == ["First sentence here. Second one is here!", "Third? Fourth sentence."]

    def test_decimal_point_is_not_a_sentence_end(self):
        parts = split_text("Dose is 3.5 mg daily and more words follow here", limit=20)
        assert all(not p.endswith("3.") for p in parts)
        assert " ".join(parts).split() == "Dose is 3.5 mg daily and more words follow here".split()

    def test_prefers_paragraph_then_sentence(self):
        text = "Para one sentence one. Para one sentence two.\n\nPara two."
        assert split_text(text, limit=50) == ["Para one sentence one. Para one sentence two.", "Para two."]

    def test_very_long_sentence_splits_at_words(self):
        text = " ".join(["word"] * 100)
        parts = split_text(text, limit=50)
        assert all(len(p) <= 50 for p in parts)
        assert all(set(p.split()) == {"word"} for p in parts)

    def test_cjk_splits_after_full_stops(self):
        text = "我父亲今年五十六岁。" * 3 + "他住在广州！" + "请帮助我们？"
        parts = split_text(text, limit=25)
        assert all(p[-1] in "。！？" for p in parts)
        assert "".join(parts) == text

    def test_arabic_question_mark_is_a_sentence_end(self):
        text = "هل يمكنكم المساعدة؟ ابني عمره سبع سنوات."
        parts = split_text(text, limit=25)
        assert parts[0] == "هل يمكنكم المساعدة؟"

    def test_hard_split_does_not_break_emoji_sequences(self):
        family = "👨‍👩‍👧"  # 5 code points, 8 UTF-16 units
        text = family * 10
        parts = split_text(text, limit=9)
        assert "".join(parts) == text
        assert all(p == family for p in parts)

    def test_emoji_count_double_in_utf16(self):
        parts = split_text("😀" * 10, limit=4)
        assert parts == ["😀😀"] * 5

    def test_flags_are_not_cut_in_half(self):
        parts = split_text("🇰🇪🇹🇿🇺🇬", limit=5)
        assert parts == ["🇰🇪", "🇹🇿", "🇺🇬"]

    def test_default_limit_is_twilio_1600(self):
        parts = split_text("Sentence number one is here. " * 200)
        assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)

    def test_limit_below_two_is_refused(self):
        with pytest.raises(ValueError):
            split_text("abc", limit=1)

    ALPHABET = st.sampled_from(
        list("abcXYZ019 .,!?\n\t") + ["。", "！", "？", "؟", "…", "😀", "👍", "\U0001F3FD", "\u200d", "🇰", "🇪", "ש", "م", "ক", "\u200f", "é", "\u0301", "中", "\x00"]
    )

    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(text=st.text(alphabet=ALPHABET | st.characters(), max_size=600), limit=st.integers(min_value=2, max_value=120))
    @example(text="a" * 1700, limit=1600)
    @example(text="😀" * 900, limit=1600)
    def test_properties(self, text, limit):
        parts = split_text(text, limit)
        # never exceeding the limit (in code points nor UTF-16 units), no empty parts
        assert all(0 < len(p) <= limit and utf16_len(p) <= limit for p in parts)
        assert all(p == p.strip() and p for p in parts)
        # every non-space character survives, in order
        assert nonspace("".join(parts)) == nonspace(text)
        # blank in, nothing out; fitting text comes back whole
        if not text.strip():
            assert parts == []
        elif utf16_len(text.strip()) <= limit:
            assert parts == [text.strip()]

    @settings(max_examples=200)
    @given(
        words=st.lists(st.text(alphabet=st.sampled_from(list("abcdefשלוםمرحبا😀👍ক")), min_size=1, max_size=12), min_size=1, max_size=80),
        seps=st.lists(st.sampled_from([" ", "\n", "  ", ". ", "! ", "? ", "\n\n"]), min_size=80, max_size=80),
        limit=st.integers(min_value=24, max_value=200),
    )
    def test_words_are_never_cut_when_they_fit(self, words, seps, limit):
        text = "".join(w + s for w, s in zip(words, seps))
        parts = split_text(text, limit)
        assert [w for p in parts for w in p.split()] == text.split()

    @given(st.text(max_size=300), st.integers(min_value=2, max_value=50))
    def test_each_part_is_stable_under_resplitting(self, text, limit):
        for part in split_text(text, limit):
            assert split_text(part, limit) == [part]


# --------------------------------------------------------------------------- sending

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def make_sender(http: RecordingTwilioHttpClient, **kwargs) -> WhatsAppSender:
    return WhatsAppSender(ACCOUNT_SID, AUTH_TOKEN, "+14155238886", http_client=http, **kwargs)


def out(text: str = "Thank you, a coordinator will contact you.", to: str = "+254711000101") -> OutboundMessage:
    return OutboundMessage(channel="whatsapp", to=to, text=text)


class TestWhatsAppSender:
    def test_is_a_sender(self, twilio_http):
        assert isinstance(make_sender(twilio_http), Sender)

    def test_posts_exactly_what_twilio_expects(self, twilio_http):
        sender = make_sender(twilio_http, status_callback="https://intake.example.org/webhooks/twilio/status")
        result = sender.send(out("Karibu! 🙏"))
        assert len(twilio_http.requests) == 1
        request = twilio_http.requests[0]
        assert request.method == "POST"
        assert request.uri == MESSAGES_URL
        assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
        assert request.data == {
            "To": "whatsapp:+254711000101",
            "From": "whatsapp:+14155238886",
            "Body": "Karibu! 🙏",
            "StatusCallback": "https://intake.example.org/webhooks/twilio/status",
        }
        assert result.provider_id == "SM" + f"{1:032x}"
        assert result.status == "queued"

    def test_no_status_callback_parameter_when_not_configured(self, twilio_http):
        make_sender(twilio_http).send(out())
        assert "StatusCallback" not in twilio_http.requests[0].data

    def test_recipient_with_whatsapp_prefix_or_spaces_is_normalised(self, twilio_http):
        make_sender(twilio_http).send(out(to="whatsapp:+254 711 000 101"))
        assert twilio_http.requests[0].data["To"] == "whatsapp:+254711000101"

    def test_long_text_is_split_into_parts_each_sent_as_one_message(self, twilio_http):
        text = "This is one sentence of a long estimate. " * 100  # about 4100 chars
        sender = make_sender(twilio_http)
        parts = sender.split(text)
        assert len(parts) == 3 and all(len(p) <= 1600 for p in parts)
        ids = [sender.send(out(part)).provider_id for part in parts]
        assert [r.data["Body"] for r in twilio_http.requests] == parts
        assert " ".join(parts).split() == text.split()
        assert ids == ["SM" + f"{i:032x}" for i in (1, 2, 3)]

    def test_a_text_over_the_limit_is_refused_unsplit(self, twilio_http):
        with pytest.raises(ValueError, match="split"):
            make_sender(twilio_http).send(out("x" * 1601))
        assert twilio_http.requests == []

    def test_reference_goes_into_the_status_callback_url(self, twilio_http):
        sender = make_sender(twilio_http, status_callback="https://intake.example.org/webhooks/twilio/status")
        sender.send(OutboundMessage(channel="whatsapp", to="+254711000101", text="hi", reference="42"))
        assert twilio_http.requests[0].data["StatusCallback"] == "https://intake.example.org/webhooks/twilio/status?ref=42"

    def test_empty_text_is_refused_before_calling_twilio(self, twilio_http):
        with pytest.raises(ValueError):
            make_sender(twilio_http).send(out("   "))
        assert twilio_http.requests == []

    def test_other_channel_is_refused(self, twilio_http):
        with pytest.raises(ValueError):
            make_sender(twilio_http).send(OutboundMessage(channel="email", to="a@b.org", text="hi"))

    @pytest.mark.parametrize("status, code", [(429, 20429), (500, 20500), (503, 20503)])
    def test_throttling_and_server_errors_are_transient(self, status, code):
        http = RecordingTwilioHttpClient([twilio_error(status, code)])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == code

    @pytest.mark.parametrize(
        "status, code",
        [
            (400, 63016),  # outside the 24-hour window
            (400, 21610),  # recipient opted out (STOP)
            (400, 21211),  # invalid "To" number
            (400, 21606),  # any other 4xx
            (401, 20003),  # authentication
        ],
    )
    def test_client_errors_are_permanent_with_twilio_code(self, status, code):
        http = RecordingTwilioHttpClient([twilio_error(status, code)])
        with pytest.raises(PermanentSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == code

    def test_permanent_code_wins_even_on_a_5xx(self):
        http = RecordingTwilioHttpClient([twilio_error(503, 63016)])
        with pytest.raises(PermanentSendError) as info:
            make_sender(http).send(out())
        assert info.value.code == 63016

    @pytest.mark.parametrize(
        "error, maybe_sent",
        [
            (requests.exceptions.ConnectTimeout("no route"), False),
            (requests.exceptions.ConnectionError("NewConnectionError: Connection refused"), False),
            (requests.exceptions.ReadTimeout("slow"), True),
            (ConnectionResetError(), True),
        ],
    )
    def test_network_errors_are_transient_and_say_whether_twilio_may_have_it(self, error, maybe_sent):
        http = RecordingTwilioHttpClient([error])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert info.value.maybe_sent is maybe_sent

    def test_twilio_refusals_are_certainly_not_sent(self):
        http = RecordingTwilioHttpClient([twilio_error(503, 20503)])
        with pytest.raises(TransientSendError) as info:
            make_sender(http).send(out())
        assert not info.value.maybe_sent

    def test_form_body_twilio_would_receive_is_urlencoded_utf8(self, twilio_http):
        # The real HTTP client url-encodes `data`; check the values survive that.
        from urllib.parse import urlencode

        make_sender(twilio_http).send(out("مرحبا 👋 <b>"))
        encoded = urlencode(twilio_http.requests[0].data)
        assert parse_qs(encoded)["Body"] == ["مرحبا 👋 <b>"]
