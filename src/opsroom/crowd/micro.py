"""Microscopic hotspot runs with JuPedSim, measured with PedPy.

A :class:`MicroScene` is a walkable area (metres), the people in it at the start, where they
leave, a measurement line and a measurement area, and optionally *lanes*: service points (a
screening lane, a turnstile) where each person waits for a random service time before passing.
People walk with the collision-free speed model (Tordeux et al., JuPedSim's
``CollisionFreeSpeedModel``); its agent parameters (time gap, radius, neighbour repulsion, desired
speed and its spread over people, and optionally a law for the time gap in the width and depth
of the scene's narrowest opening) are
:class:`MicroParameters`, calibrated against laboratory trajectories in
:mod:`opsroom.crowd.calibration`.

Results: the steady flow across the line (persons/s, from PedPy's N-t curve: the 10 %-90 % part
of the passings, the same rule as for the experiments), the classic density in the measurement
area over time (PedPy), and a 2 m grid of the highest density each cell reached, with the cells
and the time above 4 and 5 persons/m² (about 5/m² is cramped, 8-9 dangerous: Itaewon analyses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jupedsim as jps
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pedpy
import shapely
from numpy.typing import NDArray

from opsroom.errors import InvalidInputError, Problem

DEFAULT_DESIRED_SPEED = 1.34
"""Free walking speed (Weidmann 1993)."""
DEFAULT_SPEED_SPREAD = 0.26
"""DEFAULT: spread (standard deviation, m/s) of people's desired speeds, reasoned as about a fifth
of the free speed. Identical people jam symmetrically in a narrow gate in this model; a spread of
speeds, as in any real crowd, breaks such deadlocks."""
GRID_CELL_M = 2.0
"""Side of the density grid's cells: 2 m (4 m²), so one cell's count is not a handful of people."""
STEADY_PART = (0.1, 0.9)
"""The steady part of a run: between the 10th and 90th percent of the people passing the line."""
LAW_REFERENCE_WIDTH_M = 1.0
"""With a geometry law, ``time_gap_s`` is the time gap at an opening of this width ..."""
LAW_REFERENCE_DEPTH_M = 0.4
"""... and of this depth (its length in the walking direction)."""
ENTRANCE_DEPTH_M = 0.4
"""Depth of :func:`bottleneck_scene`'s entrance, a short opening in the waiting area's wall. An
assumption: the Hermes recordings do not show the entrance, which lies before the cameras' view."""


@dataclass(frozen=True, kw_only=True)
class MicroParameters:
    """Agent parameters of the collision-free speed model and where they come from.

    The time gap is one value, or a law in the scene's opening (:meth:`time_gap_at`): linear in
    the opening's width and depth, held at the ends of the ranges it was fitted on.
    """

    time_gap_s: float = 1.0
    radius_m: float = 0.2
    desired_speed_m_s: float = DEFAULT_DESIRED_SPEED
    speed_spread_m_s: float = DEFAULT_SPEED_SPREAD
    neighbor_range_m: float = 0.1
    neighbor_strength: float = 8.0
    time_gap_per_m: float = 0.0
    """Width term: the time gap grows by this much per metre of the opening's width, from
    ``time_gap_s`` at :data:`LAW_REFERENCE_WIDTH_M`; 0 means the width does not matter."""
    time_gap_per_m_depth: float = 0.0
    """Depth term: the time gap grows by this much per metre of the opening's depth, from
    :data:`LAW_REFERENCE_DEPTH_M`; 0 means the depth does not matter."""
    law_widths_m: tuple[float, float] = (0.5, 1.8)
    """Widths the law was fitted on; an opening outside them takes the nearest end's time gap."""
    law_depths_m: tuple[float, float] = (0.4, 0.95)
    """Depths the law was fitted on; likewise held at the nearest end outside them."""
    source: str = "JuPedSim defaults (time gap 1 s, radius 0.2 m), Weidmann free speed"

    def __post_init__(self) -> None:
        corners = [
            self._law(width, depth) for width in self.law_widths_m for depth in self.law_depths_m
        ]
        if min(corners) <= 0 or self.radius_m <= 0 or self.desired_speed_m_s <= 0:
            raise InvalidInputError(
                "micro parameters must be positive",
                [Problem("time gap, radius and speed must be > 0", field="parameters")],
            )

    def time_gap_at(
        self, opening_width_m: float | None, opening_depth_m: float | None = None
    ) -> float:
        """The time gap for a scene whose narrowest opening is ``opening_width_m`` wide and
        ``opening_depth_m`` deep (each needed only where the law has a term in it)."""
        if self.time_gap_per_m != 0.0 and opening_width_m is None:
            raise InvalidInputError(
                "a width law needs the scene's opening width",
                [Problem("set MicroScene.opening_width_m", field="opening_width_m")],
            )
        if self.time_gap_per_m_depth != 0.0 and opening_depth_m is None:
            raise InvalidInputError(
                "a depth law needs the scene's opening depth",
                [Problem("set MicroScene.opening_depth_m", field="opening_depth_m")],
            )
        return self._law(opening_width_m, opening_depth_m)

    def _law(self, width_m: float | None, depth_m: float | None) -> float:
        gap = self.time_gap_s
        if self.time_gap_per_m != 0.0 and width_m is not None:
            width = min(max(width_m, self.law_widths_m[0]), self.law_widths_m[1])
            gap += self.time_gap_per_m * (width - LAW_REFERENCE_WIDTH_M)
        if self.time_gap_per_m_depth != 0.0 and depth_m is not None:
            depth = min(max(depth_m, self.law_depths_m[0]), self.law_depths_m[1])
            gap += self.time_gap_per_m_depth * (depth - LAW_REFERENCE_DEPTH_M)
        return gap


@dataclass(frozen=True, kw_only=True)
class Lane:
    """A service point: people queue at ``positions`` (front first) and are served one by one."""

    positions: tuple[tuple[float, float], ...]
    service_mean_s: float
    service_cv: float = 0.5


@dataclass(frozen=True, kw_only=True)
class MicroScene:
    name: str
    walkable: shapely.Polygon
    starts: tuple[tuple[float, float], ...]
    exit_area: shapely.Polygon
    line: tuple[tuple[float, float], tuple[float, float]]
    density_area: shapely.Polygon
    lanes: tuple[Lane, ...] = ()
    front: tuple[float, float] | None = None
    opening_width_m: float | None = None
    """Width of the scene's narrowest opening (gate, entrance, lane), for a geometry law."""
    opening_depth_m: float | None = None
    """Depth of that opening (its length in the walking direction), for a geometry law."""


@dataclass(frozen=True, kw_only=True)
class MicroResult:
    scene: str
    agents: int
    passed: int
    simulated_s: float
    agent_steps: int
    flow_per_s: float
    max_density_per_m2: float
    cells_over_4: int
    cells_over_5: int
    seconds_over_4: float
    seconds_over_5: float
    hotspots: tuple[tuple[float, float, float], ...]
    """Up to five grid cells above 4 persons/m²: centre x, centre y (m) and highest density."""
    parameters: MicroParameters
    trajectory: pd.DataFrame = field(repr=False, compare=False)


def steady_flow(crossing_times_s: NDArray[np.float64]) -> float:
    """Persons/s between the 10th and 90th percent of the passings (nan with fewer than 5)."""
    times = np.sort(crossing_times_s)
    if len(times) < 5:
        return float("nan")
    lo = int(np.floor(STEADY_PART[0] * (len(times) - 1)))
    hi = int(np.ceil(STEADY_PART[1] * (len(times) - 1)))
    span = times[hi] - times[lo]
    return float((hi - lo) / span) if span > 0 else float("nan")


def line_flow(
    traj: pedpy.TrajectoryData, line: tuple[tuple[float, float], tuple[float, float]]
) -> float:
    """Steady flow across a line of a PedPy trajectory (via :func:`pedpy.compute_n_t`)."""
    _, crossing = pedpy.compute_n_t(traj_data=traj, measurement_line=pedpy.MeasurementLine(line))
    frames = crossing[pedpy.FRAME_COL].to_numpy(dtype=np.float64)
    return steady_flow(frames / traj.frame_rate)


def run_micro(
    scene: MicroScene,
    parameters: MicroParameters = MicroParameters(),
    *,
    dt: float = 0.05,
    max_time_s: float = 600.0,
    record_every: int = 4,
    seed: int = 0,
) -> MicroResult:
    """Simulate ``scene`` until everyone has left or ``max_time_s`` has passed."""
    rng = np.random.default_rng(seed)
    time_gap = parameters.time_gap_at(scene.opening_width_m, scene.opening_depth_m)
    model = jps.CollisionFreeSpeedModel(
        strength_neighbor_repulsion=parameters.neighbor_strength,
        range_neighbor_repulsion=parameters.neighbor_range_m,
    )
    simulation = jps.Simulation(model=model, geometry=scene.walkable, dt=dt)
    exit_id = simulation.add_exit_stage(scene.exit_area)
    queues = []
    if scene.lanes:
        lane_journeys = []
        for lane in scene.lanes:
            queue_id = simulation.add_queue_stage(list(lane.positions))
            queues.append((simulation.get_stage(queue_id), lane))
            lane_journeys.append(queue_id)
        front = scene.front or scene.lanes[0].positions[-1]
        waypoint = simulation.add_waypoint_stage(front, 2.0)
        journey = jps.JourneyDescription([waypoint, *lane_journeys, exit_id])
        journey.set_transition_for_stage(
            waypoint, jps.Transition.create_least_targeted_transition(lane_journeys)
        )
        for queue_id in lane_journeys:
            journey.set_transition_for_stage(
                queue_id, jps.Transition.create_fixed_transition(exit_id)
            )
        journey_id = simulation.add_journey(journey)
        first_stage = waypoint
    else:
        journey_id = simulation.add_journey(jps.JourneyDescription([exit_id]))
        first_stage = exit_id
    for position in scene.starts:
        simulation.add_agent(
            jps.CollisionFreeSpeedModelAgentParameters(
                position=position,
                journey_id=journey_id,
                stage_id=first_stage,
                time_gap=time_gap,
                desired_speed=float(
                    np.clip(
                        rng.normal(parameters.desired_speed_m_s, parameters.speed_spread_m_s),
                        0.5 * parameters.desired_speed_m_s,
                        1.5 * parameters.desired_speed_m_s,
                    )
                ),
                radius=parameters.radius_m,
            )
        )
    next_service = [0.0 for _ in queues]
    shape = [1.0 / max(lane.service_cv, 1e-3) ** 2 for _, lane in queues]
    rows: list[tuple[int, int, float, float]] = []
    frame = 0
    steps = 0
    agent_steps = 0
    max_steps = round(max_time_s / dt)
    while simulation.agent_count() > 0 and steps < max_steps:
        now = simulation.elapsed_time()
        for k, (stage, lane) in enumerate(queues):
            if now >= next_service[k] and stage.count_enqueued() > 0:
                stage.pop(1)
                next_service[k] = now + float(rng.gamma(shape[k], lane.service_mean_s / shape[k]))
        agent_steps += simulation.agent_count()
        simulation.iterate()
        steps += 1
        if steps % record_every == 0:
            for agent in simulation.agents():
                x, y = agent.position
                rows.append((agent.id, frame, x, y))
            frame += 1
    trajectory = pd.DataFrame(rows, columns=["id", "frame", "x", "y"])
    frame_rate = 1.0 / (dt * record_every)
    return _measure(
        scene,
        parameters,
        trajectory,
        frame_rate,
        agents=len(scene.starts),
        simulated_s=steps * dt,
        agent_steps=agent_steps,
    )


def _measure(
    scene: MicroScene,
    parameters: MicroParameters,
    trajectory: pd.DataFrame,
    frame_rate: float,
    *,
    agents: int,
    simulated_s: float,
    agent_steps: int,
) -> MicroResult:
    if trajectory.empty:
        flow, max_area_density, passed = float("nan"), 0.0, 0
        grid_max = np.zeros((1, 1))
        over4 = over5 = 0.0
    else:
        traj = pedpy.TrajectoryData(data=trajectory, frame_rate=frame_rate)
        _, crossing = pedpy.compute_n_t(
            traj_data=traj, measurement_line=pedpy.MeasurementLine(scene.line)
        )
        passed = len(crossing)
        flow = steady_flow(crossing[pedpy.FRAME_COL].to_numpy(np.float64) / frame_rate)
        density = pedpy.compute_classic_density(
            traj_data=traj, measurement_area=pedpy.MeasurementArea(scene.density_area)
        )
        max_area_density = float(density[pedpy.DENSITY_COL].max())
        grid_max, over4, over5 = _grid_density(scene, trajectory, frame_rate)
    hotspots = _hotspots(scene, grid_max)
    return MicroResult(
        scene=scene.name,
        agents=agents,
        passed=passed,
        simulated_s=simulated_s,
        agent_steps=agent_steps,
        flow_per_s=flow,
        max_density_per_m2=max_area_density,
        cells_over_4=int((grid_max > 4.0).sum()),
        cells_over_5=int((grid_max > 5.0).sum()),
        seconds_over_4=over4,
        seconds_over_5=over5,
        hotspots=hotspots,
        parameters=parameters,
        trajectory=trajectory,
    )


def _hotspots(
    scene: MicroScene, grid: NDArray[np.float64], limit: float = 4.0, keep: int = 5
) -> tuple[tuple[float, float, float], ...]:
    minx, miny, _, _ = scene.walkable.bounds
    order = np.argsort(grid, axis=None)[::-1][:keep]
    found = []
    for flat in order:
        ix, iy = np.unravel_index(flat, grid.shape)
        if grid[ix, iy] <= limit:
            break
        found.append(
            (
                float(np.floor(minx) + (ix + 0.5) * GRID_CELL_M),
                float(np.floor(miny) + (iy + 0.5) * GRID_CELL_M),
                float(grid[ix, iy]),
            )
        )
    return tuple(found)


def _grid_density(
    scene: MicroScene, trajectory: pd.DataFrame, frame_rate: float
) -> tuple[NDArray[np.float64], float, float]:
    """Per grid cell, the highest density it reached (persons/m²); and the seconds any cell was
    above 4 and above 5. Cells are ``GRID_CELL_M`` square."""
    minx, miny, maxx, maxy = scene.walkable.bounds
    xs = np.arange(np.floor(minx), np.ceil(maxx) + GRID_CELL_M, GRID_CELL_M)
    ys = np.arange(np.floor(miny), np.ceil(maxy) + GRID_CELL_M, GRID_CELL_M)
    frames = trajectory["frame"].to_numpy()
    ix = np.clip(np.searchsorted(xs, trajectory["x"].to_numpy(), side="right") - 1, 0, len(xs) - 2)
    iy = np.clip(np.searchsorted(ys, trajectory["y"].to_numpy(), side="right") - 1, 0, len(ys) - 2)
    cells = (len(xs) - 1) * (len(ys) - 1)
    key = frames.astype(np.int64) * cells + ix * (len(ys) - 1) + iy
    unique, counts = np.unique(key, return_counts=True)
    density = counts.astype(np.float64) / GRID_CELL_M**2
    per_cell = np.zeros(cells)
    np.maximum.at(per_cell, unique % cells, density)
    frame_max = np.zeros(int(frames.max()) + 1)
    np.maximum.at(frame_max, unique // cells, density)
    over4 = float((frame_max > 4.0).sum() / frame_rate)
    over5 = float((frame_max > 5.0).sum() / frame_rate)
    return per_cell.reshape(len(xs) - 1, len(ys) - 1), over4, over5


def bottleneck_scene(
    *, width_m: float, people: int, corridor_m: float = 1.8, seed: int = 0
) -> MicroScene:
    """A waiting area feeding a corridor through an entrance ``width_m`` wide (Hermes layout)."""
    walkable = shapely.union_all(
        [
            shapely.box(-4.0, 0.0, 4.0, 8.0),
            shapely.box(-width_m / 2, -ENTRANCE_DEPTH_M, width_m / 2, 0.0),
            shapely.box(-corridor_m / 2, -8.4, corridor_m / 2, -ENTRANCE_DEPTH_M),
            shapely.box(-2.0, -10.0, 2.0, -8.4),
        ]
    )
    starts = jps.distribute_by_number(
        polygon=shapely.box(-4.0, 0.3, 4.0, 8.0),
        number_of_agents=people,
        distance_to_agents=0.4,
        distance_to_polygon=0.2,
        seed=seed,
    )
    return MicroScene(
        name=f"bottleneck {width_m:.2f} m",
        walkable=walkable,
        starts=tuple((float(x), float(y)) for x, y in starts),
        exit_area=shapely.box(-2.0, -10.0, 2.0, -9.5),
        line=((-corridor_m / 2, -2.0), (corridor_m / 2, -2.0)),
        density_area=shapely.box(-2.0, 0.0, 2.0, 2.0),
        opening_width_m=width_m,
        opening_depth_m=ENTRANCE_DEPTH_M,
    )


def gate_plaza_scene(
    *,
    people: int,
    lanes: int = 10,
    service_mean_s: float = 3600.0 / 550.0,
    plaza_width_m: float | None = None,
    plaza_depth_m: float = 40.0,
    seed: int = 0,
) -> MicroScene:
    """A forecourt in front of ``lanes`` screening lanes (1 m wide, 4 m long), then the inside.

    Lane service: mean 6.5 s (550/h, CCICADA 5-7 s per patron), Gamma with CV 0.5.
    """
    pitch = 2.0
    width = plaza_width_m or max(lanes * pitch + 10.0, 30.0)
    lane_left = -lanes * pitch / 2.0
    parts = [
        shapely.box(-width / 2, 0.0, width / 2, plaza_depth_m),
        shapely.box(-width / 2, -12.0, width / 2, -4.0),
    ]
    lane_objects = []
    for k in range(lanes):
        cx = lane_left + pitch * (k + 0.5)
        parts.append(shapely.box(cx - 0.5, -4.0, cx + 0.5, 0.0))
        positions = tuple((cx, y) for y in (-3.0, -2.3, -1.6, -0.9, -0.2, 0.5))
        lane_objects.append(Lane(positions=positions, service_mean_s=service_mean_s))
    walkable = shapely.union_all(parts)
    starts = jps.distribute_by_number(
        polygon=shapely.box(-width / 2, 3.0, width / 2, plaza_depth_m),
        number_of_agents=people,
        distance_to_agents=0.45,
        distance_to_polygon=0.2,
        seed=seed,
    )
    return MicroScene(
        name=f"gate plaza, {lanes} lanes",
        walkable=walkable,
        starts=tuple((float(x), float(y)) for x, y in starts),
        exit_area=shapely.box(-width / 2, -12.0, width / 2, -11.0),
        line=((-width / 2, -6.0), (width / 2, -6.0)),
        density_area=shapely.box(lane_left, 0.0, -lane_left, 6.0),
        lanes=tuple(lane_objects),
        front=(0.0, 6.0),
        opening_width_m=1.0,
        opening_depth_m=4.0,
    )
