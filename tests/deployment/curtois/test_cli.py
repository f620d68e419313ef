from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.deployment.curtois.check import check_solution
from opsroom.deployment.curtois.instance import read_instance
from opsroom.deployment.curtois.solution_io import read_solution


def test_benchmark_writes_a_solution_whose_objective_it_prints(
    shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "roster" / "Instance1.txt"
    out = tmp_path / "SOLUTION.csv"
    result = CliRunner().invoke(
        app,
        ["roster", "benchmark", "--instance", str(path), "--time-limit", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    claimed = int(result.stdout.strip().splitlines()[-1].split()[-1])
    assert out.read_text().splitlines()[0] == "employee,day,shift"
    report = check_solution(read_instance(path), read_solution(out))
    assert report.violations == ()
    assert report.objective == claimed


def test_benchmark_names_a_missing_instance(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["roster", "benchmark", "--instance", str(tmp_path / "nope.txt")]
    )
    assert result.exit_code == 2
    assert "no benchmark instance" in result.output
