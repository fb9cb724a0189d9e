"""Numbers written as words (dialogs/understanding/facts/numbers.py, numbers.yml) and
numbered answers to the service menu (facts/request.py menu_number): ages such as
"sixty-two" / "बासठ" / "اثنين وستين" in every language, menu answers in every
script's digits, Chinese numerals, ordinals and "number 4"."""
from __future__ import annotations

import pytest

from dialogs.actions.form_slots import menu_choice
from dialogs.understanding.facts import extract_facts
from dialogs.understanding.facts.request import menu_number


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My father is sixty-two and has colon cancer", "en"),
        ("Mon père a soixante-deux ans, cancer du côlon", "fr"),
        ("Babam altmış iki yaşında, kolon kanseri", "tr"),
        ("Моему отцу шестьдесят два года, рак толстой кишки", "ru"),
        ("Baba yangu ana miaka sitini na mbili, ana saratani ya utumbo", "sw"),
        ("Ang tatay ko ay animnapu't dalawang taong gulang, may colon cancer", "tl"),
        ("والدي عمره اثنين وستين سنة ومصاب بسرطان القولون", "ar"),
        ("मेरे पिता बासठ साल के हैं, उन्हें कोलन कैंसर है", "hi"),
        ("میرے والد باسٹھ سال کے ہیں، انہیں بڑی آنت کا کینسر ہے", "ur"),
        ("আমার বাবার বয়স বাষট্টি বছর, কোলন ক্যান্সার", "bn"),
        ("મારા પિતા બાસઠ વર્ષના છે, કોલોન કેન્સર", "gu"),
        ("मेरो बुबा बयसट्ठी वर्षको हुनुहुन्छ, कोलोन क्यान्सर", "ne"),
        ("என் அப்பாவுக்கு அறுபத்து இரண்டு வயது, பெருங்குடல் புற்றுநோய்", "ta"),
        ("මගේ තාත්තාට අවුරුදු හැට දෙකයි, මහා බඩවැල් පිළිකාව", "si"),
        ("我父亲六十二岁，结肠癌", "zh-Hans"),
    ],
)
def test_ages_written_as_words(text: str, language: str) -> None:
    assert extract_facts(text, language).get("patient.age") == 62


@pytest.mark.parametrize("text", ["she had six cycles of chemo", "na", "do din pehle"])
def test_small_number_words_are_not_ages(text: str) -> None:
    assert extract_facts(text, "en").get("patient.age") is None


@pytest.mark.parametrize(
    ("text", "language", "number"),
    [
        ("6", "en", 6), ("٦", "ar", 6), ("۶", "ur", 6), ("६", "hi", 6), ("৬", "bn", 6), ("૬", "gu", 6),
        ("௬", "ta", 6), ("෬", "si", 6), ("６", "zh-Hans", 6), ("六", "zh-Hans", 6), ("第六个", "zh-Hans", 6),
        ("the sixth", "en", 6), ("the sixth one please", "en", 6), ("number 4", "en", 4), ("option 4", "en", 4),
        ("No. 4", "en", 4), ("(4)", "en", 4), ("second one", "en", 2), ("छह", "hi", 6), ("छठा वाला", "hi", 6),
        ("छ नम्बर", "ne", 6), ("le numéro 3", "fr", 3), ("numara 5", "tr", 5), ("номер 6", "ru", 6),
        ("namba 3", "sw", 3), ("pang-apat po", "tl", 4), ("நான்கு", "ta", 4), ("හය", "si", 6), ("ছয়", "bn", 6),
        ("છ", "gu", 6), ("رقم ٣", "ar", 3), ("الخيار الثامن", "ar", 8), ("2号", "zh-Hans", 2),
    ],
)
def test_menu_numbers_in_every_script_and_as_words(text: str, language: str, number: int) -> None:
    assert menu_number(text, language) == number


@pytest.mark.parametrize("text", ["ठिक छ", "he is 45", "my father is 8 years old", "1 and 2", "yes", "9"])
def test_not_a_menu_answer(text: str) -> None:
    assert menu_choice(text, "ne" if "छ" in text else "en") is None


def test_a_menu_number_as_one_sentence_of_a_longer_answer() -> None:
    story = "Ngayon po bumalik yung bukol, hindi na daw nila kayang operahan dito. Yung pangatlo po."
    assert menu_choice(story, "tl", in_sentences=True) == "surgical_resectability_review"
    assert menu_choice("The biopsy came back. Stage 3.", "en", in_sentences=True) is None


@pytest.mark.parametrize(
    ("text", "age"),
    [("என் அம்மாவுக்கு அறுபத்தைந்து வயது", 65), ("என் மாமனாருக்கு எழுபத்தெட்டு வயது.", 78), ("அப்பாவுக்கு அறுபத்திரண்டு வயது", 62)],
)
def test_tamil_glued_tens_and_units(text: str, age: int) -> None:
    assert extract_facts(text, "ta").get("patient.age") == age


def test_an_age_in_a_run_on_message() -> None:
    text = "hello my sister Achol is 41 she has stomach cancer they are giving her chemo"
    assert extract_facts(text, "en").get("patient.age") == 41


@pytest.mark.parametrize(
    ("text", "language", "age"),
    [
        ("என் மகனுக்கு பத்து வயது, காலில் எலும்பு புற்றுநோய்", "ta", 10),
        ("my son is seven years old", "en", 7),
        ("मेरा बेटा दस साल का है", "hi", 10),
        ("ابني عمره اثنا عشر سنة", "ar", 12),
        ("පුතාට අවුරුදු දොළහයි", "si", 12),
        ("mwanangu ana miaka tisa", "sw", 9),
        ("ok so my brother he is forty five he had a brain tumour", "en", 45),
        ("папе шестьдесят восемь", "ru", 68),
    ],
)
def test_small_ages_in_words_before_an_age_word(text: str, language: str, age: int) -> None:
    assert extract_facts(text, language).get("patient.age") == age


@pytest.mark.parametrize(("text", "language"), [("do saal pehle operation hua", "hi"), ("she had chemo two years ago", "en")])
def test_durations_are_not_ages(text: str, language: str) -> None:
    assert extract_facts(text, language).get("patient.age") is None


def test_roman_urdu_son_and_sinhala_age_at_the_end() -> None:
    assert extract_facts("mera beta 4 saal ka hai usko neuroblastoma hai", "ur").get("patient.relation") == "child"
    assert extract_facts("තාත්තට අවුරුදු 65", "si").get("patient.age") == 65
