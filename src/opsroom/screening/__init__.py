"""Screening: find the person behind any spelling, across Arabic and Latin scripts.

The pure core: parse and key names (:mod:`.names`, :mod:`.scripts`), index a watchlist
(:mod:`.index`), score candidates with explained features (:mod:`.scoring`) and screen people
(:class:`Screener`). Files and the command line live in :mod:`.io` and :mod:`.cli`.
"""

from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.index import WatchlistIndex
from opsroom.screening.model import (
    Contribution,
    Hit,
    PartialDate,
    Person,
    TokenMatch,
    WatchlistEntry,
)
from opsroom.screening.names import NameToken, ParsedName, TokenKind, parse_name
from opsroom.screening.scoring import DEFAULT_THRESHOLD
from opsroom.screening.screener import Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "Contribution",
    "EquivalenceTable",
    "Hit",
    "NameToken",
    "ParsedName",
    "PartialDate",
    "Person",
    "Screener",
    "TokenKind",
    "TokenMatch",
    "WatchlistEntry",
    "WatchlistIndex",
    "parse_name",
]
