"""The national default model of convention: the articles used when a CAF has not written its own model.

Each article has a stable key (kept when a CAF edits its copy), a title and a text with placeholders
(`ctg.documents.placeholders`). In a text, each line is a paragraph; a line starting with « - » is an item of
a list.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultArticle:
    key: str
    title: str
    body: str


ARTICLES: tuple[DefaultArticle, ...] = (
    DefaultArticle(
        "preambule",
        "Préambule",
        "Les caisses d'allocations familiales (CAF) mettent en œuvre la politique familiale et sociale de la "
        "branche Famille de la Sécurité sociale. Dans le cadre de la convention d'objectifs et de gestion "
        "signée avec l'État, elles proposent aux collectivités une convention territoriale globale (CTG), "
        "démarche partenariale qui vise à élaborer un projet social de territoire partagé et à en "
        "coordonner la mise en œuvre.\n"
        "Fondée sur un diagnostic partagé des besoins de la population, la CTG permet de définir les "
        "priorités d'intervention, d'optimiser l'offre de services existante et de développer des actions "
        "nouvelles au bénéfice des familles et des habitants de {{ territoire.type }}.\n"
        "La présente convention s'inscrit dans cette démarche pour la période {{ periode }}.",
    ),
    DefaultArticle(
        "objet",
        "Article 1 — Objet de la convention",
        "La présente convention a pour objet de définir le projet social de territoire de "
        "{{ territoire.type }} et les modalités de partenariat entre les signataires pour sa mise en œuvre.\n"
        "Elle vise à :\n"
        "- identifier les besoins prioritaires du territoire à partir du diagnostic partagé ;\n"
        "- définir les champs d'intervention et les actions à conduire ;\n"
        "- pérenniser et optimiser l'offre de services existante par une meilleure coordination des "
        "acteurs ;\n"
        "- développer des actions nouvelles répondant aux besoins non couverts.\n"
        "Le diagnostic, les enjeux, les objectifs et le plan d'action figurent en annexe de la présente "
        "convention, dont ils font partie intégrante.",
    ),
    DefaultArticle(
        "territoire",
        "Article 2 — Territoire concerné",
        "La convention porte sur le territoire de {{ territoire.type }}, soit "
        "{{ territoire.nombre_communes }} et {{ territoire.population }} habitants : "
        "{{ territoire.communes }}.",
    ),
    DefaultArticle(
        "periode",
        "Article 3 — Durée de la convention",
        "La présente convention est conclue pour une durée de {{ duree }}, du 1er janvier {{ annee_debut }} "
        "au 31 décembre {{ annee_fin }}.\n"
        "Elle ne peut être renouvelée par tacite reconduction : son renouvellement donne lieu à une "
        "évaluation et à une nouvelle convention.",
    ),
    DefaultArticle(
        "champs",
        "Article 4 — Champs d'intervention",
        "Les signataires conviennent d'agir conjointement dans les champs d'intervention suivants : "
        "{{ champs }}.\n"
        "Les actions retenues dans chacun de ces champs sont décrites dans le plan d'action annexé.",
    ),
    DefaultArticle(
        "engagements-caf",
        "Article 5 — Engagements de la CAF",
        "La {{ caf.nom }} s'engage à :\n"
        "- mettre à disposition les données statistiques et les éléments de diagnostic dont elle dispose ;\n"
        "- accompagner la collectivité dans l'élaboration, le suivi et l'évaluation du projet social de "
        "territoire ;\n"
        "- mobiliser ses financements, dans la limite de ses règles d'intervention et de ses crédits, en "
        "faveur des actions inscrites au plan d'action ;\n"
        "- participer aux instances de gouvernance de la convention.",
    ),
    DefaultArticle(
        "engagements-collectivite",
        "Article 6 — Engagements de la collectivité",
        "Pour {{ territoire.type }}, la collectivité signataire s'engage à :\n"
        "- porter la démarche et en assurer la coordination, notamment par le poste de coordination : "
        "{{ coordination.poste }} ;\n"
        "- mettre en œuvre les actions dont elle est pilote et en assurer le suivi ;\n"
        "- associer les communes, les partenaires et les habitants à la démarche ;\n"
        "- réunir les instances de gouvernance et transmettre chaque année à la CAF le bilan du plan "
        "d'action.",
    ),
    DefaultArticle(
        "engagements-signataires",
        "Article 7 — Engagements des autres signataires et des partenaires",
        "Les autres signataires s'engagent à contribuer, dans le cadre de leurs compétences, à la mise en "
        "œuvre des actions du plan d'action et à participer aux instances de la convention.\n"
        "Sont également associés à la démarche, sans être signataires : {{ partenaires }}.",
    ),
    DefaultArticle(
        "gouvernance",
        "Article 8 — Gouvernance",
        "La mise en œuvre de la convention est suivie par les instances suivantes :\n"
        "{{ instances }}\n"
        "Le comité de pilotage se réunit au moins une fois par an. Il valide le bilan annuel et décide des "
        "ajustements du plan d'action.",
    ),
    DefaultArticle(
        "suivi-evaluation",
        "Article 9 — Suivi et évaluation",
        "Chaque action du plan d'action est assortie d'indicateurs, d'une valeur de référence et de cibles "
        "annuelles, annexés à la présente convention.\n"
        "Un bilan est établi chaque année et présenté au comité de pilotage. Une évaluation finale est "
        "conduite avant le terme de la convention, au cours de l'année {{ annee_fin }}, afin de préparer "
        "son renouvellement.",
    ),
    DefaultArticle(
        "modification-resiliation",
        "Article 10 — Modification et résiliation",
        "Toute modification des conditions ou des modalités d'exécution de la présente convention, définie "
        "d'un commun accord entre les parties, fait l'objet d'un avenant.\n"
        "En cas de non-respect par l'une des parties des engagements de la présente convention, celle-ci "
        "peut être résiliée par l'une ou l'autre des parties à l'expiration d'un délai de trois mois suivant "
        "l'envoi d'une lettre recommandée avec accusé de réception valant mise en demeure restée sans effet.",
    ),
)

BY_KEY = {article.key: article for article in ARTICLES}
