"""The SAMU-Hub JSON schemas of `../shared/specs/samu-hub/json-schema/`, as validators (jsonschema_rs).

Every schema there has the same `$id` (`classpath:/json-schema/schema#`), so each is given its own
(`classpath:/json-schema/<file>`) as it is read: the envelope's relative references
(`RC-DE.schema.json`, `RS-EDA.schema.json`, …) then resolve to the files beside it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema_rs

from tests.conftest import EVAL

SPECS = EVAL.parent / "specs" / "samu-hub"
SCHEMAS = SPECS / "json-schema"


def _schema(name: str) -> dict:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    schema["$id"] = f"classpath:/json-schema/{name}"
    return schema


def _retrieve(uri: str) -> dict:
    return _schema(uri.rsplit("/", 1)[-1].split("#")[0])


@cache
def validator(name: str) -> jsonschema_rs.Draft7Validator:
    return jsonschema_rs.validator_for(_schema(name), retriever=_retrieve, validate_formats=True)


def errors(name: str, document: dict) -> list[str]:
    """Where `document` breaks schema `name` (empty: valid)."""
    return [f"{e.instance_path}: {e.message}"[:300] for e in validator(name).iter_errors(document)]


def message_of(envelope: dict) -> dict:
    return envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]


def nomenclature(name: str) -> Path:
    return SPECS / "nomenclature" / name
