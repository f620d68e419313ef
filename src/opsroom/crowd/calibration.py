"""Calibrate the microscopic model against laboratory trajectories (Jülich experiments).

Experiments (``../shared/data/crowd/``, see its README): CrowdQueue 2018, 75 people through a
0.5 m entrance gate; Hermes 2009 uni-directional corridor fed through entrances of 0.50, 1.00, 1.45
and 1.80 m. Both the experiments and the simulations are measured the same way: PedPy's N-t curve
at a measurement line, flow over the 10 %-90 % part of the passings
(:func:`opsroom.crowd.micro.steady_flow`).

The simulated scenes: the CrowdQueue walkable area as published (WKT) with every person starting
where the recording first sees them; for Hermes, a waiting area feeding a 1.80 m corridor through
the entrance, with as many people as the recording holds (:func:`bottleneck_scene`). CrowdQueue
start positions closer than the model allows are moved back (see ``START_SEPARATION_M``). One set of
time gap is chosen for all experiments, the one with the smallest largest relative error, and
each experiment's own time gap is found too (the model's flow grows faster with the width than
the experiments' does, so one value cannot fit every width); the desired speed stays at 1.34 m/s
(Weidmann) with its spread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pedpy
import shapely

from opsroom.crowd.micro import (
    MicroParameters,
    MicroScene,
    bottleneck_scene,
    line_flow,
    run_micro,
)
from opsroom.errors import NotFoundError

MAX_RUN_S = 200.0
"""Each experiment empties within about a minute; runs stop after 200 s of simulated time."""

BASE = MicroParameters(radius_m=0.15, neighbor_range_m=0.2, source="calibration base")
"""Fixed during the search: radius 0.15 m and a neighbour repulsion range of 0.2 m, the settings
with which people pass the 0.5 m CrowdQueue gate without the model's symmetric deadlocks (with the
defaults, 0.2 m and 0.1 m, most runs jam there)."""

CALIBRATED = MicroParameters(
    time_gap_s=0.4,
    radius_m=0.15,
    neighbor_range_m=0.2,
    source="calibrated against CrowdQueue 2018 and Hermes 2009 flows "
    "(opsroom crowd calibrate; errors per experiment in docs/crowd.md)",
)
"""The parameters ``opsroom crowd calibrate`` chose (see docs/crowd.md for the run)."""


@dataclass(frozen=True, kw_only=True)
class Experiment:
    name: str
    file: str
    width_m: float
    frame_rate: float
    centimetres: bool
    line: tuple[tuple[float, float], tuple[float, float]]


EXPERIMENTS = (
    Experiment(
        name="CrowdQueue 0.50 m gate",
        file="040_c_56_h-.txt",
        width_m=0.5,
        frame_rate=25.0,
        centimetres=False,
        line=((-0.4, 0.0), (0.4, 0.0)),
    ),
    Experiment(
        name="Hermes entrance 0.50 m",
        file="uo-050-180-180.txt",
        width_m=0.5,
        frame_rate=16.0,
        centimetres=True,
        line=((-1.0, 0.0), (3.0, 0.0)),
    ),
    Experiment(
        name="Hermes entrance 1.00 m",
        file="uo-100-180-180.txt",
        width_m=1.0,
        frame_rate=16.0,
        centimetres=True,
        line=((-1.0, 0.0), (3.0, 0.0)),
    ),
    Experiment(
        name="Hermes entrance 1.45 m",
        file="uo-145-180-180.txt",
        width_m=1.45,
        frame_rate=16.0,
        centimetres=True,
        line=((-1.0, 0.0), (3.0, 0.0)),
    ),
    Experiment(
        name="Hermes entrance 1.80 m",
        file="uo-180-180-180.txt",
        width_m=1.8,
        frame_rate=16.0,
        centimetres=True,
        line=((-1.0, 0.0), (3.0, 0.0)),
    ),
)


@dataclass(frozen=True, kw_only=True)
class ExperimentFit:
    name: str
    people: int
    passed: int
    measured_flow: float
    simulated_flow: float
    time_gap_s: float

    @property
    def error(self) -> float:
        return (self.simulated_flow - self.measured_flow) / self.measured_flow


@dataclass(frozen=True, kw_only=True)
class Calibration:
    parameters: MicroParameters
    fits: tuple[ExperimentFit, ...]
    own_fits: tuple[ExperimentFit, ...]
    default_fits: tuple[ExperimentFit, ...]

    @property
    def max_error(self) -> float:
        return max(abs(f.error) for f in self.fits)


def load_experiment(data_dir: Path, experiment: Experiment) -> pedpy.TrajectoryData:
    path = data_dir / experiment.file
    if not path.is_file():
        raise NotFoundError(f"experiment file {path} is missing")
    return pedpy.load_trajectory_from_txt(
        trajectory_file=path,
        default_frame_rate=experiment.frame_rate,
        default_unit=pedpy.TrajectoryUnit.CENTIMETER
        if experiment.centimetres
        else pedpy.TrajectoryUnit.METER,
    )


def measured_flow(data_dir: Path, experiment: Experiment) -> tuple[float, int]:
    """Steady flow (persons/s) of the recording and the number of people in it."""
    traj = load_experiment(data_dir, experiment)
    return line_flow(traj, experiment.line), int(traj.data["id"].nunique())


def experiment_scene(data_dir: Path, experiment: Experiment, people: int) -> MicroScene:
    if experiment.file.startswith("040_c"):
        wkt = (data_dir / "crowdqueue_040_c_56_h-_geometry.wkt").read_text(encoding="utf-8")
        walkable = shapely.from_wkt(wkt.strip())
        traj = load_experiment(data_dir, experiment).data
        first = traj.sort_values("frame").groupby("id").first()
        return MicroScene(
            name=experiment.name,
            walkable=walkable,
            starts=_separated(
                [(float(x), float(y)) for x, y in zip(first["x"], first["y"], strict=True)],
                walkable,
            ),
            exit_area=shapely.box(-3.4, -1.95, 3.4, -1.6),
            line=experiment.line,
            density_area=shapely.box(-1.5, 0.0, 1.5, 2.0),
        )
    return bottleneck_scene(width_m=experiment.width_m, people=people)


START_SEPARATION_M = 0.42
"""The model forbids overlapping people: recorded start positions closer than this (2 x 0.2 m
radius and a margin) are moved back, away from the gate, 5 cm at a time, until they fit."""


def _separated(
    points: list[tuple[float, float]], walkable: shapely.Polygon
) -> tuple[tuple[float, float], ...]:
    placed: list[tuple[float, float]] = []
    for x, y in sorted(points, key=lambda p: p[1]):
        candidate = (x, y)
        for _ in range(400):
            inside = walkable.contains(shapely.Point(candidate).buffer(0.21))
            clear = all(
                (candidate[0] - px) ** 2 + (candidate[1] - py) ** 2 >= START_SEPARATION_M**2
                for px, py in placed
            )
            if inside and clear:
                break
            candidate = (candidate[0], candidate[1] + 0.05)
        placed.append(candidate)
    return tuple(placed)


def _simulate(
    data_dir: Path, experiment: Experiment, people: int, parameters: MicroParameters, dt: float
) -> tuple[float, int]:
    result = run_micro(
        experiment_scene(data_dir, experiment, people),
        parameters,
        dt=dt,
        max_time_s=MAX_RUN_S,
    )
    return result.flow_per_s, result.passed


def _fit(
    data_dir: Path,
    experiment: Experiment,
    measured: tuple[float, int],
    parameters: MicroParameters,
    dt: float,
) -> ExperimentFit:
    flow, people = measured
    simulated, passed = _simulate(data_dir, experiment, people, parameters, dt)
    return ExperimentFit(
        name=experiment.name,
        people=people,
        passed=passed,
        measured_flow=flow,
        simulated_flow=simulated,
        time_gap_s=parameters.time_gap_s,
    )


def _with_time_gap(base: MicroParameters, time_gap: float, source: str) -> MicroParameters:
    return MicroParameters(
        time_gap_s=time_gap,
        radius_m=base.radius_m,
        desired_speed_m_s=base.desired_speed_m_s,
        speed_spread_m_s=base.speed_spread_m_s,
        neighbor_range_m=base.neighbor_range_m,
        neighbor_strength=base.neighbor_strength,
        source=source,
    )


def calibrate(
    data_dir: Path,
    *,
    base: MicroParameters = BASE,
    time_gaps: tuple[float, ...] = (0.4, 0.5, 0.6, 0.7, 0.8),
    bisections: int = 5,
    dt: float = 0.05,
) -> Calibration:
    """One time gap for all experiments (least largest error), and one per experiment.

    The flow falls as the time gap grows, so each experiment's own time gap is found by
    bisection in [0.2, 1.2] s.
    """
    measured = {e.name: measured_flow(data_dir, e) for e in EXPERIMENTS}
    default_fits = tuple(
        _fit(data_dir, e, measured[e.name], MicroParameters(), dt) for e in EXPERIMENTS
    )
    best: tuple[float, tuple[ExperimentFit, ...]] | None = None
    for time_gap in time_gaps:
        parameters = _with_time_gap(base, time_gap, f"calibrated: time gap {time_gap} s")
        fits = tuple(_fit(data_dir, e, measured[e.name], parameters, dt) for e in EXPERIMENTS)
        worst = max(abs(f.error) if np.isfinite(f.error) else np.inf for f in fits)
        if best is None or worst < best[0]:
            best = (worst, fits)
    assert best is not None
    own = []
    for experiment in EXPERIMENTS:
        low, high = 0.2, 1.2
        fit = None
        for _ in range(bisections):
            middle = 0.5 * (low + high)
            fit = _fit(
                data_dir,
                experiment,
                measured[experiment.name],
                _with_time_gap(base, middle, "bisection"),
                dt,
            )
            if not np.isfinite(fit.error) or fit.error < 0:
                high = middle
            else:
                low = middle
        assert fit is not None
        own.append(fit)
    global_gap = best[1][0].time_gap_s
    return Calibration(
        parameters=_with_time_gap(base, global_gap, f"calibrated: time gap {global_gap} s"),
        fits=best[1],
        own_fits=tuple(own),
        default_fits=default_fits,
    )
