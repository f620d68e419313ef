from __future__ import annotations

from datetime import timedelta

from opsroom.deployment.rules import RosterRules
from opsroom.deployment.timeline import Timeline, night_hours

from .factories import at

RULES = RosterRules()


def test_rest_overlap_and_shift_length() -> None:
    t = Timeline()
    t.add(at(0, 12), at(0, 20))
    assert not t.fits(at(0, 18), at(0, 23), RULES)  # overlap
    assert not t.fits(at(1, 6), at(1, 14), RULES)  # 10 h rest < 11 h
    assert t.fits(at(1, 7), at(1, 15), RULES)  # 11 h rest
    assert not t.fits(at(0, 0) - timedelta(hours=8), at(0, 2), RULES)  # ends 10 h before
    assert not t.fits(at(2, 6), at(2, 17), RULES)  # 11 h shift > 10 h


def test_consecutive_days_and_weekly_hours() -> None:
    t = Timeline()
    for day in range(6):
        t.add(at(day, 8), at(day, 16))
    assert not t.fits(at(6, 8), at(6, 16), RULES)  # a 7th day in a row
    assert t.fits(at(7, 8), at(7, 16), RULES)  # day 6 off breaks the run
    heavy = Timeline()
    for day in range(5):
        heavy.add(at(day, 8), at(day, 18))  # 5 x 10 h = 50 h
    assert heavy.fits(at(5, 8), at(5, 18), RULES)  # 60 h in 7 days: at the limit
    assert not heavy.fits(at(5, 8), at(5, 18), RosterRules(max_week_hours=55))


def test_night_hours() -> None:
    assert night_hours(at(0, 18), at(1, 1)) == 3.0
    assert night_hours(at(0, 8), at(0, 16)) == 0.0
    assert night_hours(at(0, 4), at(0, 7)) == 2.0
