"""OpenAPI post-processing: document the error responses every operation can give.

drf-spectacular describes the success responses; the errors come from shared machinery
(authentication, scoping, validation, lockout) and have the same shapes everywhere, so they
are added here once instead of on each view. The same goes for empty query values: every
optional query parameter reads an empty value (``?until=``, as a browser form sends an empty
field) as if it were absent, and says so with ``allowEmptyValue``. And every whole number a
request carries (an id in the path or a query, a number in a body) is at most what the
database holds (a 64-bit integer): a larger one is refused with a 400 or a 404, never a 500.
Request bodies are documented as JSON, and as a multipart form only where they carry a file (a
photo, a spreadsheet): a form encoding carries every value as text, so it cannot say "a number",
"true" or "no date" the way the schema does (DRF still reads such forms, as browsers send them).
"""

from typing import Any

from fulian.core.api import MAX_ID

ERROR = {
    "type": "object",
    "description": "An error with a human-readable message.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Field errors: each key is a parameter or field name (or `detail`, "
    "`non_field_errors`), each value the list of messages.",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
}


def _bounded(schema: dict[str, Any]) -> None:
    if schema.get("type") == "integer" and not schema.get("readOnly"):
        schema.setdefault("maximum", MAX_ID)


FORM_ENCODINGS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _carries_a_file(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(
        field.get("format") == "binary" or field.get("items", {}).get("format") == "binary"  # a file, or files
        for field in schema.get("properties", {}).values()
    )


def _json_unless_a_file(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content and not any(
        _carries_a_file(c.get("schema", {}), schemas) for c in content.values()
    ):
        for encoding in FORM_ENCODINGS:
            content.pop(encoding, None)


def _ref(name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for name, component in schemas.items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                _bounded(field)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _json_unless_a_file(operation, schemas)
            for parameter in operation.get("parameters", []):
                if parameter["name"] not in ("page", "page_size"):  # a page past the last is empty
                    _bounded(parameter.get("schema", {}))
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            has_input = bool(operation.get("parameters")) or "requestBody" in operation
            if has_input or method in ("post", "put", "patch"):
                responses.setdefault("400", _ref("ValidationError", "Invalid parameters or fields."))
            if any(requirement for requirement in operation.get("security", [])):
                responses.setdefault("401", _ref("Error", "Not logged in (no or bad session or token)."))
                responses.setdefault("403", _ref("Error", "Not allowed for your role."))
            if "{" in path or operation.get("parameters"):
                responses.setdefault("404", _ref("Error", "Not found, or outside your organisation subtree."))
            if path.endswith("/auth/token/"):
                refused = (
                    "The account has been deactivated (code `inactive`), has not set up its two-factor login "
                    "yet (`two_factor_enrolment_required`: log in once in the browser), or must choose its own "
                    "password (`password_change_required`: send `new_password`)."
                )
                responses.setdefault("403", _ref("Error", refused))
                responses.setdefault("429", _ref("Error", "Account locked or address blocked after failed logins."))
    return result
