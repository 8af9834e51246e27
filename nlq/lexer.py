"""Turn a question into tokens: words, numbers (with money and magnitude), ISO dates, quarters."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTRACTIONS = {
    "haven't": "have not", "hasn't": "has not", "hadn't": "had not", "didn't": "did not",
    "don't": "do not", "doesn't": "does not", "isn't": "is not", "aren't": "are not",
    "wasn't": "was not", "weren't": "were not", "can't": "can not", "cannot": "can not",
    "won't": "will not", "what's": "what is", "who's": "who is", "where's": "where is", "i'm": "i am",
    "let's": "let us", "they've": "they have", "we've": "we have", "i've": "i have", "havent": "have not",
    "hasnt": "has not", "didnt": "did not", "dont": "do not", "doesnt": "does not", "whats": "what is",
    "hadnt": "had not", "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "they're": "they are", "we're": "we are", "you're": "you are", "it's": "it is", "there's": "there is",
    "that's": "that is", "i'll": "i will", "we'll": "we will", "i'd": "i would", "we'd": "we would",
    "wouldn't": "would not", "couldn't": "could not", "shouldn't": "should not",
}
_MAGNITUDES = {
    "k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "mil": 1e6, "million": 1e6,
    "millions": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
}
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12,
}
_TOKEN_RE = re.compile(
    r"""
    (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<quarter>\bq[1-4]\b)
    | (?P<number>(?:(?<![\w$.])-)?(?:\$\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|mm|m|bn|b|thousand|million|millions|billion|grand|mil)\b)?%?)
    | (?P<cmp><=|>=|<|>|=)
    | (?P<word>[^\W\d_][\w'&]*(?:-[\w]+)*(?:[@.][^\W\d_][\w-]*)*)
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass
class Token:
    text: str            # normalised (lower-case) text
    kind: str            # word | number | date | quarter | cmp
    original: str
    start: int
    value: float | None = None
    is_money: bool = False
    is_percent: bool = False
    at_least: bool = False  # written with a "+" after it: "10+ contacts"
    magnified: bool = False  # scaled by a magnitude: "20k", "20 thousand"

    @property
    def is_upper_code(self) -> bool:
        return self.original.isupper() and self.original.isalpha() and 2 <= len(self.original) <= 3


def expand_contractions(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        expanded = _CONTRACTIONS.get(word.lower())
        return expanded if expanded else word

    text = re.sub(r"[A-Za-z]+'?[A-Za-z]*", repl, text)
    # possessive 's carries no meaning for the query ("Riley's deals", "my team's pipeline")
    return re.sub(r"(\w)'s\b", r"\1", text)


def expand_abbreviations(text: str, abbreviations: dict[str, str]) -> str:
    """'w/ deals', 'hw many', 'this yr' → their words (the catalog lists the shorthand)."""
    if not abbreviations:
        return text

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        return abbreviations.get(word.lower(), word)

    return re.sub(r"(?<![\w/])[A-Za-z][A-Za-z0-9]*/?[A-Za-z]*(?![\w/])", repl, text)  # ("b4" too)


# "contacts other than customers", "deals in any stage but Prospecting", "anything but won": one word for
# ruling out, so that every reading of a negation sees "except"
_OTHER_THAN = re.compile(r"\b(?:other|rather)\s+than\b", re.IGNORECASE)
_ANY_BUT = re.compile(r"\b((?:any|all|every|everything|anything)(?:\s+[A-Za-z]+)?\s+)but\b", re.IGNORECASE)


def plain_exceptions(text: str) -> str:
    """'other than' and the 'but' of 'any … but' as 'except'.

    >>> plain_exceptions("deals in any stage but Prospecting, contacts other than customers")
    'deals in any stage except Prospecting, contacts except customers'
    """
    return _ANY_BUT.sub(r"\1except", _OTHER_THAN.sub("except", text))


def tokenize(question: str, abbreviations: dict[str, str] | None = None) -> list[Token]:
    text = plain_exceptions(expand_abbreviations(expand_contractions(question), abbreviations or {}))
    # "10-20k", "80–90": a range (not a date: "2026-05-01" has two dashes, "2024-2025" is years)
    text = re.sub(r"(?<![\d.,-])(\$?\d{1,3}(?:[.,]\d+)?[kKmM]?)\s*[-–]\s*(\$?\d{1,3}(?:[.,]\d+)?[kKmM]?)(?![\d-])",
                  r"between \1 and \2", text)
    # "# of meetings": the number of
    text = re.sub(r"(?<!\w)#\s*(?=of\b)", "number ", text, flags=re.IGNORECASE)
    # hyphenated words read as two: "sales-qualified", "close-win", "partner-sourced"
    text = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text)
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "word"
        raw = match.group(0)
        if kind == "number":
            tokens.append(_number(raw, match.start()))
            tokens[-1].at_least = text[match.end():match.end() + 1] == "+"  # "10+ contacts"
        elif kind == "word":
            word = raw.lower().strip("'")
            if word.endswith("'"):
                word = word[:-1]
            tokens.append(Token(word, "word", raw, match.start()))
        else:
            tokens.append(Token(raw.lower(), kind, raw, match.start()))
    return _merge_number_words(tokens)


def _number(raw: str, start: int) -> Token:
    text = raw.lower().replace(" ", "")
    sign = -1.0 if text.startswith("-") else 1.0  # "over -5"
    text = text.lstrip("-")
    is_money = text.startswith("$")
    is_percent = text.endswith("%")
    text = text.lstrip("$").rstrip("%")
    magnitude = 1.0
    for suffix in sorted(_MAGNITUDES, key=len, reverse=True):
        if text.endswith(suffix) and not text[: -len(suffix)].endswith(tuple("abcdefghijklmnopqrstuvwxyz")):
            magnitude = _MAGNITUDES[suffix]
            text = text[: -len(suffix)]
            is_money = is_money or suffix in ("k", "m", "mm", "bn", "b", "grand", "mil")
            break
    value = sign * float(text.replace(",", "")) * magnitude
    return Token(raw.lower(), "number", raw, start, value=value, is_money=is_money, is_percent=is_percent,
                 magnified=magnitude != 1.0)


# "30d", "2w", "6mo": a unit letter written against the number
_UNIT_LETTERS = {"d": "days", "w": "weeks", "wk": "weeks", "wks": "weeks", "mo": "months", "mos": "months",
                 "y": "years", "yr": "years", "yrs": "years", "h": "hours", "hr": "hours", "hrs": "hours"}


_SPAN_UNITS = frozenset({"day", "week", "month", "quarter", "year", "fortnight"})


_PARTS = {"half": 0.5, "quarter": 0.25}  # "half a million", "a quarter of a million"


def _merge_number_words(tokens: list[Token]) -> list[Token]:
    """'five' → 5, '10 thousand' handled by the regex; '$' tokens already merged."""
    out: list[Token] = []
    for tok in tokens:
        if tok.kind == "word" and tok.text in _UNIT_LETTERS and out and out[-1].kind == "number" and \
                out[-1].start + len(out[-1].original) == tok.start and not out[-1].is_money:
            out.append(Token(_UNIT_LETTERS[tok.text], "word", tok.original, tok.start))
            continue
        if tok.kind == "word" and tok.text in NUMBER_WORDS:
            out.append(Token(tok.text, "number", tok.original, tok.start, value=float(NUMBER_WORDS[tok.text])))
            continue
        if tok.kind == "word" and tok.text in ("thousand", "million", "billion") and out and out[-1].kind == "word" \
                and out[-1].text in ("a", "one"):
            # "deals over a million": one of that magnitude; "half a million", "a quarter of a million": that part
            first = out.pop()
            part = 1.0
            if len(out) >= 1 and out[-1].kind == "word" and out[-1].text in _PARTS:
                part, first = _PARTS[out[-1].text], out.pop()
            elif len(out) >= 3 and out[-1].text == "of" and out[-2].text in _PARTS and out[-3].text == "a":
                part = _PARTS[out[-2].text]
                del out[-2:]
                first = out.pop()
            out.append(Token("1", "number", f"{first.original} {tok.original}", first.start,
                             value=part * _MAGNITUDES[tok.text], is_money=True, magnified=True))
            continue
        if tok.kind == "word" and tok.text in _MAGNITUDES and out and out[-1].kind == "number" and \
                tok.text not in ("m", "b", "k"):
            prev = out[-1]
            prev.value = (prev.value or 0) * _MAGNITUDES[tok.text]
            prev.is_money = prev.magnified = True
            continue
        out.append(tok)
    # "in a month", "a week ago": one of the unit
    for k, tok in enumerate(out[:-1]):
        if tok.kind == "word" and tok.text in ("a", "an") and out[k + 1].kind == "word" and \
                out[k + 1].text in _SPAN_UNITS:
            out[k] = Token("1", "number", tok.original, tok.start, value=1.0)
    return out
