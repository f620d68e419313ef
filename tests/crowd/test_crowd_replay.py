from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.crowd.replay import REPLAYS, load_replay, run_replay
from opsroom.errors import NotFoundError


@pytest.mark.parametrize("key", REPLAYS)
def test_replay_flags_the_failure_hours_ahead_and_the_mitigation_works(key: str) -> None:
    result = run_replay(load_replay(key))
    assert result.flagged
    assert result.lead_minutes is not None and result.lead_minutes >= 120
    assert result.baseline_max_wait_min > 30
    assert result.mitigation_works
    assert result.mitigated_max_wait_min <= 15
    assert result.replay.sources and result.replay.assumptions


def test_hillsborough_turnstile_arithmetic() -> None:
    result = run_replay(load_replay("hillsborough-1989"))
    # 10,100 terrace fans within 1 h at 660/h: 15.3, so 16 turnstiles, 9 more than the 7.
    assert result.green_guide_turnstiles["leppings-lane-turnstiles"] == 16
    assert result.green_guide_shortfall == 9
    peak = {p.station_id: p for p in result.baseline.peaks}
    assert peak["hillsborough-1989/leppings-lane-turnstiles"].capacity_per_h == 7 * 750


def test_unknown_replay_and_cli() -> None:
    with pytest.raises(NotFoundError):
        load_replay("no-such-event")
    outcome = CliRunner().invoke(app, ["crowd", "replay", "stade-de-france-2022", "--json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["flagged"] is True
    outcome = CliRunner().invoke(app, ["crowd", "replay", "hillsborough-1989"])
    assert "9 turnstiles short" in outcome.stdout


def test_micro_command_small_bottleneck() -> None:
    outcome = CliRunner().invoke(
        app,
        ["crowd", "micro", "--scene", "bottleneck", "--people", "20", "--seconds", "60"],
        env={"COLUMNS": "200"},
    )
    assert outcome.exit_code == 0, outcome.output
    assert "passed the line: 20" in outcome.stdout
    outcome = CliRunner().invoke(app, ["crowd", "micro", "--scene", "nowhere"])
    assert outcome.exit_code == 2
