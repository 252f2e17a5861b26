"""Portuguese."""

from transforms.clean.lexicon import Lexicon

PORTUGUESE = Lexicon(
    language="pt",
    residue_lines=(
        "compartilhar",
        "publicidade",
        "deixe um comentário",
        "leia (?:mais|também).*",
        "fonte:.*",
    ),
    prompt_words=(r"inscri\w*",),
    furniture=("utilizamos cookies", "assine já"),
    bylines=("por",),
    label_bylines=("por", "de"),
    published=("publicado", "atualizado"),
    reading_time=("{n} minutos", "leitura"),
    captions=("foto",),
    caption_labels=("foto",),
    credits=("foto",),
    months=(
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    not_row_words=("leitura",),
    teaser_heads=("leia também", "mais lidas"),
    rights_reserved=("direitos reservados",),
)
