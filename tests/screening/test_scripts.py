"""Script normalisation and the cross-script phonetic key."""

from __future__ import annotations

import pytest

from opsroom.screening.scripts import (
    arabic_key,
    fold_latin,
    is_arabic,
    latin_key,
    normalise_arabic,
    phonetic_key,
)


def test_arabic_normalisation_folds_variants_and_strips_marks() -> None:
    # hamza seats, alef maqsura, diacritics and tatweel
    assert normalise_arabic("أَحْمَد") == "احمد"
    assert normalise_arabic("إبراهيم") == "ابراهيم"
    assert normalise_arabic("مـــحمد") == "محمد"
    assert normalise_arabic("موسى") == "موسي"
    # Persian/Urdu letters fold to their Arabic counterpart
    assert normalise_arabic("کریم") == "كريم"


def test_latin_folding() -> None:
    assert fold_latin("Chérif") == "cherif"
    assert fold_latin("Çağrı") == "cagri"
    assert fold_latin("ʿAbd") == "abd"


@pytest.mark.parametrize(
    ("arabic", "latin_spellings"),
    [
        ("محمد", ["Mohamed", "Muhammad", "Mohammed", "Mohamad"]),
        ("يوسف", ["Youssef", "Yusuf", "Yousef"]),
        ("شريف", ["Sharif", "Cherif", "Chérif"]),
        ("قاسم", ["Qasim", "Kassem", "Gasim"]),
        ("جمال", ["Jamal", "Djamel"]),
        ("فاطمة", ["Fatima", "Fatimah", "Fatma"]),
        ("صالح", ["Saleh", "Salih", "Salah"]),
        ("خالد", ["Khaled", "Khalid"]),
    ],
)
def test_key_bridges_scripts_and_spelling_schools(arabic: str, latin_spellings: list[str]) -> None:
    key = arabic_key(normalise_arabic(arabic))
    for spelling in latin_spellings:
        assert latin_key(fold_latin(spelling)) == key, spelling


def test_keys_keep_different_names_apart() -> None:
    assert phonetic_key("zaid") != phonetic_key("said")
    assert phonetic_key("jamal") != phonetic_key("kamal")
    assert phonetic_key("omar") != phonetic_key("ahmed")


def test_is_arabic() -> None:
    assert is_arabic("محمد")
    assert not is_arabic("Mohamed")
