"""Spanish."""

from transforms.clean.lexicon import Lexicon

RIGHTS_RESERVED = "derechos reservados"

SPANISH = Lexicon(
    language="es",
    residue_lines=(
        "compartir",
        "publicidad",
        "deja (?:un|tu) comentario",
        "leer más.*",
        "fuente:.*",
        "suscríbete.*",
        f"todos los {RIGHTS_RESERVED}.*",
    ),
    prompt_words=(r"suscri\w*", r"inscri\w*"),
    furniture=("utilizamos cookies", "suscríbete"),
    bylines=("por",),
    label_bylines=("por", "de"),
    published=("publicado",),
    reading_time=("{n} minutos",),
    captions=("foto",),
    caption_labels=("foto",),
    credits=("foto",),
    months=(
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    not_row_words=("lectura", "video"),
    teaser_heads=("leer más", "lo más leído"),
    rights_reserved=(RIGHTS_RESERVED,),
)
