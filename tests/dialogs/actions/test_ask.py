"""dialogs.actions.ask: the form asks one question at a time on WhatsApp and all at once
by e-mail, greets once, rephrases a question asked before (DESIGN 2.3), never repeats
a text, and lets the family's own question be answered first."""
from __future__ import annotations


from dialogs.actions.ask import (ActionAnswerQuestion, ActionAskCancerType, ActionAskConsent, ActionAskLocation,
                                 ValidateIntakeForm)
import estimates
from dialogs.messages import org, t
from tests.dialogs.actions.turns import Chat, message, run, slots


def _opening(language: str, name: str | None = None) -> list[str]:
    params = {**org(), "name": name}
    return [t(key, language, **params) for key in ("greeting", "disclaimer", "privacy")]


def test_a_first_message_in_french_gets_the_french_greeting_and_consent_question() -> None:
    understood, asked = Chat().say("Bonjour, ma mère a un cancer du sein")
    assert asked.texts == ["\n\n".join([*_opening("fr"), t("consent_question", "fr", **org())])]
    assert asked.texts[0].startswith("Bonjour")
    assert asked.slot("greeted") is True and asked.slot("asked") == {"consent": 1}
    assert asked.slot("last_text") == asked.texts[0]
    assert asked.updates == []  # asking changes no case: understanding published it


def test_the_greeting_names_the_contact() -> None:
    _, asked = Chat().say("Hello", contact_name="  أبو حسن  ")
    assert asked.texts[0].startswith(t("greeting", "en", **{**org(), "name": "أبو حسن"}))


def test_the_greeting_comes_once_and_consent_is_thanked_once() -> None:
    chat = Chat()
    chat.say("Hello")
    _, asked = chat.say("yes")
    assert asked.texts == [t("consent_thanks", "en") + "\n\n" + t("ask_cancer_type", "en", **org())]
    _, next_question = chat.say("My mother has breast cancer")
    assert next_question.texts == [t("ask_treatment_history", "en", **org())]


def test_a_question_asked_again_is_rephrased_and_says_why() -> None:
    chat = Chat()
    chat.say("Hello")
    chat.say("yes")
    _, again = chat.say("hmm")
    assert again.texts == [t("not_understood", "en") + "\n\n" + t("reask_cancer_type", "en", **org())]
    assert again.slot("asked")["cancer_type"] == 2


def test_consent_asked_again_uses_the_reask() -> None:
    state = slots(language="en", greeted=True, asked={"consent": 1}, understood=False, turn=2.0)
    turn = run(ActionAskConsent(), state, message("hmm"))
    assert turn.texts == [t("consent_reask", "en", **org())]
    assert turn.slot("asked") == {"consent": 2}


def test_the_same_text_as_the_last_reply_is_varied() -> None:
    text = t("ask_location", "en", **org())
    state = slots(language="en", greeted=True, consent="given", asked={"consent": 1, "_thanked": 1}, last_text=text)
    turn = run(ActionAskLocation(), state, message("ok"))
    assert turn.texts == [t("noted_again", "en") + "\n\n" + text]


def test_files_sent_are_acknowledged_before_the_question() -> None:
    state = slots(language="en", greeted=True, consent="given", asked={"consent": 1, "_thanked": 1}, new_files=2.0)
    turn = run(ActionAskCancerType(), state, message("/inform"))
    assert turn.texts == [t("records_received", "en", count=2) + "\n\n" + t("ask_cancer_type", "en", **org())]


def test_an_email_asks_every_missing_question_at_once_and_for_consent() -> None:
    _, asked = Chat("email").say("Hello, my brother has cancer")
    text = asked.texts[0]
    questions = [f"{i}. {t('email_q_' + s, 'en')}" for i, s in
                 enumerate(("cancer_type", "treatment_history", "location", "requested_service"), 1)]
    assert text == "\n\n".join([*_opening("en"), t("email_intro", "en"),
                                t("email_questions_intro", "en") + "\n" + "\n".join(questions),
                                t("consent_request_email", "en")])
    assert asked.slot("asked") == {"cancer_type": 1, "treatment_history": 1, "location": 1, "requested_service": 1}


def test_the_form_needs_only_the_basics_after_a_red_flag() -> None:
    form = ValidateIntakeForm()
    state = slots(emergency=True, consent="given", cancer_type="lung", turn=1.0)
    turn = run(form, state, message("ok"), active_loop="intake_form")
    assert turn.slot("requested_slot") == "location"
    assert turn.events[-1] == {"event": "slot", "timestamp": None, "name": "turn", "value": 1.0}


ORGANISATION = [{"text": "who are you?", "topics": ["organisation"], "service": None}]


def test_the_form_never_rejects_a_question_the_next_question_carries_its_answer() -> None:
    state = slots(consent="given", turn=1.0, language="en", questions=ORGANISATION)
    asking = message("how much does it cost?", intent="ask_cost")
    assert run(ValidateIntakeForm(), state, asking, active_loop="intake_form").events[-1]["name"] == "turn"
    asked = run(ActionAskCancerType(), {**state, "greeted": True}, asking)
    assert asked.texts[0].startswith(t("answer_organisation", "en", **org()))
    assert asked.texts[0].rstrip().endswith(t("ask_cancer_type", "en", **org()))
    assert asked.slot("answered_turn") == 1.0


def test_a_question_answered_in_this_turn_is_asked_again_without_counting() -> None:
    state = slots(language="en", greeted=True, asked={"consent": 1}, turn=2.0, answered_turn=2.0)
    assert run(ActionAskConsent(), state, message("who are you?")).slot("asked") == {"consent": 1}


def test_a_question_during_the_intake_is_answered_and_the_turn_marked() -> None:
    state = slots(language="en", greeted=True, consent="given", turn=3.0, questions=ORGANISATION)
    turn = run(ActionAnswerQuestion(), state, message("who are you?", intent="ask_organisation"))
    assert turn.texts == [t("answer_organisation", "en", **org())]
    assert turn.slot("answered_turn") == 3.0 and turn.updates == []


def test_a_message_that_is_no_question_is_left_to_the_form() -> None:
    state = slots(language="en", greeted=True, consent="given")
    assert run(ActionAnswerQuestion(), state, message("breast", intent="ask_cost", confidence=0.3)).events == []


def test_an_email_gives_the_recommendation_the_facts_so_far_support_before_the_questions() -> None:
    understood, asked = Chat("email").say("Hello, my father's DLBCL lymphoma relapsed after R-CHOP. What can be done?")
    text = asked.texts[0]
    line = estimates.render_recommendation_line(
        {"primary": "car_t_eligibility", "secondary": [], "reasons": ["R3_car_t: ..."]}, "en")
    provisional = t("email_provisional", "en", line=line)
    assert provisional in text and text.index(provisional) < text.index(t("email_questions_intro", "en"))
    assert understood.update.case["recommendation"]["primary"] is None  # told, not yet the case's: no ticket yet
