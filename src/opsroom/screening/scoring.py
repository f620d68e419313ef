"""The score of a person against one listed name: small features, each with its push and reason.

Each feature returns a push on the log-odds of "same person" and a sentence saying why; the score
is ``1 / (1 + exp(-sum))``, so it lies in (0, 1), never saturates at 1.0 (a doc-number match on
top of an exact name and date still leaves room to rank) and keeps ordering alerts. The weights are
this project's defaults, set by hand on the development data and checked by
``benchmarks/screening_accuracy.py``; ``docs/screening.md`` lists them with the figures.

Features (log-odds units):

* ``name``: ``8 * (S - 0.72)`` where ``S = 0.6 * max(cq, ce) + 0.4 * min(cq, ce)`` and ``cq``/``ce``
  are the rarity-weighted shares of the person's and the entry's tokens that found a partner
  (each counted by its similarity). A full match gives +2.2; the person's name lying inside a longer
  listed name (the registration omits the father's name) gives less but no penalty.
* ``rarity``: ``1.5 * (min(E, 2.5) - 1.2)`` where ``E`` is the summed rarity weight of the matched
  tokens: three rare tokens in agreement about +1.5 (at most +1.95), "Mohamed Ali" about -0.6.
* ``conflict``: ``-3 * min(C, 1.5)``, where ``C`` is the weight of tokens left over on *both* sides
  (they contradict each other: a different family name), and a further -1 when the last tokens
  (the family names) of both names are left over; tokens left over on one side only cost nothing.
* ``order``: -0.3 when the family name moved to the front or back (``FAMILY Given``), -2 when
  the tokens are otherwise shuffled (Ali Ahmed, "Ali son of Ahmed", is not Ahmed Ali).
* ``lineage``: -1 when a second token (the father's name) lines up with the other name's
  grandfather's name while the other's father's name is left over.
* ``birth_date``: same day +2, same month +1.5, same year (when one side knows only the year) +1,
  one year apart +0.3 (approximate ages), further apart -2.5; nothing when either is unknown.
* ``nationality``: +0.4 same, -0.4 different (people hold several nationalities: a weak feature).
* ``doc_number``: +4 same normalised number; -0.5 different (documents are renewed).
* ``gender``: -1.5 when both are given and differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from opsroom.screening.equivalents import DistinctNames, EquivalenceTable
from opsroom.screening.model import Contribution, PartialDate, TokenMatch
from opsroom.screening.names import NameToken, ParsedName
from opsroom.screening.rarity import Rarity

ALIGN_MIN_SIMILARITY = 0.5
SHARE_OF_BETTER = 0.6
NAME_SLOPE = 8.0
NAME_PIVOT = 0.72
RARITY_SLOPE = 1.5
RARITY_CAP = 2.5
RARITY_PIVOT = 1.2
WEAK_PAIR_SIMILARITY = 0.75
DEFAULT_THRESHOLD = 0.7


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A parsed name's identity tokens with their rarity weights and equivalence groups."""

    raw: str
    tokens: tuple[NameToken, ...]
    weights: tuple[float, ...]
    groups: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, parsed: ParsedName, rarity: Rarity, equivalences: EquivalenceTable) -> PreparedName:
        tokens = parsed.name_tokens
        return cls(
            raw=parsed.raw,
            tokens=tokens,
            weights=tuple(rarity.weight(t.key) for t in tokens),
            groups=tuple(equivalences.groups(t.key) for t in tokens),
        )


@dataclass(frozen=True, slots=True)
class Facts:
    """What besides the name is known of a person or an entry (each may be unknown)."""

    birth_date: PartialDate | None = None
    nationality: str | None = None
    doc_number: str | None = None
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class Scored:
    """The outcome of scoring one name pair: score, alignment and each feature's push."""

    score: float
    tokens: tuple[TokenMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_listed: tuple[str, ...]
    contributions: tuple[Contribution, ...]


_DISTINCT = DistinctNames.shipped()
# Two spellings of different given names that share a key (Mohammed/Mahmoud): merely alike.
DISTINCT_NAME_SIMILARITY = 0.6

# Across scripts, how far an equal key is trusted by its length: a one-letter key (Aisha, Ali's
# "L") is shared by many names, a three-letter one far fewer.
_CROSS_SCRIPT_BY_KEY_LENGTH = {1: 0.8, 2: 0.9}


def token_similarity(
    a: NameToken, b: NameToken, groups_a: frozenset[str], groups_b: frozenset[str]
) -> tuple[float, str]:
    """Similarity of two tokens in 0..1 and how it was found (exact/phonetic/equivalent/fuzzy)."""
    same_script = a.script == b.script
    if same_script and a.text == b.text:
        return 1.0, "exact"
    surface = OSA.normalized_similarity(a.text, b.text) if same_script else 0.0
    if _DISTINCT.differ(a.text, b.text):
        return DISTINCT_NAME_SIMILARITY, "fuzzy"
    if a.key and a.key == b.key:
        if same_script:
            # Within one script the letters are evidence too: Nathan and Antonin share a key.
            if surface < 0.5:
                return 0.7, "phonetic"
            return 0.8 + 0.15 * min(1.0, (surface - 0.5) / 0.3), "phonetic"
        # Across scripts the key is all there is; short keys (Ali, Omar, Moore) collide more.
        return _CROSS_SCRIPT_BY_KEY_LENGTH.get(len(a.key), 0.95), "phonetic"
    if groups_a and not groups_a.isdisjoint(groups_b):
        return 0.9, "equivalent"
    if same_script:
        # Within one script, near keys say little that the letters do not (Tyler/Mueller).
        return surface, "fuzzy"
    if a.key and b.key:
        distance = OSA.distance(a.key, b.key)
        if distance <= 2 and near_keys(a.key, b.key):
            return NEAR_KEY_SIMILARITY, "phonetic"
        return _similarity_of_distance(distance, max(len(a.key), len(b.key))), "fuzzy"
    return 0.0, "fuzzy"


# Key classes that spellings confuse most (dh/z/d/th for ذ ض ظ; s/z; g/j; h/kh; b/f/w for p, v):
# keys that differ by one such swap are near (see :func:`near_keys`).
NEAR_KEY_SIMILARITY = 0.85
_NEAR_CLASSES = frozenset(
    frozenset(pair)
    for pair in ("DZ", "DT", "TZ", "SZ", "KJ", "HX", "KX", "BF", "FW", "SC", "KG", "HK")
)


def _digraphs(key: str) -> str:
    return key.replace("SH", "C").replace("KH", "X")


def near_keys(key_a: str, key_b: str) -> bool:
    """True when two keys differ only by one swap of classes that spellings confuse, by a final
    ``T`` or ``H`` (taa marbuta read as -at: Izzat/عزة, Hayat/حياة), by a joined Maghrebi
    ``Ben`` (Benkhadra/خضراء), or by two letters that a Latin digraph writes as one
    (Kashi/كسحي: s+h read as sh; Lakhal/لكحل: k+h read as kh)."""
    if _digraphs(key_a) == _digraphs(key_b):
        return True
    if key_a == "BN" + key_b or key_b == "BN" + key_a:
        return True
    if len(key_a) == len(key_b):
        diffs = [(x, y) for x, y in zip(key_a, key_b, strict=True) if x != y]
        return len(diffs) == 1 and frozenset(diffs[0]) in _NEAR_CLASSES
    short, long = sorted((key_a, key_b), key=len)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1] in "TH"


def key_similarity(key_a: str, key_b: str) -> float:
    """Similarity of two phonetic keys: ``1 - 0.7 * d / longest`` for one edit,
    ``1 - 0.8 * d / longest`` beyond (``d``: edits, a transposition counting one), never below 0."""
    return _similarity_of_distance(OSA.distance(key_a, key_b), max(len(key_a), len(key_b)))


def _similarity_of_distance(distance: int, longest: int) -> float:
    if distance <= 1:
        return 1.0 - 0.7 * distance / longest
    return max(0.0, 1.0 - 0.8 * distance / longest)


FUZZY_MAX_CREDIT = 0.8


def _credit(similarity: float, how: str) -> float:
    """Share of a token's weight that a pair earns. Exact, phonetic and equivalent pairs earn
    their similarity; a fuzzy pair (keys an edit apart, or letters alike within one script)
    earns from 0 at a similarity of 0.5 up to ``FUZZY_MAX_CREDIT`` at 0.95: two names whose
    tokens are all merely alike are not the same name (Ilmari Haverinen / Omar Alamdar
    al-Hourani)."""
    if how != "fuzzy":
        return similarity
    span = 0.95 - ALIGN_MIN_SIMILARITY
    return max(0.0, min(1.0, (similarity - ALIGN_MIN_SIMILARITY) / span)) * FUZZY_MAX_CREDIT


def _weakness(similarity: float) -> float:
    """How far a weak pair counts as a contradiction: 1 at 0.5, 0 at 0.75 and above."""
    span = WEAK_PAIR_SIMILARITY - ALIGN_MIN_SIMILARITY
    return max(0.0, min(1.0, (WEAK_PAIR_SIMILARITY - similarity) / span))


def _lineage_value(chosen: list[tuple[int, int, float, str]], n_query: int, n_listed: int) -> float:
    """-1 when one name's second token (the father's name, in Arabic naming) is left without a
    partner while the other name's second token lines up with a later, non-family token: "Ahmed
    Mohammed X" (Ahmed son of Mohammed) is not "Ahmed Hassan Mohammed X" (Ahmed son of Hassan).
    Dropping the grandfather's name, the usual shortening, costs nothing."""
    by_query = {i: j for i, j, _, _ in chosen}
    by_listed = {j: i for i, j, _, _ in chosen}
    if 1 not in by_listed and 2 <= by_query.get(1, 0) < n_listed - 1:
        return -1.0
    if 1 not in by_query and 2 <= by_listed.get(1, 0) < n_query - 1:
        return -1.0
    return 0.0


def _order_push(order: list[int]) -> Contribution | None:
    """In order: nothing. Family name moved to the front or back (a rotation): -0.3.
    Shuffled: -2 (Ali Ahmed, "Ali son of Ahmed", is not Ahmed Ali, "Ahmed son of Ali")."""
    if all(order[k] < order[k + 1] for k in range(len(order) - 1)):
        return None
    ranks = sorted(order)
    for shift in range(1, len(order)):
        if order[shift:] + order[:shift] == ranks:
            return Contribution(feature="order", value=-0.3, detail="family name moved")
    return Contribution(feature="order", value=-2.0, detail="tokens shuffled")


def _date_value(a: PartialDate, b: PartialDate) -> tuple[float, str]:
    """Birth dates: agreement helps, disagreement hurts, more so the more precise both are.

    Both full dates: same +2; day and month swapped +1; same month -0.5; same year -1;
    one year apart -1.5. When either is known only to the year or month: same year (and month,
    if both have it) +1, one year apart 0 (approximate ages). Two years apart -1.5; more -4.
    """
    apart = abs(a.year - b.year)
    if apart >= DATE_CONFLICT_YEARS:
        return -4.0, "conflict"
    if apart == 2:
        return -1.5, "2 years apart"
    if a.day is None or b.day is None:
        if apart == 1:
            return 0.0, "1 year apart"
        if a.month is not None and b.month is not None and a.month != b.month:
            return -1.0, "other month"
        return 1.0, "same year"
    if apart == 1:
        return -1.5, "1 year apart"
    if (a.month, a.day) == (b.month, b.day):
        return 2.0, "same date"
    if (a.month, a.day) == (b.day, b.month):
        return 1.0, "day/month swapped"
    if a.month == b.month:
        return -0.5, "other day"
    return -1.0, "other month"


def _facts_value(query: Facts, listed: Facts) -> float:
    """The summed push of the facts (what :func:`_facts_pushes` explains), cheaply."""
    value = 0.0
    if query.birth_date is not None and listed.birth_date is not None:
        value += _date_value(query.birth_date, listed.birth_date)[0]
    if query.nationality and listed.nationality:
        value += 0.4 if query.nationality == listed.nationality else -0.4
    if query.doc_number and listed.doc_number:
        value += 4.0 if query.doc_number == listed.doc_number else -0.5
    if query.gender and listed.gender and query.gender != listed.gender:
        value -= 1.5
    return value


def _facts_pushes(query: Facts, listed: Facts) -> list[Contribution]:
    pushes: list[Contribution] = []
    if query.birth_date is not None and listed.birth_date is not None:
        value, reason = _date_value(query.birth_date, listed.birth_date)
        pushes.append(
            Contribution(
                feature="birth_date",
                value=value,
                detail=f"{query.birth_date} vs {listed.birth_date}: {reason}",
            )
        )
    if query.nationality and listed.nationality:
        same = query.nationality == listed.nationality
        pushes.append(
            Contribution(
                feature="nationality",
                value=0.4 if same else -0.4,
                detail=f"{query.nationality} vs {listed.nationality}",
            )
        )
    if query.doc_number and listed.doc_number:
        same = query.doc_number == listed.doc_number
        pushes.append(
            Contribution(
                feature="doc_number",
                value=4.0 if same else -0.5,
                detail="same document number" if same else "different document numbers",
            )
        )
    if query.gender and listed.gender and query.gender != listed.gender:
        pushes.append(
            Contribution(feature="gender", value=-1.5, detail=f"{query.gender} vs {listed.gender}")
        )
    return pushes


# Per listed token (by identity), the query tokens it may pair with: (query position,
# similarity, how), only pairs at or above ``ALIGN_MIN_SIMILARITY``.
SimilarityCache = dict[int, list[tuple[int, float, str]]]


def _align(
    query: PreparedName, listed: PreparedName, cache: SimilarityCache | None
) -> list[tuple[int, int, float, str]]:
    """Greedy one-to-one alignment of tokens, most similar pairs first (ties: same position,
    then the listed token's position, then the person's)."""
    pairs: list[tuple[float, int, int, int, str]] = []
    q_tokens, q_groups = query.tokens, query.groups
    for j, lt in enumerate(listed.tokens):
        row = None if cache is None else cache.get(id(lt))
        if row is None:
            groups = listed.groups[j]
            row = []
            for i, qt in enumerate(q_tokens):
                sim, how = token_similarity(qt, lt, q_groups[i], groups)
                if sim >= ALIGN_MIN_SIMILARITY:
                    row.append((i, sim, how))
            if cache is not None:
                cache[id(lt)] = row
        for i, sim, how in row:
            pairs.append((-sim, abs(i - j), j, i, how))
    pairs.sort()
    used_q = used_l = 0
    chosen: list[tuple[int, int, float, str]] = []
    for neg_sim, _, j, i, how in pairs:
        if not (used_q >> i) & 1 and not (used_l >> j) & 1:
            used_q |= 1 << i
            used_l |= 1 << j
            chosen.append((i, j, -neg_sim, how))
    chosen.sort()
    return chosen


# The most the facts can add (same date, nationality and document number): lets a name pair
# that cannot reach the threshold be dropped before its explanation is written.
_MAX_FACTS_PUSH = 2.0 + 0.4 + 4.0
# The most the name features can add (every token matched exactly, rare tokens; conflict,
# family name, order and lineage only ever subtract): lets a pair whose facts alone rule out
# the threshold (birth dates years apart) be dropped before its tokens are aligned. The margin
# keeps the test exact whatever the order of the floating-point sums.
MAX_NAMES_PUSH = NAME_SLOPE * (1.0 - NAME_PIVOT) + RARITY_SLOPE * (RARITY_CAP - RARITY_PIVOT)
_BOUND_MARGIN = 1e-9


def log_odds_limit(threshold: float) -> float:
    """The log-odds a score must reach to be at or above ``threshold``."""
    return math.log(threshold / (1.0 - threshold)) if 0.0 < threshold < 1.0 else -math.inf


DATE_CONFLICT_YEARS = 3  # birth years this far apart push -4 (see :func:`_date_value`)


def date_conflict_rules_out(query_facts: Facts, limit: float) -> bool:
    """True when a birth-year conflict (``DATE_CONFLICT_YEARS`` or more apart) alone keeps any
    pair with this person below the log-odds ``limit``, whatever the entry's other facts and
    names: the person's nationality and document number could add at most 0.4 and 4."""
    if query_facts.birth_date is None:
        return False
    best_other = (0.4 if query_facts.nationality else 0.0) + (
        4.0 if query_facts.doc_number else 0.0
    )
    return -4.0 + best_other + MAX_NAMES_PUSH + _BOUND_MARGIN < limit


def facts_rule_out(query_facts: Facts, listed_facts: Facts, limit: float) -> bool:
    """True when the facts alone keep a pair below the log-odds ``limit``, whatever its names
    (the best name pushes add at most :data:`MAX_NAMES_PUSH`)."""
    return _facts_value(query_facts, listed_facts) + MAX_NAMES_PUSH + _BOUND_MARGIN < limit


def score_names(
    query: PreparedName,
    query_facts: Facts,
    listed: PreparedName,
    listed_facts: Facts,
    *,
    threshold: float = 0.0,
    cache: SimilarityCache | None = None,
) -> Scored | None:
    """Score one person name against one listed name, with the explanation parts.

    Returns ``None`` when the score is below ``threshold`` (checked before any explanation is
    written, so screening many candidates stays cheap). ``cache`` memoises token similarities
    across the candidates of one query (keyed by query position and listed token identity).
    """
    limit = log_odds_limit(threshold)
    facts_value = _facts_value(query_facts, listed_facts)
    if facts_value + MAX_NAMES_PUSH + _BOUND_MARGIN < limit:
        return None
    chosen = _align(query, listed, cache)
    qw, lw = query.weights, listed.weights
    total_q = sum(qw) or 1.0
    total_l = sum(lw) or 1.0
    covered_q = covered_l = evidence = 0.0
    miss_q = total_q
    miss_l = total_l
    last_q, last_l = len(qw) - 1, len(lw) - 1
    family_q = family_l = last_q > 0 and last_l > 0
    for i, j, sim, how in chosen:
        credit = _credit(sim, how)
        covered_q += credit * qw[i]
        covered_l += credit * lw[j]
        evidence += credit * (qw[i] + lw[j]) / 2
        weakness = _weakness(sim) if sim < WEAK_PAIR_SIMILARITY else 0.0
        miss_q -= (1.0 - weakness) * qw[i]
        miss_l -= (1.0 - weakness) * lw[j]
        if i == last_q and weakness <= 0.5:
            family_q = False
        if j == last_l and weakness <= 0.5:
            family_l = False
    covered_q /= total_q
    covered_l /= total_l
    share = SHARE_OF_BETTER * max(covered_q, covered_l) + (1 - SHARE_OF_BETTER) * min(
        covered_q, covered_l
    )
    conflict = max(0.0, min(miss_q, miss_l))
    name_value = NAME_SLOPE * (share - NAME_PIVOT)
    rarity_value = RARITY_SLOPE * (min(evidence, RARITY_CAP) - RARITY_PIVOT)
    conflict_value = -3.0 * min(conflict, 1.5) if conflict > 0.01 else 0.0
    family_value = -2.0 if family_q and family_l else 0.0
    # Order and lineage only ever subtract: a pair already short of the limit is done.
    if name_value + rarity_value + conflict_value + family_value + facts_value < limit:
        return None
    order_push = _order_push([j for _, j, _, _ in chosen])
    lineage_value = _lineage_value(chosen, len(query.tokens), len(listed.tokens))
    names_total = name_value + rarity_value + conflict_value + family_value + lineage_value
    if order_push is not None:
        names_total += order_push.value
    if names_total + _MAX_FACTS_PUSH < limit:
        return None
    total = names_total + facts_value
    if total < limit:
        return None
    facts = _facts_pushes(query_facts, listed_facts)

    pushes = [
        Contribution(
            feature="name",
            value=name_value,
            detail=f"{covered_q:.0%} of person's and {covered_l:.0%} of entry's name matched",
        ),
        Contribution(
            feature="rarity",
            value=rarity_value,
            detail=f"matched tokens weigh {evidence:.2f} (3 rare tokens ~ 2.5)",
        ),
    ]
    if conflict_value:
        pushes.append(
            Contribution(
                feature="conflict",
                value=conflict_value,
                detail=f"tokens on both sides without a good partner weigh {conflict:.2f}",
            )
        )
    if family_value:
        pushes.append(
            Contribution(feature="family_name", value=family_value, detail="family names differ")
        )
    if order_push is not None:
        pushes.append(order_push)
    if lineage_value:
        pushes.append(
            Contribution(
                feature="lineage",
                value=lineage_value,
                detail="the second name (the father's) lines up with a grandfather's",
            )
        )
    pushes.extend(facts)
    matched_q = {i for i, _, _, _ in chosen}
    matched_l = {j for _, j, _, _ in chosen}
    return Scored(
        score=1.0 / (1.0 + math.exp(-total)),
        tokens=tuple(
            TokenMatch(
                query=query.tokens[i].text,
                listed=listed.tokens[j].text,
                similarity=round(sim, 3),
                how=how,
                weight=round((qw[i] + lw[j]) / 2, 3),
            )
            for i, j, sim, how in chosen
        ),
        unmatched_query=tuple(t.text for i, t in enumerate(query.tokens) if i not in matched_q),
        unmatched_listed=tuple(t.text for j, t in enumerate(listed.tokens) if j not in matched_l),
        contributions=tuple(
            Contribution(feature=p.feature, value=round(p.value, 3), detail=p.detail)
            for p in pushes
        ),
    )
