"""Reading a JSON request body into a model in the route itself, with FastAPI's own 422."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


async def parsed_body(request: Request, model: type[Model]) -> Model:
    """As FastAPI would parse a `model` body parameter: errors are located under "body"."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as problem:
        raise RequestValidationError([
            {**error, "loc": ("body", *error["loc"])}
            for error in problem.errors(include_url=False)]) from None


VALIDATION_ERROR = "#/components/schemas/HTTPValidationError"


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra declaring `model` as the JSON request body and FastAPI's 422 answer (its
    documented way for a route that reads its body itself). The models `model` refers to are
    inlined: the document's components hold only what FastAPI itself declared."""
    schema = model.model_json_schema()
    return {
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _inlined(schema)}}},
        "responses": {"422": {"description": "Validation Error", "content": {
            "application/json": {"schema": {"$ref": VALIDATION_ERROR}}}}},
    }


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:  # a definition, with any keys beside the reference kept
                siblings = {key: value for key, value in node.items() if key != "$ref"}
                return {**resolve(definitions[node["$ref"].rsplit("/", 1)[-1]]),
                        **resolve(siblings)}
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)
