"""Loading the taxonomy: the shipped file, picklability, fingerprints, and errors."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.tagging import Taxonomy, load_taxonomy, tag_article

from .conftest import SHIPPED

# The desk's label space (canonical names only), so the check runs without ../shared.
DESK_CONCEPTS = [
    "Kashmir", "Kashmir Valley", "Jammu and Kashmir", "Pakistan-administered Kashmir",
    "Gilgit-Baltistan", "Ladakh", "Aksai Chin", "Siachen Glacier", "Line of Control",
    "Srinagar", "Jammu", "Anantnag", "Bandipora", "Baramulla", "Budgam", "Doda", "Ganderbal",
    "Kathua", "Kishtwar", "Kulgam", "Kupwara", "Poonch", "Pulwama", "Rajouri", "Ramban",
    "Reasi", "Samba", "Shopian", "Udhampur", "Pahalgam", "Gulmarg", "Sonamarg", "Uri",
    "Sopore", "Handwara", "Tral", "Pampore", "Katra", "Banihal", "Dal Lake", "Zojila",
    "Amarnath", "Leh", "Kargil", "Dras", "Galwan Valley", "Pangong Tso", "Nubra",
    "Muzaffarabad", "Mirpur", "Kotli", "Rawalakot", "Bagh", "Neelum Valley", "Bhimber",
    "Gilgit", "Skardu", "Hunza", "Chilas", "Article 370", "Article 35A",
    "Jammu and Kashmir Reorganisation Act", "Jammu and Kashmir National Conference",
    "Jammu and Kashmir Peoples Democratic Party", "Jammu and Kashmir Apni Party",
    "Jammu and Kashmir People's Conference", "Democratic Progressive Azad Party",
    "Hurriyat Conference", "Jammu Kashmir Liberation Front", "Hizbul Mujahideen",
    "The Resistance Front", "Kashmiri Pandits", "Amarnath Yatra", "Omar Abdullah",
    "Farooq Abdullah", "Sheikh Abdullah", "Mehbooba Mufti", "Mufti Mohammad Sayeed",
    "Iltija Mufti", "Sajad Lone", "Altaf Bukhari", "Ghulam Nabi Azad", "Engineer Rashid",
    "Mirwaiz Umar Farooq", "Syed Ali Shah Geelani", "Yasin Malik", "Burhan Wani",
    "Manoj Sinha", "Maharaja Hari Singh", "Sonam Wangchuk", "Chaudhry Anwarul Haq",
]  # fmt: skip

MINIMAL = """
[topic]
name = "Test"

[[concepts]]
name = "Alpha"
kind = "place"
aliases = ["Alpha"]
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_shipped_taxonomy_covers_the_desk_label_space(shipped: Taxonomy) -> None:
    assert len(DESK_CONCEPTS) == 91
    assert set(DESK_CONCEPTS) <= set(shipped.concept_names)


def test_kinds_are_exposed(shipped: Taxonomy) -> None:
    assert shipped.kind_of("Omar Abdullah") == "person"
    assert shipped.kind_of("Srinagar") == "place"
    assert shipped.kind_of("Article 370") == "law"
    assert shipped.kind_of("Jammu and Kashmir National Conference") == "party"
    with pytest.raises(KeyError):
        shipped.kind_of("Atlantis")


def test_taxonomy_pickles_and_tags_the_same_after(shipped: Taxonomy) -> None:
    text = "Omar Abdullah spoke in Srinagar about J&K."
    before = tag_article(None, text, shipped)
    clone = pickle.loads(pickle.dumps(shipped))
    assert clone.fingerprint == shipped.fingerprint
    assert tag_article(None, text, clone) == before


def test_fingerprint_follows_content_not_comments(tmp_path: Path) -> None:
    first = load_taxonomy(write(tmp_path, MINIMAL)).fingerprint
    assert load_taxonomy(write(tmp_path, "# a comment\n" + MINIMAL)).fingerprint == first
    changed = MINIMAL.replace('["Alpha"]', '["Alpha", "Alfa"]')
    assert load_taxonomy(write(tmp_path, changed)).fingerprint != first


def test_fingerprint_is_stable_across_loads() -> None:
    assert load_taxonomy(SHIPPED).fingerprint == load_taxonomy(SHIPPED).fingerprint


BAD = [
    # (what, file body, key the error must name)
    ("unknown top-level key", MINIMAL + "\n[extra]\nx = 1\n", "extra"),
    ("unknown concept key", MINIMAL.replace('kind = "place"', 'kind = "place"\ncolour = "red"'),
     "concepts[0].colour"),
    ("aliases not a list", MINIMAL.replace('["Alpha"]', '"Alpha"'), "concepts[0].aliases"),
    ("alias not a string", MINIMAL.replace('["Alpha"]', '["Alpha", 3]'),
     "concepts[0].aliases[1]"),
    ("empty alias", MINIMAL.replace('["Alpha"]', '["Alpha", " "]'), "concepts[0].aliases"),
    ("alias without letters", MINIMAL.replace('["Alpha"]', '["Alpha", "--"]'),
     "concepts[0].aliases[1]"),
    ("missing kind", MINIMAL.replace('kind = "place"\n', ""), "concepts[0].kind"),
    ("bad kind", MINIMAL.replace('"place"', '"Big Place"'), "concepts[0].kind"),
    ("no aliases", MINIMAL.replace('aliases = ["Alpha"]', ""), "concepts[0]"),
    ("duplicate concept", MINIMAL + MINIMAL.split("\n", 4)[4].replace('["Alpha"]', '["A2"]'),
     "concepts[1].name"),
    ("alias of two concepts",
     MINIMAL + '\n[[concepts]]\nname = "Beta"\nkind = "place"\naliases = ["ALPHA"]\n',
     "concepts[1].aliases[0]"),
    ("before without within", MINIMAL + 'exclude = [{ scope = "before", words = ["x"] }]\n',
     "concepts[0].exclude[0]"),
    ("within too large",
     MINIMAL + 'exclude = [{ scope = "near", within = 500, words = ["x"] }]\n',
     "concepts[0].exclude[0].within"),
    ("unknown scope", MINIMAL + 'exclude = [{ scope = "paragraph", words = ["x"] }]\n',
     "concepts[0].exclude[0].scope"),
    ("empty condition", MINIMAL + 'require = [{ scope = "sentence" }]\n',
     "concepts[0].require[0]"),
    ("unknown concept in rule",
     MINIMAL + 'require = [{ scope = "document", concepts = ["Gamma"] }]\n',
     "concepts[0].require[0].concepts[0]"),
    ("rule word without letters",
     MINIMAL + 'exclude = [{ scope = "sentence", words = ["ok", "!!"] }]\n',
     "concepts[0].exclude[0].words[1]"),
    ("unknown key in a nested condition",
     MINIMAL + 'exclude = [{ words = ["x"], and = [{ words = ["y"], colour = 1 }] }]\n',
     "concepts[0].exclude[0].and[0].colour"),
    ("bad condition inside or",
     MINIMAL + 'exclude = [{ words = ["x"], or = [{ scope = "after", words = ["y"] }] }]\n',
     "concepts[0].exclude[0].or[0]"),
    ("rule naming a concept that can never be confirmed",
     MINIMAL + 'require = [{ scope = "document", concepts = ["Beta"] }]\n'
     '[[concepts]]\nname = "Beta"\nkind = "place"\naliases = ["B1"]\n'
     'require = [{ scope = "document", concepts = ["*"] }]\n',
     "concepts[0].require[0].concepts[0]"),
    ("block equal to an alias", MINIMAL + 'block = ["alpha"]\n', "concepts[0].block[0]"),
    ("no topic", MINIMAL.replace('[topic]\nname = "Test"\n', ""), "topic"),
    ("no concepts", '[topic]\nname = "Test"\n', "concepts"),
    ("wrong type in form", MINIMAL + '[[concepts.forms]]\naliases = ["A1"]\ncase = "loud"\n',
     "concepts[0].forms[0].case"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "body", "key"), BAD, ids=[b[0] for b in BAD])
def test_bad_taxonomy_names_the_key(tmp_path: Path, what: str, body: str, key: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_taxonomy(path)
    assert caught.value.key == key, str(caught.value)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_bad_toml_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_taxonomy(write(tmp_path, "[topic\nname = 1"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.toml")
    (tmp_path / "latin1.toml").write_bytes(b'[topic]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="cannot read"):
        load_taxonomy(tmp_path / "latin1.toml")
