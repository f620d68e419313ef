"""How rare a name token is, so that common names do not alert on everyone.

The weight of a token key is ``clip(-log10(p) / 4, 0.15, 1.0)`` where ``p`` is its estimated share
of names: a token held by 1 name in 10,000 or fewer weighs 1.0, 1 in 1,000 weighs 0.75, 1 in 100
weighs 0.5, 1 in 20 (as Mohamed is on a large Arab-heavy list) 0.33; connectors weigh nothing.

``p`` is learnt from the watchlist itself (document frequency ``df`` of the key among ``n`` indexed
names) and smoothed towards a prior so that small lists, which cannot know what is common, still
weigh common given names down: ``p = (df + m * p0) / (n + m)`` with ``m = 100,000`` pseudo-names,
``p0 = 0.02`` for the keys of :data:`COMMON_GIVEN_NAMES` and ``1e-4`` for any other key.

The common-name list and the prior shares are this project's defaults (*unverified*: the list
holds names that public rankings of given names in Arab countries and worldwide place at the top;
no share figure is claimed); a user can pass their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from opsroom.screening.names import parse_name

COMMON_GIVEN_NAMES: tuple[str, ...] = (
    "Mohamed",
    "Ahmed",
    "Ali",
    "Mahmoud",
    "Mustafa",
    "Hassan",
    "Hussein",
    "Omar",
    "Ibrahim",
    "Abdullah",
    "Khaled",
    "Youssef",
    "Said",
    "Abdelrahman",
    "Salem",
    "Saleh",
    "Amr",
    "Karim",
    "Yasser",
    "Tarek",
    "Hamza",
    "Bilal",
    "Rachid",
    "Nasser",
    "Fahad",
    "Sultan",
    "Majid",
    "Faisal",
    "Fatima",
    "Aisha",
    "Khadija",
    "Maryam",
    "Zainab",
    "Amina",
    "Nour",
    "Sara",
    "Layla",
    "Hana",
    "Samira",
    "Salma",
    "John",
    "James",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Maria",
    "Jose",
    "Juan",
    "Carlos",
    "Luis",
    "Jean",
    "Pierre",
    "Marie",
    "Anna",
)

PRIOR_PSEUDO_NAMES = 100_000.0
PRIOR_SHARE_COMMON = 0.02
PRIOR_SHARE_OTHER = 1e-4
MIN_WEIGHT = 0.15


def _common_keys(names: Iterable[str]) -> frozenset[str]:
    keys: set[str] = set()
    for name in names:
        keys.update(t.key for t in parse_name(name).name_tokens if t.key)
    return frozenset(keys)


_DEFAULT_COMMON: frozenset[str] = _common_keys(COMMON_GIVEN_NAMES)


@dataclass(frozen=True, slots=True)
class Rarity:
    """Token-key weights from document frequencies over ``names_indexed`` names plus the prior."""

    document_frequency: Mapping[str, int] = field(default_factory=dict)
    names_indexed: int = 0
    common_keys: frozenset[str] = field(default_factory=lambda: _DEFAULT_COMMON)

    def weight(self, key: str) -> float:
        """Rarity weight of a token key, 0.15..1.0 (see the module docstring)."""
        if not key:
            return 0.0
        prior = PRIOR_SHARE_COMMON if key in self.common_keys else PRIOR_SHARE_OTHER
        df = self.document_frequency.get(key, 0)
        share = (df + PRIOR_PSEUDO_NAMES * prior) / (self.names_indexed + PRIOR_PSEUDO_NAMES)
        return min(1.0, max(MIN_WEIGHT, -math.log10(share) / 4.0))
