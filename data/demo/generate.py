#!/usr/bin/env python3
"""Deterministic generator of Maillage's demo data.

Writes, next to this file:
  - digital_cluster.csv       ~120 companies of a digital cluster of Bordeaux
                              Métropole (Gironde, Nouvelle-Aquitaine)
  - renovation_artisans.csv   ~30 building artisans of Ploërmel and its
                              surroundings (Morbihan, Bretagne) working on
                              energy renovation
  - declarations.csv          what the members of both networks offer and
                              need, for the matching service (tags of
                              services/matching/data/competencies.csv)

Python 3.11 standard library only. The random generator is seeded with a fixed
value, so running `python3 data/demo/generate.py` rewrites the three files
byte-identically. Every row is checked by asserts before anything is written.

Communes, INSEE codes, postal codes, département and region codes are real
(checked against the INSEE Code officiel géographique). Company names,
SIREN/SIRET numbers, streets, websites, people, e-mails and phone numbers are
invented; SIREN and SIRET pass the Luhn checksum like real ones.
"""

from __future__ import annotations

import csv
import io
import math
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
# Offers and needs (declarations.csv), for the matching service
# --------------------------------------------------------------------------
# What each member can bring (offers) and comes to take (needs), on the matching service's
# vocabulary (services/matching/data/competencies.csv). Types are the proto's DeclarationType:
# business (sell/buy), technology (transfer, licence), research (R&D cooperation), pooling
# (share equipment, staff or premises), subcontracting (supplier -> client), co_production
# (one global offer together). A need meets an offer of the same type sharing a tag; every
# need here has at least one such offer in its own network, within both reaches (checked).
# reach_km: how far from the company it applies (0: anywhere).

DECLARATION_HEADER = ["siren", "side", "type", "tags", "title", "description", "reach_km",
                      "confidential"]
DECLARATION_TYPES = {"business", "technology", "research", "pooling", "subcontracting",
                     "co_production"}
VOCABULARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "services",
                          "matching", "data", "competencies.csv")


def O(type_, tags, title, desc, reach=0):
    """An offer: what the member can bring."""
    return dict(side="offer", type=type_, tags=tags, title=title, desc=desc, reach=reach,
                confidential=False)


def N(type_, tags, title, desc, reach=0, confidential=False):
    """A need: what the member comes to take (confidential: shown to nobody but itself)."""
    return dict(side="need", type=type_, tags=tags, title=title, desc=desc, reach=reach,
                confidential=confidential)


# Needs several members share, worded once.
def need_coworking(town, reach=15):
    return N("pooling", "business_services.coworking",
             f"Poste de travail partagé près de {town}",
             "Indépendant(e), je cherche un poste en bureau partagé deux à trois jours par semaine, "
             "avec une salle de réunion pour recevoir les clients.", reach)


DIGITAL_DECLARATIONS = {
    # ---- animator, partners, observers -----------------------------------
    "Grappe Numérique Garonne": [
        O("pooling", "business_services.hr_consulting|business_services.payroll",
          "Gestionnaire RH et paie à temps partagé",
          "Le cluster porte un groupement d'employeurs : une gestionnaire RH et paie partagée entre "
          "les membres volontaires, quelques jours par mois chacun (paies, contrats, entretiens "
          "annuels, obligations sociales).", 50),
        O("pooling", "business_services.events|business_services.coworking",
          "Salles de réunion et plateau événementiel du cluster",
          "Deux salles de réunion et un plateau de 80 places quai de Paludate, prêtés aux membres "
          "pour leurs ateliers, formations et rencontres clients.", 30),
        N("business", "business_services.video_production|business_services.photography",
          "Vidéos et photos des rencontres du cluster",
          "Nous cherchons un studio pour filmer et photographier nos six rencontres annuelles et "
          "en tirer de courtes vidéos pour les réseaux sociaux.", 40),
    ],
    "Syndicat mixte Garonne Développement Numérique": [
        O("business", "business_services.grant_applications|business_services.financing",
          "Aides des collectivités au numérique des PME",
          "Le syndicat mixte oriente les entreprises vers les aides des collectivités (chèque "
          "numérique, aide à l'investissement immatériel) et instruit leurs dossiers de subvention.",
          60),
        N("business", "digital.open_data|digital.data_analysis",
          "Publication des données économiques du territoire en open data",
          "Nous cherchons un prestataire pour ouvrir et visualiser les données économiques du "
          "territoire (zones d'activités, emplois, aides versées) sur le portail de données "
          "ouvertes de la métropole.", 60),
    ],
    "Institut Aquitain de Recherche en Informatique Appliquée": [
        O("research", "digital.artificial_intelligence|digital.embedded_systems|industry.industrial_rd",
          "Projets de recherche collaborative en IA frugale et systèmes embarqués",
          "Le laboratoire monte avec des PME des projets de recherche (ANR, région, thèses CIFRE) "
          "sur l'apprentissage automatique économe en énergie et les systèmes embarqués."),
        O("pooling", "digital.iot|industry.prototyping",
          "Plateformes d'essais du laboratoire ouvertes aux PME",
          "Bancs de mesure énergétique, salle d'expérimentation humain-machine et cartes de "
          "développement embarquées, réservables à la journée avec l'appui d'un ingénieur.", 50),
        N("research", "digital.data_analysis|industry.industrial_maintenance",
          "PME partenaire pour un projet de maintenance prédictive",
          "Pour un projet collaboratif sur la maintenance prédictive, nous cherchons une PME qui "
          "exploite déjà les données de production de clients industriels."),
    ],
    "École Garonne des Métiers du Numérique": [
        O("business", "business_services.recruitment|business_services.professional_training",
          "Alternants développeurs, administrateurs systèmes et chefs de projet web",
          "Chaque rentrée, soixante alternants cherchent une entreprise d'accueil ; l'école "
          "présélectionne les candidats selon le poste et suit l'alternance avec le tuteur.", 50),
        O("business", "digital.digital_training",
          "Formations courtes sur mesure pour les équipes techniques",
          "Sessions de deux à cinq jours en développement web, administration Linux et gestion de "
          "projet agile, dans nos locaux de Bègles ou chez le client.", 50),
        N("business", "digital.cloud_infrastructure",
          "Professionnels du cloud pour enseigner et encadrer des projets",
          "Nous cherchons des professionnels pour assurer une quarantaine d'heures de cours et "
          "encadrer les projets de fin d'année en cloud, conteneurs et DevOps.", 50),
    ],
    "Fonds Estuaire Entreprendre": [
        O("business", "business_services.financing",
          "Prêts d'honneur pour les jeunes entreprises numériques",
          "Prêts d'honneur de 5 000 à 40 000 euros, sans intérêt ni garantie, qui facilitent le "
          "prêt bancaire, avec le parrainage d'un chef d'entreprise du réseau.", 60),
        N("business", "digital.crm_integration",
          "Outil de suivi des dossiers de prêt et des parrainages",
          "Nous voulons suivre nos candidats, nos comités et nos parrains dans un outil de gestion "
          "de la relation, paramétré pour une petite équipe de bénévoles.", 40),
    ],
    "Garonne Développement SPL": [
        O("business", "business_services.real_estate",
          "Locaux et terrains dans les parcs d'activités de la métropole",
          "La SPL accompagne les entreprises qui s'implantent ou s'agrandissent : bureaux, locaux "
          "d'activité et terrains disponibles dans les parcs d'activités.", 40),
        N("business", "digital.geomatics",
          "Cartographie interactive de l'offre foncière et immobilière",
          "Nous cherchons un prestataire pour publier sur notre site une carte interactive des "
          "locaux et terrains disponibles, mise à jour depuis nos tableurs.", 40),
    ],
    "Tiers-Lieux Rive Droite": [
        O("pooling", "business_services.coworking|business_services.business_domiciliation",
          "Postes de travail et domiciliation en tiers-lieu",
          "Bureaux partagés à Cenon, Lormont et Floirac : poste nomade ou fixe, salles de réunion, "
          "domiciliation du siège social et animations entre indépendants.", 20),
        N("business", "digital.networks",
          "Remise à niveau du Wi-Fi et du réseau des tiers-lieux",
          "Nos trois lieux ont besoin d'un Wi-Fi fiable pour une centaine de postes et d'un réseau "
          "séparé pour les résidents permanents.", 20),
    ],
    # ---- board --------------------------------------------------------------
    "Pixel & Garonne": [
        O("business", "digital.ecommerce|digital.web_development",
          "Sites e-commerce pour artisans d'art et métiers de bouche",
          "Boutiques en ligne clé en main : catalogue, paiement, retrait en boutique et livraison "
          "locale, avec la formation du commerçant à la gestion de son site."),
        O("subcontracting", "digital.ecommerce",
          "Développement de boutiques en ligne en marque blanche",
          "Nous développons en sous-traitance les boutiques en ligne des agences de communication "
          "qui n'ont pas d'équipe technique."),
        N("business", "digital.web_hosting|digital.data_backup",
          "Hébergement infogéré des boutiques de nos clients",
          "Nous cherchons un hébergeur régional pour une trentaine de boutiques en ligne : "
          "sauvegardes quotidiennes, supervision et astreinte pendant les fêtes."),
        N("subcontracting", "digital.seo",
          "Référencement des fiches produits en sous-traitance",
          "Nous confierions l'optimisation du référencement des fiches produits et des pages "
          "catégories de nos clients à un spécialiste."),
    ],
    "Vignalogic": [
        O("business", "digital.custom_software",
          "Logiciel de gestion de chai et de traçabilité",
          "Registre de cave, suivi des assemblages, déclarations récapitulatives et traçabilité des "
          "lots, en ligne et sur tablette au chai."),
        O("technology", "digital.api_development",
          "Licence de notre connecteur aux téléservices viticoles des douanes",
          "Nous concédons sous licence notre module d'échange avec les téléservices des douanes "
          "aux éditeurs de logiciels de négoce et de comptabilité viticole."),
        N("business", "business_services.financing",
          "Levée de fonds pour le développement à l'export",
          "Nous préparons une levée de fonds de 800 000 euros pour ouvrir le marché espagnol et "
          "cherchons un premier financement en fonds propres ou quasi-fonds propres.",
          confidential=True),
        N("subcontracting", "digital.mobile_development",
          "Application mobile de saisie au vignoble",
          "Nous cherchons un développeur mobile pour une application hors ligne de saisie des "
          "travaux à la vigne, synchronisée avec notre logiciel."),
    ],
    "Cyberdune Sécurité": [
        O("business", "digital.security_audit|digital.cybersecurity",
          "Audits de sécurité et tests d'intrusion",
          "Audit organisationnel et technique, tests d'intrusion externes et internes, rapport "
          "hiérarchisé et plan de remédiation suivi avec le client."),
        O("business", "digital.cybersecurity|digital.gdpr_compliance",
          "Accompagnement des PME à la conformité NIS 2",
          "Analyse d'écart, politique de sécurité, gestion des incidents et préparation des "
          "contrôles pour les entités essentielles et importantes."),
        N("business", "digital.web_development",
          "Refonte de notre site et de notre espace client",
          "Nous voulons refondre notre site vitrine et y ajouter un espace client sécurisé pour "
          "déposer les rapports d'audit.", 40),
    ],
    "Data Lisière": [
        O("business", "digital.data_analysis|digital.business_intelligence",
          "Exploitation des données de production et de maintenance",
          "Nous aidons les PME industrielles à collecter, nettoyer et analyser leurs données de "
          "production pour suivre le TRS et anticiper les pannes."),
        O("research", "digital.data_analysis|digital.artificial_intelligence",
          "Partenaire industriel pour des projets de maintenance prédictive",
          "Nous apportons aux laboratoires des cas d'usage réels et des jeux de données de "
          "clients industriels pour des projets de recherche collaboratifs."),
        N("research", "digital.artificial_intelligence|digital.embedded_systems",
          "Laboratoire partenaire pour des modèles embarqués sur les machines",
          "Nous cherchons un laboratoire pour réduire nos modèles de détection d'anomalies et les "
          "faire tourner sur les automates des machines."),
    ],
    "Atelier Coquelicot Design": [
        O("business", "digital.ux_design|digital.ui_design|digital.accessibility",
          "Conception d'interfaces accessibles pour services publics et mutuelles",
          "Recherche utilisateur, parcours, maquettes et système de design conformes au RGAA, "
          "testés avec des personnes en situation de handicap."),
        O("co_production", "digital.ux_design|digital.accessibility",
          "Design accessible dans les groupements de réponse aux marchés publics",
          "Nous prenons le lot conception et accessibilité des groupements qui répondent aux "
          "marchés de services publics en ligne."),
        N("co_production", "digital.web_development|business_services.public_tenders",
          "Développeurs web pour répondre ensemble aux marchés publics",
          "Nous cherchons une équipe de développement pour former un groupement et répondre aux "
          "marchés de refonte de services en ligne des collectivités."),
    ],
    # ---- web agencies -------------------------------------------------------
    "Les Quais Numériques": [
        O("business", "digital.web_development",
          "Sites vitrines WordPress pour les commerces de proximité",
          "Création, maintenance et mises à jour de sites WordPress pour les commerçants, avec "
          "une formation d'une demi-journée pour les faire vivre.", 40),
        N("business", "digital.web_hosting",
          "Hébergeur pour une centaine de sites WordPress",
          "Nous cherchons un hébergement infogéré en France pour une centaine de sites de "
          "commerçants : mises à jour de sécurité, sauvegardes et support réactif."),
    ],
    "Bulle d'Encre Studio": [
        O("business", "business_services.graphic_design|business_services.communication|digital.web_development",
          "Sites, chartes graphiques et lettres d'information pour la culture",
          "Nous accompagnons les associations culturelles de l'identité visuelle au site internet "
          "et aux lettres d'information de saison."),
        N("subcontracting", "business_services.video_production",
          "Tournage de bandes-annonces pour les saisons culturelles",
          "Nous cherchons un vidéaste pour tourner et monter les bandes-annonces de saison de nos "
          "clients (salles de spectacle, festivals).", 40),
    ],
    "Webcraft Aquitaine": [
        O("business", "digital.custom_software|digital.web_development",
          "Applications métiers sur mesure en Symfony et Vue.js",
          "Conception et développement d'applications de gestion sur mesure, de l'atelier de "
          "cadrage à la mise en production et à la maintenance."),
        O("subcontracting", "digital.custom_software|digital.api_development",
          "Développeurs Symfony en renfort pour ESN et éditeurs",
          "Nous prenons en forfait des lots de développement back-end et d'API pour des ESN et des "
          "éditeurs qui manquent de bras."),
        N("business", "digital.software_testing",
          "Recette et tests automatisés de nos applications",
          "Nous voulons mettre en place des tests de bout en bout automatisés et une intégration "
          "continue sur nos projets clients."),
        N("subcontracting", "digital.ui_design|digital.ux_design",
          "Designer d'interface pour nos applications métiers",
          "Nous cherchons un designer pour les maquettes et le système de design de trois "
          "applications métiers en cours de refonte."),
    ],
    "Trois Ponts Digital": [
        O("business", "digital.ecommerce",
          "Boutiques Shopify et PrestaShop pour marques de mode",
          "Création de boutiques en ligne pour les marques de mode indépendantes : thème sur "
          "mesure, catalogue, paiement et connexion aux places de marché."),
        N("business", "business_services.photography",
          "Photos produits des collections de nos clients",
          "Nous cherchons un photographe pour les photos produits et portées des collections de "
          "nos clients, deux fois par an.", 40),
        N("subcontracting", "digital.sea|digital.social_media",
          "Campagnes d'acquisition pour nos clients e-commerce",
          "Nous confierions en marque blanche les campagnes publicitaires sur les moteurs de "
          "recherche et les réseaux sociaux de nos boutiques clientes."),
    ],
    "Onde Claire": [
        O("business", "digital.web_development",
          "Refonte éco-conçue de sites existants",
          "Nous refondons les sites existants pour réduire leur poids, leur nombre de requêtes "
          "et leur consommation d'énergie, sans perdre le référencement."),
        O("co_production", "digital.web_development|environment.carbon_footprint",
          "Offre commune de sites sobres avec un cabinet d'évaluation",
          "Nous développons la partie technique d'une offre commune d'écoconception de services "
          "numériques, l'évaluation étant portée par le partenaire."),
        N("co_production", "environment.lca|environment.carbon_footprint",
          "Mesure d'empreinte environnementale pour nos offres de sites sobres",
          "Nous cherchons un cabinet pour mesurer l'empreinte de nos sites avant et après refonte "
          "et porter avec nous une offre commune."),
        N("business", "digital.web_hosting",
          "Hébergement vert pour les sites de nos clients",
          "Nous cherchons un hébergeur alimenté en électricité renouvelable qui mesure "
          "l'empreinte des serveurs de chaque client."),
    ],
    "Mascaret Interactive": [
        O("business", "digital.web_development|digital.mobile_development",
          "Sites et applications de visite pour le tourisme et la culture",
          "Sites, applications de visite et audioguides pour les offices de tourisme, musées et "
          "lieux culturels, en plusieurs langues."),
        O("co_production", "digital.mobile_development|business_services.business_tourism",
          "Parcours de visite numériques en groupement",
          "Nous portons la partie application des parcours de visite numériques proposés avec "
          "d'autres prestataires aux territoires touristiques."),
        N("co_production", "digital.virtual_reality",
          "Partenaire réalité virtuelle pour des parcours immersifs",
          "Nous cherchons un studio de réalité virtuelle pour ajouter des reconstitutions "
          "immersives à nos parcours de visite."),
        N("business", "business_services.translation",
          "Traduction des contenus de visite en cinq langues",
          "Nous avons besoin de traduire et relire les contenus de nos applications de visite en "
          "anglais, espagnol, allemand, italien et néerlandais."),
    ],
    "Bastide Web Factory": [
        O("business", "digital.web_development|digital.ecommerce",
          "Sites de réservation en ligne pour gîtes, campings et restaurants",
          "Sites avec réservation et paiement en ligne, synchronisés avec les plateformes de "
          "réservation, pour les hébergeurs et restaurateurs."),
        N("business", "business_services.photography|digital.virtual_reality",
          "Visites virtuelles des hébergements de nos clients",
          "Nous voulons proposer à nos clients des visites virtuelles et des photos "
          "professionnelles de leurs hébergements.", 60),
    ],
    "Sites & Sarments": [
        O("business", "digital.web_development|digital.ecommerce",
          "Sites bilingues et boutiques en ligne pour domaines viticoles",
          "Sites bilingues, boutique en ligne, club de clients et réservation des visites de "
          "chai pour les domaines viticoles."),
        O("co_production", "digital.ecommerce|digital.custom_software",
          "Offre commune site, boutique et logiciel pour le négoce de vins",
          "Nous apportons la partie site et boutique d'une offre commune aux négociants, avec un "
          "éditeur ou un intégrateur pour la gestion."),
        N("business", "business_services.translation",
          "Traduction anglaise et chinoise des fiches de vins",
          "Nous cherchons un traducteur spécialisé pour les fiches techniques et les textes de "
          "présentation des domaines de nos clients."),
    ],
    "Kiosque Numérique": [
        O("business", "digital.web_development|digital.social_media|business_services.communication",
          "Site internet et réseaux sociaux des communes rurales",
          "Nous accompagnons les communes rurales : site internet, bulletin municipal en ligne et "
          "animation de leurs réseaux sociaux.", 80),
        N("business", "digital.accessibility",
          "Audits d'accessibilité des sites de nos communes clientes",
          "Nos communes doivent publier une déclaration d'accessibilité : nous cherchons un "
          "auditeur RGAA à un tarif adapté aux petites collectivités."),
    ],
    "Palombe Studio": [
        O("business", "digital.web_development",
          "Sites multilingues pour PME exportatrices",
          "Sites en plusieurs langues, avec référencement international et gestion des "
          "traductions, pour les PME qui exportent."),
        O("subcontracting", "digital.web_development",
          "Intégration multilingue en sous-traitance",
          "Nous reprenons pour d'autres agences l'intégration des versions étrangères des sites "
          "et la configuration des outils de traduction."),
        N("business", "business_services.translation",
          "Traduction et localisation des sites de nos clients",
          "Nous cherchons une agence de traduction pour localiser les sites de nos clients vers "
          "l'anglais, l'allemand et l'espagnol."),
        N("business", "digital.seo",
          "Référencement des versions étrangères des sites",
          "Nous voulons un partenaire pour le référencement des versions anglaise et espagnole "
          "des sites que nous livrons."),
    ],
    "Lumen & Code": [
        O("business", "digital.web_development",
          "Intégration et maintenance de sites Drupal",
          "Intégration, montées de version et maintenance de sites Drupal pour les universités et "
          "les établissements de santé."),
        O("co_production", "digital.web_development|business_services.public_tenders",
          "Développement web dans les groupements de marchés publics",
          "Nous prenons le lot développement des groupements qui répondent aux marchés de sites "
          "et de services en ligne publics."),
        N("business", "digital.accessibility",
          "Audits d'accessibilité RGAA avant mise en ligne",
          "Nos clients publics exigent un audit d'accessibilité avant chaque mise en ligne : nous "
          "cherchons un auditeur disponible."),
    ],
    "Darriet Développement Web": [
        O("business", "digital.web_development|digital.digital_marketing",
          "Sites vitrines et tunnels de vente pour thérapeutes et coachs",
          "Je crée des sites vitrines, des pages de vente et des prises de rendez-vous en ligne "
          "pour les thérapeutes et les coachs.", 30),
        need_coworking("Eysines"),
    ],
    "Hugo Lafargue Webdesign": [
        O("business", "digital.ui_design|digital.web_development",
          "Maquettes et sites Webflow pour les jeunes pousses",
          "Maquettes, identité d'interface et sites Webflow livrés en trois semaines pour les "
          "jeunes pousses."),
        O("subcontracting", "digital.ui_design",
          "Webdesign en sous-traitance pour les agences",
          "Je réalise les maquettes d'interface des agences web qui n'ont pas de designer."),
        need_coworking("Bruges"),
    ],
    # ---- software publishers ------------------------------------------------
    "Parcelle Logiciels": [
        O("business", "digital.custom_software",
          "Logiciel de planification des cultures maraîchères",
          "Plan de culture, calendrier des semis, suivi des interventions et traçabilité pour les "
          "maraîchers, sur ordinateur et sur téléphone."),
        N("research", "digital.artificial_intelligence",
          "Prévision des rendements maraîchers par apprentissage automatique",
          "Nous cherchons un laboratoire pour construire avec nous un modèle de prévision des "
          "récoltes à partir des données de nos utilisateurs."),
        N("business", "business_services.recruitment",
          "Recrutement d'un développeur back-end confirmé",
          "Nous cherchons un développeur back-end confirmé (Python, PostgreSQL) pour renforcer une "
          "équipe de quatre personnes.", 50, confidential=True),
    ],
    "Médiane Santé": [
        O("business", "digital.custom_software",
          "Prise de rendez-vous et dossier patient pour centres de santé",
          "Agenda partagé, prise de rendez-vous en ligne, dossier patient et facturation pour les "
          "centres de santé pluridisciplinaires."),
        N("business", "digital.cloud_infrastructure|digital.data_backup",
          "Hébergement certifié HDS des données de santé",
          "Nous cherchons un hébergeur certifié HDS en Nouvelle-Aquitaine, avec réplication et plan "
          "de reprise, pour migrer notre plateforme."),
        N("business", "digital.security_audit",
          "Test d'intrusion annuel de la plateforme",
          "Nous cherchons un prestataire pour le test d'intrusion annuel de notre application et "
          "de nos interfaces avec les logiciels de santé."),
    ],
    "Octave Gestion": [
        O("business", "digital.custom_software|digital.digital_document",
          "Devis, facture électronique et gestion commerciale pour TPE du bâtiment",
          "Progiciel de devis, situations de travaux, facturation électronique et relances pour les "
          "artisans et les TPE du bâtiment."),
        O("technology", "digital.digital_document|digital.api_development",
          "Licence de notre module de facturation électronique",
          "Nous concédons sous licence notre module d'émission et de réception des factures "
          "électroniques, compatible avec les plateformes agréées."),
        N("subcontracting", "digital.mobile_development",
          "Application mobile de devis sur chantier",
          "Nous cherchons un développeur mobile pour une application de devis et de photos de "
          "chantier reliée à notre progiciel."),
    ],
    "Sillon Logiciel": [
        O("business", "digital.custom_software|digital.mobile_development",
          "Suivi de chantier et bons d'intervention sur tablette",
          "Application sur tablette pour les équipes de chantier : bons d'intervention signés, "
          "photos, temps passés et comptes rendus."),
        N("technology", "digital.digital_document",
          "Facturation électronique intégrée à notre application",
          "Plutôt que de la développer, nous voulons intégrer sous licence une brique de "
          "facturation électronique conforme."),
    ],
    "Quillon Systèmes": [
        O("business", "digital.custom_software|digital.networks",
          "Supervision réseau et gestion de parc pour collectivités",
          "Logiciels de supervision des réseaux et d'inventaire du parc informatique, conçus pour "
          "les services informatiques des collectivités."),
        N("business", "digital.ux_design",
          "Refonte ergonomique de nos consoles de supervision",
          "Nos consoles sont jugées difficiles par les nouveaux utilisateurs : nous cherchons un "
          "cabinet pour des tests utilisateurs et une refonte."),
    ],
    "Compilab": [
        O("business", "digital.software_testing",
          "Tests automatisés et intégration continue",
          "Mise en place de tests automatisés, de chaînes d'intégration continue et de campagnes de "
          "recette pour les équipes de développement."),
        O("technology", "digital.software_testing|digital.embedded_systems",
          "Licence de notre banc de test pour logiciel embarqué",
          "Nous concédons sous licence notre banc de test matériel dans la boucle aux fabricants "
          "et aux bureaux d'études."),
        N("business", "business_services.marketing",
          "Prospection commerciale auprès des industriels",
          "Nous cherchons un consultant pour structurer notre prospection des fabricants de "
          "systèmes embarqués."),
    ],
    "Studio Lune d'Eau": [
        O("business", "digital.video_game",
          "Portage et coproduction de jeux vidéo narratifs",
          "Nous développons des jeux vidéo narratifs et prenons en charge le portage sur consoles "
          "de jeux d'autres studios."),
        N("business", "business_services.translation",
          "Localisation de nos jeux en allemand et en espagnol",
          "Nous cherchons une agence de localisation pour les textes et les interfaces de notre "
          "prochain jeu (120 000 mots)."),
        N("business", "business_services.financing|business_services.grant_applications",
          "Financement de la production de notre prochain jeu",
          "Nous cherchons à compléter le budget de production de notre prochain jeu (aides, prêt "
          "d'honneur, préfinancement).", confidential=True),
    ],
    "Pépites Games": [
        O("business", "digital.video_game|business_services.professional_training",
          "Jeux sérieux de formation pour l'industrie et le transport",
          "Jeux sérieux sur mesure pour former aux règles de sécurité, à la conduite économe et "
          "aux procédures de maintenance."),
        O("co_production", "digital.video_game|digital.virtual_reality",
          "Formations immersives en groupement",
          "Nous apportons la scénarisation et le développement de jeu aux offres communes de "
          "formation immersive."),
        N("business", "business_services.video_production",
          "Voix et habillage sonore de nos jeux sérieux",
          "Nous cherchons un studio audio pour enregistrer les voix et créer l'habillage sonore "
          "de nos jeux."),
    ],
    "Assoclic": [
        O("business", "digital.custom_software",
          "Gestion des adhésions, des cotisations et des bénévoles",
          "Plateforme en ligne pour les associations : adhésions et cotisations, planning des "
          "bénévoles, reçus fiscaux et communication aux membres."),
        N("business", "digital.digital_marketing",
          "Campagnes d'e-mailing vers les associations",
          "Nous cherchons un prestataire pour concevoir et envoyer nos campagnes de prospection et "
          "nos scénarios d'accueil des nouveaux clients."),
    ],
    "Flotte Pilote": [
        O("business", "logistics.fleet_management|digital.custom_software",
          "Gestion de flotte et optimisation des tournées",
          "Logiciel de gestion de flotte, d'entretien des véhicules et d'optimisation des tournées "
          "pour les transporteurs régionaux."),
        N("business", "digital.iot",
          "Boîtiers télématiques connectés pour nos clients",
          "Nous cherchons un concepteur de boîtiers connectés pour remonter la position et la "
          "consommation des véhicules vers notre logiciel."),
    ],
    "Cadastre Vivant": [
        O("business", "digital.geomatics|digital.custom_software",
          "Suivi du foncier et des autorisations d'urbanisme",
          "Outil cartographique pour suivre le foncier communal, les autorisations d'urbanisme et "
          "les déclarations d'intention d'aliéner."),
        N("business", "digital.open_data",
          "Intégration des données ouvertes foncières dans notre outil",
          "Nous voulons intégrer les données ouvertes du cadastre et des valeurs foncières et les "
          "mettre à jour automatiquement."),
    ],
    "Eduquiz": [
        O("business", "digital.digital_training|digital.custom_software",
          "Plateforme d'apprentissage en ligne pour l'aide à domicile",
          "Modules de formation courts, quiz et suivi des compétences pour les salariés des "
          "structures d'aide à domicile."),
        N("business", "business_services.video_production",
          "Tutoriels vidéo pour nos modules de formation",
          "Nous cherchons un studio pour tourner une vingtaine de tutoriels courts sur les gestes "
          "professionnels de l'aide à domicile."),
    ],
    "Talent Pin": [
        O("business", "digital.custom_software|business_services.recruitment",
          "Recrutement et intégration des saisonniers",
          "Logiciel de diffusion des offres, de tri des candidatures et d'intégration des "
          "saisonniers pour l'hôtellerie-restauration."),
        N("business", "business_services.recruitment",
          "Recrutement d'un directeur commercial",
          "Nous recrutons un directeur commercial pour ouvrir les chaînes hôtelières nationales.",
          50, confidential=True),
    ],
    "Ventilo Paie": [
        O("business", "business_services.payroll|digital.custom_software",
          "Paie et gestion des temps en SaaS pour cabinets comptables",
          "Logiciel de paie et de gestion des temps en ligne, conçu pour les cabinets d'expertise "
          "comptable et leurs clients."),
        O("technology", "business_services.payroll|digital.api_development",
          "API de paie pour les éditeurs de logiciels RH",
          "Nous ouvrons notre moteur de calcul de paie aux éditeurs de logiciels RH sous licence, "
          "par une API documentée."),
        N("business", "digital.security_audit",
          "Audit de sécurité avant la certification ISO 27001",
          "Nous préparons la certification ISO 27001 et cherchons un cabinet pour un audit à blanc "
          "et un test d'intrusion."),
    ],
    "Arpège Immo": [
        O("business", "digital.custom_software",
          "Logiciel de gestion locative pour petites agences",
          "Gestion des baux, quittances, régularisations de charges et comptes rendus de gérance "
          "pour les petites agences immobilières."),
        N("technology", "digital.digital_document",
          "Signature électronique des baux dans notre logiciel",
          "Nous voulons intégrer sous licence une brique de signature électronique pour les baux "
          "et les états des lieux."),
    ],
    # ---- IT services ----------------------------------------------------------
    "Garonne Infogérance": [
        O("business", "digital.managed_services|digital.it_support",
          "Infogérance des serveurs et des postes des professions libérales",
          "Supervision, mises à jour, support et renouvellement des postes pour les cabinets "
          "médicaux, notariaux et comptables.", 50),
        O("subcontracting", "digital.it_support",
          "Interventions sur site en sous-traitance",
          "Nos techniciens interviennent sur site en Gironde pour le compte d'infogéreurs et de "
          "centres de services situés ailleurs.", 50),
        N("business", "digital.data_backup",
          "Sauvegarde externalisée pour nos clients",
          "Nous cherchons une solution de sauvegarde externalisée en France, revendable à nos "
          "clients avec un plan de reprise testé chaque année."),
    ],
    "Sud Réseaux Services": [
        O("business", "digital.managed_services|digital.it_support|digital.erp_integration",
          "Tierce maintenance des progiciels de gestion",
          "Maintenance corrective et évolutive des progiciels de gestion et support aux "
          "utilisateurs des PME industrielles."),
        N("subcontracting", "digital.it_support",
          "Techniciens d'intervention sur site en Gironde",
          "Nous cherchons des techniciens pour intervenir sur les postes de nos clients "
          "industriels quand un déplacement est nécessaire.", 40),
    ],
    "Quai 33 Consulting": [
        O("business", "digital.erp_integration|digital.digital_transformation",
          "Pilotage de projets ERP et de transformation numérique",
          "Cadrage, choix de solution, pilotage de l'intégration et conduite du changement pour "
          "les projets ERP des ETI."),
        O("subcontracting", "digital.erp_integration",
          "Chefs de projet ERP en renfort",
          "Nous détachons des chefs de projet ERP expérimentés auprès d'intégrateurs et d'ESN."),
        N("subcontracting", "digital.data_engineering|digital.business_intelligence",
          "Ingénieurs données pour la reprise des données d'un ERP",
          "Pour un projet ERP, nous cherchons des ingénieurs données pour la reprise de "
          "l'historique et les premiers tableaux de bord."),
    ],
    "Atelier Clic Réparation": [
        O("business", "digital.computer_repair|digital.it_support",
          "Dépannage et réparation d'ordinateurs",
          "Diagnostic, réparation, changement de pièces et récupération de données pour les "
          "particuliers et les très petites entreprises.", 15),
        N("business", "digital.it_equipment",
          "Ordinateurs reconditionnés et pièces détachées",
          "Nous cherchons un fournisseur local d'ordinateurs reconditionnés et de pièces pour nos "
          "clients qui ne veulent pas de neuf.", 30),
    ],
    "Reboot Solidaire": [
        O("business", "digital.it_equipment|environment.repair_reuse",
          "Ordinateurs reconditionnés à prix réduit",
          "Ordinateurs portables et fixes reconditionnés, garantis un an, pour les associations, "
          "les étudiants et les petites entreprises.", 40),
        O("business", "environment.repair_reuse|environment.circular_economy",
          "Reprise et reconditionnement du parc informatique des entreprises",
          "Nous reprenons le matériel informatique des entreprises, effaçons les données de façon "
          "certifiée et le reconditionnons.", 60),
        N("business", "digital.ecommerce",
          "Boutique en ligne pour vendre nos ordinateurs reconditionnés",
          "Nous voulons vendre en ligne, avec retrait à l'atelier, les ordinateurs que nous "
          "reconditionnons."),
    ],
    "Moulin Digital Services": [
        O("business", "digital.networks|digital.telephony|business_services.alarm_video",
          "Réseaux, téléphonie IP et vidéoprotection",
          "Installation et maintenance de réseaux, de téléphonie IP et de vidéoprotection pour les "
          "commerces et les PME.", 40),
        N("subcontracting", "digital.networks",
          "Câbleur réseau en sous-traitance pour les pics d'activité",
          "Nous cherchons un câbleur indépendant pour les chantiers de câblage que nous ne pouvons "
          "pas absorber seuls.", 40),
    ],
    "Pivot Informatique": [
        O("business", "digital.it_support|digital.managed_services",
          "Maintenance informatique sous contrat pour écoles et associations",
          "Contrats de maintenance, assistance téléphonique et interventions sur site pour les "
          "écoles privées, associations et petites communes.", 30),
        O("subcontracting", "digital.it_support",
          "Techniciens de proximité sur la rive droite",
          "Nous intervenons sur la rive droite pour le compte d'infogéreurs et de fournisseurs de "
          "logiciels.", 30),
        N("business", "digital.digital_training",
          "Formation des enseignants aux outils numériques",
          "Nos écoles clientes cherchent des formations courtes des enseignants aux outils "
          "collaboratifs et aux tableaux interactifs.", 40),
    ],
    "Néo Support": [
        O("business", "digital.it_support|digital.managed_services",
          "Support informatique à distance pour réseaux de franchisés",
          "Centre de services : assistance à distance, administration des postes et des comptes, "
          "pour les réseaux de franchisés."),
        N("subcontracting", "digital.it_support",
          "Interventions sur site chez nos franchisés de Gironde",
          "Nous cherchons des techniciens pour intervenir sur site chez nos franchisés de la "
          "métropole.", 40),
        N("business", "digital.telephony",
          "Standard téléphonique du centre de services",
          "Nous voulons remplacer notre standard par une téléphonie IP avec files d'attente et "
          "enregistrement des appels.", 40),
    ],
    "Cépage Conseil IT": [
        O("business", "digital.erp_integration|digital.digital_transformation",
          "Choix d'ERP et échanges EDI pour négociants en vins",
          "Cahier des charges, choix de l'ERP, échanges EDI avec la grande distribution et "
          "pilotage de projet pour les négociants."),
        N("co_production", "digital.custom_software",
          "Éditeur partenaire pour une offre commune au négoce de vins",
          "Nous cherchons un éditeur ou une agence pour proposer aux négociants une offre commune "
          "logiciel, site et conseil."),
    ],
    "Archipel SI": [
        O("business", "digital.custom_software|digital.api_development",
          "Développement et intégration pour l'aéronautique et la défense",
          "Développement de logiciels, intégration de systèmes et maintien en condition "
          "opérationnelle pour les industriels de l'aéronautique et de la défense."),
        N("subcontracting", "digital.custom_software|digital.embedded_systems",
          "PME sous-traitantes en développement logiciel et embarqué",
          "Nous élargissons notre panel de sous-traitants pour des lots de développement logiciel "
          "et embarqué chez nos clients aéronautiques.", 60),
        N("business", "business_services.recruitment",
          "Recrutement de quinze ingénieurs logiciel",
          "Nous recrutons quinze ingénieurs logiciel et systèmes cette année et cherchons un "
          "cabinet spécialisé.", 60, confidential=True),
    ],
    "Orée Numérique": [
        O("business", "digital.it_support|digital.networks|digital.cloud_migration",
          "Postes, Wi-Fi et outils collaboratifs pour TPE et professions libérales",
          "Déploiement et installation des postes de travail, du Wi-Fi et des outils "
          "collaboratifs en ligne pour les TPE.", 30),
        N("business", "digital.it_equipment",
          "Ordinateurs reconditionnés pour nos clients TPE",
          "Nous cherchons un fournisseur d'ordinateurs reconditionnés garantis à proposer à nos "
          "clients.", 40),
    ],
    "Thomas Castaing Conseil SI": [
        O("business", "digital.erp_integration|digital.digital_transformation",
          "Choix et déploiement des logiciels de gestion des PME",
          "J'aide les dirigeants de PME à exprimer leurs besoins, à choisir leurs logiciels de "
          "gestion et à piloter leur déploiement."),
        N("co_production", "digital.erp_integration|digital.crm_integration",
          "Intégrateur partenaire pour les déploiements",
          "Je cherche un intégrateur pour proposer ensemble le conseil, le paramétrage et la "
          "reprise des données."),
    ],
    "Benali Développement": [
        O("subcontracting", "digital.mobile_development",
          "Applications mobiles Flutter en sous-traitance",
          "Je développe en sous-traitance les applications mobiles iOS et Android d'éditeurs et "
          "d'agences, en Flutter."),
        O("business", "digital.mobile_development",
          "Applications mobiles pour les unions de commerçants",
          "Applications de fidélité, de carte cadeau locale et d'actualités pour les unions de "
          "commerçants."),
        need_coworking("Bordeaux", 10),
    ],
    "Codeurs Associés du Sud-Ouest": [
        O("business", "digital.web_development|digital.mobile_development",
          "Applications web et mobiles pour l'économie sociale et solidaire",
          "Nous concevons et développons les applications web et mobiles des associations, "
          "coopératives et entreprises de l'ESS."),
        O("subcontracting", "digital.mobile_development|digital.web_development",
          "Équipe de développement en renfort",
          "Notre coopérative met à disposition une équipe de développeurs pour des lots web ou "
          "mobiles d'agences et d'éditeurs."),
        O("co_production", "digital.web_development|business_services.public_tenders",
          "Groupements pour les marchés publics numériques",
          "Nous prenons le lot développement des groupements qui répondent aux marchés publics de "
          "services numériques."),
        N("business", "digital.accessibility",
          "Audits d'accessibilité de nos applications",
          "Nous cherchons un auditeur RGAA et une formation de notre équipe à l'accessibilité."),
    ],
    "Estran Informatique": [
        O("business", "digital.it_support|digital.managed_services",
          "Maintenance des logiciels de caisse et des terminaux de paiement",
          "Tierce maintenance, mises à jour et dépannage des logiciels de caisse et des terminaux "
          "de paiement des commerces.", 40),
        N("business", "digital.it_equipment",
          "Distributeur de terminaux de caisse",
          "Nous cherchons un distributeur local de caisses et de terminaux mobiles pour les "
          "remplacements de matériel.", 30),
    ],
    "Alcyon Intégration": [
        O("business", "digital.crm_integration|digital.low_code",
          "Intégration CRM et automatisation des ventes",
          "Paramétrage de CRM, automatisation des relances et tableaux de bord commerciaux pour les "
          "PME de services."),
        O("co_production", "digital.crm_integration|digital.erp_integration",
          "Offre commune CRM et gestion avec un consultant",
          "Nous apportons l'intégration CRM aux offres communes avec des consultants en systèmes "
          "d'information."),
        N("subcontracting", "digital.api_development",
          "Connecteurs entre CRM et logiciels métiers",
          "Nous cherchons un développeur pour les connecteurs entre les CRM et les logiciels "
          "métiers de nos clients."),
    ],
    "Ondine Objets Connectés": [
        O("business", "digital.iot|environment.energy_management",
          "Capteurs connectés pour le suivi énergétique des bâtiments",
          "Capteurs de température, de consommation et de qualité de l'air, et leur application, "
          "pour les bâtiments tertiaires."),
        O("research", "digital.iot|digital.embedded_systems",
          "Cas d'usage pour la recherche en capteurs basse consommation",
          "Nous apportons à des projets de recherche nos capteurs déployés et leurs données pour "
          "travailler sur la basse consommation."),
        N("pooling", "industry.prototyping|industry.additive_manufacturing",
          "Atelier de prototypage pour nos boîtiers",
          "Nous cherchons un atelier partagé pour imprimer et découper les prototypes de boîtiers "
          "de nos capteurs.", 20),
        N("business", "digital.data_analysis|digital.business_intelligence",
          "Tableaux de bord de consommation pour nos clients",
          "Nous voulons proposer à nos clients des tableaux de bord d'analyse de leurs "
          "consommations."),
    ],
    # ---- cybersecurity --------------------------------------------------------
    "Vigie Cyber": [
        O("business", "digital.cybersecurity|digital.digital_training",
          "Sensibilisation à l'hameçonnage et plan de sécurité des TPE",
          "Campagnes d'hameçonnage simulé, ateliers de sensibilisation et plan de sécurité adapté "
          "aux très petites entreprises."),
        O("subcontracting", "digital.cybersecurity|digital.digital_training",
          "Sessions de sensibilisation pour les organismes de formation",
          "Nous animons en sous-traitance les modules cybersécurité des organismes de formation et "
          "des clubs d'entreprises."),
        N("co_production", "digital.data_backup|digital.managed_services",
          "Partenaire sauvegarde pour un pack sécurité des TPE",
          "Nous voulons proposer aux TPE un pack commun : sensibilisation, sauvegarde externalisée "
          "et plan de reprise."),
    ],
    "Bastion Numérique": [
        O("business", "digital.cybersecurity",
          "Surveillance des systèmes et réponse aux incidents",
          "Centre de surveillance de la sécurité, détection et réponse aux incidents 24 h sur 24 "
          "pour les PME et les collectivités."),
        O("subcontracting", "digital.cybersecurity",
          "Surveillance de sécurité en marque blanche pour infogéreurs",
          "Les infogéreurs revendent sous leur nom notre service de surveillance et de réponse "
          "aux incidents."),
        N("business", "business_services.recruitment",
          "Recrutement d'analystes en centre de surveillance",
          "Nous recrutons trois analystes sécurité, dont deux en alternance.", 50,
          confidential=True),
    ],
    "Rempart Conseil": [
        O("business", "digital.gdpr_compliance|digital.cybersecurity",
          "Gouvernance de la sécurité et conformité RGPD pour le médico-social",
          "Registre des traitements, analyses d'impact, politique de sécurité et délégué à la "
          "protection des données externalisé."),
        N("subcontracting", "digital.security_audit",
          "Auditeur technique pour nos missions de conformité",
          "Nous cherchons un pentesteur pour les volets techniques de nos missions de conformité "
          "dans les établissements."),
    ],
    "Julien Ducasse Cybersécurité": [
        O("business", "digital.security_audit",
          "Tests d'intrusion d'applications web",
          "Tests d'intrusion d'applications web et d'API pour les éditeurs, avec rapport et "
          "contre-audit après correction."),
        O("subcontracting", "digital.security_audit",
          "Tests d'intrusion en sous-traitance pour les cabinets de conseil",
          "Je réalise les tests techniques des cabinets de conseil en sécurité et en conformité."),
    ],
    "Sentinelle Sauvegarde": [
        O("business", "digital.data_backup",
          "Sauvegarde externalisée et plan de reprise d'activité",
          "Sauvegarde chiffrée des serveurs et des postes, copies hébergées en France et test de "
          "restauration chaque trimestre."),
        O("co_production", "digital.data_backup",
          "Sauvegarde dans les offres communes de sécurité",
          "Nous apportons la sauvegarde et le plan de reprise aux offres communes des infogéreurs "
          "et des consultants en sécurité."),
        N("business", "digital.cloud_infrastructure",
          "Second centre de données pour les copies de sauvegarde",
          "Nous cherchons des baies dans un second centre de données de la région pour y "
          "répliquer les copies de nos clients.", 60),
    ],
    "Cryptal": [
        O("business", "digital.cybersecurity",
          "Chiffrement des échanges de fichiers pour avocats et notaires",
          "Solution d'échange de fichiers chiffrés de bout en bout, avec traçabilité, pour les "
          "cabinets d'avocats et les études notariales."),
        O("technology", "digital.cybersecurity|digital.api_development",
          "Licence de notre bibliothèque de chiffrement",
          "Nous concédons sous licence notre bibliothèque de chiffrement et de partage de clés aux "
          "éditeurs qui traitent des données sensibles."),
        N("business", "business_services.marketing",
          "Prospection des études notariales",
          "Nous cherchons un consultant pour construire notre démarche commerciale auprès des "
          "études notariales."),
    ],
    "Cyber Pilotis": [
        O("business", "digital.cybersecurity|industry.automation",
          "Sécurisation des réseaux de production et des automates",
          "Cartographie des réseaux industriels, segmentation et durcissement des automates et "
          "des postes de supervision."),
        N("co_production", "industry.automation",
          "Automaticien partenaire pour nos audits industriels",
          "Nous cherchons un automaticien pour mener avec nous les audits et les corrections sur "
          "les lignes de production."),
    ],
    # ---- data / AI -------------------------------------------------------------
    "Datavoile": [
        O("business", "digital.business_intelligence|digital.data_engineering",
          "Tableaux de bord et entrepôts de données",
          "Entrepôts de données, flux d'alimentation et tableaux de bord pour les réseaux de "
          "distribution et les PME."),
        O("subcontracting", "digital.data_engineering",
          "Ingénieurs données en sous-traitance",
          "Nous prenons en sous-traitance des lots de reprise de données et de construction "
          "d'entrepôts pour des intégrateurs."),
        N("business", "digital.digital_training",
          "Formation des utilisateurs de nos clients aux tableaux de bord",
          "Nous cherchons un organisme pour former les utilisateurs de nos clients à l'analyse de "
          "données et à leurs tableaux de bord."),
    ],
    "Sémaphore IA": [
        O("business", "digital.artificial_intelligence|digital.generative_ai|digital.digital_document",
          "Traitement automatique des courriers et documents",
          "Assistants qui lisent, classent et pré-remplissent les courriers et les pièces "
          "administratives des mutuelles."),
        O("technology", "digital.artificial_intelligence|digital.generative_ai",
          "Licence de notre moteur de lecture de documents",
          "Nous concédons sous licence notre moteur de lecture et d'extraction de documents aux "
          "éditeurs de logiciels."),
        N("research", "digital.artificial_intelligence",
          "Thèse CIFRE sur des modèles de langue économes",
          "Nous cherchons un laboratoire pour encadrer une thèse CIFRE sur des modèles de langue "
          "plus petits et moins gourmands."),
    ],
    "Vision Terroir": [
        O("business", "digital.artificial_intelligence|food.wine",
          "Détection des maladies de la vigne par images de drone",
          "Analyse par apprentissage automatique des images de drone pour repérer tôt le mildiou, "
          "l'esca et la flavescence dorée."),
        N("business", "business_services.drone_services",
          "Télépilote pour les vols au-dessus des vignes",
          "Nous cherchons un télépilote certifié pour réaliser les vols d'acquisition d'images "
          "chez nos clients.", 60),
        N("research", "digital.artificial_intelligence|digital.embedded_systems",
          "Modèles embarqués sur drone",
          "Nous voulons faire tourner nos modèles de détection directement sur le drone et "
          "cherchons un partenaire de recherche."),
    ],
    "Statistica Garonne": [
        O("business", "business_services.market_research|digital.data_analysis",
          "Études statistiques et enquêtes en ligne",
          "Conception de questionnaires, enquêtes en ligne, redressement et analyse statistique "
          "pour les collectivités et les observatoires."),
        N("business", "digital.business_intelligence",
          "Tableaux de bord interactifs pour nos observatoires",
          "Nous cherchons un prestataire pour publier les résultats de nos observatoires dans des "
          "tableaux de bord en ligne."),
    ],
    "Graphe & Sens": [
        O("business", "digital.open_data|digital.business_intelligence",
          "Visualisation et ouverture des données publiques",
          "Inventaire, ouverture et visualisation des données des collectivités, et "
          "publication sur les portails de données ouvertes."),
        O("co_production", "digital.open_data|digital.geomatics",
          "Portails de données territoriaux en groupement",
          "Nous apportons l'ouverture et la visualisation des données aux groupements qui "
          "construisent des portails territoriaux."),
        N("co_production", "digital.geomatics",
          "Partenaire cartographie pour nos portails de données",
          "Nous cherchons un spécialiste des systèmes d'information géographique pour les cartes "
          "de nos portails."),
    ],
    "Sarah Nguyen Data": [
        O("business", "digital.data_analysis|digital.artificial_intelligence",
          "Prévision des ventes pour le commerce de détail",
          "Modèles de prévision des ventes et des stocks pour les enseignes de commerce de détail."),
        O("subcontracting", "digital.data_analysis",
          "Data scientist en renfort",
          "J'interviens en sous-traitance pour des cabinets de conseil et des organismes de "
          "formation en analyse de données."),
        need_coworking("Bordeaux-Bastide", 10),
    ],
    "Frugal IA": [
        O("business", "digital.artificial_intelligence|digital.embedded_systems",
          "Modèles d'IA légers embarqués dans les machines",
          "Conception et optimisation de modèles d'intelligence artificielle qui tournent sur les "
          "calculateurs des machines agricoles et industrielles."),
        O("research", "digital.artificial_intelligence|digital.embedded_systems",
          "Projets collaboratifs d'IA embarquée",
          "Nous participons à des projets de recherche sur la compression de modèles et "
          "l'apprentissage sur le terrain."),
        N("research", "digital.embedded_systems|digital.iot",
          "Partenaire matériel pour des capteurs intelligents",
          "Nous cherchons un concepteur de capteurs pour un projet de recherche sur la détection "
          "embarquée à très basse consommation."),
        N("pooling", "industry.prototyping",
          "Bancs d'essai pour mesurer la consommation de nos modèles",
          "Nous cherchons un accès ponctuel à des bancs de mesure énergétique pour valider nos "
          "modèles embarqués.", 20),
    ],
    "Lexique Machine": [
        O("business", "digital.custom_software|digital.generative_ai",
          "Recherche juridique et rédaction assistée pour petits cabinets",
          "Outil de recherche de jurisprudence et de rédaction assistée des actes pour les "
          "cabinets d'avocats de une à dix personnes."),
        N("technology", "digital.generative_ai|digital.artificial_intelligence",
          "Moteur d'analyse de documents sous licence",
          "Nous cherchons un moteur de lecture et d'extraction de pièces à intégrer sous licence "
          "dans notre outil."),
    ],
    "Quantis Énergie Data": [
        O("business", "environment.energy_management|digital.data_analysis",
          "Analyse des consommations énergétiques des bâtiments",
          "Collecte des compteurs, analyse des consommations et suivi du décret tertiaire pour les "
          "bailleurs sociaux."),
        O("co_production", "environment.energy_management|digital.iot",
          "Offre commune capteurs et analyse pour les bailleurs sociaux",
          "Nous apportons l'analyse des données à une offre commune d'instrumentation des "
          "logements sociaux."),
        N("business", "digital.iot",
          "Capteurs de consommation pour les logements suivis",
          "Nous cherchons un fournisseur de capteurs connectés pour instrumenter 400 logements "
          "sociaux."),
    ],
    # ---- digital marketing ------------------------------------------------------
    "Zéphyr Acquisition": [
        O("business", "digital.sea|digital.social_media|business_services.advertising",
          "Campagnes publicitaires en ligne pour sites marchands",
          "Pilotage des campagnes sur les moteurs de recherche et les réseaux sociaux, suivi des "
          "conversions et rapports mensuels."),
        O("subcontracting", "digital.sea",
          "Campagnes en marque blanche pour les agences",
          "Nous gérons en marque blanche les campagnes payantes des clients d'agences web et "
          "d'agences de communication."),
        N("business", "business_services.video_production",
          "Vidéos courtes pour nos campagnes",
          "Nous cherchons un studio pour produire chaque mois des vidéos courtes publicitaires "
          "pour nos clients.", 40),
    ],
    "Référence Locale": [
        O("business", "digital.seo",
          "Référencement local des commerces et des artisans",
          "Fiches d'établissement, avis clients, pages locales et suivi du positionnement pour les "
          "commerces et les artisans."),
        O("subcontracting", "digital.seo",
          "Référencement en sous-traitance pour les agences web",
          "Nous prenons en charge le référencement naturel des sites livrés par les agences web."),
        N("business", "business_services.copywriting",
          "Rédaction d'articles et de pages locales",
          "Nous cherchons un rédacteur web pour les pages locales et les articles de blog de nos "
          "clients."),
    ],
    "Écho Social Media": [
        O("business", "digital.social_media|business_services.video_production",
          "Réseaux sociaux et vidéos courtes pour la restauration",
          "Animation des comptes, tournage de vidéos courtes en cuisine et en salle, et "
          "publicités locales pour les enseignes de restauration."),
        N("business", "business_services.photography",
          "Photographe culinaire pour nos clients",
          "Nous cherchons un photographe pour les cartes et les réseaux sociaux des restaurants "
          "que nous accompagnons.", 40),
    ],
    "Plume Digitale": [
        O("business", "business_services.copywriting|digital.seo",
          "Contenus optimisés pour le référencement B2B",
          "Articles, livres blancs, études de cas et pages de service optimisés pour le "
          "référencement des entreprises B2B."),
        O("subcontracting", "business_services.copywriting|digital.seo",
          "Rédaction web en sous-traitance pour les agences",
          "Je rédige pour les agences les contenus des sites qu'elles livrent et des campagnes de "
          "référencement."),
        need_coworking("Le Bouscat"),
    ],
    "Adlink Atlantique": [
        O("business", "business_services.advertising",
          "Espaces publicitaires numériques des médias locaux",
          "Nous commercialisons les espaces publicitaires des sites d'information et des lettres "
          "des médias locaux de la région."),
        N("business", "digital.data_analysis",
          "Mesure d'audience et ciblage des campagnes",
          "Nous cherchons un prestataire pour analyser l'audience de nos médias et mieux cibler "
          "les campagnes des annonceurs."),
    ],
    "Influence Garonne": [
        O("business", "business_services.communication|digital.social_media",
          "Mise en relation des marques avec des créateurs locaux",
          "Nous sélectionnons des créateurs de contenus régionaux et pilotons les campagnes des "
          "marques avec eux."),
        N("business", "business_services.video_production",
          "Montage des vidéos de campagne",
          "Nous cherchons un monteur pour reprendre les vidéos des créateurs en formats "
          "publicitaires.", 40),
    ],
    "Marché Local Connecté": [
        O("business", "food.short_supply_chain|digital.ecommerce",
          "Place de marché entre producteurs locaux et cantines",
          "Notre place de marché relie les producteurs locaux aux cantines et aux restaurants de "
          "la métropole : commandes, facturation et livraisons groupées.", 50),
        N("business", "business_services.graphic_design",
          "Identité visuelle des producteurs de la place de marché",
          "Nous voulons proposer à nos producteurs une identité visuelle et des étiquettes à prix "
          "négocié.", 40),
    ],
    "Agenda Estuaire": [
        O("business", "business_services.advertising|business_services.events",
          "Annonce des événements sur notre portail de sorties",
          "Mise en avant des spectacles, festivals et événements familiaux sur notre portail et "
          "notre lettre hebdomadaire.", 40),
        N("business", "digital.mobile_development",
          "Application mobile de l'agenda des sorties",
          "Nous cherchons un développeur pour une application mobile de notre agenda, avec "
          "alertes et favoris."),
    ],
    "Courriel & Cie": [
        O("business", "digital.digital_marketing",
          "Campagnes d'e-mailing et automatisation marketing",
          "Conception, envoi et scénarios d'automatisation des e-mails pour les commerçants en "
          "ligne."),
        O("subcontracting", "digital.digital_marketing",
          "Envoi de campagnes en marque blanche pour les agences",
          "Nous préparons et envoyons les campagnes d'e-mailing des clients d'agences, sous leur "
          "marque."),
        N("business", "business_services.copywriting",
          "Rédaction des e-mails de nos clients",
          "Nous cherchons un rédacteur pour les objets et les textes des campagnes d'e-mailing."),
    ],
    "Studio Fanal Vidéo": [
        O("business", "business_services.video_production",
          "Vidéos institutionnelles, tutoriels et films de marque",
          "Écriture, tournage et montage de vidéos institutionnelles, de tutoriels et de films de "
          "marque pour les entreprises régionales.", 60),
        O("subcontracting", "business_services.video_production",
          "Tournage et montage en sous-traitance pour les agences",
          "Nous tournons et montons pour les agences de communication, sous leur direction "
          "artistique.", 60),
        N("business", "business_services.translation",
          "Sous-titrage multilingue de nos films",
          "Nous cherchons un traducteur pour sous-titrer nos films en anglais et en espagnol."),
    ],
    "Clairière RP": [
        O("business", "business_services.communication",
          "Relations presse et communication numérique",
          "Relations presse, communiqués et communication numérique pour les jeunes pousses et les "
          "laboratoires."),
        N("business", "business_services.graphic_design",
          "Mise en page des dossiers de presse",
          "Nous cherchons un graphiste pour mettre en page les dossiers de presse de nos clients.",
          40),
    ],
    "Antoine Lalanne Growth": [
        O("business", "business_services.marketing|business_services.management_consulting",
          "Stratégie de croissance et prospection pour éditeurs de logiciels",
          "J'aide les éditeurs et les entreprises techniques à définir leurs cibles, structurer "
          "leur prospection et outiller leur équipe commerciale."),
        N("business", "digital.crm_integration",
          "Paramétrage du CRM de mes clients",
          "Je cherche un intégrateur pour paramétrer le CRM de mes clients une fois leur "
          "démarche commerciale définie."),
    ],
    # ---- UX / design ---------------------------------------------------------------
    "Atelier Contraste": [
        O("business", "digital.ux_design|digital.ui_design",
          "Audits d'ergonomie et tests utilisateurs",
          "Audits d'ergonomie, tests avec des utilisateurs et recommandations pour les "
          "applications métiers."),
        O("subcontracting", "digital.ui_design|digital.ux_design",
          "Designers en renfort des équipes de développement",
          "Nos designers rejoignent pour quelques semaines les équipes de développement qui "
          "n'ont pas de designer."),
        N("business", "digital.accessibility",
          "Expertise accessibilité pour nos audits",
          "Nous cherchons un spécialiste RGAA pour compléter nos audits d'ergonomie d'un volet "
          "accessibilité."),
    ],
    "Boussole UX": [
        O("business", "digital.ux_design",
          "Refonte des parcours clients des éditeurs",
          "Recherche utilisateur, cartographie des parcours et priorisation des évolutions pour "
          "les éditeurs de logiciels."),
        N("subcontracting", "digital.ui_design",
          "Designer d'interface pour réaliser les maquettes",
          "Nous cherchons un designer d'interface pour réaliser les maquettes détaillées des "
          "parcours que nous concevons."),
    ],
    "Accessible & Simple": [
        O("business", "digital.accessibility",
          "Audits d'accessibilité numérique RGAA",
          "Audits RGAA, déclarations d'accessibilité et schémas pluriannuels pour les sites et "
          "applications."),
        O("business", "digital.accessibility|digital.digital_training",
          "Formation des équipes de développement à l'accessibilité",
          "Formations pratiques de deux jours pour les développeurs, les designers et les "
          "rédacteurs."),
        O("co_production", "digital.accessibility",
          "Volet accessibilité des réponses aux marchés publics",
          "Nous prenons le lot accessibilité des groupements qui répondent aux marchés de "
          "services publics en ligne."),
        N("pooling", "business_services.hr_consulting|business_services.payroll",
          "Ressource RH partagée pour nos recrutements et nos paies",
          "Nous grandissons vite et cherchons une fonction RH partagée : paies, contrats, "
          "entretiens annuels et plan de formation.", 30),
    ],
    "Inès Haddad Design": [
        O("subcontracting", "digital.ui_design",
          "Systèmes de design et maquettes en sous-traitance",
          "Je conçois les systèmes de design et les maquettes détaillées pour les agences et les "
          "cabinets d'UX."),
        O("business", "digital.ui_design",
          "Maquettes d'applications mobiles",
          "Maquettes et prototypes interactifs d'applications mobiles pour les jeunes pousses."),
        need_coworking("Bègles"),
    ],
    "Grain de Sel Graphisme": [
        O("business", "business_services.graphic_design",
          "Identités visuelles, emballages et supports imprimés",
          "Logos, étiquettes, emballages et supports imprimés pour les producteurs locaux et les "
          "petites marques.", 50),
        N("business", "business_services.photography",
          "Photos des produits de nos clients",
          "Nous cherchons un photographe pour les photos de produits et d'ambiance de nos "
          "clients.", 40),
    ],
    "Forme Utile": [
        O("business", "digital.ux_design",
          "Design des démarches en ligne des collectivités",
          "Nous co-concevons avec les usagers et les agents les démarches en ligne des "
          "collectivités."),
        O("co_production", "digital.ux_design|business_services.public_tenders",
          "Design de services au sein de groupements",
          "Nous prenons le lot design de services des groupements qui répondent aux marchés "
          "publics."),
        N("co_production", "digital.accessibility",
          "Partenaire accessibilité pour nos groupements",
          "Nous cherchons un cabinet d'accessibilité pour nos réponses communes aux marchés "
          "publics."),
        N("co_production", "digital.web_development",
          "Développeurs pour nos groupements de marchés publics",
          "Nous cherchons une équipe de développement pour former des groupements avec nous."),
    ],
    "Baptiste Morel Motion Design": [
        O("business", "business_services.video_production",
          "Animations explicatives en motion design",
          "Vidéos animées qui expliquent un produit ou un service, pour les sites web et les "
          "salons professionnels."),
        O("subcontracting", "business_services.video_production",
          "Motion design pour agences et studios",
          "J'anime en sous-traitance les habillages et les séquences graphiques des studios et "
          "des agences."),
        N("business", "business_services.video_production",
          "Voix off pour mes animations",
          "Je cherche un studio audio pour les voix off et la musique de mes vidéos animées."),
    ],
    # ---- hosting / infrastructure ---------------------------------------------------
    "Nuage Girondin": [
        O("business", "digital.web_hosting|digital.cloud_infrastructure",
          "Serveurs virtuels et stockage hébergés en Gironde",
          "Serveurs virtuels, stockage et hébergement de sites dans notre centre de données de "
          "Blanquefort, avec support en français."),
        O("pooling", "digital.cloud_infrastructure",
          "Baies partagées dans notre centre de données",
          "Nous louons des demi-baies et des quarts de baie aux membres qui veulent héberger leur "
          "propre matériel.", 60),
        N("business", "digital.security_audit",
          "Audit de sécurité de notre infrastructure",
          "Nous cherchons un cabinet pour auditer notre infrastructure avant la certification de "
          "notre offre."),
    ],
    "Sud Datacenter Services": [
        O("business", "digital.cloud_infrastructure|digital.data_backup",
          "Colocation et cloud privé certifiés HDS",
          "Colocation, cloud privé et sauvegarde dans un centre de données certifié HDS et ISO "
          "27001, pour les ETI et les établissements de santé."),
        O("subcontracting", "digital.cloud_infrastructure",
          "Infrastructure en marque blanche pour infogéreurs",
          "Les infogéreurs et les éditeurs revendent sous leur nom notre infrastructure et notre "
          "exploitation."),
        N("business", "business_services.recruitment",
          "Techniciens d'exploitation en alternance",
          "Nous cherchons deux alternants administrateurs systèmes pour notre équipe "
          "d'exploitation.", 50),
        N("business", "environment.energy_management",
          "Suivi énergétique du centre de données",
          "Nous voulons suivre finement la consommation et l'efficacité énergétique de notre "
          "centre de données.", 50),
    ],
    "Estey Hébergement": [
        O("business", "digital.web_hosting|digital.managed_services|digital.data_backup",
          "Hébergement infogéré WordPress et PrestaShop",
          "Hébergement infogéré des sites WordPress et PrestaShop, mises à jour de sécurité et "
          "sauvegardes quotidiennes, pour les agences web."),
        N("business", "digital.security_audit",
          "Audit de sécurité de notre plateforme d'hébergement",
          "Nous cherchons un cabinet pour auditer notre plateforme et tester l'isolement entre "
          "les sites de nos clients."),
    ],
    "Réseaux Garonne Télécom": [
        O("business", "digital.telephony|digital.networks",
          "Fibre, liens de secours et téléphonie d'entreprise",
          "Accès fibre, liens de secours 4G et téléphonie IP pour les entreprises des zones "
          "d'activités.", 40),
        N("subcontracting", "digital.networks",
          "Techniciens de raccordement en sous-traitance",
          "Nous cherchons des techniciens pour raccorder les locaux de nos clients et installer "
          "leurs équipements réseau.", 40),
    ],
    "Serveur Vert": [
        O("business", "digital.web_hosting|digital.cloud_infrastructure|environment.carbon_footprint",
          "Hébergement cloud bas carbone",
          "Hébergement cloud alimenté en électricité renouvelable, avec un rapport d'empreinte "
          "carbone par client."),
        N("co_production", "environment.carbon_footprint|environment.lca",
          "Évaluation de l'empreinte de nos offres, en partenariat",
          "Nous cherchons un cabinet pour évaluer l'empreinte de nos services et porter avec nous "
          "une offre d'hébergement responsable."),
    ],
    "Passerelle Cloud": [
        O("business", "digital.cloud_migration|digital.managed_services",
          "Migration vers la messagerie et la bureautique en ligne",
          "Migration des messageries et des fichiers vers les suites bureautiques en ligne, puis "
          "administration des comptes."),
        O("subcontracting", "digital.cloud_migration",
          "Migrations en sous-traitance pour infogéreurs",
          "Nous réalisons pour les infogéreurs les migrations de messagerie de leurs clients."),
        N("business", "digital.digital_training",
          "Formation des utilisateurs après migration",
          "Nous cherchons un organisme pour former les utilisateurs de nos clients aux outils "
          "collaboratifs en ligne.", 40),
    ],
    # ---- training -------------------------------------------------------------------
    "Formanum Aquitaine": [
        O("business", "digital.digital_training|digital.cybersecurity",
          "Formations bureautique, outils collaboratifs et cybersécurité",
          "Formations courtes en intra et inter-entreprises, finançables par les OPCO.", 50),
        N("subcontracting", "digital.cybersecurity",
          "Formateur cybersécurité vacataire",
          "Nous cherchons un intervenant pour animer nos sessions de sensibilisation à la "
          "cybersécurité.", 40),
    ],
    "Académie du Code Rive Droite": [
        O("business", "business_services.recruitment|business_services.professional_training",
          "Développeurs juniors formés, en stage ou à l'embauche",
          "Nos apprenants en reconversion cherchent un stage de deux mois ou un premier emploi de "
          "développeur web.", 40),
        N("business", "digital.cloud_infrastructure",
          "Hébergement des environnements de nos apprenants",
          "Nous cherchons un hébergeur pour les environnements de développement de nos "
          "promotions.", 40),
    ],
    "Passeport Clic": [
        O("business", "digital.digital_training",
          "Ateliers numériques pour seniors et publics éloignés",
          "Ateliers collectifs et accompagnement individuel aux démarches en ligne.", 30),
        N("business", "digital.it_equipment",
          "Tablettes et ordinateurs pour nos ateliers",
          "Nous cherchons des tablettes et des ordinateurs reconditionnés pour équiper nos "
          "ateliers.", 30),
    ],
    "Claire Labat Formation": [
        O("business", "digital.digital_training|digital.social_media|digital.digital_marketing",
          "Formations marketing digital pour artisans et commerçants",
          "Formations pratiques aux réseaux sociaux, aux fiches d'établissement et à l'e-mailing "
          "pour les artisans et commerçants.", 50),
        N("pooling", "business_services.coworking|business_services.events",
          "Salle de formation à partager",
          "Je cherche une salle de formation équipée pour dix personnes, quelques jours par mois.",
          20),
    ],
    "Data Campus Formation": [
        O("business", "digital.digital_training|digital.data_analysis",
          "Formations Python, analyse de données et visualisation",
          "Formations de trois à dix jours pour les cadres et les techniciens, en présentiel ou à "
          "distance."),
        N("subcontracting", "digital.data_analysis",
          "Formateurs en analyse de données vacataires",
          "Nous cherchons des data scientists pour animer nos formations avancées.", 40),
    ],
    "Petits Codeurs Girondins": [
        O("business", "digital.digital_training",
          "Ateliers de programmation et de robotique pour enfants",
          "Ateliers hebdomadaires et stages de vacances de programmation et de robotique pour les "
          "8 à 16 ans.", 20),
        N("business", "digital.it_equipment",
          "Ordinateurs reconditionnés pour nos ateliers",
          "Nous cherchons une douzaine d'ordinateurs portables reconditionnés.", 30),
    ],
    # ---- associations -----------------------------------------------------------------
    "Atelier Partagé des Bassins": [
        O("pooling", "industry.additive_manufacturing|industry.prototyping",
          "Imprimantes 3D, découpe laser et électronique en accès partagé",
          "Nos machines sont ouvertes aux entreprises membres pour leurs prototypes, avec une "
          "formation à la première utilisation.", 20),
        N("business", "business_services.grant_applications",
          "Financement de nouvelles machines",
          "Nous cherchons des aides pour acheter une fraiseuse numérique et une seconde découpe "
          "laser."),
    ],
    "Numérique Solidaire Gironde": [
        O("business", "environment.repair_reuse|digital.it_equipment",
          "Collecte du matériel informatique des entreprises",
          "Nous collectons gratuitement le matériel informatique dont les entreprises se "
          "séparent, avec un certificat d'effacement des données.", 40),
        O("business", "digital.digital_training",
          "Accompagnement à l'inclusion numérique",
          "Permanences et ateliers d'inclusion numérique dans les quartiers prioritaires.", 20),
        N("business", "digital.computer_repair",
          "Réparation des ordinateurs collectés",
          "Nous cherchons un atelier pour réparer les ordinateurs collectés que nos bénévoles ne "
          "peuvent pas remettre en état.", 20),
    ],
    "Cercle des Responsables Informatiques de Gironde": [
        O("pooling", "digital.it_equipment|digital.managed_services",
          "Achats groupés de licences et de matériel informatique",
          "Nos membres regroupent leurs achats de licences, de postes et de services pour "
          "négocier les prix.", 60),
        N("business", "digital.cybersecurity|digital.digital_training",
          "Intervenants pour nos matinales cybersécurité",
          "Nous cherchons des intervenants pour nos matinales trimestrielles sur la sécurité des "
          "PME.", 40),
    ],
    "Elles Codent en Gironde": [
        O("business", "business_services.coaching|business_services.events",
          "Mentorat et rencontres pour la mixité dans le numérique",
          "Programme de mentorat, rencontres professionnelles et interventions dans les écoles "
          "pour attirer les femmes vers le numérique.", 40),
        N("pooling", "business_services.events|business_services.coworking",
          "Salles pour nos rencontres mensuelles",
          "Nous cherchons une salle pour cinquante personnes un soir par mois.", 15),
    ],
    # ---- more members -------------------------------------------------------------------
    "Carto Sud": [
        O("business", "digital.geomatics|digital.web_development",
          "Cartes interactives et SIG pour collectivités",
          "Cartes interactives, applications de saisie terrain et systèmes d'information "
          "géographique pour les syndicats de rivière et les communes."),
        O("co_production", "digital.geomatics",
          "Cartographie au sein de groupements",
          "Nous apportons le volet cartographique des portails et des applications construits en "
          "groupement."),
        N("business", "business_services.drone_services",
          "Prises de vue aériennes pour nos cartes",
          "Nous cherchons un télépilote pour des orthophotos de cours d'eau et de zones humides.",
          60),
    ],
    "Cap Transition Numérique": [
        O("business", "digital.digital_transformation",
          "Diagnostic numérique et plan d'action pour TPE artisanales",
          "Diagnostic des usages numériques, plan d'action et suivi de sa mise en œuvre pour les "
          "TPE artisanales.", 60),
        N("business", "digital.web_development|digital.ecommerce",
          "Prestataires pour les sites des artisans accompagnés",
          "Nous cherchons des agences pour réaliser à prix maîtrisé les sites et boutiques en "
          "ligne prévus dans les plans d'action de nos clients.", 40),
    ],
    "Photon Studio 360": [
        O("business", "digital.virtual_reality|business_services.photography",
          "Visites virtuelles à 360° et photographies",
          "Visites virtuelles à 360° et photographies professionnelles pour les agences "
          "immobilières, les hôtels et les hébergements touristiques.", 80),
        O("business", "business_services.drone_services|business_services.photography",
          "Prises de vue par drone",
          "Photos et vidéos aériennes, orthophotos et inspections visuelles par un télépilote "
          "certifié.", 80),
        N("business", "digital.web_development",
          "Site portfolio avec visites intégrées",
          "Nous voulons refondre notre site pour y présenter nos visites virtuelles et prendre "
          "les commandes en ligne.", 40),
    ],
    "Caisse Facile Aquitaine": [
        O("business", "digital.it_equipment",
          "Systèmes de caisse et terminaux mobiles pour restaurants",
          "Vente, installation et paramétrage de caisses et de terminaux de prise de commande "
          "pour les restaurants.", 40),
        N("subcontracting", "digital.it_support",
          "Installateurs sur site en sous-traitance",
          "Nous cherchons des techniciens pour installer nos caisses chez les restaurateurs en "
          "dehors de Mérignac.", 40),
    ],
    "Paraphe Numérique": [
        O("business", "digital.digital_document",
          "Signature électronique et archivage des contrats",
          "Signature électronique et archivage à valeur probante des contrats de mission pour les "
          "agences d'intérim."),
        O("technology", "digital.digital_document|digital.api_development",
          "API de signature électronique pour les éditeurs",
          "Nous ouvrons sous licence notre service de signature électronique aux éditeurs de "
          "logiciels."),
        N("business", "digital.security_audit",
          "Test d'intrusion de notre service de signature",
          "Nous cherchons un pentesteur pour le test annuel de notre service et de notre API."),
    ],
    "Voix Off Garonne": [
        O("business", "business_services.video_production",
          "Podcasts de marque et contenus audio",
          "Écriture, enregistrement et montage de podcasts de marque et de contenus audio pour "
          "les entreprises et les institutions."),
        O("subcontracting", "business_services.video_production",
          "Voix off et habillage sonore pour studios et agences",
          "Nous enregistrons les voix off et créons l'habillage sonore des vidéos et des jeux de "
          "studios et d'agences."),
        N("business", "digital.web_hosting",
          "Hébergement de nos podcasts",
          "Nous cherchons un hébergement pour diffuser nos podcasts avec des statistiques "
          "d'écoute."),
    ],
    "Automates & Co": [
        O("business", "industry.automation|digital.custom_software",
          "Pilotage d'automates et supervision industrielle",
          "Programmation d'automates et logiciels de supervision pour les sous-traitants "
          "aéronautiques."),
        O("subcontracting", "industry.automation|digital.embedded_systems",
          "Développements d'automatismes en sous-traitance",
          "Nous prenons en sous-traitance les développements d'automatismes et de logiciels "
          "embarqués des intégrateurs et des ESN.", 60),
        O("co_production", "industry.automation",
          "Automatisme au sein d'offres industrielles communes",
          "Nous apportons l'automatisme aux offres communes de modernisation et de sécurisation "
          "des lignes de production."),
        N("business", "digital.cybersecurity",
          "Sécurisation de nos supervisions",
          "Nous cherchons un spécialiste pour sécuriser les supervisions que nous livrons à nos "
          "clients."),
    ],
    "Billetterie Locale": [
        O("business", "digital.custom_software|business_services.events",
          "Billetterie en ligne et contrôle d'accès mobile",
          "Billetterie en ligne, contrôle des billets sur téléphone et statistiques pour les "
          "festivals et les salles de spectacle."),
        N("business", "digital.digital_marketing",
          "Campagnes d'e-mailing pour les organisateurs",
          "Nous voulons proposer à nos organisateurs des campagnes d'e-mailing vers leurs "
          "spectateurs."),
    ],
    "Mouvement Appli": [
        O("business", "digital.mobile_development",
          "Applications mobiles de santé pour les kinésithérapeutes",
          "Applications d'exercices et de suivi à distance des patients pour les "
          "masseurs-kinésithérapeutes."),
        O("subcontracting", "digital.mobile_development",
          "Développement mobile en sous-traitance",
          "Nous développons en sous-traitance des applications mobiles pour des éditeurs de "
          "santé."),
        N("business", "digital.cloud_infrastructure",
          "Hébergement certifié HDS de nos applications",
          "Nous devons héberger les données de nos patients chez un hébergeur certifié HDS."),
    ],
    "Mathilde Roux Projets Digitaux": [
        O("business", "digital.digital_transformation|digital.web_development",
          "Pilotage de refontes de sites",
          "Je pilote la refonte des sites des PME et des fédérations professionnelles, du cahier "
          "des charges à la mise en ligne."),
        O("subcontracting", "digital.digital_transformation",
          "Cheffe de projet en renfort pour les agences",
          "J'interviens comme cheffe de projet pour les agences qui manquent de bras."),
        need_coworking("Talence"),
    ],
    "Colis Malin Connect": [
        O("business", "digital.api_development|digital.ecommerce",
          "Connecteurs entre boutiques en ligne, transporteurs et stocks",
          "Connecteurs prêts à l'emploi et sur mesure entre boutiques en ligne, transporteurs et "
          "logiciels de gestion des stocks."),
        O("subcontracting", "digital.api_development",
          "Développement de connecteurs en sous-traitance",
          "Nous développons en sous-traitance les connecteurs et les API des intégrateurs et des "
          "agences."),
        N("business", "business_services.marketing",
          "Stratégie commerciale vers les logisticiens",
          "Nous cherchons un consultant pour définir notre offre et notre prospection auprès des "
          "logisticiens."),
    ],
    "Contrat Clair": [
        O("business", "digital.custom_software",
          "Génération de contrats et de conditions générales pour indépendants",
          "Application en ligne qui génère contrats de prestation, devis et conditions générales "
          "à jour pour les indépendants."),
        N("business", "digital.seo",
          "Référencement de notre application",
          "Nous cherchons un spécialiste du référencement pour gagner en visibilité auprès des "
          "indépendants."),
    ],
    "Romain Dupouy Réseaux": [
        O("business", "digital.networks|digital.telephony",
          "Câblage, Wi-Fi et téléphonie pour petites entreprises",
          "Câblage réseau, Wi-Fi professionnel et téléphonie IP pour les petites entreprises.", 40),
        O("subcontracting", "digital.networks",
          "Câblage réseau en sous-traitance",
          "J'interviens en sous-traitance sur les chantiers de câblage des intégrateurs et des "
          "opérateurs.", 40),
    ],
    "Sobriété Numérique Conseil": [
        O("business", "environment.lca|environment.carbon_footprint",
          "Empreinte environnementale des services numériques",
          "Mesure de l'empreinte environnementale des sites et des services numériques et plan "
          "d'écoconception."),
        O("co_production", "environment.lca|environment.carbon_footprint",
          "Volet écoconception des offres communes",
          "Nous apportons l'évaluation environnementale aux offres communes des agences et des "
          "hébergeurs."),
        N("co_production", "digital.web_development",
          "Agence partenaire pour mettre en œuvre l'écoconception",
          "Nous cherchons une agence web pour mettre en œuvre nos recommandations d'écoconception "
          "dans une offre commune."),
    ],
    "Assemblée Facile": [
        O("business", "digital.custom_software",
          "Vote en ligne et assemblées générales",
          "Convocations, vote en ligne sécurisé et procès-verbaux pour les associations et les "
          "copropriétés."),
        N("business", "digital.security_audit",
          "Audit de sécurité de notre vote en ligne",
          "Nous cherchons un cabinet pour auditer la sécurité et la confidentialité de notre "
          "système de vote."),
    ],
    "Traduire & Localiser": [
        O("business", "business_services.translation",
          "Traduction et localisation de logiciels, de jeux et de sites",
          "Traduction et localisation vers les langues européennes, relue par des traducteurs "
          "natifs spécialisés."),
        N("pooling", "business_services.payroll|business_services.hr_consulting",
          "Gestion de la paie et des contrats à temps partagé",
          "Avec quatre salariés et des traducteurs pigistes, nous voulons confier la paie et les "
          "contrats à une gestionnaire partagée entre plusieurs entreprises.", 30),
    ],
    "Pôle Impression 3D Jalles": [
        O("business", "industry.additive_manufacturing|industry.prototyping",
          "Prototypage rapide et petites séries en impression 3D",
          "Impression 3D de prototypes et de petites séries en polymères techniques pour les "
          "bureaux d'études et les start-up du matériel."),
        N("business", "digital.ecommerce",
          "Boutique en ligne de pièces imprimées",
          "Nous voulons vendre en ligne des pièces détachées imprimées à la demande."),
    ],
    "Lueur Réalité Virtuelle": [
        O("business", "digital.virtual_reality|business_services.professional_training",
          "Formations à la sécurité en réalité virtuelle",
          "Expériences de réalité virtuelle pour former à la sécurité sur les sites industriels."),
        O("co_production", "digital.virtual_reality",
          "Réalité virtuelle au sein d'offres communes",
          "Nous apportons la réalité virtuelle aux offres communes de formation et de visite."),
        N("co_production", "digital.video_game",
          "Studio partenaire pour scénariser nos formations",
          "Nous cherchons un studio de jeux pour scénariser et ludifier nos formations "
          "immersives."),
    ],
    "Ressources Pixels RH": [
        O("business", "business_services.recruitment",
          "Recrutement de développeurs, administrateurs systèmes et chefs de projet",
          "Recherche, évaluation technique et présentation de candidats pour les postes du "
          "numérique.", 60),
        N("business", "digital.custom_software|business_services.recruitment",
          "Logiciel de suivi des candidatures",
          "Nous cherchons un logiciel de suivi des candidatures adapté à un petit cabinet."),
    ],
    "Nathan Cazaux Développement": [
        O("business", "digital.ecommerce|digital.api_development",
          "Extensions et intégrations WooCommerce",
          "Extensions, intégrations et optimisations sur mesure pour les boutiques WooCommerce."),
        O("subcontracting", "digital.ecommerce",
          "Développement WooCommerce en sous-traitance",
          "Je développe en sous-traitance pour les agences les fonctions sur mesure de leurs "
          "boutiques WooCommerce."),
        need_coworking("Villenave-d'Ornon", 20),
    ],
}

# Building artisans work within about 30 km of their workshop; they look a little further.
ART = 30
ART_NEED = 40

ARTISAN_DECLARATIONS = {
    "Artisans Rénovation Pays de Ploërmel": [
        O("pooling", "building.renovation_aid_files|business_services.secretarial",
          "Montage partagé des dossiers d'aides à la rénovation",
          "L'association emploie une chargée de dossiers partagée entre les membres : "
          "MaPrimeRénov', certificats d'économies d'énergie et éco-prêt à taux zéro montés pour "
          "leurs clients.", ART),
        O("co_production", "building.general_renovation|building.project_management",
          "Offre globale de rénovation portée par le groupement",
          "Le groupement présente aux particuliers une offre unique de rénovation globale, avec "
          "un interlocuteur et un planning partagé entre les corps de métier.", ART),
        N("business", "building.thermal_audit",
          "Audits énergétiques pour les ménages du guichet de rénovation",
          "Nous cherchons un bureau d'études pour les audits des ménages orientés par le guichet "
          "de rénovation de Ploërmel Communauté.", ART_NEED),
    ],
    "Thermi'Yvel Études": [
        O("business", "building.thermal_audit|building.dpe",
          "Audits énergétiques réglementaires et DPE",
          "Audits énergétiques éligibles aux aides, DPE et scénarios de travaux par étapes pour "
          "les maisons individuelles.", ART),
        O("business", "building.thermal_engineering|building.airtightness_test",
          "Calculs thermiques et tests d'étanchéité à l'air",
          "Dimensionnement des équipements de chauffage, calculs thermiques et tests "
          "d'étanchéité à l'air avant et après travaux.", ART),
        O("co_production", "building.thermal_audit|building.project_management|building.general_renovation",
          "Étude et coordination des rénovations globales",
          "Nous portons l'audit, le programme de travaux et la coordination des rénovations "
          "globales réalisées en groupement.", ART),
        N("co_production", "building.architecture",
          "Architecte pour les rénovations soumises à permis",
          "Nous cherchons un architecte pour les rénovations globales qui modifient les façades "
          "ou les volumes.", ART_NEED),
        N("pooling", "building.renovation_aid_files",
          "Montage des dossiers d'aides de nos clients",
          "Nous voulons confier à une ressource partagée le montage des dossiers d'aides de nos "
          "clients.", ART_NEED),
    ],
    "Le Guen Plomberie Chauffage": [
        O("business", "building.biomass_boiler|building.heating|building.plumbing",
          "Remplacement des chaudières fioul par des chaudières à granulés",
          "Dépose des chaudières fioul, pose de chaudières à granulés et de ballons "
          "thermodynamiques, entretien annuel.", ART),
        O("subcontracting", "building.plumbing|building.heating",
          "Plomberie et chauffage en sous-traitance",
          "Nous réalisons les lots plomberie et chauffage d'autres entreprises du bâtiment.", ART),
        N("subcontracting", "building.electricity",
          "Raccordements électriques des chaudières",
          "Nous cherchons un électricien pour les raccordements et les mises aux normes liés au "
          "remplacement des chaudières.", ART_NEED),
        N("pooling", "building.renovation_aid_files",
          "Dossiers MaPrimeRénov' de nos clients",
          "Nous n'avons pas le temps de monter les dossiers d'aides de nos clients et cherchons "
          "une solution partagée.", ART_NEED),
    ],
    "Brocéliande Énergies PAC": [
        O("business", "building.heat_pump",
          "Pompes à chaleur air-eau et géothermiques",
          "Étude, pose et mise en service de pompes à chaleur air-eau et géothermiques, avec "
          "contrat d'entretien annuel.", ART),
        O("co_production", "building.heat_pump|building.heating",
          "Lot chauffage des rénovations globales",
          "Nous prenons le lot chauffage par pompe à chaleur des rénovations globales réalisées "
          "en groupement.", ART),
        N("subcontracting", "building.electricity",
          "Électricien pour l'alimentation des pompes à chaleur",
          "Nous cherchons un électricien pour les alimentations et les protections des pompes à "
          "chaleur que nous posons.", ART_NEED),
        N("business", "building.thermal_engineering",
          "Dimensionnement des pompes à chaleur",
          "Nous cherchons un bureau d'études pour les calculs de déperditions avant le choix des "
          "machines.", ART_NEED),
    ],
    "Jégo Chauffage Sanitaire": [
        O("business", "building.wood_stove|building.biomass_boiler",
          "Poêles et chaudières bois, ramonage et entretien",
          "Pose de poêles à bois et à granulés, de chaudières bois, ramonage et entretien.", ART),
        N("subcontracting", "building.roofing",
          "Sorties de toit et conduits de fumée",
          "Nous cherchons un couvreur pour les sorties de toit et les solins des conduits que "
          "nous installons.", ART_NEED),
    ],
    "Robin Plomberie": [
        O("business", "building.plumbing|building.accessibility|building.kitchen_bathroom",
          "Salles de bains adaptées au vieillissement",
          "Douches de plain-pied, barres d'appui et sanitaires adaptés, avec montage des aides à "
          "l'adaptation du logement.", ART),
        O("subcontracting", "building.plumbing|building.kitchen_bathroom",
          "Plomberie sanitaire en sous-traitance",
          "Je réalise les lots plomberie sanitaire des salles de bains pour d'autres artisans.",
          ART),
        N("subcontracting", "building.tiling",
          "Carreleur pour les douches à l'italienne",
          "Je cherche un carreleur pour les douches à l'italienne et les faïences des salles de "
          "bains que je rénove.", ART_NEED),
    ],
    "Solaire du Porhoët": [
        O("business", "building.solar_pv|building.solar_thermal",
          "Photovoltaïque en autoconsommation et chauffe-eau solaires",
          "Étude, pose et raccordement de panneaux photovoltaïques et de chauffe-eau solaires "
          "pour les maisons et les exploitations agricoles.", ART),
        O("subcontracting", "building.solar_pv",
          "Pose de panneaux solaires en sous-traitance",
          "Nous posons les panneaux solaires pour les couvreurs et les électriciens qui les "
          "vendent à leurs clients.", ART),
        N("subcontracting", "building.roofing",
          "Couvreur pour l'intégration des panneaux en toiture",
          "Nous cherchons un couvreur pour les reprises de couverture autour des panneaux "
          "intégrés.", ART_NEED),
        N("subcontracting", "building.electricity",
          "Électricien pour les raccordements photovoltaïques",
          "Nous cherchons un électricien qualifié pour les tableaux et les raccordements des "
          "installations.", ART_NEED),
    ],
    "Électricité Morvan": [
        O("business", "building.electricity|building.ev_charging",
          "Mises aux normes, tableaux et bornes de recharge",
          "Mises aux normes, tableaux électriques, rénovation complète et bornes de recharge pour "
          "véhicules électriques.", ART),
        O("subcontracting", "building.electricity",
          "Électricité en sous-traitance pour chauffagistes et solaristes",
          "Nous réalisons les raccordements électriques des chauffagistes, des poseurs de pompes "
          "à chaleur et des solaristes.", ART),
        N("subcontracting", "building.plastering",
          "Rebouchage des saignées et doublages",
          "Nous cherchons un plaquiste pour reprendre les cloisons et les doublages après nos "
          "passages de gaines.", ART_NEED),
    ],
    "Tanguy Élec": [
        O("business", "building.electricity|building.ventilation",
          "VMC et radiateurs à inertie en maison ancienne",
          "Installation de ventilations mécaniques et de radiateurs à inertie dans les maisons "
          "anciennes.", ART),
        O("subcontracting", "building.electricity",
          "Électricien indépendant en renfort",
          "J'interviens en renfort sur les chantiers des entreprises du réseau.", ART),
        N("pooling", "business_services.equipment_rental",
          "Nacelle et échafaudage à emprunter",
          "Je cherche à emprunter ou louer entre artisans une nacelle et un échafaudage quelques "
          "jours par an.", ART_NEED),
    ],
    "Le Floch Électricité Domotique": [
        O("business", "building.home_automation|building.electricity",
          "Domotique du chauffage et des volets",
          "Installation électrique et domotique pour piloter le chauffage, les volets et "
          "l'éclairage des logements rénovés.", ART),
        O("co_production", "building.electricity|building.home_automation",
          "Lot électricité des rénovations globales",
          "Nous prenons le lot électricité et domotique des rénovations globales en groupement.",
          ART),
        N("business", "building.shutters",
          "Volets roulants motorisés à fournir",
          "Nous cherchons un menuisier qui fournit et pose des volets roulants motorisés "
          "compatibles avec nos installations.", ART_NEED),
    ],
    "Isol'Ouest 56": [
        O("business", "building.roof_insulation|building.floor_insulation|building.eco_materials",
          "Isolation des combles perdus et des planchers bas",
          "Soufflage de ouate de cellulose dans les combles perdus et isolation des planchers "
          "bas par le vide sanitaire ou le sous-sol.", ART),
        O("co_production", "building.roof_insulation|building.floor_insulation",
          "Lot isolation des rénovations globales",
          "Nous prenons le lot isolation des combles et des planchers des rénovations globales en "
          "groupement.", ART),
        N("business", "building.airtightness_test",
          "Tests d'étanchéité à l'air après travaux",
          "Nous cherchons un bureau d'études pour mesurer l'étanchéité à l'air des maisons après "
          "nos travaux.", ART_NEED),
    ],
    "Chanvre & Chaux Bretagne": [
        O("business", "building.interior_insulation|building.eco_materials|building.stone_masonry",
          "Isolation des murs anciens en chanvre et chaux",
          "Béton de chanvre projeté, enduits chaux-chanvre et correction thermique des murs en "
          "pierre.", ART),
        O("pooling", "building.eco_materials",
          "Achats groupés de chanvre, de chaux et de bois local",
          "Nous regroupons deux fois par an les commandes de chanvre, de chaux et de bois local "
          "des artisans du réseau auprès des producteurs bretons.", ART),
        N("pooling", "business_services.equipment_rental",
          "Malaxeur et échafaudage à partager",
          "Nous cherchons à partager un malaxeur à chanvre et des échafaudages de façade avec "
          "d'autres entreprises.", ART_NEED),
    ],
    "Façades Isolées de l'Oust": [
        O("business", "building.exterior_insulation|building.painting|building.facade_cleaning",
          "Isolation par l'extérieur et ravalement",
          "Isolation thermique par l'extérieur sous enduit ou bardage et ravalement des "
          "pavillons des années 1970.", ART),
        O("co_production", "building.exterior_insulation",
          "Lot isolation par l'extérieur des rénovations globales",
          "Nous prenons le lot isolation des façades des rénovations globales en groupement.",
          ART),
        N("pooling", "business_services.equipment_rental",
          "Échafaudages de façade à partager",
          "Nous cherchons à mutualiser des échafaudages de façade pour les périodes de forte "
          "activité.", ART_NEED),
    ],
    "Menuiserie Gicquel": [
        O("business", "building.windows|building.joinery",
          "Fenêtres bois et bois-aluminium à double vitrage",
          "Fabrication et pose de fenêtres bois et bois-aluminium pour la rénovation, en "
          "dépose totale.", ART),
        O("co_production", "building.windows",
          "Lot menuiseries des rénovations globales",
          "Nous prenons le lot menuiseries extérieures des rénovations globales en groupement.",
          ART),
        N("subcontracting", "building.joinery",
          "Escaliers et portes sur mesure",
          "Nous cherchons un atelier pour fabriquer les escaliers et les portes intérieures sur "
          "mesure que nos clients nous demandent.", ART_NEED),
        N("subcontracting", "building.metal_works",
          "Habillages et garde-corps en aluminium",
          "Nous cherchons un métallier pour les garde-corps et les habillages aluminium de nos "
          "fenêtres.", ART_NEED),
    ],
    "Atelier Bois du Lac": [
        O("subcontracting", "building.joinery|crafts.cabinet_making",
          "Escaliers, portes et menuiseries sur mesure pour les poseurs",
          "Nous fabriquons pour les menuisiers poseurs les escaliers, portes et agencements sur "
          "mesure en chêne et châtaignier.", ART),
        O("business", "building.joinery|crafts.cabinet_making",
          "Menuiserie sur mesure en chêne et châtaignier local",
          "Escaliers, portes et menuiseries intérieures sur mesure pour les particuliers, en bois "
          "de Bretagne.", ART),
        N("pooling", "building.eco_materials",
          "Achats groupés de bois local",
          "Nous voulons regrouper nos achats de chêne et de châtaignier avec d'autres artisans.",
          ART_NEED),
    ],
    "Charpente Le Texier": [
        O("subcontracting", "building.carpentry|building.wood_construction",
          "Charpente et ossature bois en sous-traitance",
          "Nous reprenons les charpentes, remplaçons les pièces abîmées et posons les ossatures "
          "bois pour les couvreurs et les maçons.", ART),
        O("business", "building.carpentry|building.wood_construction",
          "Charpentes, ossatures bois et surélévations",
          "Charpentes traditionnelles et industrielles, extensions à ossature bois et "
          "surélévations de maisons.", ART),
        N("subcontracting", "building.roofing",
          "Couvreur pour nos surélévations",
          "Nous cherchons un couvreur pour la couverture des surélévations et des extensions que "
          "nous construisons.", ART_NEED),
    ],
    "Guillo Menuiserie PVC": [
        O("business", "building.windows|building.shutters",
          "Fenêtres PVC, volets roulants et portes isolantes",
          "Pose de fenêtres PVC, de volets roulants motorisés et de portes d'entrée isolantes.",
          ART),
        N("subcontracting", "building.metal_works",
          "Garde-corps aluminium",
          "Nous cherchons un métallier pour les garde-corps et les portails assortis aux "
          "menuiseries de nos clients.", ART_NEED),
        N("subcontracting", "building.electricity",
          "Raccordement des volets motorisés",
          "Nous cherchons un électricien pour alimenter les volets roulants motorisés.", ART_NEED),
    ],
    "Couverture Le Bihan": [
        O("business", "building.roofing|building.roof_insulation",
          "Toitures en ardoise et isolation des rampants par l'extérieur",
          "Réfection de toitures en ardoise naturelle et isolation des rampants par "
          "l'extérieur.", ART),
        O("subcontracting", "building.roofing",
          "Couverture en sous-traitance",
          "Nous réalisons les couvertures des charpentiers, des solaristes et des chauffagistes "
          "(sorties de toit, intégration des panneaux).", ART),
        N("subcontracting", "building.carpentry",
          "Charpentier pour les reprises de charpente",
          "Nous cherchons un charpentier pour les reprises de charpente découvertes en cours de "
          "chantier.", ART_NEED),
        N("subcontracting", "building.solar_pv",
          "Pose de panneaux solaires pour nos clients",
          "Nos clients demandent des panneaux solaires lors de la réfection : nous cherchons un "
          "solariste pour les poser.", ART_NEED),
    ],
    "Toitures de l'Yvel": [
        O("business", "building.roofing",
          "Couverture, zinguerie et fenêtres de toit",
          "Couverture ardoise, zinguerie et pose de fenêtres de toit pour les maisons en pierre.",
          ART),
        O("subcontracting", "building.roofing",
          "Zinguerie et couverture en sous-traitance",
          "Nous réalisons la zinguerie et les raccords de couverture pour d'autres entreprises.",
          ART),
        N("subcontracting", "building.carpentry",
          "Charpentier pour les maisons en pierre",
          "Nous cherchons un charpentier pour les charpentes anciennes à reprendre avant "
          "couverture.", ART_NEED),
    ],
    "Maçonnerie Rio": [
        O("business", "building.stone_masonry|building.masonry|building.screed",
          "Restauration de longères, ouvertures et dalles isolées",
          "Restauration des longères en pierre, création d'ouvertures, dalles isolées et chapes.",
          ART),
        O("subcontracting", "building.masonry",
          "Ouvertures et dalles en sous-traitance",
          "Nous réalisons les ouvertures, les dalles et les reprises de maçonnerie pour les "
          "autres corps de métier.", ART),
        N("subcontracting", "building.stone_masonry",
          "Enduits à la chaux et rejointoiement",
          "Nous cherchons un maçon spécialisé pour les enduits à la chaux et le rejointoiement de "
          "nos restaurations.", ART_NEED),
    ],
    "Maçonnerie Hervé & Fils": [
        O("business", "building.masonry|building.general_renovation",
          "Extensions et rénovations complètes",
          "Extensions, rénovations complètes et reprises de maçonnerie, en entreprise générale "
          "si le client le souhaite.", ART),
        O("pooling", "business_services.equipment_rental",
          "Échafaudages, nacelle et mini-pelle à partager",
          "Nous prêtons ou louons entre artisans nos échafaudages de façade, notre nacelle et "
          "notre mini-pelle.", ART),
        O("co_production", "building.masonry|building.general_renovation",
          "Gros œuvre des rénovations globales",
          "Nous prenons le gros œuvre et, si besoin, la coordination des rénovations globales en "
          "groupement.", ART),
        N("co_production", "building.roof_insulation|building.windows|building.heat_pump",
          "Corps de métier pour nos rénovations complètes",
          "Nous cherchons les entreprises d'isolation, de menuiseries et de chauffage avec qui "
          "proposer des rénovations complètes.", ART_NEED),
        N("business", "building.architecture",
          "Architecte pour nos extensions",
          "Nous cherchons un architecte pour les permis de nos extensions de plus de 150 m².",
          ART_NEED),
    ],
    "Yann Guégan Maçonnerie": [
        O("subcontracting", "building.stone_masonry",
          "Enduits chaux et rejointoiement en sous-traitance",
          "Je réalise les enduits à la chaux et le rejointoiement pour les maçons et les "
          "entreprises de restauration.", ART),
        O("business", "building.stone_masonry",
          "Rejointoiement et enduits à la chaux",
          "Rejointoiement et enduits à la chaux des murs en pierre, pour les particuliers.", ART),
        N("pooling", "building.eco_materials",
          "Achats groupés de chaux",
          "Je cherche à grouper mes achats de chaux naturelle avec d'autres artisans.", ART_NEED),
    ],
    "Plâtrerie Lucas": [
        O("business", "building.plastering|building.interior_insulation",
          "Doublages isolants, cloisons et faux plafonds",
          "Doublages isolants, cloisons et faux plafonds dans les chantiers de rénovation.", ART),
        O("subcontracting", "building.plastering",
          "Plâtrerie en sous-traitance",
          "Nous réalisons les lots plâtrerie et les reprises après les passages des électriciens "
          "et des plombiers.", ART),
        N("subcontracting", "building.painting",
          "Peintre pour la finition de nos chantiers",
          "Nous cherchons un peintre pour enchaîner la finition derrière nos cloisons et "
          "doublages.", ART_NEED),
    ],
    "Le Corre Plâtrerie": [
        O("business", "building.plastering|building.roof_insulation",
          "Plafonds, enduits et isolation des combles aménagés",
          "Plafonds, enduits traditionnels et isolation des combles aménagés.", ART),
        N("subcontracting", "building.electricity",
          "Électricien pour les combles aménagés",
          "Je cherche un électricien pour les passages de câbles avant la fermeture des combles "
          "que j'aménage.", ART_NEED),
    ],
    "Atelier Couleurs Ploërmelaises": [
        O("business", "building.painting|building.facade_cleaning|building.eco_materials",
          "Peintures intérieures et ravalements biosourcés",
          "Peintures intérieures, ravalements et revêtements muraux avec des produits "
          "biosourcés.", ART),
        O("subcontracting", "building.painting",
          "Finitions peinture en sous-traitance",
          "Nous réalisons la finition peinture des chantiers des plaquistes et des entreprises "
          "générales.", ART),
        N("pooling", "business_services.equipment_rental",
          "Échafaudage pour les ravalements",
          "Nous cherchons à partager un échafaudage de façade pour nos ravalements.", ART_NEED),
    ],
    "Nolwenn Le Moing Peinture": [
        O("business", "building.painting|crafts.decorative_painting",
          "Badigeons à la chaux et peintures naturelles",
          "Badigeons, patines et peintures naturelles pour les maisons anciennes et les "
          "intérieurs rénovés.", ART),
        N("pooling", "building.eco_materials",
          "Achats groupés de chaux et de pigments",
          "Je cherche à grouper mes achats de chaux et de pigments naturels.", ART_NEED),
    ],
    "Carrelage Le Roux": [
        O("business", "building.tiling|building.screed",
          "Carrelage, faïence et chapes sur plancher chauffant",
          "Pose de carrelages, de faïences et de chapes sur planchers chauffants.", ART),
        O("subcontracting", "building.tiling",
          "Carrelage en sous-traitance",
          "Nous posons les carrelages et les faïences des salles de bains des plombiers.", ART),
        N("subcontracting", "building.plumbing",
          "Plombier pour les salles de bains",
          "Nous cherchons un plombier pour les salles de bains complètes que nous demandent nos "
          "clients.", ART_NEED),
    ],
    "Air Sain Ventilation": [
        O("business", "building.ventilation",
          "VMC double flux et hygroréglable",
          "Installation et entretien des ventilations double flux et des VMC hygroréglables dans "
          "les logements rénovés.", ART),
        O("co_production", "building.ventilation",
          "Lot ventilation des rénovations globales",
          "Nous prenons le lot ventilation des rénovations globales en groupement.", ART),
        N("business", "building.airtightness_test",
          "Tests d'étanchéité à l'air avant réglage",
          "Nous cherchons un bureau d'études pour les tests d'étanchéité à l'air avant nos "
          "réglages de ventilation.", ART_NEED),
    ],
    "Lise Nicolas Architecte": [
        O("business", "building.architecture|building.project_management",
          "Conception de rénovations globales et permis de construire",
          "Conception des projets de rénovation globale et d'extension, permis de construire et "
          "suivi de chantier.", ART),
        O("co_production", "building.architecture",
          "Architecte des groupements de rénovation",
          "J'apporte la conception architecturale aux rénovations globales réalisées en "
          "groupement.", ART),
        N("business", "building.thermal_engineering",
          "Bureau d'études thermiques pour mes projets",
          "Je cherche un bureau d'études pour les calculs thermiques de mes projets.", ART_NEED),
        N("co_production", "building.general_renovation|building.masonry",
          "Entreprise générale pour les rénovations complexes",
          "Je cherche une entreprise de gros œuvre pour porter avec moi les rénovations "
          "complexes.", ART_NEED),
    ],
    "Métallerie Gourvès": [
        O("business", "building.metal_works|building.windows",
          "Garde-corps, portails et menuiseries aluminium",
          "Garde-corps, portails et menuiseries aluminium à rupture de pont thermique.", ART),
        O("subcontracting", "building.metal_works",
          "Métallerie en sous-traitance pour les menuisiers",
          "Nous fabriquons et posons les garde-corps et les habillages des menuisiers.", ART),
    ],
}


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


def load_vocabulary(path: str) -> set[str]:
    """The tag codes of the matching service's vocabulary."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["code"] for r in csv.DictReader(fh) if r["kind"] == "tag"}


def distance_km(a: dict, b: dict) -> float:
    """Great-circle distance between two rows' coordinates."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in
                              (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def within(reach: int, km: float) -> bool:
    return reach == 0 or km <= reach


def declaration_rows(members: list[dict], declarations: dict, vocabulary: set[str],
                     label: str) -> list[dict]:
    """The declarations of one network's members, in the file's order (each member's offers,
    then its needs), checked: known members, 1 to 3 offers and 0 to 2 needs each, tags of the
    vocabulary, the service's limits, and a complementary offer for every need."""
    names = [r["legal_name"] for r in members]
    assert set(declarations) == set(names), (label, set(names) ^ set(declarations))
    by_siren = {r["siren"]: r for r in members}
    rows = []
    for member in members:
        decls = declarations[member["legal_name"]]
        offers = [d for d in decls if d["side"] == "offer"]
        needs = [d for d in decls if d["side"] == "need"]
        assert 1 <= len(offers) <= 3 and len(needs) <= 2, (label, member["legal_name"])
        seen = set()
        for d in offers + needs:
            tags = d["tags"].split("|")
            assert 1 <= len(tags) <= 10 and len(set(tags)) == len(tags), d
            assert all(t in vocabulary for t in tags), (d, [t for t in tags if t not in vocabulary])
            assert d["type"] in DECLARATION_TYPES, d
            assert 0 < len(d["title"]) <= 120 and d["title"] == d["title"].strip(), d
            assert "\n" not in d["title"] + d["desc"], d
            assert 0 < len(d["desc"]) <= 2000 and d["desc"].endswith("."), d
            assert (d["side"], d["title"]) not in seen, d
            seen.add((d["side"], d["title"]))
            assert isinstance(d["reach"], int) and 0 <= d["reach"] <= 20000, d
            assert not (d["side"] == "offer" and d["confidential"]), d
            rows.append({
                "siren": member["siren"],
                "side": d["side"],
                "type": d["type"],
                "tags": d["tags"],
                "title": d["title"],
                "description": d["desc"],
                "reach_km": str(d["reach"]),
                "confidential": "true" if d["confidential"] else "false",
            })
    # Every need meets at least one offer of another member: same type, a shared tag, and
    # each within the other's reach.
    for need in (r for r in rows if r["side"] == "need"):
        tags = set(need["tags"].split("|"))
        found = [
            offer for offer in rows
            if offer["side"] == "offer" and offer["siren"] != need["siren"]
            and offer["type"] == need["type"] and tags & set(offer["tags"].split("|"))
            and within(int(need["reach_km"]), distance_km(by_siren[need["siren"]], by_siren[offer["siren"]]))
            and within(int(offer["reach_km"]), distance_km(by_siren[need["siren"]], by_siren[offer["siren"]]))
        ]
        assert found, (label, "a need no offer meets", need)
    return rows


def render_declarations(rows: list[dict]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=DECLARATION_HEADER, lineterminator="\r\n",
                       quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


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

    # The members' offers and needs, for the matching service (maillagectl demo load).
    vocabulary = load_vocabulary(VOCABULARY)
    declarations = (declaration_rows(digital, DIGITAL_DECLARATIONS, vocabulary, "digital")
                    + declaration_rows(artisans, ARTISAN_DECLARATIONS, vocabulary, "artisans"))
    data = render_declarations(declarations)
    back = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert back == declarations, "declarations.csv"
    with open(os.path.join(here, "declarations.csv"), "wb") as fh:
        fh.write(data)
    offers = sum(1 for r in declarations if r["side"] == "offer")
    print(f"wrote declarations.csv: {len(declarations)} rows "
          f"({offers} offers, {len(declarations) - offers} needs)")


if __name__ == "__main__":
    main()
