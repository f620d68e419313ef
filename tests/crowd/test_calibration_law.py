"""The geometry law of the calibration: pure checks, the CLI's table, and one tiny simulation."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from opsroom.crowd.calibration import (
    BASE,
    CALIBRATED,
    EXPERIMENTS,
    TIME_GAP_GRID,
    Calibration,
    ExperimentFit,
    experiment_depth,
    experiment_scene,
)
from opsroom.crowd.cli_events import print_calibration
from opsroom.crowd.micro import MicroParameters, bottleneck_scene, gate_plaza_scene, run_micro
from opsroom.crowd.time_gap_law import FittedLaw, FlowCurve, fit_law, law_parameters
from opsroom.errors import InvalidInputError


def _curve(
    width: float, measured: float, flow_of_gap: Callable[[float], float], depth: float = 0.4
) -> FlowCurve:
    gaps = np.array(TIME_GAP_GRID)
    flows = np.array([flow_of_gap(float(g)) for g in gaps])
    return FlowCurve(
        width_m=width, depth_m=depth, measured_flow=measured, time_gaps_s=gaps, flows=flows
    )


def test_time_gap_law_is_linear_in_width_and_depth_and_held_outside_its_ranges() -> None:
    law = law_parameters(0.5, 0.2, BASE, depth_slope=0.4)
    assert law.time_gap_at(1.0, 0.4) == pytest.approx(0.5)
    assert law.time_gap_at(1.5, 0.4) == pytest.approx(0.6)
    assert law.time_gap_at(1.0, 0.9) == pytest.approx(0.7)
    assert law.time_gap_at(0.2, 0.4) == pytest.approx(law.time_gap_at(0.5, 0.4))
    assert law.time_gap_at(3.0, 0.4) == pytest.approx(law.time_gap_at(1.8, 0.4))
    assert law.time_gap_at(1.0, 4.0) == pytest.approx(law.time_gap_at(1.0, 0.95))
    assert law.time_gap_at(1.0, 0.1) == pytest.approx(law.time_gap_at(1.0, 0.4))
    assert MicroParameters(time_gap_s=0.7).time_gap_at(None) == 0.7
    assert law_parameters(0.5, 0.2, BASE).time_gap_at(1.5) == pytest.approx(0.6)


def test_a_law_needs_the_opening_it_depends_on_and_positive_time_gaps() -> None:
    with pytest.raises(InvalidInputError):
        law_parameters(0.5, 0.2, BASE).time_gap_at(None)
    with pytest.raises(InvalidInputError):
        law_parameters(0.5, 0.0, BASE, depth_slope=0.3).time_gap_at(1.0, None)
    with pytest.raises(InvalidInputError):
        law_parameters(0.1, 0.5, BASE)  # 0.1 - 0.25 s at 0.5 m
    with pytest.raises(InvalidInputError):
        law_parameters(0.3, 0.0, BASE, depth_slope=-1.0)  # 0.3 - 0.55 s at 0.95 m deep


def test_the_adopted_law_evaluates_as_documented() -> None:
    # docs/crowd.md: T = 0.605 s + 0.495 s/m (w - 1 m) + 0.730 s/m (d - 0.4 m)
    assert CALIBRATED.time_gap_at(0.5, 0.95) == pytest.approx(0.759)  # CrowdQueue
    assert CALIBRATED.time_gap_at(0.5, 0.4) == pytest.approx(0.3575)  # Hermes 0.50 m
    assert CALIBRATED.time_gap_at(1.0, 0.4) == pytest.approx(0.605)
    assert CALIBRATED.time_gap_at(1.45, 0.4) == pytest.approx(0.82775)
    assert CALIBRATED.time_gap_at(1.8, 0.4) == pytest.approx(1.001)
    assert CALIBRATED.radius_m == BASE.radius_m == 0.13
    assert CALIBRATED.neighbor_strength == 12.0
    assert "0.605 s" in CALIBRATED.source and "+0.730 s per metre of depth" in CALIBRATED.source


# The flow curves the adopted law was fitted on (docs/crowd.md: mean of seeds 0-4 per time gap,
# 0.25-1.10 s; nan where the model jammed) and the experiments' measured flows.
FIT_DATA = {
    (0.5, 0.95, 1.160): "1.56 1.64 1.55 1.52 1.45 nan 1.33 1.29 1.28 1.21 1.18 1.13 1.11 1.08 "
    "1.06 1.05 1.02 1.00",
    (0.5, 0.4, 1.280): "1.23 1.24 1.27 1.23 1.23 1.20 1.11 1.10 1.02 0.98 0.93 0.90 0.85 0.82 "
    "0.79 0.78 0.75 0.72",
    (1.0, 0.4, 2.442): "3.57 3.41 3.29 3.12 2.92 2.75 2.62 2.48 2.34 2.21 2.16 2.05 1.98 1.92 "
    "1.78 1.81 1.70 1.68",
    (1.45, 0.4, 2.786): "5.50 5.25 4.88 4.56 4.21 3.95 3.74 3.49 3.36 3.12 2.97 2.86 2.74 2.63 "
    "2.54 2.45 2.34 2.28",
    (1.8, 0.4, 2.914): "6.08 5.89 5.60 5.28 5.01 4.71 4.48 4.19 4.00 3.80 3.64 3.45 3.27 3.15 "
    "3.01 2.89 2.78 2.68",
}


def test_the_adopted_law_crosses_the_fit_data_at_the_measured_flows() -> None:
    curves = [
        FlowCurve(
            width_m=w,
            depth_m=d,
            measured_flow=measured,
            time_gaps_s=np.array(TIME_GAP_GRID),
            flows=np.array([float(f) for f in flows.split()]),
        )
        for (w, d, measured), flows in FIT_DATA.items()
    ]
    for curve in curves:
        gap = CALIBRATED.time_gap_at(curve.width_m, curve.depth_m)
        assert abs(curve.error_at(gap)) < 0.03
    law = fit_law(curves)
    assert law.worst_error < 0.03
    assert law.time_gap_at_1m_s == pytest.approx(CALIBRATED.time_gap_s, abs=0.02)
    assert law.slope_s_per_m == pytest.approx(CALIBRATED.time_gap_per_m, abs=0.03)
    assert law.depth_slope_s_per_m == pytest.approx(CALIBRATED.time_gap_per_m_depth, abs=0.05)


def test_fit_law_recovers_the_law_behind_synthetic_curves() -> None:
    # flow = width / time gap; the "measured" flows follow 0.5 + 0.3 (w - 1) + 0.4 (d - 0.4).
    def truth(w: float, d: float) -> float:
        return 0.5 + 0.3 * (w - 1.0) + 0.4 * (d - 0.4)

    def flow(width: float) -> Callable[[float], float]:
        return lambda gap: width / gap

    openings = [(0.5, 0.95), (0.5, 0.4), (1.0, 0.4), (1.45, 0.4), (1.8, 0.4)]
    curves = [_curve(w, w / truth(w, d), flow(w), depth=d) for w, d in openings]
    law = fit_law(curves)
    assert law.depth_identified
    assert law.time_gap_at_1m_s == pytest.approx(0.5, abs=0.01)
    assert law.slope_s_per_m == pytest.approx(0.3, abs=0.02)
    assert law.depth_slope_s_per_m == pytest.approx(0.4, abs=0.03)
    assert law.worst_error < 0.02


def test_the_depth_slope_is_not_fitted_where_every_opening_is_equally_deep() -> None:
    curves = [_curve(w, w / 0.6, lambda gap, w=w: w / gap) for w in (0.5, 1.0, 1.8)]
    law = fit_law(curves)
    assert not law.depth_identified
    assert law.depth_slope_s_per_m == 0.0
    assert law.time_gap_at_1m_s == pytest.approx(0.6, abs=0.01)


def test_fit_law_avoids_jammed_runs() -> None:
    flows = [1.0 / g for g in TIME_GAP_GRID]
    jammed = [np.nan if 0.45 <= g <= 0.55 else f for g, f in zip(TIME_GAP_GRID, flows, strict=True)]
    curve = FlowCurve(
        width_m=1.0,
        measured_flow=2.0,
        time_gaps_s=np.array(TIME_GAP_GRID),
        flows=np.array(jammed),
    )
    assert curve.error_at(0.5) == float("inf")
    assert curve.error_at(2.0) == float("inf")
    assert np.isfinite(curve.error_at(0.35))
    law = fit_law([curve])
    assert not 0.4 < law.time_gap_at_1m_s < 0.6


def test_calibrated_parameters_stay_inside_the_fitted_grid() -> None:
    for experiment in EXPERIMENTS:
        gap = CALIBRATED.time_gap_at(experiment.width_m, experiment_depth(experiment))
        assert TIME_GAP_GRID[0] <= gap <= TIME_GAP_GRID[-1]
    assert CALIBRATED.desired_speed_m_s == BASE.desired_speed_m_s


def test_calibrated_flow_grows_with_the_opening_width() -> None:
    flows = [
        run_micro(bottleneck_scene(width_m=w, people=30), CALIBRATED, max_time_s=60).flow_per_s
        for w in (0.5, 1.5)
    ]
    assert 0 < flows[0] < flows[1]


def test_scenes_carry_their_opening() -> None:
    bottleneck = bottleneck_scene(width_m=1.45, people=5)
    assert (bottleneck.opening_width_m, bottleneck.opening_depth_m) == (1.45, 0.4)
    plaza = gate_plaza_scene(people=5, lanes=2, plaza_depth_m=8.0)
    assert (plaza.opening_width_m, plaza.opening_depth_m) == (1.0, 4.0)
    # The plaza's 4 m lanes are deeper than any fitted opening: the law holds them at 0.95 m.
    assert CALIBRATED.time_gap_at(1.0, 4.0) == pytest.approx(CALIBRATED.time_gap_at(1.0, 0.95))


def test_the_crowdqueue_scene_has_the_published_gate(shared_data: Path) -> None:
    scene = experiment_scene(shared_data / "crowd", EXPERIMENTS[0], 75)
    assert (scene.opening_width_m, scene.opening_depth_m) == (0.5, 0.95)
    assert experiment_depth(EXPERIMENTS[1]) == 0.4


def _fit(name: str, error: float, deadlocked: int = 0) -> ExperimentFit:
    return ExperimentFit(
        name=name,
        people=100,
        passed=100,
        measured_flow=2.0,
        simulated_flow=2.0 * (1 + error),
        time_gap_s=0.6,
        neighbor_range_m=0.1,
        runs=10,
        deadlocked=deadlocked,
    )


def test_the_cli_table_has_a_row_and_a_leave_one_out_error_for_every_experiment() -> None:
    names = [e.name for e in EXPERIMENTS]
    law = FittedLaw(
        time_gap_at_1m_s=0.6,
        slope_s_per_m=0.48,
        depth_slope_s_per_m=0.0,
        worst_error=0.01,
        depth_identified=False,
    )
    result = Calibration(
        parameters=CALIBRATED,
        fits=tuple(_fit(n, 0.03 * k, deadlocked=int(k == 0)) for k, n in enumerate(names)),
        own_fits=tuple(_fit(n, 0.01) for n in names),
        default_fits=tuple(_fit(n, -0.5) for n in names),
        loo_fits=tuple(_fit(n, -0.07) for n in names),
        loo_laws=(law,) * len(names),
    )
    output = io.StringIO()
    print_calibration(result, Console(file=output, width=400))
    text = output.getvalue()
    assert "mean of 10 fresh runs" in text and "LOO error" in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert [n for n in names if any(n in row for row in rows)] == names
    assert all("-7 %" in row for row in rows)
    assert "1 of 10" in rows[0] and "0 of 10" in rows[-1] and "+12 %" in rows[-1]
    laws = [line for line in text.splitlines() if line.startswith("leave one out, ")]
    assert len(laws) == len(names) and all("not identifiable" in line for line in laws)


def test_the_docs_quote_the_adopted_law() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "crowd.md").read_text(encoding="utf-8")
    assert f"T₁ = {CALIBRATED.time_gap_s:.3f} s" in docs
    assert f"s_w = {CALIBRATED.time_gap_per_m:+.3f} s/m" in docs
    assert f"s_d = {CALIBRATED.time_gap_per_m_depth:+.3f} s/m" in docs
    assert f"radius {CALIBRATED.radius_m:g} m" in docs


def test_hotspot_runs_use_the_law_at_bottlenecks_and_the_gate_fit_at_plazas() -> None:
    from typer.testing import CliRunner

    from opsroom.cli import app

    runner = CliRunner()
    bottleneck = runner.invoke(
        app, ["crowd", "micro", "--scene", "bottleneck", "--people", "20", "--seconds", "30"]
    )
    assert bottleneck.exit_code == 0, bottleneck.output
    assert "geometry law" in " ".join(bottleneck.output.split())
    plaza = runner.invoke(
        app, ["crowd", "micro", "--people", "10", "--lanes", "2", "--seconds", "20"]
    )
    assert plaza.exit_code == 0, plaza.output
    assert "CrowdQueue 2018 entrance gate" in " ".join(plaza.output.split())
