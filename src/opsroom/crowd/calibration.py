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

BASE = MicroParameters(radius_m=0.15, source="calibration base")
"""Fixed during the search: radius 0.15 m (the default 0.2 m lets hardly anyone through the 0.5 m
CrowdQueue gate in this model) and the desired speeds; searched: the time gap and the neighbour
repulsion range (0.1 m, the default, or 0.2 m, which avoids some symmetric deadlocks)."""

CALIBRATED = MicroParameters(
    time_gap_s=0.6,
    radius_m=0.15,
    neighbor_range_m=0.1,
    source="calibrated against CrowdQueue 2018 and Hermes 2009 flows: time gap 0.6 s, radius "
    "0.15 m (opsroom crowd calibrate; errors per experiment in docs/crowd.md)",
)
"""The parameters ``opsroom crowd calibrate`` chose (see docs/crowd.md for the run)."""

CALIBRATED_GATE = MicroParameters(
    time_gap_s=0.575,
    radius_m=0.15,
    neighbor_range_m=0.2,
    source="calibrated against the CrowdQueue 2018 entrance gate: time gap 0.575 s, radius "
    "0.15 m, neighbour range 0.2 m (opsroom crowd calibrate, its own fit: +1 %)",
)
"""For queues at gates and lanes: the CrowdQueue experiment's own fit, the closest geometry."""


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
    neighbor_range_m: float

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
        neighbor_range_m=parameters.neighbor_range_m,
    )


def _with(base: MicroParameters, time_gap: float, neighbor_range: float) -> MicroParameters:
    return MicroParameters(
        time_gap_s=time_gap,
        radius_m=base.radius_m,
        desired_speed_m_s=base.desired_speed_m_s,
        speed_spread_m_s=base.speed_spread_m_s,
        neighbor_range_m=neighbor_range,
        neighbor_strength=base.neighbor_strength,
        source=f"calibrated: time gap {time_gap:g} s, neighbour range {neighbor_range:g} m",
    )


def _worst(fits: tuple[ExperimentFit, ...]) -> float:
    return max(abs(f.error) if np.isfinite(f.error) else np.inf for f in fits)


def calibrate(
    data_dir: Path,
    *,
    base: MicroParameters = BASE,
    time_gaps: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6),
    neighbor_ranges: tuple[float, ...] = (0.1, 0.2),
    bisections: int = 5,
    dt: float = 0.05,
) -> Calibration:
    """One parameter set for all experiments (least largest error), and one per experiment.

    The flow falls as the time gap grows, so each experiment's own time gap is found by
    bisection in [0.2, 1.2] s for each neighbour range; the best value seen is kept.
    """
    measured = {e.name: measured_flow(data_dir, e) for e in EXPERIMENTS}
    default_fits = tuple(
        _fit(data_dir, e, measured[e.name], MicroParameters(), dt) for e in EXPERIMENTS
    )
    best: tuple[float, MicroParameters, tuple[ExperimentFit, ...]] | None = None
    for time_gap in time_gaps:
        for neighbor_range in neighbor_ranges:
            parameters = _with(base, time_gap, neighbor_range)
            fits = tuple(_fit(data_dir, e, measured[e.name], parameters, dt) for e in EXPERIMENTS)
            if best is None or _worst(fits) < best[0]:
                best = (_worst(fits), parameters, fits)
    assert best is not None
    own = []
    for experiment in EXPERIMENTS:
        chosen: ExperimentFit | None = None
        for neighbor_range in neighbor_ranges:
            low, high = 0.2, 1.2
            for _ in range(bisections):
                middle = 0.5 * (low + high)
                fit = _fit(
                    data_dir,
                    experiment,
                    measured[experiment.name],
                    _with(base, middle, neighbor_range),
                    dt,
                )
                if not np.isfinite(fit.error) or fit.error < 0:
                    high = middle
                else:
                    low = middle
                if np.isfinite(fit.error) and (
                    chosen is None or abs(fit.error) < abs(chosen.error)
                ):
                    chosen = fit
        own.append(chosen if chosen is not None else fit)
    return Calibration(
        parameters=best[1], fits=best[2], own_fits=tuple(own), default_fits=default_fits
    )
