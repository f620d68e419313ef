"""The screener and its index, through the public API."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from opsroom.errors import InvalidInputError
from opsroom.screening import Person, Screener, WatchlistIndex, parse_name
from tests.screening.factories import LISTED, entry, person, small_screener


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.entry_id for h in hits]


def test_finds_the_person_behind_other_scripts_and_spellings() -> None:
    screener = small_screener()
    assert ids(screener.screen(person("محمد أحمد المنصوري", born="1980-05-02")))[:1] == ["W1"]
    assert ids(screener.screen(person("Abdulkader ben Saleh Bouteflika")))[:1] == ["W2"]
    assert ids(screener.screen(person("Yusuf Sharif")))[:1] == ["W3"]
    assert ids(screener.screen(person("QAHTANI, Khaled Said", born="1990-01-10")))[:1] == ["W5"]


def test_strangers_and_namesakes_born_elsewhere_do_not_alert() -> None:
    screener = small_screener()
    assert screener.screen(person("Peter Novak")) == []
    assert screener.screen(person("Mohamed Ahmed Al-Harbi", born="1985-01-01")) == []
    assert screener.screen(person("John Michael Smith", born="1990-07-07")) == []


def test_hits_are_ranked_and_serialise_to_json() -> None:
    screener = small_screener()
    hits = screener.screen(person("Khalid Saeed Al-Qahtani", doc="n-1234567"), threshold=0.0)
    assert hits[0].entry_id == "W5"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    data = json.loads(json.dumps(hits[0].to_dict()))
    assert data["entry_id"] == "W5" and data["contributions"]
    assert "doc_number" in {c["feature"] for c in data["contributions"]}
    assert "khalid" in data["explanation"]


def test_batch_on_every_core_equals_one_by_one() -> None:
    screener = small_screener()
    names = ["محمد أحمد المنصوري", "Yusuf Sharif", "Peter Novak", "Mohamed Aly", "Khaled Qahtani"]
    people = [Person(id=str(k), name=names[k % len(names)]) for k in range(60)]
    serial = [screener.screen(p) for p in people]
    seen: list[int] = []
    parallel = screener.screen_many(people, workers=2, parallel_from=10, on_progress=seen.append)
    assert parallel == serial
    assert sum(seen) == len(people)


def test_index_saves_and_loads(tmp_path: Path) -> None:
    index = WatchlistIndex.build(LISTED)
    path = tmp_path / "watchlist.index"
    index.save(path)
    loaded = WatchlistIndex.load(path)
    query = person("Youssef Cherif")
    assert Screener(loaded).screen(query) == Screener(index).screen(query)


def test_bad_index_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.index"
    path.write_bytes(b"not an index")
    with pytest.raises(InvalidInputError, match="cannot read index file"):
        WatchlistIndex.load(path)


def test_duplicate_watchlist_ids_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="twice"):
        WatchlistIndex.build([entry("X", "Ali Hassan"), entry("X", "Omar Hassan")])


def test_candidates_reach_near_keys() -> None:
    index = WatchlistIndex.build([entry("A", "Abdelkader Bouteflika")])
    tokens = parse_name("Abdelkader Boutefika").name_tokens  # a typo in the family name
    assert index.candidates(tokens) == [0]


def test_threshold_is_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        Screener(WatchlistIndex.build(LISTED), threshold=1.5)


def test_aliases_are_screened_too() -> None:
    screener = Screener.from_entries([replace(LISTED[2], name="Y. C.", aliases=("يوسف الشريف",))])
    assert ids(screener.screen(person("Youssef Cherif"))) == ["W3"]


def test_loaded_index_rebuilds_its_derived_arrays(tmp_path: Path) -> None:
    screener = small_screener()
    path = tmp_path / "index.pickle"
    screener.index.save(path)
    loaded = WatchlistIndex.load(path)
    assert loaded.name_lengths.tolist() == screener.index.name_lengths.tolist()
    assert loaded.entry_year.tolist() == screener.index.entry_year.tolist()
    assert loaded.name_lengths.tolist() == [len(n) for n in loaded.names]
