#!/usr/bin/env python3
"""Writes docs/openapi.yaml: the documented API as vdapi implements it.

Paths, methods, parameters, roles and response shapes come from the endpoint catalogue
(`vdapi --print-catalogue`), and so do the documented structures' fields and which of them are
nullable (VolunteerAPI's models write every field, null when unset), so the description cannot
drift from either. This file adds what the catalogue does not hold: the JSON type of each field
(checked against the catalogue's field set: a mismatch fails) and the value rules vdapi enforces
on parameters (docs/reference-server.md). Each rule here must be exactly the server's check, no
stricter and no looser.

Usage: scripts/openapi.py CATALOGUE.json > docs/openapi.yaml
"""
import json
import sys

import yaml

# -- The types of the structures' fields (docs/wire-model.md): i integer, s string, d decimal as
#    text, S list of strings, R:X one X, A:X list of X, P plan_time, W work_time. The fields
#    themselves and their nullability are the catalogue's "structures"; these must name the same.
REGION = "province_id:i province_name:s city_id:i city_name:s county_id:i county_name:s addr:s"
STRUCTURES = {
    "banner": "id:i title:s photo:s jump_mode:i jump_id:i href:s",
    "news": "id:i title:s photo:s content:s publish_time:s",
    "patient": "id:i real_name:s phone:s avatars:s idno:s sex:i birthday:s age:i email:s height:s weight:s "
    + REGION + " marital_status:i drink_status:i smoking_status:i credit_score:d punctuality_score:d is_verify:i "
    "join_project_count:i done_project_count:i token:s",
    "doctor": "id:i real_name:s phone:s avatars:s idno:s hospital:s departments:s job_position:s good_at:s "
    "work_photo:S abstract:s visits_count:i patient_count:i service_time_long:i work_time:W is_verify:i score:d "
    "token:s org_list:A:organisation",
    "assistant": "id:i real_name:s phone:s avatars:s idno:s email:s team_name:s " + REGION + " help_count:i is_verify:i token:s",
    "casebook": "id:i photo:S content:s user_id:i project_id:i created_at:s updated_at:s",
    "systemMessage": "id:i type:i title:s content:s publish_time:s username:s avatars:s",
    "hospital": "id:i name:s logo:s banner:S level:s tag:s " + REGION,
    "organisation": "id:i name:s logo:s abstract:s",
    "project": "id:i date:s begin:s end:s people_count:i join_people_count:i addr:s lng:d lat:d abstract:s price:i "
    "status:i progress_status:i service_target:S hospital_info:R:hospital doctor_info:R:doctor join_user:A:patient "
    "project_status:i op_cancel:i is_join:i assistant_join_count:i plan_time:P",
    "specialProject": "id:i date:s begin:s end:s people_count:i join_people_count:i addr:s lng:d lat:d abstract:s photo:s "
    "price:i status:i progress_status:i service_target:S hospital_info:R:hospital org_info:R:organisation "
    "project_status:i join_user:A:patient",
    "diagnosis": "id:i assistant_user_id:i verify_status:i reject_msg:s visit_time:s diag_result:s diag_photo:S status:i "
    "refund_status:i patient_credit_score:i patient_punctuality_score:i doctor_comment_time:s doctor_score:i "
    "doctor_comment:s patient_comment_time:s user_info:R:patient casebook_info:R:casebook",
    "userSummary": "id:i real_name:s avatars:s",
    "chatMessage": "id:i type:i from_user_id:i to_user_id:i content:s photo:S is_read:i dialog_id:s "
    "from_user:R:userSummary to_user:R:userSummary",
    "chatDialog": "id:i patient_user_id:i doctor_user_id:i last_msg_id:s last_msg:R:chatMessage "
    "patient_user:R:patient doctor_user:R:doctor",
    "city": "id:i parent_id:i name:s short_name:s pinyin:s sort:i",
    "orgMembership": "id:i verify_status:i org_id:i doctor_id:i org:R:organisation",
    "diagnosisRecord": "id:i hospital_id:i assistant_user_id:i user_id:i doctor_user_id:i project_id:i casebook_id:i "
    "verify_status:i reject_msg:s visit_time:s status:i amount:d refund_status:i refund_time:s refund_sn:s "
    "confirm_no_refund:i sn:s diag_result:s diag_photo:S patient_credit_score:i patient_punctuality_score:i "
    "patient_comment_show:i doctor_comment_time:s doctor_score:i doctor_comment:s doctor_comment_show:i "
    "patient_comment_time:s plan_time:s created_at:s updated_at:s casebook:R:casebook doctor:R:userSummary user:R:userSummary",
    "userCenter": "user_info:R:user msg_count:i",
    "doctorIndex": "news:A:news doctor_info:R:doctor project_list:A:project diagnoses_list:A:diagnosis",
    "patientHomepage": "banner:A:banner news:A:news project_list:A:diagnosis special_pro_list:A:specialProject",
    "assistantHomepage": "banner:A:banner news:A:news project_list:A:diagnosis",
    "fileURL": "url:s",
}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def field_schema(code, nullable):
    schema = typed_schema(code)
    if not nullable:
        return schema
    # OpenAPI 3.0 writes "or null" as nullable beside a type; a $ref takes no siblings, so wrap it.
    return {"allOf": [schema], "nullable": True} if "$ref" in schema else dict(schema, nullable=True)


def typed_schema(code):
    kind, _, target = code.partition(":")
    return {
        "i": {"type": "integer"},
        "s": {"type": "string"},
        "d": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
        "S": {"type": "array", "items": {"type": "string"}},
        "R": ref(target) if target else None,
        "A": {"type": "array", "items": ref(target)} if target else None,
        "P": {"type": "object", "additionalProperties": {"type": "integer"}},
        "W": {"type": "array", "items": ref("workDay")},
    }[kind]


def checked_types(structures):
    """STRUCTURES' types by structure and field, after checking they name exactly the catalogue's fields."""
    types = {name: dict(item.partition(":")[::2] for item in fields.split()) for name, fields in STRUCTURES.items()}
    problems = [f"{name}: a structure of the catalogue without types here" for name in structures.keys() - types.keys()]
    problems += [f"{name}: types here for a structure the catalogue does not export" for name in types.keys() - structures.keys()]
    for name in sorted(structures.keys() & types.keys()):
        exported = {field["name"] for field in structures[name]}
        problems += [f"{name}.{key}: a field the models write, without a type here" for key in sorted(exported - types[name].keys())]
        problems += [f"{name}.{key}: typed here, but the models do not write it" for key in sorted(types[name].keys() - exported)]
    if problems:
        sys.exit("openapi.py: STRUCTURES does not match the catalogue's structures:\n  " + "\n  ".join(problems))
    return types


def schemas(structures):
    """Every documented field is present in every answer (docs/reference-server.md), null when unset if nullable."""
    out = {}
    types = checked_types(structures)
    for name in STRUCTURES:
        nullable = {field["name"]: field["nullable"] for field in structures[name]}
        properties = {key: field_schema(code, nullable[key]) for key, code in types[name].items()}
        out[name] = {"type": "object", "properties": properties, "required": list(properties)}
    out["workDay"] = {"type": "object", "properties": {"morning": {"type": "integer", "enum": [0, 1]}, "afternoon": {"type": "integer", "enum": [0, 1]}}}
    out["user"] = {"anyOf": [ref("patient"), ref("doctor"), ref("assistant")]}
    out["phoneLogin"] = {"allOf": [ref("user"), {"type": "object", "properties": {"is_new": {"type": "integer", "enum": [0, 1]}}, "required": ["is_new"]}]}
    out["page"] = {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in ["current_page", "total_page", "count", "page_size"]},
        "required": ["current_page", "total_page", "count", "page_size"],
    }
    out["empty"] = {"type": "object", "maxProperties": 0}
    out["failure"] = {
        "type": "object",
        "properties": {"error_code": {"type": "integer", "minimum": 1}, "data": ref("empty"), "error_message": {"type": "string", "minLength": 1}},
        "required": ["error_code", "error_message"],
    }
    return out


def data_schema(response):
    shape, kind = response["shape"], response.get("kind")
    if shape == "empty":
        return ref("empty")
    if shape == "null":
        return {"type": "object", "nullable": True, "maxProperties": 0}
    if shape == "user":
        return ref("user")
    if shape == "phone-login":
        return ref("phoneLogin")
    if shape == "record":
        return ref(kind)
    if shape == "optional-record":
        return {"anyOf": [ref(kind), ref("empty")]}
    if shape == "list":
        return {"type": "object", "properties": {"list": {"type": "array", "items": ref(kind)}}, "required": ["list"]}
    if shape == "page":
        return {
            "type": "object",
            "properties": {"list": {"type": "array", "items": ref(kind)}, "page": ref("page")},
            "required": ["list", "page"],
        }
    if shape == "bare-array":
        return {"type": "array", "items": ref(kind)}
    raise ValueError(shape)


# -- Value rules vdapi enforces, by parameter name; (method, path, name) overrides first.
PHONE = {"type": "string", "pattern": "^1[0-9]{10}$"}
RULES = {
    "phono": PHONE, "phone": PHONE,
    "pwd": {"type": "string", "minLength": 6, "maxLength": 64},
    "verify_code": {"type": "string", "minLength": 1, "maxLength": 16},
    "captcha_code": {"type": "string", "minLength": 1, "maxLength": 16},
    "type": {"type": "integer", "enum": [1, 2, 3]},
    "current_page": {"type": "integer", "minimum": 1, "maximum": 1000000},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
    "real_name": {"type": "string", "minLength": 1, "maxLength": 32},
    "idno": {"type": "string", "pattern": "^([0-9]{17}[0-9Xx]|[0-9]{15})$"},
    "height": {"type": "string", "pattern": r"^[1-9][0-9]{0,2}(\.[0-9]{1,2})?$"},
    "weight": {"type": "string", "pattern": r"^[1-9][0-9]{0,2}(\.[0-9]{1,2})?$"},
    "marital_status": {"type": "integer", "minimum": 0, "maximum": 3},
    "drink_status": {"type": "integer", "minimum": 0, "maximum": 1},
    "smoking_status": {"type": "integer", "minimum": 0, "maximum": 1},
    "email": {"type": "string", "pattern": "@", "maxLength": 100},
    "province_id": {"type": "integer", "minimum": 0, "maximum": 99999999},
    "city_id": {"type": "integer", "minimum": 0, "maximum": 99999999},
    "county_id": {"type": "integer", "minimum": 0, "maximum": 99999999},
    "addr": {"type": "string", "maxLength": 200},
    "avatars": {"type": "string", "maxLength": 500},
    "hospital_id": {"type": "integer", "minimum": 1},
    "org_id": {"type": "integer", "minimum": 1},
    "keyword": {"type": "string", "maxLength": 100},
}
ANY_ID = {"type": "integer", "minimum": 0}
OVERRIDES = {
    ("POST", "/login/phone", "photo"): PHONE,
    ("PUT", "/user", "hospital_id"): {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"},
    ("GET", "/city", "parent_id"): ANY_ID,
    ("GET", "/area/city", "name"): {"type": "string", "minLength": 1, "maxLength": 100},
    ("GET", "/weixin/media", "media_id"): {"type": "string", "minLength": 1, "maxLength": 128},
    ("GET", "/doctor/list", "sort"): {"type": "integer", "enum": [1, 2]},
    ("GET", "/doctor/list", "departments"): {"type": "string", "maxLength": 100},
    ("GET", "/doctor/list", "job_position"): {"type": "string", "maxLength": 100},
    ("GET", "/doctor/list", "hospital_id"): {"type": "integer"},
    ("GET", "/doctor/list", "org_id"): {"type": "integer"},
    ("GET", "/project", "sort"): {"type": "integer", "enum": [1, 2, 3]},
    ("GET", "/project", "service_target"): {"type": "string", "maxLength": 32},
    ("GET", "/project", "departments"): {"type": "string", "maxLength": 32},
    ("GET", "/project", "hospital_id"): ANY_ID,
    ("GET", "/project", "org_id"): ANY_ID,
    ("GET", "/news/{type}/list", "type"): {"type": "integer", "minimum": 1, "maximum": 3},
    ("GET", "/custom/diagnoses", "type"): {"type": "integer", "minimum": 1, "maximum": 4},
    ("GET", "/doctor/project/patient", "status"): {"type": "integer", "minimum": 1, "maximum": 3},
    ("GET", "/order/query/{sn}", "sn"): {"type": "string", "minLength": 1, "maxLength": 64},
    ("POST", "/diagnoses/{id}/reject", "reject_msg"): {"type": "string", "minLength": 1, "maxLength": 200},
    ("PUT", "/diagnoses/{id}", "diag_result"): {"type": "string", "minLength": 1, "maxLength": 2000},
    ("PUT", "/diagnoses/{id}", "diag_photo"): {"type": "array", "maxItems": 9, "items": {"type": "string", "maxLength": 1000}},
    ("POST", "/doctor/diagnoses/{id}/comment", "patient_credit_score"): {"type": "integer", "minimum": 1, "maximum": 5},
    ("POST", "/doctor/diagnoses/{id}/comment", "patient_punctuality_score"): {"type": "integer", "minimum": 1, "maximum": 5},
    ("POST", "/custom/diagnoses/{id}/comment", "doctor_score"): {"type": "integer", "minimum": 1, "maximum": 5},
    ("POST", "/custom/diagnoses/{id}/comment", "doctor_comment"): {"type": "string", "minLength": 1, "maxLength": 500},
    ("POST", "/chat", "content"): {"type": "string", "minLength": 1, "maxLength": 256},
    ("POST", "/chat", "type"): {"type": "integer", "enum": [1, 2]},
    ("POST", "/chat", "photo"): {"type": "array", "maxItems": 3, "items": {"type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://"}},
    ("POST", "/project", "people_count"): {"type": "integer", "minimum": 1, "maximum": 500},
    ("POST", "/project", "price"): {"type": "integer", "minimum": 0, "maximum": 100000},
    ("POST", "/project", "date"): {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    ("POST", "/project", "begin"): {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}:[0-9]{2}$"},
    ("POST", "/project", "end"): {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}:[0-9]{2}$"},
    ("POST", "/project", "addr"): {"type": "string", "minLength": 1, "maxLength": 200},
    ("POST", "/project", "abstract"): {"type": "string", "minLength": 1, "maxLength": 2000},
    ("POST", "/project", "service_target"): {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "maxLength": 32}},
    ("POST", "/project/{id}/join", "content"): {"type": "string", "minLength": 1, "maxLength": 2000},
    ("POST", "/project/{id}/join", "photo"): {"type": "array", "maxItems": 3, "items": {"type": "string", "pattern": "^[hH][tT][tT][pP][sS]?://[^ ]*$"}},
    ("POST", "/project/{id}/join", "plan_time"): {"type": "string", "maxLength": 32},
}


# Parameters the document does not mark 【必填】 but without which vdapi cannot act; it
# refuses calls without them (docs/reference-server.md).
REQUIRED_BY_VDAPI = {
    ("POST", "/verifycode", "phone"), ("POST", "/verifycode", "captcha_code"),
    ("GET", "/area/city", "name"), ("POST", "/imgupload", "file"),
}


def is_required(endpoint, parameter):
    return parameter["in"] == "path" or parameter["required"] or (endpoint["method"], endpoint["path"], parameter["name"]) in REQUIRED_BY_VDAPI


def parameter_schema(endpoint, parameter):
    """The schema of one parameter; integers are bounded to 64 bits, as the server reads them."""
    schema = unbounded_schema(endpoint, parameter)
    if schema.get("type") == "integer" and "enum" not in schema:
        schema.setdefault("minimum", -(2**63))
        schema.setdefault("maximum", 2**63 - 1)
    return schema


def unbounded_schema(endpoint, parameter):
    key = (endpoint["method"], endpoint["path"], parameter["name"])
    if key in OVERRIDES:
        return dict(OVERRIDES[key])
    if parameter["in"] != "path" and parameter["name"] in RULES:
        return dict(RULES[parameter["name"]])
    kind = parameter["type"]
    if parameter["in"] == "path":
        return {"type": "integer", "minimum": 1} if kind == "integer" else {"type": "string", "minLength": 1}
    if isinstance(kind, dict):
        return {"type": "array", "items": {"type": "string"}}
    if kind == "integer":
        return {"type": "integer"}
    if kind == "file":
        return {"type": "string", "format": "binary"}
    # An empty text counts as not given, so a required text has at least one character.
    return {"type": "string", "minLength": 1} if is_required(endpoint, parameter) else {"type": "string"}


def operation(endpoint):
    path_and_query = [p for p in endpoint["parameters"] if p["in"] in ("path", "query")]
    body = [p for p in endpoint["parameters"] if p["in"] in ("body", "file")]
    roles = ", ".join({1: "patient", 2: "doctor", 3: "assistant"}[r] for r in endpoint["roles"])
    op = {
        "operationId": endpoint["method"].lower() + "".join(
            part.strip("{}").title().replace("_", "") for part in endpoint["path"].split("/") if part
        ),
        "summary": f"§{endpoint['section']} ({endpoint['kind']}; {roles})",
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": is_required(endpoint, p),
                "description": p["summary"],
                "schema": parameter_schema(endpoint, p),
            }
            for p in path_and_query
        ],
        "responses": {},
    }
    if not endpoint["public"]:
        op["security"] = [{"authToken": []}]
    if body:
        # Required for every role that may call it; PUT /user's role-only fields are optional here.
        all_roles = set(endpoint["roles"])
        schema = {
            "type": "object",
            "properties": {p["name"]: dict(parameter_schema(endpoint, p), description=p["summary"]) for p in body},
            "required": [p["name"] for p in body if is_required(endpoint, p) and set(p["roles"]) >= all_roles],
        }
        if not schema["required"]:
            del schema["required"]
        if any(p["in"] == "file" for p in body):
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
        else:
            op["requestBody"] = {
                "required": bool(schema.get("required")),
                "content": {"application/json": {"schema": schema}, "application/x-www-form-urlencoded": {"schema": schema}},
            }
    if endpoint["response"]["shape"] == "image":
        op["responses"]["200"] = {"description": "the captcha image; sets the captcha_id cookie", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}
    else:
        success = {
            "type": "object",
            "properties": {"error_code": {"type": "integer", "enum": [0]}, "data": data_schema(endpoint["response"]), "error_message": {"type": "string"}},
            "required": ["error_code", "data"],
        }
        op["responses"]["200"] = {"description": "success", "content": {"application/json": {"schema": success}}}
    descriptions = {
        "400": "the request breaks the documented parameters (error_code 1001)",
        "401": "no valid login (4001 not logged in, 4002 token expired) or wrong credentials (1004)",
        "403": "the caller may not do this (4003), or the verify code is wrong (1002)",
        "404": "no such record or route (4004)",
        "405": "no such method on this path (4004)",
        "409": "the record's state forbids it (4009), or it exists already (1003)",
    }
    for status, text in descriptions.items():
        op["responses"][status] = {"description": text, "content": {"application/json": {"schema": ref("failure")}}}
    return op


def main():
    catalogue = json.load(open(sys.argv[1]))
    paths = {}
    for endpoint in catalogue["endpoints"]:
        paths.setdefault(endpoint["path"], {})[endpoint["method"].lower()] = operation(endpoint)
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": "Volunteer Doctor API (志愿医生接口文档 1.0, V2.0) as vdapi implements it",
            "version": "1.0",
            "description": "Generated by scripts/openapi.py from the endpoint catalogue; see docs/reference-server.md. "
            "Every answer is an envelope {error_code, data, error_message}.",
        },
        "servers": [{"url": "http://127.0.0.1:8080"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"authToken": {"type": "apiKey", "in": "header", "name": "X-auth-token"}},
            "schemas": schemas(catalogue["structures"]),
        },
    }
    sys.stdout.write("# Generated by scripts/openapi.py from `vdapi --print-catalogue`; do not edit by hand.\n")
    yaml.safe_dump(document, sys.stdout, allow_unicode=True, sort_keys=False, width=120)


if __name__ == "__main__":
    main()
