"""Calibrate the microscopic model against laboratory trajectories (Jülich experiments).

Experiments (``../shared/data/crowd/``, see its README): CrowdQueue 2018, 75 people through a
0.5 m entrance gate; Hermes 2009 uni-directional corridor fed through entrances of 0.50, 1.00, 1.45
and 1.80 m. Both the experiments and the simulations are measured the same way: PedPy's N-t curve
at a measurement line, flow over the 10 %-90 % part of the passings
(:func:`opsroom.crowd.micro.steady_flow`).

The simulated scenes: the CrowdQueue walkable area as published (WKT) with every person starting
where the recording first sees them (its gate 0.5 m wide and 0.95 m deep); for Hermes, a waiting
area feeding a 1.80 m corridor through the entrance (0.4 m deep, :func:`bottleneck_scene`), with
as many people as the recording holds. CrowdQueue start positions closer than the model allows are
moved back (see ``START_SEPARATION_M``).

The model's flow grows faster with the opening width than the experiments' does, and the two
0.5 m openings, one 0.95 m deep and one 0.4 m deep, want different time gaps: :func:`calibrate`
fits a time gap linear in the opening's width and depth jointly to all five experiments
(:func:`opsroom.crowd.time_gap_law.fit_law`, on flow curves over a grid of time gaps, each point
the mean of :data:`FIT_SEEDS`), then checks it with fresh runs (the mean of :data:`CHECK_SEEDS`,
seeds the fit never saw) and checks how it predicts each experiment when fitted on the other four
(leave one out); the desired speed stays at 1.34 m/s (Weidmann) with its spread.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pedpy
import shapely

from opsroom.crowd.micro import (
    ENTRANCE_DEPTH_M,
    MicroParameters,
    MicroScene,
    bottleneck_scene,
    line_flow,
    run_micro,
)
from opsroom.crowd.time_gap_law import FittedLaw, FlowCurve, fit_law, law_parameters
from opsroom.errors import InvalidInputError, NotFoundError

MAX_RUN_S = 150.0
"""Each experiment empties within about 100 s; runs stop after 150 s of simulated time (a run
still going then has deadlocked)."""

BASE = MicroParameters(radius_m=0.13, neighbor_strength=12.0, source="calibration base")
"""Fixed during the search: radius 0.13 m and neighbour repulsion 12 over 0.1 m (with JuPedSim's
8, and radius 0.15 m, 24 of 75 CrowdQueue runs deadlocked, two people side by side at the gate's
mouth; with 12 and 0.13 m, 1 of 90 over the grid), and the desired speeds; searched: the
time-gap law (docs/crowd.md)."""

CALIBRATED = law_parameters(0.605, 0.495, BASE, depth_slope=0.730)
"""The adopted calibration: the geometry law ``python -m opsroom.crowd.calibration`` fits (its
errors per experiment, checked with fresh runs, and leave one out in docs/crowd.md). Used by the
bottleneck hotspot runs; not by gate plazas, whose 4 m lanes lie beyond the fitted depths and
where a 5,000-person plaza jammed with it (docs/crowd.md)."""

CALIBRATED_GATE = MicroParameters(
    time_gap_s=0.575,
    radius_m=0.15,
    neighbor_range_m=0.2,
    source="calibrated against the CrowdQueue 2018 entrance gate: time gap 0.575 s, radius "
    "0.15 m, neighbour range 0.2 m (its own fit: +1 %)",
)
"""For gate plazas (queues at screening lanes): the CrowdQueue experiment's own fit, the closest
geometry; the plaza's lanes are outside the range :data:`CALIBRATED` was fitted on."""


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
    runs: int = 1
    """Seeds the flow is the mean of."""
    deadlocked: int = 0
    """Of those runs, how many deadlocked (fewer than :data:`MIN_PASSED` of the people through);
    their flow, over the people who passed, is in the mean."""

    @property
    def jammed(self) -> bool:
        """Fewer than :data:`MIN_PASSED` of the people got through (on average over the seeds):
        a deadlock of the model."""
        return self.passed < MIN_PASSED * self.people

    @property
    def error(self) -> float:
        return (self.simulated_flow - self.measured_flow) / self.measured_flow


@dataclass(frozen=True, kw_only=True)
class Calibration:
    parameters: MicroParameters
    fits: tuple[ExperimentFit, ...]
    own_fits: tuple[ExperimentFit, ...]
    default_fits: tuple[ExperimentFit, ...]
    loo_fits: tuple[ExperimentFit, ...] = ()
    """Leave one out: each experiment simulated with the law fitted on the other four."""
    loo_laws: tuple[FittedLaw, ...] = ()
    """Each leave-one-out law (the CrowdQueue one without a depth term: every other opening is
    0.4 m deep, so the depth slope cannot be told)."""
    law: FittedLaw | None = None
    """The adopted law as fitted, with its interpolated worst error."""
    curves: tuple[FlowCurve, ...] = ()
    """Each experiment's simulated flow over the time-gap grid, which the law was fitted on."""

    @property
    def max_error(self) -> float:
        return max(abs(f.error) for f in self.fits)


def load_experiment(data_dir: Path, experiment: Experiment) -> pedpy.TrajectoryData:
    path = data_dir / experiment.file
    if not path.is_file():
        raise NotFoundError(f"experiment file {path} is missing")
    try:
        return pedpy.load_trajectory_from_txt(
            trajectory_file=path,
            default_frame_rate=experiment.frame_rate,
            default_unit=pedpy.TrajectoryUnit.CENTIMETER
            if experiment.centimetres
            else pedpy.TrajectoryUnit.METER,
        )
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not a trajectory file: not UTF-8 text (byte {exc.start})"
        ) from None
    except (OSError, ValueError) as exc:  # PedPy's errors of format are ValueErrors
        reason = str(exc).split(". ")[0]
        raise InvalidInputError(f"{path} is not a trajectory file: {reason}") from None


def measured_flow(data_dir: Path, experiment: Experiment) -> tuple[float, int]:
    """Steady flow (persons/s) of the recording and the number of people in it."""
    traj = load_experiment(data_dir, experiment)
    return line_flow(traj, experiment.line), int(traj.data["id"].nunique())


def experiment_scene(
    data_dir: Path, experiment: Experiment, people: int, seed: int = 0
) -> MicroScene:
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
            opening_width_m=experiment.width_m,
            opening_depth_m=CROWDQUEUE_GATE_DEPTH_M,
        )
    return bottleneck_scene(width_m=experiment.width_m, people=people, seed=seed)


CROWDQUEUE_GATE_DEPTH_M = 0.95
"""The CrowdQueue gate's posts run from y = -1.1 to -0.15 m (the published walkable area)."""

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


FIT_SEEDS = (0, 1, 2, 3, 4)
"""Each point of the flow curves the law is fitted on is the mean of runs with these seeds
(desired speeds drawn anew; Hermes start positions too)."""

CHECK_SEEDS = tuple(range(100, 110))
"""Every reported error is the mean of fresh runs with these ten seeds, none used by the fit."""


def _simulate(
    data_dir: Path,
    experiment: Experiment,
    people: int,
    parameters: MicroParameters,
    dt: float,
    seeds: Sequence[int],
) -> tuple[float, list[int]]:
    """Mean flow and the number passing in each run over ``seeds``, one run after another."""
    flows: list[float] = []
    passed: list[int] = []
    for seed in seeds:
        result = run_micro(
            experiment_scene(data_dir, experiment, people, seed),
            parameters,
            dt=dt,
            max_time_s=MAX_RUN_S,
            seed=seed,
        )
        flows.append(result.flow_per_s)
        passed.append(result.passed)
    return float(np.nanmean(flows)) if np.isfinite(flows).any() else float("nan"), passed


def _fit(
    data_dir: Path,
    experiment: Experiment,
    measured: tuple[float, int],
    parameters: MicroParameters,
    dt: float,
    seeds: Sequence[int] = CHECK_SEEDS,
) -> ExperimentFit:
    flow, people = measured
    simulated, passed = _simulate(data_dir, experiment, people, parameters, dt, seeds)
    return ExperimentFit(
        name=experiment.name,
        people=people,
        passed=int(np.mean(passed)),
        measured_flow=flow,
        simulated_flow=simulated,
        time_gap_s=parameters.time_gap_at(experiment.width_m, experiment_depth(experiment)),
        neighbor_range_m=parameters.neighbor_range_m,
        runs=len(passed),
        deadlocked=sum(p < MIN_PASSED * people for p in passed),
    )


def experiment_depth(experiment: Experiment) -> float:
    """Depth of the experiment's opening as its scene builds it."""
    return CROWDQUEUE_GATE_DEPTH_M if experiment.file.startswith("040_c") else ENTRANCE_DEPTH_M


def _with(base: MicroParameters, time_gap: float, neighbor_range: float) -> MicroParameters:
    return replace(
        base,
        time_gap_s=time_gap,
        time_gap_per_m=0.0,
        time_gap_per_m_depth=0.0,
        neighbor_range_m=neighbor_range,
        source=f"calibrated: time gap {time_gap:g} s, neighbour range {neighbor_range:g} m",
    )


MIN_PASSED = 0.9
"""A run where fewer than 90 % of the people pass the line (on average over the seeds) is a
deadlock, not a flow."""

TIME_GAP_GRID = tuple(round(0.25 + 0.05 * k, 2) for k in range(18))
"""Time gaps simulated per experiment (0.25-1.10 s); the law is fitted between them."""


def flow_curve(
    data_dir: Path,
    experiment: Experiment,
    measured: tuple[float, int],
    base: MicroParameters,
    time_gaps: Sequence[float],
    dt: float,
    seeds: Sequence[int] = FIT_SEEDS,
) -> tuple[FlowCurve, tuple[ExperimentFit, ...]]:
    fits = tuple(
        _fit(data_dir, experiment, measured, _with(base, gap, base.neighbor_range_m), dt, seeds)
        for gap in time_gaps
    )
    flows = np.array([np.nan if f.jammed else f.simulated_flow for f in fits])
    curve = FlowCurve(
        width_m=experiment.width_m,
        depth_m=experiment_depth(experiment),
        measured_flow=measured[0],
        time_gaps_s=np.array(time_gaps, dtype=np.float64),
        flows=flows,
    )
    return curve, fits


def calibrate(
    data_dir: Path,
    *,
    base: MicroParameters = BASE,
    time_gaps: Sequence[float] = TIME_GAP_GRID,
    fit_seeds: Sequence[int] = FIT_SEEDS,
    check_seeds: Sequence[int] = CHECK_SEEDS,
    dt: float = 0.05,
) -> Calibration:
    """A time-gap law in the opening's width and depth, fitted jointly to all experiments, with
    its leave-one-out check; each experiment's own best time gap; JuPedSim's defaults.

    Each experiment is simulated at every grid time gap with each of ``fit_seeds`` (one process,
    one run at a time); the law is fitted on the mean curves, then every reported error is the
    mean of fresh runs with ``check_seeds``: the joint law on each experiment, and for each
    experiment the law fitted on the other four.
    """
    measured = {e.name: measured_flow(data_dir, e) for e in EXPERIMENTS}
    default_fits = tuple(
        _fit(data_dir, e, measured[e.name], MicroParameters(), dt, check_seeds) for e in EXPERIMENTS
    )
    curves: list[FlowCurve] = []
    own: list[ExperimentFit] = []
    for experiment in EXPERIMENTS:
        curve, grid_fits = flow_curve(
            data_dir, experiment, measured[experiment.name], base, time_gaps, dt, fit_seeds
        )
        curves.append(curve)
        valid = [f for f in grid_fits if not f.jammed] or list(grid_fits)
        own.append(min(valid, key=lambda f: abs(f.error)))
    law = fit_law(curves)
    parameters = _law_of(law, base)
    fits = tuple(
        _fit(data_dir, e, measured[e.name], parameters, dt, check_seeds) for e in EXPERIMENTS
    )
    loo_fits: list[ExperimentFit] = []
    loo_laws: list[FittedLaw] = []
    for k, experiment in enumerate(EXPERIMENTS):
        loo_law = fit_law([c for j, c in enumerate(curves) if j != k])
        loo_laws.append(loo_law)
        loo_fits.append(
            _fit(
                data_dir,
                experiment,
                measured[experiment.name],
                _law_of(loo_law, base),
                dt,
                check_seeds,
            )
        )
    return Calibration(
        parameters=parameters,
        fits=fits,
        own_fits=tuple(own),
        default_fits=default_fits,
        loo_fits=tuple(loo_fits),
        loo_laws=tuple(loo_laws),
        curves=tuple(curves),
        law=law,
    )


def _law_of(law: FittedLaw, base: MicroParameters) -> MicroParameters:
    return law_parameters(
        law.time_gap_at_1m_s, law.slope_s_per_m, base, depth_slope=law.depth_slope_s_per_m
    )


def loo_law_text(law: FittedLaw) -> str:
    """A leave-one-out law in a table cell: T₁, width slope, depth slope (or why it is 0)."""
    depth = f"{law.depth_slope_s_per_m:+.2f}" if law.depth_identified else "0 (not identifiable)"
    return f"{law.time_gap_at_1m_s:.3f}, {law.slope_s_per_m:+.3f}, {depth}"


def report(result: Calibration) -> str:
    """The calibration as Markdown tables (the ones in docs/crowd.md)."""
    lines = [
        f"parameters: {result.parameters.source}",
        f"errors: mean of {result.fits[0].runs} fresh runs per experiment" if result.fits else "",
        "",
        "| experiment | people | measured (/s) | defaults (/s) | law: time gap (s) | law (/s) "
        "| error | passed (mean) | deadlocked runs | leave-one-out law: T₁ (s), s/m width, "
        "s/m depth | LOO (/s) | LOO error | own time gap (s) | own (/s) | own error |",
        "|---" * 15 + "|",
    ]
    rows = zip(
        result.fits,
        result.default_fits,
        result.loo_fits,
        result.loo_laws,
        result.own_fits,
        strict=True,
    )
    for fit, default, loo, law, own in rows:
        lines.append(
            f"| {fit.name} | {fit.people} | {fit.measured_flow:.2f} | "
            f"{default.simulated_flow:.2f} | {fit.time_gap_s:.3f} | {fit.simulated_flow:.2f} | "
            f"{fit.error * 100:+.0f} % | {fit.passed} | {fit.deadlocked} of {fit.runs} | "
            f"{loo_law_text(law)} | {loo.simulated_flow:.2f} | {loo.error * 100:+.0f} % | "
            f"{own.time_gap_s:.2f} | {own.simulated_flow:.2f} | {own.error * 100:+.0f} % |"
        )
    lines += ["", "simulated flow (/s) by time gap (s); - where the model jammed:", ""]
    if result.curves:
        gaps = result.curves[0].time_gaps_s
        lines.append("| experiment | " + " | ".join(f"{g:.2f}" for g in gaps) + " |")
        lines.append("|---" * (len(gaps) + 1) + "|")
        for fit, curve in zip(result.fits, result.curves, strict=True):
            cells = " | ".join(f"{f:.2f}" if np.isfinite(f) else "-" for f in curve.flows)
            lines.append(f"| {fit.name} | {cells} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m opsroom.crowd.calibration --data DIR``: the calibration with leave-one-out."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/crowd"))
    args = parser.parse_args(argv)
    print(report(calibrate(args.data)))


if __name__ == "__main__":
    main()
