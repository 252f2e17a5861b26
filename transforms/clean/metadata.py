"""A record's site and language, written as the warehouse groups them."""

from __future__ import annotations

import re

from tld import get_fld


def registered_domain(url_or_host: str | None) -> str | None:
    """`bbc.co.uk` for `https://www.bbc.co.uk/news` (or for `www.bbc.co.uk`)."""
    if not url_or_host:
        return None
    return get_fld(url_or_host, fail_silently=True) or get_fld(f"http://{url_or_host}", fail_silently=True)


def language_code(tag: str | None) -> str | None:
    """`en` for `en-US`, `EN`, `en_GB`; None for anything that is not a language tag."""
    primary = re.split(r"[-_]", tag.strip().lower())[0] if tag else ""
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None
