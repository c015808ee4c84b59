"""The API's contract, completed in one place: every operation's error
responses, the X-Purpose header and a description.

The endpoints declare what they answer when all goes well; what can go wrong
follows from the operation itself, so it is derived here rather than written
on each endpoint:

    401, 403  the operation needs authentication (every one does): no or a
              refused token or session; a role or a token scope that does not
              allow it (also a CSRF failure of a browser session)
    404       the path names a record (path parameters)
    400, 413  the operation takes a body: not parseable, or too large
    422       parameters or a body to validate, or a write a service checks
    409       a write to an existing record, which may lose a race with
              another change of its state
    428       the answer holds personal data (a response schema marked with
              PERSONAL_DATA): reading it needs a stated purpose, sent in the
              X-Purpose header (declared once, as a shared parameter)
    503       any operation: the node is busy (with Retry-After)
"""

from typing import Any

# Marks a response schema whose records may hold personal data:
# `model_config = ConfigDict(json_schema_extra=PERSONAL_DATA)`.
PERSONAL_DATA = {"x-personal-data": True}

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "Every error the API returns, in the caller's language.",
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "errors": {
            "type": "array",
            "title": "Errors",
            "description": "One entry per value that is not valid (on 422).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "title": "Field"},
                    "message": {"type": "string", "title": "Message"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["detail"],
}

PURPOSE_PARAMETER = {
    "name": "X-Purpose",
    "in": "header",
    "required": False,
    "description": (
        "The purpose of your work (e.g. a case number). Reading personal data "
        "needs one; it is written to the audit trail with every consultation."
    ),
    "schema": {"type": "string", "maxLength": 300},
}

DESCRIPTIONS = {
    400: "The request body is not valid JSON.",
    401: "No valid API token or signed-in session (a revoked or expired token, "
    "or one whose owner may no longer hold tokens).",
    403: "Your roles or your token's scope do not allow this.",
    404: "Not found, or not visible to you.",
    409: "The record changed meanwhile (e.g. another officer validated it).",
    413: "The request is too large.",
    422: "Some values are not valid; `errors` says which and why.",
    428: "State the purpose of your work (header X-Purpose) to read personal data.",
    503: "The node is busy (its database stayed locked); try again after Retry-After seconds.",
}

WRITES = {"post", "put", "patch", "delete"}

RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}


def _refs(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _personal(schemas: dict, names: set[str]) -> bool:
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        if schemas[name].get("x-personal-data"):
            return True
        todo.extend(_refs(schemas[name]))
    return False


def _statuses(method: str, op: dict, schemas: dict) -> set[int]:
    params = op.get("parameters", [])
    has_body = "requestBody" in op
    has_path = any(p.get("in") == "path" for p in params)
    statuses = set()
    if op.get("security"):
        statuses |= {401, 403}
    if has_path:
        statuses.add(404)
    if has_body:
        statuses |= {400, 413}
    if params or has_body or method in WRITES:
        statuses.add(422)
    if method in WRITES and has_path:
        statuses.add(409)
    success = {k: v for k, v in op.get("responses", {}).items() if str(k).startswith("2")}
    if _personal(schemas, _refs(success)):
        statuses.add(428)
    # Any call may find the database locked for too long (tromeja.core.busy).
    statuses.add(503)
    return statuses


def _description(op: dict, statuses: set[int]) -> str:
    lines = [(op.get("summary") or "").rstrip(".") + "."]
    if 401 in statuses:
        lines.append(
            "Authenticate with a personal token (Authorization: Bearer trm_...) or a "
            "signed-in browser session; a read token may only read."
        )
    if 428 in statuses:
        lines.append(
            "The answer may hold personal data: state the purpose of your work in the "
            "X-Purpose header; each record shown is logged as a consultation."
        )
    if 422 in statuses:
        lines.append("Values that are not valid are listed in the error's `errors`.")
    return "\n\n".join(lines)


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the error responses, the purpose header and descriptions to every
    operation of an OpenAPI document (in place; returns it)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    components.setdefault("parameters", {})["XPurpose"] = PURPOSE_PARAMETER
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path_item in schema.get("paths", {}).values():
        for method, op in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = _statuses(method, op, schemas)
            # Status codes as strings, as OpenAPI writes them (endpoints' own
            # openapi_extra may already use strings).
            responses = op["responses"] = {str(k): v for k, v in op.get("responses", {}).items()}
            for status in sorted(statuses):
                response = {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": error_ref}},
                }
                if status == 503:
                    response["headers"] = {"Retry-After": RETRY_AFTER}
                responses.setdefault(str(status), response)
            if 428 in statuses:
                op.setdefault("parameters", []).append({"$ref": "#/components/parameters/XPurpose"})
            if not op.get("description"):
                op["description"] = _description(op, statuses)
    return schema


def file_responses(media_types, *, status: int = 200, description: str = "The file") -> dict:
    """`openapi_extra` for an operation that answers with a file: one
    content entry per media type it may come as, binary, or a JSON document
    for a JSON media type (GeoJSON is a FeatureCollection object)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    document = {"schema": {"type": "object"}}

    def entry(media_type: str) -> dict:
        return document if media_type.endswith(("/json", "+json")) else binary

    types = [str(t).split(";")[0].strip() for t in media_types]
    return {
        "responses": {
            str(status): {
                "description": description,
                "content": {t: entry(t) for t in types},
            }
        }
    }
