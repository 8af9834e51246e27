"""Whole English words, to tell a real word from a typo.

The packaged embedding model's WordPiece vocabulary lists about 20,000 whole English words of four letters
or more ("contract", "spending", "reviewed"); a word found there is meant as written, so the parser never
"corrects" it into a catalog word that looks alike ("contacts", "pending", "renewed").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nlq.embeddings import PACKAGED_MODEL, model_path


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case whole words of the packaged model's vocabulary (no word pieces, no punctuation)."""
    vocab = Path(model_path(PACKAGED_MODEL)) / "vocab.txt"
    if not vocab.exists():
        return frozenset()
    return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha() and w.islower())


def article(word: str) -> str:
    """'a' or 'an' before a word, by its first letter (good enough for the catalog's nouns)."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def amount_text(value: float, *, money: bool, decimals: int = 0) -> str:
    """A number as an answer says it: "-$5" (not "$-5"), "$12,000.00", "1.5" (a fraction is not rounded away)."""
    number = float(value)
    sign = "-" if number < 0 else ""
    if money or number.is_integer():
        body = f"{abs(number):,.{decimals}f}"
    else:
        body = f"{abs(number):,.2f}".rstrip("0").rstrip(".")
    return f"{sign}${body}" if money else f"{sign}{body}"


def defined_name(text: str) -> str:
    """A condition's words without the definition a named set carries ("customers = contacts in lifecycle
    stage customer" → "customers"): answers list definitions apart, so a sentence needs only the name."""
    return text.split(" = ", 1)[0]
