from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml
from crowd_factories import figure, tiny_document, tiny_network

from opsroom.crowd.builder import build_venue_network
from opsroom.crowd.network import (
    LinkKind,
    SourceKind,
    dump_network,
    load_network,
    network_schema,
    parse_network,
)
from opsroom.crowd.topology import routes
from opsroom.errors import InvalidInputError
from opsroom.scenario import load_scenario


def _fields(exc: pytest.ExceptionInfo[InvalidInputError]) -> list[str]:
    return [p.field or "" for p in exc.value.problems]


def test_tiny_network_parses_and_routes() -> None:
    network = tiny_network(gates=2, turnstiles=3)
    found = routes(network)
    assert [r.nodes for r in found] == [
        ("station", "g1", "t1", "s1"),
        ("station", "g2", "t2", "s2"),
    ]


def test_schema_accepts_an_example_and_rejects_a_negative_width() -> None:
    schema = network_schema()
    document = tiny_document()
    jsonschema.validate(document, schema)
    bad = copy.deepcopy(document)
    bad["links"][0]["width_m"] = -1.0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_negative_width_and_rate_name_their_fields() -> None:
    document = tiny_document()
    document["links"][0]["width_m"] = -2.0
    document["checkpoints"][0]["rate_per_server_per_h"] = figure(-5.0)
    with pytest.raises(InvalidInputError) as exc:
        parse_network(document, file="ground.yaml")
    assert "links.0.width_m" in _fields(exc)
    assert "checkpoints.0.rate_per_server_per_h.value" in _fields(exc)
    assert all(p.file == "ground.yaml" for p in exc.value.problems)
    assert "ground.yaml" in str(exc.value)


def test_shares_not_reaching_100_percent() -> None:
    document = tiny_document()
    document["origins"][0]["share"] = figure(0.8)
    with pytest.raises(InvalidInputError) as exc:
        parse_network(document, file="g.yaml")
    assert "origins.share" in _fields(exc)
    assert "80.0 %" in str(exc.value)


def test_sector_with_no_route_and_disconnected_checkpoint() -> None:
    document = tiny_document(gates=2)
    document["links"] = [link for link in document["links"] if link["id"] != "walk2"]
    with pytest.raises(InvalidInputError) as exc:
        parse_network(document, file="g.yaml")
    messages = str(exc.value)
    assert "sector 's2' has no route" in messages
    assert "checkpoint 'g2' is not on any route" in messages
    assert {"sectors.1", "checkpoints.1"} <= set(_fields(exc))


def test_cycle_and_bad_endpoints_are_rejected() -> None:
    document = tiny_document(turnstiles=2)
    document["links"].append(
        {"id": "back", "from": "t1", "to": "g1", "length_m": 1, "width_m": 1, "source": "u"}
    )
    with pytest.raises(InvalidInputError, match="cycle"):
        parse_network(document)
    document = tiny_document()
    document["links"][0]["to"] = "nowhere"
    with pytest.raises(InvalidInputError) as exc:
        parse_network(document)
    assert "links.0.to" in _fields(exc)


def test_figure_outside_its_range() -> None:
    document = tiny_document()
    document["checkpoints"][0]["rate_per_server_per_h"] = {
        "value": 900,
        "low": 400,
        "high": 700,
        "source": "measured",
    }
    with pytest.raises(InvalidInputError, match="outside its range"):
        parse_network(document)


def test_yaml_round_trip_and_file_errors(tmp_path: Path) -> None:
    network = tiny_network(turnstiles=2)
    path = tmp_path / "ground.yaml"
    path.write_text(dump_network(network), encoding="utf-8")
    assert load_network(path) == network
    broken = tmp_path / "broken.yaml"
    broken.write_text("venue: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"broken\.yaml"):
        load_network(broken)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["venue"]["timezone"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InvalidInputError) as exc:
        load_network(path)
    assert "venue.timezone" in _fields(exc)


def test_every_qatar_stadium_gets_a_sourced_network() -> None:
    scenario = load_scenario("qatar2022")
    for venue in scenario.venues:
        network = build_venue_network(scenario, venue.id)
        assert sum(s.capacity for s in network.sectors) == venue.capacity
        assert {o.id for o in network.origins} == {t.id for t in scenario.transport_of(venue.id)}
        kinds = {c.kind.value for c in network.checkpoints}
        assert kinds == {"screening", "turnstile"}
        for checkpoint in network.checkpoints:
            rate = checkpoint.rate_per_server_per_h
            assert rate.source in (SourceKind.GREEN_GUIDE, SourceKind.MEASURED)
            assert rate.note
        metro = [o for o in network.origins if o.kind.value == "metro"]
        assert all(o.platform is not None for o in metro)
        assert all(o.platform.headway_s.source is SourceKind.DEFAULT for o in metro if o.platform)
        assert len(routes(network)) == len(network.origins) * len(network.sectors)


def test_green_guide_link_arithmetic() -> None:
    network = tiny_network(width_m=10.0)
    link = next(link for link in network.links if link.id == "walk1")
    assert link.capacity_per_h == 10 * 82 * 60  # level: 82 persons/m/min
    stairs = link.model_copy(update={"kind": LinkKind.STAIRS})
    assert stairs.capacity_per_h == 10 * 66 * 60  # stairs: 66 persons/m/min
    assert stairs.walk_seconds == pytest.approx(2 * link.walk_seconds)
