"""Laws of matching, checked on generated names (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opsroom.screening import DEFAULT_THRESHOLD, Person, Screener, WatchlistEntry

# Given and family names with their Arabic spelling and Latin spellings of both schools.
NAMES: dict[str, tuple[str, ...]] = {
    "محمد": ("Mohamed", "Muhammad", "Mohammed"),
    "يوسف": ("Youssef", "Yusuf", "Yousef"),
    "عبد القادر": ("Abdelkader", "Abd al-Qadir", "Abdulkadir"),
    "خالد": ("Khaled", "Khalid"),
    "شريف": ("Cherif", "Sharif", "Chérif"),
    "جمال": ("Jamal", "Djamel"),
    "قاسم": ("Qasim", "Kassem"),
    "الحسيني": ("Al-Husseini", "El Houssaini"),
    "المنصوري": ("Al-Mansouri", "El Mansouri", "Mansoori"),
    "بوتفليقة": ("Bouteflika", "Butaflika"),
    "القحطاني": ("Al-Qahtani", "Qahtani", "Al Kahtani"),
    "الزياني": ("Al-Zayani", "Ezzayani"),
}
ARABIC = sorted(NAMES)
OTHERS = ("Peter Novak", "Anna Lindqvist", "Kenji Watanabe", "Olga Baranova")

parts = st.lists(st.sampled_from(ARABIC), min_size=2, max_size=4, unique=True)


@settings(max_examples=60, deadline=None)
@given(parts=parts, latin=st.booleans())
def test_a_name_matches_itself(parts: list[str], latin: bool) -> None:
    name = " ".join(NAMES[p][0] for p in parts) if latin else " ".join(parts)
    entries = [WatchlistEntry(id="self", name=name)] + [
        WatchlistEntry(id=f"other{k}", name=other) for k, other in enumerate(OTHERS)
    ]
    hits = Screener.from_entries(entries).screen(Person(id="p", name=name))
    assert hits and hits[0].entry_id == "self"
    assert hits[0].score >= DEFAULT_THRESHOLD


@settings(max_examples=60, deadline=None)
@given(parts=parts, others=parts, choice=st.integers(min_value=0, max_value=2))
def test_transliteration_variants_rank_above_unrelated_names(
    parts: list[str], others: list[str], choice: int
) -> None:
    if set(parts) & set(others):
        others = [p for p in ARABIC if p not in parts][: len(others)]
    variant = " ".join(NAMES[p][choice % len(NAMES[p])] for p in parts)
    entries = [
        WatchlistEntry(id="listed", name=" ".join(parts)),
        WatchlistEntry(id="unrelated", name=" ".join(others)),
    ]
    hits = Screener.from_entries(entries).screen(Person(id="p", name=variant), threshold=0.0)
    scores = {h.entry_id: h.score for h in hits}
    assert scores["listed"] > scores.get("unrelated", 0.0)
    assert scores["listed"] >= DEFAULT_THRESHOLD
