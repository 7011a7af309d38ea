#!/usr/bin/env python3
"""Deterministic generator of Maillage's demo data.

Writes, next to this file:
  - digital_cluster.csv       ~120 companies of a digital cluster of Bordeaux
                              Métropole (Gironde, Nouvelle-Aquitaine)
  - renovation_artisans.csv   ~30 building artisans of Ploërmel and its
                              surroundings (Morbihan, Bretagne) working on
                              energy renovation

Python 3.11 standard library only. The random generator is seeded with a fixed
value, so running `python3 data/demo/generate.py` rewrites both files
byte-identically. Every row is checked by asserts before anything is written.

Communes, INSEE codes, postal codes, département and region codes are real
(checked against the INSEE Code officiel géographique). Company names,
SIREN/SIRET numbers, streets, websites, people, e-mails and phone numbers are
invented; SIREN and SIRET pass the Luhn checksum like real ones.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import unicodedata

SEED = 20240611

HEADER = [
    "siren", "siret", "legal_name", "kind", "naf_code", "headcount_band",
    "website", "street", "postal_code", "city", "commune_code",
    "departement_code", "region_code", "latitude", "longitude", "description",
    "labels", "role", "contact_first_name", "contact_last_name",
    "contact_email", "contact_phone", "contact_title",
]

KINDS = {"company", "independent", "association", "public_body",
         "local_public_company", "research_training"}
BANDS = ["0", "1-2", "3-5", "6-9", "10-19", "20-49", "50-249", "250+"]
ROLES = {"animator", "board", "partner", "observer", "member"}

# --------------------------------------------------------------------------
# Territories. One entry per (commune, postal code):
#   key: (city name, INSEE commune code, postal code, département, region,
#         centre latitude, centre longitude, half-spread lat, half-spread lon)
# The spread is small enough that every generated point stays inside the
# commune (or, for Bordeaux, inside the quarter served by that postal code).
# --------------------------------------------------------------------------

GIRONDE = {
    # Bordeaux, by postal-code quarter
    "Bordeaux:33000": ("Bordeaux", "33063", "33000", "33", "75", 44.8404, -0.5790, 0.0050, 0.0070),
    "Bordeaux:33100": ("Bordeaux", "33063", "33100", "33", "75", 44.8460, -0.5510, 0.0035, 0.0040),
    "Bordeaux:33200": ("Bordeaux", "33063", "33200", "33", "75", 44.8505, -0.6120, 0.0045, 0.0070),
    "Bordeaux:33300": ("Bordeaux", "33063", "33300", "33", "75", 44.8620, -0.5680, 0.0050, 0.0050),
    "Bordeaux:33800": ("Bordeaux", "33063", "33800", "33", "75", 44.8250, -0.5680, 0.0035, 0.0050),
    # Other communes of Bordeaux Métropole
    "Mérignac": ("Mérignac", "33281", "33700", "33", "75", 44.8386, -0.6436, 0.0070, 0.0110),
    "Pessac": ("Pessac", "33318", "33600", "33", "75", 44.8030, -0.6350, 0.0045, 0.0090),
    "Talence": ("Talence", "33522", "33400", "33", "75", 44.8080, -0.5885, 0.0040, 0.0045),
    "Bègles": ("Bègles", "33039", "33130", "33", "75", 44.8086, -0.5478, 0.0035, 0.0045),
    "Villenave-d'Ornon": ("Villenave-d'Ornon", "33550", "33140", "33", "75", 44.7806, -0.5658, 0.0045, 0.0070),
    "Saint-Médard-en-Jalles": ("Saint-Médard-en-Jalles", "33449", "33160", "33", "75", 44.8964, -0.7164, 0.0060, 0.0100),
    "Cenon": ("Cenon", "33119", "33150", "33", "75", 44.8578, -0.5317, 0.0030, 0.0040),
    "Gradignan": ("Gradignan", "33192", "33170", "33", "75", 44.7725, -0.6156, 0.0040, 0.0060),
    "Lormont": ("Lormont", "33249", "33310", "33", "75", 44.8792, -0.5217, 0.0030, 0.0040),
    "Eysines": ("Eysines", "33162", "33320", "33", "75", 44.8836, -0.6500, 0.0040, 0.0060),
    "Le Bouscat": ("Le Bouscat", "33069", "33110", "33", "75", 44.8653, -0.5997, 0.0030, 0.0040),
    "Bruges": ("Bruges", "33075", "33520", "33", "75", 44.8836, -0.6117, 0.0030, 0.0050),
    "Floirac": ("Floirac", "33167", "33270", "33", "75", 44.8361, -0.5256, 0.0030, 0.0040),
    "Blanquefort": ("Blanquefort", "33056", "33290", "33", "75", 44.9106, -0.6364, 0.0050, 0.0080),
    "Le Haillan": ("Le Haillan", "33200", "33185", "33", "75", 44.8725, -0.6769, 0.0030, 0.0050),
    "Artigues-près-Bordeaux": ("Artigues-près-Bordeaux", "33013", "33370", "33", "75", 44.8606, -0.4944, 0.0020, 0.0030),
    "Bassens": ("Bassens", "33032", "33530", "33", "75", 44.9022, -0.5175, 0.0020, 0.0030),
    "Ambarès-et-Lagrave": ("Ambarès-et-Lagrave", "33003", "33440", "33", "75", 44.9253, -0.4864, 0.0030, 0.0040),
    # Outside the Métropole, still Gironde
    "Cestas": ("Cestas", "33122", "33610", "33", "75", 44.7433, -0.6811, 0.0040, 0.0070),
    "Libourne": ("Libourne", "33243", "33500", "33", "75", 44.9153, -0.2436, 0.0035, 0.0050),
}

PLOERMEL = {
    "Ploërmel": ("Ploërmel", "56165", "56800", "56", "53", 47.9317, -2.3975, 0.0070, 0.0100),
    "Josselin": ("Josselin", "56091", "56120", "56", "53", 48.0606, -2.5469, 0.0020, 0.0030),
    "Taupont": ("Taupont", "56249", "56800", "56", "53", 47.9594, -2.4383, 0.0025, 0.0035),
    "Campénéac": ("Campénéac", "56032", "56800", "56", "53", 47.9575, -2.2925, 0.0025, 0.0035),
    "Mauron": ("Mauron", "56127", "56430", "56", "53", 48.0831, -2.2847, 0.0025, 0.0035),
    "Loyat": ("Loyat", "56122", "56800", "56", "53", 48.0008, -2.3828, 0.0020, 0.0030),
    "Guilliers": ("Guilliers", "56080", "56490", "56", "53", 48.0431, -2.4053, 0.0020, 0.0030),
}

# Invented but plausible addresses.
STREETS_BY_KEY = {
    "Bordeaux:33000": ["cours de l'Intendance", "rue Judaïque", "cours d'Albret",
                       "rue du Palais Gallien", "cours Georges Clemenceau",
                       "rue Fondaudège", "cours Victor Hugo", "rue des Remparts",
                       "rue Sainte-Catherine", "cours Pasteur"],
    "Bordeaux:33100": ["avenue Thiers", "quai des Queyries", "rue de la Benauge",
                       "quai de Brazza", "rue Hortense"],
    "Bordeaux:33200": ["avenue Louis Barthou", "avenue Carnot", "avenue d'Eysines",
                       "rue Jules Ferry"],
    "Bordeaux:33300": ["quai de Bacalan", "cours du Médoc", "rue Lucien Faure",
                       "cours Balguerie-Stuttenberg", "rue Achard", "quai Armand Lalande"],
    "Bordeaux:33800": ["cours de la Marne", "rue de Bègles", "quai de Paludate",
                       "cours de l'Yser", "rue Amédée Saint-Germain"],
}
STREETS_GIRONDE = [
    "avenue de la République", "rue Jean Jaurès", "avenue du Général de Gaulle",
    "rue Victor Hugo", "rue Pasteur", "avenue Jean Moulin", "allée des Pins",
    "avenue Gambetta", "rue Émile Zola", "rue Anatole France",
    "avenue Pierre Mendès France", "rue Gustave Eiffel", "rue Nicolas Copernic",
    "allée des Acacias", "rue des Frères Lumière", "avenue de l'Europe",
    "rue Blaise Pascal", "chemin de la Vigne", "rue du Port", "allée Marie Curie",
]
STREETS_PLOERMEL = [
    "rue de la Gare", "rue de l'Église", "route de Rennes", "route de Vannes",
    "rue du Lac", "ZA de la Lande", "rue des Genêts", "rue des Ajoncs",
    "impasse des Chênes", "rue du Stade", "place de la Mairie",
    "rue des Artisans", "ZA du Bois Guillaume", "chemin du Moulin",
    "rue des Forges", "lieu-dit Le Clos Neuf", "rue des Tisserands",
]

# Landline prefixes after the area digit ("+33 5 56 ..", "+33 2 97 ..").
PHONE_GIRONDE = {"Libourne": ["5 57"], "Lormont": ["5 56", "5 57"], "Cenon": ["5 56", "5 57"],
                 "Floirac": ["5 56", "5 57"], "Bordeaux:33100": ["5 56", "5 57"]}
PHONE_GIRONDE_DEFAULT = ["5 56", "5 56", "5 57"]
PHONE_PLOERMEL = {"Ploërmel": ["2 97 73", "2 97 74", "2 97 93"],
                  "Josselin": ["2 97 22", "2 97 75"], "Mauron": ["2 97 22", "2 97 93"]}
PHONE_PLOERMEL_DEFAULT = ["2 97 74", "2 97 93", "2 97 22"]

# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

FEMALE = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Marie", "Claire",
    "Émilie", "Laura", "Pauline", "Élodie", "Aurélie", "Mathilde", "Lucie", "Anaïs",
    "Céline", "Sophie", "Nathalie", "Isabelle", "Sandrine", "Hélène", "Charlotte",
    "Margaux", "Justine", "Amandine", "Audrey", "Caroline", "Delphine", "Virginie",
    "Stéphanie", "Valérie", "Alice", "Louise", "Jeanne", "Agathe", "Clémence",
    "Fanny", "Anne", "Cécile", "Florence", "Estelle", "Laetitia", "Yasmine",
    "Leïla", "Salomé", "Romane", "Océane", "Élise", "Juliette", "Bérénice",
    "Myriam", "Khadija", "Mei", "Aïcha", "Sonia", "Marion", "Noémie",
]
MALE = [
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Hugo", "Lucas", "Romain",
    "Guillaume", "Alexandre", "Pierre", "Mathieu", "Sébastien", "Jérôme", "Vincent",
    "Olivier", "Laurent", "Christophe", "Franck", "David", "Benoît", "Arnaud",
    "Cédric", "Damien", "Florian", "Kévin", "Quentin", "Baptiste", "Clément",
    "Adrien", "Simon", "Paul", "Louis", "Jean-Marc", "Jean-Philippe", "François",
    "Xavier", "Karim", "Mehdi", "Samir", "Youssef", "Hervé", "Patrice", "Stéphane",
    "Éric", "Bruno", "Thierry", "Rémi", "Théo", "Bastien", "Gilles", "Alain",
    "Minh", "Raphaël", "Frédéric", "Fabien", "Ludovic", "Grégory",
]
BRETON_FEMALE = ["Nolwenn", "Gwenaëlle", "Maëlle", "Soizic", "Katell", "Morgane",
                 "Annaïg", "Enora", "Rozenn", "Armelle"]
BRETON_MALE = ["Erwan", "Yannick", "Gwenaël", "Loïc", "Ronan", "Tanguy", "Mikaël",
               "Gaël", "Yann", "Corentin", "Brieuc", "Goulven"]

LAST_GIRONDE = [
    "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent",
    "Simon", "Michel", "Garcia", "Fernandez", "Lopez", "Martinez", "Dupuy",
    "Lacoste", "Laporte", "Lafon", "Cazenave", "Lamarque", "Sarrazin", "Puyo",
    "Barthe", "Daney", "Lagarde", "Estève", "Gaillard", "Roussel", "Mercier",
    "Blanc", "Guérin", "Faure", "Rousseau", "Fontaine", "Chevalier", "Masson",
    "Sanchez", "Pereira", "Rodrigues", "Kowalski", "Mendy", "Diallo", "Traoré",
    "Bouvier", "Perrin", "Marchand", "Dumas", "Renaud", "Brunet", "Giraud",
    "Vidal", "Lemoine", "Colin", "Baron", "Leclerc", "Carré", "Picard",
    "Barbier", "Gauthier", "Lambert", "Bonnet", "Legrand", "Garnier", "Fabre",
    "Rolland", "Aubert", "Caron", "Roche", "Hoarau", "Tessier", "Pujol",
    "Bacquey", "Courrèges", "Dufau", "Lescure", "Larrieu", "Cassagne", "Mora",
    "Benhamou", "Ait Ali", "Tran", "Lebrun", "Dupin", "Sabatier", "Lasserre",
    "Bergès", "Capdevielle", "Soulé", "Despujols", "Ferrer", "Navarro", "Okafor",
    "Boyer", "Ménard", "Delmas", "Teixeira", "Brossard", "Hamel", "Saint-Marc",
    "Labarthe", "Arrouy", "Duboscq", "Lafitte", "Mesplède", "Pédeboscq", "Castets",
    "Bourdieu", "Lataste", "Dulucq", "Bayle", "Loustau", "Carrère", "Cabanes",
    "Fourcade", "Maurin", "Poulain", "Lemaire", "Jacquet", "Weber", "Schmitt",
    "Muller", "Hoffmann", "Costa", "Almeida", "Ribeiro", "Santos", "Moulin",
    "Bertin", "Guillot", "Huet", "Marty", "Besson", "Prévost", "Hubert", "Charrier",
    "Benmansour", "Zerrouki", "Nakamura", "Lefort", "Vasseur", "Meunier", "Tardieu",
]
LAST_BRETON = [
    "Le Goff", "Le Gall", "Le Breton", "Thébault", "Pichon", "Daniel", "Lorho",
    "Le Hir", "Quéré", "Riou", "Kerhervé", "Le Bris", "Évain", "Ollivier", "Robic",
    "Houeix", "Le Cam", "Perrot", "Boulanger", "Mahé", "Guillemot", "Le Meur",
    "Rouxel", "Josse", "Allain", "Briand", "Chesnais", "Hamon", "Le Dréau",
]


def fold(text: str) -> str:
    """ASCII-fold: 'Gwenaëlle Le Bœuf' -> 'Gwenaelle Le Boeuf'."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def email_part(name: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", fold(name).lower().replace(" ", "").replace("'", ""))


def slugify(name: str) -> str:
    s = fold(name).lower().replace("&", " ").replace("'", " ").replace("’", " ")
    words = re.findall(r"[a-z0-9]+", s)
    stop = {"de", "du", "des", "d", "l", "et", "en"}
    words = [w for i, w in enumerate(words) if i == 0 or w not in stop]
    return "-".join(words)


# --------------------------------------------------------------------------
# Luhn (SIREN / SIRET)
# --------------------------------------------------------------------------

def luhn(number: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    assert number.isdigit()
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    """Append the single digit that makes prefix+digit Luhn-valid."""
    for d in "0123456789":
        if luhn(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


# Sanity checks of luhn() on identifiers published by large French companies
# (known-good test vectors), plus a few negatives.
assert luhn("356000000")            # a SIREN
assert luhn("732829320")            # a SIREN
assert luhn("73282932000074")       # a SIRET of the previous SIREN
assert not luhn("732829321")
assert not luhn("73282932000075")
assert luhn_complete("73282932") == "732829320"


# --------------------------------------------------------------------------
# Row specs
# --------------------------------------------------------------------------

def E(name, kind, naf, band, place, desc, labels="", role="member",
      person=None, last=None, gender=None, title=None, domain=None, tld=None, seq=None):
    """One organisation. person=(first, last, 'F'|'M') fixes the contact;
    last= fixes only the surname (family businesses) and gender= only the
    gender (when the description is gendered); title= fixes the title as
    'masculine/feminine' or a single word; domain= overrides the slug."""
    return dict(name=name, kind=kind, naf=naf, band=band, place=place, desc=desc,
                labels=labels, role=role, person=person, last=last, gender=gender,
                title=title, domain=domain, tld=tld, seq=seq)


DIGITAL = [
    # ---- animator, partners, observers -----------------------------------
    E("Grappe Numérique Garonne", "association", "94.99Z", "3-5", "Bordeaux:33800",
      "Association qui anime le cluster numérique de la métropole bordelaise : rencontres entre membres, ateliers de mutualisation et actions collectives.",
      role="animator", title="Délégué général/Déléguée générale", domain="grappe-numerique-garonne"),
    E("Syndicat mixte Garonne Développement Numérique", "public_body", "84.11Z", "20-49", "Bordeaux:33000",
      "Syndicat mixte des collectivités de la métropole qui cofinance les actions du cluster et soutient les usages numériques des entreprises.",
      role="partner", title="Chargé de mission économie numérique/Chargée de mission économie numérique",
      domain="garonne-developpement-numerique"),
    E("Institut Aquitain de Recherche en Informatique Appliquée", "research_training", "72.19Z", "50-249", "Talence",
      "Laboratoire de recherche en informatique appliquée (IA frugale, systèmes embarqués, interaction humain-machine) qui ouvre ses plateformes aux PME.",
      role="partner", title="Directeur de la valorisation/Directrice de la valorisation", domain="iaria-recherche"),
    E("École Garonne des Métiers du Numérique", "research_training", "85.42Z", "20-49", "Bègles",
      "École d'enseignement supérieur privée qui forme en alternance des développeurs, des administrateurs systèmes et des chefs de projet web.",
      labels="Qualiopi", role="partner", title="Directeur des relations entreprises/Directrice des relations entreprises",
      domain="ecole-garonne-numerique"),
    E("Fonds Estuaire Entreprendre", "association", "64.92Z", "3-5", "Bordeaux:33000",
      "Association de prêts d'honneur qui finance la création et le développement des jeunes entreprises numériques de la métropole.",
      role="partner", title="Directeur/Directrice"),
    E("Garonne Développement SPL", "local_public_company", "70.22Z", "20-49", "Bordeaux:33000",
      "Société publique locale de développement économique qui suit les implantations d'entreprises dans les parcs d'activités de la métropole.",
      role="observer", title="Chargé d'affaires implantations/Chargée d'affaires implantations",
      domain="garonne-developpement"),
    E("Tiers-Lieux Rive Droite", "association", "94.99Z", "1-2", "Cenon",
      "Collectif de tiers-lieux de la rive droite qui accueille des indépendants du numérique et relaie les actions du cluster.",
      role="observer", title="Coordinateur/Coordinatrice"),
    # ---- board --------------------------------------------------------------
    E("Pixel & Garonne", "company", "62.01Z", "6-9", "Bordeaux:33300",
      "Agence web spécialisée dans les sites e-commerce pour les artisans d'art et les métiers de bouche.",
      labels="Numérique Responsable", role="board", title="Président/Présidente"),
    E("Vignalogic", "company", "58.29C", "10-19", "Mérignac",
      "Éditeur d'un logiciel de gestion de chai et de traçabilité pour les domaines viticoles.",
      labels="JEI", role="board", title="Directeur général/Directrice générale", tld="com"),
    E("Cyberdune Sécurité", "company", "62.02A", "10-19", "Mérignac",
      "Cabinet de cybersécurité qui réalise audits, tests d'intrusion et accompagnement à la conformité NIS 2 des PME.",
      labels="ExpertCyber|PASSI", role="board", title="Gérant/Gérante"),
    E("Data Lisière", "company", "62.02A", "3-5", "Talence",
      "Conseil en science des données qui aide les PME industrielles à exploiter leurs données de production et de maintenance.",
      role="board", title="Co-fondateur/Co-fondatrice"),
    E("Atelier Coquelicot Design", "company", "74.10Z", "1-2", "Bègles",
      "Studio de design UX/UI qui conçoit des interfaces accessibles pour les services publics et les mutuelles.",
      role="board", title="Gérant/Gérante"),
    # ---- web agencies -------------------------------------------------------
    E("Les Quais Numériques", "company", "62.01Z", "3-5", "Bordeaux:33800",
      "Agence web qui crée et maintient des sites vitrines WordPress pour les commerces de proximité."),
    E("Bulle d'Encre Studio", "company", "73.11Z", "1-2", "Bordeaux:33000",
      "Agence de communication digitale qui réalise sites, chartes graphiques et lettres d'information pour les associations culturelles."),
    E("Webcraft Aquitaine", "company", "62.01Z", "6-9", "Mérignac",
      "Agence de développement web spécialisée dans les applications métiers sur mesure en Symfony et Vue.js.", tld="com"),
    E("Trois Ponts Digital", "company", "62.01Z", "3-5", "Bordeaux:33100",
      "Agence web qui conçoit des boutiques en ligne Shopify et PrestaShop pour les marques de mode indépendantes."),
    E("Onde Claire", "company", "62.01Z", "1-2", "Le Bouscat",
      "Agence web éco-conçue qui refond les sites existants pour réduire leur poids et leur consommation d'énergie.",
      labels="Numérique Responsable"),
    E("Mascaret Interactive", "company", "62.01Z", "10-19", "Bordeaux:33300",
      "Agence digitale qui réalise sites et applications de visite pour les offices de tourisme et les lieux culturels.", tld="com"),
    E("Bastide Web Factory", "company", "62.01Z", "3-5", "Bordeaux:33100",
      "Agence qui développe des sites de réservation en ligne pour les gîtes, campings et restaurants."),
    E("Sites & Sarments", "company", "62.01Z", "1-2", "Libourne",
      "Agence web dédiée aux domaines viticoles : sites bilingues, boutique en ligne et club de clients."),
    E("Kiosque Numérique", "company", "73.11Z", "3-5", "Pessac",
      "Agence de communication qui accompagne les communes rurales dans leur site internet et leurs réseaux sociaux."),
    E("Palombe Studio", "company", "62.01Z", "6-9", "Bordeaux:33000",
      "Agence web spécialisée dans les sites multilingues pour les PME exportatrices."),
    E("Lumen & Code", "company", "62.01Z", "1-2", "Talence",
      "Agence qui intègre et maintient des sites Drupal pour les universités et les établissements de santé."),
    E("Darriet Développement Web", "independent", "62.01Z", "0", "Eysines",
      "Développeuse web indépendante qui crée des sites vitrines et des tunnels de vente pour les thérapeutes et les coachs.",
      person=("Camille", "Darriet", "F"), title="Développeuse indépendante"),
    E("Hugo Lafargue Webdesign", "independent", "62.01Z", "0", "Bruges",
      "Webdesigner indépendant qui réalise maquettes et sites Webflow pour les jeunes pousses.",
      person=("Hugo", "Lafargue", "M"), title="Webdesigner indépendant"),
    # ---- software publishers ------------------------------------------------
    E("Parcelle Logiciels", "company", "58.29C", "6-9", "Blanquefort",
      "Éditeur d'un logiciel de planification des cultures et de suivi des interventions pour les maraîchers.",
      labels="JEI"),
    E("Médiane Santé", "company", "58.29C", "20-49", "Mérignac",
      "Éditeur d'un logiciel de prise de rendez-vous et de dossier patient pour les centres de santé pluridisciplinaires.",
      labels="ISO 27001", title="Directeur général/Directrice générale"),
    E("Octave Gestion", "company", "58.29C", "10-19", "Bordeaux:33800",
      "Éditeur d'un progiciel de devis, de facturation électronique et de gestion commerciale pour les TPE du bâtiment."),
    E("Sillon Logiciel", "company", "58.29C", "3-5", "Pessac",
      "Éditeur d'une application sur tablette de suivi des chantiers et des bons d'intervention."),
    E("Quillon Systèmes", "company", "58.29A", "10-19", "Mérignac",
      "Éditeur de logiciels de supervision réseau et de gestion de parc informatique pour les collectivités."),
    E("Compilab", "company", "58.29B", "3-5", "Talence",
      "Éditeur d'outils de test automatisé et d'intégration continue pour les équipes de développement embarqué.",
      labels="JEI", tld="com"),
    E("Studio Lune d'Eau", "company", "58.21Z", "6-9", "Bègles",
      "Studio indépendant qui développe et édite des jeux vidéo narratifs pour PC et consoles.", tld="com"),
    E("Pépites Games", "company", "58.21Z", "3-5", "Bordeaux:33300",
      "Studio qui conçoit des jeux sérieux pour former les salariés de l'industrie et du transport.", tld="com"),
    E("Assoclic", "company", "58.29C", "1-2", "Floirac",
      "Éditeur d'une plateforme de gestion des adhésions, des cotisations et des bénévoles pour les associations.",
      labels="ESUS"),
    E("Flotte Pilote", "company", "58.29C", "10-19", "Le Haillan",
      "Éditeur d'un logiciel de gestion de flotte et d'optimisation des tournées pour les transporteurs régionaux."),
    E("Cadastre Vivant", "company", "58.29C", "6-9", "Bordeaux:33000",
      "Éditeur d'un outil cartographique qui aide les communes à suivre leur foncier et leurs autorisations d'urbanisme."),
    E("Eduquiz", "company", "58.29C", "3-5", "Gradignan",
      "Éditeur d'une plateforme d'apprentissage en ligne pour la formation des professionnels de l'aide à domicile."),
    E("Talent Pin", "company", "58.29C", "6-9", "Bordeaux:33800",
      "Éditeur d'un logiciel de recrutement et d'intégration des saisonniers pour l'hôtellerie-restauration.", tld="com"),
    E("Ventilo Paie", "company", "58.29C", "20-49", "Mérignac",
      "Éditeur d'un logiciel de paie et de gestion des temps en mode SaaS pour les cabinets d'expertise comptable.",
      title="Directeur général/Directrice générale"),
    E("Arpège Immo", "company", "58.29C", "3-5", "Le Bouscat",
      "Éditeur d'un logiciel de gestion locative pour les petites agences immobilières."),
    # ---- IT services ----------------------------------------------------------
    E("Garonne Infogérance", "company", "62.03Z", "10-19", "Mérignac",
      "Infogérance des serveurs et des postes de travail pour les cabinets médicaux, notariaux et comptables."),
    E("Sud Réseaux Services", "company", "62.02B", "6-9", "Villenave-d'Ornon",
      "Tierce maintenance des progiciels de gestion et support aux utilisateurs pour les PME industrielles."),
    E("Quai 33 Consulting", "company", "62.02A", "20-49", "Bordeaux:33000",
      "Société de conseil en systèmes d'information qui pilote les projets ERP et la transformation numérique des ETI.",
      title="Directeur associé/Directrice associée", tld="com"),
    E("Atelier Clic Réparation", "company", "95.11Z", "1-2", "Lormont",
      "Atelier de dépannage et de réparation d'ordinateurs pour les particuliers et les très petites entreprises de la rive droite."),
    E("Reboot Solidaire", "company", "95.11Z", "6-9", "Bègles",
      "Entreprise solidaire qui reconditionne les ordinateurs d'entreprises et les revend à prix réduit aux associations et aux étudiants.",
      labels="ESUS"),
    E("Moulin Digital Services", "company", "62.09Z", "3-5", "Saint-Médard-en-Jalles",
      "Installation et maintenance de réseaux, de téléphonie IP et de vidéoprotection pour les commerces et les PME."),
    E("Pivot Informatique", "company", "62.02B", "6-9", "Cenon",
      "Maintenance informatique sous contrat pour les écoles privées, les associations et les petites collectivités."),
    E("Néo Support", "company", "62.03Z", "10-19", "Pessac",
      "Centre de services qui assure le support informatique à distance et l'administration des postes pour les réseaux de franchisés."),
    E("Cépage Conseil IT", "company", "62.02A", "3-5", "Libourne",
      "Conseil en systèmes d'information pour les négociants en vins : choix d'ERP, échanges EDI et pilotage de projet."),
    E("Archipel SI", "company", "62.02A", "50-249", "Mérignac",
      "Entreprise de services numériques qui mène des projets de développement et d'intégration pour l'aéronautique et la défense.",
      labels="ISO 27001", title="Responsable commercial/Responsable commerciale", seq=2),
    E("Orée Numérique", "company", "62.09Z", "1-2", "Blanquefort",
      "Déploiement de postes de travail, de Wi-Fi et d'outils collaboratifs pour les TPE et les professions libérales."),
    E("Thomas Castaing Conseil SI", "independent", "62.02A", "0", "Bordeaux:33200",
      "Consultant indépendant qui aide les dirigeants de PME à choisir et déployer leurs logiciels de gestion.",
      person=("Thomas", "Castaing", "M"), title="Consultant indépendant"),
    E("Benali Développement", "independent", "62.01Z", "0", "Bordeaux:33800",
      "Développeuse freelance spécialisée dans les applications mobiles Flutter pour les unions de commerçants.",
      person=("Nadia", "Benali", "F"), title="Développeuse freelance"),
    E("Codeurs Associés du Sud-Ouest", "company", "62.01Z", "20-49", "Bordeaux:33300",
      "Coopérative de développeurs qui conçoit des applications web et mobiles pour l'économie sociale et solidaire.",
      labels="ESUS", title="Co-gérant/Co-gérante", domain="codeurs-associes"),
    E("Estran Informatique", "company", "62.02B", "3-5", "Le Haillan",
      "Tierce maintenance des logiciels de caisse et des terminaux de paiement pour les commerces de détail."),
    E("Alcyon Intégration", "company", "62.02A", "10-19", "Bordeaux:33800",
      "Intégration de solutions CRM et d'automatisation des ventes pour les PME de services."),
    E("Ondine Objets Connectés", "company", "62.01Z", "6-9", "Pessac",
      "Conception de capteurs connectés et de leurs applications pour le suivi énergétique des bâtiments tertiaires.",
      labels="JEI"),
    # ---- cybersecurity --------------------------------------------------------
    E("Vigie Cyber", "company", "62.02A", "3-5", "Bordeaux:33000",
      "Sensibilisation des salariés à l'hameçonnage et accompagnement des TPE dans leur plan de sécurité informatique.",
      labels="ExpertCyber"),
    E("Bastion Numérique", "company", "62.09Z", "6-9", "Mérignac",
      "Surveillance des systèmes d'information et réponse aux incidents de sécurité pour les PME et les collectivités.",
      labels="ExpertCyber"),
    E("Rempart Conseil", "company", "70.22Z", "1-2", "Talence",
      "Conseil en gouvernance de la sécurité et mise en conformité RGPD pour les établissements médico-sociaux."),
    E("Julien Ducasse Cybersécurité", "independent", "62.02A", "0", "Gradignan",
      "Pentesteur indépendant qui réalise des tests d'intrusion d'applications web pour les éditeurs de logiciels.",
      person=("Julien", "Ducasse", "M"), title="Consultant en cybersécurité"),
    E("Sentinelle Sauvegarde", "company", "63.11Z", "3-5", "Artigues-près-Bordeaux",
      "Sauvegarde externalisée et plans de reprise d'activité pour les TPE, avec des copies hébergées en France."),
    E("Cryptal", "company", "58.29A", "10-19", "Talence",
      "Éditeur d'une solution de chiffrement des échanges de fichiers pour les cabinets d'avocats et les études notariales.",
      labels="JEI", tld="com"),
    E("Cyber Pilotis", "company", "62.02A", "1-2", "Bègles",
      "Accompagnement des PME industrielles dans la sécurisation de leurs réseaux de production et de leurs automates."),
    # ---- data / AI -------------------------------------------------------------
    E("Datavoile", "company", "62.02A", "6-9", "Bordeaux:33300",
      "Cabinet de conseil en données qui construit tableaux de bord et entrepôts de données pour les réseaux de distribution."),
    E("Sémaphore IA", "company", "62.01Z", "10-19", "Bordeaux:33800",
      "Développement d'assistants de traitement automatique des courriers et des documents administratifs pour les mutuelles.",
      labels="JEI", tld="com"),
    E("Vision Terroir", "company", "62.01Z", "3-5", "Blanquefort",
      "Analyse d'images de drones par apprentissage automatique pour détecter les maladies de la vigne."),
    E("Statistica Garonne", "company", "73.20Z", "3-5", "Talence",
      "Études statistiques et enquêtes en ligne pour les collectivités et les observatoires économiques."),
    E("Graphe & Sens", "company", "62.02A", "1-2", "Floirac",
      "Conseil en visualisation de données et en ouverture des données publiques pour les collectivités."),
    E("Sarah Nguyen Data", "independent", "62.02A", "0", "Bordeaux:33100",
      "Data scientist indépendante qui construit des modèles de prévision des ventes pour le commerce de détail.",
      person=("Sarah", "Nguyen", "F"), title="Data scientist indépendante"),
    E("Frugal IA", "company", "62.01Z", "3-5", "Talence",
      "Conception de modèles d'intelligence artificielle légers, embarqués dans les machines agricoles et industrielles.",
      labels="JEI|Numérique Responsable"),
    E("Lexique Machine", "company", "58.29C", "6-9", "Bordeaux:33000",
      "Éditeur d'un outil de recherche juridique et de rédaction assistée pour les petits cabinets d'avocats."),
    E("Quantis Énergie Data", "company", "63.11Z", "6-9", "Mérignac",
      "Collecte et analyse des données de consommation énergétique des bâtiments pour les bailleurs sociaux."),
    # ---- digital marketing ------------------------------------------------------
    E("Zéphyr Acquisition", "company", "73.11Z", "6-9", "Bordeaux:33000",
      "Agence d'acquisition en ligne qui pilote les campagnes publicitaires sur les moteurs de recherche et les réseaux sociaux des sites marchands."),
    E("Référence Locale", "company", "73.11Z", "1-2", "Mérignac",
      "Agence de référencement local qui améliore la visibilité des commerces et des artisans dans les moteurs de recherche et les cartes."),
    E("Écho Social Media", "company", "73.11Z", "3-5", "Bordeaux:33800",
      "Agence de gestion des réseaux sociaux et de création de vidéos courtes pour les enseignes de restauration."),
    E("Plume Digitale", "independent", "73.11Z", "0", "Le Bouscat",
      "Rédactrice web indépendante spécialisée dans les contenus optimisés pour le référencement des sites B2B.",
      person=("Léa", "Bordes", "F"), title="Rédactrice web indépendante"),
    E("Adlink Atlantique", "company", "73.12Z", "10-19", "Bordeaux:33300",
      "Régie publicitaire qui commercialise les espaces numériques des médias locaux et des sites d'information régionaux.",
      title="Responsable commercial/Responsable commerciale", tld="com"),
    E("Influence Garonne", "company", "73.11Z", "3-5", "Bordeaux:33000",
      "Agence qui met en relation les marques régionales avec des créateurs de contenus locaux."),
    E("Marché Local Connecté", "company", "63.12Z", "3-5", "Bègles",
      "Place de marché en ligne qui relie les producteurs locaux aux cantines et aux restaurants de la métropole.",
      labels="ESUS"),
    E("Agenda Estuaire", "company", "63.12Z", "1-2", "Bordeaux:33100",
      "Portail d'information qui recense les sorties culturelles et les événements familiaux de la métropole."),
    E("Courriel & Cie", "company", "73.11Z", "1-2", "Cenon",
      "Conception et envoi de campagnes d'e-mailing et de scénarios d'automatisation marketing pour les commerçants en ligne."),
    E("Studio Fanal Vidéo", "company", "59.11B", "3-5", "Bordeaux:33300",
      "Production de vidéos institutionnelles, de tutoriels et de films de marque pour les entreprises régionales."),
    E("Clairière RP", "company", "70.21Z", "1-2", "Talence",
      "Conseil en relations presse et en communication numérique pour les jeunes pousses et les laboratoires."),
    E("Antoine Lalanne Growth", "independent", "70.22Z", "0", "Bordeaux:33000",
      "Consultant indépendant en stratégie de croissance qui accompagne les éditeurs de logiciels dans leur prospection commerciale.",
      person=("Antoine", "Lalanne", "M"), title="Consultant indépendant"),
    # ---- UX / design ---------------------------------------------------------------
    E("Atelier Contraste", "company", "74.10Z", "3-5", "Bordeaux:33000",
      "Studio de design d'interfaces qui réalise audits d'ergonomie et tests utilisateurs pour les applications métiers."),
    E("Boussole UX", "company", "74.10Z", "1-2", "Pessac",
      "Conseil en expérience utilisateur qui accompagne les éditeurs de logiciels dans la refonte de leurs parcours clients."),
    E("Accessible & Simple", "company", "74.10Z", "1-2", "Bordeaux:33800",
      "Cabinet spécialisé dans les audits d'accessibilité numérique RGAA et la formation des équipes de développement."),
    E("Inès Haddad Design", "independent", "74.10Z", "0", "Bègles",
      "Designer UI indépendante qui crée des systèmes de design et des maquettes d'applications mobiles.",
      person=("Inès", "Haddad", "F"), title="Designer indépendante"),
    E("Grain de Sel Graphisme", "company", "74.10Z", "1-2", "Eysines",
      "Studio de graphisme qui conçoit identités visuelles, emballages et supports imprimés pour les producteurs locaux."),
    E("Forme Utile", "company", "74.10Z", "3-5", "Bordeaux:33100",
      "Agence de design de services qui co-conçoit avec les usagers les démarches en ligne des collectivités."),
    E("Baptiste Morel Motion Design", "independent", "74.10Z", "0", "Floirac",
      "Motion designer indépendant qui réalise des animations explicatives pour les sites web et les salons professionnels.",
      person=("Baptiste", "Morel", "M"), title="Motion designer indépendant"),
    # ---- hosting / infrastructure ---------------------------------------------------
    E("Nuage Girondin", "company", "63.11Z", "6-9", "Blanquefort",
      "Hébergeur régional qui exploite un petit centre de données et propose serveurs virtuels et stockage aux PME.",
      labels="ISO 27001|Numérique Responsable"),
    E("Sud Datacenter Services", "company", "63.11Z", "20-49", "Saint-Médard-en-Jalles",
      "Exploitation d'un centre de données en colocation et services de cloud privé pour les ETI et les établissements de santé.",
      labels="HDS|ISO 27001", title="Directeur des opérations/Directrice des opérations", tld="com"),
    E("Estey Hébergement", "company", "63.11Z", "1-2", "Bordeaux:33300",
      "Hébergement et infogérance de sites WordPress et PrestaShop avec sauvegardes quotidiennes pour les agences web."),
    E("Réseaux Garonne Télécom", "company", "61.90Z", "6-9", "Bassens",
      "Opérateur qui fournit accès fibre, liens de secours et téléphonie aux entreprises des zones d'activités."),
    E("Serveur Vert", "company", "63.11Z", "3-5", "Cestas",
      "Hébergement cloud alimenté en électricité renouvelable, avec mesure de l'empreinte carbone des serveurs de chaque client.",
      labels="Numérique Responsable"),
    E("Passerelle Cloud", "company", "62.03Z", "3-5", "Lormont",
      "Migration et administration des environnements bureautiques en ligne et des messageries pour les PME."),
    # ---- training -------------------------------------------------------------------
    E("Formanum Aquitaine", "company", "85.59A", "6-9", "Mérignac",
      "Organisme de formation continue qui forme les salariés des PME à la bureautique, aux outils collaboratifs et à la cybersécurité.",
      labels="Qualiopi"),
    E("Académie du Code Rive Droite", "company", "85.59A", "10-19", "Cenon",
      "Organisme qui reconvertit des demandeurs d'emploi au métier de développeur web par une formation intensive.",
      labels="Qualiopi", domain="academie-code-rive-droite"),
    E("Passeport Clic", "association", "85.59B", "1-2", "Villenave-d'Ornon",
      "Association qui forme les seniors et les publics éloignés du numérique aux démarches administratives en ligne.",
      title="Président/Présidente"),
    E("Claire Labat Formation", "independent", "85.59A", "0", "Le Haillan",
      "Formatrice indépendante en marketing digital et réseaux sociaux pour les artisans et les commerçants.",
      labels="Qualiopi", person=("Claire", "Labat", "F"), title="Formatrice indépendante"),
    E("Data Campus Formation", "company", "85.59A", "3-5", "Talence",
      "Organisme de formation en analyse de données, Python et outils de visualisation pour les cadres et les techniciens.",
      labels="Qualiopi"),
    E("Petits Codeurs Girondins", "association", "85.59B", "1-2", "Le Bouscat",
      "Association qui anime des ateliers de programmation et de robotique pour les enfants et les adolescents.",
      title="Président/Présidente"),
    # ---- associations -----------------------------------------------------------------
    E("Atelier Partagé des Bassins", "association", "94.99Z", "1-2", "Bordeaux:33300",
      "Fablab associatif qui met imprimantes 3D, découpe laser et électronique à disposition des makers et des entreprises.",
      title="Président/Présidente"),
    E("Numérique Solidaire Gironde", "association", "94.99Z", "3-5", "Bègles",
      "Association qui collecte du matériel informatique et accompagne l'inclusion numérique dans les quartiers prioritaires.",
      labels="ESUS", title="Coordinateur/Coordinatrice"),
    E("Cercle des Responsables Informatiques de Gironde", "association", "94.99Z", "0", "Mérignac",
      "Club qui réunit les responsables informatiques de PME pour partager leurs retours d'expérience et organiser des achats groupés.",
      title="Président/Présidente", domain="cercle-dsi-gironde"),
    E("Elles Codent en Gironde", "association", "94.99Z", "1-2", "Bordeaux:33000",
      "Association qui promeut la mixité dans les métiers du numérique par du mentorat et des rencontres professionnelles.",
      person=("Aïcha", "Traoré", "F"), title="Présidente"),
    # ---- more members -------------------------------------------------------------------
    E("Carto Sud", "company", "62.01Z", "3-5", "Bruges",
      "Développement de cartes interactives et de systèmes d'information géographique pour les syndicats de rivière et les communes."),
    E("Cap Transition Numérique", "company", "70.22Z", "1-2", "Gradignan",
      "Conseil en transformation numérique qui réalise diagnostics et plans d'action pour les TPE artisanales.",
      labels="Activateur France Num"),
    E("Photon Studio 360", "company", "74.20Z", "1-2", "Bordeaux:33200",
      "Réalisation de visites virtuelles à 360° et de photographies pour les agences immobilières et les hôtels."),
    E("Caisse Facile Aquitaine", "company", "46.51Z", "6-9", "Mérignac",
      "Vente, installation et paramétrage de systèmes de caisse et de terminaux mobiles pour les restaurants."),
    E("Paraphe Numérique", "company", "58.29C", "3-5", "Bordeaux:33800",
      "Éditeur d'une solution de signature électronique et d'archivage des contrats pour les agences d'intérim."),
    E("Voix Off Garonne", "company", "59.20Z", "1-2", "Bègles",
      "Studio de production de podcasts de marque et de contenus audio pour les entreprises et les institutions."),
    E("Automates & Co", "company", "62.01Z", "6-9", "Saint-Médard-en-Jalles",
      "Développement de logiciels de pilotage d'automates et de supervision industrielle pour les sous-traitants aéronautiques."),
    E("Billetterie Locale", "company", "58.29C", "3-5", "Bordeaux:33100",
      "Éditeur d'une billetterie en ligne et d'un contrôle d'accès mobile pour les festivals et les salles de spectacle."),
    E("Mouvement Appli", "company", "62.01Z", "3-5", "Pessac",
      "Développement d'applications mobiles d'exercices et de suivi à distance pour les masseurs-kinésithérapeutes."),
    E("Mathilde Roux Projets Digitaux", "independent", "70.22Z", "0", "Talence",
      "Cheffe de projet digital indépendante qui pilote la refonte des sites de PME et de fédérations professionnelles.",
      person=("Mathilde", "Roux", "F"), title="Cheffe de projet indépendante"),
    E("Colis Malin Connect", "company", "62.01Z", "6-9", "Bruges",
      "Développement de connecteurs entre boutiques en ligne, transporteurs et logiciels de gestion des stocks."),
    E("Contrat Clair", "company", "58.29C", "1-2", "Bordeaux:33000",
      "Éditeur d'une application de génération de contrats et de conditions générales pour les indépendants."),
    E("Romain Dupouy Réseaux", "independent", "62.09Z", "0", "Ambarès-et-Lagrave",
      "Technicien réseau indépendant qui installe câblage, Wi-Fi et téléphonie dans les petites entreprises.",
      person=("Romain", "Dupouy", "M"), title="Technicien indépendant"),
    E("Sobriété Numérique Conseil", "company", "70.22Z", "1-2", "Bordeaux:33800",
      "Cabinet qui mesure l'empreinte environnementale des services numériques et accompagne leur écoconception.",
      labels="Numérique Responsable|Lucie"),
    E("Assemblée Facile", "company", "58.29C", "1-2", "Mérignac",
      "Éditeur d'un outil de vote en ligne et de gestion des assemblées générales pour les associations et les copropriétés."),
    E("Traduire & Localiser", "company", "74.30Z", "1-2", "Bordeaux:33200",
      "Agence de traduction et de localisation de logiciels, de jeux vidéo et de sites web vers les langues européennes.",
      domain="traduire-localiser"),
    E("Pôle Impression 3D Jalles", "company", "32.99Z", "3-5", "Saint-Médard-en-Jalles",
      "Prototypage rapide et petites séries en impression 3D pour les bureaux d'études et les start-up du matériel.",
      domain="impression3d-jalles"),
    E("Lueur Réalité Virtuelle", "company", "62.01Z", "3-5", "Bordeaux:33300",
      "Conception d'expériences de réalité virtuelle pour la formation à la sécurité sur les sites industriels.", tld="com"),
    E("Ressources Pixels RH", "company", "78.10Z", "3-5", "Bordeaux:33000",
      "Cabinet de recrutement spécialisé dans les profils de développeurs, d'administrateurs systèmes et de chefs de projet.",
      domain="ressources-pixels"),
    E("Nathan Cazaux Développement", "independent", "62.01Z", "0", "Villenave-d'Ornon",
      "Développeur indépendant qui crée des extensions et des intégrations sur mesure pour les boutiques WooCommerce.",
      person=("Nathan", "Cazaux", "M"), title="Développeur indépendant"),
]

ARTISANS = [
    E("Artisans Rénovation Pays de Ploërmel", "association", "94.12Z", "1-2", "Ploërmel",
      "Association d'artisans du bâtiment qui anime un groupement pour proposer aux particuliers une offre globale de rénovation énergétique.",
      role="animator", title="Animateur/Animatrice", domain="artisans-renovation-ploermel"),
    E("Thermi'Yvel Études", "company", "71.12B", "3-5", "Ploërmel",
      "Bureau d'études thermiques qui réalise les audits énergétiques réglementaires et les plans de rénovation des maisons individuelles.",
      labels="RGE OPQIBI", title="Gérant/Gérante", domain="thermi-yvel"),
    E("Le Guen Plomberie Chauffage", "company", "43.22A", "3-5", "Ploërmel",
      "Plombier chauffagiste qui remplace les chaudières fioul par des chaudières à granulés et des ballons thermodynamiques.",
      labels="RGE Qualit'EnR", last="Le Guen", domain="leguen-plomberie"),
    E("Brocéliande Énergies PAC", "company", "43.22B", "6-9", "Taupont",
      "Installateur de pompes à chaleur air-eau et géothermiques, qui assure aussi leur entretien annuel sous contrat.",
      labels="RGE QualiPAC", domain="broceliande-energies-pac"),
    E("Jégo Chauffage Sanitaire", "company", "43.22B", "1-2", "Josselin",
      "Chauffagiste qui installe poêles et chaudières à bois et assure leur ramonage et leur entretien.",
      labels="RGE QualiBois", last="Jégo"),
    E("Robin Plomberie", "independent", "43.22A", "0", "Loyat",
      "Plombier indépendant spécialisé dans la rénovation des salles de bains et leur adaptation au vieillissement.",
      labels="Handibat", last="Robin", gender="M", title="Artisan/Artisane"),
    E("Solaire du Porhoët", "company", "43.22B", "3-5", "Guilliers",
      "Pose de chauffe-eau solaires et de panneaux photovoltaïques en autoconsommation pour les maisons et les exploitations agricoles.",
      labels="RGE QualiSol|RGE QualiPV", domain="solaire-porhoet"),
    E("Électricité Morvan", "company", "43.21A", "3-5", "Ploërmel",
      "Électricien qui réalise mises aux normes, tableaux électriques et bornes de recharge pour véhicules électriques.",
      labels="RGE Qualifelec", last="Morvan"),
    E("Tanguy Élec", "independent", "43.21A", "0", "Campénéac",
      "Électricien indépendant qui installe ventilations mécaniques et radiateurs à inertie dans les maisons anciennes.",
      last="Tanguy", gender="M", title="Artisan/Artisane"),
    E("Le Floch Électricité Domotique", "company", "43.21A", "6-9", "Josselin",
      "Installation électrique et domotique pour piloter le chauffage et les volets des logements rénovés.",
      labels="RGE Qualifelec", last="Le Floch", domain="lefloch-electricite"),
    E("Isol'Ouest 56", "company", "43.29A", "6-9", "Ploërmel",
      "Isolation des combles perdus par soufflage de ouate de cellulose et isolation des planchers bas.",
      labels="RGE Qualibat", domain="isolouest56"),
    E("Chanvre & Chaux Bretagne", "company", "43.29A", "1-2", "Mauron",
      "Isolation thermique des murs anciens en béton de chanvre et enduits chaux-chanvre.",
      labels="RGE Qualibat"),
    E("Façades Isolées de l'Oust", "company", "43.29A", "3-5", "Ploërmel",
      "Isolation thermique par l'extérieur et ravalement des façades de pavillons des années 1970.",
      labels="RGE Qualibat", domain="facades-isolees-oust"),
    E("Menuiserie Gicquel", "company", "43.32A", "6-9", "Ploërmel",
      "Menuisier qui fabrique et pose des fenêtres bois et bois-aluminium à double vitrage pour la rénovation.",
      labels="RGE Qualibat", last="Gicquel"),
    E("Atelier Bois du Lac", "company", "16.23Z", "3-5", "Taupont",
      "Fabrication d'escaliers, de portes et de menuiseries sur mesure en chêne et en châtaignier local."),
    E("Charpente Le Texier", "company", "43.91A", "6-9", "Campénéac",
      "Charpentier qui réalise charpentes, ossatures bois et surélévations de maisons.",
      last="Le Texier", domain="charpente-letexier"),
    E("Guillo Menuiserie PVC", "company", "43.32A", "1-2", "Guilliers",
      "Pose de fenêtres PVC, de volets roulants et de portes d'entrée isolantes.",
      labels="RGE Qualibat", last="Guillo"),
    E("Couverture Le Bihan", "company", "43.91B", "3-5", "Ploërmel",
      "Couvreur qui refait les toitures en ardoise naturelle et isole les rampants par l'extérieur.",
      labels="RGE Qualibat", last="Le Bihan", domain="couverture-lebihan"),
    E("Toitures de l'Yvel", "company", "43.91B", "1-2", "Loyat",
      "Couverture, zinguerie et pose de fenêtres de toit pour les maisons en pierre.",
      domain="toitures-yvel"),
    E("Maçonnerie Rio", "company", "43.99C", "6-9", "Josselin",
      "Maçon qui restaure les longères en pierre et réalise ouvertures, dalles isolées et chapes.",
      last="Rio"),
    E("Maçonnerie Hervé & Fils", "company", "43.99C", "10-19", "Mauron",
      "Entreprise de gros œuvre qui réalise extensions, rénovations complètes et reprises de maçonnerie.",
      last="Hervé", domain="maconnerie-herve"),
    E("Yann Guégan Maçonnerie", "independent", "43.99C", "0", "Taupont",
      "Maçon indépendant spécialisé dans les enduits à la chaux et le rejointoiement des murs en pierre.",
      person=("Yann", "Guégan", "M"), title="Artisan"),
    E("Plâtrerie Lucas", "company", "43.31Z", "3-5", "Ploërmel",
      "Plaquiste qui pose doublages isolants, cloisons et faux plafonds dans les chantiers de rénovation.",
      labels="RGE Qualibat", last="Lucas"),
    E("Le Corre Plâtrerie", "independent", "43.31Z", "0", "Josselin",
      "Plâtrier indépendant qui réalise plafonds, enduits traditionnels et isolation des combles aménagés.",
      last="Le Corre", gender="M", title="Artisan/Artisane", domain="lecorre-platrerie"),
    E("Atelier Couleurs Ploërmelaises", "company", "43.34Z", "3-5", "Ploërmel",
      "Peintre en bâtiment qui réalise peintures intérieures, ravalements et revêtements muraux avec des produits biosourcés.",
      domain="couleurs-ploermelaises"),
    E("Nolwenn Le Moing Peinture", "independent", "43.34Z", "0", "Campénéac",
      "Peintre décoratrice indépendante spécialisée dans les badigeons à la chaux et les peintures naturelles.",
      person=("Nolwenn", "Le Moing", "F"), title="Artisane", domain="lemoing-peinture"),
    E("Carrelage Le Roux", "company", "43.33Z", "1-2", "Ploërmel",
      "Carreleur qui pose carrelages, faïences et chapes sur planchers chauffants.",
      last="Le Roux", domain="carrelage-leroux"),
    E("Air Sain Ventilation", "company", "43.22B", "1-2", "Ploërmel",
      "Installation et entretien de ventilations double flux et de VMC hygroréglables dans les logements rénovés.",
      labels="RGE Qualibat"),
    E("Lise Nicolas Architecte", "independent", "71.11Z", "1-2", "Ploërmel",
      "Architecte indépendante qui conçoit les projets de rénovation globale et prépare les dossiers de permis de construire.",
      person=("Lise", "Nicolas", "F"), title="Architecte", domain="lise-nicolas-architecte"),
    E("Métallerie Gourvès", "company", "43.32B", "3-5", "Mauron",
      "Métallier serrurier qui fabrique garde-corps, portails et menuiseries aluminium à rupture de pont thermique.",
      last="Gourvès"),
]


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------

TITLES_COMPANY_SMALL = ["Gérant/Gérante", "Gérant/Gérante", "Président/Présidente",
                        "Co-fondateur/Co-fondatrice", "Responsable commercial/Responsable commerciale"]
TITLES_COMPANY_LARGE = ["Directeur général/Directrice générale", "Président/Présidente",
                        "Responsable commercial/Responsable commerciale",
                        "Directeur technique/Directrice technique"]
TITLES_ASSOCIATION = ["Président/Présidente", "Coordinateur/Coordinatrice"]
TITLES_ARTISAN_COMPANY = ["Gérant/Gérante", "Gérant/Gérante", "Artisan/Artisane", "Co-gérant/Co-gérante"]
TITLES_ARTISAN_COMPANY_F = ["Gérante", "Co-gérante", "Co-gérante", "Responsable administrative"]


def gendered(title: str, gender: str) -> str:
    if "/" in title:
        masc, fem = title.split("/")
        return fem if gender == "F" else masc
    return title


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sirens: set[str] = set()
        self.phones: set[str] = set()
        self.domains: set[str] = set()
        self.people: set[tuple[str, str]] = set()
        # surnames fixed by the specs are kept for their own rows
        self.reserved_last = {s["person"][1] for s in DIGITAL + ARTISANS if s["person"]} | \
            {s["last"] for s in DIGITAL + ARTISANS if s["last"]}

    # -- identifiers --------------------------------------------------------
    def siren(self, kind: str) -> str:
        r = self.rng
        while True:
            if kind == "public_body":
                prefix = "2" + r.choice(["00", "53", "57"])
            elif kind == "research_training" and r.random() < 0.5:
                prefix = "1" + r.choice(["80", "93", "97"])
            elif kind == "association":
                prefix = r.choice(["4", "5", "7", "8"]) + str(r.randint(0, 9)) + str(r.randint(0, 9))
            else:
                prefix = r.choice(["3", "4", "5", "7", "8", "8", "9", "9", "9"]) + str(r.randint(0, 9)) + str(r.randint(0, 9))
            body = prefix + "".join(str(r.randint(0, 9)) for _ in range(5))
            siren = luhn_complete(body)
            if siren not in self.sirens and siren != "000000000":
                self.sirens.add(siren)
                return siren

    def siret(self, siren: str, seq: int | None) -> str:
        if seq is None:
            seq = self.rng.choice([1, 1, 1, 1, 1, 2, 3])
        siret = luhn_complete(siren + f"{seq:04d}")
        return siret

    # -- people and contact ------------------------------------------------------
    def person(self, spec: dict, breton: bool) -> tuple[str, str, str]:
        r = self.rng
        if spec["person"]:
            first, last, gender = spec["person"]
        else:
            last_pool = (LAST_BRETON if breton else LAST_GIRONDE)
            used_last = {p[1] for p in self.people} | self.reserved_last
            for attempt in range(1000):
                if spec["gender"]:
                    gender = spec["gender"]
                elif breton and spec["kind"] != "association":
                    # building trades: mostly men; women mostly as (co-)managers
                    gender = "F" if r.random() < 0.3 else "M"
                else:
                    gender = r.choice("FM")
                if breton and r.random() < 0.5:
                    first = r.choice(BRETON_FEMALE if gender == "F" else BRETON_MALE)
                else:
                    first = r.choice(FEMALE if gender == "F" else MALE)
                last = spec["last"] or r.choice(last_pool)
                # prefer surnames not yet used; after many tries accept a repeat
                if (first, last) not in self.people and (spec["last"] or attempt > 200 or last not in used_last):
                    break
            else:
                raise AssertionError("could not draw a new contact name")
        assert (first, last) not in self.people, (first, last)
        self.people.add((first, last))
        return first, last, gender

    def phone(self, place: str, breton: bool, kind: str) -> str:
        r = self.rng
        while True:
            mobile_p = 0.6 if kind == "independent" else (0.35 if breton else 0.15)
            if r.random() < mobile_p:
                head = r.choice(["6", "7"]) + f" {r.randint(10, 99):02d}"
            elif breton:
                head = r.choice(PHONE_PLOERMEL.get(place, PHONE_PLOERMEL_DEFAULT))
            else:
                head = r.choice(PHONE_GIRONDE.get(place, PHONE_GIRONDE_DEFAULT))
            rest = 5 - len(head.split())  # +33 D DD DD DD DD
            tail = " ".join(f"{r.randint(0, 99):02d}" for _ in range(rest))
            num = f"+33 {head} {tail}"
            if num not in self.phones:
                self.phones.add(num)
                return num

    def domain(self, spec: dict) -> str:
        base = spec["domain"] or slugify(spec["name"])
        tld = spec["tld"] or ("fr" if self.rng.random() < 0.85 else "com")
        dom = f"{base}.{tld}"
        assert dom not in self.domains, dom
        self.domains.add(dom)
        return dom

    def title(self, spec: dict, gender: str, breton: bool) -> str:
        r = self.rng
        if spec["title"]:
            return gendered(spec["title"], gender)
        if spec["kind"] == "association":
            return gendered(r.choice(TITLES_ASSOCIATION), gender)
        if spec["kind"] == "independent":
            return gendered("Artisan/Artisane" if breton else "Consultant indépendant/Consultante indépendante", gender)
        if breton:
            return gendered(r.choice(TITLES_ARTISAN_COMPANY if gender == "M" else TITLES_ARTISAN_COMPANY_F), gender)
        if spec["band"] in ("10-19", "20-49", "50-249", "250+"):
            return gendered(r.choice(TITLES_COMPANY_LARGE), gender)
        return gendered(r.choice(TITLES_COMPANY_SMALL), gender)

    # -- rows ---------------------------------------------------------------------
    def row(self, spec: dict, places: dict, breton: bool) -> dict:
        r = self.rng
        city, commune, postal, dep, region, lat, lon, dlat, dlon = places[spec["place"]]
        siren = self.siren(spec["kind"])
        siret = self.siret(siren, spec["seq"])
        dom = self.domain(spec)
        first, last, gender = self.person(spec, breton)
        streets = STREETS_BY_KEY.get(spec["place"]) or (STREETS_PLOERMEL if breton else STREETS_GIRONDE)
        number = r.randint(1, 140 if not breton else 60)
        suffix = " bis" if r.random() < 0.06 else ""
        street_name = r.choice(streets)
        street = street_name if street_name.startswith(("ZA ", "lieu-dit")) else f"{number}{suffix} {street_name}"
        if street_name.startswith("ZA "):
            street = f"{r.randint(1, 30)} {street_name}"
        return {
            "siren": siren,
            "siret": siret,
            "legal_name": spec["name"],
            "kind": spec["kind"],
            "naf_code": spec["naf"],
            "headcount_band": spec["band"],
            "website": f"https://{dom}",
            "street": street,
            "postal_code": postal,
            "city": city,
            "commune_code": commune,
            "departement_code": dep,
            "region_code": region,
            "latitude": f"{lat + r.uniform(-dlat, dlat):.5f}",
            "longitude": f"{lon + r.uniform(-dlon, dlon):.5f}",
            "description": spec["desc"],
            "labels": spec["labels"],
            "role": spec["role"],
            "contact_first_name": first,
            "contact_last_name": last,
            "contact_email": f"{email_part(first)}.{email_part(last)}@{dom}",
            "contact_phone": self.phone(spec["place"], breton, spec["kind"]),
            "contact_title": self.title(spec, gender, breton),
        }


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

NAF_RE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
EMAIL_RE = re.compile(r"^[a-z0-9-]+\.[a-z0-9-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.(fr|com)$")
PHONE_RE = re.compile(r"^\+33 [1-9]( \d{2}){4}$")
URL_RE = re.compile(r"^https://[a-z0-9-]+(\.[a-z0-9-]+)*\.(fr|com)$")
LABEL_RE = re.compile(r"^[^|,\n]+$")


def validate(rows: list[dict], places: dict, file_kind: str) -> None:
    roles = [r["role"] for r in rows]
    if file_kind == "digital":
        assert 100 <= len(rows) <= 140, len(rows)
        assert roles.count("animator") == 1
        assert 4 <= roles.count("board") <= 6
        assert 3 <= roles.count("partner") <= 5
        assert 1 <= roles.count("observer") <= 2
        assert roles.count("member") == len(rows) - 1 - roles.count("board") - roles.count("partner") - roles.count("observer")
        kinds = {r["kind"] for r in rows}
        assert {"company", "independent", "association", "public_body", "research_training"} <= kinds
    else:
        assert 25 <= len(rows) <= 35, len(rows)
        assert roles.count("animator") == 1
        assert roles.count("member") == len(rows) - 1
    bands = [r["headcount_band"] for r in rows]
    small = sum(1 for b in bands if b in ("0", "1-2", "3-5", "6-9"))
    assert small / len(rows) >= 0.6, "mostly TPE expected"
    by_code = {}
    for p in places.values():
        by_code.setdefault((p[1], p[2]), []).append(p)
    emails, names = set(), set()
    for r in rows:
        assert list(r) == HEADER
        assert len(r["siren"]) == 9 and r["siren"].isdigit() and luhn(r["siren"]), r
        assert len(r["siret"]) == 14 and r["siret"].isdigit() and r["siret"].startswith(r["siren"]), r
        assert luhn(r["siret"]), r
        assert r["kind"] in KINDS, r
        assert r["headcount_band"] in BANDS, r
        assert NAF_RE.match(r["naf_code"]), r
        assert r["role"] in ROLES, r
        assert URL_RE.match(r["website"]), r
        assert r["contact_email"].split("@")[1] == r["website"][len("https://"):], r
        assert EMAIL_RE.match(r["contact_email"]), r
        assert r["contact_email"].isascii(), r
        assert r["contact_email"] not in emails
        emails.add(r["contact_email"])
        assert r["legal_name"] not in names
        names.add(r["legal_name"])
        assert PHONE_RE.match(r["contact_phone"]), r
        assert r["description"].endswith(".") and "\n" not in r["description"], r
        if r["labels"]:
            for lab in r["labels"].split("|"):
                assert LABEL_RE.match(lab), r
        # place coherence: a known (commune, postal) pair, point within spread
        matches = by_code.get((r["commune_code"], r["postal_code"]))
        assert matches, r
        p = matches[0]
        assert r["city"] == p[0] and r["departement_code"] == p[3] and r["region_code"] == p[4], r
        assert r["commune_code"].startswith(r["departement_code"]), r
        assert r["postal_code"].startswith(r["departement_code"]), r
        lat, lon = float(r["latitude"]), float(r["longitude"])
        assert re.match(r"^-?\d+\.\d{5}$", r["latitude"]) and re.match(r"^-?\d+\.\d{5}$", r["longitude"]), r
        assert abs(lat - p[5]) <= p[7] + 1e-9 and abs(lon - p[6]) <= p[8] + 1e-9, r
        if r["departement_code"] == "33":
            assert r["contact_phone"].startswith(("+33 5 ", "+33 6 ", "+33 7 ")), r
        else:
            assert r["contact_phone"].startswith(("+33 2 ", "+33 6 ", "+33 7 ")), r
        assert r["contact_first_name"] and r["contact_last_name"] and r["contact_title"], r


def render(rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def main() -> None:
    gen = Generator(SEED)
    digital = [gen.row(s, GIRONDE, breton=False) for s in DIGITAL]
    artisans = [gen.row(s, PLOERMEL, breton=True) for s in ARTISANS]
    validate(digital, GIRONDE, "digital")
    validate(artisans, PLOERMEL, "artisans")
    all_sirens = [r["siren"] for r in digital + artisans]
    assert len(all_sirens) == len(set(all_sirens)), "SIREN must be unique across both files"
    all_sirets = [r["siret"] for r in digital + artisans]
    assert len(all_sirets) == len(set(all_sirets))

    here = os.path.dirname(os.path.abspath(__file__))
    for name, rows in (("digital_cluster.csv", digital), ("renovation_artisans.csv", artisans)):
        data = render(rows)
        # round-trip: the CSV parses back to exactly the rows written
        back = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        assert back == rows, name
        with open(os.path.join(here, name), "wb") as fh:
            fh.write(data)
        print(f"wrote {name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
