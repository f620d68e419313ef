"""The built-in Qatar 2022 scenario holds the published facts and marks its defaults."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from opsroom.errors import NotFoundError
from opsroom.scenario import Scenario, Stage, load_scenario

AST = timezone(timedelta(hours=3))
OFFICIAL_CAPACITIES = {  # FIFA, as listed in the project's facts
    "lusail": 88_966,
    "al-bayt": 68_895,
    "khalifa": 45_857,
    "ahmad-bin-ali": 45_032,
    "education-city": 44_667,
    "al-thumama": 44_400,
    "al-janoub": 44_325,
    "stadium-974": 44_089,
}


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


def test_eight_venues_with_official_capacities(qatar: Scenario) -> None:
    assert {v.id: v.capacity for v in qatar.venues} == OFFICIAL_CAPACITIES


def test_venues_lie_within_about_50_km_of_doha(qatar: Scenario) -> None:
    for venue in qatar.venues:
        assert 25.0 < venue.lat < 25.8 and 51.2 < venue.lon < 51.7, venue.id


def test_sixty_four_matches_from_opening_to_final(qatar: Scenario) -> None:
    assert len(qatar.matches) == 64
    opening, final = qatar.matches[0], qatar.matches[-1]
    assert (opening.home, opening.away, opening.venue_id) == ("QAT", "ECU", "al-bayt")
    assert opening.kickoff == datetime(2022, 11, 20, 19, 0, tzinfo=AST)
    assert opening.kickoff.utcoffset() == timedelta(hours=3)
    assert (final.home, final.away, final.venue_id, final.stage) == (
        "ARG",
        "FRA",
        "lusail",
        Stage.FINAL,
    )
    assert final.kickoff == datetime(2022, 12, 18, 18, 0, tzinfo=AST)
    assert final.attendance == 88_966


def test_attendance_only_where_a_source_gives_it(qatar: Scenario) -> None:
    with_attendance = [m for m in qatar.matches if m.attendance is not None]
    assert [m.id for m in with_attendance] == [qatar.matches[-1].id]
    assert all(m.attendance_source for m in with_attendance)


def test_stage_counts_and_group_matches_per_team(qatar: Scenario) -> None:
    stages = Counter(m.stage for m in qatar.matches)
    assert stages == {
        Stage.GROUP: 48,
        Stage.ROUND_OF_16: 8,
        Stage.QUARTER_FINAL: 4,
        Stage.SEMI_FINAL: 2,
        Stage.THIRD_PLACE: 1,
        Stage.FINAL: 1,
    }
    played = Counter(t for m in qatar.matches if m.stage is Stage.GROUP for t in (m.home, m.away))
    assert len(played) == 32 and set(played.values()) == {3}


def test_at_most_four_matches_a_day(qatar: Scenario) -> None:
    per_day = Counter(qatar.local_date(m) for m in qatar.matches)
    assert max(per_day.values()) == 4
    assert [m.id for m in qatar.matches_on(date(2022, 11, 26))] == ["M21", "M22", "M23", "M24"]
    assert qatar.match_days()[0] == date(2022, 11, 20)
    assert qatar.match_days()[-1] == date(2022, 12, 18)


def test_every_unpublished_figure_is_marked_as_a_default(qatar: Scenario) -> None:
    for row in (*qatar.gates, *qatar.sectors, *qatar.transport, *qatar.links):
        assert row.source.startswith("default:"), row.id


def test_gates_meet_the_green_guide_one_hour_entry_rule(qatar: Scenario) -> None:
    for venue in qatar.venues:
        turnstiles = sum(g.turnstiles for g in qatar.gates_of(venue.id))
        assert turnstiles * 660 >= venue.capacity, venue.id
        seats = sum(s.capacity for s in qatar.sectors_of(venue.id))
        assert seats == venue.capacity
        shares = sum(t.arrival_share for t in qatar.transport_of(venue.id))
        assert shares == pytest.approx(1.0)


def test_lookups_name_what_is_missing(qatar: Scenario) -> None:
    assert qatar.venue("lusail").name == "Lusail Stadium"
    with pytest.raises(NotFoundError, match="no venue 'wembley'"):
        qatar.venue("wembley")
    with pytest.raises(NotFoundError, match="M99"):
        qatar.match("M99")
