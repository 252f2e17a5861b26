"""Dutch."""

from transforms.clean.lexicon import Lexicon

DUTCH = Lexicon(
    language="nl",
    residue_lines=(
        "delen",
        "deel dit artikel",
        "advertentie",
        "lees (?:ook|meer).*",
        r"reacties?(?: \(\d+\))?",
        "meer nieuws.*",
    ),
    prompt_words=(r"abonn\w*",),
    furniture=("privacy policy",),
    bylines=("door",),
    label_bylines=("door",),
    published=("gepubliceerd", "bijgewerkt"),
    reading_time=("{n} minuten",),
    captions=("foto",),
    caption_labels=("foto",),
    credits=("foto",),
    months=(
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    not_row_words=("video", "podcast"),
    teaser_heads=("lees ook", "meest gelezen"),
    rights_reserved=("rechten voorbehouden",),
)
