"""The time-gap law of the microscopic model: linear in an opening's width and depth.

Pure functions, no simulation: :func:`law_parameters` builds the parameters of a law and
:func:`fit_law` finds the law that best fits simulated flow curves (:class:`FlowCurve`, one per
experiment: the simulated flow over a grid of time gaps) to the measured flows.

The law: T(w, d) = T₁ + s_w · (w − 1 m) + s_d · (d − 0.4 m), with w the width of the scene's
narrowest opening and d its depth (length in the walking direction), each held to the range the
law was fitted on (:class:`opsroom.crowd.micro.MicroParameters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd.micro import LAW_REFERENCE_DEPTH_M, LAW_REFERENCE_WIDTH_M, MicroParameters

LAW_AT_1M_GRID = np.arange(0.25, 1.1001, 0.005)
"""Time gaps at the reference opening (1 m wide, 0.4 m deep) the law search tries (s)."""
LAW_SLOPE_GRID = np.arange(-0.2, 0.8001, 0.005)
"""Slopes of the time gap in the opening's width the law search tries (s/m)."""
LAW_DEPTH_SLOPE_GRID = np.arange(-0.5, 1.5001, 0.01)
"""Slopes of the time gap in the opening's depth the law search tries (s/m)."""


@dataclass(frozen=True, kw_only=True)
class FlowCurve:
    """One experiment's simulated flow over a grid of time gaps (nan where the model jammed)."""

    width_m: float
    measured_flow: float
    time_gaps_s: NDArray[np.float64]
    flows: NDArray[np.float64]
    depth_m: float = LAW_REFERENCE_DEPTH_M

    def errors_at(self, time_gaps_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Relative errors at ``time_gaps_s``, linear between grid points; inf off the grid or
        next to a jammed run."""
        flows = np.interp(time_gaps_s, self.time_gaps_s, self.flows, left=np.nan, right=np.nan)
        errors = (flows - self.measured_flow) / self.measured_flow
        return np.where(np.isfinite(errors), errors, np.inf)

    def error_at(self, time_gap_s: float) -> float:
        """:meth:`errors_at` for one time gap."""
        return float(self.errors_at(np.array([time_gap_s]))[0])


@dataclass(frozen=True, kw_only=True)
class FittedLaw:
    time_gap_at_1m_s: float
    slope_s_per_m: float
    depth_slope_s_per_m: float
    worst_error: float
    """The largest absolute error over the curves it was fitted on, interpolated (not a check)."""
    depth_identified: bool
    """False where every curve had the same depth: the depth slope is then held at 0."""


def fit_law(
    curves: Sequence[FlowCurve],
    *,
    time_gaps_at_1m: NDArray[np.float64] = LAW_AT_1M_GRID,
    slopes: NDArray[np.float64] = LAW_SLOPE_GRID,
    depth_slopes: NDArray[np.float64] = LAW_DEPTH_SLOPE_GRID,
) -> FittedLaw:
    """The law with the smallest largest interpolated error over ``curves`` (grid search).

    The depth slope is searched only where the curves' openings differ in depth; otherwise it
    cannot be told from the data and stays 0.
    """
    depth_identified = len({c.depth_m for c in curves}) > 1
    at_1m, slope = np.meshgrid(time_gaps_at_1m, slopes, indexing="ij")
    best = (float("inf"), 0.0, 0.0, 0.0)
    for depth_slope in depth_slopes if depth_identified else np.array([0.0]):
        worst = np.zeros_like(at_1m)
        for curve in curves:
            gaps = (
                at_1m
                + slope * (curve.width_m - LAW_REFERENCE_WIDTH_M)
                + depth_slope * (curve.depth_m - LAW_REFERENCE_DEPTH_M)
            )
            worst = np.maximum(worst, np.abs(curve.errors_at(gaps)))
        k = np.unravel_index(int(np.argmin(worst)), worst.shape)
        if worst[k] < best[0]:
            best = (float(worst[k]), float(at_1m[k]), float(slope[k]), float(depth_slope))
    return FittedLaw(
        time_gap_at_1m_s=best[1],
        slope_s_per_m=best[2],
        depth_slope_s_per_m=best[3],
        worst_error=best[0],
        depth_identified=depth_identified,
    )


def law_parameters(
    time_gap_at_1m: float,
    slope: float,
    base: MicroParameters,
    depth_slope: float = 0.0,
) -> MicroParameters:
    """``base`` with the time gap ``T₁ + slope × (w − 1 m) + depth_slope × (d − 0.4 m)``."""
    return replace(
        base,
        time_gap_s=time_gap_at_1m,
        time_gap_per_m=slope,
        time_gap_per_m_depth=depth_slope,
        source=f"geometry law: time gap {time_gap_at_1m:.3f} s at a 1 m wide, 0.4 m deep "
        f"opening, {slope:+.3f} s per metre of width (0.5-1.8 m), {depth_slope:+.3f} s per metre "
        f"of depth (0.4-0.95 m); radius {base.radius_m:g} m, neighbour repulsion "
        f"{base.neighbor_strength:g} over {base.neighbor_range_m:g} m",
    )
