"""Place names in French sentences: articles, elisions and contractions, one helper for the whole site.

The COG gives each commune and département its `typeLiaison` (INSEE « TNCC »), which says which article the
name takes and how « de » joins it:

    0  no article, « de » (Limoges)                 5  « l' », « de l' » (L'Isle-Jourdain, Ain)
    1  no article, « d' » (Aureil)                  6  « aux », « des » (Aux Marais)
    2  « le », « du » (Le Vigen, Calvados)           7  « las », « de las »
    3  « la », « de la » (La Boisse, Haute-Vienne)  8  « los », « de los » (Los Masos)
    4  « les », « des » (Les Cars, Landes)

A commune writes its article in its name (« Le Vigen »), a département does not (« Haute-Vienne »): the
article found at the head of a name wins, the code says the rest. When the code is unknown (a row imported
before it was stored, an overseas collectivity the COG leaves without one) it is guessed from the name: its
article, else elision before a vowel.

An EPCI's name begins with its kind (« CC du Val de Vienne », « Communauté urbaine … », « Limoges
Métropole »): `epci_with_article` derives the article from that first word.

    with_article("Haute-Vienne", 3)  → « la Haute-Vienne »
    of("Haute-Vienne", 3)            → « de la Haute-Vienne »
    of("Le Vigen", 2)                → « du Vigen »
    commune_of(commune)              → « de la commune d'Aureil »
    contract("de", "les communes …") → « des communes … »

Pure functions, no ORM: `commune` and `departement` are any object with `name` and `type_liaison`.
"""

import re

# TNCC → (article, « de » + article)
_LINKS: dict[int, tuple[str, str]] = {
    0: ("", "de "),
    1: ("", "d'"),
    2: ("le ", "du "),
    3: ("la ", "de la "),
    4: ("les ", "des "),
    5: ("l'", "de l'"),
    6: ("aux ", "des "),
    7: ("las ", "de las "),
    8: ("los ", "de los "),
}
# An article written at the head of a name, and the TNCC it stands for.
_NAME_ARTICLE = re.compile(r"^(L['’]|Le |La |Les |Aux |Las |Los )(?=\S)")
_ARTICLE_CODES = {"l'": 5, "l’": 5, "le ": 2, "la ": 3, "les ": 4, "aux ": 6, "las ": 7, "los ": 8}
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒÆ")

# The first word of an EPCI's name → its article (anything else is a proper name, without article:
# « Limoges Métropole », « Brest Métropole »).
_EPCI_ARTICLES = {
    "cc": "la ",
    "ca": "la ",
    "cu": "la ",
    "communauté": "la ",
    "métropole": "la ",
    "metropole": "la ",
    "eurométropole": "l'",
    "agglomération": "l'",
    "syndicat": "le ",
    "pays": "le ",
    "pôle": "le ",
    "pole": "le ",
    "établissement": "l'",
}


def _clean(name) -> str:
    return " ".join(str(name or "").split())


def starts_with_vowel(text: str) -> bool:
    """True when « de » and « le » elide before the text (a vowel; « h » is left alone: aspiré or not, the
    COG code says it, a guess does not)."""
    return bool(text) and text[0] in _VOWELS


def split(name, tncc=None) -> tuple[int, str]:
    """(TNCC, the name without its article): the name's own article wins, then the code, then a guess."""
    name = _clean(name)
    match = _NAME_ARTICLE.match(name)
    if match:
        return _ARTICLE_CODES[match.group(1).lower()], name[match.end() :]
    if isinstance(tncc, int) and not isinstance(tncc, bool) and tncc in _LINKS:
        if tncc == 1 and not starts_with_vowel(name) and name[:1].lower() != "h":
            tncc = 0
        elif tncc == 0 and starts_with_vowel(name):
            tncc = 1
        return tncc, name
    return (1 if starts_with_vowel(name) else 0), name


def with_article(name, tncc=None, *, capital: bool = False) -> str:
    """The name with its article, lower-case as in a sentence: « la Haute-Vienne », « le Vigen »,
    « Aureil »; `capital` for the head of a sentence (« La Haute-Vienne »)."""
    code, bare = split(name, tncc)
    text = _LINKS[code][0] + bare
    return _capitalize(text) if capital else text


def of(name, tncc=None) -> str:
    """« de » and the name: « de Limoges », « d'Aureil », « du Vigen », « de la Haute-Vienne », « des Cars »,
    « de l'Isle-Jourdain »."""
    code, bare = split(name, tncc)
    return _LINKS[code][1] + bare


def to(name, tncc=None) -> str:
    """« à » and the name: « à Limoges », « au Vigen », « à la Boisse », « aux Cars »."""
    return contract("à", with_article(name, tncc))


def contract(preposition: str, phrase: str) -> str:
    """The preposition « de » or « à » joined to a phrase that may begin with an article or a vowel:
    « de » + « les communes » → « des communes », « de » + « le Vigen » → « du Vigen », « à » + « les
    Cars » → « aux Cars », « de » + « Aureil » → « d'Aureil ». Another preposition is joined by a space."""
    phrase = _clean(phrase)
    word = preposition.strip()
    lower = word.lower()
    if not phrase:
        return word
    if lower not in ("de", "à"):
        return f"{word} {phrase}"
    head = phrase.split(" ", 1)
    first, rest = head[0], (head[1] if len(head) > 1 else "")
    contractions = {
        ("de", "le"): "du",
        ("de", "les"): "des",
        ("de", "aux"): "des",
        ("à", "le"): "au",
        ("à", "les"): "aux",
        ("à", "aux"): "aux",
    }
    joined = contractions.get((lower, first.lower())) if rest else None
    if joined:
        return f"{_same_case(word, joined)} {rest}"
    if lower == "de" and starts_with_vowel(phrase) and not _NAME_ARTICLE.match(phrase):
        return f"{_same_case(word, 'd')}'{phrase}"
    # « de » + « La Boisse »: the article of a name is lower-case in the sentence.
    return f"{word} {contract_name(phrase)}"


def contract_name(phrase: str) -> str:
    """A phrase that begins with a name's own article, the article lower-cased: « La Boisse » → « la
    Boisse »; « Les Cars » → « les Cars »."""
    match = _NAME_ARTICLE.match(phrase)
    if not match:
        return phrase
    return match.group(1).lower().replace("’", "'") + phrase[match.end() :]


def _same_case(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- territories ------------------------------------------------------------------------------------


def commune_label(commune, *, capital: bool = False) -> str:
    """« la commune d'Aureil », « la commune du Vigen »."""
    text = "la commune " + of(commune.name, getattr(commune, "type_liaison", None))
    return _capitalize(text) if capital else text


def commune_of(commune) -> str:
    """« de la commune d'Aureil »."""
    return "de " + commune_label(commune)


def commune_organisation_name(commune) -> str:
    """The name of a commune as an organisation: « Commune d'Aureil », « Commune du Vigen »."""
    return "Commune " + of(commune.name, getattr(commune, "type_liaison", None))


def departement_of(departement) -> str:
    """« de la Haute-Vienne », « du Calvados », « de l'Ain »."""
    return of(departement.name, getattr(departement, "type_liaison", None))


def departement_council_name(departement) -> str:
    """« Conseil départemental de la Haute-Vienne »."""
    return "Conseil départemental " + departement_of(departement)


def communes_of(names) -> str:
    """« de la commune d'Aureil » for one name, « des communes d'Aureil, du Vigen et des Cars » for several;
    `names` are (name, tncc) pairs or objects with `name` and `type_liaison`."""
    pairs = [_pair(item) for item in names]
    if len(pairs) == 1:
        return "de la commune " + of(*pairs[0])
    return "des communes " + _names_of(pairs)


def communes_label(names) -> str:
    """« la commune d'Aureil » or « les communes d'Aureil, du Vigen et des Cars »."""
    pairs = [_pair(item) for item in names]
    if len(pairs) == 1:
        return "la commune " + of(*pairs[0])
    return "les communes " + _names_of(pairs)


def _names_of(pairs) -> str:
    """« de Limoges, Panazol et Feytiat » when every name takes a plain « de »; else each its own:
    « d'Aureil, du Vigen et de Limoges »."""
    split_names = [split(name, tncc) for name, tncc in pairs]
    if all(code == 0 for code, _ in split_names):
        return "de " + join_fr([bare for _, bare in split_names])
    return join_fr([of(name, tncc) for name, tncc in pairs])


def _pair(item) -> tuple[str, int | None]:
    if isinstance(item, tuple | list):
        return item[0], item[1]
    if isinstance(item, str):
        return item, None
    return item.name, getattr(item, "type_liaison", None)


def join_fr(items) -> str:
    """["a", "b", "c"] → « a, b et c »."""
    items = [str(i) for i in items if str(i)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def epci_article(name, nature: str = "") -> str:
    """The article of an EPCI's name, from its first word: « la » (« CC … », « Communauté … »,
    « Métropole … »), « l' » (« Eurométropole … »), none for a proper name (« Limoges Métropole »)."""
    name = _clean(name)
    first = name.split(" ", 1)[0].lower() if name else ""
    return _EPCI_ARTICLES.get(first, "")


def epci_with_article(name, nature: str = "", *, capital: bool = False) -> str:
    """« la CC du Val de Vienne », « l'Eurométropole de Strasbourg », « Limoges Métropole »."""
    name = _clean(name)
    text = epci_article(name, nature) + name
    return _capitalize(text) if capital else text


def epci_of(name, nature: str = "") -> str:
    """« de la CC du Val de Vienne », « de l'Eurométropole de Strasbourg », « de Limoges Métropole »."""
    return contract("de", epci_with_article(name, nature))


# The first words of the masculine organisation names (« le Conseil départemental … »); any other name is
# taken as feminine: « la CAF », « la Commune », « la Communauté de communes », « la Métropole ».
_MASCULINE = {
    "conseil",
    "département",
    "departement",
    "syndicat",
    "centre",
    "ccas",
    "cias",
    "pays",
    "pôle",
    "pole",
    "établissement",
    "office",
    "groupement",
    "comité",
    "service",
    "gip",
    "sivom",
    "sivu",
}


def is_masculine(name) -> bool:
    """True when an organisation's name begins with a masculine noun (« Conseil départemental … »)."""
    words = _clean(name).split(" ", 1)
    return bool(words[0]) and words[0].lower() in _MASCULINE


def agree(name, participle: str) -> str:
    """The past participle agreeing with an organisation's name: « représenté » for « Conseil
    départemental … », « représentée » for « CAF du Tarn » or « Commune d'Aureil »."""
    return participle if is_masculine(name) else participle + "e"


# The first word of an organisation's name → its article: « la CAF du Tarn », « le Conseil départemental … »,
# « l'Association … »; a proper name (« Limoges Métropole », « Enfance & Co ») takes none.
_ORGANISATION_ARTICLES = {
    **_EPCI_ARTICLES,
    "caf": "la ",
    "msa": "la ",
    "commune": "la ",
    "mairie": "la ",
    "ville": "la ",
    "conseil": "le ",
    "département": "le ",
    "departement": "le ",
    "centre": "le ",
    "ccas": "le ",
    "cias": "le ",
    "mission": "la ",
    "maison": "la ",
    "fédération": "la ",
    "federation": "la ",
    "région": "la ",
    "region": "la ",
    "préfecture": "la ",
    "association": "l'",
    "office": "l'",
    "union": "l'",
    "udaf": "l'",
    "agence": "l'",
}


def organisation_with_article(name) -> str:
    """« la CAF du Tarn », « le Conseil départemental de la Haute-Vienne », « l'Association … »,
    « Limoges Métropole »."""
    name = _clean(name)
    first = name.split(" ", 1)[0].lower() if name else ""
    return _ORGANISATION_ARTICLES.get(first, "") + name


def organisation_of(name) -> str:
    """« de la CAF du Tarn », « du Conseil départemental du Tarn », « de l'Association … », « de Limoges
    Métropole », « d'Enfance & Co »."""
    return contract("de", organisation_with_article(name))


# The first word of a governance body's name → its article: « le COPIL », « l'Atelier parentalité ».
_BODY_ARTICLES = {
    "copil": "le ",
    "cotech": "le ",
    "comité": "le ",
    "comite": "le ",
    "groupe": "le ",
    "bureau": "le ",
    "séminaire": "le ",
    "forum": "le ",
    "atelier": "l'",
    "instance": "l'",
    "assemblée": "l'",
    "commission": "la ",
    "conférence": "la ",
    "réunion": "la ",
    "cellule": "la ",
    "plénière": "la ",
}


def body_of(name) -> str:
    """« de » and a governance body's name: « du COPIL », « de l'Atelier parentalité », « de la Commission
    enfance »; a name whose first word is unknown is joined as it is (« de Trio », « d'Ensemble »)."""
    name = _clean(name)
    first = name.split(" ", 1)[0].lower() if name else ""
    return contract("de", _BODY_ARTICLES.get(first, "") + name)
