"""``opsroom roster``: staffing demand, rosters, checks, repairs and the Curtois benchmark.

Each command reads its inputs, calls the pure core and writes files; errors of ours become a
message and exit code 2 in the root command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from opsroom.deployment.curtois.instance import read_instance
from opsroom.deployment.curtois.solution_io import write_solution
from opsroom.deployment.curtois.solve import solve_instance
from opsroom.errors import InfeasibleError

app = typer.Typer(
    help="Deployment: staffing demand, officer rosters, checks, repairs and benchmarks.",
    no_args_is_help=True,
)

_err = Console(stderr=True, highlight=False)


@app.command()
def benchmark(
    instance: Annotated[Path, typer.Option(help="A Curtois instance file (InstanceN.txt).")],
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds of solving (wall clock).")
    ] = 60.0,
    out: Annotated[Path, typer.Option(help="SOLUTION.csv to write (employee,day,shift).")] = Path(
        "SOLUTION.csv"
    ),
    workers: Annotated[int, typer.Option(min=1, max=8, help="CP-SAT worker threads.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed of the neighbourhood search.")] = 0,
) -> None:
    """Solve a Curtois shift-scheduling instance and print the objective the solution has."""
    loaded = read_instance(instance)
    with _err.status(f"solving {loaded.name}") as status:

        def progress(seconds: float, objective: int) -> None:
            status.update(f"solving {loaded.name}: {seconds:.1f} s, objective {objective}")

        result = solve_instance(
            loaded, time_limit=time_limit, workers=workers, seed=seed, progress=progress
        )
    if result.violations:
        raise InfeasibleError(
            f"{loaded.name}: the solver returned a roster breaking hard rules: "
            + "; ".join(result.violations[:5])
        )
    write_solution(out, result.assignments)
    _err.print(
        f"{loaded.name}: {len(result.assignments)} assignments, method {result.method}, "
        f"{result.neighbourhoods} neighbourhoods, {result.seconds:.1f} s -> {out}"
    )
    typer.echo(f"objective {result.objective}")
