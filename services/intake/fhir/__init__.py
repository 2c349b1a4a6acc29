"""HL7 FHIR R4 (4.0.1) at /fhir, over the same services, auth and audit as the REST API.

One module per resource's mapping (`patients.py`, `questionnaires.py`,
`questionnaire_responses.py`), one for each shared concern (`model.py` builds typed resources,
`outcomes.py` turns every error into an OperationOutcome, `search.py` parses search parameters
and builds paged searchset Bundles, `capability.py` states what the router serves), the
database work in `service.py` and the routes in `router.py`.
"""
