"""Settings come from the environment, are validated at start, and are all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opsroom.config import Settings, load_settings
from opsroom.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_defaults_need_no_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPSROOM_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'opsroom.db'}"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSROOM_DATABASE_URL", "postgresql+psycopg://ops@db/opsroom")
    assert load_settings().database_url == "postgresql+psycopg://ops@db/opsroom"


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSROOM_DATABASE_URL", "mysql://nope")
    with pytest.raises(ConfigError, match="OPSROOM_DATABASE_URL"):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = Settings(database_url="sqlite:///x.db")
    with pytest.raises(ValueError, match="frozen"):
        settings.database_url = "sqlite:///y.db"  # type: ignore[misc]


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(OPSROOM_[A-Z_]+)`", DOCS.read_text()))
    declared = {f"OPSROOM_{name.upper()}" for name in Settings.model_fields}
    assert declared <= documented, f"undocumented: {sorted(declared - documented)}"
