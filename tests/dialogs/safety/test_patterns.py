"""Tests for dialogs/understanding/safety/patterns.py, the lexicon reader (DESIGN 6.4).

Recall matters more than precision, so the positive table is large and in
every language; the negative table holds the intake history that must not
page the urgent queue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.understanding.safety import detect_red_flags
from dialogs.understanding.text import LEXICON_DIR, compile_patterns

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
VOCABULARY = ROOT / "bot" / "contract" / "vocabulary.yml"
FLAGS = list(yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))["red_flags"])


def _dev_conversations() -> list[dict]:
    if not CORPUS.exists():
        return []
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


DEV = _dev_conversations()


@pytest.mark.skipif(not DEV, reason="dev corpus not available")
@pytest.mark.parametrize("conv", DEV, ids=[c["id"] for c in DEV])
def test_dev_corpus_flags(conv):
    """Flagged conversations flag exactly their codes on the first message;
    all other messages of the corpus flag nothing."""
    expected = conv["expect"].get("case.safety.red_flags", [])
    per_message = [detect_red_flags(e["body"]) for e in conv["events"]]
    if expected:
        assert per_message[0] == expected
        assert all(flags in ([], expected) for flags in per_message[1:])
    else:
        assert per_message == [[] for _ in per_message]


POSITIVE = [
    ('neutropenic_fever', 'My son is on chemo and since last night he has a fever of 38.9'),
    ('neutropenic_fever', 'Mum had her chemotherapy 5 days ago and now she has chills and shaking'),
    ('neutropenic_fever', 'He finished cycle 3 of R-CHOP last week, today temperature is 38.5'),
    ('neutropenic_fever', 'temp 101.3F after his docetaxel'),
    ('neutropenic_fever', 'she is febrile after chemo'),
    ('neutropenic_fever', 'ابوي ياخذ كيماوي وعنده حمى من امس'),
    ('neutropenic_fever', 'بنتي بعد الجرعة الكيماوية صار عندها سخونة ٣٨٫٥'),
    ('neutropenic_fever', 'ammi ki chemo chal rahi hai aur kal raat se tez bukhar hai'),
    ('neutropenic_fever', 'पापा की कीमो चल रही है और उन्हें 102 बुखार है'),
    ('neutropenic_fever', 'আম্মুর কেমো চলছে, গতকাল থেকে জ্বর ১০২'),
    ('neutropenic_fever', 'میری والدہ کی کیمو ہو رہی ہے اور ان کو تیز بخار ہے'),
    ('neutropenic_fever', '我爸爸化疗后第五天开始发烧，体温39度'),
    ('neutropenic_fever', '我媽媽化療後發燒到38.8度，還會發冷'),
    ('neutropenic_fever', 'Annem kemoterapi alıyor, dün geceden beri ateşi 39'),
    ('neutropenic_fever', 'Babamın ilaç tedavisi sürüyor ve titreme nöbetleri var, ateşi yüksek'),
    ('neutropenic_fever', 'Mon père est sous chimio et il a de la fièvre depuis ce matin'),
    ('neutropenic_fever', 'ma mere a 39,2 de temperature apres sa cure de chimiotherapie'),
    ('neutropenic_fever', 'После химии у мамы температура 38,7 и озноб'),
    ('neutropenic_fever', 'Сын на химиотерапии, поднялась температура'),
    ('neutropenic_fever', 'Mama yangu anapata kemo na sasa ana homa kali'),
    ('neutropenic_fever', 'Baba alipata chemo wiki iliyopita, leo anatetemeka na ana homa'),
    ('neutropenic_fever', 'Nilalagnat po ang nanay ko pagkatapos ng chemo niya'),
    ('neutropenic_fever', 'May lagnat po si tatay, nagke-chemo siya ngayon'),
    ('neutropenic_fever', 'அம்மாவுக்கு கீமோ கொடுத்த பிறகு காய்ச்சல் வந்துள்ளது'),
    ('neutropenic_fever', 'තාත්තාට කීමෝ දුන්නට පස්සේ උණ තියෙනවා'),
    ('neutropenic_fever', 'बुबालाई केमो पछि ज्वरो आएको छ'),
    ('neutropenic_fever', 'પપ્પાને કીમો પછી તાવ આવ્યો છે, 102 ડિગ્રી'),
    ('breathing_difficulty', "she can't breathe properly and her lips are blue"),
    ('breathing_difficulty', 'My father has shortness of breath since this morning'),
    ('breathing_difficulty', 'he is struggling to breathe'),
    ('breathing_difficulty', 'Mum has chest pain right now'),
    ('breathing_difficulty', 'ابوي عنده ضيق تنفس شديد'),
    ('breathing_difficulty', 'امي ما تكدر تتنفس'),
    ('breathing_difficulty', 'पापा को सांस लेने में तकलीफ हो रही है'),
    ('breathing_difficulty', 'papa ko saans lene me dikkat ho rahi hai'),
    ('breathing_difficulty', 'ابو کو سانس لینے میں تکلیف ہے'),
    ('breathing_difficulty', 'আব্বুর শ্বাসকষ্ট হচ্ছে'),
    ('breathing_difficulty', '我妈妈现在呼吸困难'),
    ('breathing_difficulty', '爸爸胸口痛，喘不過氣'),
    ('breathing_difficulty', 'Babam nefes alamıyor'),
    ('breathing_difficulty', 'Annemin nefes darlığı var'),
    ('breathing_difficulty', 'Il a du mal à respirer depuis hier'),
    ('breathing_difficulty', 'ma mère est très essoufflée'),
    ('breathing_difficulty', 'У папы одышка и боль в груди'),
    ('breathing_difficulty', 'Mama anapumua kwa shida'),
    ('breathing_difficulty', 'Nahihirapan pong huminga ang tatay ko'),
    ('breathing_difficulty', 'அப்பாவுக்கு மூச்சுத் திணறல் இருக்கிறது'),
    ('breathing_difficulty', 'අම්මාට හුස්ම ගන්න අමාරුයි'),
    ('breathing_difficulty', 'बुबालाई सास फेर्न गाह्रो भएको छ'),
    ('breathing_difficulty', 'મમ્મીને શ્વાસ લેવામાં તકલીફ છે'),
    ('bleeding', 'He is vomiting blood'),
    ('bleeding', 'she started coughing up blood this morning'),
    ('bleeding', "heavy bleeding from the wound that won't stop"),
    ('bleeding', 'ابوي يستفرغ دم'),
    ('bleeding', 'امي عندها نزيف'),
    ('bleeding', 'पापा को खून की उल्टी हो रही है'),
    ('bleeding', 'papa ko khoon ki ulti ho rahi hai'),
    ('bleeding', 'امی کو خون کی الٹی ہو رہی ہے'),
    ('bleeding', 'আম্মুর রক্তবমি হচ্ছে'),
    ('bleeding', '我爸爸吐血了'),
    ('bleeding', '媽媽大量出血'),
    ('bleeding', 'Babam kan kusuyor'),
    ('bleeding', 'Il vomit du sang'),
    ('bleeding', 'У мамы кровотечение'),
    ('bleeding', 'Baba anatapika damu'),
    ('bleeding', 'Nagsusuka po ng dugo si nanay'),
    ('bleeding', 'அப்பாவுக்கு ரத்த வாந்தி வருகிறது'),
    ('bleeding', 'තාත්තාට ලේ වමනය යනවා'),
    ('bleeding', 'बुबालाई रगत बान्ता भइरहेको छ'),
    ('bleeding', 'પપ્પાને લોહીની ઉલટી થાય છે'),
    ('spinal_cord_compression', 'He has back pain and now his legs are numb'),
    ('spinal_cord_compression', 'my mother cannot pass urine since yesterday'),
    ('spinal_cord_compression', 'she has lost control of her bladder suddenly'),
    ('spinal_cord_compression', "spine metastases and today he can't walk"),
    ('spinal_cord_compression', 'ابوي عنده الم بالظهر ورجليه ضعيفة'),
    ('spinal_cord_compression', 'ما يقدر يبول من امس'),
    ('spinal_cord_compression', 'पापा को कमर में दर्द है और पैर सुन्न हो गए हैं'),
    ('spinal_cord_compression', 'papa ko kamar me dard hai aur chal nahi pa rahe'),
    ('spinal_cord_compression', 'پیشاب نہیں ہو رہا'),
    ('spinal_cord_compression', 'আব্বুর পিঠে ব্যথা আর পা অবশ হয়ে গেছে'),
    ('spinal_cord_compression', '爸爸背痛，双腿无力'),
    ('spinal_cord_compression', '妈妈尿不出来'),
    ('spinal_cord_compression', 'Babamın bel ağrısı var ve bacaklarında uyuşma başladı'),
    ('spinal_cord_compression', 'Babam idrar yapamıyor'),
    ('spinal_cord_compression', 'Il a mal au dos et ses jambes sont faibles'),
    ('spinal_cord_compression', "Il n'arrive plus à uriner"),
    ('spinal_cord_compression', 'боль в спине и ноги онемели'),
    ('spinal_cord_compression', 'не может помочиться'),
    ('spinal_cord_compression', 'Baba ana maumivu ya mgongo na miguu imekufa ganzi'),
    ('spinal_cord_compression', 'Baba hawezi kukojoa tangu jana'),
    ('spinal_cord_compression', 'Masakit ang likod ni tatay at namamanhid ang mga binti niya'),
    ('spinal_cord_compression', 'Hindi po makaihi si nanay'),
    ('spinal_cord_compression', 'அப்பாவுக்கு முதுகு வலி, கால்கள் மரத்துப் போயுள்ளன'),
    ('spinal_cord_compression', 'அம்மாவுக்கு சிறுநீர் கழிக்க முடியவில்லை'),
    ('spinal_cord_compression', 'තාත්තාට කොන්දේ කැක්කුම සහ කකුල් දුර්වලයි'),
    ('spinal_cord_compression', 'बुबालाई ढाड दुखेको छ र खुट्टा कमजोर भएको छ'),
    ('spinal_cord_compression', 'પપ્પાને કમરમાં દુખાવો છે અને પગ સુન્ન છે'),
    ('neurological', 'He had a seizure an hour ago'),
    ('neurological', 'my mum fainted this morning'),
    ('neurological', "dad is very confused and doesn't recognise us"),
    ('neurological', 'ابني صار عنده تشنج'),
    ('neurological', 'امي اغمي عليها اليوم'),
    ('neurological', 'पापा बेहोश हो गए'),
    ('neurological', 'papa behosh ho gaye'),
    ('neurological', 'امی بے ہوش ہو گئیں'),
    ('neurological', 'আব্বু অজ্ঞান হয়ে গেছে'),
    ('neurological', '我爸爸突然抽搐'),
    ('neurological', '媽媽昏倒了'),
    ('neurological', 'Babam nöbet geçirdi'),
    ('neurological', 'Annem bayıldı'),
    ('neurological', "Il a fait une crise d'épilepsie"),
    ('neurological', 'ma mère a perdu connaissance'),
    ('neurological', 'У папы судороги'),
    ('neurological', 'Mama alizimia leo'),
    ('neurological', 'Nawalan po ng malay si tatay'),
    ('neurological', 'அப்பாவுக்கு வலிப்பு வந்தது'),
    ('neurological', 'තාත්තා ක්ලාන්ත වුණා'),
    ('neurological', 'बुबा बेहोस हुनुभयो'),
    ('neurological', 'પપ્પા બેભાન થઈ ગયા'),
    ('severe_pain', 'She is in severe pain and the morphine is not helping'),
    ('severe_pain', 'the pain is unbearable'),
    ('severe_pain', 'painkillers are not working anymore'),
    ('severe_pain', 'ابوي عنده الم شديد'),
    ('severe_pain', 'المسكنات ما تنفع'),
    ('severe_pain', 'पापा को बहुत तेज दर्द हो रहा है'),
    ('severe_pain', 'mummy ko bahut dard ho raha hai'),
    ('severe_pain', 'ابو کو شدید درد ہے'),
    ('severe_pain', 'আম্মুর প্রচণ্ড ব্যথা'),
    ('severe_pain', '爸爸疼得受不了'),
    ('severe_pain', '止痛藥沒用'),
    ('severe_pain', 'Annemin dayanılmaz ağrısı var'),
    ('severe_pain', 'Il a une douleur insupportable'),
    ('severe_pain', 'У мамы сильные боли'),
    ('severe_pain', 'Baba ana maumivu makali'),
    ('severe_pain', 'Sobrang sakit na po ng tiyan ni nanay, hindi na matiis ang sakit'),
    ('severe_pain', 'அம்மாவுக்கு தாங்க முடியாத வலி'),
    ('severe_pain', 'අම්මාට දරුණු වේදනාවක් තියෙනවා'),
    ('severe_pain', 'आमालाई असह्य दुखाइ छ'),
    ('severe_pain', 'મમ્મીને સખત દુખાવો છે'),
    ('self_harm', 'I just want to end my life'),
    ('self_harm', "my husband said he doesn't want to live anymore"),
    ('self_harm', 'sometimes I think about suicide'),
    ('self_harm', 'everyone would be better off without me'),
    ('self_harm', 'اريد انتحر'),
    ('self_harm', 'ما ابي اعيش'),
    ('self_harm', 'मैं आत्महत्या करना चाहता हूँ'),
    ('self_harm', 'main jeena nahi chahti'),
    ('self_harm', 'میں خودکشی کرنا چاہتا ہوں'),
    ('self_harm', 'আমি আর বাঁচতে চাই না'),
    ('self_harm', '我不想活了'),
    ('self_harm', '我想自殺'),
    ('self_harm', 'Artık yaşamak istemiyorum'),
    ('self_harm', "J'ai envie de mourir"),
    ('self_harm', 'Я не хочу жить'),
    ('self_harm', 'Nataka kujiua'),
    ('self_harm', 'Gusto ko nang mamatay'),
    ('self_harm', 'எனக்கு தற்கொலை செய்ய தோன்றுகிறது'),
    ('self_harm', 'මට මැරෙන්න ඕන'),
    ('self_harm', 'मलाई मर्न मन लाग्छ'),
    ('self_harm', 'મારે જીવવું નથી'),
    ('neutropenic_fever', 'بابا بياخد كيماوي ومن امبارح عنده سخونية ٣٩'),
    ('neutropenic_fever', 'امي عم تاخد كيماوي وصار معها حرارة'),
    ('neutropenic_fever', 'الوالد ياخذ العلاج الكيماوي وعنده حمى'),
    ('neutropenic_fever', 'पापा को कीमो के बाद से तेज़ बुखार है और ठंड लग रही है'),
    ('neutropenic_fever', 'কেমো দেওয়ার পর থেকে আব্বুর জ্বর আর কাঁপুনি'),
    ('neutropenic_fever', 'کیموتھراپی کے بعد ابو کو تیز بخار ہے'),
    ('neutropenic_fever', '我爸爸做完化療後一直發高燒'),
    ('neutropenic_fever', 'Babam kemoterapi sonrası 38.5 ateşlendi'),
    ('neutropenic_fever', 'После химиотерапии у папы температура 39'),
    ('neutropenic_fever', 'Baba yangu amepata homa kali baada ya chemo'),
    ('neutropenic_fever', 'Nilalagnat po si nanay simula kahapon, nag-chemo po siya noong isang linggo'),
    ('neutropenic_fever', 'அப்பாவுக்கு கீமோதெரபிக்குப் பிறகு கடுமையான காய்ச்சல்'),
    ('neutropenic_fever', 'He was admitted today with febrile neutropenia'),
    ('neutropenic_fever', 'She is on FOLFOX. Fever 38.3 tonight'),
    ('neutropenic_fever', 'My dad had chemo in 2024. Now he has fever 39.'),
    ('neutropenic_fever', 'Since his chemo in March 2026 he has had a fever'),
    ('neutropenic_fever', 'son on chemo for ALL, temp 38.6 now, what do we do'),
    ('neutropenic_fever', 'ابني ياخذ علاج كيماوي وحرارته ما تنزل'),
    ('neutropenic_fever', 'बुखार नहीं उतर रहा, कीमो चल रही है'),
    ('neutropenic_fever', 'জ্বর কমছে না, কেমো চলছে'),
    ('self_harm', 'تعبت وما بدي عيش'),
    ('self_harm', 'افكر انتحر'),
    ('self_harm', 'نفسي اموت'),
    ('self_harm', 'मन करता है कि मर जाऊं'),
    ('self_harm', 'دل کرتا ہے مر جاؤں'),
    ('self_harm', 'মরে যেতে ইচ্ছে করে'),
    ('self_harm', '活着没意思'),
    ('self_harm', 'не вижу смысла жить'),
    ('self_harm', 'je pense à me suicider'),
    ('self_harm', 'kendimi öldürmeyi düşünüyorum'),
    ('self_harm', 'Nafikiria kujiua'),
    ('self_harm', 'parang gusto ko na lang mamatay'),
    ('self_harm', 'बाँच्न मन छैन'),
    ('self_harm', "I can't go on like this anymore"),
    ('self_harm', 'im so tired. honestly some nights i think about killing myself'),
    ('neurological', 'he is having fits'),
    ('neurological', 'he had a stroke this morning'),
    ('severe_pain', 'she is crying all night because of the pain'),
    ('bleeding', 'a lot of blood in his urine since yesterday'),
    ('breathing_difficulty', 'her breathing is very fast and she is gasping'),
    ('spinal_cord_compression', "cancer spread to the spine and now he suddenly can't feel his legs"),    ('breathing_difficulty', 'மூச்சு விட சிரமமாக இருக்கிறது'),
    ('bleeding', 'அப்பா ரத்தம் வாந்தி எடுக்கிறார்'),
    ('breathing_difficulty', 'තාත්තාට හුස්ම ගන්න බැහැ'),
    ('spinal_cord_compression', 'කොන්දේ කැක්කුම, කකුල් දෙක පණ නැහැ'),
    ('bleeding', 'ابو کے منہ سے خون آ رہا ہے'),
    ('bleeding', 'पापा के मुंह से खून आ रहा है'),
    ('bleeding', 'papa ke munh se khoon aa raha hai'),
    ('breathing_difficulty', 'ابوي عنده كتمة'),
    ('breathing_difficulty', 'امي تختنق'),
    ('bleeding', 'يطلع دم من فمه'),
    ('breathing_difficulty', 'Mama anabanwa na kifua'),
    ('bleeding', 'Dumudugo nang malakas ang sugat'),
    ('neurological', 'Nangingisay po si bunso'),
    ('breathing_difficulty', 'Папа тяжело дышит'),
    ('bleeding', 'У мамы рвота с кровью'),
    ('bleeding', 'Ağzından kan geliyor'),
    ('neurological', 'Babam kendinden geçti'),
    ('breathing_difficulty', '我爸爸呼吸很困难'),
    ('bleeding', '他吐了很多血'),
    ('neurological', '妈妈叫不醒'),
    ('spinal_cord_compression', '爸爸腰疼，腿没有力气'),
    ('bleeding', 'আব্বুর বমির সাথে রক্ত আসছে'),
    ('breathing_difficulty', 'আম্মু নিঃশ্বাস নিতে পারছে না'),
    ('neurological', 'আব্বু হঠাৎ অজ্ঞান হয়ে গেছে'),
    ('spinal_cord_compression', 'প্রস্রাব আটকে গেছে'),
    ('neurological', 'ખેંચ આવી'),
    ('breathing_difficulty', 'શ્વાસ ચડે છે'),
    ('self_harm', 'મરી જવું છે'),
    ('breathing_difficulty', 'सास फुलेको छ'),
    ('severe_pain', 'धेरै दुखेको छ'),
    ('breathing_difficulty', 'انہیں سانس پھول رہا ہے'),
    ('neurological', 'دورہ پڑا ہے'),
    ('breathing_difficulty', 'ما يقدر يتنفس'),
    ('spinal_cord_compression', 'ما يقدر يمشي وظهره يوجعه'),
    ('neurological', 'Il a perdu connaissance'),
    ('spinal_cord_compression', 'mal au dos et les jambes engourdies'),
    ('severe_pain', 'douleurs insupportables'),
    ('self_harm', 'sitaki kuishi tena'),
    ('breathing_difficulty', 'hindi po makahinga si tatay'),
    ('spinal_cord_compression', 'hindi na po siya makaihi'),
    ('spinal_cord_compression', 'لا يستطيع المشي وظهره يؤلمه'),
    ('spinal_cord_compression', 'امي لا تستطيع الوقوف وظهرها يؤلمها'),
    ('spinal_cord_compression', 'He does not walk and has back pain, legs are weak'),
    ('neutropenic_fever', 'he has no fever but chills after chemo'),
]


@pytest.mark.parametrize("flag,text", POSITIVE, ids=[f"{f}:{t[:30]}" for f, t in POSITIVE])
def test_red_flag_is_detected(flag, text):
    assert flag in detect_red_flags(text)


NEGATIVE = [
    'She had radiotherapy to the spine in 2024',
    'He has bone metastases in the pelvis',
    'he was doing better for a few months',
    'He had fever last year during chemo',
    'He had a fever last year',
    'No fever, no chills, he is eating well after chemo',
    'She is on chemo and has no fever',
    'He has been on chemotherapy since March',
    'What should we do if he gets a fever during chemo?',
    'My mother is 39 years old and on chemo',
    'He had 38 sessions of radiotherapy',
    'PSA 40.5 after chemo',
    'We are confused about which service we need',
    "I'm confused about the options",
    'The tumour was unresponsive to chemo',
    'She takes levetiracetam as anti-seizure medication',
    'Which of your services fits his situation?',
    'Please tell us the cost',
    'There was some bleeding in 2023 which led to the diagnosis',
    'Biopsy showed adenocarcinoma',
    'He is 68 and has prostate cancer spread to the bones',
    'The doctor said the pain is under control now',
    'She does not have any chest pain',
    'We want to know the price of proton therapy',
    'He had a stem cell transplant in 2025',
    'CT scan of the chest was clear',
    'Her blood test results are attached',
    'He is tired but otherwise fine',
    'She has no breathing problems',
    'Thank you so much for your help, we are very grateful',
    "I don't want my mother to suffer",
    "We don't want to lose hope",
    'My father lives in Delhi, he is 64',
    'حرارته طبيعية بعد الكيماوي',
    'ما عنده حرارة',
    'كان عنده نزيف قبل سنة',
    'बुखार नहीं है, कीमो चल रही है',
    'hum log Delhi me rehte hain, papa ki chemo chal rahi hai',
    'জ্বর নেই, কেমো চলছে',
    '没有发烧，化疗很顺利',
    '去年化疗的时候发烧过',
    'Ateşi yok, kemoterapi devam ediyor',
    'Pas de fièvre après la chimio',
    'Температуры нет, химия идёт нормально',
    'Hana homa, anaendelea na kemo',
    'Walang lagnat si nanay, tuloy ang chemo',
    'காய்ச்சல் இல்லை, கீமோ நடக்கிறது',
    'උණ නැහැ, කීමෝ හොඳින් යනවා',
    'ज्वरो छैन, केमो चलिरहेको छ',
    'તાવ નથી, કીમો ચાલુ છે',
    'He had a seizure in 2024 which led to the brain tumour diagnosis',
    'In 2022 she had severe back pain and was diagnosed with myeloma',
    'Blood in stool led to the colonoscopy',
    'He used to have chest pain before the surgery in 2023',
    "My father's spine MRI showed metastases; he walks normally",
    'We are worried he might have a seizure again, what are the symptoms of spinal cord compression?',
    'Ma mère a fait 6 cures de chimiothérapie en 2024',
    'Annem 67 yaşında, geçen ay mide kanseri teşhisi kondu',
    'Babamın bayilik işi var, kemoterapi görüyor',
    'Sara ile birlikte yazıyoruz',
    'Bize havale ile ödeme yapabilir miyiz?',
    'The surgery is planned on 10/10/2026',
    'She had 4 rounds of AC and now weekly paclitaxel',
    'He finished 6 cycles of ABVD and is in remission',
    'He cannot travel at the moment',
    "He can't walk long distances but has no pain",
    'My mother is a strong woman',
    'Is there a cure for this cancer?',
    'He is in a lot of debt because of the treatment',
    'He was admitted for febrile neutropenia after his first cycle in 2025',
    'She had a lot of pain before the diagnosis in 2024',
    'He has pain in his back from the bone metastases, managed with tramadol',
    'The pain is controlled with morphine',
    'In 2024 he had fevers and night sweats, diagnosed with Hodgkin, had ABVD',
    'I was worried when he had fever last month during chemo but he is fine now',
    'We were told to talk to a specialist',
    'His stroke risk is low',]


@pytest.mark.parametrize("text", NEGATIVE, ids=[t[:40] for t in NEGATIVE])
def test_ordinary_history_is_not_a_red_flag(text):
    assert detect_red_flags(text) == []


@pytest.mark.parametrize("text,expected", [
    # Fever needs chemotherapy context; a body temperature counts as fever.
    ("He has a fever", []),
    ("He has a fever, he is on chemo", ["neutropenic_fever"]),
    ("temperature 38.4 during chemotherapy", ["neutropenic_fever"]),
    ("temperature 37.2 during chemotherapy", []),
    ("on chemo, temperature 101F", ["neutropenic_fever"]),
    ("on chemo, temperature 99F", []),
    ("Son of 39 on chemo, feeling tired", []),
    # Leg weakness needs back pain or the spine; bladder or bowel alone is enough.
    ("His legs are weak", []),
    ("His legs are weak and he has back pain", ["spinal_cord_compression"]),
    ("He cannot pass urine", ["spinal_cord_compression"]),
    # The back pain of a cord compression is not also a second flag...
    ("very bad back pain since Sunday and his legs are numb", ["spinal_cord_compression"]),
    # ...but other severe pain is.
    ("severe pain in her belly and her legs are numb with back pain",
     ["spinal_cord_compression", "severe_pain"]),
    # Several flags, in vocabulary order.
    ("She is vomiting blood and cannot breathe", ["breathing_difficulty", "bleeding"]),
    ("I want to end my life, the pain is unbearable", ["severe_pain", "self_harm"]),
])
def test_combinations(text, expected):
    assert detect_red_flags(text) == expected


@pytest.mark.parametrize("text", [
    "no fever after chemo",
    "he doesn't have a fever, chemo went well",
    "without any fever during chemo",
    "ما عنده حرارة بعد الكيماوي",
    "बुखार नहीं है, कीमो चल रही है",
    "জ্বর নেই, কেমো চলছে",
    "没有发烧，化疗很顺利",
    "Ateşi yok, kemoterapi devam ediyor",
    "Pas de fièvre après la chimio",
    "Hana homa, anaendelea na kemo",
    "Walang lagnat si nanay, tuloy ang chemo",
    "காய்ச்சல் இல்லை, கீமோ நடக்கிறது",
    "උණ නැහැ, කීමෝ හොඳින් යනවා",
    "ज्वरो छैन, केमो चलिरहेको छ",
    "તાવ નથી, કીમો ચાલુ છે",
    "She does not have any chest pain",
    "no breathing problems at all",
    "he has no fever and no chills after chemo",
    "لا حرارة بعد الكيماوي",
    "у него температура нормальная после химии",
])
def test_negated_symptoms_do_not_flag(text):
    assert detect_red_flags(text) == []


@pytest.mark.parametrize("text", [
    # A negation about the symptom not going away is no negation.
    "बुखार नहीं उतर रहा, कीमो चल रही है",
    "জ্বর কমছে না, কেমো চলছে",
    "ابني ياخذ علاج كيماوي وحرارته ما تنزل",
    "The fever has not gone, he is on chemo",
    # History with "now" in the same clause is now.
    "He was diagnosed in 2024, now he has fever after chemo",
    "Since his chemo in March 2026 he has had a fever",
])
def test_persistent_or_current_symptoms_flag(text):
    assert "neutropenic_fever" in detect_red_flags(text)


@pytest.mark.parametrize("text", [
    "What should we do if he gets a fever during chemo?",
    "In case she has chest pain, who do we call?",
    "Ama ateşi çıkarsa ne yapalım, eğer kemoterapi sırasında olursa?",
    "如果化疗后发烧怎么办",
    "Si jamais il a de la fièvre pendant la chimio, que faire ?",
    "What are the symptoms of spinal cord compression?",
])
def test_hypothetical_questions_do_not_flag(text):
    assert detect_red_flags(text) == []


@pytest.mark.parametrize("digits", ["39.4", "٣٩٫٤", "३९.४", "৩৯.৪", "39,4", "３９.４"])
def test_temperature_in_any_digits(digits):
    assert detect_red_flags(f"temperature {digits}, chemo last week") == ["neutropenic_fever"]


def test_case_and_diacritics_do_not_matter():
    assert detect_red_flags("HE IS VOMITING BLOOD") == ["bleeding"]
    assert detect_red_flags("Il a de la FIEVRE apres la chimio") == ["neutropenic_fever"]
    assert detect_red_flags("Babamin atesi var, kemoterapi aliyor") == ["neutropenic_fever"]


def test_codes_are_from_the_vocabulary():
    everything = "; ".join(t for _, t in POSITIVE)
    flags = detect_red_flags(everything)
    assert set(flags) <= set(FLAGS)
    assert flags == [f for f in FLAGS if f in flags]


def test_lexicon_flags_and_concepts_are_consistent():
    lex = yaml.safe_load((LEXICON_DIR / "red_flags.yml").read_text(encoding="utf-8"))
    assert list(lex["flags"]) == FLAGS
    known = set(lex["concepts"]) | {"high_temperature"}
    for alternatives in lex["flags"].values():
        for needed in alternatives:
            assert set(needed) <= known
    for name, spec in lex["concepts"].items():
        assert spec.get("guarded", "all") in {"all", "negation", "others", "none"}, name
        for lang, patterns in spec["patterns"].items():
            for pattern in patterns:
                assert not re.search(r"\\[A-Z]", pattern), (name, lang, pattern)
                compile_patterns({lang: [pattern]})  # each entry compiles alone


@pytest.mark.parametrize("text,expected", [
    ("the vertebra collapsed and he had surgery", []),
    ("She suddenly collapsed at home today", ["neurological"]),
    ("Thank you so much for the pain clinic referral", []),
    ("He is in so much pain", ["severe_pain"]),
    ("His stroke risk is low", []),
    ("my father has bone metastases in the spine and cannot walk since yesterday",
     ["spinal_cord_compression"]),
])
def test_regressions(text, expected):
    assert detect_red_flags(text) == expected


def test_quoted_email_text_is_not_the_patients():
    """Our own first reply lists the red flags; a reply quoting it is not an emergency."""
    reply = (
        "Thank you, my mother is 60 and lives in Nairobi.\n\n"
        "On Mon, 3 Nov 2026 at 10:00, CancerFax <intake@example.org> wrote:\n"
        "If she has a fever during chemotherapy, difficulty breathing or heavy bleeding, "
        "contact emergency services now.\n"
    )
    assert detect_red_flags(reply) == []
    quoted = "We live in Accra.\n> fever during chemo, chest pain, vomiting blood: call emergency services"
    assert detect_red_flags(quoted) == []
    assert detect_red_flags("He is vomiting blood now\n> earlier message") == ["bleeding"]


@pytest.mark.parametrize("text", ["", "   ", "\x00", "👍", "?", "<script>alert(1)</script>"])
def test_empty_and_odd_input(text):
    assert detect_red_flags(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_vocabulary_codes(text):
    flags = detect_red_flags(text)
    assert set(flags) <= set(FLAGS) and len(flags) == len(set(flags))


def test_swahili_negated_breathing_problem_is_no_flag() -> None:
    """Regression: "hana shida ya kupumua" (no breathing problem) matched "\\w*na shida"."""
    assert "breathing_difficulty" not in detect_red_flags("Ana homa kali, 39. Hana shida ya kupumua.")
    assert "breathing_difficulty" in detect_red_flags("Anapata shida ya kupumua tangu jana")


def test_urdu_breathing_with_difficulty_and_words_between() -> None:
    assert "breathing_difficulty" in detect_red_flags("ابھی سانس بھی بہت مشکل سے لے رہے ہیں")


def test_french_tres_malade_is_no_severe_pain() -> None:
    assert detect_red_flags("mon oncle est très malade, c'est un cancer") == []
    assert detect_red_flags("il a très mal au dos") == ["severe_pain"]


# ---------------------------------------------------------------- red flags with intensifiers

@pytest.mark.parametrize(
    "text",
    [
        "අද උදේ ඉඳන් තාත්තාට හුස්ම ගන්න හරිම අමාරුයි.",
        "শ্বাস নিতে খুব কষ্ট হচ্ছে",
        "அப்பாவுக்கு மூச்சு விட ரொம்ப சிரமமாக இருக்கிறது",
        "પપ્પાને શ્વાસ લેવામાં બહુ તકલીફ થાય છે",
        "elle a beaucoup de mal à respirer",
        "nefes almakta çok zorlanıyor",
        "anapata shida sana kupumua",
        "يتنفس بصعوبة شديدة",
    ],
)
def test_breathing_difficulty_with_intensifiers(text: str) -> None:
    assert detect_red_flags(text) == ["breathing_difficulty"]


@pytest.mark.parametrize(
    "text",
    ["শ্বাস নিতে কোনো কষ্ট নেই", "he had difficulty breathing in 2023", "elle n'a aucun mal à respirer"],
)
def test_breathing_negated_or_past_does_not_flag(text: str) -> None:
    assert detect_red_flags(text) == []
