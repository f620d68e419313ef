"""The scoring features, one at a time."""

from __future__ import annotations

from opsroom.screening import EquivalenceTable, PartialDate, parse_name
from opsroom.screening.rarity import Rarity
from opsroom.screening.scoring import Facts, PreparedName, Scored, score_names

RARITY = Rarity()
TABLE = EquivalenceTable.shipped()


def score(query: str, listed: str, qf: Facts | None = None, lf: Facts | None = None) -> Scored:
    result = score_names(
        PreparedName.of(parse_name(query), RARITY, TABLE),
        qf or Facts(),
        PreparedName.of(parse_name(listed), RARITY, TABLE),
        lf or Facts(),
    )
    assert result is not None
    return result


def features(result: Scored) -> dict[str, float]:
    return {c.feature: c.value for c in result.contributions}


def date(text: str) -> Facts:
    return Facts(birth_date=PartialDate.parse(text))


def test_exact_name_ranks_above_a_spelling_variant_above_a_stranger() -> None:
    exact = score("Khalid Saeed Al-Qahtani", "Khalid Saeed Al-Qahtani").score
    variant = score("Khaled Said Qahtani", "Khalid Saeed Al-Qahtani").score
    stranger = score("Peter Novak", "Khalid Saeed Al-Qahtani").score
    assert exact > variant > 0.7 > stranger


def test_scores_never_saturate() -> None:
    facts = Facts(birth_date=PartialDate.parse("1990-01-10"), nationality="QA", doc_number="N1")
    best = score("Khalid Saeed Al-Qahtani", "Khalid Saeed Al-Qahtani", facts, facts).score
    without_doc = score(
        "Khalid Saeed Al-Qahtani",
        "Khalid Saeed Al-Qahtani",
        Facts(birth_date=facts.birth_date),
        Facts(birth_date=facts.birth_date),
    ).score
    assert without_doc < best < 1.0


def test_cross_script_name_matches() -> None:
    result = score("خالد سعيد القحطاني", "Khalid Saeed Al-Qahtani")
    assert result.score >= 0.7
    assert all(m.how in ("phonetic", "exact") for m in result.tokens)


def test_common_names_weigh_less_than_rare_ones() -> None:
    common = score("Mohamed Ali", "Mohamed Ali Hassan").score
    rare = score("Zubair Harith", "Zubair Harith Fadlallah").score
    assert common < rare
    assert common < 0.7


def test_shared_given_and_fathers_names_with_another_family_do_not_alert() -> None:
    result = score(
        "Mohamed Ahmed Al-Qahtani",
        "Mohamed Ahmed Al-Mansouri",
        date("1985-02-02"),
        date("1980-05-02"),
    )
    assert result.score < 0.1
    assert {"conflict", "family_name", "birth_date"} <= set(features(result))


def test_birth_date_agreement_and_conflict() -> None:
    name = "Khalid Saeed Al-Qahtani"
    same = features(score(name, name, date("1990-01-10"), date("1990-01-10")))["birth_date"]
    year_only = features(score(name, name, date("1990-01-10"), date("1990")))["birth_date"]
    one_off = features(score(name, name, date("1990-01-10"), date("1991")))["birth_date"]
    swapped = features(score(name, name, date("1990-01-10"), date("1990-10-01")))["birth_date"]
    conflict = features(score(name, name, date("1990-01-10"), date("1975-01-10")))["birth_date"]
    assert same > swapped > 0 and year_only > one_off >= 0 > conflict


def test_doc_number_nationality_and_gender() -> None:
    name = "Khalid Saeed Al-Qahtani"
    pushes = features(
        score(
            name,
            name,
            Facts(doc_number="N1", nationality="QA", gender="m"),
            Facts(doc_number="N1", nationality="SA", gender="f"),
        )
    )
    assert pushes["doc_number"] > 0 > pushes["nationality"]
    assert pushes["gender"] < 0


def test_order_is_tolerated_but_not_free() -> None:
    straight = score("Khalid Saeed Qahtani", "Khalid Saeed Qahtani").score
    family_first = score("Qahtani Khalid Saeed", "Khalid Saeed Qahtani")
    assert straight > family_first.score >= 0.7
    assert features(family_first)["order"] < 0


def test_equivalent_given_names() -> None:
    result = score("Joseph Haddad", "Youssef Haddad")
    assert any(m.how == "equivalent" for m in result.tokens)


def test_explanation_names_tokens_and_features() -> None:
    result = score("Muhammad Mansuri", "Mohamed Al-Mansouri")
    assert {m.query for m in result.tokens} == {"muhammad", "mansuri"}
    assert {"name", "rarity"} <= set(features(result))


def test_below_threshold_returns_nothing() -> None:
    query = PreparedName.of(parse_name("Peter Novak"), RARITY, TABLE)
    listed = PreparedName.of(parse_name("Khalid Saeed"), RARITY, TABLE)
    assert score_names(query, Facts(), listed, Facts(), threshold=0.7) is None


def test_different_names_sharing_a_key_are_told_apart() -> None:
    # محمد and محمود, Hassan and Hussein share a consonant skeleton but are different names.
    mahmoud = score("Mohammed Saleh Qandil", "محمود صالح قنديل")
    assert mahmoud.tokens[0].how == "fuzzy"
    assert mahmoud.score < score("Mohammed Saleh Qandil", "محمد صالح قنديل").score
    assert score("Hassan Qandil", "Hussein Qandil").score < 0.7


def test_fathers_name_lined_up_with_a_grandfathers_costs() -> None:
    skipped = score("Ahmed Mohammed Hanani", "Ahmed Hassan Mohammed Hanani")
    assert features(skipped)["lineage"] < 0
    no_grandfather = score("Ahmed Hassan Hanani", "Ahmed Hassan Mohammed Hanani")
    assert "lineage" not in features(no_grandfather)
    assert no_grandfather.score > skipped.score


def test_facts_that_rule_out_a_pair_leave_it_below_the_threshold_whatever_the_names() -> None:
    from opsroom.screening.scoring import (
        MAX_NAMES_PUSH,
        date_conflict_rules_out,
        facts_rule_out,
        log_odds_limit,
    )

    limit = log_odds_limit(0.7)
    names = ["Khalid Saeed Al-Qahtani", "خالد سعيد القحطاني", "Abdelkader Ben Salah Bouteflika"]
    for query_date, listed_date in [("1980-05-02", "1984-05-02"), ("1980", "1975-01-01")]:
        qf, lf = date(query_date), date(listed_date)
        assert date_conflict_rules_out(qf, limit)
        assert facts_rule_out(qf, lf, limit)
        for name in names:  # the same name in full: the best the names can do
            result = score_names(
                PreparedName.of(parse_name(name), RARITY, TABLE),
                qf,
                PreparedName.of(parse_name(name), RARITY, TABLE),
                lf,
            )
            assert result is not None
            assert result.score < 0.7
            assert sum(c.value for c in result.contributions) < MAX_NAMES_PUSH - 4.0 + 0.01
            assert (
                score_names(
                    PreparedName.of(parse_name(name), RARITY, TABLE),
                    qf,
                    PreparedName.of(parse_name(name), RARITY, TABLE),
                    lf,
                    threshold=0.7,
                )
                is None
            )
    # A document number could lift the pair: a year conflict no longer rules it out on its own.
    with_doc = Facts(birth_date=PartialDate.parse("1980"), doc_number="N1")
    assert not date_conflict_rules_out(with_doc, limit)
    assert not facts_rule_out(date("1980"), date("1981"), limit)
