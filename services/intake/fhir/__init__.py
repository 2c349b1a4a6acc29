"""HL7 FHIR R4 (4.0.1) at /fhir, over the same services, auth and audit as the REST API.

One module per resource's mapping (`patients.py`, `questionnaires.py`,
`questionnaire_responses.py` in; `episodes.py`, `observations.py`, `decisions.py`,
`tasks.py`, `communications.py`, `audit_events.py` out), one for each shared concern
(`model.py` builds typed resources, `references.py` their shared pieces, `outcomes.py` turns
every error into an OperationOutcome, `search.py` parses search parameters and builds paged
searchset Bundles, `capability.py` states what the router serves, `openapi.py` the same for
schemathesis, `access.py` who may read what), the database work in `service.py` (in) and
`records.py` (out), the routes in `router.py` and `outbound.py`, and SMART Backend Services
in `smart/`.
"""
