"""The width law of the calibration: pure checks, and one tiny simulation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from opsroom.crowd.calibration import (
    BASE,
    CALIBRATED,
    CALIBRATED_GATE,
    CALIBRATED_WIDTH_LAW,
    TIME_GAP_GRID,
    FlowCurve,
    fit_law,
    law_parameters,
)
from opsroom.crowd.micro import MicroParameters, bottleneck_scene, gate_plaza_scene, run_micro
from opsroom.errors import InvalidInputError


def _curve(width: float, measured: float, flow_of_gap: Callable[[float], float]) -> FlowCurve:
    gaps = np.array(TIME_GAP_GRID)
    flows = np.array([flow_of_gap(float(g)) for g in gaps])
    return FlowCurve(width_m=width, measured_flow=measured, time_gaps_s=gaps, flows=flows)


def test_time_gap_law_is_linear_in_the_width_and_held_outside_its_range() -> None:
    law = law_parameters(0.5, 0.2)
    assert law.time_gap_at(1.0) == pytest.approx(0.5)
    assert law.time_gap_at(1.5) == pytest.approx(0.6)
    assert law.time_gap_at(0.2) == pytest.approx(law.time_gap_at(0.5))
    assert law.time_gap_at(3.0) == pytest.approx(law.time_gap_at(1.8))
    assert MicroParameters(time_gap_s=0.7).time_gap_at(None) == 0.7


def test_a_width_law_needs_an_opening_width_and_positive_time_gaps() -> None:
    with pytest.raises(InvalidInputError):
        law_parameters(0.5, 0.2).time_gap_at(None)
    with pytest.raises(InvalidInputError):
        law_parameters(0.1, 0.5)  # 0.1 - 0.25 s at 0.5 m


def test_fit_law_recovers_the_law_behind_synthetic_curves() -> None:
    # flow = width / time gap; the "measured" flows follow a time gap of 0.5 + 0.3 (w - 1).
    def truth(w: float) -> float:
        return 0.5 + 0.3 * (w - 1.0)

    def flow(width: float) -> Callable[[float], float]:
        return lambda gap: width / gap

    curves = [_curve(w, w / truth(w), flow(w)) for w in (0.5, 1.0, 1.45, 1.8)]
    at_1m, slope, worst = fit_law(curves)
    assert at_1m == pytest.approx(0.5, abs=0.01)
    assert slope == pytest.approx(0.3, abs=0.02)
    assert worst < 0.02


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
    assert np.isfinite(curve.error_at(0.35))
    at_1m, _, _ = fit_law([curve])
    assert not 0.4 < at_1m < 0.6


def test_calibrated_parameters_stay_within_their_documented_bounds() -> None:
    for parameters in (CALIBRATED, CALIBRATED_GATE, CALIBRATED_WIDTH_LAW):
        for width in (0.5, 1.0, 1.45, 1.8):
            assert TIME_GAP_GRID[0] <= parameters.time_gap_at(width) <= TIME_GAP_GRID[-1]
        assert parameters.radius_m == BASE.radius_m
        assert parameters.desired_speed_m_s == BASE.desired_speed_m_s


def test_calibrated_flow_grows_with_the_opening_width() -> None:
    for parameters in (CALIBRATED, CALIBRATED_WIDTH_LAW):
        flows = [
            run_micro(bottleneck_scene(width_m=w, people=30), parameters, max_time_s=60).flow_per_s
            for w in (0.5, 1.5)
        ]
        assert 0 < flows[0] < flows[1]


def test_scenes_carry_their_opening_width() -> None:
    assert bottleneck_scene(width_m=1.45, people=5).opening_width_m == 1.45
    assert gate_plaza_scene(people=5, lanes=2, plaza_depth_m=8.0).opening_width_m == 1.0
