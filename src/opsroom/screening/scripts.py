"""Script-level normalisation and the cross-script phonetic key.

Arabic script writes consonants and long vowels only; Latin spellings of Arabic names disagree
mostly about vowels (Mohamed/Muhammad, Youssef/Yusuf) and about how a few consonants are written
(French-school ``ou``/``ch``/``dj`` against English-school ``u``/``sh``/``j``; ``q``/``k``/``g``).
So the key of a token is its *consonant skeleton* over a small shared alphabet:

* short and long vowels are dropped, and so are the letters that stand for them in Arabic
  (alef, alef maqsura, hamza seats, ``ع`` ayn, which Latin spellings mostly omit) and the waw/yeh
  that are not at the start of a token (in Latin, ``w``/``y`` likewise);
* each Arabic letter and each Latin letter or digraph maps to one class (table ``_ARABIC_CLASS``
  and ``_LATIN_DIGRAPHS``/``_LATIN_CLASS``), e.g. ``ش``, ``sh``, ``ch`` -> ``C``; ``ق``, ``ك``,
  ``q``, ``k``, ``g`` -> ``K``; ``ج``, ``j``, ``dj`` -> ``J``;
* a final ``h`` (``ه``, ``ح``, taa marbuta ``ة``, Latin ``-ah``/``-eh``) is dropped, since Latin
  spellings keep or drop it freely (Fatima/Fatimah, Saleh/Salih/Salah);
* doubled consonants (shadda, ``mm``/``ss``) collapse to one.

The classes follow the correspondences of common romanisation practice (the ALA-LC and UNGEGN
tables for the English school, French colonial civil-registry practice for the Maghreb, as
summarised in ``docs/screening.md``); the agreement of the key with 15,898 Arabic words and
their romanisations (google/transliteration ``ar2en``) is measured by
``benchmarks/screening_accuracy.py``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- Invisible characters ------------------------------------------------------------------------

# Characters that draw nothing and carry no letter, besides the format characters (category Cf):
# the combining grapheme joiner U+034F, the Mongolian free variation selectors U+180B-U+180D and
# U+180F and the variation selectors U+FE00-U+FE0F and U+E0100-U+E01EF (they choose a glyph
# variant; names have none), and the conjoining Hangul fillers U+115F and U+1160 (they stand for
# an absent jamo and take no width; names are written in precomposed syllables). Tatweel U+0640
# only stretches the stroke between two Arabic letters: no letter either, and outside Arabic words
# (``Mansouri\u0640``) it would make a Latin word look Arabic to the tokeniser.
_INVISIBLE_EXTRA = "\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef\u115f\u1160\u0640"
# Blanks as wide as a letter: the braille pattern blank U+2800 and the Hangul fillers U+3164 and
# U+FFA0 (half-width). A reader sees a gap, so they separate words as a space does; removing them
# would instead glue "Youssef<blank>Ahmed" into one word that looks like two.
_BLANKS = re.compile("[\u2800\u3164\uffa0]")


# Where format characters are assigned: the multilingual and supplementary multilingual planes and
# the special-purpose plane (tags); the others hold ideographs or nothing (scanned in about 10 ms).
_FORMAT_PLANES = (range(0x20000), range(0xE0000, 0xF0000))


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern[str]:
    format_characters = "".join(
        chr(code)
        for plane in _FORMAT_PLANES
        for code in plane
        if unicodedata.category(chr(code)) == "Cf"
    )
    return re.compile(f"[{re.escape(format_characters)}{_INVISIBLE_EXTRA}]")


def strip_invisible(text: str) -> str:
    """Remove what a reader cannot see: format characters (Unicode category Cf: zero-width
    space, joiner and non-joiner, soft hyphen, word joiner, bidi marks, embeddings, overrides and
    isolates, BOM, tags...) and the other invisibles above; letter-wide blanks become spaces.

    None of them is a letter, so a name means the same without them, while inside a word they
    split or hide it from matching (``Yous\\u200bsef``). Arabic loses nothing: the zero-width
    joiner and non-joiner only choose letter shapes, and :func:`normalise_arabic` removed tatweel
    already.
    """
    return _BLANKS.sub(" ", _invisible().sub("", text))


# --- Arabic --------------------------------------------------------------------------------------

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, tatweel: removed.
_ARABIC_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

# Letter variants folded to one base letter (hamza seats and alef forms to bare alef, Persian and
# Urdu letters to their Arabic counterpart or nearest sound).
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ے": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ۆ": "و",
        "ۇ": "و",
        "ک": "ك",
        "ڪ": "ك",
        "ہ": "ه",
        "ھ": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ٹ": "ت",
        "ڈ": "د",
        "ڑ": "ر",
        "ں": "ن",
        "ڤ": "ف",
        "ۋ": "و",
        "٠": "0",
    }
)

_ARABIC_CLASS: dict[str, str] = {
    "ب": "B",
    "پ": "B",
    "ت": "T",
    "ط": "T",
    "ث": "T",
    "ج": "J",
    "چ": "C",
    "ژ": "J",
    "ح": "H",
    "ه": "H",
    "خ": "X",
    "د": "D",
    "ض": "D",
    "ذ": "D",
    "ظ": "Z",
    "ز": "Z",
    "ر": "R",
    "س": "S",
    "ص": "S",
    "ش": "C",
    "غ": "K",
    "ف": "F",
    "ق": "K",
    "ك": "K",
    "گ": "K",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "و": "W",
    "ي": "Y",
    # Vowel carriers: dropped from the key.
    "ا": "",
    "ء": "",
    "ع": "",
    "ة": "",
}

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def is_arabic(text: str) -> bool:
    """True when ``text`` holds at least one Arabic-script letter."""
    return _ARABIC_LETTER.search(text) is not None


def normalise_arabic(text: str) -> str:
    """Fold Arabic-script text: presentation forms, diacritics, tatweel, alef/hamza/yeh variants."""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_DROP.sub("", text)
    return text.translate(_ARABIC_FOLD)


def _collapse(classes: list[str]) -> str:
    out: list[str] = []
    for c in classes:
        if c and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


@lru_cache(maxsize=1 << 18)
def arabic_key(token: str) -> str:
    """Consonant skeleton of one normalised Arabic-script token (see the module docstring)."""
    letters = [ch for ch in token.replace("تش", "چ") if ch in _ARABIC_CLASS]
    classes: list[str] = []
    for i, ch in enumerate(letters):
        cls = _ARABIC_CLASS[ch]
        if cls in ("W", "Y") and i > 0:
            cls = ""  # waw/yeh after the first letter write long vowels (u/o/ou, i/ee/ey)
        classes.append(cls)
    # One final h-sound (ه, ح) or taa marbuta is dropped; Latin spellings keep or drop it freely.
    if letters and letters[-1] in ("ه", "ح", "ة"):
        classes.pop()
    return _collapse(classes)


# --- Latin ---------------------------------------------------------------------------------------

_LATIN_SPECIAL = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Apostrophes and ayn/hamza signs used in scholarly romanisation (ʿAbd, Qur'an): removed.
_LATIN_DROP = re.compile("['\u2018\u2019\u02bb\u02bc\u02bf\u02be\u0060\u00b4]")


@lru_cache(maxsize=1 << 18)
def fold_latin(text: str) -> str:
    """Lower-case, strip accents and fold special letters (``Çağrı`` -> ``cagri``)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_LATIN_SPECIAL)
    text = _LATIN_DROP.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Digraphs first, longest first: each becomes one class letter.
_LATIN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("tch", "C"),
    ("sch", "C"),
    ("dj", "J"),
    ("dh", "D"),
    ("dz", "Z"),
    ("kh", "X"),
    ("gh", "K"),
    ("sh", "C"),
    ("ch", "C"),
    ("th", "T"),
    ("ph", "F"),
    ("ck", "K"),
    ("qu", "K"),
    ("ou", "a"),
    ("oo", "a"),
    ("ee", "a"),
)

_LATIN_CLASS: dict[str, str] = {
    "b": "B",
    "p": "B",
    "c": "K",
    "d": "D",
    "f": "F",
    "v": "F",
    "g": "K",
    "h": "H",
    "j": "J",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "w": "W",
    "x": "KS",
    "y": "Y",
    "z": "Z",
    "a": "a",
    "e": "a",
    "i": "a",
    "o": "a",
    "u": "a",
}


@lru_cache(maxsize=1 << 18)
def latin_key(token: str) -> str:
    """Consonant skeleton of one folded Latin token, in the alphabet of :func:`arabic_key`."""
    units: list[str] = []
    i = 0
    n = len(token)
    if token.startswith("ou") and n > 2 and token[2] in "aeiy":
        units.append("W")  # French-school initial ou + vowel is a w (Ouahbi, Ouaziz: وعزيز)
        i = 2
    while i < n:
        for digraph, cls in _LATIN_DIGRAPHS:
            if token.startswith(digraph, i):
                units.append(cls)
                i += len(digraph)
                break
        else:
            ch = token[i]
            if ch == "c" and i + 1 < n and token[i + 1] in "eiy":
                units.append("S")  # soft c (Cecile)
            elif ch == "g" and i + 1 < n and token[i + 1] in "ei":
                units.append("J")  # soft g (Angelique, Gihad), written ج in Arabic
            elif ch in _LATIN_CLASS:
                units.append(_LATIN_CLASS[ch])
            i += 1
    # A final h after a vowel is dropped (Fatimah, Abdallah, Saleh); so is a final h-sound digraph.
    if len(units) >= 2 and units[-1] == "H" and units[-2] == "a":
        units.pop()
    classes: list[str] = []
    for pos, unit in enumerate(units):
        if unit == "a":
            classes.append("")
        elif unit in ("W", "Y") and pos > 0:
            classes.append("")  # w/y inside a token write vowels or glides, as waw/yeh do
        else:
            classes.extend(unit)
    return _collapse(classes)


def phonetic_key(token: str) -> str:
    """The cross-script key of one normalised token, whatever its script."""
    return arabic_key(token) if is_arabic(token) else latin_key(token)
