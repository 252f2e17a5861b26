"""Which texts NER runs on: each duplicate cluster once. The canonical member is tagged,
and its copies take its mentions wherever they stand in their own text; each distinct
text is tagged once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from transforms.dedup import ClusterDecision
from transforms.documents import Article, Mention
from transforms.entities import project_mentions


class TextToTag(NamedTuple):
    language: str  # whose model tags it
    text: str


@dataclass(frozen=True)
class TaggingPlan:
    """For a batch's articles in a language a model is installed for."""

    articles: dict[str, Article]  # article_id -> article, of those to tag
    origins: dict[str, str]  # article_id -> the article whose mentions it takes (itself, or its canonical member)
    stored: dict[str, list[Mention]] = field(default_factory=dict)  # mentions of origins the warehouse holds

    @classmethod
    def of(
        cls, articles: Iterable[Article], clusters: Mapping[str, ClusterDecision], languages: Iterable[str]
    ) -> TaggingPlan:
        languages = set(languages)
        taggable = {a.article_id: a for a in articles if a.language in languages}
        canonical = {
            decision.cluster_id: article_id for article_id, decision in clusters.items() if decision.is_canonical
        }
        return cls(taggable, {a: canonical.get(clusters[a].cluster_id, a) for a in taggable})

    def stored_origins(self) -> set[str]:
        """The origins outside the batch: their mentions, if stored, are looked up, not tagged anew."""
        return {origin for origin in self.origins.values() if origin not in self.articles}

    def with_stored(self, stored: dict[str, list[Mention]]) -> TaggingPlan:
        return TaggingPlan(self.articles, self.origins, stored)

    @cached_property
    def texts(self) -> list[TextToTag]:
        """What to tag: the batch's origins, and the articles whose origin is stored without mentions."""
        tagged_here = {
            a
            for a, origin in self.origins.items()
            if origin == a or (origin not in self.articles and origin not in self.stored)
        }
        tagged_here |= {origin for origin in self.origins.values() if origin in self.articles}
        return sorted({TextToTag(self.articles[a].language, self.articles[a].text) for a in tagged_here})

    def mentions(self, article: Article, tagged: Mapping[TextToTag, tuple[Mention, ...]]) -> tuple[Mention, ...]:
        """An article's mentions, given what NER found in `texts`."""
        own = TextToTag(article.language, article.text)
        if own in tagged:
            return tagged[own]
        origin = self.origins[article.article_id]
        if origin in self.articles:
            found = tagged[TextToTag(self.articles[origin].language, self.articles[origin].text)]
        else:
            found = self.stored[origin]
        return project_mentions(found, article.text)
