"""Reading a published JSON Schema (OpenAPI components or `$defs`) in tests: follow the
references and the optional (`anyOf` with null) wrappers to the object or enum inside."""

from __future__ import annotations


def resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        node = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _members(schema: dict, root: dict) -> list[dict]:
    schema = resolve(schema, root)
    members = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if not members:
        return [schema]
    return [m for member in members for m in _members(member, root)]


def object_properties(schema: dict, root: dict) -> dict[str, dict]:
    """The properties of the object a (possibly optional) schema describes."""
    objects = [m for m in _members(schema, root) if "properties" in m]
    assert len(objects) == 1, schema
    return objects[0]["properties"]


def list_item_properties(schema: dict, root: dict) -> dict[str, dict]:
    arrays = [m for m in _members(schema, root) if m.get("type") == "array"]
    assert len(arrays) == 1, schema
    return object_properties(arrays[0]["items"], root)


def enum_values(schema: dict, root: dict) -> set:
    return {value for m in _members(schema, root) for value in m.get("enum", ())}


def number_bounds(schema: dict, root: dict) -> tuple[float, float]:
    numbers = [m for m in _members(schema, root) if m.get("type") == "number"]
    assert len(numbers) == 1, schema
    return numbers[0]["minimum"], numbers[0]["maximum"]
