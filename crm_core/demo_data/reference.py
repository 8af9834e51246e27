"""Static reference data of the demo generator: places, names, companies, titles and products."""

from __future__ import annotations

from typing import NamedTuple


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Names listed in a block of text, split on whitespace (or on `separator`)."""
    return tuple(
        word.strip() for word in text.replace("\n", " " if separator is None else "").split(separator)
    )


class City(NamedTuple):
    country: str
    state: str | None  # subdivision code without prefix (US, CA, AU only)
    name: str
    timezone: str
    area_code: str
    weight: float


# Share of accounts and contacts per country (US most).
COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 0.54,
    "GB": 0.08,
    "CA": 0.07,
    "DE": 0.06,
    "FR": 0.04,
    "NL": 0.03,
    "AU": 0.05,
    "IN": 0.05,
    "BR": 0.04,
    "JP": 0.02,
    "SG": 0.02,
}
COUNTRY_REGION: dict[str, str] = {
    "US": "North America",
    "CA": "North America",
    "GB": "EMEA",
    "DE": "EMEA",
    "FR": "EMEA",
    "NL": "EMEA",
    "AU": "APAC",
    "IN": "APAC",
    "JP": "APAC",
    "SG": "APAC",
    "BR": "LATAM",
}
COUNTRY_TLD: dict[str, str] = {
    "US": ".com",
    "CA": ".ca",
    "GB": ".co.uk",
    "DE": ".de",
    "FR": ".fr",
    "NL": ".nl",
    "AU": ".com.au",
    "IN": ".in",
    "BR": ".com.br",
    "JP": ".co.jp",
    "SG": ".sg",
}
COUNTRY_LEGAL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "US": ("Inc.", "LLC", "Corp."),
    "CA": ("Inc.", "Ltd."),
    "GB": ("Ltd", "plc"),
    "DE": ("GmbH", "AG"),
    "FR": ("SAS", "SA"),
    "NL": ("B.V.",),
    "AU": ("Pty Ltd",),
    "IN": ("Pvt Ltd",),
    "BR": ("Ltda",),
    "JP": ("K.K.",),
    "SG": ("Pte Ltd",),
}
# Label of a subsidiary located in another country than its parent ("Brightwave Health UK").
COUNTRY_SUBSIDIARY_LABEL: dict[str, str] = {
    "US": "USA",
    "CA": "Canada",
    "GB": "UK",
    "DE": "Deutschland",
    "FR": "France",
    "NL": "Nederland",
    "AU": "Australia",
    "IN": "India",
    "BR": "Brasil",
    "JP": "Japan",
    "SG": "Singapore",
}
SAME_COUNTRY_SUBSIDIARY_LABELS = ("Services", "Labs", "Holdings", "Digital", "Solutions")

_US, _CA, _AU = "US", "CA", "AU"
NY, CHI, DEN, LA, PHX = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
)

CITIES: tuple[City, ...] = (
    # United States — plenty of California and Texas.
    City(_US, "CA", "San Francisco", LA, "415", 6),
    City(_US, "CA", "Los Angeles", LA, "213", 7),
    City(_US, "CA", "San Diego", LA, "619", 4),
    City(_US, "CA", "San Jose", LA, "408", 4),
    City(_US, "CA", "Sacramento", LA, "916", 2),
    City(_US, "CA", "Oakland", LA, "510", 2),
    City(_US, "CA", "Irvine", LA, "949", 2),
    City(_US, "CA", "Palo Alto", LA, "650", 2),
    City(_US, "TX", "Austin", CHI, "512", 6),
    City(_US, "TX", "Dallas", CHI, "214", 6),
    City(_US, "TX", "Houston", CHI, "713", 6),
    City(_US, "TX", "San Antonio", CHI, "210", 3),
    City(_US, "TX", "Fort Worth", CHI, "817", 2),
    City(_US, "TX", "Plano", CHI, "972", 2),
    City(_US, "NY", "New York", NY, "212", 10),
    City(_US, "NY", "Brooklyn", NY, "718", 2),
    City(_US, "NY", "Buffalo", NY, "716", 1),
    City(_US, "NY", "Rochester", NY, "585", 1),
    City(_US, "WA", "Seattle", LA, "206", 4),
    City(_US, "WA", "Bellevue", LA, "425", 2),
    City(_US, "WA", "Spokane", LA, "509", 1),
    City(_US, "MA", "Boston", NY, "617", 5),
    City(_US, "MA", "Cambridge", NY, "617", 2),
    City(_US, "IL", "Chicago", CHI, "312", 6),
    City(_US, "IL", "Naperville", CHI, "630", 1),
    City(_US, "GA", "Atlanta", NY, "404", 4),
    City(_US, "CO", "Denver", DEN, "303", 3),
    City(_US, "CO", "Boulder", DEN, "303", 1),
    City(_US, "FL", "Miami", NY, "305", 3),
    City(_US, "FL", "Tampa", NY, "813", 2),
    City(_US, "FL", "Orlando", NY, "407", 2),
    City(_US, "FL", "Jacksonville", NY, "904", 1),
    City(_US, "NC", "Charlotte", NY, "704", 2),
    City(_US, "NC", "Raleigh", NY, "919", 2),
    City(_US, "AZ", "Phoenix", PHX, "602", 3),
    City(_US, "AZ", "Scottsdale", PHX, "480", 1),
    City(_US, "OR", "Portland", LA, "503", 2),
    City(_US, "PA", "Philadelphia", NY, "215", 3),
    City(_US, "PA", "Pittsburgh", NY, "412", 2),
    City(_US, "OH", "Columbus", NY, "614", 2),
    City(_US, "OH", "Cleveland", NY, "216", 1),
    City(_US, "OH", "Cincinnati", NY, "513", 1),
    City(_US, "MN", "Minneapolis", CHI, "612", 2),
    City(_US, "MI", "Detroit", "America/Detroit", "313", 2),
    City(_US, "MI", "Ann Arbor", "America/Detroit", "734", 1),
    City(_US, "TN", "Nashville", CHI, "615", 2),
    City(_US, "UT", "Salt Lake City", DEN, "801", 2),
    City(_US, "VA", "Arlington", NY, "703", 2),
    City(_US, "VA", "Richmond", NY, "804", 1),
    City(_US, "DC", "Washington", NY, "202", 2),
    City(_US, "NJ", "Jersey City", NY, "201", 1),
    City(_US, "NJ", "Newark", NY, "973", 1),
    City(_US, "MO", "St. Louis", CHI, "314", 1),
    City(_US, "MO", "Kansas City", CHI, "816", 1),
    City(_US, "WI", "Milwaukee", CHI, "414", 1),
    City(_US, "IN", "Indianapolis", "America/Indiana/Indianapolis", "317", 1),
    City(_US, "NV", "Las Vegas", LA, "702", 1),
    City(_US, "MD", "Baltimore", NY, "410", 1),
    City(_US, "CT", "Stamford", NY, "203", 1),
    # Canada
    City(_CA, "ON", "Toronto", "America/Toronto", "416", 6),
    City(_CA, "ON", "Ottawa", "America/Toronto", "613", 2),
    City(_CA, "ON", "Waterloo", "America/Toronto", "519", 1),
    City(_CA, "QC", "Montreal", "America/Toronto", "514", 3),
    City(_CA, "QC", "Quebec City", "America/Toronto", "418", 1),
    City(_CA, "BC", "Vancouver", "America/Vancouver", "604", 4),
    City(_CA, "BC", "Victoria", "America/Vancouver", "250", 1),
    City(_CA, "AB", "Calgary", "America/Edmonton", "403", 2),
    City(_CA, "AB", "Edmonton", "America/Edmonton", "780", 1),
    City(_CA, "MB", "Winnipeg", "America/Winnipeg", "204", 1),
    City(_CA, "NS", "Halifax", "America/Halifax", "902", 1),
    # Australia
    City(_AU, "NSW", "Sydney", "Australia/Sydney", "2", 5),
    City(_AU, "VIC", "Melbourne", "Australia/Melbourne", "3", 4),
    City(_AU, "QLD", "Brisbane", "Australia/Brisbane", "7", 2),
    City(_AU, "WA", "Perth", "Australia/Perth", "8", 1),
    City(_AU, "SA", "Adelaide", "Australia/Adelaide", "8", 1),
    City(_AU, "ACT", "Canberra", "Australia/Sydney", "2", 1),
    # United Kingdom
    City("GB", None, "London", "Europe/London", "20", 8),
    City("GB", None, "Manchester", "Europe/London", "161", 2),
    City("GB", None, "Birmingham", "Europe/London", "121", 1),
    City("GB", None, "Edinburgh", "Europe/London", "131", 1),
    City("GB", None, "Bristol", "Europe/London", "117", 1),
    City("GB", None, "Leeds", "Europe/London", "113", 1),
    City("GB", None, "Cambridge", "Europe/London", "1223", 1),
    # Germany
    City("DE", None, "Berlin", "Europe/Berlin", "30", 4),
    City("DE", None, "Munich", "Europe/Berlin", "89", 3),
    City("DE", None, "Hamburg", "Europe/Berlin", "40", 2),
    City("DE", None, "Frankfurt", "Europe/Berlin", "69", 2),
    City("DE", None, "Cologne", "Europe/Berlin", "221", 1),
    City("DE", None, "Stuttgart", "Europe/Berlin", "711", 1),
    City("DE", None, "Düsseldorf", "Europe/Berlin", "211", 1),
    # France
    City("FR", None, "Paris", "Europe/Paris", "1", 6),
    City("FR", None, "Lyon", "Europe/Paris", "4", 2),
    City("FR", None, "Marseille", "Europe/Paris", "4", 1),
    City("FR", None, "Toulouse", "Europe/Paris", "5", 1),
    City("FR", None, "Lille", "Europe/Paris", "3", 1),
    City("FR", None, "Nantes", "Europe/Paris", "2", 1),
    City("FR", None, "Bordeaux", "Europe/Paris", "5", 1),
    # Netherlands
    City("NL", None, "Amsterdam", "Europe/Amsterdam", "20", 5),
    City("NL", None, "Rotterdam", "Europe/Amsterdam", "10", 2),
    City("NL", None, "Utrecht", "Europe/Amsterdam", "30", 2),
    City("NL", None, "Eindhoven", "Europe/Amsterdam", "40", 1),
    City("NL", None, "The Hague", "Europe/Amsterdam", "70", 1),
    # India
    City("IN", None, "Bengaluru", "Asia/Kolkata", "80", 5),
    City("IN", None, "Mumbai", "Asia/Kolkata", "22", 4),
    City("IN", None, "New Delhi", "Asia/Kolkata", "11", 3),
    City("IN", None, "Hyderabad", "Asia/Kolkata", "40", 2),
    City("IN", None, "Pune", "Asia/Kolkata", "20", 2),
    City("IN", None, "Chennai", "Asia/Kolkata", "44", 2),
    City("IN", None, "Gurugram", "Asia/Kolkata", "124", 1),
    # Brazil
    City("BR", None, "São Paulo", "America/Sao_Paulo", "11", 6),
    City("BR", None, "Rio de Janeiro", "America/Sao_Paulo", "21", 3),
    City("BR", None, "Belo Horizonte", "America/Sao_Paulo", "31", 1),
    City("BR", None, "Curitiba", "America/Sao_Paulo", "41", 1),
    City("BR", None, "Porto Alegre", "America/Sao_Paulo", "51", 1),
    City("BR", None, "Florianópolis", "America/Sao_Paulo", "48", 1),
    # Japan
    City("JP", None, "Tokyo", "Asia/Tokyo", "3", 6),
    City("JP", None, "Osaka", "Asia/Tokyo", "6", 2),
    City("JP", None, "Yokohama", "Asia/Tokyo", "45", 1),
    City("JP", None, "Nagoya", "Asia/Tokyo", "52", 1),
    City("JP", None, "Fukuoka", "Asia/Tokyo", "92", 1),
    City("JP", None, "Kyoto", "Asia/Tokyo", "75", 1),
    # Singapore
    City("SG", None, "Singapore", "Asia/Singapore", "6", 1),
)

# Sales teams in id order: team 1 is the first team (manager@ and rep@ belong to it). Each size takes the
# first N; the first four cover every region.
TEAMS: tuple[tuple[str, str, str], ...] = (
    ("NA East", "North America", "America/New_York"),
    ("EMEA North", "EMEA", "Europe/London"),
    ("APAC", "APAC", "Asia/Singapore"),
    ("LATAM", "LATAM", "America/Sao_Paulo"),
    ("NA West", "North America", "America/Los_Angeles"),
    ("EMEA Central", "EMEA", "Europe/Berlin"),
    ("NA Central", "North America", "America/Chicago"),
    ("APAC Pacific", "APAC", "Australia/Sydney"),
    ("NA Enterprise", "North America", "America/New_York"),
    ("EMEA South", "EMEA", "Europe/Paris"),
    ("NA Mid-Market", "North America", "America/Denver"),
    ("EMEA Benelux", "EMEA", "Europe/Amsterdam"),
    ("APAC North", "APAC", "Asia/Tokyo"),
    ("NA Strategic", "North America", "America/Chicago"),
    ("LATAM Growth", "LATAM", "America/Sao_Paulo"),
    ("NA Commercial", "North America", "America/Los_Angeles"),
)
REGION_TIMEZONES: dict[str, tuple[str, ...]] = {
    "North America": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Toronto",
    ),
    "EMEA": ("Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Amsterdam"),
    "APAC": ("Asia/Singapore", "Australia/Sydney", "Asia/Tokyo", "Asia/Kolkata"),
    "LATAM": ("America/Sao_Paulo",),
}
# Name pools of users by region.
REGION_NAME_POOL: dict[str, str] = {"North America": "US", "EMEA": "GB", "APAC": "AU", "LATAM": "BR"}

_ANGLO_FIRST = _words(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
    Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra
    Steven Ashley Andrew Emily Joshua Michelle Kevin Amanda Brian Melissa Ryan Stephanie Jacob Rebecca
    Nicholas Laura Eric Rachel Jonathan Megan Justin Hannah Brandon Olivia Samuel Emma Gregory Sophia
    Alexander Grace Tyler Chloe Aaron Natalie Nathan Lauren Ethan Victoria Dylan Madison Carlos Maria
    Luis Sofia Miguel Camila Wei Mei Raj Priya Kenji Aisha Omar Fatima Marcus Jasmine Derek Tiffany
    Trevor Brooke Caleb Morgan Jordan Taylor Casey Jamie"""
)
_ANGLO_LAST = _words(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
    Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
    Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
    Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
    Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
    Chen Wang Singh Shah Okafor Nakamura Sullivan O'Brien Fischer Larsen"""
)
_BRITISH_LAST = _words(
    """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White
    Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose Davis
    Rodgers Cooper Hughes Edwards Turner Ward Harrison Morgan Bennett Shaw Palmer Fletcher Hussain Ali
    Murray Campbell Stewart"""
)
_BRITISH_FIRST = _words(
    """Oliver George Harry Jack Charlie Thomas James William Henry Alfie Amelia Olivia Isla Emily Ava
    Jessica Sophie Lucy Grace Ruby Charlotte Hannah Eleanor Freya Daniel Samuel Joseph Benjamin Lewis
    Callum Rhys Aisha Priya Imran Zara Fiona Niamh Siobhan Alistair Graham"""
)
_GERMAN_FIRST = _words(
    """Lukas Leon Finn Jonas Paul Felix Maximilian Elias Noah Julian Tobias Stefan Andreas Michael Thomas
    Anna Lena Leonie Marie Sophie Laura Julia Katharina Hannah Lea Sabine Claudia Petra Nina Franziska
    Jana Mehmet Ayse"""
)
_GERMAN_LAST = _words(
    """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer
    Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt
    Werner Krause Meier Lehmann Yilmaz Kaya"""
)
_FRENCH_FIRST = _words(
    """Lucas Hugo Louis Gabriel Arthur Jules Nathan Léo Raphaël Thomas Antoine Julien Nicolas Pierre
    Camille Léa Manon Chloé Emma Inès Sarah Juliette Louise Clara Marion Élodie Céline Amélie Sophie
    Karim Yasmine"""
)
_FRENCH_LAST = _words(
    """Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel
    Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet
    François Martinez Benali Nguyen"""
)
_DUTCH_FIRST = _words(
    """Daan Sem Lucas Levi Finn Milan Bram Thijs Jesse Ruben Lars Sander Joost Pieter Maarten Emma Julia
    Sophie Tess Anna Fleur Sanne Lotte Eva Femke Anouk Iris Lieke Noor Mila"""
)
_INDIAN_FIRST = _words(
    """Aarav Vivaan Aditya Arjun Rohan Rahul Vikram Sanjay Amit Rajesh Karthik Nikhil Siddharth Ananya
    Priya Diya Aisha Kavya Sneha Pooja Neha Anjali Divya Meera Lakshmi Deepa Shreya Isha Farhan Imran"""
)
_INDIAN_LAST = _words(
    """Sharma Verma Gupta Patel Singh Kumar Reddy Iyer Nair Menon Rao Joshi Desai Mehta Shah Agarwal Bose
    Chatterjee Banerjee Mukherjee Pillai Kapoor Malhotra Chopra Bhat Kulkarni Khan Qureshi"""
)
_BRAZILIAN_FIRST = _words(
    """Miguel Arthur Gael Heitor Theo Davi Gabriel Bernardo Lucas Matheus Rafael Pedro Gustavo Felipe
    Helena Alice Laura Maria Valentina Sophia Isabella Manuela Júlia Beatriz Mariana Camila Larissa
    Fernanda Juliana"""
)
_BRAZILIAN_LAST = _words(
    """Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins
    Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes
    Marques Mendes"""
)
_JAPANESE_FIRST = _words(
    """Haruto Yuto Sota Yuki Hayato Haruki Ren Takumi Kenta Daiki Hiroshi Takeshi Kenji Satoshi Kazuki Yui
    Hina Aoi Sakura Yuna Mio Rin Akari Haruka Emi Naoko Yoko Keiko Ayumi Mai"""
)
_JAPANESE_LAST = _words(
    """Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki
    Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa Ogawa"""
)
_SINGAPORE_FIRST = _words(
    """Wei Jun Ming Jia Hui Ting Xin Kai Wen Hao Ling Mei Ravi Arun Priya Kavitha Nurul Siti Aisyah Hafiz
    Daniel Ethan Rachel Joanne Marcus Benjamin Shawn Valerie Bryan Clarissa"""
)
_SINGAPORE_LAST = _words(
    """Tan Lim Lee Ng Ong Wong Goh Chua Chan Koh Teo Ang Yeo Tay Ho Low Toh Sim Chong Chia Kumar Pillai
    Rahman Ismail Abdullah Nair Fernandez"""
)

_DUTCH_LAST = _words(
    """de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|Mulder|
    de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|
    van der Meer|Kok|Jacobs|van Beek|Kuipers|Verhoeven""",
    separator="|",
)

# Country -> (first names, last names).
NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (tuple(_ANGLO_FIRST), tuple(_ANGLO_LAST)),
    "CA": (
        tuple(_ANGLO_FIRST) + ("Étienne", "Mathieu", "Geneviève", "Sébastien", "Chloé"),
        tuple(_ANGLO_LAST) + ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Lavoie"),
    ),
    "GB": (tuple(_BRITISH_FIRST), tuple(_BRITISH_LAST)),
    "AU": (
        tuple(_BRITISH_FIRST) + ("Mitchell", "Lachlan", "Brody", "Matilda", "Zoe", "Kylie"),
        tuple(_BRITISH_LAST) + ("Kelly", "Ryan", "O'Connor", "Nguyen", "Tran", "Murphy"),
    ),
    "DE": (tuple(_GERMAN_FIRST), tuple(_GERMAN_LAST)),
    "FR": (tuple(_FRENCH_FIRST), tuple(_FRENCH_LAST)),
    "NL": (tuple(_DUTCH_FIRST), _DUTCH_LAST),
    "IN": (tuple(_INDIAN_FIRST), tuple(_INDIAN_LAST)),
    "BR": (tuple(_BRAZILIAN_FIRST), tuple(_BRAZILIAN_LAST)),
    "JP": (tuple(_JAPANESE_FIRST), tuple(_JAPANESE_LAST)),
    "SG": (tuple(_SINGAPORE_FIRST), tuple(_SINGAPORE_LAST)),
}

PERSONAL_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me")

INDUSTRY_WEIGHTS: dict[str, float] = {
    "Software": 0.19,
    "Healthcare": 0.11,
    "Financial Services": 0.12,
    "Manufacturing": 0.11,
    "Retail": 0.09,
    "Real Estate": 0.06,
    "Professional Services": 0.11,
    "Education": 0.06,
    "Media": 0.06,
    "Logistics": 0.09,
}
# Revenue per employee (USD), for annual_revenue.
INDUSTRY_REVENUE_PER_EMPLOYEE: dict[str, int] = {
    "Software": 260_000,
    "Healthcare": 150_000,
    "Financial Services": 340_000,
    "Manufacturing": 220_000,
    "Retail": 180_000,
    "Real Estate": 380_000,
    "Professional Services": 160_000,
    "Education": 90_000,
    "Media": 210_000,
    "Logistics": 200_000,
}
INDUSTRY_NOUNS: dict[str, tuple[str, ...]] = {
    "Software": (
        "Labs",
        "Software",
        "Systems",
        "Cloud",
        "Data",
        "AI",
        "Technologies",
        "Analytics",
        "Digital",
        "Networks",
        "Logic",
        "Stack",
    ),
    "Healthcare": (
        "Health",
        "Medical",
        "Care",
        "Clinics",
        "Diagnostics",
        "Therapeutics",
        "Health Partners",
        "Biosciences",
        "Medical Group",
        "Wellness",
    ),
    "Financial Services": (
        "Capital",
        "Financial",
        "Bank",
        "Advisors",
        "Wealth",
        "Insurance",
        "Credit Union",
        "Investments",
        "Payments",
        "Lending",
    ),
    "Manufacturing": (
        "Manufacturing",
        "Industries",
        "Components",
        "Fabrication",
        "Machining",
        "Materials",
        "Industrial",
        "Precision",
        "Works",
        "Engineering",
    ),
    "Retail": (
        "Outfitters",
        "Market",
        "Goods",
        "Stores",
        "Supply Co.",
        "Retail",
        "Brands",
        "Apparel",
        "Home",
        "Boutique",
    ),
    "Real Estate": (
        "Properties",
        "Realty",
        "Estates",
        "Land Co.",
        "Homes",
        "Property Group",
        "Developments",
        "Real Estate",
        "Commercial",
        "Residential",
    ),
    "Professional Services": (
        "Consulting",
        "Advisory",
        "Group",
        "Associates",
        "Partners",
        "Solutions",
        "Legal",
        "Strategies",
        "& Co.",
        "Accounting",
    ),
    "Education": (
        "Academy",
        "Learning",
        "University",
        "Institute",
        "Education",
        "School",
        "College",
        "EdTech",
        "Tutoring",
        "Training",
    ),
    "Media": (
        "Media",
        "Studios",
        "Publishing",
        "Entertainment",
        "Productions",
        "Broadcasting",
        "Press",
        "Creative",
        "Films",
        "Records",
    ),
    "Logistics": (
        "Logistics",
        "Freight",
        "Shipping",
        "Transport",
        "Express",
        "Supply Chain",
        "Distribution",
        "Carriers",
        "Cargo",
        "Fleet",
    ),
}
NAME_HEADS = _words(
    """Bright Blue Silver North Red Green Clear Swift True High Deep Open Star Sun Iron Stone Cloud River
    Summit Oak Pine Maple Falcon Eagle Wolf Fox Lake Ocean Sky Gold West East Harbor Cedar Bay Copper"""
)
NAME_TAILS = _words(
    """wave point field bridge stone gate line path ridge works light view peak wood crest star port ford
    vale brook spring well side mark way haven rock fin"""
)
NAME_WORDS = _words(
    """Apex Cobalt Vertex Quantum Nimbus Zenith Pinnacle Catalyst Keystone Meridian Atlas Beacon Vanguard
    Horizon Evergreen Granite Ironclad Crescent Sterling Paragon Orion Polaris Sequoia Redwood Summit
    Liberty Pioneer Frontier Heritage Legacy Unity Nova Lumen Aurora Helix Vector Kinetic Fusion Prism
    Ember Tidal Sapphire Onyx Juniper Willow Aspen Magnolia Harmony Clarity Insight Momentum Elevate
    Ascend Radiant Vista Northwind Bluebird Blackstone Riverside Lakeshore Highland Midland Coastal
    Prairie Canyon Glacier Alpine Metro Urban Premier Integrity Cardinal Osprey
    Kestrel Heron Condor Mustang Bison Lynx Cypress Hawthorne"""
)

# Job titles by seniority level: 0 C-level, 1 VP, 2 Director, 3 Manager, 4 individual contributor.
SENIORITY_NAMES = ("C-level", "VP", "Director", "Manager", "Individual contributor")
SENIORITY_WEIGHTS = (0.06, 0.10, 0.18, 0.28, 0.38)
JOB_TITLES: tuple[tuple[str, ...], ...] = (
    (
        "Chief Executive Officer",
        "CEO",
        "Chief Financial Officer",
        "CFO",
        "Chief Technology Officer",
        "CTO",
        "Chief Information Officer",
        "Chief Operating Officer",
        "COO",
        "Chief Marketing Officer",
        "Chief Revenue Officer",
        "Chief Information Security Officer",
        "Founder & CEO",
        "Co-Founder",
        "President",
        "Managing Director",
    ),
    (
        "VP of Sales",
        "Vice President, Marketing",
        "VP Engineering",
        "SVP Operations",
        "VP Finance",
        "VP of IT",
        "VP Customer Success",
        "VP Product",
        "Vice President of Operations",
        "VP Revenue Operations",
        "VP People",
        "SVP Sales",
    ),
    (
        "Director of IT",
        "Sales Director",
        "Director, Marketing Operations",
        "Head of Procurement",
        "Head of Engineering",
        "Director of Finance",
        "Head of People",
        "Director of Customer Success",
        "Head of Data",
        "Director of Operations",
        "Head of Sales Operations",
        "IT Director",
        "Director of Product",
    ),
    (
        "IT Manager",
        "Sales Manager",
        "Marketing Manager",
        "Procurement Manager",
        "Operations Manager",
        "Engineering Manager",
        "Finance Manager",
        "Customer Success Manager",
        "Product Manager",
        "HR Manager",
        "Revenue Operations Manager",
        "Office Manager",
        "Project Manager",
    ),
    (
        "Software Engineer",
        "Senior Data Analyst",
        "Account Executive",
        "Marketing Specialist",
        "Operations Analyst",
        "Financial Analyst",
        "Systems Administrator",
        "Sales Development Representative",
        "Procurement Specialist",
        "Business Analyst",
        "Solutions Architect",
        "Recruiter",
        "Marketing Coordinator",
        "Data Engineer",
        "Sales Operations Analyst",
        "Accountant",
        "Executive Assistant",
    ),
)

PREFERRED_LANGUAGES = ("English", "French", "German", "Dutch", "Portuguese", "Japanese", "Spanish")
COUNTRY_LANGUAGES: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (("English", 0.9), ("Spanish", 0.1)),
    "CA": (("English", 0.75), ("French", 0.25)),
    "GB": (("English", 1.0),),
    "AU": (("English", 1.0),),
    "SG": (("English", 1.0),),
    "IN": (("English", 1.0),),
    "DE": (("German", 0.8), ("English", 0.2)),
    "FR": (("French", 0.85), ("English", 0.15)),
    "NL": (("Dutch", 0.6), ("English", 0.4)),
    "BR": (("Portuguese", 0.9), ("English", 0.1)),
    "JP": (("Japanese", 0.85), ("English", 0.15)),
}

# What the demo company sells, and its (fictional) competitors.
PRODUCTS = ("Pipeline Pro", "Insights Cloud", "Engage Suite", "Forecast+", "Data Hub")
DEAL_PRODUCTS = (
    "Pipeline Pro",
    "Insights Cloud",
    "Engage Suite",
    "Forecast+",
    "Data Hub",
    "Enterprise plan",
    "Growth plan",
    "Analytics add-on",
    "Premium Support",
)
ADDON_PRODUCTS = (
    "the Analytics add-on",
    "the Enterprise tier",
    "Premium Support",
    "Forecast+",
    "Data Hub",
    "the AI assistant add-on",
    "Engage Suite",
)
COMPETITORS = (
    "Vantage CRM",
    "Northpeak",
    "Corvid Systems",
    "Salesloom",
    "Pipewise",
    "Stratus One",
    "Lumen Sales",
    "Clearfunnel",
)
