"""channels/email.py: parsing raw MIME, the simple format, building replies,
and sending through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import base64
import threading
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.channels.channel_fakes import free_port
from channels.base import (
    Attachment,
    InboundMessage,
    InvalidPayload,
    OutboundMessage,
    PermanentSendError,
    Sender,
    TransientSendError,
)
from channels.email import (
    EmailSender,
    build_message,
    html_to_text,
    is_auto_reply,
    parse_raw,
    parse_simple,
    remove_quoted_text,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" + bytes(range(256))


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


# --------------------------------------------------------------------------- real-looking messages

PLAIN_FIRST_CONTACT = crlf(
    """Return-Path: <yaw.b@example.com>
Received: from mail.example.com (mail.example.com [203.0.113.5])
\tby mx.cancerfax.org with ESMTPS id abc123
\tfor <care@cancerfax.org>; Mon, 03 Mar 2025 10:00:00 +0000
From: "Yaw Boateng" <Yaw.B@Example.COM>
To: CancerFax Care <care@cancerfax.org>
Subject: Enquiry for my father - his lymphoma has come back again
Date: Mon, 3 Mar 2025 10:00:00 +0000
Message-ID: <CAF1234abcd@mail.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 7bit

Dear CancerFax team,

I am writing on behalf of my father, who is 61. His DLBCL relapsed twice
after R-CHOP and R-GemOx. We live in Accra, Ghana.

Kind regards,
Yaw
"""
)

MULTIPART_WITH_PDF = crlf(
    f"""From: Selam Tesfaye <selam.t@example.org>
To: care@cancerfax.org
Subject: Biopsy report attached
Date: Tue, 4 Mar 2025 08:15:00 +0300
Message-ID: <20250304081500.1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-boundary"

--mixed-boundary
Content-Type: multipart/alternative; boundary="alt-boundary"

--alt-boundary
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Please find my brother's biopsy report attached. He is 29 =E2=80=94 Hodgkin=
 lymphoma.

--alt-boundary
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Please find my brother's biopsy report attached.</div>

--alt-boundary--

--mixed-boundary
Content-Type: application/pdf; name="biopsy report.pdf"
Content-Disposition: attachment; filename="biopsy report.pdf"
Content-Transfer-Encoding: base64

{base64.encodebytes(PDF_BYTES).decode()}
--mixed-boundary
Content-Type: image/jpeg
Content-Disposition: inline
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//
--mixed-boundary--
"""
)

HTML_ONLY = crlf(
    """From: ravi.k@example.net
To: care@cancerfax.org
Subject: Colon cancer
Message-ID: <html-only-1@example.net>
MIME-Version: 1.0
Content-Type: text/html; charset="UTF-8"

<html><head><title>ignored title</title><style>p { color: red }</style></head>
<body><p>My wife (47) has <b>stage&nbsp;IV</b> colon cancer &amp; liver mets.</p>
<script>alert('x')</script><p>We live in Pune, India.<br>Second line</p>
<ul><li>FOLFOX</li><li>FOLFIRI</li></ul></body></html>
"""
)

GMAIL_REPLY = crlf(
    """From: Selam Tesfaye <selam.t@example.org>
To: CancerFax <care@cancerfax.org>
Subject: Re: Help for my brother - Hodgkin lymphoma
Message-ID: <reply-2@example.org>
In-Reply-To: <bot-reply-1@cancerfax.org>
References: <first-1@example.org>
 <bot-reply-1@cancerfax.org>
Content-Type: text/plain; charset=UTF-8

Thank you for your quick reply. Answers to your questions:

1. He had ABVD, 6 cycles, in 2023.
2. We live in Addis Ababa, Ethiopia.

On Tue, 4 Mar 2025 at 09:00, CancerFax <care@cancerfax.org> wrote:
> Thank you for writing to us.
> 1. What treatment has he had?
> 2. Where do you live?
"""
)

WRAPPED_WROTE_REPLY = crlf(
    """From: a@example.org
Subject: Re: x
Message-ID: <wrapped@example.org>
Content-Type: text/plain; charset=UTF-8

Yes, I agree.

On Tue, 4 Mar 2025 at 09:00, CancerFax Patient Care Team <care@cancerfax.org>
wrote:
> Do you agree to share your records?
"""
)

INLINE_REPLY = crlf(
    """From: a@example.org
Subject: Re: questions
Message-ID: <inline@example.org>
Content-Type: text/plain; charset=UTF-8

> 1. What treatment has he had?
Chemotherapy, 6 cycles.
> 2. Where do you live?
Nairobi, Kenya.
"""
)

OUTLOOK_REPLY = crlf(
    """From: b@example.org
Subject: RE: question
Message-ID: <outlook@example.org>
Content-Type: text/plain; charset=UTF-8

She is 70 years old.

-----Original Message-----
From: CancerFax <care@cancerfax.org>
Sent: Tuesday, March 4, 2025 9:00 AM
To: b@example.org
Subject: question

How old is the patient?
"""
)

OUT_OF_OFFICE = crlf(
    """From: Dr Out <dr.out@example.org>
To: care@cancerfax.org
Subject: Automatic reply: Your enquiry
Auto-Submitted: auto-replied
X-Autoreply: yes
Message-ID: <ooo-1@example.org>
Content-Type: text/plain; charset=UTF-8

I am out of the office until Monday.
"""
)

BOUNCE = crlf(
    """Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: care@cancerfax.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="bnd"

--bnd
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.com.
I'm sorry to have to inform you that your message could not be delivered.

--bnd
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; nobody@example.com
Action: failed
Status: 5.1.1

--bnd
Content-Type: text/rfc822-headers

From: care@cancerfax.org
Subject: Your enquiry
--bnd--
"""
)


def headers_only(extra_header: str) -> bytes:
    return crlf(
        f"""From: someone@example.org
To: care@cancerfax.org
Subject: hello
Message-ID: <h-1@example.org>
{extra_header}
Content-Type: text/plain; charset=UTF-8

Body text.
"""
    )


# --------------------------------------------------------------------------- parse_raw


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


class TestAutoSubmitted:
    def test_out_of_office_is_flagged(self):
        msg = parse_raw(OUT_OF_OFFICE)
        assert msg.auto_submitted is True
        assert msg.extra["auto_reason"] == "auto-submitted:auto-replied"

    def test_bounce_is_flagged_and_report_parts_are_not_attachments(self):
        msg = parse_raw(BOUNCE)
        assert msg.auto_submitted is True
        assert msg.sender == "mailer-daemon@mx.example.com"
        assert "could not be delivered" in msg.text
        assert msg.attachments == ()

    @pytest.mark.parametrize(
        "header, reason",
        [
            ("Auto-Submitted: auto-generated", "auto-submitted:auto-generated"),
            ("Auto-Submitted: auto-notified; owner-email=x@y", "auto-submitted:auto-notified"),
            ("Precedence: bulk", "precedence:bulk"),
            ("Precedence: junk", "precedence:junk"),
            ("Precedence: list", "precedence:list"),
            ("List-Id: Patients <patients.lists.example.org>", "list-id"),
            ("List-Unsubscribe: <mailto:unsub@example.org>", "list-unsubscribe"),
            ("Return-Path: <>", "empty-return-path"),
            ("Return-Path: < >", "empty-return-path"),
            ("X-Autorespond: yes", "x-autorespond"),
        ],
    )
    def test_rfc3834_signals(self, header, reason):
        msg = parse_raw(headers_only(header))
        assert msg.auto_submitted is True
        assert msg.extra["auto_reason"] == reason

    @pytest.mark.parametrize(
        "header", ["Auto-Submitted: no", "Auto-Submitted: No", "Precedence: first-class", "Return-Path: <someone@example.org>", "X-Mailer: Foo"]
    )
    def test_human_mail_is_not_flagged(self, header):
        msg = parse_raw(headers_only(header))
        assert msg.auto_submitted is False
        assert "auto_reason" not in msg.extra

    def test_is_auto_reply_on_a_parsed_message(self):
        parsed = BytesParser(policy=policy.default).parsebytes(OUT_OF_OFFICE)
        assert is_auto_reply(parsed) is True
        assert is_auto_reply(BytesParser(policy=policy.default).parsebytes(PLAIN_FIRST_CONTACT)) is False


class TestGarbage:
    def test_no_from_at_all_is_invalid(self):
        with pytest.raises(InvalidPayload, match="no sender"):
            parse_raw(b"\x00\xff\xfe\x80 garbage without headers \n\n more")

    def test_empty_bytes_are_invalid(self):
        with pytest.raises(InvalidPayload):
            parse_raw(b"")

    def test_unparseable_from_falls_back_to_sender_header(self):
        raw = crlf("From: <<<>>>\nSender: real@example.org\nMessage-ID: <g@x>\n\nhi\n")
        assert parse_raw(raw).sender == "real@example.org"

    def test_broken_mime_structure_is_still_read(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <b@x>\nContent-Type: multipart/mixed; boundary=missing\n\n"
            "no boundary ever appears\n"
        )
        msg = parse_raw(raw)
        assert msg.sender == "a@example.org"
        assert "defects" in msg.extra

    def test_truncated_base64_attachment_does_not_raise(self):
        raw = crlf(
            "From: a@example.org\nMessage-ID: <t@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            "Content-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLj!!!\n"
        )
        msg = parse_raw(raw)
        assert msg.attachments and msg.attachments[0].filename == "a.pdf"

    def test_truncated_message_keeps_its_text_and_drops_attachments(self):
        raw = (
            "From: a@example.org\nSubject: scan\nMessage-ID: <big@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nMy father has lung cancer.\n"
            "--b\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLj"
        ).encode()
        msg = parse_raw(raw, truncated=True)
        assert "lung cancer" in msg.text
        assert msg.attachments == ()
        assert msg.extra["notices"] == ["email_too_large"] and msg.extra["attachments_dropped"] == 1

    def test_read_limited_keeps_the_limit_and_drains_the_rest(self):
        import io

        from channels.email import read_limited

        stream = io.BytesIO(b"x" * 200_000)
        kept, over = read_limited(stream, 100_000)
        assert len(kept) == 100_000 and over and stream.read() == b""
        assert read_limited(io.BytesIO(b"y" * 10), 10) == (b"y" * 10, False)

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def test_random_bytes_only_ever_raise_invalid_payload(self, raw):
        try:
            msg = parse_raw(raw)
        except InvalidPayload:
            return
        assert msg.sender and msg.provider_id

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def test_any_body_after_valid_headers_parses(self, tail):
        msg = parse_raw(b"From: a@example.org\r\nMessage-ID: <f@x>\r\n\r\n" + tail)
        assert msg.sender == "a@example.org"
        assert msg.provider_id == "<f@x>"
        assert "\x00" not in msg.text

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=1000), st.binary(max_size=1000))
    def test_random_headers_around_a_from_line_never_crash(self, before, after):
        try:
            msg = parse_raw(before + b"\r\nFrom: a@example.org\r\n" + after)
        except InvalidPayload:
            return
        assert msg.sender and msg.provider_id.startswith("<")


# --------------------------------------------------------------------------- quote removal and HTML


class TestHelpers:
    def test_remove_quoted_text_keeps_hyphen_lists(self):
        text = "Treatments so far:\n- surgery\n- radiotherapy\n\n> old quote"
        assert remove_quoted_text(text) == "Treatments so far:\n- surgery\n- radiotherapy"

    def test_remove_quoted_text_french_header(self):
        text = "Oui, j'accepte.\n\nLe mar. 4 mars 2025 à 09:00, CancerFax <care@cancerfax.org> a écrit :\n> Acceptez-vous ?"
        assert remove_quoted_text(text) == "Oui, j'accepte."

    def test_long_lines_use_own_rules_and_still_drop_the_quote(self):
        # Long paragraphs exceed the budget for mail-parser-reply's regexes
        # (quadratic in line length); our own line rules must still apply.
        paragraph = "My father had surgery and then chemotherapy for many months. " * 40
        text = f"{paragraph}\n\nOn Tue, 4 Mar 2025 at 09:00, CancerFax <care@cancerfax.org> wrote:\nWhat treatment?\n> more"
        assert remove_quoted_text(text) == paragraph.strip()

    def test_pathological_on_line_is_kept(self):
        text = "On " * 20000
        assert remove_quoted_text(text) == text.strip()

    def test_html_to_text_entities_and_blocks(self):
        assert html_to_text("<p>a &lt;b&gt; &amp; c</p><p>d</p>") == "a <b> & c\nd"

    def test_html_to_text_pre_keeps_lines(self):
        assert html_to_text("<pre>line 1\nline 2</pre>") == "line 1\nline 2"

    def test_html_to_text_unclosed_markup(self):
        assert "text" in html_to_text("<div><p>text<b>bold<!-- unclosed comment")


# --------------------------------------------------------------------------- parse_simple


class TestParseSimple:
    def test_replay_event(self):
        msg = parse_simple("Yaw.B@Example.com", "Enquiry", "Dear team,\n\nMy father...")
        assert msg.channel == "email"
        assert msg.sender == "yaw.b@example.com"
        assert msg.subject == "Enquiry"
        assert msg.text == "Dear team,\n\nMy father..."
        assert msg.thread_key == msg.provider_id
        assert msg.extra["message_id_derived"] is True

    def test_derived_id_is_stable_and_content_dependent(self):
        a = parse_simple("a@example.org", "s", "body")
        assert a.provider_id == parse_simple("a@example.org", "s", "body").provider_id
        assert a.provider_id != parse_simple("a@example.org", "s", "body 2").provider_id

    def test_display_name_and_message_id(self):
        msg = parse_simple("Nadim H <nadim.h@example.com>", None, "hi", message_id="abc@example.com")
        assert msg.profile_name == "Nadim H"
        assert msg.provider_id == "<abc@example.com>"
        assert msg.subject is None

    def test_threading_fields(self):
        msg = parse_simple("a@example.org", "Re: x", "ok", "<c@x>", in_reply_to="<b@x>", references=["<a@x>", "<b@x>"])
        assert msg.thread_key == "<a@x>" and msg.in_reply_to == "<b@x>"

    def test_attachments_from_mappings_and_objects(self):
        msg = parse_simple(
            "a@example.org",
            "s",
            "",
            attachments=[
                {"content_type": "application/pdf", "filename": "scan.pdf", "data": b"%PDF"},
                Attachment(url=None, content_type="image/png", filename="x.png", size=3, data=b"abc"),
            ],
        )
        assert msg.text == ""
        assert msg.attachments[0] == Attachment(url=None, content_type="application/pdf", filename="scan.pdf", size=4, data=b"%PDF")
        assert msg.attachments[1].filename == "x.png"

    @pytest.mark.parametrize("sender", ["", "not an address", "a@", "@b.org"])
    def test_bad_sender_is_invalid(self, sender):
        with pytest.raises(InvalidPayload, match="e-mail address"):
            parse_simple(sender, "s", "body")

    def test_quoted_text_is_removed_like_raw_mail(self):
        msg = parse_simple("a@example.org", "Re: s", "Yes.\n\nOn Mon, 3 Mar 2025, X <x@y.org> wrote:\n> question")
        assert msg.text == "Yes."


# --------------------------------------------------------------------------- build_message


def reply(**kwargs) -> OutboundMessage:
    fields = dict(
        channel="email",
        to="Selam.T@example.org",
        text="Thank you. Your estimate: 1. Review – USD 1,200\nYou wrote 中文 too.",
        subject="Re: Help for my brother",
        in_reply_to="<reply-2@example.org>",
        references=("<first-1@example.org>", "<bot-reply-1@cancerfax.org>"),
    )
    fields.update(kwargs)
    return OutboundMessage(**fields)


class TestBuildMessage:
    def test_threading_and_rfc3834_headers(self):
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        assert built["From"] == "CancerFax <care@cancerfax.org>"
        assert built["To"] == "selam.t@example.org"
        assert built["Subject"] == "Re: Help for my brother"
        assert built["In-Reply-To"] == "<reply-2@example.org>"
        assert built["References"] == "<first-1@example.org> <bot-reply-1@cancerfax.org> <reply-2@example.org>"
        assert built["Auto-Submitted"] == "auto-replied"
        assert built["Message-ID"].startswith("<") and built["Message-ID"].endswith("@cancerfax.org>")
        assert built["Date"]

    def test_text_is_utf8_and_7bit_safe(self):
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        raw = built.as_bytes()
        assert raw.isascii()  # quoted-printable/base64, accepted by any relay
        reparsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert reparsed.get_body(("plain",)).get_content().rstrip("\n") == reply().text

    def test_html_alternative(self):
        built = build_message(reply(html="<p>Thank you</p>"), "care@cancerfax.org", "CancerFax")
        assert built.get_content_type() == "multipart/alternative"
        assert built.get_body(("html",)).get_content().strip() == "<p>Thank you</p>"
        assert "Your estimate" in built.get_body(("plain",)).get_content()

    def test_given_message_id_and_auto_submitted_are_used(self):
        built = build_message(
            reply(headers={"Message-ID": "outbox-42@cancerfax.org", "Auto-Submitted": "no", "X-Intake-Case": "42"}),
            "care@cancerfax.org",
            "CancerFax",
        )
        assert built["Message-ID"] == "<outbox-42@cancerfax.org>"
        assert built["Auto-Submitted"] == "no"
        assert built["X-Intake-Case"] == "42"

    def test_header_injection_is_neutralised(self):
        built = build_message(reply(subject="Hello\r\nBcc: victim@example.org"), "care@cancerfax.org", "CancerFax")
        assert built["Bcc"] is None
        assert built["Subject"] == "Hello Bcc: victim@example.org"

    def test_no_subject_uses_org_name_and_no_threading_headers_when_new(self):
        built = build_message(reply(subject=None, in_reply_to=None, references=()), "care@cancerfax.org", "CancerFax")
        assert built["Subject"] == "CancerFax"
        assert built["In-Reply-To"] is None and built["References"] is None

    def test_bad_recipient_is_invalid(self):
        with pytest.raises(InvalidPayload):
            build_message(reply(to="not-an-address"), "care@cancerfax.org", "CancerFax")

    def test_parse_raw_reads_our_own_reply_as_auto_submitted(self):
        # loop protection: our reply echoed back must never be answered
        built = build_message(reply(), "care@cancerfax.org", "CancerFax")
        parsed = parse_raw(built.as_bytes())
        assert parsed.auto_submitted is True
        assert parsed.thread_key == "<first-1@example.org>"


# --------------------------------------------------------------------------- EmailSender over real SMTP


def make_sender(port: int) -> EmailSender:
    return EmailSender("127.0.0.1", port, "care@cancerfax.org", "CancerFax", timeout=5)


class TestEmailSender:
    def test_is_a_sender(self):
        assert isinstance(make_sender(25), Sender)

    def test_delivers_to_a_real_smtp_server(self, smtp_server):
        handler, port = smtp_server
        result = make_sender(port).send(reply(html="<p>Thank you</p>"))
        assert result.status == "sent"
        assert len(handler.received) == 1
        envelope = handler.received[0]
        assert envelope["mail_from"] == "care@cancerfax.org"
        assert envelope["rcpt_tos"] == ["selam.t@example.org"]
        got = handler.last_message()
        assert got["Message-ID"] == result.provider_id
        assert got["From"] == "CancerFax <care@cancerfax.org>"
        assert got["To"] == "selam.t@example.org"
        assert got["Subject"] == "Re: Help for my brother"
        assert got["In-Reply-To"] == "<reply-2@example.org>"
        assert got["References"].split() == ["<first-1@example.org>", "<bot-reply-1@cancerfax.org>", "<reply-2@example.org>"]
        assert got["Auto-Submitted"] == "auto-replied"
        assert got.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == reply().text
        assert got.get_body(("html",)).get_content().strip() == "<p>Thank you</p>"

    def test_works_from_a_plain_thread(self, smtp_server):
        handler, port = smtp_server
        results: list = []
        worker = threading.Thread(target=lambda: results.append(make_sender(port).send(reply())))
        worker.start()
        worker.join(timeout=20)
        assert results and results[0].status == "sent"
        assert len(handler.received) == 1

    def test_works_when_called_inside_a_running_event_loop(self, smtp_server):
        handler, port = smtp_server

        async def caller():
            return make_sender(port).send(reply())

        result = asyncio.run(caller())
        assert result.provider_id == handler.last_message()["Message-ID"]

    def test_451_is_transient(self, smtp_server):
        handler, port = smtp_server
        handler.data_reply = "451 4.3.0 Mailbox temporarily unavailable"
        with pytest.raises(TransientSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 451
        assert handler.received == []

    def test_550_is_permanent(self, smtp_server):
        handler, port = smtp_server
        handler.data_reply = "550 5.7.1 Message rejected"
        with pytest.raises(PermanentSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 550

    def test_recipient_refused_550_is_permanent(self, smtp_server):
        handler, port = smtp_server
        handler.rcpt_reply = "550 5.1.1 No such user"
        with pytest.raises(PermanentSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 550

    def test_recipient_greylisted_450_is_transient(self, smtp_server):
        handler, port = smtp_server
        handler.rcpt_reply = "450 4.2.0 Greylisted, try again"
        with pytest.raises(TransientSendError) as info:
            make_sender(port).send(reply())
        assert info.value.code == 450

    def test_nobody_listening_is_transient(self):
        with pytest.raises(TransientSendError):
            make_sender(free_port()).send(reply())

    def test_other_channel_is_refused(self):
        with pytest.raises(ValueError):
            make_sender(25).send(OutboundMessage(channel="whatsapp", to="+254711000101", text="hi"))


def test_forwarded_letter_is_read_not_cut_as_a_quote():
    """Regression: a first e-mail forwarding the doctor's summary lost the summary and the patient's words after it."""
    body = (
        "Please see my father's summary below, we are not sure which service he needs.\n\n"
        "---------- Forwarded message ---------\nFrom: Dr Mensah <dr@hospital.example>\nDate: Mon, 3 Nov 2026\n"
        "Subject: Summary\n\nDiagnosis: DLBCL, relapsed after R-CHOP and R-ICE.\n\nThanks, Kofi"
    )
    msg = parse_simple("kofi@example.org", "Fwd: Summary", body)
    assert "relapsed after R-CHOP" in msg.text and "Thanks, Kofi" in msg.text
    reply = parse_simple("kofi@example.org", "Re: your questions", "Yes.\n\nOn Mon, 3 Nov 2026, CancerFax <care@x.org> wrote:\n> What stage?")
    assert reply.text == "Yes."
