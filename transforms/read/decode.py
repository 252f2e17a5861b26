"""Bytes to text, without guessing silently wrong."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from functools import cache

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from transforms.documents import RejectReason


class BadInput(ValueError):
    """Input that cannot become an article, with the reject reason it earns."""

    def __init__(self, reason: RejectReason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class UndecodableError(BadInput):
    """The bytes are not text in any encoding we can tell."""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def declared_charset(html: bytes) -> str | None:
    """The encoding an HTML page declares in its <meta> tags, if any."""
    found = _META_CHARSET.search(html[:4096])
    return found.group(1).decode("ascii") if found else None


def charset_of_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, if any."""
    found = _HEADER_CHARSET.search(content_type or "")
    return found.group(1) if found else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def repair_surrogates(text: str) -> str:
    """`text` as valid Unicode: a UTF-16 surrogate pair becomes the character it encodes,
    a lone surrogate (half of an emoji a scraper cut in two, a JSON "\\ud83d" escape)
    becomes U+FFFD, as a browser, lxml and ftfy make it. Text without surrogates is
    returned as it is."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def decode_text(content: bytes, declared: str | None = None) -> str:
    """Bytes to text: UTF-8 when it is (also when all but a few stray bytes are, which
    are read as windows-1252); else the `declared` encoding (an HTML page's charset, an
    HTTP header's, its label read as browsers read it), unless the bytes read as garbled
    text in it and noticeably less garbled in the encoding detection finds; else the
    encoding the bytes show. The text holds no lone surrogates.

    Raises UndecodableError for empty input, binary data, or bytes that fit no
    encoding well, rather than returning replacement-character soup.
    """
    if b"\x00" in content[:8192] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableError(RejectReason.BINARY, "NUL bytes: this is binary data, not text")
    text = repair_surrogates(_decode(content, declared))
    if not text.strip():
        raise UndecodableError(RejectReason.EMPTY, "no text: the content is empty or only white space")
    damaged = text.count("\ufffd")
    if damaged >= 5 and damaged >= 0.01 * len(text):
        raise UndecodableError(
            RejectReason.UNDECODABLE,
            f"{damaged} replacement characters (U+FFFD): the text was damaged before it got here",
        )
    return text


# --- which encoding a declared label names ------------------------------------------
#
# The labels of the WHATWG Encoding Standard, which is what browsers honour, each mapped
# to the Python codec that decodes what a browser decodes for it: "iso-8859-1" and
# "us-ascii" are windows-1252, "gb2312" is GBK (read by the gb18030 codec), "euc-kr" is
# windows-949, "shift_jis" is windows-31J. A label outside the standard counts only when
# Python knows it as one of these codecs ("iso8859_1"); anything else a page may name
# ("utf-7", "unicode_escape", "base64", EBCDIC) is no declaration at all, as in a browser.
# UTF-16 and UTF-32 are left out: a page cannot declare them in the 8-bit bytes it is
# read in (browsers ignore that too), and a BOM, which does tell, is read first.
_WHATWG_LABELS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    "iso8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    "iso8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    "iso8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988",
    "iso8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
    "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    "iso8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
    "iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
    "iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "mac-roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
    "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 latin5 "
    "windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949",
}
_CODEC_OF_LABEL = {label: codec for codec, labels in _WHATWG_LABELS.items() for label in labels.split()}


def _python_names() -> dict[str, str]:
    names = {}
    for label, codec in _CODEC_OF_LABEL.items():
        try:
            names.setdefault(codecs.lookup(label).name, codec)
        except LookupError:
            pass
    return names


_CODEC_OF_PYTHON_NAME = _python_names()


def codec_of_charset(label: str | None) -> str | None:
    """The Python codec that reads text declared as `label`, or None when the label
    names no encoding a page can be in (see `_WHATWG_LABELS`)."""
    label = (label or "").strip().lower()
    if not label:
        return None
    if label in _CODEC_OF_LABEL:
        return _CODEC_OF_LABEL[label]
    try:
        return _CODEC_OF_PYTHON_NAME.get(codecs.lookup(label).name)
    except LookupError:
        return None


def _windows_1252_gaps(error: UnicodeDecodeError):
    """The five bytes windows-1252 leaves undefined read as the C1 controls of the same
    number, as browsers read them; any other undecodable byte is still an error."""
    bad = error.object[error.start : error.end]
    if all(byte in b"\x81\x8d\x8f\x90\x9d" for byte in bad):
        return "".join(map(chr, bad)), error.end
    raise error


codecs.register_error("newsmill-windows-1252", _windows_1252_gaps)


def _decode_as(content: bytes, codec: str) -> str | None:
    """`content` in `codec`, or None if the bytes are not text in it."""
    try:
        return content.decode(codec, "newsmill-windows-1252" if codec == "cp1252" else "strict")
    except (UnicodeError, LookupError):
        return None


# --- whether text reads as garbled ----------------------------------------------------

SAMPLE_BYTES = 64 * 1024
# The runs of text between tags that hold a non-ASCII byte: all an encoding changes.
# Markup and ASCII prose read alike in every encoding and would only dilute the evidence.
# '<', '>' and ASCII white space never stand inside a character of an ASCII-compatible
# multi-byte encoding (their trail bytes are 0x40 and up).
_HIGH_BYTES = re.compile(rb"[\x80-\xff]+")
_TAG_EDGE = re.compile(rb"[<>]")
# How much worse the declared encoding must read than the detected one to be overruled:
# correctly declared text scores under 0.07 (short Turkish or French); text decoded in
# the wrong code page well over 0.2.
OVERRULE_MARGIN = 0.1


def _non_ascii_sample(content: bytes) -> bytes:
    """The runs of `content` between tags that hold non-ASCII bytes, joined, up to
    SAMPLE_BYTES."""
    runs, size, end = [], 0, 0
    for high in _HIGH_BYTES.finditer(content):
        if high.start() < end:
            continue  # in the run taken already
        start = max(content.rfind(b"<", end, high.start()), content.rfind(b">", end, high.start()), end - 1) + 1
        edge = _TAG_EDGE.search(content, high.end())
        end = edge.start() if edge else len(content)
        run = content[start:end]
        if size + len(run) > SAMPLE_BYTES:
            cut = SAMPLE_BYTES - size
            # end on a byte below 0x40, which is never the middle of a multi-byte character
            last = max(run.rfind(bytes([b]), 0, cut) for b in b" \n\r\t.,;:!?()0123456789")
            runs.append(run[: last + 1 if last > 0 else cut])
            break
        runs.append(run)
        size += len(run) + 1
    return b" ".join(runs)


_WORD = re.compile(r"\S+")
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "HEBREW", "ARABIC", "THAI", "GEORGIAN")
_EAST_ASIAN = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "HALFWIDTH", "BOPOMOFO")
# Characters that do not stand between two letters of a word in real text: symbols, digits
# other than ASCII ones (superscripts, fractions, Thai digits), punctuation other than ASCII,
# private-use and unassigned code points. Apostrophes, dashes and the Catalan middle dot
# do, and are not among them.
_NOT_INSIDE_WORDS = frozenset({"So", "Sc", "Sm", "Sk", "No", "Nd", "Po", "Co", "Cn"})
_INSIDE_WORDS = frozenset("´`·")


@cache
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith(_EAST_ASIAN):
        return "EAST_ASIAN"
    return next((script for script in _SCRIPTS if name.startswith(script)), "OTHER")


def _kana(char: str) -> bool:
    return "\u3040" <= char <= "\u30ff" or "\uff66" <= char <= "\uff9f"


def _odd_word(word: str) -> bool:
    """A word (a run of non-space characters with a non-ASCII one) of the kind text read
    in the wrong code page is full of and real text hardly has: letters of two alphabets
    ("Dйjа"), an East Asian character inside a Latin word ("Gen鑦e"), a control character,
    a symbol or a foreign digit between letters ("Za¿ó³æ"), a combining mark on no letter,
    a capital after a small letter ("лНЯЙБЮ", windows-1251 read as KOI8-R; ASCII pairs
    such as "iPhone" do not count)."""
    scripts = set()
    for i, char in enumerate(word):
        category = unicodedata.category(char)
        if category == "Cc" or char == "\ufffd":
            return True
        before, after = word[i - 1] if i else "", word[i + 1 : i + 2]
        script = _script(char)
        if script == "EAST_ASIAN":
            # Latin read in a Chinese or Korean code page: ideographs or syllables one at a
            # time in Latin words ("Gen鑦e", "ap鏀"), not in runs; kana between Latin words
            # ("AppleのiPhone") is Japanese.
            neighbours = {_script(before), _script(after)}
            if "LATIN" in neighbours and "EAST_ASIAN" not in neighbours and not _kana(char):
                return True
        elif script:
            scripts.add(script)
            if before.islower() and char.isupper() and not (before + char).isascii():
                return True
        elif category == "Mn":
            if not (before.isalpha() or unicodedata.category(before or " ") == "Mn" or "\ufe00" <= char <= "\ufe0f"):
                return True
        elif category in _NOT_INSIDE_WORDS and not char.isascii() and char not in _INSIDE_WORDS:
            if _script(before) not in (None, "EAST_ASIAN") and _script(after) not in (None, "EAST_ASIAN"):
                return True
    scripts.discard("OTHER")
    return len(scripts) > 1


_CASED_WORD = re.compile(r"[^\W\d_]{2,}")
CAPITALS_MIN_WORDS = 8


def garbling(text: str) -> float:
    """How garbled `text` reads, 0 for clean text: charset_normalizer's mess ratio, plus the
    share of its non-ASCII words that are odd (see `_odd_word`), plus how far more than
    half of its non-ASCII words are in capitals: prose is not, but KOI8-R read as
    windows-1251 (and the other way round) is, the case of every letter swapped."""
    words = [word for word in _WORD.findall(text) if not word.isascii()]
    if not words:
        return 0.0
    cased = [w for w in _CASED_WORD.findall(text) if not w.isascii() and w.lower() != w.upper()]
    capitals = sum(w.isupper() for w in cased) / len(cased) if len(cased) >= CAPITALS_MIN_WORDS else 0.0
    odd = sum(n for word, n in Counter(words).items() if _odd_word(word))
    return mess_ratio(text, maximum_threshold=1.0) + odd / len(words) + max(0.0, capitals - 0.5)


# --- decoding -------------------------------------------------------------------------


def _decode(content: bytes, declared: str | None) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(content)
    if mostly is not None:
        return mostly
    codec = codec_of_charset(declared)
    as_declared = _decode_as(content, codec) if codec and codec != "utf-8" else None
    if as_declared is None:
        return _detect(content)
    sample = _non_ascii_sample(content)
    declared_garbling = garbling(sample.decode(codec, "replace"))
    if declared_garbling < OVERRULE_MARGIN:  # it reads as text: nothing could read it better by enough
        return as_declared
    detected = _detected_codec(sample)
    if (
        detected
        and detected != codec
        and garbling(sample.decode(detected, "replace")) <= declared_garbling - OVERRULE_MARGIN
    ):
        as_detected = _decode_as(content, detected)
        if as_detected is not None:
            return as_detected
    return as_declared


# UTF-8 with a few stray bytes, as a page gets when a template or a script comment in
# windows-1252 is pasted into it: all its other characters read as UTF-8 reads them.
UTF8_MIN_SHARE = 0.9


def _stray_bytes(error: UnicodeDecodeError):
    """A byte that does not fit UTF-8 read as windows-1252 ("M\xe4scot"), a cut sequence
    of several as U+FFFD."""
    bad = error.object[error.start : error.end]
    if len(bad) == 1:
        return _decode_as(bad, "cp1252") or "\ufffd", error.end
    return "\ufffd", error.end


codecs.register_error("newsmill-stray-bytes", _stray_bytes)


def _mostly_utf8(content: bytes) -> str | None:
    """The text, when the bytes are UTF-8 but for a few stray bytes: at least
    UTF8_MIN_SHARE of the non-ASCII characters they read as in UTF-8 are real ones."""
    text = content.decode("utf-8-sig", "replace")
    damaged = text.count("\ufffd") - content.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if damaged <= 0 or non_ascii - damaged < UTF8_MIN_SHARE * non_ascii:
        return None
    return content.decode("utf-8-sig", "newsmill-stray-bytes")


def _detect(content: bytes) -> str:
    """The text in the encoding the bytes show, told from the runs of text that hold
    non-ASCII bytes; from all of them when that encoding does not read the whole content."""
    found = _detected(_non_ascii_sample(content))
    text = _decode_as(content, found[0]) if found else None
    if text is None:
        found = _detected(content)
        if found is None:
            raise UndecodableError(RejectReason.UNDECODABLE, "not UTF-8, and no other encoding fits the bytes")
        text = found[1]
    return text


def _detected_codec(sample: bytes) -> str | None:
    found = _detected(sample)
    return found[0] if found else None


def _detected(content: bytes) -> tuple[str, str] | None:
    """(codec, text) of charset_normalizer's best reading of the bytes, or None when no
    encoding reads them well."""
    matches = from_bytes(content)
    best = matches.best()
    if best is None or best.chaos > 0.3:
        return None
    # cp1252 is by far the most common legacy encoding of Latin-script pages; when it
    # reads the bytes about as well as the winner, the winner is usually a near-twin
    # code page (cp1257, mac_latin2) that turns "déjà" into "déją".
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset
            and match.chaos <= best.chaos + 0.1
            and match.coherence >= best.coherence
        ):
            text = _decode_as(content, "cp1252")
            if text is not None:
                return "cp1252", text
    return best.encoding, str(best)
