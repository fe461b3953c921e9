"""RNCP37827 « Développeur en intelligence artificielle » (Simplon.co).

Every string below is transcribed from the « Règlement spécifique RNCP -
Développeur en intelligence artificielle » of SIMPLON.CO; the README of this
distribution says where each piece comes from. Glossary marks (``*``) and
code quotes of the source are removed; wording is otherwise kept as written,
including the règlement's own slips (e.g. « les configuration souhaitées »).
"""
from __future__ import annotations

from core.certifications.descriptor import (
    Block,
    Certification,
    Competency,
    Criterion,
    Deadline,
    DecisionRules,
    Evaluation,
    EvaluationScheme,
    Fee,
    JuryRule,
    Outcome,
    ScheduleStep,
)

CODE = "RNCP37827"

# « Attendu » of Annexe 3: one text per évaluation, applying to every
# competency that the évaluation assesses (the grid prints it once, on the
# first competency of the group, and names the whole group).
EXPECTED = {
    "E1": (
        "E1. Mise en situation (C1, C2, C3, C4, C5) – L'évaluation doit se faire dans un contexte de réalisation "
        "d'un service numérique réel ou fictif basé sur l'usage de données, à partir du cadrage pour la réalisation "
        "d'un service numérique (spécifications fonctionnelles et techniques par exemple). Le projet évalué a pour "
        "but d'optimiser, d'automatiser, de pérenniser et de mettre à disposition les flux de données et les "
        "données, utiles et nécessaires à la réalisation du service numérique, par les équipes techniques."
    ),
    "E2": (
        "E2. Cas pratique (C6, C7, C8) – L'évaluation doit se faire à partir de l'expression d'un besoin réel ou "
        "fictif de fonctionnalités d'intelligence artificielle. Ce besoin peut résulter d'une commande client comme "
        "d'une sollicitation interne d'un collaborateur data scientist par exemple. Le cas pratique évalué a pour "
        "but l'installation et la configuration du service d'intelligence artificielle préconisé."
    ),
    "E3": (
        "E3. Mise en situation (C9, C10, C11, C12, C13) – L'évaluation doit se faire dans un contexte réel ou "
        "fictif de réalisation d'un service d'intelligence artificielle à partir d'un modèle fourni. Le projet "
        "évalué a pour but la mise en service (packaging, monitorage, test...) du modèle fourni, et son intégration "
        "dans une application existante."
    ),
    "E4": (
        "E4. Mise en situation (C14, C15, C16, C17, C18, C19) – L'évaluation doit se faire dans un contexte réel "
        "ou fictif de développement d'une application intégrant un service d'intelligence artificielle. Le projet "
        "évalué a pour but d'analyser un besoin en développement d'application d'intelligence artificielle, de "
        "concevoir, développer, tester et enfin livrer l'application."
    ),
    "E5": (
        "E5. Cas pratique (C20, C21) – L'évaluation doit se faire à partir d'une application existante présentant "
        "au moins une erreur technique, en contexte réel ou fictif. Le cas pratique évalué a pour but la mise en "
        "place du monitorage applicatif et de la résolution d'un incident technique dans l'application."
    ),
}


def _competency(number: int, evaluation: str, title: str, criteria: tuple[str, ...]) -> Competency:
    """Competency ``C<number>``; its criteria are numbered ``C<number>.1``, ``C<number>.2``... in grid order."""
    code = f"C{number}"
    return Competency(
        code=code,
        title=title,
        criteria=tuple(Criterion(code=f"{code}.{i}", text=text) for i, text in enumerate(criteria, start=1)),
        evaluations=(evaluation,),
        expected=EXPECTED[evaluation],
    )


# Titles: section 1 « Blocs de compétences ». Criteria: Annexe 3 « Grille
# d'évaluation individuelle », in the order of the grid.
_BLOCK_1_COMPETENCIES = (
    _competency(
        1, "E1",
        "Automatiser l'extraction de données depuis un service web, une page web (scraping), un fichier de données, une base de données et un système big data en programmant le script adapté afin de pérenniser la collecte des données nécessaires au projet.",
        (
            "La présentation du projet et de son contexte est complète : acteurs, objectifs fonctionnels et techniques, environnements et contraintes techniques, budget, organisation du travail et planification.",
            "Les spécifications techniques précisent : les technologies et outils, les services externes, les exigences de programmation (langages), l'accessibilité (disponibilité, accès).",
            "Le périmètre des spécifications techniques est complet : il couvre l'ensemble des moyens techniques à mettre en œuvre pour l'extraction et l'agrégation des données en un jeu de données brutes final.",
            "Le script d'extraction des données est fonctionnel : toutes les données visées sont effectivement récupérées à l'issue de l'exécution du script.",
            "Le script comprend un point de lancement, l'initialisation des dépendances et des connexions externes, les règles logiques de traitement, la gestion des erreurs et des exceptions, la fin du traitement et la sauvegarde des résultats.",
            "Le script d'extraction des données est versionné et accessible depuis un dépôt Git.",
            "L'extraction des données est faite depuis un mix entre au moins les sources suivantes : un service web (API REST), un fichier de données, un scraping, une base de données et un système big data.",
        ),
    ),
    _competency(
        2, "E1",
        "Développer des requêtes de type SQL d'extraction des données depuis un système de gestion de base de données et un système big data en appliquant le langage de requête propre au système afin de préparer la collecte des données nécessaires au projet.",
        (
            "Les requêtes de type SQL pour la collecte de données sont fonctionnelles : les données visées sont effectivement extraites suite à l'exécution des requêtes.",
            "La documentation des requêtes met en lumière choix de sélections, filtrages, conditions, jointures, etc., en fonction des objectifs de collecte.",
            "La documentation explicite les optimisations appliquées aux requêtes.",
        ),
    ),
    _competency(
        3, "E1",
        "Développer des règles d'agrégation de données issues de différentes sources en programmant, sous forme de script, la suppression des entrées corrompues et en programmant l'homogénéisation des formats des données afin de préparer le stockage du jeu de données final.",
        (
            "Le script d'agrégation des données est fonctionnel : les données sont effectivement agrégées, nettoyées et normalisées en un seul jeu de données à l'issue de l'exécution du script.",
            "Le script d'agrégation des données est versionné et accessible depuis un dépôt Git.",
            "La documentation du script d'agrégation est complète : dépendances, commandes, les enchaînements logiques de l'algorithme, les choix de nettoyage et d'homogénéisation des formats données.",
        ),
    ),
    _competency(
        4, "E1",
        "Créer une base de données dans le respect du RGPD en élaborant les modèles conceptuels et physiques des données à partir des données préparées et en programmant leur import afin de stocker le jeu de données du projet.",
        (
            "Les modélisations des données respectent la méthode et le formalisme Merise.",
            "Le modèle physique des données est fonctionnel: il est intégré avec succès lors de la création de la base de données, sans erreur.",
            "La base de données est choisie au regard de la modélisation des données et des contraintes du projet.",
            "La reproduction des procédures d'installation décrites (base de données et API) a pour résultat un système conforme aux objets techniques attendus.",
            "Le script d'import fourni est fonctionnel : il permet l'insertion des données dans le système mis en place.",
            "La documentation technique du script d'import est versionné à la racine du même dépôt Git que celui utilisé pour le script d'import.",
            "Les documentations techniques des scripts couvrent les parties suivantes : les dépendances nécessaires pour la réutilisation des scripts (langages, dépendances externes, etc), les commandes pour l'exécution des scripts.",
            "Le registre des traitements de données personnelles intègre l'ensemble des traitements de données personnelles impliqués dans la base de données.",
            "Les procédures de tri des données personnelles pour la mise en conformité de la base de données avec le RGPD sont rédigées.",
            "Les procédures de tri détaillent les traitements de conformité (automatisés ou non) à appliquer ainsi que leur fréquence d'exécution.",
        ),
    ),
    _competency(
        5, "E1",
        "Développer une API mettant à disposition le jeu de données en utilisant l'architecture REST afin de permettre l'exploitation du jeu de données par les autres composants du projet.",
        (
            "La documentation technique de l'API (REST) couvre tous les points de terminaisons.",
            "La documentation technique couvre les règles d'authentification et/ou d'autorisation de l'API.",
            "La documentation technique respecte les standards du modèle choisi (par exemple OpenAPI).",
            "L'API REST est fonctionnelle pour l'accès aux données du projet : elle restreint par une autorisation (ou authentification) l'accès aux données.",
            "L'API REST est fonctionnelle pour la mise à disposition : elle permet la récupération de l'ensemble des données nécessaires au projet, comme prévu selon les spécifications données.",
        ),
    ),
)

_BLOCK_2_COMPETENCIES = (
    _competency(
        6, "E2",
        "Organiser et réaliser une veille technique et réglementaire en animant le travail collectif de sélection des sources, de collecte, de traitement et de partage des informations afin de formuler des recommandations pour le projet toujours en phase avec l'état de l'art.",
        (
            "La thématique de veille choisie porte sur un outil et/ou une réglementation mobilisée dans la mise en situation.",
            "Les temps de veille sont planifiés régulièrement (à minima une récurrence d'une heure hebdomadaire).",
            "Le choix des outils d'agrégation est cohérent avec les sources d'informations visées et le budget disponible (flux RSS, flux réseaux sociaux, agrégation newsletter, etc).",
            "Les synthèses sont communiquées aux parties prenantes dans un format qui respecte les recommandations d'accessibilité (par exemples celles de l'association Valentin Haüy ou de Atalan - AcceDe).",
            "Les informations partagées dans la synthèse répondent à la thématique de veille choisie.",
            "Les sources et flux identifiés répondent aux critères de fiabilité : L'auteur de la page est identifié, Des informations sur l'auteur sont disponibles et confirment ses compétences, sa notoriété et l'absence d'intérêts personnels, l'analyse du contenu est valable (date de publication récente, sources de l'information indiquées, niveau de langue correct), la source (site) ou le document est structuré, les sources (sites) ou documents respectant les normes d'accessibilités sont privilégiés, l'information peut être confirmée par d'autres sites de confiance.",
        ),
    ),
    _competency(
        7, "E2",
        "Identifier des services d'intelligence artificielle préexistants à partir de l'expression de besoin en fonctionnalités d'intelligence artificielle, en réalisant un benchmark de services existants et en analysant leurs caractéristiques pour formaliser une ou plusieurs recommandations de services adaptés au besoin.",
        (
            "L'expression de besoin est reformulée et présente les objectifs et les contraintes du projet d'intégration d'une solution d'intelligence artificielle.",
            "Le benchmark liste les services étudiés et les services non étudiés.",
            "Les raisons pour écarter un service sont explicitées.",
            "Le benchmark détaille le niveau d'adéquation du service étudié pour chaque ensemble fonctionnel souhaité par le commanditaire.",
            "Le benchmark détaille le niveau de la démarche éco-responsable du service étudié, en fonction des informations disponibles.",
            "Le benchmark détaille les principales contraintes techniques et les pré-requis pour chaque solution.",
            "Les conclusions délimitent clairement les services répondant aux besoins, avec leurs avantages et leurs inconvénients, des services ne couvrant pas les besoins du commanditaire.",
        ),
    ),
    _competency(
        8, "E2",
        "Paramétrer un service d'intelligence artificielle en suivant sa documentation technique et en respectant les spécifications du projet, afin de permettre l'intégration des connecteurs du service dans le système d'information.",
        (
            "Le service installé est accessible, avec une éventuelle authentification.",
            "Le service est configuré correctement, il répond aux besoins fonctionnels et aux contraintes techniques du projet.",
            "Le monitorage disponible du service est opérationnel.",
            "La documentation couvre la gestion des accès à la solution, les procédures d'installation et de test, les éventuelles dépendances et interconnexions avec d'autres solutions, les données impliquées dans l'utilisation de la solution.",
            "La documentation est communiquée aux parties prenantes dans un format qui respecte les recommandations d'accessibilité (par exemples celles de l'association Valentin Haüy ou de Atalan - AcceDe).",
        ),
    ),
    _competency(
        9, "E3",
        "Développer une API exposant un modèle d'intelligence artificielle en utilisant l'architecture REST pour permettre l'interaction entre le modèle et les autres composants du projet.",
        (
            "L'API restreint l'accès au modèle d'intelligence artificielle avec un moyen d'authentification.",
            "L'API permet l'accès aux fonctions du modèle, comme attendu selon les spécifications.",
            "Les recommandations de sécurisation d'une API du top 10 OWASP sont intégrées quand nécessaires.",
            "Les sources sont versionnées et accessibles depuis un dépôt Git distant.",
            "Les tests couvrent tous les points de terminaison dans le respect des spécifications.",
            "Les tests s'exécutent sans bug.",
            "Les résultats des tests sont correctement interprétés.",
            "La documentation couvre l'architecture et tous les points de terminaisons de l'API.",
            "La documentation couvre les règles d'authentification et/ou d'autorisation d'accès à l'API.",
            "La documentation et l'API respectent les standards d'un modèle choisi (par exemple Open API).",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        10, "E3",
        "Intégrer l'API d'un modèle ou d'un service d'intelligence artificielle dans une application, en respectant les spécifications du projet et les normes d'accessibilité en vigueur, à l'aide de la documentation technique de l'API, afin de créer les fonctionnalités d'intelligence artificielle de l'application.",
        (
            "L'application de départ est installée et fonctionnelle en environnement de développement.",
            "La communication avec l'API depuis l'application fonctionne.",
            "Les éventuelles étapes d'authentification et de renouvellement de l'authentification (expiration des jetons par exemple) sont intégrées correctement en suivant la documentation de l'API.",
            "Tous les points de terminaison de l'API concernés par le projet sont intégrés à l'application selon les spécifications fonctionnelles et techniques.",
            "Les adaptations d'interfaces nécessaires et en accord avec les spécifications sont intégrées à l'application.",
            "Les tests d'intégration couvrent tous les points de terminaison exploités.",
            "Les tests s'exécutent en totalité : il n'y a pas de bug dans les programmes des tests en eux-mêmes.",
            "Les résultats des tests sont correctement interprétés.",
            "Les sources sont versionnées et accessibles depuis le dépôt Git de l'application.",
        ),
    ),
    _competency(
        11, "E3",
        "Monitorer un modèle d'intelligence artificielle à partir des métriques courantes et spécifiques au projet, en intégrant les outils de collecte, d'alerte et de restitution des données du monitorage pour permettre l'amélioration du modèle de façon itérative.",
        (
            "Les métriques faisant l'objet du monitorage du modèle sont expliquées sans erreur d'interprétation.",
            "Le ou les outils pour l'intégration du monitorage du modèle sont adaptés au contexte et aux contraintes techniques du projet.",
            "Au moins un vecteur de restitution des métriques évaluées, en temps réel, est proposé (dashboard, feuille de calcul, etc).",
            "Les enjeux d'accessibilité, pour toutes les parties prenantes du projet, sont pris en compte lors de la sélection de l'outil de restitution.",
            "La chaîne de monitorage est d'abord testée dans un bac à sable ou environnement de test dédié.",
            "La chaîne de monitorage est en état de marche. Les métriques visées sont effectivement évaluées et restituées.",
            "Les sources sont versionnées et accessibles depuis un dépôt Git distant.",
            "La documentation technique de la chaîne de monitorage couvre la procédure d'installation de la chaîne, de configurations, et d'utilisation du monitorage à destination des équipes techniques.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        12, "E3",
        "Programmer les tests automatisés d'un modèle d'intelligence artificielle en définissant les règles de validation des jeux de données, des étapes de préparation des données, d'entraînement, d'évaluation et de validation du modèle pour permettre son intégration en continu et garantir un niveau de qualité élevé.",
        (
            "L'ensemble des cas à tester sont listés et définis : la partie du modèle visée par le test, le périmètre du test et la stratégie de test.",
            "Les outils de test (framework, bibliothèque, etc.) choisis sont cohérents avec l'environnement technique du projet.",
            "Les tests sont intégrés et respectent la couverture souhaitée établie.",
            "Les tests s'exécutent sans problème technique en environnement de test.",
            "Les sources sont versionnées et accessibles depuis un dépôt Git distant (DVC, Gitlab...).",
            "La documentation couvre la procédure d'installation de l'environnement de test, les dépendances installées, la procédure d'exécution des tests et de calcul de la couverture.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        13, "E3",
        "Créer une chaîne de livraison continue d'un modèle d'intelligence artificielle en installant les outils et en appliquant les configuration souhaitées, dans le respect du cadre imposé par le projet et dans une approche MLOps, pour automatiser les étapes de validation, de test, de packaging et de déploiement du modèle.",
        (
            "La documentation pour l'utilisation de la chaîne couvre toutes les étapes, les tâches et tous les déclencheurs disponibles.",
            "Les déclencheurs sont intégrés comme préalablement définis.",
            "Le ou les fichiers de configuration de la chaîne sont correctement reconnus et exécutés par le système selon les déclencheurs configurés.",
            "L'étape de test des données est intégrée à la chaîne et s'exécute sans erreur.",
            "La ou les étapes de test, d'entraînement et de validation du modèle sont intégrées à la chaîne et s'exécutent sans erreur.",
            "Les sources de la chaîne sont versionnées et accessibles depuis le dépôt Git distant du projet.",
            "La documentation de la chaîne de livraison continue couvre la procédure d'installation, de configuration et de test de la chaîne.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
)

_BLOCK_3_COMPETENCIES = (
    _competency(
        14, "E4",
        "Analyser le besoin d'application d'un commanditaire intégrant un service d'intelligence artificielle, en rédigeant les spécifications fonctionnelles et en le modélisant, dans le respect des standards d'utilisabilité et d'accessibilité, afin d'établir avec précision les objectifs de développement correspondant au besoin et à la faisabilité technique.",
        (
            "La modélisation des données respecte un formalisme: Merise, entités-relations, etc.",
            "La modélisation des parcours utilisateurs respecte un formalisme : schéma fonctionnel, wireframes, etc.",
            "Chaque spécification fonctionnelle couvre le contexte, les scénarios d'utilisation et les critères de validation.",
            "Les objectifs d'accessibilités sont directement intégrés aux critères d'acceptation des user stories.",
            "Les objectifs d'accessibilité sont formulés en s'appuyant sur un des standards d'accessibilité : WCAG, RG2AA, etc.",
        ),
    ),
    _competency(
        15, "E4",
        "Concevoir le cadre technique d'une application intégrant un service d'intelligence artificielle, à partir de l'analyse du besoin, en spécifiant l'architecture technique et applicative et en préconisant les outils et méthodes de développement, pour permettre le développement du projet.",
        (
            "Les spécifications techniques rédigées couvrent l'architecture de l'application, ses dépendances et son environnement d'exécution (langage de programmation, framework, outils, etc).",
            "Les éventuels services (PaaS, SaaS, etc) et prestataires ayant une démarche éco-responsable sont favorisés lors des choix techniques.",
            "Les flux de données impliqués dans l'application sont représentés par un diagramme de flux de données.",
            "La preuve de concept est accessible et fonctionnelle en environnement de pré-production.",
            "La conclusion à l'issue de la preuve de concept donne un avis précis permettant une prise de décision sur la poursuite du projet.",
        ),
    ),
    _competency(
        16, "E4",
        "Coordonner la réalisation technique d'une application d'intelligence artificielle en s'intégrant dans une conduite agile de projet et un contexte MLOps et en facilitant les temps de collaboration dans le but d'atteindre les objectifs de production et de qualité.",
        (
            "Les cycles, les étapes de chaque cycle, les rôles, les rituels et les outils de la méthode agile appliquée sont respectés dans sa mise en place et tout au long du projet.",
            "Les outils de pilotage (tableau kanban, burndown chart, backlog, etc.) sont disponibles dans les conditions prévues par la méthode appliquée.",
            "Les objectifs et les modalités des rituels sont partagés à toutes les parties prenantes et rappeler si besoin.",
            "Les éléments de pilotage sont rendus accessibles à toutes les parties du projet et ce tout au long du projet, en accord avec les recommandations de la méthode de gestion de projet appliquée.",
        ),
    ),
    _competency(
        17, "E4",
        "Développer les composants techniques et les interfaces d'une application en utilisant les outils et langages de programmation adaptés et en respectant les spécifications fonctionnelles et techniques, les standards et normes d'accessibilité, de sécurité et de gestion des données en vigueur dans le but de répondre aux besoins fonctionnels identifiés.",
        (
            "L'environnement de développement installé respecte les spécifications techniques du projet.",
            "Les interfaces sont intégrées et respectent les maquettes.",
            "Les comportements des composants d'interface (validation formulaire, animations, etc.) et la navigation respectent les spécifications fonctionnelles.",
            "Les composants métier sont développés et fonctionnent comme prévu par les spécifications techniques et fonctionnelles.",
            "La gestion des droits d'accès à l'application ou à certains espaces de l'application est développée et respecte les spécifications fonctionnelles.",
            "Les flux de données sont intégrés dans le respect des spécifications techniques et fonctionnelles.",
            "Les développements sont réalisés dans le respect des bonnes pratiques d'éco-conception d'une application (Les recommandations d'éco-index ou Green IT par exemple).",
            "Les préconisations du top 10 d'OWASP sont implémentées dans l'application quand nécessaire.",
            "Des tests d'intégration ou unitaires couvrent au moins les composants métier et la gestion des accès.",
            "Les sources sont versionnées et accessibles depuis un dépôt Git distant.",
            "La documentation technique couvre l'installation de l'environnement de développement, l'architecture applicative, les dépendances, l'exécution des tests.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        18, "E4",
        "Automatiser les phases de tests du code source lors du versionnement des sources à l'aide d'un outil d'intégration continue de manière à garantir la qualité technique des réalisations.",
        (
            "La documentation pour l'utilisation de la chaîne couvre les outils, toutes les étapes, les tâches et tous les déclencheurs de la chaîne.",
            "Un outil de configuration et d'exécution d'une chaîne d'intégration continue est sélectionné de façon cohérente avec l'environnement technique du projet.",
            "La chaîne intègre toutes les étapes nécessaires et préalables à l'exécution des tests de l'application (build, configurations...).",
            "La chaîne exécute les tests de l'application disponibles lors de son déclenchement.",
            "Les configuration sont versionnées avec les sources du projet d'application, sur un dépôt Git distant.",
            "La documentation de la chaîne d'intégration continue couvre la procédure d'installation, de configuration et de test de la chaîne.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        19, "E4",
        "Créer un processus de livraison continue d'une application en s'appuyant sur une chaîne d'intégration continue et en paramétrant les outils d'automatisation et les environnements de test afin de permettre une restitution optimale de l'application.",
        (
            "La documentation pour l'utilisation de la chaîne couvre toutes les étapes de la chaîne, les tâches et tous les déclencheurs disponibles.",
            "Le ou les fichiers de configuration de la chaîne sont correctement reconnus et exécutés par le système.",
            "La ou les étapes de packaging (compilation, minification, build de containers, etc.) de l'application sont intégrées à la chaîne et s'exécutent sans erreur.",
            "L'étape de livraison (pull request par exemple) est intégrée et exécutée une fois la ou les étapes de packaging validées.",
            "Les sources de la chaîne sont versionnées et accessibles depuis le dépôt Git distant du projet d'application.",
            "La documentation de la chaîne de livraison continue couvre la procédure d'installation, de configuration et de test de la chaîne.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        20, "E5",
        "Surveiller une application d'intelligence artificielle, en mobilisant des techniques de monitorage et de journalisation, dans le respect des normes de gestion des données personnelles en vigueur, afin d'alimenter la feedback loop dans une approche MLOps, et de permettre la détection automatique d'incidents.",
        (
            "La documentation liste les métriques et les seuils et valeurs d'alerte pour chaque métrique à risque.",
            "La documentation explicite les arguments en faveur des choix techniques pour l'outillage du monitorage de l'application.",
            "Les outils (collecteurs, journalisation, agrégateurs, filtres, dashboard, etc.) sont installés et opérationnels à minima en environnement local.",
            "Les règles de journalisation sont intégrées aux sources de l'application, en fonction des métriques à surveiller.",
            "Les alertes sont configurées et en état de marche, en fonction des seuils préalablement définis.",
            "La documentation couvre la procédure d'installation et de configuration des dépendances pour l'outillage du monitorage de l'application.",
            "La documentation est communiquée dans un format qui respecte les recommandations d'accessibilité (par exemple celles de l'association Valentin Haüy ou de Microsoft).",
        ),
    ),
    _competency(
        21, "E5",
        "Résoudre les incidents techniques en apportant les modifications nécessaires au code de l'application et en documentant les solutions pour en garantir le fonctionnement opérationnel.",
        (
            "La ou les causes du problème sont identifiées correctement.",
            "Le problème est reproduit en environnement de développement.",
            "La procédure de débogage du code est documentée depuis l'outil de de suivi.",
            "La solution documentée explicite chaque étape de la résolution et de son implémentation.",
            "La solution est versionnée dans le dépôt Git du projet d'application (par exemple avec une merge request).",
        ),
    ),
)

BLOCKS = (
    Block(
        code="BC01",
        title="Réaliser la collecte, le stockage et la mise à disposition des données d'un projet en intelligence "
              "artificielle",
        competencies=_BLOCK_1_COMPETENCIES,
        reference="RNCP37827BC01",
        evaluations=("E1",),
        evidence_examples=(
            "Un script de récupération des données",
            "résultats d'analyse exploratoire",
            "script de pré-traitement",
            "éléments de conception BDD",
            "procédure création BDD",
            "script d'insertion",
        ),
    ),
    Block(
        code="BC02",
        title="Intégrer des modèles et des services d'intelligence artificielle",
        competencies=_BLOCK_2_COMPETENCIES,
        reference="RNCP37827BC02",
        evaluations=("E2", "E3"),
        evidence_examples=(
            "Résultat benchmark solutions IA",
            "état de l'art thématique IA",
            "dépôt Git projet encapsulation modèle IA en API",
            "dépôt Git projet intégration service IA",
        ),
    ),
    Block(
        code="BC03",
        title="Réaliser une application intégrant un service d'intelligence artificielle",
        competencies=_BLOCK_3_COMPETENCIES,
        reference="RNCP37827BC03",
        evaluations=("E4", "E5"),
        evidence_examples=(
            "Documentation technique/fonctionnelle application",
            "dépôt Git projet application (interfaces, BDD, code serveur)",
            "traces en ligne aide apportée (Stackoverflow, Github)",
        ),
    ),
)

# Section 2 « Les cas pratiques », section 3 « Les mises en situation
# professionnelle »; durations and deliverable sizes from Annexe 1 (title oral).
EVALUATIONS = (
    Evaluation(
        code="E1",
        kind="Mise en situation professionnelle",
        title="Réalisation d'un service numérique (réel ou fictif) basé sur l'usage de données. Vise à optimiser, "
              "automatiser, pérenniser et mettre à disposition les flux de données.",
        competencies=("C1", "C2", "C3", "C4", "C5"),
        duration_minutes=15,
        deliverable="Rapport professionnel individuel (2-5p)",
        assessment="Correction du rapport professionnel, Soutenance orale individuelle.",
        candidate_tasks=(
            "Présenter le flux automatisé de collecte des données (service web, fichier, BDD, big data).",
            "Présenter les requêtes de nettoyage et mise en forme des données.",
            "Présenter la création d'une base de données.",
            "Présenter l'exposition des données dans une API.",
        ),
    ),
    Evaluation(
        code="E2",
        kind="Cas pratique",
        title="Évaluation à partir d'une expression de besoin (réel ou fictif) de fonctionnalités d'IA. Vise "
              "l'installation et la configuration du service d'IA préconisé.",
        competencies=("C6", "C7", "C8"),
        duration_minutes=15,
        deliverable="Rapport professionnel individuel (15-20p)",
        assessment="Correction du rapport professionnel, Soutenance orale individuelle.",
        candidate_tasks=(
            "Présenter son dispositif de veille.",
            "Présenter la problématique technique et fonctionnelle d'IA à adresser.",
            "Présenter l'inventaire des outils et services d'IA accessibles et répondant au problème.",
            "Présenter une préconisation d'un ou plusieurs services d'IA.",
            "Présenter les étapes de configuration et d'installation du/des service(s) préconisé(s).",
        ),
    ),
    Evaluation(
        code="E3",
        kind="Mise en situation professionnelle",
        title="Réalisation d'un service d'IA à partir d'un modèle fourni. Vise la mise en service (packaging, "
              "monitorage, test...) du modèle et son intégration dans une application existante.",
        competencies=("C9", "C10", "C11", "C12", "C13"),
        duration_minutes=20,
        deliverable="Rapport professionnel individuel (15-20p)",
        assessment="Correction du rapport professionnel, Soutenance orale individuelle avec démonstration.",
        candidate_tasks=(
            "Présenter le projet de développement d'une API encapsulant un modèle d'IA.",
            "Présenter les étapes d'intégration d'une API d'IA dans une application existante.",
            "Présenter le monitorage et les tests du modèle d'IA.",
            "Présenter la chaîne de livraison continue du modèle.",
            "Effectuer une démonstration des composants du projet.",
        ),
    ),
    Evaluation(
        code="E4",
        kind="Mise en situation professionnelle",
        title="Développement d'une application intégrant un service d'IA (réel ou fictif). Vise à analyser un "
              "besoin, concevoir, développer, tester et livrer l'application.",
        competencies=("C14", "C15", "C16", "C17", "C18", "C19"),
        duration_minutes=20,
        deliverable="Rapport professionnel individuel (15-20p)",
        assessment="Correction du rapport professionnel, Soutenance orale individuelle avec démonstration.",
        candidate_tasks=(
            "Présenter le projet d'application (architecture, pile technique, plan de réalisation).",
            "Présenter les tests de l'application et la chaîne de livraison continue.",
            "Effectuer une démonstration de l'application réalisée.",
        ),
    ),
    Evaluation(
        code="E5",
        kind="Cas pratique",
        title="Évaluation à partir d'une application existante présentant au moins une erreur technique (réel ou "
              "fictif). Vise la mise en place du monitorage applicatif et la résolution d'un incident technique.",
        competencies=("C20", "C21"),
        duration_minutes=10,
        deliverable="Documentation technique du monitorage. Documentation de la résolution de l'incident "
                    "technique (2-5p)",
        assessment="Correction de la documentation, Soutenance orale individuelle.",
        candidate_tasks=(
            "Présenter le dispositif de monitorage applicatif.",
            "Présenter la description de l'incident technique (déclenchement, périmètre impacté).",
            "Présenter le diagnostic.",
            "Présenter la résolution (méthodologie, tests en succès).",
            "Présenter la documentation de l'incident et de sa résolution.",
        ),
    ),
)

SCHEME = EvaluationScheme(
    summary=(
        "Les épreuves orales pour l'obtention du titre à finalité professionnelle durent 90 minutes au total : "
        "présentation des différentes évaluations des blocs 1, 2 et 3 (E1, E2, E3, E4, E5), incluant présentation "
        "orale, démonstrations techniques, échange sur les rapports écrits (80 min), puis questions du jury "
        "(10 min). Un projet unique peut être présenté pour E1, E3, E4."
    ),
    evaluations=EVALUATIONS,
    # Annexe 2 « Exemple de planning de session » (120 minutes in all).
    schedule=(
        ScheduleStep("Revue du dossier candidat", 10, with_candidate=False),
        ScheduleStep("Accueil Installation", 5, with_candidate=True),
        ScheduleStep("Épreuves E1, E3, E4, E2, E5 (selon le déroulé de l'épreuve)", 90, with_candidate=True),
        ScheduleStep("Échanges et délibération", 10, with_candidate=False),
        ScheduleStep("Pause", 5, with_candidate=False),
    ),
    total_minutes=90,
)

# Annexe 1 « Déroulé de l'épreuve »: the oral for the whole title, in the order
# of the Annexe. ``evaluations`` is ("TOUS",) for the final exchange.
TITLE_ORAL = (
    {"evaluations": ("E1",), "activity": "Présentation orale", "minutes": 15, "deliverable": "Rapport 2-5p"},
    {"evaluations": ("E3",), "activity": "Présentation orale incluant démonstration", "minutes": 20,
     "deliverable": "Rapport 15-20p"},
    {"evaluations": ("E4",), "activity": "Présentation orale incluant démonstration", "minutes": 20,
     "deliverable": "Rapport 15-20p"},
    {"evaluations": ("E2",), "activity": "Présentation orale", "minutes": 15, "deliverable": "Rapport 15-20p"},
    {"evaluations": ("E5",), "activity": "Présentation orale", "minutes": 10, "deliverable": "Documentation 2-5p"},
    {"evaluations": ("TOUS",), "activity": "Échanges avec le jury", "minutes": 10, "deliverable": ""},
)

# Section 4 « Les épreuves orales pour chaque bloc de compétences » and
# Annexe 1 « Déroulé pour chaque bloc de compétences »: the oral a candidate
# passes to validate one block on its own. ``description`` is the wording of
# section 4, ``activity`` and ``deliverable`` those of Annexe 1.
BLOCK_ORALS = (
    {
        "block": "BC01",
        "title": "Oral de passage du bloc 1",
        "total_minutes": 25,
        "parts": (
            {"evaluations": ("E1",), "activity": "Présentation orale", "minutes": 15, "deliverable": "Rapport 2-5p",
             "description": "Soutenance orale du rapport sur la collecte, stockage, mise à disposition des données"},
            {"evaluations": ("E1",), "activity": "Échanges avec le jury", "minutes": 10, "deliverable": "",
             "description": "Questions du jury (10 min max)"},
        ),
    },
    {
        "block": "BC02",
        "title": "Oral de passage du bloc 2",
        "total_minutes": 45,
        "parts": (
            {"evaluations": ("E2",), "activity": "Présentation orale", "minutes": 15,
             "deliverable": "Rapport 15-20p",
             "description": "Soutenance orale du rapport sur la sélection et paramétrage d'un service d'IA"},
            {"evaluations": ("E3",), "activity": "Présentation orale incluant démonstration", "minutes": 20,
             "deliverable": "Rapport 15-20p",
             "description": "Présentation du rapport sur l'exposition, tests, monitorage du service d'IA"},
            {"evaluations": ("E2", "E3"), "activity": "Échanges avec le jury", "minutes": 10, "deliverable": "",
             "description": "Questions du jury (10 min max)"},
        ),
    },
    {
        "block": "BC03",
        "title": "Oral de passage du bloc 3",
        "total_minutes": 40,
        "parts": (
            {"evaluations": ("E4",), "activity": "Présentation orale incluant démonstration", "minutes": 20,
             "deliverable": "Rapport 15-20p",
             "description": "Soutenance orale du rapport et démonstration du projet d'application d'IA"},
            {"evaluations": ("E5",), "activity": "Présentation orale", "minutes": 10,
             "deliverable": "Documentation 2-5p",
             "description": "Soutenance orale du rapport sur la surveillance et résolution d'incident technique"},
            {"evaluations": ("E4", "E5"), "activity": "Échanges avec le jury", "minutes": 10, "deliverable": "",
             "description": "Questions du jury (10 min max)"},
        ),
    },
)

# Section 4 « Objectif de l'échange ».
ORAL_EXCHANGE_AIM = (
    "Permettre au jury d'éclaircir des points et s'assurer de l'acquisition des compétences. Questions ouvertes "
    "privilégiées."
)

# Annexe 3 « Décision du jury »: the decision recorded on each individual grid.
JURY_DECISIONS = (
    Outcome("admis", "Admis"),
    Outcome("admission_partielle", "Admission partielle",
            "Commentaires à renseigner obligatoirement.", comment_required=True),
    Outcome("non_admis", "Non admis", "Commentaires à renseigner obligatoirement.", comment_required=True),
)

# Annexe 5 (Livret 2 VAE), section 7 « L'entretien devant le jury de la VAE »:
# the four possible outcomes of a VAE interview.
VAE_OUTCOMES = (
    Outcome("validation_totale_titre",
            "Validation totale des compétences pour l'obtention de la certification",
            "Proposition au Jury de validation du titre."),
    Outcome("validation_totale_blocs",
            "Validation totale des compétences pour l'obtention d'un ou de plusieurs blocs"),
    Outcome("validation_partielle", "Validation partielle",
            "Le jury indique les compétences/expériences à acquérir.", comment_required=True),
    Outcome("non_validation", "Non validation", "Le jury motive les raisons.", comment_required=True),
)

RULES = DecisionRules(
    summary=(
        "Chaque bloc de compétence peut être validé de façon autonome.",
        "Pour obtenir le titre, le candidat doit valider les trois (3) blocs de compétences.",
        "Dans le cadre de la VAE, les compétences sont évaluées via un dossier de validation et un entretien devant "
        "un jury habilité.",
        "Le jury de VAE est souverain.",
    ),
    outcomes=JURY_DECISIONS,
    block_validation=True,
)

# Section 2, « 1. Le jury ».
JURY_RULES = (
    JuryRule("min_professionals",
             "Composé d'au moins 2 professionnels avec à minima 2 années d'expérience dans le développement et "
             "l'IA."),
    JuryRule("external_ratio",
             "Au moins 50% des jurés sont extérieurs à l'organisme certificateur et à l'organisme évaluateur."),
    JuryRule("no_link",
             "Les membres du jury ne doivent pas avoir de lien professionnel ou personnel avec le candidat, ni avoir "
             "participé à sa formation ou préparation."),
    JuryRule("deliverables_5_days",
             "L'ensemble des livrables est transmis au jury au plus tard 5 jours avant la date de session."),
)

# The figures of the jury rules, for the jury-composition checks.
JURY = {
    "min_professionals": 2,
    "min_experience_years": 2,
    "min_external_ratio": 0.5,
    "deliverables_days_before_session": 5,
}

CERTIFICATION = Certification(
    code=CODE,
    title="Développeur en intelligence artificielle",
    certifier="Simplon.co",
    registry="RNCP",
    level="",
    summary="La validation de la certification n'est soumise à aucun prérequis de niveau de compétence, de diplôme "
            "ou d'expérience professionnelle.",
    access_routes=(
        "Après un parcours de formation sous statut d'élève ou d'étudiant",
        "Après un parcours de formation continue",
        "En contrat de professionnalisation",
        "À la suite d'une validation des acquis de l'expérience (VAE)",
    ),
    blocks=BLOCKS,
    scheme=SCHEME,
    rules=RULES,
    jury_rules=JURY_RULES,
    # Annexe 5, « Informations générales »: « 300€ couvrent les frais
    # administratifs d'étude du dossier de recevabilité. Non remboursables. »
    fee=Fee(
        amount_cents=30000,
        currency="EUR",
        label="Frais administratifs de recevabilité",
        covers="Frais administratifs d'étude du dossier de recevabilité",
        refundable=False,
    ),
    deadlines=(
        Deadline(
            key="deliverables_before_session",
            label="Transmission de l'ensemble des livrables au jury, au plus tard",
            days=5,
            after="avant la date de session",
        ),
    ),
    notes=(
        "Le niveau de la certification n'est pas indiqué dans le règlement spécifique de certification : il reste à "
        "compléter par le certificateur.",
    ),
    extra={
        "vae_outcomes": VAE_OUTCOMES,
        "block_orals": BLOCK_ORALS,
        "title_oral": TITLE_ORAL,
        "oral_exchange_aim": ORAL_EXCHANGE_AIM,
        "session_total_minutes": 120,
        "jury": JURY,
    },
)
