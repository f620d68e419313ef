"""Forecast output: a JSON-ready document and PNG charts (matplotlib, Agg backend).

Series in ``forecast.json`` are sampled every minute (the engine runs at 10 s; peaks are read at
full resolution). Times are ISO 8601 with the venue's UTC offset; every figure carries its unit in
its key (``_min``, ``_m2``, ``_per_h``, persons otherwise); ``los`` is Fruin's queuing level of
service over time where the queue area is known.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd import figures
from opsroom.crowd.alerts import alerts_for
from opsroom.crowd.forecast import QUEUE_EPS, Forecast
from opsroom.crowd.network import VenueNetwork
from opsroom.crowd.planner import bottlenecks

SERIES_EVERY_S = 60.0


def _num(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _los_series(area_m2: float, queue: NDArray[np.float64]) -> list[str] | None:
    """Fruin queuing LOS at each sample where the queue area is known (A when nobody queues)."""
    if not math.isfinite(area_m2):
        return None
    return [figures.fruin_queue_los(area_m2 / q) if q > QUEUE_EPS else "A" for q in queue.tolist()]


def forecast_document(forecast: Forecast, network: VenueNetwork) -> dict[str, Any]:
    """Everything a user or the dashboard needs from one forecast, JSON-serialisable."""
    run = forecast.run
    every = max(round(SERIES_EVERY_S / run.step_s), 1)
    sample = np.arange(0, len(run.times_s), every)
    rows = [run.graph.index(p.station_id) for p in forecast.peaks]
    minutes = (run.times_s[sample] - (forecast.kickoff - forecast.start).total_seconds()) / 60.0
    stations = []
    for peak, row in zip(forecast.peaks, rows, strict=True):
        stations.append(
            {
                "id": peak.station_id,
                "label": peak.label,
                "kind": peak.kind,
                "capacity_per_h": _num(peak.capacity_per_h, 0),
                "throughput": _num(peak.throughput, 0),
                "peak": {
                    "max_queue": _num(peak.max_queue, 0),
                    "max_queue_at": peak.max_queue_at.isoformat(),
                    "max_wait_min": _num(peak.max_wait_min, 1),
                    "max_wait_at": peak.max_wait_at.isoformat(),
                    "space_needed_m2": _num(peak.space_needed_m2, 0),
                    "queue_area_m2": _num(peak.area_m2, 0),
                    "min_space_m2_per_person": _num(peak.min_space_m2_per_person),
                    "los": peak.los,
                    "overload_from": peak.overload_from.isoformat() if peak.overload_from else None,
                },
                "series": {
                    "queue": np.round(run.queue[row, sample], 1).tolist(),
                    "wait_min": np.round(forecast.waits_s[row, sample] / 60.0, 2).tolist(),
                    "space_needed_m2": np.round(
                        run.queue[row, sample] * figures.PLANNING_SPACE_M2_PER_PERSON, 0
                    ).tolist(),
                    "los": _los_series(float(run.graph.area_m2[row]), run.queue[row, sample]),
                },
            }
        )
    egress = None
    if forecast.egress is not None:
        e = forecast.egress
        egress = {
            "starts_at": e.starts_at.isoformat(),
            "gates_clear_min": _num(e.gates_clear_min, 1),
            "platform_clear_min": _num(e.platform_clear_min, 1),
            "all_clear_min": _num(e.all_clear_min, 1),
            "sectors": [
                {
                    "id": s.sector_id,
                    "persons": _num(s.persons, 0),
                    "stands_clear_min": _num(s.stands_clear_min, 2),
                    "meets_8_minutes": s.meets_8_minutes,
                }
                for s in e.sectors
            ],
        }
    return {
        "venue_id": forecast.venue_id,
        "venue": network.venue.name,
        "match_id": forecast.match_id,
        "kickoff": forecast.kickoff.isoformat(),
        "step_s": run.step_s,
        "series_minutes_from_kickoff": np.round(minutes, 2).tolist(),
        "stations": stations,
        "sectors": [
            {
                "id": s.sector_id,
                "expected": _num(s.expected, 0),
                "filled_95_at": s.filled_95_at.isoformat() if s.filled_95_at else None,
                "filled_at": s.filled_at.isoformat() if s.filled_at else None,
            }
            for s in forecast.sectors
        ],
        "egress": egress,
        "alerts": [a.to_dict() for a in alerts_for(forecast, as_of=forecast.start)],
        "bottlenecks": [
            {
                "station_id": b.station_id,
                "label": b.label,
                "phase": b.phase,
                "severity_min": _num(b.severity_min, 1),
                "reason": b.reason,
            }
            for b in bottlenecks(forecast, network)
        ],
    }


def write_charts(forecast: Forecast, out: Path, *, top: int = 8) -> list[Path]:
    """``queue_wait.png`` (queue and wait per checkpoint) and ``cumulative.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = forecast.run
    minutes = (run.times_s - (forecast.kickoff - forecast.start).total_seconds()) / 60.0
    ranked = sorted(forecast.peaks, key=lambda p: -p.max_wait_min)
    shown = [p for p in ranked if not p.kind.startswith("link")][:top]
    fig, (ax_q, ax_w) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for peak in shown:
        row = run.graph.index(peak.station_id)
        ax_q.plot(minutes, run.queue[row], label=peak.label, linewidth=1.2)
        ax_w.plot(minutes, forecast.waits_s[row] / 60.0, linewidth=1.2)
    ax_q.set_ylabel("queue (persons)")
    ax_w.set_ylabel("wait (min)")
    ax_w.set_xlabel("minutes from kick-off")
    ax_q.set_title(f"{forecast.venue_id} {forecast.match_id or ''}: queues and waits")
    ax_q.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    queue_path = out / "queue_wait.png"
    fig.savefig(queue_path, dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(10, 5))
    venue_rows = [i for i, v in enumerate(run.graph.venue_ids) if v == forecast.venue_id]
    dst = run.graph.entry[1]
    firsts = sorted({int(d) for d in dst if int(d) in venue_rows})
    arrivals = run.arrivals[firsts].sum(axis=0)
    ax.plot(minutes, arrivals, label="arrived at the venue", linewidth=1.5)
    for kind in ("screening", "ticket", "turnstile"):
        rows = [r for r in venue_rows if run.graph.kinds[r] == kind]
        if rows:
            ax.plot(minutes, run.departures[rows].sum(axis=0), label=f"through {kind}")
    sink_total = np.zeros_like(minutes)
    for k, sink in enumerate(run.graph.sink_ids):
        if sink.startswith(f"{forecast.venue_id}/"):
            sink_total = sink_total + run.sink_arrivals[k]
    ax.plot(minutes, sink_total, label="in the stands", linestyle="--")
    ax.set_xlabel("minutes from kick-off")
    ax.set_ylabel("persons (cumulative)")
    ax.set_title("cumulative arrivals and throughput")
    ax.legend(fontsize=8)
    fig.tight_layout()
    cumulative_path = out / "cumulative.png"
    fig.savefig(cumulative_path, dpi=110)
    plt.close(fig)
    return [queue_path, cumulative_path]
