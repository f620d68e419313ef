"""The candidate index: blocking keys over name tokens, so a lookup scores a few dozen names.

Every name of every entry (primary name and aliases) is parsed once; its tokens' phonetic keys
go into two blocks:

* ``token`` block: key -> names holding a token with that key;
* ``pair`` block: (key, key) -> names holding both tokens, for names whose tokens are all common
  (a key in more than ``token_cap`` names is not worth listing alone: "Mohamed" on a large list).

A query token reaches the exact key, keys one edit away (a deletion dictionary over the
vocabulary of keys, as SymSpell does: a typo or a spelling the key does not bridge) and the keys
of its given-name equivalents. Each reached name gets a vote of the query token's rarity weight
(``NEAR_KEY_VOTE`` of it through a near or equivalent key);
the ``max_candidates`` names with the highest votes (and at least ``min_vote_share`` of the
query's weight) are scored in full. The caps bound the work of a lookup whatever the list holds.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from opsroom.errors import InvalidInputError
from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.model import WatchlistEntry
from opsroom.screening.names import NameToken, TokenKind, parse_name
from opsroom.screening.rarity import Rarity

FORMAT_VERSION = 1
TOKEN_CAP = 3000
PAIR_CAP = 20000
MAX_CANDIDATES = 20
MIN_VOTE_SHARE = 0.45
MIN_EXPANDED_KEY_LENGTH = 3
NEAR_KEY_VOTE = 0.6
TIE_BREAK_LIMIT = 100
NEAR_CACHE_SIZE = 100_000

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
_MISSING = object()  # a cache miss, told apart from a cached None


def _deletes(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@dataclass
class WatchlistIndex:
    """The watchlist in memory, its parsed names and the blocks that find candidates."""

    entries: list[WatchlistEntry]
    names: list[tuple[NameToken, ...]]
    name_raw: list[str]
    name_entry: IntArray
    token_block: dict[str, IntArray]
    pair_block: dict[tuple[str, str], IntArray]
    neighbours: dict[str, tuple[str, ...]]
    equivalences: EquivalenceTable
    rarity: Rarity
    weights: dict[str, float] = field(default_factory=dict)
    _key_info: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict, repr=False)
    _votes_cache: dict[str, tuple[IntArray, FloatArray] | None] = field(
        default_factory=dict, repr=False
    )
    # Identity tokens per name (derived from ``names``, not saved).
    name_lengths: npt.NDArray[np.int16] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int16), repr=False
    )

    # Birth year per entry, 0 when unknown (derived from ``entries``, not saved).
    entry_year: npt.NDArray[np.int16] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int16), repr=False
    )

    def __post_init__(self) -> None:
        if len(self.name_lengths) != len(self.names):
            self.name_lengths = np.fromiter(
                map(len, self.names), dtype=np.int16, count=len(self.names)
            )
        if len(self.entry_year) != len(self.entries):
            self.entry_year = np.fromiter(
                (e.birth_date.year if e.birth_date is not None else 0 for e in self.entries),
                dtype=np.int16,
                count=len(self.entries),
            )

    def __len__(self) -> int:
        return len(self.entries)

    # --- building ------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        entries: Iterable[WatchlistEntry],
        *,
        equivalences: EquivalenceTable | None = None,
    ) -> WatchlistIndex:
        """Parse every name of every entry and fill the blocks.

        The cyclic garbage collector is paused while the index is built (it creates millions of
        objects and no cycles; a full collection over them would only cost time); see
        :func:`_long_lived` for what happens to them afterwards.
        """
        with _long_lived():
            return cls._build(entries, equivalences)

    @classmethod
    def _build(
        cls, entries: Iterable[WatchlistEntry], equivalences: EquivalenceTable | None
    ) -> WatchlistIndex:
        table = equivalences if equivalences is not None else EquivalenceTable.shipped()
        entry_list = list(entries)
        seen_ids: set[str] = set()
        for entry in entry_list:
            if entry.id in seen_ids:
                raise InvalidInputError(f"watchlist id {entry.id} appears twice")
            seen_ids.add(entry.id)
        canon: dict[NameToken, NameToken] = {}
        names: list[tuple[NameToken, ...]] = []
        name_raw: list[str] = []
        owners: list[int] = []
        token_lists: dict[str, list[int]] = {}
        for position, entry in enumerate(entry_list):
            for raw in entry.names:
                tokens = tuple(
                    canon.setdefault(t, t)
                    for t in parse_name(raw).tokens
                    if t.kind is TokenKind.NAME
                )
                if not tokens:
                    continue
                name_id = len(names)
                names.append(tokens)
                name_raw.append(raw)
                owners.append(position)
                for key in {t.key for t in tokens if t.key}:
                    token_lists.setdefault(key, []).append(name_id)
        token_block = {k: np.asarray(v, dtype=np.int32) for k, v in token_lists.items()}
        del token_lists
        common = {k for k, v in token_block.items() if len(v) > TOKEN_CAP}
        pair_lists: dict[tuple[str, str], list[int]] = {}
        for name_id, tokens in enumerate(names):
            keys = sorted({t.key for t in tokens if t.key in common})
            for a in range(len(keys)):
                for b in range(a + 1, len(keys)):
                    pair_lists.setdefault((keys[a], keys[b]), []).append(name_id)
        pair_block = {k: np.asarray(v, dtype=np.int32) for k, v in pair_lists.items()}
        del pair_lists
        rarity = Rarity({k: len(v) for k, v in token_block.items()}, len(names))
        weights = {k: rarity.weight(k) for k in token_block}
        index = cls(
            entries=entry_list,
            names=names,
            name_raw=name_raw,
            name_entry=np.asarray(owners, dtype=np.int32),
            token_block=token_block,
            pair_block=pair_block,
            neighbours=_neighbours(token_block.keys()),
            equivalences=table,
            rarity=rarity,
        )
        index.weights = weights
        return index

    # --- looking up ------------------------------------------------------------------------

    def weight(self, key: str) -> float:
        """Rarity weight of a token key (cached for keys on the list)."""
        cached = self.weights.get(key)
        return cached if cached is not None else self.rarity.weight(key)

    def key_info(self, key: str) -> tuple[float, frozenset[str]]:
        """Rarity weight and equivalence groups of a token key."""
        found = self._key_info.get(key)
        if found is None:
            found = (self.weight(key), self.equivalences.groups(key))
            if key in self.token_block:
                self._key_info[key] = found
        return found

    def reachable_keys(self, key: str) -> list[str]:
        """The listed keys a query token's key reaches: itself, one edit away, equivalents."""
        reached: list[str] = []
        if key in self.token_block:
            reached.append(key)
        found: set[str] = set(self.neighbours.get(key, ()))
        if len(key) >= MIN_EXPANDED_KEY_LENGTH:
            for probe in _deletes(key):
                found.update(self.neighbours.get(probe, ()))
        found.discard(key)
        reached.extend(sorted(found))
        for group in self.equivalences.groups(key):
            for other in self.equivalences.keys_of(group):
                if other != key and other in self.token_block and other not in reached:
                    reached.append(other)
        return reached

    def _near_names(self, key: str) -> IntArray | None:
        """Names reached through near and equivalent keys (not the key itself). ``None`` when
        there are none or more than ``TOKEN_CAP``."""
        others = [self.token_block[k] for k in self.reachable_keys(key) if k != key]
        ids: IntArray | None = None
        if others and sum(len(b) for b in others) <= TOKEN_CAP:
            ids = np.unique(np.concatenate(others)) if len(others) > 1 else others[0]
        return ids

    def _key_votes(
        self, key: str, exact: IntArray | None, weight: float
    ) -> tuple[IntArray, FloatArray] | None:
        """The names a rare query key brings into the pool, sorted, with their votes: the key's
        weight through the key itself, ``NEAR_KEY_VOTE`` of it through a near or equivalent key,
        both summed for a name holding both. Memoised per key (the weight is the key's)."""
        cached = self._votes_cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        near = self._near_names(key)
        found: tuple[IntArray, FloatArray] | None
        if exact is None and near is None:
            found = None
        elif near is None:
            assert exact is not None
            found = (exact, np.full(len(exact), weight))
        elif exact is None:
            found = (near, np.full(len(near), NEAR_KEY_VOTE * weight))
        else:
            ids = np.union1d(exact, near).astype(np.int32)
            votes = np.zeros(len(ids))
            votes[np.searchsorted(ids, exact)] += weight
            votes[np.searchsorted(ids, near)] += NEAR_KEY_VOTE * weight
            found = (ids, votes)
        if len(self._votes_cache) >= NEAR_CACHE_SIZE:
            self._votes_cache.clear()
        self._votes_cache[key] = found
        return found

    def candidates(
        self,
        tokens: Sequence[NameToken],
        *,
        max_candidates: int = MAX_CANDIDATES,
        min_vote_share: float = MIN_VOTE_SHARE,
    ) -> list[int]:
        """Name ids worth scoring for a query's identity tokens, best-voted first.

        Tokens whose key is held by at most ``TOKEN_CAP`` names bring their names (and those of
        near keys) into the pool with a vote; common tokens only add their vote to names already
        in the pool (a sorted-array membership test). When every token is common, the pool comes
        from the pair blocks of the common keys.
        """
        keys = [t.key for t in tokens if t.key]
        if not keys:
            return []
        weights = [self.weight(k) for k in keys]
        total = sum(weights)
        id_parts: list[IntArray] = []
        vote_parts: list[FloatArray] = []
        common: list[int] = []
        for position, key in enumerate(keys):
            exact = self.token_block.get(key)
            if exact is not None and len(exact) > TOKEN_CAP:
                common.append(position)
                continue
            part = self._key_votes(key, exact, weights[position])
            if part is not None:
                id_parts.append(part[0])
                vote_parts.append(part[1])
        if not id_parts:
            for a in range(len(common)):
                for b in range(a + 1, len(common)):
                    ka, kb = sorted((keys[common[a]], keys[common[b]]))
                    block = self.pair_block.get((ka, kb))
                    if block is not None and len(block) <= PAIR_CAP:
                        id_parts.append(block)
                        vote_parts.append(np.zeros(len(block)))
        if not id_parts:
            return []
        if len(id_parts) == 1:  # already sorted and unique
            unique, summed = id_parts[0], vote_parts[0].copy()
        else:
            unique, inverse = np.unique(np.concatenate(id_parts), return_inverse=True)
            summed = np.bincount(inverse, weights=np.concatenate(vote_parts)).astype(np.float64)
        for position in common:
            block = self.token_block[keys[position]]
            where = np.minimum(np.searchsorted(block, unique), len(block) - 1)
            summed += (block[where] == unique) * weights[position]
        keep = summed >= min_vote_share * total
        unique, summed = unique[keep], summed[keep]
        if len(unique) > max_candidates:
            summed = summed + self._tie_breaks(keys, unique, summed, max_candidates)
            top = np.argpartition(-summed, max_candidates - 1)[:max_candidates]
            unique, summed = unique[top], summed[top]
        order = np.argsort(-summed, kind="stable")
        ids: list[int] = unique[order].tolist()
        return ids

    def _tie_breaks(
        self,
        keys: list[str],
        unique: IntArray,
        summed: npt.NDArray[np.float64],
        max_candidates: int,
    ) -> npt.NDArray[np.float64]:
        """Small bonuses that order names tied on votes at the cut (blocks cannot tell
        "Mohamed Mohamed Haidar" from "Mohamed Haidar"): keys shared counting repeats, then
        closeness of token counts. At most ``TIE_BREAK_LIMIT`` tied names are looked at."""
        bonus = np.zeros(len(summed))
        cut = np.partition(-summed, max_candidates - 1)[max_candidates - 1]
        tied = np.flatnonzero(-summed == cut)[:TIE_BREAK_LIMIT]
        if len(tied) <= 1:
            return bonus
        wanted: dict[str, int] = {}
        for key in keys:
            wanted[key] = wanted.get(key, 0) + 1
        ids = unique[tied]
        # Keys shared, counting repeats: a key's block tells whether a name holds it at all
        # (one sorted-array test for all tied names); only a key the query repeats needs the
        # listed name's own count.
        shared = np.zeros(len(ids), dtype=np.int64)
        for key, count in wanted.items():
            block = self.token_block.get(key)
            if block is None:
                continue
            present = block[np.minimum(np.searchsorted(block, ids), len(block) - 1)] == ids
            if count == 1:
                shared += present
                continue
            for k in np.flatnonzero(present):
                held = sum(1 for t in self.names[int(ids[k])] if t.key == key)
                shared[k] += min(count, held)
        lengths = self.name_lengths[ids].astype(np.int64)
        bonus[tied] = 1e-3 * shared - 1e-4 * np.abs(lengths - len(keys))
        return bonus

    # --- saving ----------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to one file (pickle of plain containers and numpy arrays)."""
        with path.open("wb") as handle:
            pickle.dump((FORMAT_VERSION, self._state()), handle, protocol=5)

    @classmethod
    def load(cls, path: Path) -> WatchlistIndex:
        """Read an index written by :meth:`save` (only load files you wrote yourself)."""
        try:
            with path.open("rb") as handle, _long_lived():
                version, state = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, ValueError, EOFError) as exc:
            raise InvalidInputError(f"cannot read index file {path}: {exc}") from exc
        if version != FORMAT_VERSION:
            raise InvalidInputError(f"index file {path} has format {version}, not {FORMAT_VERSION}")
        return cls(**state)

    def _state(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "names": self.names,
            "name_raw": self.name_raw,
            "name_entry": self.name_entry,
            "token_block": self.token_block,
            "pair_block": self.pair_block,
            "neighbours": self.neighbours,
            "equivalences": self.equivalences,
            "rarity": self.rarity,
            "weights": self.weights,
        }


@contextmanager
def _long_lived() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is made, then move every object alive
    into the permanent generation (``gc.freeze``) and restore the collector.

    An index of a million entries holds tens of millions of objects that live as long as it and
    form no cycles. Left to the collector, each full collection walks all of them (about a
    second per 200,000 entries, in the middle of a lookup), and in the forked workers of a batch
    it would also touch every page the workers share copy-on-write with their parent. Frozen,
    they are never walked; the objects a lookup creates are collected as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _neighbours(keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Deletion dictionary: a key and each of its one-letter deletions -> listed keys."""
    table: dict[str, list[str]] = {}
    for key in keys:
        if len(key) < MIN_EXPANDED_KEY_LENGTH:
            table.setdefault(key, []).append(key)  # reachable from longer keys, not expanded
            continue
        for probe in (key, *_deletes(key)):
            table.setdefault(probe, []).append(key)
    return {k: tuple(v) for k, v in table.items()}
