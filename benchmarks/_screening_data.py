"""Development data for the screening benchmarks, built from ``../shared/data/names/``.

* Arabic names and their English-school romanisation: the google/transliteration ``ar2en`` word
  pairs whose Arabic spelling holds a letter only Arabic names use (ح ع ق ص ض ط ظ ذ), so that
  European names written in Arabic letters stay out; plus a short list of very common given
  names missing from that file (written here, in their most frequent English spelling).
* Synthetic listed people: given + father's (+ grandfather's, 30 %) + family name, given names
  drawn with Zipf-like frequencies (so "Mohamed" and "Ahmed" are everywhere, as on real lists).
* Latin respellings: French/Maghrebi school (ou, ch, dj, el-), Gulf q->g, vowel changes, doubled
  or single consonants, ben/bin/ibn, dropped or added article, comma inversion, one typo.
* Non-listed people: the 50,000 synthetic people of ``opensanctions_negatives_us.csv``.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES_DIR = REPO.parent / "shared" / "data" / "names"

# Frequent given names absent from ar2en, most frequent first (own list; spellings as in the
# English-language press).
COMMON_GIVEN: tuple[tuple[str, str], ...] = (
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("علي", "Ali"),
    ("عبدالله", "Abdullah"),
    ("يوسف", "Youssef"),
    ("خالد", "Khaled"),
    ("عمر", "Omar"),
    ("حسن", "Hassan"),
    ("إبراهيم", "Ibrahim"),
    ("محمود", "Mahmoud"),
    ("مصطفى", "Mustafa"),
    ("عبدالرحمن", "Abdulrahman"),
    ("سعيد", "Said"),
    ("فهد", "Fahad"),
    ("حمد", "Hamad"),
    ("ناصر", "Nasser"),
    ("سلطان", "Sultan"),
    ("صالح", "Saleh"),
    ("حسين", "Hussein"),
    ("عبدالعزيز", "Abdulaziz"),
    ("فاطمة", "Fatima"),
    ("عائشة", "Aisha"),
    ("مريم", "Maryam"),
    ("خديجة", "Khadija"),
)
_ARABIC_ONLY_LETTERS = re.compile("[حعقصضطظذ]")


@dataclass(frozen=True)
class SyntheticPerson:
    """One synthetic person with the same name in Arabic script and in Latin script."""

    arabic: str
    latin: str
    given_ar: tuple[str, ...]
    given_la: tuple[str, ...]
    family_ar: str
    family_la: str
    birth_date: str


def load_pairs(*, arabic_origin_only: bool = True) -> list[tuple[str, str]]:
    """ar2en pairs of Arabic-origin names (see the module docstring), or all of them."""
    pairs: list[tuple[str, str]] = []
    path = NAMES_DIR / "google_ar2en.tsv"
    for line in path.read_text("utf-8").splitlines():
        arabic, latin = line.split("\t")
        origin = _ARABIC_ONLY_LETTERS.search(arabic) or not arabic_origin_only
        if origin and latin.isalpha() and len(latin) >= 3:
            pairs.append((arabic, latin.capitalize()))
    return pairs


class NameFactory:
    """Draws synthetic Arab persons; given names with Zipf-like frequencies."""

    def __init__(self, rng: random.Random, *, wide_families: bool = False) -> None:
        """``wide_families`` draws family names from all 15,898 ar2en words (for large lists,
        where ~1,200 Arabic-origin family names would make most names homonyms)."""
        self.rng = rng
        pairs = load_pairs()
        self.given = list(COMMON_GIVEN) + [p for p in pairs if not p[0].startswith("ال")]
        self.given_weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.given))]
        self.family = load_pairs(arabic_origin_only=False) if wide_families else pairs

    def _given(self) -> tuple[str, str]:
        return self.rng.choices(self.given, weights=self.given_weights)[0]

    def person(self) -> SyntheticPerson:
        rng = self.rng
        count = 3 if rng.random() < 0.3 else 2
        given = [self._given() for _ in range(count)]
        family_ar, family_la = rng.choice(self.family)
        family_ar = family_ar.removeprefix("ال")
        with_article = rng.random() < 0.6
        arabic_family = ("ال" + family_ar) if with_article else family_ar
        latin_family = ("Al-" + family_la) if with_article else family_la
        year = rng.randint(1950, 2004)
        date = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return SyntheticPerson(
            arabic=" ".join([g[0] for g in given] + [arabic_family]),
            latin=" ".join([g[1] for g in given] + [latin_family]),
            given_ar=tuple(g[0] for g in given),
            given_la=tuple(g[1] for g in given),
            family_ar=arabic_family,
            family_la=latin_family,
            birth_date=date,
        )


_SWAPS: tuple[tuple[str, str], ...] = (
    ("u", "ou"),
    ("ou", "u"),
    ("sh", "ch"),
    ("ch", "sh"),
    ("j", "dj"),
    ("q", "k"),
    ("q", "g"),
    ("k", "q"),
    ("e", "i"),
    ("i", "e"),
    ("a", "e"),
    ("o", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("ss", "s"),
    ("s", "ss"),
    ("mm", "m"),
    ("m", "mm"),
    ("Al-", "El-"),
    ("Al-", ""),
    ("a ", "ah "),
)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]


def respell(rng: random.Random, person: SyntheticPerson) -> str:
    """A Latin respelling of the person's name: 1-3 school/vowel changes, maybe a typo."""
    text = person.latin + " "
    for _ in range(rng.randint(1, 3)):
        old, new = rng.choice(_SWAPS)
        spots = [m.start() for m in re.finditer(re.escape(old), text)]
        if spots:
            at = rng.choice(spots)
            text = text[:at] + new + text[at + len(old) :]
    words = text.split()
    if rng.random() < 0.4:
        k = rng.randrange(len(words))
        words[k] = _typo(rng, words[k])
    if len(words) >= 3 and rng.random() < 0.3:
        words.insert(1, rng.choice(["ben", "bin", "ibn"]))
    if rng.random() < 0.15:
        return f"{words[-1].upper()}, {' '.join(words[:-1])}"
    return " ".join(words)


@dataclass(frozen=True)
class NegativePerson:
    """One person of the negatives file."""

    name: str
    birth_date: str
    gender: str


def load_negatives() -> list[NegativePerson]:
    """The 50,000 synthetic non-listed people (names, birth dates, genders)."""
    path = NAMES_DIR / "opensanctions_negatives_us.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            NegativePerson(
                name=row["full_name"],
                birth_date=row["date_of_birth"],
                gender={"male": "m", "female": "f"}.get(row["gender"], ""),
            )
            for row in csv.DictReader(handle)
        ]
