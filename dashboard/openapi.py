"""The OpenAPI 3.1 description of the read-only API (served at /api/v1/openapi.json).

Hand-written: the field tables below are the API's contract and also drive the serializer in
dashboard/api.py, so a documented field and a served field cannot drift apart. A new figure in
queries.kpis.Kpis must be described here before the API serves it (tests/test_api.py checks).
"""

from __future__ import annotations

from typing import Any

API_VERSION = "1.0.0"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_OFFSET = 1_000_000_000

# Counts: whole numbers of dossiers (or ratings). Period figures count the period [from, to];
# backlog figures (open, overdue, due_soon, paused) count what is open at `as_of`.
KPI_COUNTS: dict[str, str] = {
    "received": "Dossiers accepted in the period (received_at in [from, to]); excludes dossiers "
    "submitted online and not yet accepted, and refused ones.",
    "online": "Of `received`, submitted through the online channel.",
    "digitized_components": "Of `received`, with digitized components (HoSoCoThanhPhanSoHoa).",
    "fee_bearing": "Of `received`, for a procedure that carries a fee.",
    "paid_online": "Of `fee_bearing`, paid online.",
    "resolved": "Dossiers finished (states 7-10) in the period, whenever they were received.",
    "resolved_early": "Of `resolved`, finished on a date before the working deadline.",
    "resolved_on_time": "Of `resolved`, finished on the date of the working deadline.",
    "resolved_late": "Of `resolved`, finished after the deadline or with more than one supplement "
    "request (the national index rule).",
    "with_result": "Of `resolved`, finished with a result (completed or returned).",
    "digitized_results": "Of `with_result`, with an electronic result.",
    "open": "Backlog at `as_of`: dossiers in process (states 2, 4, 5, 6), whatever the period.",
    "overdue": "Of `open`, clock running and working deadline passed at `as_of`.",
    "due_soon": "Of `open`, clock running and due by the end of the 2nd working day after today "
    "(the province page's card).",
    "paused": "Of `open`, clock stopped (awaiting a supplement, or suspended).",
    "in_process_at_end": "Accepted dossiers still in process at the end of the period (or at `as_of` "
    "if earlier): the national index's 'đang xử lý'.",
    "in_time_at_end": "Of `in_process_at_end`, within their working deadline then.",
    "ratings": "Satisfaction ratings given in the period.",
    "satisfied": "Of `ratings`, scored 4 or 5.",
    "dissatisfied": "Of `ratings`, scored 1 or 2.",
    "rating_sum": "The sum of the scores of `ratings` (for `average_rating`).",
    "ratings_timely": "Of `ratings`, given to dossiers finished early or on time.",
    "rating_sum_timely": "The sum of the scores of `ratings_timely`.",
    "ratings_late": "Of `ratings`, given to dossiers finished late.",
    "rating_sum_late": "The sum of the scores of `ratings_late`.",
}

# Ratios: numbers from 0 to 1 (average_rating: 1 to 5), null when the denominator is 0.
KPI_RATIOS: dict[str, str] = {
    "on_time_rate": "(resolved_early + resolved_on_time) / resolved.",
    "online_share": "online / received.",
    "digitized_share": "digitized_components / received.",
    "digitized_result_share": "digitized_results / with_result.",
    "payment_share": "paid_online / fee_bearing.",
    "satisfaction": "satisfied / ratings.",
    "average_rating": "rating_sum / ratings: the mean score, from 1 to 5 (not a 0-1 ratio).",
    "average_rating_timely": "rating_sum_timely / ratings_timely: mean score, 1 to 5, of timely dossiers.",
    "average_rating_late": "rating_sum_late / ratings_late: mean score, 1 to 5, of late dossiers.",
    "late_rate": "resolved_late / resolved.",
    "progress_ratio": "(resolved_early + resolved_on_time + in_time_at_end) / (resolved + "
    "in_process_at_end): the national index's progress ratio.",
}

SCORE_GROUPS: dict[str, str] = {
    "progress": "Tiến độ giải quyết, out of 20.",
    "online": "Dịch vụ công trực tuyến, out of 12.",
    "payment": "Thanh toán trực tuyến, out of 10.",
    "digitization": "Số hóa 4.1 and 4.2, out of 10.",
    "satisfaction": "Mức độ hài lòng 5.4, out of 6.",
}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


MOMENT = {
    "type": "string",
    "format": "date-time",
    "description": "Vietnam time with its offset, e.g. 2026-03-20T10:00:00+07:00.",
}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "param": _nullable("string", description="The offending parameter (query or path)."),
                    "value": _nullable("string", description="The value given (cut at 100 characters)."),
                    "message": {"type": "string", "description": "What is wrong, in English."},
                }
            )
        },
        "Every 4xx and 5xx answer of the API.",
    ),
    "Unit": _object(
        {
            "code": {"type": "string", "description": "The unit's code (MaDonVi)."},
            "name_vi": {"type": "string"},
            "name_en": {"type": "string"},
            "level": {
                "type": "string",
                "description": "province, commune, ward, special_zone or department.",
            },
            "parent_code": _nullable("string", description="The code of the parent unit, if any."),
        }
    ),
    "Filters": _object(
        {
            "from": {"type": "string", "format": "date", "description": "First day, inclusive."},
            "to": {"type": "string", "format": "date", "description": "Last day, inclusive."},
            "sector": _nullable("string"),
            "procedure": _nullable("string"),
            "channel": _nullable("string", enum=["counter", "online", "postal", None]),
        },
        "The filters the figures were computed for, defaults filled in.",
    ),
    "ServiceScoreGroups": _object(
        {name: {"type": "number", "description": text} for name, text in SCORE_GROUPS.items()},
        "Points per group of the national index that the dossier data can measure (docs/service-index.md).",
    ),
    "Kpis": _object(
        {
            "from": {
                "type": "string",
                "format": "date",
                "description": "First day of the period, inclusive.",
            },
            "to": {"type": "string", "format": "date", "description": "Last day of the period, inclusive."},
            **{
                name: {"type": "integer", "minimum": 0, "description": text}
                for name, text in KPI_COUNTS.items()
            },
            **{
                name: _nullable(
                    "number",
                    minimum=0,
                    maximum=5 if name.startswith("average_rating") else 1,
                    description=text,
                )
                for name, text in KPI_RATIOS.items()
            },
            "service_score": _nullable(
                "number",
                minimum=0,
                maximum=100,
                description="Estimate of the national index out of 100 over the measurable groups; "
                "null when nothing was processed.",
            ),
            "service_score_groups": {
                "oneOf": [_ref("ServiceScoreGroups"), {"type": "null"}],
                "description": "The score's points per group; null with the score.",
            },
        },
        "The figures of one unit or of the province for a period (Vietnam dates, inclusive).",
    ),
    "UnitKpis": _object(
        {
            "unit": _ref("Unit"),
            "kpis": _ref("Kpis"),
            "problem": {
                "type": "boolean",
                "description": "Flagged for a supervisor: score below 50, on-time rate below 90 % on "
                "20+ resolved, or more than 10 % of a 20+ backlog overdue.",
            },
        }
    ),
    "UnitList": _object({"units": {"type": "array", "items": _ref("Unit")}}),
    "UnitsKpis": _object(
        {
            "as_of": MOMENT,
            "filters": _ref("Filters"),
            "units": {"type": "array", "items": _ref("UnitKpis")},
        }
    ),
    "ProvinceKpis": _object({"as_of": MOMENT, "filters": _ref("Filters"), "kpis": _ref("Kpis")}),
    "OneUnitKpis": _object(
        {
            "as_of": MOMENT,
            "filters": _ref("Filters"),
            "unit": _ref("Unit"),
            "kpis": _ref("Kpis"),
            "problem": {"type": "boolean", "description": "As in UnitKpis."},
        }
    ),
    "Paging": _object(
        {
            "total": {"type": "integer", "minimum": 0, "description": "All items, over every page."},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "offset": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "next_offset": _nullable("integer", description="The offset of the next page; null on the last."),
        }
    ),
    "AtRiskDossier": _object(
        {
            "code": {"type": "string", "description": "The dossier's code (MaHoSo)."},
            "procedure_code": _nullable("string"),
            "procedure_name": _nullable("string", description="In Vietnamese."),
            "procedure_name_en": _nullable("string"),
            "step": _nullable("string", description="The current processing step."),
            "handler_code": _nullable("string"),
            "handler_name": _nullable("string"),
            "received_at": _nullable("string", format="date-time", description=MOMENT["description"]),
            "due_at": _nullable(
                "string",
                format="date-time",
                description="The working deadline at `as_of`, open pauses included (Vietnam time).",
            ),
            "state": _nullable(
                "string",
                enum=["on_track", "due_soon", "overdue", "paused", None],
                description="The clock's verdict at `as_of` (due_soon here: at most 1 working day or "
                "75 % of the allowance left); null when the dossier cannot be clocked.",
            ),
            "remaining_working_days": _nullable(
                "number", description="Working days of 8 office hours left; negative when overdue."
            ),
            "apology_letter": {"type": "boolean", "description": "An apology letter (Mẫu 04) was issued."},
        }
    ),
    "AtRiskPage": _object(
        {
            "as_of": MOMENT,
            "unit": _ref("Unit"),
            "paging": _ref("Paging"),
            "items": {"type": "array", "items": _ref("AtRiskDossier")},
        }
    ),
}


YEARS_2000_2100 = r"^(20\d\d|2100)-\d\d-\d\d$"  # what queries/filters.py accepts


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PARAMETERS: dict[str, Any] = {
    "from": _query(
        "from",
        "First day, YYYY-MM-DD, inclusive, in the years 2000-2100. Default: the 1st of this month.",
        {"type": "string", "format": "date", "pattern": YEARS_2000_2100},
    ),
    "to": _query(
        "to",
        "Last day, YYYY-MM-DD, inclusive, in the years 2000-2100, not before `from`, at most five years "
        "after. Default: today.",
        {"type": "string", "format": "date", "pattern": YEARS_2000_2100},
    ),
    "sector": _query("sector", "A sector code (e.g. HT).", {"type": "string", "pattern": r"^[\w.-]{1,64}$"}),
    "procedure": _query(
        "procedure", "A procedure code (e.g. 1.004194).", {"type": "string", "pattern": r"^[\w.-]{1,64}$"}
    ),
    "channel": _query(
        "channel",
        "counter, online or postal (or 1, 2, 3).",
        {"type": "string", "enum": ["counter", "online", "postal", "1", "2", "3"]},
    ),
    "limit": _query(
        "limit",
        f"Items per page, 1 to {MAX_LIMIT}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    "offset": _query(
        "offset", "Items to skip.", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}
    ),
    "code": {
        "name": "code",
        "in": "path",
        "required": True,
        "description": "A unit's code; an unknown code answers 404.",
        "schema": {"type": "string"},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


RESPONSES: dict[str, Any] = {
    "BadRequest": _error(
        "A bad parameter: malformed date, `to` before `from`, unknown channel, limit out of range, "
        "malformed or unknown code, empty, repeated or unknown parameter."
    ),
    "NotFound": _error("No unit with this code (or no such route)."),
    "Forbidden": _error(
        "The unit, sector or procedure asked for exists but is outside what the signed-in account "
        "may see (a commune's chairperson or official sees their own unit; a supervisor may be "
        "limited to some sectors). `param` names it; nothing of it is returned."
    ),
    "Unauthorized": _error("No signed-in session: sign in at /login (or through the province's SSO proxy)."),
    "Unavailable": _error("The database could not be reached; try again."),
}


def _operation(
    operation_id: str, summary: str, schema: str, parameters: list[str], description: str = ""
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "OK. Cache-Control: max-age=60.",
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "503": {"$ref": "#/components/responses/Unavailable"},
    }
    if parameters:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if "code" in parameters:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    if {"code", "sector", "procedure"} & set(parameters):  # what a scope can refuse
        responses["403"] = {"$ref": "#/components/responses/Forbidden"}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in parameters],
        "responses": dict(sorted(responses.items())),
    }
    if description:
        operation["description"] = description
    return {"get": operation}


FILTERS = ["from", "to", "sector", "procedure", "channel"]

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Giám sát một cửa: read-only API",
        "version": API_VERSION,
        "summary": "SLA figures of the commune-level one-stop service centres, for provincial "
        "operations centres.",
        "description": "GET only, JSON in UTF-8. Dates are Vietnam dates and periods include both "
        "ends; times carry +07:00. Figures are the dashboard's, cached for a minute. Unknown, empty "
        "or repeated query parameters answer 400. Answers cover only what the signed-in account may "
        "see (its scope): lists and totals are narrowed to it, and a unit, sector or procedure "
        "outside it answers 403. See docs/api.md.",
    },
    "paths": {
        "/api/v1/units": _operation("listUnits", "Every unit", "UnitList", []),
        "/api/v1/units/kpis": _operation(
            "unitsKpis",
            "The figures of every unit for a period",
            "UnitsKpis",
            FILTERS,
            "One entry per unit (zeros for a unit without activity), ordered by code. The units' "
            "figures add up to the province total.",
        ),
        "/api/v1/province/kpis": _operation(
            "provinceKpis", "The province total for a period", "ProvinceKpis", FILTERS
        ),
        "/api/v1/units/{code}/kpis": _operation(
            "unitKpis", "One unit's figures for a period", "OneUnitKpis", ["code", *FILTERS]
        ),
        "/api/v1/units/{code}/at-risk": _operation(
            "unitAtRisk",
            "A unit's open dossiers, most urgent first",
            "AtRiskPage",
            ["code", "limit", "offset"],
            "Ordered by working deadline (none last), then code.",
        ),
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "401": {"$ref": "#/components/responses/Unauthorized"},
                },
            }
        },
    },
    "components": {
        "schemas": SCHEMAS,
        "parameters": PARAMETERS,
        "responses": RESPONSES,
        "securitySchemes": {
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "motcua_session",
                "description": "The session cookie POST /login sets (docs/access.md).",
            }
        },
    },
    "security": [{"session": []}],
}
