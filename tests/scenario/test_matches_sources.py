"""The built-in matches agree with the published schedule; validate warns of venue clashes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.scenario import Scenario, load_scenario
from opsroom.scenario.checks import VENUE_MIN_GAP, venue_clashes
from tests.factories import MATCHES_CSV, write_scenario

AST = timezone(timedelta(hours=3))
runner = CliRunner()

# The tournament's schedule as FIFA published it (FIFA World Cup Qatar 2022 match schedule) and
# as the "2022 FIFA World Cup" Wikipedia article lists it: local date and kick-off (UTC+3),
# venue, first-named team, second-named team. A second source beside the fixtures file the
# scenario was built from (openfootball/worldcup.json), which put M46 at Lusail.
PUBLISHED = """
2022-11-20 19:00 al-bayt QAT ECU
2022-11-21 16:00 khalifa ENG IRN
2022-11-21 19:00 al-thumama SEN NED
2022-11-21 22:00 ahmad-bin-ali USA WAL
2022-11-22 13:00 lusail ARG KSA
2022-11-22 16:00 education-city DEN TUN
2022-11-22 19:00 stadium-974 MEX POL
2022-11-22 22:00 al-janoub FRA AUS
2022-11-23 13:00 al-bayt MAR CRO
2022-11-23 16:00 khalifa GER JPN
2022-11-23 19:00 al-thumama ESP CRC
2022-11-23 22:00 ahmad-bin-ali BEL CAN
2022-11-24 13:00 al-janoub SUI CMR
2022-11-24 16:00 education-city URU KOR
2022-11-24 19:00 stadium-974 POR GHA
2022-11-24 22:00 lusail BRA SRB
2022-11-25 13:00 ahmad-bin-ali WAL IRN
2022-11-25 16:00 al-thumama QAT SEN
2022-11-25 19:00 khalifa NED ECU
2022-11-25 22:00 al-bayt ENG USA
2022-11-26 13:00 al-janoub TUN AUS
2022-11-26 16:00 education-city POL KSA
2022-11-26 19:00 stadium-974 FRA DEN
2022-11-26 22:00 lusail ARG MEX
2022-11-27 13:00 ahmad-bin-ali JPN CRC
2022-11-27 16:00 al-thumama BEL MAR
2022-11-27 19:00 khalifa CRO CAN
2022-11-27 22:00 al-bayt ESP GER
2022-11-28 13:00 al-janoub CMR SRB
2022-11-28 16:00 education-city KOR GHA
2022-11-28 19:00 stadium-974 BRA SUI
2022-11-28 22:00 lusail POR URU
2022-11-29 18:00 al-bayt NED QAT
2022-11-29 18:00 khalifa ECU SEN
2022-11-29 22:00 ahmad-bin-ali WAL ENG
2022-11-29 22:00 al-thumama IRN USA
2022-11-30 18:00 al-janoub AUS DEN
2022-11-30 18:00 education-city TUN FRA
2022-11-30 22:00 lusail KSA MEX
2022-11-30 22:00 stadium-974 POL ARG
2022-12-01 18:00 ahmad-bin-ali CRO BEL
2022-12-01 18:00 al-thumama CAN MAR
2022-12-01 22:00 al-bayt CRC GER
2022-12-01 22:00 khalifa JPN ESP
2022-12-02 18:00 al-janoub GHA URU
2022-12-02 18:00 education-city KOR POR
2022-12-02 22:00 lusail CMR BRA
2022-12-02 22:00 stadium-974 SRB SUI
2022-12-03 18:00 khalifa NED USA
2022-12-03 22:00 ahmad-bin-ali ARG AUS
2022-12-04 18:00 al-thumama FRA POL
2022-12-04 22:00 al-bayt ENG SEN
2022-12-05 18:00 al-janoub JPN CRO
2022-12-05 22:00 stadium-974 BRA KOR
2022-12-06 18:00 education-city MAR ESP
2022-12-06 22:00 lusail POR SUI
2022-12-09 18:00 education-city CRO BRA
2022-12-09 22:00 lusail NED ARG
2022-12-10 18:00 al-thumama MAR POR
2022-12-10 22:00 al-bayt ENG FRA
2022-12-13 22:00 lusail ARG CRO
2022-12-14 22:00 al-bayt FRA MAR
2022-12-17 18:00 khalifa CRO MAR
2022-12-18 18:00 lusail ARG FRA
"""

# Matches per stadium at the tournament (FIFA's schedule; they sum to 64).
MATCHES_PER_VENUE = {
    "lusail": 10,
    "al-bayt": 9,
    "khalifa": 8,
    "education-city": 8,
    "al-thumama": 8,
    "ahmad-bin-ali": 7,
    "stadium-974": 7,
    "al-janoub": 7,
}


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


def test_matches_per_venue_are_the_tournament_s(qatar: Scenario) -> None:
    assert sum(MATCHES_PER_VENUE.values()) == 64
    assert Counter(m.venue_id for m in qatar.matches) == MATCHES_PER_VENUE


def test_korea_republic_v_portugal_was_at_education_city(qatar: Scenario) -> None:
    m46 = qatar.match("M46")
    assert (m46.home, m46.away) == ("KOR", "POR")
    assert m46.kickoff == datetime(2022, 12, 2, 18, 0, tzinfo=AST)
    assert m46.venue_id == "education-city"


def test_every_match_agrees_with_the_published_schedule(qatar: Scenario) -> None:
    published = [line.split() for line in PUBLISHED.strip().splitlines()]
    ours = [
        [f"{m.kickoff:%Y-%m-%d}", f"{m.kickoff:%H:%M}", m.venue_id, m.home, m.away]
        for m in qatar.matches
    ]
    assert all(m.kickoff.utcoffset() == timedelta(hours=3) for m in qatar.matches)
    assert ours == published


def test_group_matches_are_between_teams_of_their_group(qatar: Scenario) -> None:
    group_of = {t.id: t.group for t in qatar.teams}
    for match in qatar.matches:
        if match.group is not None:
            assert group_of[match.home or ""] == group_of[match.away or ""] == match.group, match.id


def test_the_builtin_scenario_has_no_venue_clash(qatar: Scenario) -> None:
    assert venue_clashes(qatar) == []


CLASH_CSV = (
    MATCHES_CSV + "A2,2025-12-21T23:30:00+01:00,rabat,group,A,COM,MAR,,\n"
    "A3,2025-12-28T20:00:00+01:00,rabat,group,A,MAR,COM,,\n"
)


def test_validate_warns_when_one_venue_holds_two_matches_within_hours(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path / "clash", matches_csv=CLASH_CSV)
    clashes = venue_clashes(load_scenario(directory))
    assert [(c.venue_id, c.first.id, c.second.id, c.gap) for c in clashes] == [
        ("rabat", "A1", "A2", timedelta(hours=3, minutes=30))
    ]
    result = runner.invoke(app, ["scenario", "validate", str(directory)])
    assert result.exit_code == 0, result.output
    assert "valid: 1 venues, 2 gates, 3 matches" in result.stdout
    assert (
        "warning: venue 'rabat' holds A1 (2025-12-21 20:00) and A2 (2025-12-21 23:30) "
        f"3 h 30 min apart (less than {VENUE_MIN_GAP.total_seconds() / 3600:.0f} h)"
    ) in result.stderr
    assert "A3" not in result.stderr


def test_validate_stays_quiet_without_a_clash(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "validate", str(write_scenario(tmp_path / "ok"))])
    assert result.exit_code == 0 and "warning" not in result.output


def test_validate_of_a_misspelt_directory_says_there_is_none(tmp_path: Path) -> None:
    write_scenario(tmp_path / "afcon")
    result = runner.invoke(app, ["scenario", "validate", str(tmp_path / "afocn")])
    assert result.exit_code == 2
    assert "no such directory" in result.stderr and str(tmp_path / "afocn") in result.stderr
    assert "missing file" not in result.stderr


def test_comment_lines_before_a_csv_header_keep_line_numbers(tmp_path: Path) -> None:
    sources = "# Source: the organiser's fixture list\n# checked against a second source\n"
    directory = write_scenario(
        tmp_path / "cited", matches_csv=sources + MATCHES_CSV.replace(",rabat,", ",fes,")
    )
    result = runner.invoke(app, ["scenario", "validate", str(directory)])
    assert result.exit_code == 2
    assert "matches.csv, row 4, field 'venue_id': unknown venue 'fes'" in result.stderr
