"""channels/email/parse.py: raw MIME into an `InboundMessage` (headers, charsets,
threading, quotes, attachments)."""

from __future__ import annotations

import base64

import pytest

from channels.base import InboundMessage
from channels.email.parse import parse_raw
from tests.channels.email.messages import (
    PDF_BYTES,
    crlf,
    PLAIN_FIRST_CONTACT,
    MULTIPART_WITH_PDF,
    HTML_ONLY,
    GMAIL_REPLY,
    WRAPPED_WROTE_REPLY,
    INLINE_REPLY,
    OUTLOOK_REPLY,
)


class TestParseRaw:
    def test_plain_first_contact(self):
        msg = parse_raw(PLAIN_FIRST_CONTACT)
        assert isinstance(msg, InboundMessage)
        assert msg.channel == "email"
        assert msg.sender == "yaw.b@example.com"
        assert msg.profile_name == "Yaw Boateng"
        assert msg.recipient == "care@cancerfax.org"
        assert msg.subject == "Enquiry for my father - his lymphoma has come back again"
        assert msg.provider_id == "<CAF1234abcd@mail.example.com>"
        assert msg.thread_key == msg.provider_id  # first message of its thread
        assert msg.in_reply_to is None and msg.references == ()
        assert msg.text.startswith("Dear CancerFax team,")
        assert "R-CHOP and R-GemOx" in msg.text and msg.text.endswith("Yaw")
        assert msg.auto_submitted is False
        assert msg.extra["date"] == "2025-03-03T10:00:00+00:00"

    def test_multipart_with_pdf_attachment(self):
        msg = parse_raw(MULTIPART_WITH_PDF)
        # text/plain preferred over the HTML alternative, QP decoded
        assert msg.text == "Please find my brother's biopsy report attached. He is 29 — Hodgkin lymphoma."
        assert [a.content_type for a in msg.attachments] == ["application/pdf", "image/jpeg"]
        pdf, image = msg.attachments
        assert pdf.filename == "biopsy report.pdf"
        assert pdf.data == PDF_BYTES
        assert pdf.size == len(PDF_BYTES)
        assert pdf.url is None
        # an inline image without a name still becomes a named attachment
        assert image.filename == "attachment-2"
        assert image.data.startswith(b"\xff\xd8\xff")

    def test_html_only_is_converted_to_text(self):
        msg = parse_raw(HTML_ONLY)
        assert "My wife (47) has stage IV colon cancer & liver mets." in msg.text  # nbsp folded
        assert "We live in Pune, India.\nSecond line" in msg.text
        assert "FOLFOX" in msg.text and "FOLFIRI" in msg.text
        assert "alert" not in msg.text and "color: red" not in msg.text and "ignored title" not in msg.text
        assert "<" not in msg.text

    def test_script_in_a_plain_text_body_is_kept_verbatim(self):
        raw = crlf("From: a@example.org\nMessage-ID: <s@x>\n\n<script>alert(1)</script> & <b>hi</b>\n")
        assert parse_raw(raw).text == "<script>alert(1)</script> & <b>hi</b>"

    def test_rfc2047_subject_and_display_name_are_decoded(self):
        raw = crlf(
            "From: =?UTF-8?B?5p6X5a625Lq6?= <lin.family@example.com>\n"
            "Subject: =?UTF-8?B?5ZKo6K+i77ya54i25Lqy6by75ZK955mM?=\n"
            "Message-ID: <cn-1@example.com>\nContent-Type: text/plain; charset=UTF-8\n\n\u60a8\u597d\uff01\n"
        )
        msg = parse_raw(raw)
        assert msg.profile_name == "林家人"
        assert msg.subject == "咨询：父亲鼻咽癌"
        assert msg.text == "您好！"

    def test_iso_8859_1_encoded_word_subject(self):
        raw = crlf("From: y@example.net\nSubject: =?ISO-8859-1?Q?Demande_de_protonth=E9rapie?=\nMessage-ID: <fr@x>\n\nBonjour\n")
        assert parse_raw(raw).subject == "Demande de protonthérapie"

    def test_broken_charset_never_raises(self):
        raw = (
            b"From: a@example.org\r\nMessage-ID: <bc@x>\r\n"
            b"Content-Type: text/plain; charset=\"utf-8\"\r\n\r\n"
            b"Caf\xe9 \xff\xfe ok\r\n"
        )
        msg = parse_raw(raw)
        assert msg.text.startswith("Caf\ufffd") and msg.text.endswith("ok")

    @pytest.mark.parametrize("charset", ["x-unknown-charset", "base64", "idna", ""])
    def test_unknown_or_bogus_charset_falls_back(self, charset):
        raw = (
            f"From: a@example.org\r\nMessage-ID: <u@x>\r\nContent-Type: text/plain; charset=\"{charset}\"\r\n\r\n".encode()
            + "Olá, ça va".encode("utf-8")
        )
        assert parse_raw(raw).text == "Olá, ça va"

    def test_windows_1252_without_declared_charset(self):
        raw = b"From: a@example.org\r\nMessage-ID: <w@x>\r\nContent-Type: text/plain\r\n\r\n\x93quoted\x94 \x80 5\r\n"
        assert parse_raw(raw).text == "\u201cquoted\u201d \u20ac 5"

    def test_8bit_utf8_headers_are_read(self):
        raw = "From: José Pérez <jose@example.org>\r\nSubject: Cáncer de mama\r\nMessage-ID: <8b@x>\r\n\r\nHola\r\n".encode()
        msg = parse_raw(raw)
        assert msg.sender == "jose@example.org"
        assert msg.profile_name == "José Pérez"
        assert msg.subject == "Cáncer de mama"

    def test_8bit_latin1_headers_are_read(self):
        raw = "From: Zoë <zoe@example.org>\r\nSubject: Cáncer\r\nMessage-ID: <l1@x>\r\n\r\nHola\r\n".encode("latin-1")
        msg = parse_raw(raw)
        assert (msg.profile_name, msg.subject, msg.sender) == ("Zoë", "Cáncer", "zoe@example.org")

    def test_reply_threads_on_the_root_message(self):
        msg = parse_raw(GMAIL_REPLY)
        assert msg.in_reply_to == "<bot-reply-1@cancerfax.org>"
        assert msg.references == ("<first-1@example.org>", "<bot-reply-1@cancerfax.org>")
        assert msg.thread_key == "<first-1@example.org>"

    def test_in_reply_to_alone_gives_the_thread_key(self):
        raw = crlf("From: a@example.org\nMessage-ID: <c@x>\nIn-Reply-To: <parent@x>\n\nok\n")
        assert parse_raw(raw).thread_key == "<parent@x>"

    def test_quoted_text_is_removed_and_full_text_kept(self):
        msg = parse_raw(GMAIL_REPLY)
        assert msg.text == (
            "Thank you for your quick reply. Answers to your questions:\n\n"
            "1. He had ABVD, 6 cycles, in 2023.\n2. We live in Addis Ababa, Ethiopia."
        )
        assert "wrote:" not in msg.text and "Where do you live" not in msg.text
        assert "Where do you live?" in msg.extra["full_text"]

    def test_wrapped_wrote_header_is_removed(self):
        assert parse_raw(WRAPPED_WROTE_REPLY).text == "Yes, I agree."

    def test_inline_answers_between_quotes_are_kept(self):
        assert parse_raw(INLINE_REPLY).text == "Chemotherapy, 6 cycles.\nNairobi, Kenya."

    def test_outlook_original_message_block_is_removed(self):
        assert parse_raw(OUTLOOK_REPLY).text == "She is 70 years old."

    def test_html_reply_with_blockquote_drops_the_quote(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <hr@x>\nContent-Type: text/html; charset=utf-8\n\n"
            "<div>Stage 3, thank you.</div><div class=\"gmail_quote\"><div>On Tue, 4 Mar 2025 at 09:00, CancerFax "
            "&lt;care@cancerfax.org&gt; wrote:</div><blockquote><p>What stage?</p></blockquote></div>\n"
        )
        assert parse_raw(raw).text == "Stage 3, thank you."

    def test_message_that_is_only_a_quote_keeps_its_text(self):
        raw = crlf("From: a@example.org\nMessage-ID: <q@x>\n\n> just a quote\n> nothing else\n")
        assert parse_raw(raw).text != ""

    def test_missing_message_id_gets_a_stable_derived_id(self):
        raw = crlf("From: a@example.org\nSubject: no id\n\nhello\n")
        first, second = parse_raw(raw), parse_raw(raw)
        assert first.provider_id == second.provider_id
        assert first.provider_id.startswith("<") and first.provider_id.endswith("@intake.invalid>")
        assert first.extra["message_id_derived"] is True
        assert parse_raw(raw + b"more").provider_id != first.provider_id

    def test_message_id_without_brackets_is_accepted(self):
        raw = crlf("From: a@example.org\nMessage-ID: bare-id@example.org\n\nhi\n")
        assert parse_raw(raw).provider_id == "<bare-id@example.org>"

    def test_control_characters_removed_from_body(self):
        raw = b"From: a@example.org\r\nMessage-ID: <nul@x>\r\n\r\nhel\x00lo\x07\r\nworld\tok\r\n"
        assert parse_raw(raw).text == "hello\nworld\tok"

    def test_media_only_email_has_empty_text(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <m@x>\nContent-Type: application/pdf; name=scan.pdf\n"
            "Content-Transfer-Encoding: base64\n\n" + base64.b64encode(PDF_BYTES).decode() + "\n"
        )
        msg = parse_raw(raw)
        assert msg.text == ""
        assert msg.attachments[0].filename == "scan.pdf" and msg.attachments[0].data == PDF_BYTES

    def test_attachment_filename_cannot_carry_a_path(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <p@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: text/plain\n\nsee file\n--b\nContent-Type: application/pdf\n"
            "Content-Disposition: attachment; filename=\"../../etc/passwd\"\n\nxx\n--b--\n"
        )
        assert parse_raw(raw).attachments[0].filename == "passwd"

    def test_rfc2231_attachment_filename(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <r@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: text/plain\n\nsee file\n--b\nContent-Type: application/pdf\n"
            "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sultat%20biopsie.pdf\n\nxx\n--b--\n"
        )
        assert parse_raw(raw).attachments[0].filename == "résultat biopsie.pdf"

    def test_attached_email_is_one_attachment(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <fw@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: text/plain\n\nForwarding the doctor's mail.\n--b\nContent-Type: message/rfc822\n\n"
            "From: doctor@hospital.example\nSubject: results\n\nThe scan is clear.\n--b--\n"
        )
        msg = parse_raw(raw)
        assert msg.text == "Forwarding the doctor's mail."
        assert len(msg.attachments) == 1
        assert msg.attachments[0].content_type == "message/rfc822"
        assert b"The scan is clear." in msg.attachments[0].data

    def test_reply_to_is_kept_in_extra(self):
        raw = crlf("From: noreply@forms.example\nReply-To: Patient <Patient@Example.org>\nMessage-ID: <rt@x>\n\nhi\n")
        msg = parse_raw(raw)
        assert msg.sender == "noreply@forms.example"
        assert msg.extra["reply_to"] == "patient@example.org"

    def test_repr_is_redacted(self):
        msg = parse_raw(PLAIN_FIRST_CONTACT)
        assert "yaw" not in repr(msg).lower() and "lymphoma" not in repr(msg)
