"""Reading a user's files and writing a command's outputs, with errors that name the file.

Every command that reads a file a person gave it goes through :func:`read_text` (and
:func:`read_csv` or :func:`csv_rows` for tables), so a directory, a binary file, UTF-16 or Latin-1
text, or a malformed CSV row becomes one :class:`~opsroom.errors.InvalidInputError` naming the file
(and the line when known), never a traceback. Outputs go through :class:`Outputs`: each file is
written to a temporary file beside it and moved into place (``os.replace``), and the files a run
no longer produces are removed, so a folder never mixes the outputs of two runs.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from opsroom.errors import InvalidInputError, NotFoundError

__all__ = [
    "Outputs",
    "check_text_bytes",
    "csv_rows",
    "read_csv",
    "read_text",
    "read_yaml",
    "write_atomically",
    "yaml_problem",
]

_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_SNIFF = 8192
"""How many leading bytes are looked at for a NUL, the mark of a binary file."""


def _a(what: str) -> str:
    return f"{'an' if what[:1] in 'aeiou' else 'a'} {what}"


def check_text_bytes(data: bytes, file: str | Path, *, what: str) -> None:
    """Refuse UTF-16 text and binary files (a NUL byte near the start) before decoding."""
    if data.startswith(_UTF16_MARKS):
        raise InvalidInputError(f"{file} is UTF-16 text; save the {what} as UTF-8")
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise InvalidInputError(f"{file} is a binary file, not {_a(what)} (UTF-8 text)")


def _read_bytes(path: Path, *, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"no {what} at {path}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a directory, not {_a(what)}") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def read_text(path: Path, *, what: str) -> str:
    """The text of a user's UTF-8 file (a byte-order mark is allowed).

    ``what`` names the file for the messages ("workforce file", "arrival profile"). A missing file
    raises :class:`NotFoundError`; a directory, an unreadable or binary file, UTF-16 text or bytes
    that are not UTF-8 raise :class:`InvalidInputError` naming the file (and the line).
    """
    data = _read_bytes(path, what=what)
    check_text_bytes(data, path, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInputError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            f"save the {what} as UTF-8"
        ) from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: where (line, column) and what, without the quoted excerpt."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def read_yaml(path: Path, *, what: str) -> Any:
    """The YAML document of a user's file (``None`` when it is empty); :func:`read_text`'s errors,
    and YAML that does not parse, raise :class:`InvalidInputError` naming the file and line."""
    text = read_text(path, what=what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None


def csv_rows(text: str, file: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV text, each with the line it starts on; a row the CSV reader cannot parse
    (a field over the size limit, a stray quote across lines) raises :class:`InvalidInputError`
    naming the file and line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInputError(f"{file}, line {line}: not valid CSV ({exc})") from None
        yield line, cells


def read_csv(path: Path, *, what: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A user's CSV table: its header (stripped) and its non-blank rows as ``(line, {column:
    cell})``; missing cells are empty, cells beyond the header dropped. An empty file raises
    :class:`InvalidInputError`, as does anything :func:`read_text` and :func:`csv_rows` refuse."""
    rows = csv_rows(read_text(path, what=what), path)
    first = next(rows, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise InvalidInputError(f"{path} is empty: {_a(what)} starts with a header row")
    header = [cell.strip() for cell in first[1]]
    records = [
        (line, {column: (cells[k] if k < len(cells) else "") for k, column in enumerate(header)})
        for line, cells in rows
        if any(cell.strip() for cell in cells)
    ]
    return header, records


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then ``os.replace``."""
    with Outputs([path]) as outputs:
        staged = outputs.stage(path)
        if isinstance(data, bytes):
            staged.write_bytes(data)
        else:
            staged.write_text(data, encoding="utf-8")


class Outputs:
    """The files one run of a command writes, put in place together when the run ends well.

    ``family`` lists every file the command can write (a roster, its shortfalls, a generated
    workforce). The run writes each output to the temporary path :meth:`stage` gives it, beside
    the real one; :meth:`commit` moves them all into place (``os.replace``, so a reader sees the
    old file or the new, never half of one) and removes the files of the family this run did not
    write, so a folder never holds one run's roster beside another run's shortfalls. Used as a
    context manager, it commits at the end of the block and, when the block raises first,
    deletes the temporary files and leaves every previous output as it was.
    """

    def __init__(self, family: Iterable[Path]) -> None:
        self._family = list(dict.fromkeys(family))
        self._staged: dict[Path, Path] = {}
        self._finished = False

    def stage(self, path: Path) -> Path:
        """A temporary path beside ``path`` (same suffix) to write this run's ``path`` to."""
        temporary = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.partial{path.suffix}")
        # created here, mode 0666 less the umask, as the file written in place would have been
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        self._staged[path] = temporary
        return temporary

    def commit(self) -> list[Path]:
        """Move every staged file into place, then remove the family's files this run did not
        write. Returns those removed."""
        for path, temporary in self._staged.items():
            os.replace(temporary, path)
        self._finished = True
        stale = [p for p in self._family if p not in self._staged and p.is_file()]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def discard(self) -> None:
        """Delete the staged files; the previous outputs stay as they were."""
        for temporary in self._staged.values():
            temporary.unlink(missing_ok=True)
        self._finished = True

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._finished:
            return
        if kind is None:
            self.commit()
        else:
            self.discard()
