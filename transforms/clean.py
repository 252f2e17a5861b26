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

from transforms.documents import Article, Record, Reject, RejectReason, count_words
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

# Rows of a table that is part of the article: results, standings, leaderboards,
# scorecards, market and election tables ("Harbour City 24 Vale Rovers 18", "8. Mara Lind
# (Sweden) 4:02.117", "Ipswich 19 10 5 4 31 20 35"). A row has a value (a score, time,
# points, a price) and a capitalised name; residue with digits does not count as a row:
# dates and clock times (archive lists, bylines), "3 hours ago", "5 min read", counts of
# comments, likes and pages, "(12)", copyright years, sign-offs with phone numbers, links.
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août"
    r"|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre"
    r"|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    r"|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|januari|februari|maart"
    r"|mei|augustus)\.?"
)
_NOT_A_ROW = re.compile(
    rf"""\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b | \b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_MONTH}(?:[\s,]|$)
    | \b\d{{1,4}}[./]\d{{1,2}}[./]\d{{2,4}}\b | \b(?:19|20)\d\d-\d\d-\d\d\b | \b\d{{1,2}}-\d{{1,2}}-(?:19|20)\d\d\b
    | \b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?,?\s+\d
    | \d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\b|uhr\b|h\b|bst\b|gmt\b|utc\b|cet\b|cest\b|(?-i:[A-Z][SD]T\b)) | \b\d{{1,2}}h\d{{2}}\b
    | \b\d+(?:h|hrs?|d|w|mo|yrs?|mins?)\b | \bmin(?:s|utes?)?\ read\b | \bago\b | \byesterday\b
    | \b(?:likes?|recommends?|repl(?:y|ies)|comments?|articles|stories|posts|videos|photos|views?|followers?
        |retweets?|reactions?|responses?|upvotes?|lesezeit|leitura|lectura)\b | (?-i:\bread\b)
    | \b(?:watch|video|listen|podcast|episode|gallery|odds|bet|tel|phone|fax|e-?mail|registered|vat|issn)\b
    | \b(?:facebook|twitter|whatsapp|linkedin|pinterest|reddit|telegram|messenger|instagram|youtube|tiktok
        |flipboard|bluesky|threads|mastodon)\b
    | \bpages?\ \d+\b | \bof\ \d+\ pages?\b | \b(?:next|previous|prev|older|newer)\b
    | [·•›»©|@] | \(\d+\)$ | ^(?:--|—|–) | https?:// | www\. | \.(?:com|org|net|co\.uk)\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Heads of lists of other stories: a block of rows under one is a list of links with
# scores in their headlines ("Ireland thrash Gibraltar 5-0"), not the article's table.
_TEASER_HEAD = re.compile(
    r"""^(?:related|recommended|more\b|most\ (?:read|popular|viewed|shared|watched)|popular|trending|latest
    |top\ stories|(?:read|see)\ (?:more|also|next)|you\ (?:may|might)\ also|also\ (?:read|on)|what\ to\ read
    |in\ other\ news|elsewhere|editor'?s\ picks|don'?t\ miss|further\ reading|in\ case\ you\ missed
    |lees\ ook|meest\ gelezen|lire\ aussi|à\ lire|les\ plus\ lus|leer\ más|lo\ más\ leído|leia\ também|mais\ lidas
    |leggi\ anche|i\ più\ letti|mehr\ zum\ thema|auch\ interessant|meistgelesen)""",
    re.IGNORECASE | re.VERBOSE,
)
_COPYRIGHT = re.compile(
    r"©|\(c\)|\bcopyright\b|rights reserved|rechte vorbehalten|droits réservés|derechos reservados|diritti riservati",
    re.IGNORECASE,
)
_TABLE_VALUE = re.compile(
    r"^[-+±$£€¥▲▼]?\d[\d.,:/=+\-–½¼¾]*%?$|^\d+(?:st|nd|rd|th)$|^[a-z]{1,2}-\d+$|^\d+(?:[-–]\d+)+[a-z]?$"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PHONE_LIKE = re.compile(r"^0\d{3,}$|^\d{6,}$")  # "01942", "123456": phone and company numbers, not scores
_RANK = re.compile(r"^\d{1,3}[.)=]$")  # "1.", "2)", "6=": a place in a list, not a value
_SENTENCE_TAIL = re.compile(r"[^\W\d][\"'”’)]*[.!?]$")  # "...two games." but not "15-10."
_CELL_EDGES = "\"'“”‘’«»()[]{}<>,;:!?*#~"

TITLE_MAX_WORDS = 25
PROMPT_MAX_WORDS = 12
MIN_ARTICLE_WORDS = 10  # fewer is a fragment (a menu, a caption), not an article
RESIDUE_MAX_WORDS = 15
FURNITURE_MAX_WORDS = 60
PROSE_MIN_WORDS = 8  # with sentence punctuation at the end; 15 without
SUBHEAD_MAX_WORDS = 8
WRAP_MIN_WIDTH, WRAP_MAX_WIDTH = 50, 110  # the widths text dumps wrap at  # residue lines are short; a long line that starts like one is a sentence
TABLE_MIN_ROWS = 3  # a block of fewer rows is not told apart from residue
TABLE_MAX_GAP = 3  # section heads, wrapped names and scores between two rows of one table
TABLE_CELL_MAX_WORDS = 12  # a longer line between rows is text, not a head of a table section


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
    Other short lines inside it are buttons, captions and lists of links. A table inside
    it, right after it, or right before a note that is all the prose there is (results,
    standings, leaderboards, scorecards: rows of names and scores) belongs to it, however
    short its rows, even a list of names a leaderboard wraps onto the next line.

    Text that trafilatura took from a page is the article already: there, position and
    shape would only cost real lines (standfirsts, results tables, recipe ingredients),
    so only what lines say counts (`by_position=False`).
    """
    texts = [line for _, line in lines]
    phrase = [residue_reason(line, title) for line in texts]
    prose = [reason is None and _is_prose(line) for line, reason in zip(texts, phrase)]
    reasons = list(phrase)
    if by_position:
        table = _table_lines(texts, phrase)
        reasons = [None if table[i] and reason == "tag_list" else reason for i, reason in enumerate(reasons)]
    if by_position and any(prose):
        first, last = prose.index(True), len(prose) - 1 - prose[::-1].index(True)
        skipped = 0  # residue lines since the last line of the article
        for j in range(last + 1, len(texts)):  # closing sentences, lists and tables: "The trial continues."
            if table[j] and skipped <= 1:  # a table after an "Advertisement" still, not after a footer
                last, skipped = j, 0
            elif reasons[j]:
                skipped += 1 + bool(_COPYRIGHT.search(texts[j]))
            else:
                if not (_is_sentence(texts[j]) or (_BULLET.match(texts[j]) and not _LABEL_SHAPE.search(texts[j]))):
                    break
                last, skipped = j, 0
        start = first
        while start > 0 and table[start - 1]:
            start -= 1
        # A table right before the first paragraph is the page, when that is a note on it
        # ("Note - both teams played twice."); before an article it is a ticker.
        if sum(count_words(line) for line in texts[start:first]) >= sum(
                count_words(line) for line, is_prose in zip(texts, prose) if is_prose):
            first = start
        for i, line in enumerate(texts):
            if reasons[i] or prose[i]:
                continue
            if i < first or i > last:
                reasons[i] = "outside_article"
            elif not table[i] and not _stays_inside_article(texts, prose, phrase, i):
                reasons[i] = "label" if _LABEL_SHAPE.search(line) else "short_line"
    kept = [(n, line) for (n, line), reason in zip(lines, reasons) if not reason]
    removed = tuple((n, line, reason) for (n, line), reason in zip(lines, reasons) if reason)
    return CleanText(title, "\n".join(line for _, line in kept), removed, tuple(n for n, _ in kept))


def _table_cells(line: str) -> tuple[int, int, int] | None:
    """(values, capitalised words, lowercase words) of a line that may be a table row or
    a head in a table, or None when it is shaped like residue or ends like a sentence."""
    if (_NOT_A_ROW.search(line) or _LABEL_START.match(line) or _CREDIT.search(line) or _SENTENCE_TAIL.search(line)
            or _is_teaser_head(line)):
        return None
    values = names = lowercase = tail = 0  # tail: ordinary words after the last value
    separated = False  # a colon or a dash after the last value: "Dale 8 Rovers 40: visitors run riot"
    for k, token in enumerate(line.split()):
        cell = token.strip(_CELL_EDGES)
        if not any(c.isalnum() for c in cell) or (k == 0 and _RANK.match(cell)):
            separated = separated or (values > 0 and token in ("-", "–", "—"))
            continue
        if any(c.isdigit() for c in cell):
            number = cell.rstrip(".")
            if _TABLE_VALUE.match(number) and not _YEAR.match(number) and not _PHONE_LIKE.match(number):
                values, tail, separated = values + 1, 0, token.endswith(":")
            elif cell[0].isupper():  # "M1", "F1"
                names += 1
        elif cell[0].isupper():
            names += 1
        elif cell[0].isalpha():
            lowercase, tail = lowercase + 1, tail + 1
    if values and (tail >= 3 or (tail >= 2 and separated)):  # a headline with a score, not "K. Osei 80 not out"
        return None
    return values, names, lowercase


def _is_table_row(line: str) -> bool:
    """A value, a name, and hardly more ordinary words than names and values: a row, not
    a headline that has a number in it ("5. Property tax bills to rise 3.8 per cent")."""
    cells = _table_cells(line)
    return bool(cells) and cells[0] >= 1 and cells[1] >= 1 and cells[2] <= cells[0] + cells[1]


def _is_table_cell(line: str) -> bool:
    """A line that a table can hold between or before its rows: a section head ("Men's
    singles, second round", "W D L PCT GB"), a wrapped name or score ("6-2")."""
    return count_words(line) <= TABLE_CELL_MAX_WORDS and _table_cells(line) is not None


def _is_teaser_head(line: str) -> bool:
    """"Related", "Most read", "More from Sport": the head of a list of other stories."""
    head = line.strip(_PUNCT_EDGES)
    return count_words(line) <= 6 and not _SENTENCE_TAIL.search(line) and bool(_TEASER_HEAD.match(head))


def _wraps(line: str, following: str) -> bool:
    """`following` continues a row of a table wrapped at a fixed width: a score on its own
    ("6-0 6-2"), or more of a list of names ("66 Ann Berg, Tom Hale, Jo" and
    "Reyes, Sam Park")."""
    cells = _table_cells(following)
    if cells is not None and cells[1:] == (0, 0):
        return True
    return line.endswith(",") or (line.count(",") >= 2 and line.split()[-1][:1].isupper() and "," in following)


def _table_lines(texts: list[str], phrase: list) -> list[bool]:
    """Which lines belong to a table: a block of at least TABLE_MIN_ROWS rows (or of any
    number, right after a line of text that announces it with a colon), with at most
    TABLE_MAX_GAP other short lines between two rows (heads, wrapped cells), the heads just
    before its first row, and the wrapped cells after its last ("6-0 6-2", a list of names
    after a line that ends with a comma). Residue by wording (other than a list of names,
    which a leaderboard is too) stays residue and does not break a block."""
    residue = [bool(reason) and reason != "tag_list" for reason in phrase]
    order = [i for i in range(len(texts)) if not residue[i]]
    row = {i: _is_table_row(texts[i]) for i in order}
    cell = {i: row[i] or _is_table_cell(texts[i]) for i in order}
    table = [False] * len(texts)
    k = 0
    while k < len(order):
        if not row[order[k]]:
            k += 1
            continue
        start = end = k  # positions in `order` of the block's first and last row
        rows, gap = 1, 0
        m = k + 1
        while m < len(order) and cell[order[m]]:
            if row[order[m]]:
                end, rows, gap = m, rows + 1, 0
            else:
                gap += 1
                if gap > TABLE_MAX_GAP:
                    break
            m += 1
        introduced = k > 0 and texts[order[k - 1]].endswith(":") and count_words(texts[order[k - 1]]) >= 4
        if rows >= TABLE_MIN_ROWS or introduced:  # "Result of the semifinal on Saturday:" and one row
            while start > 0 and k - start < TABLE_MAX_GAP and cell[order[start - 1]]:
                start -= 1
            j = order[start] - 1  # the line above it, over residue such as "Advertisement"
            while j >= 0 and residue[j] and not _is_teaser_head(texts[j]):
                j -= 1
            if j >= 0 and _is_teaser_head(texts[j]):
                k = end + 1
                continue
            while end + 1 < len(order) and cell[order[end + 1]] and _wraps(texts[order[end]], texts[order[end + 1]]):
                end += 1
            for position in range(start, end + 1):
                table[order[position]] = True
        k = end + 1
    return table


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
        return Reject(document, RejectReason.EXTRACTION_FAILED, f"{type(error).__name__}: {error}"[:300])
    if not cleaned.text:
        detail = "no article body found in the page" if record.kind == "html" else "nothing but residue lines"
        return Reject(document, RejectReason.NO_TEXT, detail)
    words = count_words(cleaned.text)
    if words < MIN_ARTICLE_WORDS:
        return Reject(document, RejectReason.NO_TEXT, f"only {words} words of text ({cleaned.text[:60]!r}): too short for an article")
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
