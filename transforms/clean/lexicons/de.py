"""German."""

from transforms.clean.lexicon import Lexicon

RIGHTS_RESERVED = "rechte vorbehalten"

GERMAN = Lexicon(
    language="de",
    residue_lines=(
        "teilen",
        "(?:jetzt )?kommentar(?:e| schreiben| hinterlassen)?",
        "quelle:.*",
        "anzeige",
        "werbung",
        "weiterlesen",
        "mehr zum thema.*",
        "auch interessant.*",
        "newsletter abonnieren.*",
        f"alle {RIGHTS_RESERVED}.*",
    ),
    prompt_words=(r"abonn\w*", "anmelden"),
    furniture=("wir verwenden cookies", "in ihrem postfach"),
    bylines=("von",),
    label_bylines=("von", "text:?"),
    published=("aktualisiert", "veröffentlicht"),
    reading_time=("{n} minuten", "lesezeit"),
    captions=("foto",),
    caption_labels=("foto", "bild"),
    credits=("foto",),
    months=(
        "januar",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ),
    not_row_words=("lesezeit",),
    teaser_heads=("mehr zum thema", "auch interessant", "meistgelesen"),
    rights_reserved=(RIGHTS_RESERVED,),
)
