"""SMART Backend Services (system-to-system access to /fhir): registered clients sign a JWT
assertion (RS384 or ES384) with their private key, exchange it at the token endpoint for a
short-lived access token carrying `system/<Resource>.read` scopes, and read with it.

`scopes.py` says what a scope allows, `assertions.py` checks a client's assertion (joserfc),
`tokens.py` issues and checks access tokens, `service.py` the clients and used assertions in
the database, `router.py` the token endpoint and `.well-known/smart-configuration`.
"""
