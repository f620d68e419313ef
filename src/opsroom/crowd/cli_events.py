"""``opsroom crowd replay``, ``micro`` and ``calibrate``: real events and microscopic runs.

Registered on the ``opsroom crowd`` app by :mod:`opsroom.crowd.cli`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opsroom.crowd.calibration import CALIBRATED, CALIBRATED_GATE, Calibration, loo_law_text
from opsroom.crowd.calibration import calibrate as run_calibration
from opsroom.crowd.micro import MicroParameters, bottleneck_scene, gate_plaza_scene, run_micro
from opsroom.crowd.replay import load_replay, run_replay
from opsroom.errors import InvalidInputError, Problem


def replay(
    name: Annotated[
        str, typer.Argument(help="hillsborough-1989, stade-de-france-2022 or a folder.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Replay a real event from public figures: flagged ahead, and the mitigation that works."""
    result = run_replay(load_replay(name))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"[bold]{result.replay.name}[/]")
    if result.alert is not None:
        console.print(
            f"flagged at {result.replay.as_of:%H:%M} ({result.lead_minutes:.0f} min ahead): "
            f"{result.alert.message}",
            highlight=False,
        )
    else:
        console.print("not flagged by the forecast")
    if result.green_guide_shortfall:
        console.print(
            f"Green Guide entry capacity: {result.replay.watch} is "
            f"{result.green_guide_shortfall} turnstiles short"
        )
    console.print(
        f"mitigation: {result.replay.mitigation}: longest wait "
        f"{result.baseline_max_wait_min:.0f} → {result.mitigated_max_wait_min:.0f} min "
        f"({'works' if result.mitigation_works else 'NOT enough'})"
    )


def micro(
    scene: Annotated[str, typer.Option("--scene", help="plaza (gate lanes) or bottleneck.")] = (
        "plaza"
    ),
    people: Annotated[int, typer.Option("--people")] = 500,
    lanes: Annotated[int, typer.Option("--lanes", help="Plaza: screening lanes.")] = 10,
    rate: Annotated[float, typer.Option("--rate", help="Plaza: persons/h per lane.")] = 550.0,
    width: Annotated[float, typer.Option("--width", help="Bottleneck: width, m.")] = 1.0,
    seconds: Annotated[float, typer.Option("--seconds", help="Simulated time, s.")] = 600.0,
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults", help="JuPedSim's default parameters instead of the calibrated ones."
        ),
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """A microscopic hotspot run (JuPedSim): flow, density, where it passes 4 and 5 /m²."""
    if people <= 0 or lanes <= 0 or rate <= 0 or width <= 0 or seconds <= 0:
        raise InvalidInputError(
            "micro run needs positive numbers",
            [Problem("people, lanes, rate, width, seconds > 0", field="micro")],
        )
    if scene == "plaza":
        chosen = gate_plaza_scene(
            people=people, lanes=lanes, service_mean_s=3600.0 / rate, seed=seed
        )
    elif scene == "bottleneck":
        chosen = bottleneck_scene(width_m=width, people=people, seed=seed)
    else:
        raise InvalidInputError(
            "unknown scene", [Problem(f"{scene!r}: plaza or bottleneck", field="scene")]
        )
    calibrated = CALIBRATED_GATE if scene == "plaza" else CALIBRATED
    parameters = MicroParameters() if defaults else calibrated
    began = time.perf_counter()
    result = run_micro(chosen, parameters, max_time_s=seconds, seed=seed)
    elapsed = time.perf_counter() - began
    console = Console()
    console.print(
        f"[bold]{result.scene}[/], {result.agents:,} people, parameters: {parameters.source}",
        highlight=False,
    )
    console.print(
        f"passed the line: {result.passed:,} in {result.simulated_s:.0f} s; steady flow "
        f"{result.flow_per_s:.2f} persons/s; highest density in front of the gate "
        f"{result.max_density_per_m2:.1f} /m²; 2 m cells above 4 /m²: {result.cells_over_4} "
        f"({result.seconds_over_4:.0f} s), above 5 /m²: {result.cells_over_5} "
        f"({result.seconds_over_5:.0f} s)"
    )
    for x, y, density in result.hotspots:
        console.print(
            f"  hotspot: 2 m cell centred at ({x:.0f}, {y:.0f}) m reached {density:.1f} /m²"
        )
    console.print(
        f"{result.agent_steps:,} agent-steps in {elapsed:.1f} s "
        f"({result.agent_steps / max(elapsed, 1e-9):,.0f} per second)"
    )


def calibrate(
    data: Annotated[Path, typer.Option("--data", help="Folder of the Jülich trajectories.")] = (
        Path("../shared/data/crowd")
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Write calibration.json.")] = None,
) -> None:
    """Calibrate the microscopic model against the experiments; print the error per experiment."""
    result = run_calibration(data)
    print_calibration(result, Console())
    if out is not None:
        document = {
            "parameters": vars(result.parameters),
            "fits": [vars(f) | {"error": f.error} for f in result.fits],
            "leave_one_out": [
                vars(f) | {"error": f.error, "law": vars(law)}
                for f, law in zip(result.loo_fits, result.loo_laws, strict=True)
            ],
            "own_fits": [vars(f) | {"error": f.error} for f in result.own_fits],
            "default_fits": [vars(f) | {"error": f.error} for f in result.default_fits],
        }
        out.write_text(json.dumps(document, indent=2), encoding="utf-8")


def print_calibration(result: Calibration, console: Console) -> None:
    """The calibration's errors per experiment: the adopted law (fresh runs), leave one out,
    each experiment's own best time gap and JuPedSim's defaults."""
    runs = result.fits[0].runs if result.fits else 0
    console.print(f"calibrated parameters: {result.parameters.source}", highlight=False)
    console.print(
        f"errors: mean of {runs} fresh runs per experiment (seeds the fit did not use); "
        "leave one out: each experiment run with the law fitted on the other four",
        highlight=False,
    )
    table = Table(title="calibration against the Jülich experiments (flows in persons/s)")
    table.add_column("experiment", no_wrap=True)
    for column in (
        "people",
        "measured",
        "time gap s",
        "calibrated",
        "error",
        "deadlocked",
        "LOO",
        "LOO error",
        "own error",
        "defaults",
    ):
        table.add_column(column)
    rows = zip(result.fits, result.default_fits, result.loo_fits, result.own_fits, strict=True)
    for fit, default, loo, own in rows:
        table.add_row(
            fit.name,
            str(fit.people),
            f"{fit.measured_flow:.2f}",
            f"{fit.time_gap_s:.3f}",
            f"{fit.simulated_flow:.2f}",
            f"{fit.error * 100:+.0f} %",
            f"{fit.deadlocked} of {fit.runs}",
            f"{loo.simulated_flow:.2f}",
            f"{loo.error * 100:+.0f} %",
            f"{own.error * 100:+.0f} % at {own.time_gap_s:.2f} s",
            f"{default.simulated_flow:.2f}",
        )
    console.print(table)
    for fit, law in zip(result.fits, result.loo_laws, strict=True):
        console.print(
            f"leave one out, {fit.name}: law T1 (s), s/m of width, s/m of depth = "
            f"{loo_law_text(law)}",
            highlight=False,
        )
