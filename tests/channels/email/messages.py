"""Real-looking raw e-mails (CRLF line ends, as on the wire) and one outbound
reply, shared by the e-mail adapter tests."""

from __future__ import annotations

import base64

from channels.base import OutboundMessage

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


# --------------------------------------------------------------------------- an outbound reply


def reply(**kwargs) -> OutboundMessage:
    """A patient's threaded reply as the outbox would hand it over; `kwargs` override fields."""
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
