"""channels/email/text.py: quote removal and HTML to text."""

from __future__ import annotations

from channels.email.text import html_to_text, remove_quoted_text


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
