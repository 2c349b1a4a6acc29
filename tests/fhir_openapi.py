"""An OpenAPI document of /fhir, derived from the same interaction declarations as the
CapabilityStatement, so schemathesis can drive every FHIR route (tests/integration/
test_fhir_schemathesis.py). The main OpenAPI document leaves /fhir out: its contract is the
CapabilityStatement, and the access-matrix test holds every documented route to the REST
policy table. Every /fhir answer is a FHIR resource (an OperationOutcome when refused)."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.fhir.canonical import FHIR_JSON
from services.intake.fhir.capability import interactions

RESOURCE = {"type": "object", "required": ["resourceType"],
            "properties": {"resourceType": {"type": "string"}}}
ANSWER = {"default": {"description": "A FHIR resource (an OperationOutcome when refused)",
                      "content": {FHIR_JSON: {"schema": RESOURCE}}}}
OAUTH_ANSWER = {"default": {"description": "OAuth 2.0 token response or error",
                            "content": {"application/json": {"schema": {"type": "object"}}}}}
PAGING = ("_count", "_offset")


def _parameter(name: str, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": {"type": "string"}}


def _body(resource_type: str) -> dict:
    return {"required": True, "content": {FHIR_JSON: {"schema": {
        "type": "object", "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string", "enum": [resource_type]}}}}}}


def fhir_openapi(router: APIRouter, base_url: str) -> dict:
    paths: dict[str, dict] = {}
    for declared in interactions(router):
        kind, code = declared.resource, declared.code
        if code == "read":
            paths.setdefault(f"/fhir/{kind}/{{id}}", {})["get"] = {
                "operationId": f"read-{kind}", "parameters": [_parameter("id", "path", True)],
                "responses": ANSWER}
        elif code == "search-type":
            names = [p.name for p in declared.search] + list(PAGING) + \
                (["_include"] if declared.include else [])
            paths.setdefault(f"/fhir/{kind}", {})["get"] = {
                "operationId": f"search-{kind}", "parameters": [_parameter(n) for n in names],
                "responses": ANSWER}
        elif code == "create":
            paths.setdefault(f"/fhir/{kind}", {})["post"] = {
                "operationId": f"create-{kind}", "requestBody": _body(kind),
                "responses": ANSWER}
        elif code == "update":
            paths.setdefault(f"/fhir/{kind}/{{id}}", {})["put"] = {
                "operationId": f"update-{kind}", "parameters": [_parameter("id", "path", True)],
                "requestBody": _body(kind), "responses": ANSWER}
        elif code == "operation":
            body = _body("Parameters")
            paths.setdefault(f"/fhir/{kind}/${declared.operation}", {})["post"] = {
                "operationId": f"{declared.operation}-{kind}", "requestBody": body,
                "responses": ANSWER}
    paths["/fhir/metadata"] = {"get": {"operationId": "metadata", "responses": ANSWER}}
    paths["/fhir/.well-known/smart-configuration"] = {"get": {
        "operationId": "smart-configuration", "responses": OAUTH_ANSWER}}
    paths["/fhir/auth/token"] = {"post": {
        "operationId": "token", "responses": OAUTH_ANSWER, "requestBody": {
            "required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "properties": {name: {"type": "string"} for name in (
                    "grant_type", "scope", "client_assertion_type", "client_assertion")}}}}}}}
    return {"openapi": "3.0.3", "info": {"title": "Ankle triage FHIR R4", "version": "4.0.1"},
            "servers": [{"url": base_url}], "paths": paths}
