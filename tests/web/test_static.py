"""The dashboard's files: served from the package, nothing from the internet, every label in
every language."""

from __future__ import annotations

import json
import re
import typing

from fastapi import FastAPI
from fastapi.testclient import TestClient

from opsroom.api.schemas import UnitIn
from opsroom.ops.incidents import IncidentStatus
from opsroom.ops.roles import Role
from opsroom.ops.units import UnitStatus
from opsroom.web import STATIC_DIR, mount_dashboard

LANGS = ("en", "fr", "ar")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(STATIC_DIR)): path.read_text("utf-8")
        for path in STATIC_DIR.rglob("*")
        if path.suffix in {".js", ".html", ".css"}
    }


def test_page_and_files_are_served_from_the_package() -> None:
    app = FastAPI()
    mount_dashboard(app)
    routes = len(app.routes)
    mount_dashboard(app)  # a second call changes nothing
    assert len(app.routes) == routes
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset
        script = client.get("/static/js/main.js")
        assert "javascript" in script.headers["content-type"]
        for name in _sources():
            if name.startswith("js/"):
                assert client.get(f"/static/{name}").status_code == 200
        assert client.get("/static/geo/qatar.geojson").json()["features"]
        assert client.get("/static/../__init__.py").status_code == 404


def test_nothing_is_fetched_from_the_internet() -> None:
    for name, text in _sources().items():
        outside = [u for u in re.findall(r"https?://[^\s\"'`)]+", text) if u != SVG_NAMESPACE]
        assert outside == [], name
        assert "@import" not in text and "fonts.googleapis" not in text, name


def test_module_imports_resolve_to_files() -> None:
    for name, text in _sources().items():
        if not name.startswith("js/"):
            continue
        base = (STATIC_DIR / name).parent
        for target in re.findall(r'from "(\.{1,2}/[^"]+)"', text):
            assert (base / target).resolve().is_file(), f"{name} imports {target}"


def test_catalogues_have_the_same_labels_and_none_is_empty() -> None:
    english = _catalogue("en")
    for lang in LANGS:
        labels = _catalogue(lang)
        assert set(labels) == set(english), lang
        assert all(value.strip() for value in labels.values()), lang
        for key, value in labels.items():
            assert set(re.findall(r"\{(\w+)\}", value)) == set(
                re.findall(r"\{(\w+)\}", english[key])
            ), (lang, key)
    # Translations are translations: most labels differ from English.
    for lang in ("fr", "ar"):
        same = [k for k, v in _catalogue(lang).items() if v == english[k]]
        assert len(same) < len(english) / 10, (lang, same)


def test_every_label_the_page_uses_is_in_every_catalogue() -> None:
    used: set[str] = set()
    for text in _sources().values():
        used |= set(re.findall(r'\bt\("([a-z0-9_.]+)"', text))
        used |= set(re.findall(r'data-i18n(?:-placeholder)?="([a-z0-9_.]+)"', text))
    assert len(used) > 50
    # Labels built from values the server sends: every value has one.
    families = {
        "role": [r.value for r in Role],
        "status": [s.value for s in IncidentStatus],
        "unit_status": [s.value for s in UnitStatus],
        "level": ["none", "watch", "warning", "critical"],
        "priority": ["1", "2", "3", "4"],
        "alert_status": ["open", "confirmed", "dismissed"],
        "checkpoint": ["screening", "ticket", "turnstile"],
        "timeline": ["reported", "status", "priority", "note", "dispatch"],
        "live": ["off", "connecting", "live", "offline"],
        "how": ["exact", "phonetic", "equivalent", "fuzzy"],
        "mitigation": ["lanes", "turnstiles"],
        "feature": ["name", "rarity", "birth_date", "nationality", "doc_number", "family_name"],
    }
    kinds = typing.get_args(UnitIn.model_fields["kind"].annotation)
    families["unit_kind"] = list(kinds)
    for family, values in families.items():
        used |= {f"{family}.{v}" for v in values}
    for lang in LANGS:
        missing = sorted(used - set(_catalogue(lang)))
        assert missing == [], (lang, missing)
