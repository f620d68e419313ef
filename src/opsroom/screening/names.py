"""Parsing person names into comparable tokens, in Arabic and Latin script.

A name becomes a tuple of :class:`NameToken`, each with its normalised surface text, its script
and its cross-script phonetic key (:func:`opsroom.screening.scripts.phonetic_key`). Parsing:

* invisible characters (zero-width space and joiners, soft hyphen, bidi controls, variation
  selectors...) are removed first: they are no letters, and inside a word they would hide it;

* ``FAMILY, Given Middle`` (one comma) is turned round to ``Given Middle FAMILY``;
* honorifics (sheikh/cheikh, haji/hadj, mr, dr, الشيخ, الحاج...) are dropped;
* the article ``al-``/``el-``/``ul-`` (and its assimilated forms ``ad-``, ``ar-``, ``as-``,
  ``ash-``, ``at-``, ``az-``, ``an-``) and ``ال``/``آل`` are removed from the token they prefix,
  whether written apart, hyphenated or joined (``Alhashimi``, ``الهاشمي``): spellings add or drop
  it freely;
* ``bin``/``ben``/``ibn``/``bint``/``ould`` (``بن``, ``ابن``, ``بنت``, ``ولد``) become *connector*
  tokens: they say "son/daughter of" and carry no identity of their own;
* ``abd``/``abdel``/``abdul``/``abdu`` + name (``عبد``+name), written apart or joined
  (``Abdelkader``, ``Abd al-Qadir``, ``عبدالقادر``), become one compound token, and so do
  ``abu``/``abou`` + name (``أبو بكر``, ``Aboubakr``): the parts only make sense together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from opsroom.screening.scripts import (
    arabic_key,
    fold_latin,
    is_arabic,
    latin_key,
    normalise_arabic,
    strip_invisible,
)


class TokenKind(StrEnum):
    """What a token is inside a name."""

    NAME = "name"
    CONNECTOR = "connector"  # bin, ben, ibn, bint, ould: "son/daughter of"


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a name, normalised. ``key`` is the cross-script phonetic key."""

    text: str
    script: str  # "ar" or "latn"
    key: str
    kind: TokenKind = TokenKind.NAME


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A name as written (``raw``) and its tokens in reading order (given names first)."""

    raw: str
    tokens: tuple[NameToken, ...]

    @property
    def name_tokens(self) -> tuple[NameToken, ...]:
        """The tokens that carry identity (connectors left out)."""
        return tuple(t for t in self.tokens if t.kind is TokenKind.NAME)

    @property
    def script(self) -> str:
        """``ar`` when any token is in Arabic script, else ``latn``."""
        return "ar" if any(t.script == "ar" for t in self.tokens) else "latn"


_HONORIFICS_LATIN = frozenset(
    [
        "sheikh",
        "shaikh",
        "shaykh",
        "sheik",
        "cheikh",
        "chaikh",
        "haji",
        "hajji",
        "hadj",
        "hadji",
        "hajj",
        "alhaj",
        "alhadj",
        "elhadj",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
    ]
)
_HONORIFICS_ARABIC = frozenset(["الشيخ", "شيخ", "الحاج", "حاج", "الحاجه", "السيد", "السيده"])
_CONNECTORS_LATIN = frozenset(["bin", "ben", "ibn", "ibni", "bint", "binti", "bent", "ould", "ult"])
_CONNECTORS_ARABIC = frozenset(["بن", "ابن", "بنت", "ولد"])
_ARTICLES_LATIN = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "an",
        "adh",
        "ath",
        "ed",
        "er",
        "es",
        "et",
        "ez",
        "en",
    ]
)
# "Abdi", "Abdou" and "Abdu" stand alone as given names, so they do not start a compound.
_ABD_LATIN = frozenset(
    ["abd", "abdel", "abdal", "abdul", "abdol", "abdoul", "abdur", "abder", "abdes"]
)
_ABU_LATIN = frozenset(["abu", "abou", "abo", "aboo"])

# A joined Latin abd-compound: abd + optional vowel(s) + optional article consonant(s).
_ABD_JOINED = re.compile(r"^abd(?:ou|o|u|e|a)?(?:l|r|s|sh|t|z|d|n)?(?=[a-z]{3,})")
_ABU_JOINED = re.compile(r"^ab(?:ou|u|oo)(?=[a-z]{4,})")
# A joined Latin article: al/el + consonant, leaving at least 4 letters (Alhashimi, Elmansouri).
_ARTICLE_JOINED = re.compile(r"^(?:al|el)(?=[b-df-hj-np-tv-z][a-z]{3,})")
_SPLIT = re.compile(r"[\s\-_.,;:/()\[\]\"]+")


def _strip_arabic_article(word: str) -> str:
    if word.startswith("ال") and len(word) >= 4:
        return word[2:]
    return word


def _latin_words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(fold_latin(text)) if w and w.isalnum()]


def _arabic_words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(normalise_arabic(text)) if w]


def _turn_round(raw: str) -> str:
    """``FAMILY, Given`` -> ``Given FAMILY`` when the name has exactly one comma."""
    if raw.count(",") == 1:
        family, given = (part.strip() for part in raw.split(","))
        if family and given:
            return f"{given} {family}"
    return raw


def _arabic_tokens(words: list[str]) -> list[NameToken]:
    tokens: list[NameToken] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in _HONORIFICS_ARABIC and len(words) > 1:
            i += 1
            continue
        if word in _CONNECTORS_ARABIC:
            tokens.append(NameToken(word, "ar", "", TokenKind.CONNECTOR))
            i += 1
            continue
        if word == "ال" and i + 1 < len(words):
            i += 1
            continue
        prefix = ""
        rest = word
        if word in ("عبد", "عبدول", "عبدل") and i + 1 < len(words):
            prefix, rest = "عبد", words[i + 1]
            i += 1
        elif word.startswith("عبد") and len(word) > 4:
            prefix, rest = "عبد", word[3:]
        elif word in ("ابو", "أبو", "ابا", "ابي") and i + 1 < len(words):
            prefix, rest = "ابو", words[i + 1]
            i += 1
        rest = _strip_arabic_article(rest)
        if prefix == "عبد":
            tokens.append(NameToken(f"عبد{rest}", "ar", "BD" + arabic_key(rest)))
        elif prefix == "ابو":
            tokens.append(NameToken(f"ابو{rest}", "ar", "@" + arabic_key(rest)))
        else:
            tokens.append(NameToken(rest, "ar", arabic_key(rest)))
        i += 1
    return tokens


def _latin_tokens(words: list[str]) -> list[NameToken]:
    tokens: list[NameToken] = []
    i = 0
    while i < len(words):
        word = words[i]
        more = i + 1 < len(words)
        if word in _HONORIFICS_LATIN and more:
            i += 1
            continue
        if word in _CONNECTORS_LATIN and more:
            tokens.append(NameToken("bin", "latn", "", TokenKind.CONNECTOR))
            i += 1
            continue
        if word in _ARTICLES_LATIN and more:
            i += 1
            continue
        if word in _ABD_LATIN and more and words[i + 1] not in _CONNECTORS_LATIN:
            rest = words[i + 1]
            if rest in _ARTICLES_LATIN and i + 2 < len(words):
                rest = words[i + 2]
                i += 1
            i += 2
            tokens.append(NameToken(f"abd{rest}", "latn", "BD" + latin_key(rest)))
            continue
        if word in _ABU_LATIN and more:
            rest = words[i + 1]
            if rest in _ARTICLES_LATIN and i + 2 < len(words):
                rest = words[i + 2]
                i += 1
            i += 2
            tokens.append(NameToken(f"abu{rest}", "latn", "@" + latin_key(rest)))
            continue
        i += 1
        match = _ABD_JOINED.match(word)
        if match and latin_key(word[match.end() :]):
            rest = word[match.end() :]
            tokens.append(NameToken(f"abd{rest}", "latn", "BD" + latin_key(rest)))
            continue
        match = _ABU_JOINED.match(word)
        if match and latin_key(word[match.end() :]):
            rest = word[match.end() :]
            tokens.append(NameToken(f"abu{rest}", "latn", "@" + latin_key(rest)))
            continue
        match = _ARTICLE_JOINED.match(word)
        if match:
            word = word[match.end() :]
        tokens.append(NameToken(word, "latn", latin_key(word)))
    return tokens


def parse_name(raw: str) -> ParsedName:
    """Parse one person name in Arabic or Latin script (or a mix of both) into tokens.

    Invisible characters are removed first (:func:`~opsroom.screening.scripts.strip_invisible`):
    every path that screens or indexes a name comes through here.
    """
    visible = strip_invisible(raw)
    return ParsedName(raw=raw, tokens=_tokens_of(_turn_round(visible.strip())))


def _tokens_of(text: str) -> tuple[NameToken, ...]:
    tokens: list[NameToken] = []
    words = text.split()
    start = 0
    while start < len(words):
        arabic = is_arabic(words[start])
        end = start
        while end < len(words) and is_arabic(words[end]) == arabic:
            end += 1
        chunk = " ".join(words[start:end])
        if arabic:
            tokens.extend(_arabic_tokens(_arabic_words(chunk)))
        else:
            tokens.extend(_latin_tokens(_latin_words(chunk)))
        start = end
    return tuple(t for t in tokens if t.text)
