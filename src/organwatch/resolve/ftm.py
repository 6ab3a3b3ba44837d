"""FollowTheMoney export: entities and interval relations as FtM JSON objects (one per line).

Each relation carries its citation (document, span, quote) in ``description``, and positions become FtM
``Position`` entities held through ``Occupancy``. Ids are stable: derived from our entity ids and spans.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

_ORG_SCHEMATA = {"Organization", "PublicBody", "Company"}


def _id(*parts: object) -> str:
    return "ow-" + hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:20]


def _cite(rel: dict[str, Any]) -> str:
    return f"document {rel['document_id']} [{rel['start_char']}–{rel['end_char']}]: {rel['quote']}"


def ftm_entities(entities: list[dict[str, Any]], aliases: dict[str, list[str]],
                 relations: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """FtM entity dicts for entities (with aliases) and the relations between them."""
    schema_of = {e["id"]: e["schema"] for e in entities}
    for e in entities:
        names = aliases.get(e["id"], [])
        props: dict[str, list[str]] = {"name": [e["name"]]}
        if e["schema"] == "Address":
            props = {"full": [e["name"]]}
        elif len(names) > 1:
            props["alias"] = sorted({n for n in names if n != e["name"]})
        yield {"id": _id(e["id"]), "schema": e["schema"], "properties": props}
    for rel in relations:
        subject, obj = rel["subject"], rel["object"]
        props = {"description": [_cite(rel)]}
        if rel["start_date"]:
            props["startDate"] = [rel["start_date"]]
        if rel["end_date"]:
            props["endDate"] = [rel["end_date"]]
        rid = _id(rel["schema"], subject, obj, rel["position"], rel["document_id"], rel["start_char"])
        schema = rel["schema"]
        if schema == "Occupancy" and schema_of.get(subject) == "Person":
            post_id = _id("position", rel["position"] or obj)
            post: dict[str, Any] = {"name": [rel["position"] or "position"]}
            if obj and schema_of.get(obj) in _ORG_SCHEMATA:
                post["organization"] = [_id(obj)]
            yield {"id": post_id, "schema": "Position", "properties": post}
            yield {"id": rid, "schema": "Occupancy", "properties": {**props, "holder": [_id(subject)],
                                                                    "post": [post_id]}}
        elif schema == "Membership" and obj and schema_of.get(obj) in _ORG_SCHEMATA:
            yield {"id": rid, "schema": "Membership", "properties": {**props, "member": [_id(subject)],
                                                                     "organization": [_id(obj)],
                                                                     "role": [rel["role"] or "member"]}}
        elif schema == "Employment" and obj and schema_of.get(obj) in _ORG_SCHEMATA \
                and schema_of.get(subject) == "Person":
            yield {"id": rid, "schema": "Employment", "properties": {**props, "employee": [_id(subject)],
                                                                     "employer": [_id(obj)],
                                                                     "role": [rel["role"] or "employee"]}}
        elif schema == "Associate" and obj and schema_of.get(subject) == schema_of.get(obj) == "Person":
            yield {"id": rid, "schema": "Associate", "properties": {**props, "person": [_id(subject)],
                                                                    "associate": [_id(obj)],
                                                                    "relationship": [rel["role"] or "associate"]}}
        elif obj:
            yield {"id": rid, "schema": "UnknownLink", "properties": {**props, "subject": [_id(subject)],
                                                                      "object": [_id(obj)],
                                                                      "role": [rel["role"] or schema]}}
