from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from crowd_factories import KICKOFF, tiny_network

from opsroom.crowd.demand import DEFAULT_PROFILE, ArrivalProfile, Demand, Surge
from opsroom.errors import InvalidInputError


def test_default_profile_reaches_100_percent_by_15_min_after_kickoff() -> None:
    minutes = np.array([-400.0, -180.0, -60.0, 15.0, 100.0])
    cum = DEFAULT_PROFILE.cumulative(minutes)
    assert cum[0] == 0.0 and cum[1] == 0.0
    assert cum[3] == pytest.approx(1.0) and cum[4] == pytest.approx(1.0)
    assert DEFAULT_PROFILE.source.startswith("default:")


def test_profile_not_reaching_100_percent_is_an_error() -> None:
    with pytest.raises(InvalidInputError) as exc:
        ArrivalProfile.from_percent(start_min=-60, bin_min=30, percent=(40, 50), source="user")
    assert exc.value.problems[0].field == "shares"
    assert "90.00 %" in str(exc.value)


def test_kickoff_without_a_time_zone_is_an_error() -> None:
    with pytest.raises(InvalidInputError) as exc:
        Demand(attendance=100, kickoff=datetime(2022, 11, 20, 19, 0))
    assert exc.value.problems[0].field == "kickoff"


def test_closed_origin_hands_its_fans_to_the_others() -> None:
    document_network = tiny_network()
    two = document_network.model_copy(
        update={
            "origins": (
                document_network.origins[0].model_copy(
                    update={
                        "share": document_network.origins[0].share.model_copy(update={"value": 0.6})
                    }
                ),
                document_network.origins[0].model_copy(
                    update={
                        "id": "bus",
                        "platform": None,
                        "share": document_network.origins[0].share.model_copy(
                            update={"value": 0.4}
                        ),
                    }
                ),
            )
        }
    )
    demand = Demand(attendance=1000, kickoff=KICKOFF, closed_origins=("station",))
    assert demand.origin_shares(two) == {"station": 0.0, "bus": 1.0}
    with pytest.raises(InvalidInputError):
        Demand(attendance=1, kickoff=KICKOFF, closed_origins=("nope",)).origin_shares(two)


def test_surge_adds_its_persons_inside_its_window() -> None:
    network = tiny_network()
    demand = Demand(
        attendance=1000,
        kickoff=KICKOFF,
        surges=(Surge(persons=500, start_min=-30, end_min=-20),),
    )
    curves = demand.origin_curves(network, np.array([-31.0, -25.0, -20.0, 30.0]))
    base = DEFAULT_PROFILE.cumulative(np.array([-31.0, -25.0, -20.0, 30.0])) * 1000
    assert curves[0] - base == pytest.approx([0.0, 250.0, 500.0, 500.0])


def test_ticket_allocation_must_reach_100_percent() -> None:
    network = tiny_network(gates=2)
    demand = Demand(attendance=10, kickoff=KICKOFF, sector_shares={"s1": 0.5, "s2": 0.3})
    with pytest.raises(InvalidInputError, match=r"80\.0 %"):
        demand.sector_split(network)


def test_profile_fitted_to_gate_counts_reproduces_them() -> None:
    from datetime import timedelta

    from opsroom.crowd.demand import profile_from_counts

    counts = [
        (KICKOFF - timedelta(minutes=60), KICKOFF - timedelta(minutes=50), 100.0),
        (KICKOFF - timedelta(minutes=50), KICKOFF - timedelta(minutes=30), 500.0),
        (KICKOFF - timedelta(minutes=30), KICKOFF, 400.0),
    ]
    profile = profile_from_counts(counts, kickoff=KICKOFF, bin_min=10)
    assert sum(profile.shares) == pytest.approx(1.0)
    cum = profile.cumulative(np.array([-60.0, -50.0, -30.0, 0.0]))
    assert cum == pytest.approx([0.0, 0.1, 0.6, 1.0])
    with pytest.raises(InvalidInputError):
        profile_from_counts(
            [(datetime(2022, 11, 20, 18), datetime(2022, 11, 20, 19), 5.0)], kickoff=KICKOFF
        )
