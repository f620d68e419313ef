"""Need-to-know between agencies, tried as a partner agency would against a real server.

QA-MOI is the host; MA-DGSN and TR-EGM are partners. Each test uses ids of its own, so the
tests share one server per backend.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from opsroom.store.ops_models import AuditEntryRow
from tests.security.conftest import Live

WAIT_S = 30.0


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _add(live: Live, username: str, *entries: dict[str, Any]) -> httpx.Response:
    return live.post("/api/v1/watchlist", username, json={"entries": list(entries)})


def _screen(live: Live, username: str, *people: dict[str, Any]) -> list[dict[str, Any]]:
    response = live.post("/api/v1/screening/runs", username, json={"people": list(people)})
    assert response.status_code == 201, response.text
    alerts: list[dict[str, Any]] = response.json()["alerts"]
    return alerts


def _shared_entry(live: Live, name: str) -> str:
    """An entry of QA-MOI's shared with MA-DGSN; returns its id."""
    entry_id = _unique("NTK")
    added = _add(
        live,
        "qa-analyst",
        {"id": entry_id, "name": name, "shared_with": ["MA-DGSN"], "tlp": "amber"},
    )
    assert added.status_code == 201, added.text
    return entry_id


def _alert_on(alerts: list[dict[str, Any]], entry_id: str) -> dict[str, Any]:
    return next(a for a in alerts if a["entry_id"] == entry_id)


def _audit_rows(live: Live, **where: str) -> list[AuditEntryRow]:
    with live.database.transaction() as session:
        query = select(AuditEntryRow).order_by(AuditEntryRow.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEntryRow, column) == value)
        return list(session.scalars(query))


def test_a_partner_commander_reads_only_its_own_agencys_audit_trail(live: Live) -> None:
    secret = _unique("RED")
    assert _add(
        live, "qa-analyst", {"id": secret, "name": "Karim Benhaddou", "tlp": "red"}
    ).is_success
    assert live.get("/api/v1/watchlist", "ma-analyst", params={"reason": "probe"}).is_success
    answer = live.get("/api/v1/audit", "ma-commander", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    trail = answer.json()
    assert trail, "the partner's own reads are in its trail"
    assert {e["agency_id"] for e in trail} == {"MA-DGSN"}
    assert secret not in answer.text and "qa-analyst" not in answer.text
    # the host's commander still sees the host's own trail, with the entry's creation
    host = live.get("/api/v1/audit", "qa-commander", params={"limit": 1000}).json()
    assert any(e["object_id"] == secret and e["action"] == "create" for e in host)
    assert {e["agency_id"] for e in host} == {"QA-MOI"}


def test_watchlist_ids_of_another_agency_cannot_be_probed(live: Live) -> None:
    hidden = _unique("QA-HIDDEN")
    assert _add(live, "qa-analyst", {"id": hidden, "name": "Samir Haddad", "tlp": "red"}).is_success
    unused = _unique("QA-UNUSED")
    # the answer for an id another agency uses is the answer for an id nobody uses
    taken = _add(live, "ma-analyst", {"id": hidden, "name": "Probe One", "tlp": "amber"})
    free = _add(live, "ma-analyst", {"id": unused, "name": "Probe Two", "tlp": "amber"})
    assert (taken.status_code, free.status_code) == (201, 201), taken.text
    assert "already exists" not in taken.text
    # each agency keeps its own entry under the same id
    mine = [e for e in live.get("/api/v1/watchlist", "ma-analyst").json() if e["id"] == hidden]
    assert [(e["owner_agency"], e["name"]) for e in mine] == [("MA-DGSN", "Probe One")]
    theirs = [e for e in live.get("/api/v1/watchlist", "qa-analyst").json() if e["id"] == hidden]
    assert [(e["owner_agency"], e["name"]) for e in theirs] == [("QA-MOI", "Samir Haddad")]
    # an agency's own duplicate is still refused, naming the field
    again = _add(live, "ma-analyst", {"id": hidden, "name": "Probe Three", "tlp": "amber"})
    assert again.status_code == 422 and again.json()["problems"][0]["field"] == "entries[0].id"


def test_only_the_entry_owner_decides_and_a_partner_may_comment(live: Live) -> None:
    entry_id = _shared_entry(live, "Rachid Ouazzani Benali")
    alert = _alert_on(
        _screen(live, "ma-analyst", {"id": _unique("P"), "name": "Rachid Ouazzani Benali"}),
        entry_id,
    )
    path = f"/api/v1/screening/alerts/{alert['id']}"
    refused = live.post(
        f"{path}/decision", "ma-analyst", json={"decision": "dismiss", "reason": "not him"}
    )
    assert refused.status_code == 403, refused.text
    assert live.get(path, "qa-analyst").json()["status"] == "open"
    note = live.post(f"{path}/comments", "ma-analyst", json={"text": "held at gate 12"})
    assert note.status_code == 201, note.text
    assert live.post(f"{path}/comments", "ma-analyst", json={"text": "  "}).status_code == 422
    for reader in ("qa-analyst", "ma-analyst"):
        comments = live.get(path, reader).json()["comments"]
        assert [(c["author"], c["text"]) for c in comments] == [("ma-analyst", "held at gate 12")]
    # a comment on an alert the caller cannot see: the same 404 as no alert at all
    assert live.post(f"{path}/comments", "tr-analyst", json={"text": "x"}).status_code == 404
    decided = live.post(
        f"{path}/decision", "qa-analyst", json={"decision": "confirm", "reason": "MA confirms"}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
    actions = {(r.username, r.action) for r in _audit_rows(live, object_id=alert["id"])}
    assert {("ma-analyst", "comment"), ("ma-analyst", "denied"), ("qa-analyst", "confirm")} <= (
        actions
    )


class _Stream:
    """One user's live stream, read in a thread until a screening alert on ``entry_id``."""

    def __init__(self, live: Live, username: str, entry_id: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self.done = threading.Event()
        self._entry_id = entry_id
        headers = live.headers(username)
        self._thread = threading.Thread(
            target=self._read, args=(live.url("/api/v1/stream"), headers), daemon=True
        )
        self._thread.start()
        assert self.connected.wait(WAIT_S), f"{username} could not connect"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        with httpx.stream("GET", url, headers=headers, timeout=WAIT_S) as response:
            kind = ""
            for line in response.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: ") and kind == "screening_alert":
                    data = json.loads(line.removeprefix("data: "))
                    self.events.append(data)
                    if data.get("entry_id") == self._entry_id:
                        self.done.set()
                        return


def test_the_screened_persons_details_go_only_to_the_screening_agency(live: Live) -> None:
    entry_id = _shared_entry(live, "Abdelilah Moussaoui Tazi")
    host_stream = _Stream(live, "qa-analyst", entry_id)
    partner_stream = _Stream(live, "ma-analyst", entry_id)
    person = {
        "id": _unique("FAN"),
        "name": "Abdelillah Mousaoui Tazi",  # as the partner's register spells it
        "birth_date": "1991-04-07",
        "nationality": "MA",
        "doc_number": "XK4471093",
    }
    alert = _alert_on(_screen(live, "ma-analyst", person), entry_id)
    assert alert["person_name"] == person["name"]
    secrets = (person["id"], person["name"], person["doc_number"], person["birth_date"])
    path = f"/api/v1/screening/alerts/{alert['id']}"

    # the entry's owner: its entry matched, the score, whom to ask; not the person
    host_view = live.get(path, "qa-analyst")
    host_list = live.get("/api/v1/screening/alerts", "qa-analyst")
    for answer in (host_view, host_list):
        assert answer.status_code == 200
        assert not any(s in answer.text for s in secrets), answer.text
    seen = host_view.json()
    assert (seen["entry_id"], seen["screening_agency"]) == (entry_id, "MA-DGSN")
    assert alert["screening_agency"] == "MA-DGSN"
    assert seen["score"] == alert["score"]

    # the screening agency: everything, with the explanation
    own = live.get(path, "ma-analyst").json()
    assert own["person"]["doc_number"] == person["doc_number"] and "explanation" in own

    # and the same on the live stream
    assert host_stream.done.wait(WAIT_S) and partner_stream.done.wait(WAIT_S)
    pushed_to_host = [e for e in host_stream.events if e.get("entry_id") == entry_id]
    assert pushed_to_host and not any(s in json.dumps(pushed_to_host) for s in secrets)
    pushed_to_partner = [e for e in partner_stream.events if e.get("entry_id") == entry_id]
    assert [e.get("person_name") for e in pushed_to_partner] == [person["name"]]


def test_a_partner_never_gets_the_person_when_the_host_screens_its_own_entry(
    live: Live,
) -> None:
    """The owner of the entry is the screening agency here: the partners the entry is shared
    with still get only that it matched, on the stream and in reads."""
    entry_id = _shared_entry(live, "Hamza Ouazzani Chahdi")
    partner_stream = _Stream(live, "ma-analyst", entry_id)
    person = {"id": _unique("FAN"), "name": "Hamza Ouazani Chahdy", "doc_number": "QA9013377"}
    alert = _alert_on(_screen(live, "qa-analyst", person), entry_id)
    assert alert["person_name"] == person["name"]
    secrets = (person["id"], person["name"], person["doc_number"])
    assert partner_stream.done.wait(WAIT_S)
    pushed = [e for e in partner_stream.events if e.get("entry_id") == entry_id]
    assert pushed and not any(s in json.dumps(pushed) for s in secrets), pushed
    read = live.get(f"/api/v1/screening/alerts/{alert['id']}", "ma-analyst")
    assert read.status_code == 200 and not any(s in read.text for s in secrets)


def test_alert_ids_are_opaque(live: Live) -> None:
    entry_id = _shared_entry(live, "Mehdi Lahlou Berrada")
    people = [{"id": _unique("FAN"), "name": "Mehdi Lahlou Berrada"} for _ in range(2)]
    ids = [a["id"] for a in _screen(live, "qa-analyst", *people) if a["entry_id"] == entry_id]
    assert len(ids) == 2
    for alert_id in ids:
        assert isinstance(alert_id, str) and not alert_id.isdigit() and len(alert_id) >= 22
        assert live.get(f"/api/v1/screening/alerts/{alert_id}", "ma-analyst").status_code == 200
    # the row numbers behind them answer nothing
    for probe in ("1", "2", "3"):
        assert live.get(f"/api/v1/screening/alerts/{probe}", "ma-analyst").status_code == 404


def test_refused_intelligence_reads_and_audit_reads_are_audited(live: Live) -> None:
    entry_id = _unique("QA-ALONE")
    assert _add(
        live, "qa-analyst", {"id": entry_id, "name": "Omar Fassi Fihri", "tlp": "red"}
    ).is_success
    alert = _alert_on(
        _screen(live, "qa-analyst", {"id": _unique("FAN"), "name": "Omar Fassi Fihri"}), entry_id
    )
    assert live.get("/api/v1/watchlist", "qa-viewer").status_code == 403
    hidden = live.get(f"/api/v1/screening/alerts/{alert['id']}", "tr-analyst")
    assert hidden.status_code == 404
    assert live.get("/api/v1/audit", "ma-commander", params={"reason": "weekly review"}).is_success

    viewer = _audit_rows(live, username="qa-viewer", action="denied")
    assert viewer and "/api/v1/watchlist" in viewer[-1].object_id
    partner = _audit_rows(live, username="tr-analyst", object_id=alert["id"])
    assert [r.action for r in partner] == ["denied"]
    reads = _audit_rows(live, username="ma-commander", object_type="audit_log")
    assert reads and reads[-1].action == "list" and reads[-1].reason == "weekly review"
