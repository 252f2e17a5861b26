"""French."""

from transforms.clean.lexicon import Lexicon

RIGHTS_RESERVED = "droits réservés"

FRENCH = Lexicon(
    language="fr",
    residue_lines=(
        "partager",
        "publicité",
        "laisser un commentaire",
        "lire (?:aussi|la suite|plus).*",
        "à lire aussi.*",
        "abonnez-vous.*",
        f"tous {RIGHTS_RESERVED}.*",
    ),
    prompt_words=(r"abonn\w*", r"inscri\w*"),
    furniture=("nous utilisons des cookies", "abonnez-vous", "recevez chaque"),
    bylines=("par",),
    label_bylines=("par", "de"),
    published=("publié",),
    reading_time=("{n} minutes", "temps de lecture"),
    captions=("photo",),
    caption_labels=("photo", "crédit"),
    credits=("photo",),
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    not_row_words=("photos", "podcast"),
    teaser_heads=("lire aussi", "à lire", "les plus lus"),
    rights_reserved=(RIGHTS_RESERVED,),
)
