"""Turn a raw record into clean article text: paragraphs, one per line, without residue.

HTML goes through trafilatura, which finds the article body and the page's metadata.
Already-extracted text (which trafilatura cannot handle) goes through a line cleaner
that recognises the residue scrapers leave around an article by its shape: share and
comment prompts, navigation, subscription banners, tag lists, copyright lines.
Both end in the same residue pass, so an HTML page's leftovers are caught too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import datetime

import ftfy
import trafilatura
from tld import get_fld

from transforms.documents import EXTRACTION_FAILED, NO_TEXT, Article, Record, Reject, count_words
from transforms.read import BadInput, decode_text, declared_charset
from transforms.timestamps import parse_timestamp

# Whole lines that are never article content, in the languages news is scraped in most.
# Matched against the entire line (case-insensitive), so "Share." goes but a sentence
# that happens to contain the word "share" stays.
_RESIDUE_LINE = re.compile(
    r"""^(?:
      share(?:\ (?:this|the)\ (?:article|story|post|page))?(?:\ on\ \w+)?
    | (?:leave|post|write)\ an?\ (?:reply|comment)s?
    | \d*\ ?comments?
    | (?:previous|next|prev)\ (?:post|article|story)(?:\ (?:previous|next)\ (?:post|article|story))?
    | source\ link | source:.* | via:.*
    | advertisement | advertising | ad | sponsored(?:\ content)? | promoted
    | (?:related|recommended|more)(?:\ (?:articles|posts|stories|news|content|reading))?(?::.*)?
    | you\ (?:may|might)\ also\ (?:like|be\ interested\ in).*
    | (?:read|see|show|load)\ (?:more|next|also|full\ (?:article|story)).*
    | continue\ reading.* | click\ here.* | tap\ here.*
    | exit\ mobile\ version | skip\ to\ (?:main\ )?content | back\ to\ top | enter\ your\ e-?mail(?:\ address)?
    | (?:log|sign)\ ?in | (?:log|sign)\ ?out | menu | search | home
    | tags?:.* | topics?:.* | filed\ under:?.*
    | follow\ us(?:\ on)?.* | like\ us\ on.*
    | (?:©|\(c\)|copyright).* | .*all\ rights\ reserved.*
    | by\ \w+(?:\ \w+){0,3}\ [-–|•]\ .*\d{1,2}:\d{2}.*
    | admin(?:istrator)? | editorial\ (?:team|staff) | staff\ (?:writer|reporter)
    # German
    | teilen | (?:jetzt\ )?kommentar(?:e|\ schreiben|\ hinterlassen)? | quelle:.* | anzeige | werbung
    | weiterlesen | mehr\ zum\ thema.* | auch\ interessant.* | newsletter\ abonnieren.* | alle\ rechte\ vorbehalten.*
    # Dutch
    | delen | deel\ dit\ artikel | advertentie | lees\ (?:ook|meer).* | reacties?(?:\ \(\d+\))? | meer\ nieuws.*
    # French
    | partager | publicité | laisser\ un\ commentaire | lire\ (?:aussi|la\ suite|plus).* | à\ lire\ aussi.*
    | abonnez-vous.* | tous\ droits\ réservés.*
    # Spanish, Portuguese, Italian
    | compartir | compartilhar | condividi | publicidad | publicidade | pubblicità
    | deja\ (?:un|tu)\ comentario | deixe\ um\ comentário | lascia\ un\ commento
    | (?:leer|leia|leggi)\ (?:más|mais|anche|também).* | fuente:.* | fonte:.*
    | suscríbete.* | todos\ los\ derechos\ reservados.* | tutti\ i\ diritti\ riservati.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# Words that mark a short, unpunctuated line as a prompt or banner rather than a subhead.
_PROMPT_WORD = re.compile(
    r"\b(?:subscri\w*|newsletter|banner|cookies?|sign\ up|log\ in|download\ (?:our|the)\ app|"
    r"abonn\w*|anmelden|inscri\w*|suscri\w*)\b",
    re.IGNORECASE | re.VERBOSE,
)
# Sentences of site furniture that read like prose: cookie and consent notices, sign-up
# pitches, comment forms, author bios, legal footers.
_FURNITURE_SENTENCE = re.compile(
    r"""\b(?:(?:we|this\ (?:web)?site)\ uses?\ cookies|utilizamos\ cookies|nous\ utilisons\ des\ cookies
    |wir\ verwenden\ cookies|by\ continuing\ to\ (?:browse|use)|in\ your\ inbox|in\ ihrem\ postfach
    |(?:sign\ up|subscribe|register)\b.{0,60}\b(?:newsletter|inbox|access|a\ week|a\ month|for\ free)
    |download\ (?:the|our)\b.{0,40}\bapp|email\ address\ will\ not\ be\ published|required\ fields\ are\ marked
    |next\ time\ i\ comment|logged\ in\ to\ (?:post\ a\ )?comment|terms\ of\ (?:use|service)
    |does\ not\ constitute\ (?:investment|financial|legal)\ advice|privacy\ policy|all\ rights\ reserved
    |(?-i:^[A-Z][\w'’.-]+(?:\ [A-Z][\w'’.-]+){1,3})\ (?:is|was)\ .{0,60}\b(?:reporter|editor|correspondent|writer|journalist|columnist|contributor)\b
    |assine\ já|abonnez-vous|suscríbete|recevez\ chaque)""",
    re.IGNORECASE | re.VERBOSE,
)
# Short lines shaped like labels rather than text: bylines, dates and times, reading
# times, counts, breadcrumbs and menus joined by separators, photo credits, embeds.
_LABEL_SHAPE = re.compile(
    r"""^(?:by|von|par|di|por|door|de|words\ by|written\ by|text:?)\s+(?-i:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})(?:$|\s*[|,·•–-])
    |\d{1,2}:\d{2}|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}(?:st|nd|rd|th)?\.?\s+[A-Za-zéû]{3,}\.?\s+\d{4}\b
    |\b[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b|\b\d+\s+(?:hours?|minutes?|days?|weeks?)\s+ago\b
    |\b\d+\s*(?:-\s*)?(?:min|mins|minute|minutes|minuten|minutos|minuti)\b|lesezeit|leitura|temps\ de\ lecture
    |^(?:published|updated|last\ updated|publié|publicado|atualizado|aktualisiert|veröffentlicht|pubblicato)\b
    |\s[|>›»/·•]\s|^[|>›»·•]|\(\d+\)$|^\d+$|^\d+\s+\w+$
    |^(?:photo|image|foto|photograph|picture|credit|media\ caption|image\ caption|bild|crédit)\b\s*[:,]
    |\((?:image|photo|foto|picture|credit)\b|pic\.twitter\.com|\(@\w+\)""",
    re.IGNORECASE | re.VERBOSE,
)
_LABEL_START = re.compile(
    r"^(?:(?:by|von|par|di|por|door|words by|written by)\s+(?-i:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})(?:$|\s*[|,·•–-])"
    r"|(?:published|updated|last updated|publié|publicado|atualizado|aktualisiert|veröffentlicht|pubblicato"
    r"|photo|image|foto|photograph|picture|credit|media caption|image caption)\b)",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"\((?:image|photo|foto|picture|credit)\b|pic\.twitter\.com|\(@\w+\)", re.IGNORECASE)
_PROSE_END = re.compile(r"[.!?…][\"'”’»)]*$")
_BULLET = re.compile(r"^(?:[-•*–]\s+\S|\d{1,2}[.)]\s+\S)")
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]$")
_PARTS = re.compile(r"\s*[,;]\s+")  # not "|" (trafilatura's table rows), not "32,23" (a decimal comma)
_HTML_LANG = re.compile(r"""<html[^>]*\slang=["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.IGNORECASE)
_FTFY = ftfy.TextFixerConfig(fix_character_width=False, explain=False)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_PUNCT_EDGES = "\"'“”‘’«»()[]{}<>.,:;!?-–—|•·*#=_~ "

TITLE_MAX_WORDS = 25
PROMPT_MAX_WORDS = 12
MIN_ARTICLE_WORDS = 10  # fewer is a fragment (a menu, a caption), not an article
RESIDUE_MAX_WORDS = 15
FURNITURE_MAX_WORDS = 60
PROSE_MIN_WORDS = 8  # with sentence punctuation at the end; 15 without
SUBHEAD_MAX_WORDS = 8
WRAP_MIN_WIDTH, WRAP_MAX_WIDTH = 50, 110  # the widths text dumps wrap at  # residue lines are short; a long line that starts like one is a sentence


@dataclass(frozen=True)
class CleanText:
    title: str | None
    text: str
    removed: tuple[tuple[int, str, str], ...]  # (1-based line number, line, reason)
    line_numbers: tuple[int, ...] = ()  # the input line number of each line of `text`


def normalize_text(text: str) -> str:
    """NFC, one kind of line break and space, no blank lines: one paragraph per line."""
    return "\n".join(line for _, line in _numbered_lines(text))


def _numbered_lines(text: str, unwrap: bool = True) -> list[tuple[int, str]]:
    """(1-based line number in `text`, normalized line) for every non-blank line.

    ftfy repairs mojibake ("KremlinÃ¢â‚¬â„¢s" -> "Kremlin's") and makes quotes straight, so
    the same text scraped twice compares equal; full-width CJK forms are left as written.
    """
    text = ftfy.fix_text(text.replace("\r\n", "\n").replace("\r", "\n"), _FTFY)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    numbered = [(number, line) for number, line in enumerate(lines, start=1)]
    return _unwrap(numbered) if unwrap else [(n, line) for n, line in numbered if line]


def _unwrap(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Non-blank lines, with text hard-wrapped at a fixed width (as text dumps of pages
    are) joined back into its paragraphs; a joined paragraph keeps its first line number."""
    long = [len(line) for _, line in lines if len(line) >= 40]
    width = max(long, default=0)
    blank_separators = sum(1 for (_, a), (_, b) in zip(lines, lines[1:]) if a and not b)
    wrapped = (  # text with no blank lines has one paragraph per line, however short
        blank_separators >= 2 and len(long) >= 4 and WRAP_MIN_WIDTH <= width <= WRAP_MAX_WIDTH
        and sum(w >= 0.75 * width for w in long) >= 0.5 * len(long)
    )
    if not wrapped:
        return [(n, line) for n, line in lines if line]
    joined: list[tuple[int, str]] = []
    previous = ""
    for number, line in lines:
        if line and joined and previous and len(previous) >= 0.6 * width and not _BULLET.match(line):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {line}")
        elif line:
            joined.append((number, line))
        previous = line
    return joined


def residue_reason(line: str, title: str | None) -> str | None:
    """Why `line` is residue rather than article content, or None if it is content."""
    bare = line.strip(_PUNCT_EDGES)
    if title and bare.casefold() == title.strip(_PUNCT_EDGES).casefold():
        return "repeated_title"
    words = line.split()
    if not bare or (len(words) <= RESIDUE_MAX_WORDS and (_RESIDUE_LINE.match(bare) or _RESIDUE_LINE.match(line))):
        return "residue_phrase"
    if len(words) <= PROMPT_MAX_WORDS and not _SENTENCE_END.search(line) and _PROMPT_WORD.search(line):
        return "prompt"
    if _is_tag_list(line):
        return "tag_list"
    if len(words) <= FURNITURE_MAX_WORDS and _FURNITURE_SENTENCE.search(line):
        return "site_furniture"
    return None


def _is_tag_list(line: str) -> bool:
    """Many short, capitalised, comma-separated labels and no sentence punctuation."""
    if line.endswith((".", "!", "?")):
        return False
    parts = [p for p in _PARTS.split(line) if p]
    if len(parts) < 4 or any(len(p.split()) > 5 for p in parts):
        return False
    capitalised = sum(p[0].isupper() for p in parts)
    return capitalised >= 0.6 * len(parts)


def _looks_like_title(line: str) -> bool:
    return len(line.split()) <= TITLE_MAX_WORDS and not line.endswith((".", ":", ";", ","))


def clean_scraped_text(raw: str, title: str | None = None) -> CleanText:
    """Title and body of already-extracted text.

    Without a known `title`, the title is the first line that is not residue, when it
    looks like a headline. Line numbers in `removed` are those of `raw`.
    """
    lines = _numbered_lines(raw)
    if title:
        return _strip_residue(lines, title)
    leading = 0
    while leading < len(lines) and residue_reason(lines[leading][1], None):
        leading += 1
    rest = lines[leading:]
    title = rest[0][1] if len(rest) > 1 and _looks_like_title(rest[0][1]) else None
    return _strip_residue(lines[:leading] + rest[1 if title else 0:], title)


def _strip_residue(lines: list[tuple[int, str]], title: str | None, by_position: bool = True) -> CleanText:
    """Drop residue lines: by what they say (phrases of several languages), and by where
    they stand and what shape they have.

    The article is the span from its first to its last prose line, and the sentences
    that close it. Short lines before or after it are page furniture (menus, bylines,
    share buttons, related headlines). Inside it, a short line stays when it is a
    sentence, a bulleted item next to article text, or a subhead: a few words standing
    alone between paragraphs, not shaped like a label (a date, a byline, a breadcrumb).
    Other short lines inside it are buttons, captions and lists of links.

    Text that trafilatura took from a page is the article already: there, position and
    shape would only cost real lines (standfirsts, results tables, recipe ingredients),
    so only what lines say counts (`by_position=False`).
    """
    texts = [line for _, line in lines]
    phrase = [residue_reason(line, title) for line in texts]
    prose = [reason is None and _is_prose(line) for line, reason in zip(texts, phrase)]
    reasons = list(phrase)
    if by_position and any(prose):
        first, last = prose.index(True), len(prose) - 1 - prose[::-1].index(True)
        for j in range(last + 1, len(texts)):  # closing sentences and lists: "The trial continues."
            if not phrase[j]:
                if not (_is_sentence(texts[j]) or (_BULLET.match(texts[j]) and not _LABEL_SHAPE.search(texts[j]))):
                    break
                last = j
        for i, line in enumerate(texts):
            if phrase[i] or prose[i]:
                continue
            if i < first or i > last:
                reasons[i] = "outside_article"
            elif not _stays_inside_article(texts, prose, phrase, i):
                reasons[i] = "label" if _LABEL_SHAPE.search(line) else "short_line"
    kept = [(n, line) for (n, line), reason in zip(lines, reasons) if not reason]
    removed = tuple((n, line, reason) for (n, line), reason in zip(lines, reasons) if reason)
    return CleanText(title, "\n".join(line for _, line in kept), removed, tuple(n for n, _ in kept))


def _is_prose(line: str) -> bool:
    if _LABEL_START.match(line) or _CREDIT.search(line):
        return False
    words = count_words(line)
    return words >= 15 or (words >= PROSE_MIN_WORDS and bool(_PROSE_END.search(line) or line.endswith(":")))


def _is_sentence(line: str) -> bool:
    """A short line that is still a sentence: "The trial continues.", a one-line quote."""
    return count_words(line) >= 2 and bool(_PROSE_END.search(line)) and not _LABEL_SHAPE.search(line)


def _is_subhead(line: str) -> bool:
    return 2 <= count_words(line) <= SUBHEAD_MAX_WORDS and not _LABEL_SHAPE.search(line) and not _PROSE_END.search(line)


def _stays_inside_article(texts: list[str], prose: list[bool], phrase: list, i: int) -> bool:
    line = texts[i]
    if _is_sentence(line):
        return True
    if _BULLET.match(line):  # an item of a list in the article: next to article text or its subhead
        before, after = _neighbour(texts, phrase, i, -1, skip_bullets=True), _neighbour(texts, phrase, i, 1, skip_bullets=True)
        return any(j is not None and (prose[j] or _is_sentence(texts[j]) or _is_subhead(texts[j])) for j in (before, after))
    if not _is_subhead(line):
        return False
    before, after = _neighbour(texts, phrase, i, -1), _neighbour(texts, phrase, i, 1)
    return (
        before is not None and (prose[before] or _is_sentence(texts[before]))
        and after is not None and (prose[after] or _is_sentence(texts[after]) or bool(_BULLET.match(texts[after])))
    )


def _neighbour(texts: list[str], phrase: list, i: int, step: int, skip_bullets: bool = False) -> int | None:
    """The nearest line in direction `step` that is not residue by its wording."""
    j = i + step
    while 0 <= j < len(texts) and (phrase[j] or (skip_bullets and _BULLET.match(texts[j]))):
        j += step
    return j if 0 <= j < len(texts) else None


_NO_METADATA = SimpleNamespace(title=None, url=None, hostname=None, author=None, date=None)


def extract_html(html: str, title: str | None = None) -> tuple[CleanText, dict]:
    """Article body and metadata of an HTML page (an empty body when none is found)."""
    page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = page.text if page is not None else None
    if not text:  # before giving up: trafilatura's generous mode, then its baseline
        generous = trafilatura.bare_extraction(html, include_comments=False, favor_recall=True)
        text = (generous.text if generous is not None else None) or trafilatura.baseline(html)[1]
    if not text:
        return CleanText(None, "", ()), {}
    found = page or _NO_METADATA
    title = title or normalize_text(found.title or "") or None
    cleaned = _strip_residue(_numbered_lines(text, unwrap=False), title, by_position=False)
    metadata = {
        "url": found.url,
        "site": found.hostname,
        "byline": found.author,
        "published_at": published_time(html) or parse_timestamp(found.date),
        "declared_language": (lang := _HTML_LANG.search(html[:4096])) and lang.group(1),
    }
    return cleaned, metadata


def clean(record: Record) -> Article | Reject:
    """A record's article, or the reason it has none. Never raises for bad content."""
    document = record.document
    declared = record.charset or (declared_charset(record.content) if record.kind == "html" else None)
    try:
        raw = decode_text(record.content, declared)
    except BadInput as error:
        return Reject(document, error.reason, error.detail)
    try:
        if record.kind == "html":
            cleaned, page = extract_html(raw, title=record.title)
        else:
            cleaned, page = clean_scraped_text(raw, title=record.title), {}
    except Exception as error:  # a parser choking on hostile markup must not stop the run
        return Reject(document, EXTRACTION_FAILED, f"{type(error).__name__}: {error}"[:300])
    if not cleaned.text:
        detail = "no article body found in the page" if record.kind == "html" else "nothing but residue lines"
        return Reject(document, NO_TEXT, detail)
    words = count_words(cleaned.text)
    if words < MIN_ARTICLE_WORDS:
        return Reject(document, NO_TEXT, f"only {words} words of text ({cleaned.text[:60]!r}): too short for an article")
    url = record.url or page.get("url")
    return Article(
        document=document,
        text=cleaned.text,
        removed_lines=cleaned.removed,
        line_numbers=cleaned.line_numbers,
        title=record.title or cleaned.title,
        url=url,
        site=registered_domain(url) or registered_domain(record.site) or record.site or page.get("site"),
        byline=record.byline or page.get("byline"),
        published_at=record.published_at or page.get("published_at"),
        fetched_at=record.fetched_at,
        declared_language=language_code(record.declared_language or page.get("declared_language")),
    )


def registered_domain(url_or_host: str | None) -> str | None:
    """`bbc.co.uk` for `https://www.bbc.co.uk/news` (or for `www.bbc.co.uk`)."""
    if not url_or_host:
        return None
    return get_fld(url_or_host, fail_silently=True) or get_fld(f"http://{url_or_host}", fail_silently=True)


def language_code(tag: str | None) -> str | None:
    """`en` for `en-US`, `EN`, `en_GB`; None for anything that is not a language tag."""
    primary = re.split(r"[-_]", tag.strip().lower())[0] if tag else ""
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


_PUBLISHED = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|datePublished|pubdate)["'][^>]*\scontent=["']([^"']+)""",
        r"""<meta[^>]+content=["']([^"']+)["'][^>]*(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|datePublished|pubdate)["']""",
        r'"datePublished"\s*:\s*"([^"]+)"',
    )
]


def published_time(html: str) -> datetime | None:
    """The publication time a page declares (Open Graph, schema.org), as naive UTC.

    trafilatura reports the day only; the declared time orders same-day copies."""
    for pattern in _PUBLISHED:
        found = pattern.search(html)
        if found and (when := parse_timestamp(found.group(1))):
            return when
    return None
