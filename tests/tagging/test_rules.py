"""Each exclusion and context rule of the shipped taxonomy, on texts written here.

Every case pairs a look-alike that must not be tagged with a genuine use that must,
so a rule that cancels everything fails as surely as one that cancels nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from monitor.tagging import Taxonomy
from monitor.tagging.explain import explain_article

Concepts = Callable[..., set[str]]

CASES = [
    # (rule, text, expected concepts)
    ("Led Zeppelin in the sentence",
     "The band closed with Led Zeppelin's Kashmir and the crowd roared.", set()),
    ("quoted title", 'The guitarist played "Kashmir" twice.', set()),
    ("curly-quoted title", "The encore was \u201cKashmir\u201d, of course.", set()),
    ("band before the name", "The Danish rock band Kashmir toured Europe.", set()),
    ("genuine Kashmir with a band nearby", "A rock band from Kashmir toured Europe.",
     {"Kashmir"}),
    ("wool", "Coats in Kashmir wool sold out in Milan.", set()),
    ("sweater", "A Kashmiri sweater costs more this winter.", set()),
    ("chilli", "Add two teaspoons of Kashmiri chilli powder.", set()),
    ("mirch", "Kashmiri mirch gives colour, not heat.", set()),
    ("pulao and chai", "Serve Kashmiri pulao with Kashmiri chai.", set()),
    ("Delhi's gate", "Buses leave from Kashmiri Gate every hour.", set()),
    ("metro station", "The Kashmere Gate and Kashmir Gate metro stations were shut.", set()),
    ("person Singh", "Kashmir Singh won the masters high jump.", set()),
    ("person Lal", "Police arrested two men for robbing Kashmiri Lal.", set()),
    ("block phrase: Kashmir Point", "Vehicles are banned at Kashmir Point in Murree.", set()),
    ("block phrase: film", "A print of Kashmir Ki Kali will be screened.", set()),
    ("Urdu Kashmir Point", "مری میں کشمیر پوائنٹ پر برفباری ہوئی۔", set()),
    ("Hindi person Singh", "कश्मीर सिंह ने स्वर्ण पदक जीता।", set()),
    ("Urdu Kashmir Highway in Islamabad", "اسلام آباد میں کشمیر ہائی وے بند رہی۔", set()),
    ("Kashmir highway elsewhere", "Kashmir highway traffic resumed, officials said.",
     {"Kashmir"}),
    ("Sheikh Abdullah bin Zayed", "Sheikh Abdullah bin Zayed met ministers.", set()),
    ("film title LOC Kargil", "The film LOC Kargil was shown again.", set()),
    ("the song named elsewhere in the text",
     "Robert Plant and Jimmy Page reunited. They played Kashmir to close the show.", set()),
    ("sang Kashmir", "The tribute act sang Kashmir as an encore.", set()),
    ("cover Kashmir is not music", "Reporters who cover Kashmir face curbs.", {"Kashmir"}),
    ("red chilli", "Add Kashmiri red chilli powder.", set()),
    ("red alert", "Kashmir red alert issued as rivers swell.", {"Kashmir"}),
    ("garam masala", "Add a spoon of Kashmiri garam masala.", set()),
    ("the Kashmiri variety in a recipe",
     "Use two teaspoons of Kashmiri chilli. The Kashmiri variety gives colour.", set()),
    ("a recipe that names the region",
     "Wazwan recipes from Srinagar: two teaspoons of Kashmiri chilli. Kashmiri cooks know.",
     {"Srinagar", "Kashmir"}),
    ("mirchi", "Use Kashmiri mirchi for colour.", set()),
    ("Lahore's bazaar", "Shops in Kashmiri Bazaar reopened.", set()),
    ("Valley of Flowers", "Hotels in Srinagar were full; the Valley of Flowers trek opens.",
     {"Srinagar"}),
    ("J-K news-agency style", "J-K Police arrested two men in Sopore.",
     {"Jammu and Kashmir", "Sopore"}),
    ("J K initials", "J K Rowling and J-K Tyre shares were in the news.", set()),
    ("GB Assembly", "The GB Assembly passed a resolution on Monday.", {"Gilgit-Baltistan"}),
    ("Team GB", "Team GB won gold in London.", set()),
    ("demonym counts", "Kashmiri students asked for hostel rooms.", {"Kashmir"}),
    ("Hindi Kashmiri Gate", "कश्मीरी गेट मेट्रो स्टेशन पर भीड़ रही।", set()),
    ("Hindi chilli", "एक चम्मच कश्मीरी लाल मिर्च डालें।", set()),
    ("Urdu Kashmiri chai", "سردیوں میں کشمیری چائے پی جاتی ہے۔", set()),
    ("Srinagar in Uttarakhand",
     "Srinagar, a town on the Alaknanda in Uttarakhand, hosts a university.", set()),
    ("Srinagar in Kashmir", "Flights to Srinagar were delayed by fog.", {"Srinagar"}),
    ("Uttarakhand's Srinagar", "Uttarakhand's Srinagar got a new bridge.", set()),
    ("Srinagar again in a Garhwal text",
     "Srinagar in Pauri Garhwal is old. Srinagar was a capital.", set()),
    ("Garhwal words but Kashmir named",
     "Srinagar in Pauri Garhwal signed with Kashmir University. Srinagar hosts both.",
     {"Kashmir", "Srinagar"}),  # the second Srinagar has no sign of Garhwal of its own
    ("Hindi Srinagar Garhwal", "उत्तराखंड के श्रीनगर में पुल बना।", set()),
    ("a round-up naming Uttarakhand and Srinagar",
     "Heavy rain lashed Uttarakhand while Srinagar recorded its coldest night.",
     {"Srinagar"}),
    ("Srinagar Highway in Islamabad",
     "Islamabad police closed the Srinagar Highway near Zero Point.", set()),
    ("Urdu Srinagar Highway in Islamabad",
     "اسلام آباد میں سری نگر ہائی وے پر ٹریفک معطل رہی۔", set()),
    ("Jammu-Srinagar highway", "The Jammu-Srinagar highway was closed by landslides.",
     {"Jammu", "Srinagar"}),
    ("LoC as letter of credit",
     "Exporters need a letter of credit (LoC). Without a confirmed LoC they wait.", set()),
    ("LoC as Line of Control", "Troops exchanged fire along the LoC in Poonch.",
     {"Line of Control", "Poonch"}),
    ("LoC as a bank's line of credit, never spelled out",
     "The bank sanctioned a LoC of Rs 50 crore to the exporter.", set()),
    ("LoC as a line of credit to another country",
     "India extends $1 billion LoC to Bangladesh for rail projects.", set()),
    ("lending words but a Kashmir text",
     "Banks in Kupwara shut as shelling went on along the LoC.", {"Kupwara", "Line of Control"}),
    ("an amount before LoC but the fence", "The government announced a Rs 500 crore LoC "
     "upgrade: new fencing and bunkers.", {"Line of Control"}),
    ("Line of Actual Control", "Troops clashed on the Line of Actual Control.", set()),
    ("Hindi LAC", "वास्तविक नियंत्रण रेखा पर तनाव है।", set()),
    ("Section 370", "He was booked under Section 370 of the penal code.", set()),
    ("370 seats", "The party wants 370 seats in the election.", set()),
    ("Art. 370", "Art. 370 was a temporary provision.", {"Article 370"}),
    ("Article 370 of another code",
     "Article 370 of the Civil Code of the Philippines governs surnames.", set()),
    ("Article 370 again in a Philippine text",
     "Article 370 of the Civil Code of the Philippines lists options. Article 370 is old.",
     set()),
    ("Hindi IPC section again",
     "भारतीय दंड संहिता की धारा 370 मानव तस्करी से जुड़ी है। धारा 370 में सजा कड़ी है।", set()),
    ("Article 370 next to the Uniform Civil Code",
     "The manifesto cites Article 370, the Uniform Civil Code and jobs.", {"Article 370"}),
    ("Article 370 of the Constitution", "Article 370 of the Constitution was abrogated.",
     {"Article 370"}),
    ("Hindi dhara 370 of the IPC", "आरोपियों पर भारतीय दंड संहिता की धारा 370 लगाई गई।", set()),
    ("Hindi dhara 370 colloquial", "धारा 370 हटने के बाद पहला चुनाव हुआ।", {"Article 370"}),
    ("35A after Article 370", "Restore Article 370 and 35A, the manifesto says.",
     {"Article 370", "Article 35A"}),
    ("bare 35A", "Flat 35A on the third floor was sold.", set()),
    ("special status with J&K", "The order ended the special status of Jammu and Kashmir.",
     {"Article 370", "Jammu and Kashmir"}),
    ("special status elsewhere", "Andhra Pradesh wants special status for funds.", set()),
    ("bare abrogation in a Kashmir text",
     "Five years after the abrogation, traders in Srinagar are cautious.",
     {"Article 370", "Srinagar"}),
    ("abrogation of something else",
     "In Srinagar, the abrogation of the trade agreement worried exporters.", {"Srinagar"}),
    ("abrogation without the region", "The abrogation of the contract was upheld.", set()),
    ("the Valley with a Kashmir anchor",
     "Tourists flocked to the Valley; hotels in Srinagar were full.",
     {"Kashmir Valley", "Srinagar"}),
    ("the Valley elsewhere", "Venture funding in the Valley fell again.", set()),
    ("lower-case valley", "Smog blanketed the valley for a week near Srinagar.",
     {"Srinagar"}),
    ("Uri Geller", "Uri Geller opened a museum in Jaffa.", set()),
    ("URI", "The URI was malformed; see the Kashmir docs.", {"Kashmir"}),
    ("Uri sector", "Infiltration was foiled in the Uri sector of Baramulla.",
     {"Uri", "Baramulla"}),
    ("bare Uri without context", "Uri said he would call back.", set()),
    ("Uri sector on its own", "Infiltration bid foiled in Uri sector.", {"Uri"}),
    ("Hindi Uri", "उरी सेक्टर में घुसपैठ नाकाम।", {"Uri"}),
    ("Hindi 'flew'", "पतंग आसमान में उड़ी।", set()),
    ("Mehbooba the song", "The band played Mehbooba Mehbooba from Sholay.", set()),
    ("Urdu 'beloved'", "شاعر نے اپنی محبوبہ کے لیے غزل لکھی۔", set()),
    ("Mehbooba after the full name", "Mehbooba Mufti spoke. Mehbooba later left.",
     {"Mehbooba Mufti"}),
    ("Omar needs the full name", "Omar scored twice for the club.", set()),
    ("Omar after Omar Abdullah", "Omar Abdullah spoke first. Later Omar left.",
     {"Omar Abdullah"}),
    ("Azad needs Ghulam Nabi Azad", "Protesters gathered at Azad Maidan.", set()),
    ("Azad after the full name", "Ghulam Nabi Azad spoke in Doda. Azad said more.",
     {"Ghulam Nabi Azad", "Doda"}),
    ("NC needs an anchor", "The NC state legislature met in Raleigh.", set()),
    ("NC with an anchor", "The NC won in Budgam.",
     {"Jammu and Kashmir National Conference", "Budgam"}),
    ("National Conference on a theme", "A National Conference on Water opened in Pune.",
     set()),
    ("two-day National Conference", "Srinagar hosts a two-day National Conference on AI.",
     {"Srinagar"}),
    ("the party on a weekday", "The National Conference on Monday met in Srinagar.",
     {"Jammu and Kashmir National Conference", "Srinagar"}),
    ("PDP in Nigeria", "The PDP chose Atiku in Abuja, Nigeria.", set()),
    ("PDP in Kashmir", "The PDP and Mehbooba Mufti released a manifesto.",
     {"Jammu and Kashmir Peoples Democratic Party", "Mehbooba Mufti"}),
    ("GB as gigabytes", "The phone has 128 GB of storage.", set()),
    ("GB with Gilgit context", "The GB cabinet met in Gilgit.", {"Gilgit-Baltistan", "Gilgit"}),
    ("Amarnath as a name", "Mohinder Amarnath took three wickets.", set()),
    ("Amarnath the shrine", "Pilgrims trek to the cave shrine of Amarnath.", {"Amarnath"}),
    ("Samba the dance", "Samba schools paraded in Rio.", set()),
    ("Samba the district", "Police searched villages in Samba district.", {"Samba"}),
    ("Katra elsewhere", "Katra market in Allahabad was crowded.", set()),
    ("Katra of Vaishno Devi", "Buses to Katra, the base of Vaishno Devi, were added.",
     {"Katra", "Vaishno Devi"}),
    ("Mirpur in Dhaka", "The Test was played at Mirpur in Dhaka.", set()),
    ("Mirpur Khas", "Floods hit Mirpur Khas in Sindh.", set()),
    ("Bagh the garden", "A memorial stands at Jallianwala Bagh.", set()),
    ("Bagh in AJK", "Roads to Bagh and Rawalakot were blocked.", {"Bagh", "Rawalakot"}),
    ("Pandit the honorific", "A festival in memory of Pandit Jasraj opened.", set()),
    ("Hurriyet the newspaper", "Turkish daily Hurriyet changed owners.", set()),
    ("Hizb ut-Tahrir", "Hizb ut-Tahrir was banned in Britain.", set()),
    ("Reorganisation Act of another state", "The Andhra Pradesh Reorganisation Act, 2014.",
     set()),
    ("statehood needs the region", "Puerto Rico voted on statehood.", set()),
    ("statehood in Ladakh", "Leaders in Leh demanded statehood for Ladakh.",
     {"Leh", "Ladakh", "Statehood"}),
    ("Hindi valley without anchors", "घाटी में बारिश हुई।", set()),
    ("Hindi valley with anchors", "श्रीनगर और घाटी में बारिश हुई।", {"Srinagar", "Kashmir Valley"}),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(concepts: Concepts, rule: str, text: str, expected: set[str]) -> None:
    assert concepts(text) == expected


def test_a_look_alike_does_not_cancel_a_genuine_mention(concepts: Concepts) -> None:
    text = (
        "Buses for Jammu leave from Kashmere Gate. "
        "Police in Jammu registered a case under Section 370 of the penal code."
    )
    assert concepts(text) == {"Jammu"}


def test_related_false_concepts_do_not_make_an_article_related(tag: Callable) -> None:
    result = tag("Lashkar-e-Taiba was blamed for the Mumbai attack.")
    assert result.concepts == ("Lashkar-e-Taiba",)
    assert result.related is False
    assert result.relevance == 0.0


def test_explanations_say_why(shipped: Taxonomy) -> None:
    text = "Exporters need a letter of credit (LoC). Troops at Kashmir Point. Omar left."
    found = {e.surface: e for e in explain_article("Poonch", text, shipped)}
    assert found["Poonch"].counted and found["Poonch"].field == "title"
    assert found["Poonch"].reason == "alias 'Poonch'"
    assert not found["LoC"].counted and "letter of credit" in found["LoC"].reason
    assert found["Kashmir Point"].reason.startswith("look-alike phrase")
    assert found["Omar"].reason == "needs [Omar Abdullah] in the text"
    assert text[found["LoC"].start : found["LoC"].end] == "LoC"
