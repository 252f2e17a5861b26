"""Stories: the articles of every outlet about one real-world event.

An article is a sparse vector of its features: word stems of its title and text, the name
keys of the entities it mentions, and the numbers it gives (a count, a year, a score tell
one event from a look-alike one), each weighted by how rare it is (TF-IDF, with the document
frequencies of the warehouse). Articles more than `WINDOW_DAYS` apart are never one story.

Two articles are alike by their cosine similarity and by the neighbours they share: each
article's `NEIGHBOURS` most similar articles make its profile, and the cosine of two profiles
says whether they sit among the same articles. Reports of one event in different words often
share few words with each other but the same neighbours; a look-alike event (the same
company's next recall) has neighbours of its own. Their mean is the similarity that average
linkage groups by: two groups join while the mean similarity of their articles is at least
`THRESHOLD`. Grouping a set depends on the set, never on the order it arrived in.

    features -> vectors (TF-IDF, unit length) -> similarity within the window, and of
    neighbour profiles -> average linkage, within each set of articles linked by pairs at
    the threshold (the same groups, `group` says why) -> groups named: a group keeps the
    oldest story id among its members; the others merge into it

The stories stage (flows/ingest.py) runs it on the new articles and the stories they touch.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import numpy as np
import Stemmer

from transforms.documents import stable_id
from transforms.entities import name_key

# The mean similarity at which two groups of articles are one story. Chosen on two sets
# unlike each other: ECB+ (real reports of one event in different words; look-alike events),
# where 0.16-0.30 all do within 0.015 of the best, and the generated news of
# bench/stories_scale.py (every article written from one pool of sentences, events told apart
# by their names and figures alone), where events merge below 0.30.
THRESHOLD = 0.30
# How many most similar articles make an article's neighbour profile (5-7 do alike on ECB+).
NEIGHBOURS = 7
# Articles further apart than this are not one story, however alike: the next storm, the
# next quarter's figures.
WINDOW_DAYS = 14
# Each kind of feature, and how much one of it weighs against a word: a shared name says
# more than a shared word.
WORD, ENTITY, NUMBER = "w:", "e:", "n:"
KIND_WEIGHTS = {WORD: 1.0, ENTITY: 1.5, NUMBER: 1.0}
# How many of a new article's most distinctive features find the stored articles to compare it with.
QUERY_FEATURES = 24
# How many of the stored articles most like a new one bring their stories to be grouped with
# it: of those sharing two of its distinctive features or more, and at least this share of
# their weight (on ECB+, 99.5% of articles still find an article of their event).
CANDIDATES = 10
CANDIDATE_SHARE = 0.2

_WORD = re.compile(r"[^\W\d_]{3,}")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


@dataclass(frozen=True)
class WordRules:
    """How a language's words are folded: its Snowball stemmer and the words too common to count."""

    stemmer: str | None
    stop_words: frozenset[str]


# The languages with word rules, and their Snowball stemmer (PyStemmer: no data to download;
# None where it has none). Their stop words are spaCy's lists, which need no model.
_SNOWBALL_STEMMERS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
    "sv": "swedish",
    "da": "danish",
    "nb": "norwegian",
    "no": "norwegian",
    "fi": "finnish",
    "ru": "russian",
    "ro": "romanian",
    "hu": "hungarian",
    "tr": "turkish",
    "ca": "catalan",
    "el": "greek",
    "pl": None,
    "cs": "czech",
    "uk": None,
    "id": "indonesian",
    "ar": "arabic",
}


@cache
def word_rules(language: str | None) -> WordRules:
    """A language's word rules; a language without any keeps its words as they are."""
    if language not in _SNOWBALL_STEMMERS:
        return WordRules(None, frozenset())
    return WordRules(_SNOWBALL_STEMMERS[language], _spacy_stop_words(language))


def _spacy_stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of a language, read from its `stop_words.py` (a set and nothing
    else) without importing the language's package: French's alone takes 2.5 s, for its
    tokenizer exceptions."""
    import importlib.util
    import runpy

    words = Path(importlib.util.find_spec("spacy").origin).parent / "lang" / language / "stop_words.py"
    return frozenset(runpy.run_path(str(words))["STOP_WORDS"]) if words.is_file() else frozenset()


@cache
def _stemmer(name: str):
    return Stemmer.Stemmer(name)


class StoryText(NamedTuple):
    """What the features of an article are made of."""

    title: str | None
    text: str
    language: str | None = None
    names: Sequence[str] = ()  # the names of the entities it mentions, one per mention


def features(item: StoryText) -> Counter:
    """How often the article has each feature: `w:` word stems, `e:` name keys, `n:` numbers."""
    return with_names(text_features(item.title, item.text, item.language), item.names)


def text_features(title: str | None, text: str, language: str | None) -> Counter:
    """The features of an article's words and numbers, `w:` and `n:`: the costly part of its
    features, which needs only its text and language (the ingest computes it on the workers)."""
    rules = word_rules(language)
    found: Counter = Counter()
    for part in (title or "", text):
        words = [w for w in _WORD.findall(part.casefold()) if w not in rules.stop_words]
        if rules.stemmer:
            words = _stemmer(rules.stemmer).stemWords(words)
        found.update(WORD + w for w in words)
        found.update(NUMBER + n.replace(",", "") for n in _NUMBER.findall(part))
    return found


def with_names(found: Counter, names: Sequence[str]) -> Counter:
    """The `text_features` of an article with the `e:` name keys of the entities it mentions
    (one name per mention) added after them: its `features`. `found` is left as it is."""
    keys = {name: ENTITY + name_key(name) for name in dict.fromkeys(names)}  # a name is mentioned again and again
    found = Counter(found)
    found.update(key for key in map(keys.__getitem__, names) if key != ENTITY)
    return found


@dataclass(frozen=True)
class DocumentFrequencies:
    """How many articles have each feature, of `articles` in all."""

    articles: int
    counts: Mapping[str, int]

    def idf(self, feature: str) -> float:
        return math.log((1 + self.articles) / (1 + self.counts.get(feature, 0))) + 1

    def including(self, found: Iterable[Mapping[str, float]]) -> DocumentFrequencies:
        """These frequencies with the features of more articles counted in."""
        counts = Counter(self.counts)
        found = list(found)
        for article in found:
            counts.update(article.keys())
        return DocumentFrequencies(self.articles + len(found), counts)


def vector(found: Mapping[str, float], frequencies: DocumentFrequencies) -> dict[str, float]:
    """The article's features weighted by kind, count (sublinear) and rarity, at unit length."""
    # frequencies.idf(feature), inline: this runs for every feature of every article grouped
    articles, counts, log = 1 + frequencies.articles, frequencies.counts, math.log
    weights = {
        feature: KIND_WEIGHTS[feature[:2]] * (1 + log(count)) * (log(articles / (1 + counts.get(feature, 0))) + 1)
        for feature, count in found.items()
        if count >= 1
    }
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {feature: w / norm for feature, w in weights.items()}


def query_features(weights: Mapping[str, float]) -> list[str]:
    """The article's most distinctive features: those the stored articles to compare it with share."""
    return sorted(weights, key=lambda f: (-weights[f], f))[:QUERY_FEATURES]


def group(vectors: Sequence[Mapping[str, float]], days: Sequence[date | None], keys: Sequence[str]) -> list[int]:
    """A group number per article: articles with one number are one story. An undated
    article (None) is compared with all. `keys` name the articles (distinct, or equal only
    for equal articles), so that the order they come in does not change the groups.

    Two groups join only when the mean similarity of their articles is at least `THRESHOLD`,
    so only when some pair of their articles is (a mean is never above its largest part):
    every group lies within one connected component of the pairs that are, and the linkage
    of one component never looks at another. Linking each component alone gives the same
    groups as linking all at once, for the cost of the largest component instead of all."""
    n = len(vectors)
    if n < 2:
        return list(range(n))
    # Imported here: scipy takes a quarter of a second to import, which a command that
    # only reads the warehouse should not pay.
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.sparse import csr_matrix
    from scipy.spatial.distance import squareform

    order = sorted(range(n), key=lambda i: (days[i] or date.min, keys[i]))
    # The features numbered in the order they first come in (the order of the sums below)
    features = list(chain.from_iterable(vectors[k] for k in order))
    vocabulary = {feature: column for column, feature in enumerate(dict.fromkeys(features))}
    rows = np.repeat(np.arange(n), [len(vectors[k]) for k in order])
    columns = np.fromiter(map(vocabulary.__getitem__, features), dtype=np.int64, count=len(features))
    weights = np.fromiter(
        chain.from_iterable(vectors[k].values() for k in order), dtype=np.float64, count=len(features)
    )
    matrix = csr_matrix((weights, (rows, columns)), shape=(n, len(vocabulary)))
    dated = [days[k] for k in order if days[k] is not None]
    ordinals = None  # no two articles are too far apart
    if dated and (max(dated) - min(dated)).days > WINDOW_DAYS:
        ordinals = np.array([days[k].toordinal() if days[k] else 0 for k in order])
    shared, component = _components(matrix, ordinals)
    # The articles in order of their component (in their own order within it): each component's
    # rows are then a slice.
    by_component = np.argsort(component, kind="stable")
    matrix, shared = matrix[by_component], shared[by_component][:, by_component]
    ordinals = None if ordinals is None else ordinals[by_component]
    labels = np.empty(n, dtype=np.int64)
    numbered, start = 0, 0
    for size in np.bincount(component):
        members = slice(start, start + size)
        found = np.ones(1, dtype=np.int64)
        if size > 1:
            # distance: 1 - the mean of the two similarities, in place
            distance = np.empty((size, size))
            for first, cosine in _cosines(matrix[members], None if ordinals is None else ordinals[members]):
                distance[first : first + len(cosine)] = cosine
            distance += shared[members, members].toarray()
            distance *= -0.5
            distance += 1.0
            np.clip(distance, 0.0, None, out=distance)
            np.fill_diagonal(distance, 0.0)
            found = fcluster(linkage(squareform(distance, checks=False), "average"), 1.0 - THRESHOLD, "distance")
        labels[by_component[members]] = found + numbered
        numbered += int(found.max())
        start += size
    grouped = [0] * n
    for position, k in enumerate(order):
        grouped[k] = int(labels[position])
    return grouped


_BLOCK = 128  # rows a block: a block is _BLOCK × n similarities, and a dense _BLOCK × its features
_PAIRS = 8192  # pairs of articles a time, whose vectors are copied to multiply


def _components(matrix, ordinals: np.ndarray | None):
    """The similarity of the articles' neighbour profiles (`_shared_neighbours`), and a
    component number per article: the connected components of the pairs whose mean
    similarity is at the threshold, less a margin for rounding (scipy's means, and the sums
    of `_pair_cosines` in another order, must not join groups these pairs leave apart)."""
    from scipy.sparse import csr_matrix, triu
    from scipy.sparse.csgraph import connected_components

    n = matrix.shape[0]
    least = 2.0 * THRESHOLD - 1e-9
    k = min(NEIGHBOURS, n - 1)
    nearest = np.empty((n, k), dtype=np.int64)
    near = np.empty((n, k))
    linked = []
    # First, in blocks of rows, each article's neighbours, and the pairs at the threshold by
    # their cosine alone (the shared similarity only adds to it).
    for start, cosine in _cosines(matrix, ordinals):
        rows = np.arange(len(cosine))
        negated = -cosine
        negated[rows, rows + start] = np.inf  # never its own neighbour
        nearest[start : start + len(rows)] = np.argpartition(negated, k - 1, axis=1)[:, :k]
        near[start : start + len(rows)] = cosine[rows[:, None], nearest[start : start + len(rows)]]
        alike, other = np.nonzero(cosine >= least)
        linked.append((alike + start, other))
    shared = _shared_neighbours(nearest, near)
    # Then the pairs that share neighbours (few: the shared similarity is sparse), by both.
    upper = triu(shared, 1, format="csr")
    left = np.repeat(np.arange(n), np.diff(upper.indptr))
    alike = _pair_cosines(matrix, left, upper.indices, ordinals) + upper.data >= least
    linked.append((left[alike], upper.indices[alike]))
    rows, columns = map(np.concatenate, zip(*linked))
    graph = csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, n))
    return shared, connected_components(graph, directed=False)[1]


def _cosines(matrix, ordinals: np.ndarray | None):
    """The cosine similarity of the unit vectors of `matrix`, in blocks of rows: (the block's
    first row, its similarities to all). Two articles too far apart (`_apart`) have 0;
    `ordinals` None: no two are."""
    for start in range(0, matrix.shape[0], _BLOCK):
        rows = matrix[start : start + _BLOCK]
        used = np.unique(rows.indices)
        # Sparse times dense sums each product in the order of the features, as a sparse
        # product does (the same floats), and quicker where most pairs share a feature.
        cosine = np.ascontiguousarray((matrix[:, used] @ rows[:, used].T.toarray()).T)
        if ordinals is not None:
            cosine[_apart(ordinals[start : start + _BLOCK, None], ordinals[None, :])] = 0.0
        yield start, cosine


def _pair_cosines(matrix, left: np.ndarray, right: np.ndarray, ordinals: np.ndarray | None) -> np.ndarray:
    """The cosine similarity of each pair of rows of `matrix` (`left[i]`, `right[i]`), as `_cosines`."""
    found = [np.zeros(0)]
    for start in range(0, len(left), _PAIRS):
        pairs = slice(start, start + _PAIRS)
        found.append(np.asarray(matrix[left[pairs]].multiply(matrix[right[pairs]]).sum(axis=1)).ravel())
    cosine = np.concatenate(found)
    if ordinals is not None:
        cosine[_apart(ordinals[left], ordinals[right])] = 0.0
    return cosine


def _apart(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Whether articles on these days (ordinals; 0: undated) are further apart than `WINDOW_DAYS`."""
    return (np.abs(first - second) > WINDOW_DAYS) & (first > 0) & (second > 0)


def _shared_neighbours(nearest: np.ndarray, near: np.ndarray):
    """The cosine similarity of the articles' neighbour profiles, sparse: each row keeps the
    article's own similarity (`near`) to its most similar articles (`nearest`), and to itself."""
    from scipy.sparse import csr_matrix, identity

    n, k = nearest.shape
    rows = np.repeat(np.arange(n), k)
    profiles = csr_matrix((near.ravel(), (rows, nearest.ravel())), shape=(n, n))
    profiles = profiles.maximum(profiles.T) + identity(n, format="csr")  # a neighbour's neighbour too
    norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1)).ravel())
    shared = (profiles @ profiles.T).tocsr()
    shared.data /= np.repeat(norms, np.diff(shared.indptr))
    shared.data /= norms[shared.indices]
    return shared


class StoryMember(NamedTuple):
    """A duplicate cluster as the story stage groups it: by its canonical article."""

    cluster_id: str
    article_id: str  # its canonical article
    day: date
    story_id: str | None  # the story it is in now, if any


class Naming(NamedTuple):
    stories: dict[str, str]  # cluster_id -> story_id
    merges: dict[str, str]  # story_id -> the story it is merged into


def name_groups(members: Sequence[StoryMember], groups: Sequence[int], taken: Iterable[str] = ()) -> Naming:
    """Story ids for groups of clusters. A group keeps the id of the oldest story among its
    members (the one first seen, then the smallest id); a story split over groups stays with
    the group holding most of it; the other stories of a group merge into its id. A group
    with no story yet takes an id made from its earliest article; `taken` are ids in use."""
    by_group: dict[int, list[StoryMember]] = {}
    shares: dict[str, Counter] = {}  # story_id -> how many of its clusters each group holds
    first_seen: dict[str, date] = {}
    for member, number in zip(members, groups):
        by_group.setdefault(number, []).append(member)
        if member.story_id is not None:
            shares.setdefault(member.story_id, Counter())[number] += 1
            first_seen[member.story_id] = min(first_seen.get(member.story_id, member.day), member.day)
    earliest = {number: min(map(_order, group_members)) for number, group_members in by_group.items()}
    # Each old story goes to the group holding most of its clusters (then the earliest).
    kept: dict[int, list[str]] = {}  # group -> its old stories, the oldest first
    for story_id in sorted(first_seen, key=lambda s: (first_seen[s], s)):
        held = shares[story_id]
        kept.setdefault(min(held, key=lambda g: (-held[g], earliest[g])), []).append(story_id)
    stories: dict[str, str] = {}
    merges: dict[str, str] = {}
    used = set(taken) | set(first_seen)
    for number in sorted(by_group, key=earliest.__getitem__):
        group_members = by_group[number]
        if number in kept:
            story_id, *others = kept[number]
            merges.update((other, story_id) for other in others)
        else:
            story_id = _new_id(min(group_members, key=_order).article_id, used)
            used.add(story_id)
        stories.update((m.cluster_id, story_id) for m in group_members)
    return Naming(stories, merges)


def _order(member: StoryMember) -> tuple[date, str]:
    return member.day, member.article_id


def _new_id(article_id: str, used: set[str]) -> str:
    story_id, n = founding_id(article_id), 0
    while story_id in used:
        n += 1
        story_id = stable_id(f"story {article_id} {n}")
    return story_id


def cluster(
    texts: Sequence[str],
    dates: Sequence[date | None] | None = None,
    titles: Sequence[str | None] | None = None,
    language: str | None = "en",
) -> list[int]:
    """A story label per text, in memory: texts with equal labels report one event. Without
    dates the texts are taken as one day's; without entity names (this uses no NER model)
    it leans on words and numbers alone."""
    found = [features(StoryText(titles[i] if titles else None, text, language)) for i, text in enumerate(texts)]
    frequencies = DocumentFrequencies(0, {}).including(found)
    days = list(dates) if dates else [None] * len(texts)
    keys = [f"{titles[i] if titles else ''}\n{text}" for i, text in enumerate(texts)]
    labels = group([vector(f, frequencies) for f in found], days, keys)
    first: dict[int, int] = {}
    return [first.setdefault(label, i) for i, label in enumerate(labels)]


@dataclass(frozen=True)
class StoryChanges:
    """What a batch changes in the stories: the story of each cluster it touches, the
    stories merged away, and the features of its articles on their story day."""

    stories: dict[str, str]  # cluster_id -> story_id
    merges: dict[str, str]  # story_id -> the story it is merged into
    terms: dict[str, tuple[Counter, date]]  # article_id -> its features and its story day


NO_CHANGES = StoryChanges({}, {}, {})


def founding_id(article_id: str) -> str:
    """The id a story founded by this article takes, unless it is in use."""
    return stable_id(f"story {article_id}")
