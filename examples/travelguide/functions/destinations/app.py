"""GET /destinations: TravelGuide's catalogue, a fixed list answered as JSON.

A Lambda handler for an API Gateway REST API (proxy integration, payload 1.0). The
route sits behind the Cognito authorizer, so only signed-in users reach it; the
catalogue itself is the same for everyone.
"""

import json

DESTINATIONS = [
    {
        "id": "kyoto",
        "name": "Kyoto",
        "country": "Japan",
        "blurb": "Temples, moss gardens and wooden machiya houses; the old capital is at "
        "its best when the maples turn in November.",
        "bestSeason": "Spring and autumn",
        "tags": ["culture", "food", "gardens"],
    },
    {
        "id": "lisbon",
        "name": "Lisbon",
        "country": "Portugal",
        "blurb": "Seven hills, yellow trams and custard tarts, with the Atlantic beaches "
        "of Cascais half an hour away by train.",
        "bestSeason": "April to October",
        "tags": ["city", "food", "coast"],
    },
    {
        "id": "reykjavik",
        "name": "Reykjavík",
        "country": "Iceland",
        "blurb": "The starting point for geysers, glaciers and black-sand beaches; "
        "northern lights in winter, midnight sun in June.",
        "bestSeason": "June to August, or winter for the aurora",
        "tags": ["nature", "adventure"],
    },
    {
        "id": "cape-town",
        "name": "Cape Town",
        "country": "South Africa",
        "blurb": "Table Mountain above the city, penguins at Boulders Beach and the "
        "winelands of Stellenbosch inland.",
        "bestSeason": "November to March",
        "tags": ["nature", "coast", "wine"],
    },
    {
        "id": "cusco",
        "name": "Cusco",
        "country": "Peru",
        "blurb": "The Inca capital at 3,400 metres, gateway to the Sacred Valley and the "
        "trail to Machu Picchu.",
        "bestSeason": "May to September (the dry season)",
        "tags": ["history", "hiking"],
    },
    {
        "id": "queenstown",
        "name": "Queenstown",
        "country": "New Zealand",
        "blurb": "A lakeside town among the Southern Alps: bungy jumping, skiing and the "
        "road to Milford Sound.",
        "bestSeason": "December to February, or July for skiing",
        "tags": ["adventure", "nature"],
    },
    {
        "id": "marrakesh",
        "name": "Marrakesh",
        "country": "Morocco",
        "blurb": "Souks and riads around the Jemaa el-Fna square, with the Atlas "
        "mountains a day trip away.",
        "bestSeason": "March to May, September to November",
        "tags": ["culture", "markets"],
    },
    {
        "id": "vancouver",
        "name": "Vancouver",
        "country": "Canada",
        "blurb": "A city between the ocean and the mountains: Stanley Park by bike, "
        "then Whistler or Vancouver Island.",
        "bestSeason": "June to September",
        "tags": ["city", "nature"],
    },
]


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"destinations": DESTINATIONS}),
    }
