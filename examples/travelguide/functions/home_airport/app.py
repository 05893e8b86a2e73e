"""PreTokenGeneration trigger (version 1): the traveller's home airport, kept in the
custom attribute ``custom:home_airport`` (three letters, given at sign-up), becomes the
id token's ``home_airport`` claim, with the airport's name in ``home_airport_name``.
The web app shows both on the profile card.
"""

AIRPORTS = {
    "AMS": "Amsterdam Schiphol",
    "CDG": "Paris Charles de Gaulle",
    "CPT": "Cape Town International",
    "CUZ": "Cusco Alejandro Velasco Astete",
    "JFK": "New York John F. Kennedy",
    "KEF": "Reykjavik Keflavik",
    "KIX": "Osaka Kansai",
    "LHR": "London Heathrow",
    "LIS": "Lisbon Humberto Delgado",
    "RAK": "Marrakesh Menara",
    "SYD": "Sydney Kingsford Smith",
    "YVR": "Vancouver International",
    "ZQN": "Queenstown",
}


def lambda_handler(event, context):
    code = event["request"]["userAttributes"].get("custom:home_airport", "").strip().upper()
    if code:
        claims = {"home_airport": code}
        if code in AIRPORTS:
            claims["home_airport_name"] = AIRPORTS[code]
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": claims}
    return event
