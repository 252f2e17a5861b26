"""English."""

from transforms.clean.lexicon import Lexicon

RIGHTS_RESERVED = "rights reserved"

ENGLISH = Lexicon(
    language="en",
    residue_lines=(
        r"share(?: (?:this|the) (?:article|story|post|page))?(?: on \w+)?",
        r"(?:leave|post|write) an? (?:reply|comment)s?",
        r"\d* ?comments?",
        r"(?:previous|next|prev) (?:post|article|story)(?: (?:previous|next) (?:post|article|story))?",
        "source link", "source:.*", "via:.*",
        "advertisement", "advertising", "ad", "sponsored(?: content)?", "promoted",
        "(?:related|recommended|more)(?: (?:articles|posts|stories|news|content|reading))?(?::.*)?",
        "you (?:may|might) also (?:like|be interested in).*",
        "(?:read|see|show|load) (?:more|next|also|full (?:article|story)).*",
        "continue reading.*", "click here.*", "tap here.*",
        "exit mobile version", "skip to (?:main )?content", "back to top", "enter your e-?mail(?: address)?",
        "(?:log|sign) ?in", "(?:log|sign) ?out", "menu", "search", "home",
        "tags?:.*", "topics?:.*", "filed under:?.*",
        "follow us(?: on)?.*", "like us on.*",
        f".*all {RIGHTS_RESERVED}.*",
        r"by \w+(?: \w+){0,3} [-–|•] .*\d{1,2}:\d{2}.*",  # a byline with the time of posting
        "admin(?:istrator)?", "editorial (?:team|staff)", "staff (?:writer|reporter)",
    ),
    prompt_words=(r"subscri\w*", "newsletter", "banner", "cookies?", "sign up", "log in", "download (?:our|the) app"),
    furniture=(
        "(?:we|this (?:web)?site) uses? cookies", "by continuing to (?:browse|use)", "in your inbox",
        r"(?:sign up|subscribe|register)\b.{0,60}\b(?:newsletter|inbox|access|a week|a month|for free)",
        r"download (?:the|our)\b.{0,40}\bapp", "email address will not be published", "required fields are marked",
        "next time i comment", "logged in to (?:post a )?comment", "terms of (?:use|service)",
        "does not constitute (?:investment|financial|legal) advice", "privacy policy", f"all {RIGHTS_RESERVED}",
        # an author's bio: "Morag Innes is a senior reporter covering ..."
        r"(?-i:^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}) (?:is|was) .{0,60}"
        r"\b(?:reporter|editor|correspondent|writer|journalist|columnist|contributor)\b",
    ),
    bylines=("by", "words by", "written by"),
    label_bylines=("by", "words by", "written by", "text:?"),
    published=("published", "updated", "last updated"),
    reading_time=("{n} min", "{n} mins", "{n} minute", "{n} minutes"),
    captions=("photo", "image", "photograph", "picture", "credit", "media caption", "image caption"),
    caption_labels=("photo", "image", "photograph", "picture", "credit", "media caption", "image caption"),
    credits=("image", "photo", "picture", "credit"),
    months=(
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ),
    not_row_words=(
        "likes?", "recommends?", "repl(?:y|ies)", "comments?", "articles", "stories", "posts", "videos", "photos",
        "views?", "followers?", "retweets?", "reactions?", "responses?", "upvotes?", "(?-i:read)",
        r"min(?:s|utes?)? read", r"\d+(?:h|hrs?|d|w|mo|yrs?|mins?)", "ago", "yesterday",
        "watch", "video", "listen", "podcast", "episode", "gallery", "odds", "bet",
        "tel", "phone", "fax", "e-?mail", "registered", "vat", "issn",
        r"pages? \d+", r"of \d+ pages?", "next", "previous", "prev", "older", "newer",
    ),
    teaser_heads=(
        "related", "recommended", r"more\b", "most (?:read|popular|viewed|shared|watched)", "popular", "trending",
        "latest", "top stories", "(?:read|see) (?:more|also|next)", "you (?:may|might) also", "also (?:read|on)",
        "what to read", "in other news", "elsewhere", "editor'?s picks", "don'?t miss", "further reading",
        "in case you missed",
    ),
    rights_reserved=(RIGHTS_RESERVED,),
)
