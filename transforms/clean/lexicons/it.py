"""Italian."""

from transforms.clean.lexicon import Lexicon

RIGHTS_RESERVED = "diritti riservati"

ITALIAN = Lexicon(
    language="it",
    residue_lines=(
        "condividi",
        "pubblicità",
        "lascia un commento",
        "leggi anche.*",
        "fonte:.*",
        f"tutti i {RIGHTS_RESERVED}.*",
    ),
    prompt_words=("newsletter",),
    furniture=("privacy policy",),
    bylines=("di",),
    label_bylines=("di",),
    published=("pubblicato",),
    reading_time=("{n} minuti",),
    captions=("foto",),
    caption_labels=("foto",),
    credits=("foto",),
    months=(
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    not_row_words=("video", "podcast"),
    teaser_heads=("leggi anche", "i più letti"),
    rights_reserved=(RIGHTS_RESERVED,),
)
