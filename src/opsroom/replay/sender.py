"""Send a replay :class:`~opsroom.replay.schedule.Schedule` to a running server over HTTP.

The sender is an ordinary API client: it logs in through the token endpoint, creates the units it
needs, and then plays the schedule on an accelerated clock (scenario time = start + elapsed real
time × speed), posting each minute's gate scans as one batch, reporting incidents and moving them
through their lifecycle, and screening the registration batch. Every request carries the scenario
time it replays (``scanned_at``, ``reported_at``, ``at``, ``screened_at``), so the server dates
the events by the data's clock, not its own. A server that goes away (restart)
is waited for: requests are retried until it answers again or the replay is stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from opsroom.replay.schedule import GateStep, IncidentPlan, Schedule, build_schedule
from opsroom.scenario import Scenario

log = logging.getLogger("opsroom.replay")

MAX_BATCH = 5000
"""The API's largest gate-scan batch (docs/api.md)."""
RETRY_S = 1.0


class ReplayStoppedError(Exception):
    """The stop event was set while waiting for the server."""


@dataclass
class ReplayReport:
    """What the replay sent and what the server answered."""

    scans_sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    units_created: int = 0
    incidents_reported: int = 0
    incident_changes: int = 0
    watchlist_entries: int = 0
    people_screened: int = 0
    errors: list[str] = field(default_factory=list)
    finished: bool = False


def scan_records(step: GateStep, step_s: float) -> list[dict[str, str]]:
    """The scan bodies of one gate step: unique, stable ids; times spread over the step."""
    records = []
    for k in range(step.count):
        offset = step_s * (k + 1) / (step.count + 1)
        at = step.at - timedelta(seconds=step_s) + timedelta(seconds=offset)
        index = step.first_index + k
        way = "" if step.direction == "in" else f"{step.direction}-"
        records.append(
            {
                "scan_id": f"replay-{step.match_id}-{step.gate_id}-{way}{index:06d}",
                "venue_id": step.venue_id,
                "gate_id": step.gate_id,
                "credential_id": f"TKT-{step.match_id}-{step.gate_id}-{index:06d}",
                "direction": step.direction,
                "scanned_at": at.isoformat(),
            }
        )
    return records


Action = tuple[datetime, int, Callable[[], None]]


class _Sender:
    def __init__(
        self,
        *,
        client: httpx.Client,
        username: str,
        password: str,
        schedule: Schedule,
        stop: threading.Event,
    ) -> None:
        self.client = client
        self.username = username
        self.password = password
        self.schedule = schedule
        self.stop = stop
        self.report = ReplayReport()
        self.token: str | None = None
        self.unit_ids: dict[str, str] = {}
        self.incident_ids: dict[str, str] = {}

    # -- HTTP with waiting for the server --------------------------------------------------
    def _login(self) -> None:
        answer = self._call(
            "POST",
            "/api/v1/auth/token",
            data={"username": self.username, "password": self.password},
            auth=False,
        )
        self.token = str(answer.json()["access_token"])

    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        while True:
            if self.stop.is_set():
                raise ReplayStoppedError
            headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
            try:
                answer = self.client.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                log.info("server not answering (%s); retrying", type(exc).__name__)
                self.stop.wait(RETRY_S)
                continue
            if answer.status_code == 401 and auth:
                self._login()
                continue
            if answer.status_code >= 500:
                log.info("server error %s on %s %s; retrying", answer.status_code, method, path)
                self.stop.wait(RETRY_S)
                continue
            if answer.status_code >= 400:
                answer.raise_for_status()
            return answer

    def _try(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except httpx.HTTPStatusError as exc:
            message = f"{what}: {exc.response.status_code} {exc.response.text[:200]}"
            log.warning("%s", message)
            self.report.errors.append(message)

    # -- actions ---------------------------------------------------------------------------
    def create_units(self) -> None:
        existing = {str(u["id"]) for u in self._call("GET", "/api/v1/units").json()}
        for unit in self.schedule.units:
            if unit.key in existing:
                self.unit_ids[unit.key] = unit.key
                continue
            body = {
                "id": unit.key,
                "name": unit.name,
                "kind": unit.kind,
                "capabilities": list(unit.capabilities),
                "venue_id": unit.venue_id,
                "lat": unit.lat,
                "lon": unit.lon,
            }
            created = self._call("POST", "/api/v1/units", json=body).json()
            self.unit_ids[unit.key] = str(created["id"])
            self.report.units_created += 1

    def send_scans(self, steps: list[GateStep]) -> None:
        records = [r for s in steps for r in scan_records(s, self.schedule.step_s)]
        for first in range(0, len(records), MAX_BATCH):
            batch = records[first : first + MAX_BATCH]
            answer = self._call("POST", "/api/v1/gate-scans", json={"scans": batch}).json()
            self.report.scans_sent += len(batch)
            self.report.accepted += int(answer.get("accepted", 0))
            self.report.duplicates += int(answer.get("duplicates", 0))
            self.report.rejected += len(answer.get("rejected", []))

    def report_incident(self, plan: IncidentPlan) -> None:
        body: dict[str, Any] = {
            "type": plan.type,
            "priority": plan.priority,
            "description": plan.description,
            "venue_id": plan.venue_id,
            "lat": plan.lat,
            "lon": plan.lon,
            "reported_at": plan.at.isoformat(),
        }
        if plan.gate_id is not None:
            body["gate_id"] = plan.gate_id
        if plan.required_capability is not None:
            body["required_capability"] = plan.required_capability
        created = self._call("POST", "/api/v1/incidents", json=body).json()
        self.incident_ids[plan.key] = str(created["id"])
        self.report.incidents_reported += 1

    def change_incident(self, plan: IncidentPlan, action: str, note: str, at: datetime) -> None:
        incident_id = self.incident_ids.get(plan.key)
        if incident_id is None:
            return
        if action == "dispatch":
            body = {"at": at.isoformat()}
            self._call("POST", f"/api/v1/incidents/{incident_id}/dispatch", json=body)
        else:
            body = {"status": action, "note": note, "at": at.isoformat()}
            self._call("PATCH", f"/api/v1/incidents/{incident_id}", json=body)
        self.report.incident_changes += 1

    def screen(self) -> None:
        plan = self.schedule.screening
        if plan is None:
            return
        entries = [
            {
                "id": entry.key,
                "name": entry.name,
                "aliases": list(entry.aliases),
                "birth_date": entry.birth_date.isoformat() if entry.birth_date else None,
                "nationality": entry.nationality,
                "doc_number": entry.doc_number,
                "shared_with": list(entry.shared_with),
                "tlp": entry.tlp,
            }
            for entry in plan.entries
        ]
        try:
            self._call("POST", "/api/v1/watchlist", json={"entries": entries})
            self.report.watchlist_entries += len(entries)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 409:  # entries left by an earlier replay are fine
                raise
        people = [
            {
                "id": p.id,
                "name": p.name,
                "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                "nationality": p.nationality,
                "doc_number": p.doc_number,
            }
            for p in plan.people
        ]
        body = {"people": people, "screened_at": plan.at.isoformat()}
        self._call("POST", "/api/v1/screening/runs", json=body)
        self.report.people_screened += len(people)

    def actions(self) -> Iterator[Action]:
        by_time: dict[datetime, list[GateStep]] = {}
        for gate_step in self.schedule.scans:
            by_time.setdefault(gate_step.at, []).append(gate_step)
        for at, steps in by_time.items():
            yield at, 1, partial(self._try, "gate scans", partial(self.send_scans, steps))
        if self.schedule.screening is not None:
            yield self.schedule.screening.at, 2, partial(self._try, "screening", self.screen)
        for plan in self.schedule.incidents:
            yield plan.at, 0, partial(self._try, "incident", partial(self.report_incident, plan))
            for change in plan.steps:
                at = plan.at + timedelta(minutes=change.after_min)
                yield (
                    at,
                    0,
                    partial(
                        self._try,
                        f"incident {change.action}",
                        partial(self.change_incident, plan, change.action, change.note, at),
                    ),
                )


def run_replay(
    *,
    base_url: str,
    username: str,
    password: str,
    scenario: Scenario,
    day: date,
    speed: float = 60.0,
    stop: threading.Event | None = None,
    schedule: Schedule | None = None,
    until: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ReplayReport:
    """Replay ``day`` of ``scenario`` against the server at ``base_url`` at ``speed``× real time.

    Blocks until the day is over (or, with ``until``, until that scenario time), or ``stop`` is
    set; waits for the server while it is down. ``schedule`` replaces the one built from the
    scenario (e.g. a shorter one).
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    stop = stop or threading.Event()
    plan = schedule or build_schedule(scenario, day)
    with httpx.Client(base_url=base_url, timeout=30.0, transport=transport) as client:
        sender = _Sender(
            client=client, username=username, password=password, schedule=plan, stop=stop
        )
        try:
            sender._login()
            sender._try("units", sender.create_units)
            actions = sorted(sender.actions(), key=lambda a: (a[0], a[1]))
            log.info(
                "replaying %s from %s at %.0fx: %d scans, %d incidents",
                day.isoformat(),
                plan.start.astimezone(UTC).isoformat(),
                speed,
                plan.total_scans,
                len(plan.incidents),
            )
            began = time.monotonic()
            for at, _, action in actions:
                if until is not None and at > until:
                    break
                due = began + (at - plan.start).total_seconds() / speed
                delay = due - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    break
                if stop.is_set():
                    break
                action()
            else:
                sender.report.finished = True
        except ReplayStoppedError:
            pass
    return sender.report
