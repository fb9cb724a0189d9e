"""dialogs/actions/acts.py: what the dialogue makes of a message's acts (a question is not
an answer; after a recommendation only a wish or a yes to our offer changes the service)."""
from __future__ import annotations

from dialogs.actions import acts
from dialogs.understanding.acts import ActReading, Part


def reading(*parts: tuple[str, str]) -> ActReading:
    return ActReading(tuple(Part(text, act, 0.9, ("service",) if act == "question" else ()) for text, act in parts))


def test_what_was_told_leaves_out_the_questions_and_what_a_correction_takes_back() -> None:
    r = reading(("Sorry, she is 47 not 74.", "correction"), ("Is proton possible?", "question"))
    assert acts.told(r, "ignored", "en").split() == ["Sorry,", "she", "is", "47", "."]
    assert acts.told(ActReading(), "the whole text") == "the whole text"  # no reading: all of it


def test_a_service_named_after_the_recommendation_changes_nothing_without_a_wish() -> None:
    found = {"request.service": "records_translation", "request.text": "we did the translation"}
    assert acts.service_after_recommendation(found, reading(("we did the translation", "inform")), None, False) == {}
    wish = reading(("please change it to translation", "wish"))
    assert acts.service_after_recommendation(found, wish, None, False)["request.service"] == "records_translation"


def test_a_yes_to_our_offer_changes_the_service_and_a_no_does_not() -> None:
    r = reading(("yes please", "consent"))
    assert acts.service_after_recommendation({}, r, "proton_therapy", True) == {"request.service": "proton_therapy"}
    assert acts.service_after_recommendation({}, reading(("no thanks", "refusal")), "proton_therapy", False) == {}


def test_the_offer_is_the_service_a_question_named_when_it_is_not_the_recommended_one() -> None:
    asked = [{"text": "is proton possible?", "topics": ["service"], "service": "proton_therapy"}]
    assert acts.offer(asked, "remote_second_opinion") == "proton_therapy"
    assert acts.offer(asked, "proton_therapy") is None
    assert acts.offer([{"text": "how much?", "topics": ["cost"], "service": None}], "remote_second_opinion") is None


def test_consent_is_read_from_what_was_told_even_with_a_question() -> None:
    assert acts.consent(reading(("ji theek hai,", "consent"), ("kitna time lagega?", "question"))) == "given"
    assert acts.consent(reading(("nahi,", "refusal"))) == "refused"
    assert acts.consent(reading(("kitna time lagega?", "question"))) is None
    # A fragment read as a refusal beside a question does not end the conversation.
    assert acts.consent(reading(("Kwanza nieleze,", "refusal"), ("ni bure?", "question"))) is None


def test_a_failing_reader_loses_nothing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(text: str) -> ActReading:
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(acts, "read_acts", broken)
    r = acts.read("my mother has breast cancer")
    assert r.parts == () and acts.told(r, "my mother has breast cancer") == "my mother has breast cancer"


def test_the_service_named_in_the_familys_own_words_fills_in_for_the_lexicon() -> None:
    wish = ActReading((Part("on préfère aller voir les médecins sur place", "wish", 0.9, (),
                            "in_person_second_opinion", 0.9),))
    learned = acts.learned_service(wish, answering=False)
    assert learned == "in_person_second_opinion"
    assert acts.named_service(None, learned) == "in_person_second_opinion"
    assert acts.named_service("remote_second_opinion", learned) == "in_person_second_opinion"  # unqualified "avis"
    assert acts.named_service("proton_therapy", learned) == "proton_therapy"  # the lexicon's exact words first
    story = ActReading((Part("the surgeon said it cannot be operated", "inform", 0.9, (), "surgical_resectability_review", 0.9),))
    assert acts.learned_service(story, answering=False) is None  # the situation, not a choice
    assert acts.learned_service(story, answering=True) == "surgical_resectability_review"  # ... unless it answers us
    heard = ActReading((Part("I heard of CAR-T,", "inform", 0.5, (), "car_t_eligibility", 0.99, in_question=True),
                        Part("what is it?", "question", 0.9, ("service",))))
    assert acts.learned_service(heard, answering=True) is None  # named inside a question
    found = {"request.service": "car_t_eligibility"}
    acts.choose_service(found, heard, "I heard of CAR-T, what is it?", "en", answering=True)
    assert "request.service" not in found
    unsure = ActReading((Part("maybe the online one", "answer", 0.9, (), "remote_second_opinion", 0.5),))
    assert acts.learned_service(unsure, answering=True) is None  # not sure enough


def test_human_words_the_reader_surely_reads_as_something_else_are_no_request_for_a_person() -> None:
    in_person = ActReading((Part("on préfère un avis en personne", "wish", 0.99),
                            Part("merci de changer", "greeting", 0.96)))
    assert acts.surely_something_else(in_person)
    asking = ActReading((Part("on préfère un avis en personne", "wish", 0.99),
                         Part("je peux parler à quelqu'un ?", "request_human", 0.6)))
    assert not acts.surely_something_else(asking) and not acts.surely_something_else(ActReading())


def test_consent_and_refusal_in_one_message_decide_nothing() -> None:
    mixed = reading(("hapana, hatutaki kushare.", "refusal"), ("poa tu,", "consent"), ("asanteni", "greeting"))
    assert acts.consent(mixed) is None
