"""Microscopic runs: small scenes only (tens of people), so the suite stays quick."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from opsroom.crowd.calibration import CALIBRATED, EXPERIMENTS, measured_flow
from opsroom.crowd.micro import (
    MicroParameters,
    MicroScene,
    _grid_density,
    _hotspots,
    bottleneck_scene,
    gate_plaza_scene,
    run_micro,
    steady_flow,
)
from opsroom.errors import InvalidInputError


def test_steady_flow_uses_the_middle_of_the_passings() -> None:
    times = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0])
    assert steady_flow(times) == pytest.approx(1.0)
    assert np.isnan(steady_flow(np.array([1.0, 2.0])))


def test_grid_density_counts_people_per_square_metre() -> None:
    scene = MicroScene(
        name="box",
        walkable=shapely.box(0, 0, 4, 4),
        starts=((1.0, 1.0),),
        exit_area=shapely.box(3, 3, 4, 4),
        line=((0, 2), (4, 2)),
        density_area=shapely.box(0, 0, 2, 2),
    )
    # 24 people in the 2 m x 2 m cell at the origin in frame 0 (6 /m²), one elsewhere in frame 1.
    rows = [(i, 0, 0.1 + 0.08 * i, 0.5) for i in range(24)] + [(99, 1, 2.5, 2.5)]
    trajectory = pd.DataFrame(rows, columns=["id", "frame", "x", "y"])
    grid, over4, over5 = _grid_density(scene, trajectory, frame_rate=5.0)
    assert grid.max() == pytest.approx(6.0)
    assert int((grid > 5).sum()) == 1
    assert _hotspots(scene, grid) == ((1.0, 1.0, pytest.approx(6.0)),)
    assert over4 == pytest.approx(0.2) and over5 == pytest.approx(0.2)


def test_bottleneck_everyone_passes_and_calibration_raises_the_flow() -> None:
    scene = bottleneck_scene(width_m=1.0, people=40)
    calibrated = run_micro(scene, CALIBRATED, max_time_s=120)
    default = run_micro(scene, MicroParameters(), max_time_s=120)
    assert calibrated.passed == 40
    assert 0 < default.flow_per_s < calibrated.flow_per_s
    assert calibrated.max_density_per_m2 > 0
    assert calibrated.agent_steps > 0


def test_service_times_at_the_lanes_limit_the_flow() -> None:
    # 3 lanes, 3 s per person: at most 1 person/s gets through, whatever the crowd does.
    scene = gate_plaza_scene(people=40, lanes=3, service_mean_s=3.0, plaza_depth_m=12.0)
    result = run_micro(scene, CALIBRATED, max_time_s=150)
    assert result.passed == 40
    assert result.flow_per_s == pytest.approx(1.0, rel=0.35)
    assert result.flow_per_s < 1.4


def test_bad_parameters() -> None:
    with pytest.raises(InvalidInputError):
        MicroParameters(time_gap_s=0)


def test_experiment_flows_match_the_published_figures(shared_data: Path) -> None:
    published = [1.16, 1.26, 2.44, 2.79, 2.92]
    for experiment, figure in zip(EXPERIMENTS, published, strict=True):
        flow, people = measured_flow(shared_data / "crowd", experiment)
        assert flow == pytest.approx(figure, rel=0.03), experiment.name
        assert people > 50


def test_crowdqueue_scene_keeps_everyone_apart_inside_the_area(shared_data: Path) -> None:
    from itertools import combinations

    from opsroom.crowd.calibration import START_SEPARATION_M, experiment_scene

    scene = experiment_scene(shared_data / "crowd", EXPERIMENTS[0], 75)
    assert len(scene.starts) == 75
    assert all(scene.walkable.contains(shapely.Point(p)) for p in scene.starts)
    closest = min(np.hypot(a[0] - b[0], a[1] - b[1]) for a, b in combinations(scene.starts, 2))
    assert closest >= START_SEPARATION_M - 1e-9
