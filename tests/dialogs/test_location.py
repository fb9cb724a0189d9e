"""dialogs/understanding/location.py: where the patient lives, in any language."""
from __future__ import annotations

import pytest
from babel import Locale

from dialogs.understanding.facts import extract_facts, merge_facts
from dialogs.understanding.location import LOCALES, find_location


def _place(text: str) -> tuple[str | None, str | None, int]:
    """(country, city, strength) of find_location: 2 = tied to where the patient
    lives, 1 = a plain mention, 0 = nothing found."""
    return find_location(text)[:3]


RESIDENCE = [
    # English
    ("We live in Kumasi, Ghana.", "GH", "Kumasi"),
    ("My brother lives with our family in Addis Ababa, Ethiopia.", "ET", "Addis Ababa"),
    ("It was diagnosed at Mulago hospital here in Kampala, Uganda.", "UG", "Kampala"),
    ("We are in Lusaka, Zambia. My dad is 63 years old.", "ZM", "Lusaka"),
    ("We live in Dubai, UAE (originally from Kochi, Kerala).", "AE", "Dubai"),
    ("I'm writing from Manchester about my mum who lives in Lagos, Nigeria.", "NG", "Lagos"),
    ("We are based in Nairobi", "KE", "Nairobi"),
    ("we moved to Toronto last year", "CA", "Toronto"),
    ("My father lives in Karachi.", "PK", "Karachi"),
    # Arabic
    ("نحن ساكنين في بغداد، العراق.", "IQ", "Baghdad"),
    ("نعيش في بيروت", "LB", "Beirut"),
    ("نسكن في الدار البيضاء", "MA", "Casablanca"),
    # Bengali
    ("আমরা ঢাকা, বাংলাদেশে থাকি।", "BD", "Dhaka"),
    # Hindi / Hinglish
    ("हम लखनऊ (उत्तर प्रदेश, भारत) में रहते हैं।", "IN", "Lucknow"),
    ("Hum log Nashik, Maharashtra (India) me rehte hain.", "IN", "Nashik"),
    # Urdu
    ("ہم لاہور، پاکستان میں رہتے ہیں۔", "PK", "Lahore"),
    # Chinese
    ("我父亲今年56岁，住在中国广东省广州市。", "CN", "Guangzhou"),
    ("我們住在台北", "TW", "Taipei"),
    # Turkish
    ("Annem ve biz İzmir'de yaşıyoruz, Türkiye.", "TR", "Izmir"),
    ("İstanbul'da yaşıyoruz", "TR", "Istanbul"),
    # French
    ("mon père, 71 ans, qui vit avec nous à Casablanca (Maroc)", "MA", "Casablanca"),
    ("nous habitons à Dakar", "SN", "Dakar"),
    # Russian
    ("Мы живём в Алматы, Казахстан.", "KZ", "Almaty"),
    ("Мы живем в Ташкенте", "UZ", "Tashkent"),
    # Swahili
    ("Tunaishi Dar es Salaam, Tanzania.", "TZ", "Dar es Salaam"),
    ("Tunaishi Nairobi", "KE", "Nairobi"),
    # Tagalog
    ("Nakatira po kami sa Cebu City, Pilipinas.", "PH", "Cebu"),
    ("dito sa Davao", "PH", "Davao"),
    # Tamil
    ("நாங்கள் சென்னை, தமிழ்நாடு, இந்தியாவில் வசிக்கிறோம்.", "IN", "Chennai"),
    ("நாங்கள் யாழ்ப்பாணத்தில் வசிக்கிறோம்", "LK", "Jaffna"),
    # Sinhala
    ("අපි ජීවත් වෙන්නේ ශ්‍රී ලංකාවේ මහනුවර.", "LK", "Kandy"),
    # Nepali
    ("हामी काठमाडौं, नेपालमा बस्छौं।", "NP", "Kathmandu"),
    ("हामी पोखरामा बस्छौं", "NP", "Pokhara"),
    # Gujarati
    ("પપ્પા વડોદરા, ગુજરાત, ભારતમાં રહે છે.", "IN", "Vadodara"),
    ("અમે અમદાવાદમાં રહીએ છીએ", "IN", "Ahmedabad"),
]


@pytest.mark.parametrize("text,country,city", RESIDENCE)
def test_residence(text: str, country: str, city: str) -> None:
    assert _place(text) == (country, city, 2)


COUNTRY_ONLY = [
    ("We live in Kenya", "KE"),
    ("she lives in Sri Lanka", "LK"),
    ("Nous vivons au Sénégal", "SN"),
    ("Мы живём в России", "RU"),
    ("Tunaishi Kenya", "KE"),
    ("நாங்கள் இந்தியாவில் வசிக்கிறோம்", "IN"),
    ("हामी नेपालमा बस्छौं", "NP"),
    ("અમે ભારતમાં રહીએ છીએ", "IN"),
    ("আমরা বাংলাদেশে থাকি", "BD"),
    ("Türkiye'de yaşıyoruz", "TR"),
    ("نحن نعيش في العراق", "IQ"),
    ("我们住在美国", "US"),
    ("We live in the USA", "US"),
    ("we live in the UK", "GB"),
    ("We live in America", "US"),
    ("we live in the Emirates", "AE"),
]


@pytest.mark.parametrize("text,country", COUNTRY_ONLY)
def test_country_without_city(text: str, country: str) -> None:
    found, city, strength = _place(text)
    assert (found, city, strength) == (country, None, 2)


PLAIN_MENTIONS = [
    ("She was diagnosed at Aga Khan Hospital in Nairobi, Kenya.", "KE", "Nairobi"),
    ("The doctors in Lagos have not started treatment.", "NG", "Lagos"),
    ("சென்னை சங்கர நேத்ராலயாவில் கண்டறிந்தார்கள்", "IN", "Chennai"),
    ("Kenya", "KE", None),
    ("Colombo", "LK", "Colombo"),
    ("Dhaka, Bangladesh", "BD", "Dhaka"),
]


@pytest.mark.parametrize("text,country,city", PLAIN_MENTIONS)
def test_plain_mention(text: str, country: str, city: str | None) -> None:
    assert _place(text) == (country, city, 1)


IGNORED = [
    "He had an autologous stem cell transplant at a hospital in Chennai, India in early 2025.",
    "I'm writing from Manchester.",
    "We are originally from Kochi, Kerala.",
    "he only travelled to India for the transplant",
    "Была операция (субтотальная резекция) в Астане",
    "હું અમેરિકા (ન્યૂ જર્સી) થી લખું છું.",
    "2024 me Tata Memorial Mumbai me surgery hui thi",
    "We want to bring mum over to London to be seen in person.",
    "a liver specialist in the US or Europe",
    "Nous souhaitons une protonthérapie en Europe (Allemagne ou France).",
]


@pytest.mark.parametrize("text", IGNORED)
def test_places_that_are_not_home(text: str) -> None:
    assert _place(text) == (None, None, 0)


@pytest.mark.parametrize(
    "text,country,city",
    [
        ("I'm writing from Manchester about my mum who lives in Lagos, Nigeria. Her doctors in Lagos are good.", "NG", "Lagos"),
        ("He had a transplant at a hospital in Chennai, India. He lives with us in Addis Ababa, Ethiopia.", "ET", "Addis Ababa"),
        ("We live in Beirut, Lebanon and want a specialist in the US or Europe.", "LB", "Beirut"),
        ("Il vit avec nous à Casablanca (Maroc). Nous souhaitons une protonthérapie en Europe (Allemagne ou France).", "MA", "Casablanca"),
        ("I live in London and my mother lives in Lahore.", "PK", "Lahore"),
        ("Мы живём в Алматы, Казахстан. Была операция в Астане.", "KZ", "Almaty"),
    ],
)
def test_residence_wins_over_other_places(text: str, country: str, city: str) -> None:
    assert _place(text) == (country, city, 2)


@pytest.mark.parametrize(
    "text,country",
    [
        ("My daughter lives in Jordan", "JO"),
        ("We live in Amman, Jordan", "JO"),
        ("we are in Chad", "TD"),
    ],
)
def test_ambiguous_country_names_with_a_locative(text: str, country: str) -> None:
    assert _place(text)[0] == country


@pytest.mark.parametrize(
    "text",
    [
        "Regards,\nJordan",
        "Chad and I are worried about mum",
        "mali pala yung sinabi ko kanina",
        "I am not sure at all",
        "We will turkey for Christmas",
        "心中非常担心",
        "",
        "yes",
        "Thank you, doctor",
    ],
)
def test_no_location(text: str) -> None:
    assert _place(text) == (None, None, 0)


def test_city_data_in_native_scripts() -> None:
    assert _place("ঢাকায় থাকি")[0:2] == ("BD", "Dhaka")
    assert _place("ہم کراچی میں رہتے ہیں")[0:2] == ("PK", "Karachi")
    assert _place("我们住在北京")[0:2] == ("CN", "Beijing")
    assert _place("Мы живём в Бишкеке")[0:2] == ("KG", "Bishkek")
    assert _place("අපි කොළඹ ජීවත් වෙනවා")[0:2] == ("LK", "Colombo")


@pytest.mark.parametrize("locale", sorted(set(LOCALES.values())))
def test_every_cldr_name_of_a_major_country_resolves(locale: str) -> None:
    """Country names in any supported language resolve through CLDR (DESIGN 6.5)."""
    names = Locale.parse(locale).territories
    for code in ("IN", "KE", "NG", "PK", "BD", "LK", "NP", "PH", "TZ", "TR", "EG", "IQ", "KZ", "DE", "BR", "MX"):
        assert _place(f"{names[code]}")[0] == code, (locale, code, names[code])


def test_the_patients_home_beats_the_familys() -> None:
    assert _place("We are Nigerians living in the UK. My mum is in Abuja with thyroid cancer.")[:2] == ("NG", "Abuja")
    assert _place("We live in Dubai but my father lives in Kochi, Kerala.")[:2] == ("IN", "Kochi")


def test_a_name_that_is_a_country_or_a_city() -> None:
    assert _place("نحن نعيش في عمّان، الأردن")[:2] == ("JO", "Amman")
    assert _place("We live in Singapore")[:2] == ("SG", "Singapore")
    assert _place("Hyderabad, Pakistan")[0] == "PK"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("San Fernando, Trinidad and Tobago", "TT"),
        ("We live in Bosnia and Herzegovina", "BA"),
        ("Saint Kitts and Nevis", "KN"),
        ("Antigua ve Barbuda", "AG"),
        ("أنتيغوا و بربودا", "AG"),
        ("Сент-Китс и Невис", "KN"),
        ("we are in Amman", "JO"),
        ("Muscat, Oman", "OM"),
    ],
)
def test_country_names_with_and_in_every_language(text: str, country: str) -> None:
    assert find_location(text)[0] == country


def test_amman_written_with_shadda_is_the_city_not_oman() -> None:
    assert find_location("أخي يأخذ علاج كيماوي في عمّان")[:2] == ("JO", "Amman")
    assert find_location("نعيش في عمان")[0] == "OM"


def test_going_to_another_country_is_not_where_the_patient_lives() -> None:
    assert find_location("අපිට ඕන ඉන්දියාවට ගිහින් විශේෂඥ වෛද්‍යවරයෙක්ව මුණගැහිලා දෙවන මතයක් ගන්න")[0] is None


def _fact(text: str, language: str, key: str):
    return extract_facts(text, language).get(key)


# ---------------------------------------------------------------- the writer's place is not the patient's

@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("مرحبا، أنا مقيم في ألمانيا وأكتب عن والدي، عمره ٦٢ سنة، عنده ورم نقوي متعدد.", "ar"),
        ("你好，我在新加坡工作，想咨询我妈妈的情况。她患有乳腺癌。", "zh-Hans"),
        ("வணக்கம். நான் சிங்கப்பூரில் வேலை செய்கிறேன். என் அப்பாவுக்கு கல்லீரல் புற்றுநோய்.", "ta"),
        ("I work in Dubai. My mother has breast cancer.", "en"),
    ],
)
def test_writers_own_place_is_not_the_patients_location(text: str, language: str) -> None:
    assert extract_facts(text, language).get("location.country") is None


def test_writers_own_place_counts_when_the_writer_is_the_patient() -> None:
    assert _fact("I live in Nairobi, Kenya. I was diagnosed with breast cancer.", "en", "location.country") == "KE"


def test_writers_place_in_a_later_message_does_not_move_the_patient() -> None:
    facts = merge_facts({}, extract_facts("My father has liver cancer.", "en"))
    facts = merge_facts(facts, extract_facts("I live in Toronto, Canada.", "en"))
    assert facts.get("location.country") is None
    facts = merge_facts(facts, extract_facts("He lives in Kochi, India.", "en"))
    assert facts.get("location.country") == "IN"


def test_patients_place_beside_the_writers_place_wins() -> None:
    assert find_location("I live in Toronto; my father (67) lives in Kochi, Kerala, India.")[0] == "IN"


# Issue 16: a diaspora writer's patient lives elsewhere. The place nearest the patient's
# relation word is the patient's; the one nearest the writer's "I" is the writer's.
DIASPORA = [
    ("I'm in Riyadh, my father is in Batangas", "en", "PH"),
    ("Nasa Riyadh ako ngayon, si nanay naman nasa Cebu", "tl", "PH"),
    ("أنا في الرياض وأبوي في القاهرة", "ar", "EG"),
    ("main Dubai mein kaam karta hoon, abbu Multan mein rehte hain", "ur", "PK"),
    ("我在深圳上班，我爸在广州", "zh-Hans", "CN"),
    ("Je suis à Paris, ma mère est à Dakar", "fr", "SN"),
]


@pytest.mark.parametrize(("text", "language", "country"), DIASPORA)
def test_a_diaspora_writers_patient_is_placed_where_the_patient_lives(text: str, language: str, country: str) -> None:
    facts = extract_facts(text, language)
    assert facts.get("location.country") == country, facts


def test_the_writers_own_place_alone_is_not_the_patients() -> None:
    facts = extract_facts("I am in London. My mother has lung cancer", "en")
    assert "location.country" not in facts and facts["_location_writer"]


@pytest.mark.parametrize(("text", "country"), [
    ("She lives in Batangas", "PH"),  # ISO 3166-2 subdivisions (pycountry) as places
    ("amma Sylhet e thaken", "BD"),
])
def test_a_province_or_division_named_as_home_is_a_place(text: str, country: str) -> None:
    assert find_location(text)[0] == country


def test_a_subdivision_name_needs_a_capital_and_a_locative() -> None:
    assert find_location("the central line batangas style")[0] is None
