"""The screener: one object held in memory that screens a person, or a batch on every core.

``Screener.screen(person)`` parses the name, asks the index for candidates, scores each candidate
name with :func:`opsroom.screening.scoring.score_names`, keeps each entry's best name, and returns
the hits at or above the threshold, best first. ``screen_many`` does the same for a batch; from
``PARALLEL_MIN_PEOPLE`` people on, it forks one worker per core that share the index
copy-on-write and screen chunks of ``CHUNK_SIZE`` people (below that, starting workers costs more
than it saves).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.index import WatchlistIndex
from opsroom.screening.model import Hit, Person, WatchlistEntry, normalise_doc_number
from opsroom.screening.names import NameToken, TokenKind, parse_name
from opsroom.screening.scoring import (
    DATE_CONFLICT_YEARS,
    DEFAULT_THRESHOLD,
    Facts,
    PreparedName,
    SimilarityCache,
    date_conflict_rules_out,
    facts_rule_out,
    log_odds_limit,
    score_names,
)

PARALLEL_MIN_PEOPLE = 2000
PREPARED_CACHE_SIZE = 200_000
CHUNK_SIZE = 250


def _facts_of(item: Person | WatchlistEntry) -> Facts:
    return Facts(
        birth_date=item.birth_date,
        nationality=item.nationality.upper() if item.nationality else None,
        doc_number=normalise_doc_number(item.doc_number) if item.doc_number else None,
        gender=item.gender,
    )


class Screener:
    """Screens people against one indexed watchlist; safe to hold and call for every request."""

    def __init__(self, index: WatchlistIndex, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must lie in [0, 1]")
        self.index = index
        self.threshold = threshold
        # Listed names already prepared for scoring (rarity weights, equivalence groups, facts):
        # names of common tokens come back query after query.
        self._prepared: dict[int, PreparedName] = {}
        self._facts: dict[int, Facts] = {}

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[WatchlistEntry],
        *,
        equivalences: EquivalenceTable | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> Screener:
        """Index the entries and wrap them in a screener."""
        return cls(WatchlistIndex.build(entries, equivalences=equivalences), threshold=threshold)

    def _prepare(self, raw: str, tokens: Sequence[NameToken]) -> PreparedName:
        info = [self.index.key_info(t.key) for t in tokens]
        return PreparedName(
            raw=raw,
            tokens=tuple(tokens),
            weights=tuple(w for w, _ in info),
            groups=tuple(g for _, g in info),
        )

    def screen(self, person: Person, *, threshold: float | None = None) -> list[Hit]:
        """Hits for one person at or above the threshold, best first (one per entry)."""
        limit = self.threshold if threshold is None else threshold
        tokens = [t for t in parse_name(person.name).tokens if t.kind is TokenKind.NAME]
        if not tokens:
            return []
        query = self._prepare(person.name, tokens)
        facts = _facts_of(person)
        best: dict[int, Hit] = {}
        cache: SimilarityCache = {}
        limit_logit = log_odds_limit(limit)
        name_ids = self.index.candidates(tokens)
        positions: list[int] = self.index.name_entry[name_ids].tolist()
        if name_ids and date_conflict_rules_out(facts, limit_logit):
            # Entries born years apart from the person cannot alert (the exact test below
            # would drop them one by one); the order of the others is kept.
            assert facts.birth_date is not None
            years = self.index.entry_year[positions].astype(np.int32)
            near = (years == 0) | (np.abs(years - facts.birth_date.year) < DATE_CONFLICT_YEARS)
            keep = np.flatnonzero(near).tolist()
            name_ids = [name_ids[k] for k in keep]
            positions = [positions[k] for k in keep]
        for name_id, position in zip(name_ids, positions, strict=True):
            entry = self.index.entries[position]
            listed_facts = self._facts.get(position)
            if listed_facts is None:
                listed_facts = _facts_of(entry)
                if len(self._facts) >= PREPARED_CACHE_SIZE:
                    self._facts.clear()
                self._facts[position] = listed_facts
            if facts_rule_out(facts, listed_facts, limit_logit):
                continue  # e.g. birth dates years apart: no name can lift it to the threshold
            listed = self._prepared.get(name_id)
            if listed is None:
                listed = self._prepare(self.index.name_raw[name_id], self.index.names[name_id])
                if len(self._prepared) >= PREPARED_CACHE_SIZE:
                    self._prepared.clear()
                self._prepared[name_id] = listed
            scored = score_names(query, facts, listed, listed_facts, threshold=limit, cache=cache)
            if scored is None:
                continue
            previous = best.get(position)
            if previous is not None and previous.score >= scored.score:
                continue
            best[position] = Hit(
                person_id=person.id,
                entry_id=entry.id,
                score=round(scored.score, 6),
                matched_name=listed.raw,
                tokens=scored.tokens,
                unmatched_query=scored.unmatched_query,
                unmatched_listed=scored.unmatched_listed,
                contributions=scored.contributions,
            )
        return sorted(best.values(), key=lambda h: (-h.score, h.entry_id))

    def screen_many(
        self,
        people: Sequence[Person],
        *,
        workers: int | None = None,
        on_progress: Callable[[int], None] | None = None,
        parallel_from: int = PARALLEL_MIN_PEOPLE,
    ) -> list[list[Hit]]:
        """Hits for each person, in input order; uses every core for large batches.

        ``on_progress`` is called with the number of people just finished, chunk by chunk;
        ``parallel_from`` is the batch size from which worker processes are started.
        """
        cores = workers if workers is not None else (os.cpu_count() or 1)
        chunks = [people[i : i + CHUNK_SIZE] for i in range(0, len(people), CHUNK_SIZE)]
        use_pool = (
            cores > 1
            and len(people) >= parallel_from
            and "fork" in multiprocessing.get_all_start_methods()
        )
        results: list[list[Hit]] = []
        if not use_pool:
            for chunk in chunks:
                results.extend(self.screen(p) for p in chunk)
                if on_progress is not None:
                    on_progress(len(chunk))
            return results
        global _WORKER_SCREENER
        _WORKER_SCREENER = self
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(processes=cores) as pool:
                for chunk_hits in pool.imap(_screen_chunk, chunks):
                    results.extend(chunk_hits)
                    if on_progress is not None:
                        on_progress(len(chunk_hits))
        finally:
            _WORKER_SCREENER = None
        return results


# The screener a forked worker inherits from its parent (set only while a pool runs).
_WORKER_SCREENER: Screener | None = None


def _screen_chunk(chunk: Sequence[Person]) -> list[list[Hit]]:
    screener = _WORKER_SCREENER
    if screener is None:  # pragma: no cover - only reachable if a worker was not forked
        raise RuntimeError("worker started without a screener")
    return [screener.screen(p) for p in chunk]
