"""channels/whatsapp/inbound.py: Twilio's inbound-message form into an `InboundMessage`."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from channels.base import InboundMessage, InvalidPayload
from channels.whatsapp.inbound import MAX_BODY_CHARS, parse_webhook
from tests.channels.whatsapp.forms import MEDIA_URL, inbound


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
