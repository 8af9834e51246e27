"""The phrase lexicon: every way the catalog lets a user name an entity, value, metric or column.

Built once from the catalog (and the values read from the database), so the parser only does
dictionary look-ups per question. Also holds the vocabulary used to correct typos.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from nlq.catalog import Catalog, normalize

# Words the grammar itself uses; they are never typo-corrected into catalog words and vice versa.
GRAMMAR_WORDS = frozenset("""
how many count number total sum average avg mean median top bottom largest biggest highest smallest lowest
most least fewest best worst max maximum min minimum sort sorted order ordered by per each every over above under
below more less than greater fewer at between and or not no without with never since before after last this
next previous past days day weeks week months month quarters quarter years year today yesterday tomorrow ago
recent recently newest oldest latest earliest first descending ascending desc asc group grouped broken down
split across who which what when where my mine me i our team teams owned owns own assigned belonging
belongs contacted contact touched reached haven't been have has had did do does is are were was will any none
open closing close closes closed due created added new won lost value amount size worth deal deals than
versus vs breakdown within during in of for the a an to from into up out be show list give find get pull
display see want need tell only just also and then them those these ones one their it its they
exceeding exceed exceeds bigger smaller larger higher lower least greatest upcoming overdue
nobody none nothing neither nor anybody somebody everybody everyone someone anyone than then there their
named called titled linked link links tied related associated attached connected longest shortest
older newer younger longer shorter old
""".split())


_INFLECTIONS = frozenset({"er", "ers", "ed", "ing", "ly", "s", "es", "est", "r", "d"})


@dataclass(frozen=True)
class Meaning:
    kind: str            # entity | named | metric | value | column | stage | pipeline | user | account | team
    name: str            # entity/named/metric/value/column/... identifier
    extra: str = ""      # valueset for values, entity for columns
    ref: int | None = None


def entity_named(catalog: Catalog, meaning: Meaning) -> str | None:
    """The records a meaning names: an entity's own, a definition's ("hot leads": contacts); None for a value,
    a column or a figure."""
    if meaning.kind == "entity":
        return meaning.name
    return catalog.named_filters[meaning.name].entity if meaning.kind == "named" else None


@dataclass
class Lexicon:
    phrases: dict[str, list[Meaning]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    max_words: int = 1

    def add(self, phrase: str, meaning: Meaning) -> None:
        key = normalize(phrase)
        if not key:
            return
        bucket = self.phrases.setdefault(key, [])
        if meaning not in bucket:
            bucket.append(meaning)
        self.max_words = max(self.max_words, len(key.split()))

    def lookup(self, phrase: str) -> list[Meaning]:
        found = self.phrases.get(phrase)
        if found is None and ("@" in phrase or "." in phrase):
            found = self.phrases.get(normalize(phrase))  # one token of a phrase stored in words: an e-mail address
        return found or []

    def correct(self, word: str) -> str | None:
        """The vocabulary word a typo most likely meant, or None when nothing is close enough."""
        if len(word) < 4 or not word.isalpha() or word in GRAMMAR_WORDS:
            return None
        # (a swapped pair scores low on this ratio — "opne" / "open" 75, below "one" — so the ratio only narrows
        # the candidates; the fewest slips among the plausible ones decide, the ratio breaks ties)
        found = process.extract(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=70, limit=20)
        plausible = [(DamerauLevenshtein.distance(word, str(c)), -score, str(c)) for c, score, _i in found
                     if self._plausible_typo(word, str(c))]
        return min(plausible)[2] if plausible else None

    @staticmethod
    def _plausible_typo(word: str, candidate: str) -> bool:
        if abs(len(candidate) - len(word)) > 2 or candidate[0] != word[0] and len(word) < 6:
            return False
        # A short word near a catalog word is more likely another real word than a typo ("stale" is not
        # "sale"): one slip for words up to five letters, two beyond; into a word of under five letters
        # only a swapped or mistyped letter ("opne" → "open"), never one added or dropped.
        distance = DamerauLevenshtein.distance(word, candidate)
        if distance > (1 if len(word) <= 5 else 2):
            return False
        if candidate[0] != word[0] and distance > 1:
            return False  # people rarely slip on the first letter twice over: "coverage" is not "average"
        if len(candidate) < 5 and len(candidate) != len(word):
            return False
        # "longer" is long + er, a real word rather than a typo of "long"
        return not (word.startswith(candidate) and word[len(candidate):] in _INFLECTIONS)


def build_lexicon(catalog: Catalog) -> Lexicon:
    lex = Lexicon()
    for entity in catalog.entities.values():
        for phrase in [entity.singular, entity.plural, *entity.synonyms]:
            lex.add(phrase, Meaning("entity", entity.name))
        for column in entity.columns.values():
            for phrase in [column.name.replace("_", " "), column.label, *column.synonyms]:
                lex.add(phrase, Meaning("column", column.name, extra=entity.name))
        for computed in entity.computed.values():
            if not computed.lexicon:
                continue
            for phrase in [computed.name, computed.label, *computed.synonyms]:
                lex.add(phrase, Meaning("column", computed.name, extra=entity.name))
    for named in catalog.named_filters.values():
        for phrase in named.phrases:
            lex.add(phrase, Meaning("named", named.name))
    for metric in catalog.metrics.values():
        for phrase in metric.phrases:
            lex.add(phrase, Meaning("metric", metric.name))
    for valueset, values in catalog.valuesets.items():
        if valueset == "cities":
            continue  # added last, where no other meaning claims the name (below)
        for value, phrases in values.items():
            for phrase in [value.replace("_", " "), *phrases]:
                if valueset == "states" and len(phrase) <= 3:
                    continue  # state codes are matched only when typed in capitals (see parser)
                if valueset == "countries" and (normalize(phrase) in ("us", "in") or phrase == value):
                    continue  # codes and common words; "USA", "UK", "Germany" still match
                lex.add(phrase, Meaning("value", value, extra=valueset))
    for name, _ids in catalog.stage_names.items():
        lex.add(name, Meaning("stage", name))
    for name, pid in catalog.pipelines.items():
        for form in {name, name.rstrip("s")}:
            lex.add(f"{form} pipeline", Meaning("pipeline", name, ref=pid))
            lex.add(form, Meaning("pipeline", name, ref=pid))
            lex.add(f"{form} deals", Meaning("pipeline", name, ref=pid))
    for name, uid in catalog.users.items():
        lex.add(name, Meaning("user", name, ref=uid))
    team_words = Counter(w for name in catalog.teams for w in set(name.split()))
    for name, tid in catalog.teams.items():
        lex.add(name, Meaning("team", name, ref=tid))
        lex.add(f"{name} team", Meaning("team", name, ref=tid))
        for word in name.split():
            if team_words[word] == 1 and word != name and len(word) > 2:
                lex.add(f"{word} team", Meaning("team", name, ref=tid))  # "the West team": NA West
    for name in catalog.accounts:
        lex.add(name, Meaning("account", name))
    for entity_name, columns in catalog.event_columns.items():
        for column, phrases in columns.items():
            for phrase in phrases:
                lex.add(phrase, Meaning("event", column, extra=entity_name))
                if " " not in phrase:
                    lex.add("un" + phrase, Meaning("event", column, extra=entity_name, ref=-1))
    # cities from the data: "contacts in Chicago"; a name that is already a state, a country, a person or
    # an account keeps that meaning ("New York" is the state)
    for city, phrases in catalog.valuesets.get("cities", {}).items():
        for phrase in phrases:
            if normalize(phrase) not in lex.phrases:
                lex.add(phrase, Meaning("value", city, extra="cities"))
    # "their reasons", "phone numbers", "leads from trade shows": a column's or a value's name in the
    # plural, where that word means nothing else (places are names: no plurals); a value's plural whose
    # last word already means something ("new leads": leads) keeps to that meaning
    for phrase, meanings in list(lex.phrases.items()):
        plural = _plural(phrase)
        own_meaning = plural is not None and " " in plural and plural.rsplit(" ", 1)[1] in lex.phrases
        pluralizable = [m for m in meanings if m.kind == "column" or
                        m.kind == "value" and m.extra not in _PLACES and not own_meaning]
        if pluralizable and plural and plural not in lex.phrases:
            for meaning in pluralizable:
                lex.add(plural, meaning)
    words = {w for phrase in lex.phrases for w in phrase.split() if len(w) >= 3}
    words |= set(catalog.filler) | GRAMMAR_WORDS
    # account and person names are not typo targets: correcting toward them invents meaning
    names = set(catalog.accounts) | set(catalog.users) | {normalize(c) for c in catalog.valuesets.get("cities", {})}
    name_words = {w for n in names for w in n.split()} - {w for p, ms in lex.phrases.items()
                                                          for m in ms if m.kind not in ("account", "user")
                                                          and m.extra != "cities"
                                                          for w in p.split()}
    lex.vocabulary = sorted(words - name_words)
    return lex


_PLACES = frozenset({"states", "countries", "cities", "regions"})


def _plural(phrase: str) -> str | None:
    """The regular plural of a phrase's last word ("reason" → "reasons", "address" → "addresses")."""
    last = phrase.rsplit(" ", 1)[-1]
    if len(last) < 3 or not last.isalpha():
        return None
    if last.endswith(("ss", "x", "ch", "sh")):
        return phrase + "es"
    if last.endswith("s"):
        return None
    if last.endswith("y") and last[-2] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + "s"
