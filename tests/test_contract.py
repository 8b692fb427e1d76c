"""The HTTP contract (docs/API.md) against the app's OpenAPI document, built without any server.

CONTRACT lists every method and path of docs/API.md that the app serves today; PAGES the pages for
people it serves (HTML, outside the OpenAPI document). Every path of docs/API.md is built; a new
one goes into its list when it is."""

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import Match

from recall.config import Settings
from recall.main import create_app

V1 = "/api/v1"
CONTRACT = [
    # Reference data
    f"POST {V1}/regions",
    f"GET {V1}/regions",
    f"POST {V1}/industries",
    f"GET {V1}/industries",
    f"POST {V1}/enterprises",
    f"GET {V1}/enterprises",
    # Defect reports and recall cases
    f"POST {V1}/defect-reports",
    f"GET {V1}/defect-reports",
    f"POST {V1}/cases",
    f"GET {V1}/cases",
    f"GET {V1}/cases/{{id}}",
    f"POST {V1}/cases/{{id}}/assessment",
    f"POST {V1}/cases/{{id}}/decision",
    f"POST {V1}/cases/{{id}}/plan",
    f"POST {V1}/cases/{{id}}/plan/acceptance",
    f"POST {V1}/cases/{{id}}/plan/return",
    f"POST {V1}/cases/{{id}}/hazards",
    f"POST {V1}/cases/{{id}}/hazards/{{hazard_id}}/elimination",
    f"POST {V1}/cases/{{id}}/hazards/{{hazard_id}}/reopening",
    f"POST {V1}/cases/{{id}}/progress-reports",
    f"POST {V1}/cases/{{id}}/verification",
    f"POST {V1}/cases/{{id}}/closure",
    f"GET {V1}/cases/{{id}}/milestones",
    # Files (evidence)
    f"POST {V1}/files",
    f"GET {V1}/files/{{id}}",
    # The chain beyond the case
    f"POST {V1}/programmes",
    f"GET {V1}/programmes/{{id}}",
    f"POST {V1}/programmes/{{id}}/waivers",
    f"POST {V1}/associations",
    f"POST {V1}/associations/{{id}}/transitions",
    f"POST {V1}/programmes/{{id}}/associations",
    f"POST {V1}/standards",
    f"POST {V1}/standards/{{id}}/transitions",
    f"POST {V1}/standards/{{id}}/comments",
    f"POST {V1}/standards/{{id}}/comments/{{comment_id}}/disposition",
    f"POST {V1}/standards/{{id}}/ballot",
    f"GET {V1}/standards",
    f"POST {V1}/brand-cultivations",
    f"POST {V1}/brand-cultivations/{{id}}/transitions",
    # Public recall notices
    f"GET {V1}/recalls",
    f"GET {V1}/recalls/{{number}}",
    # Dashboard and operations
    f"GET {V1}/dashboard/summary",
    f"GET {V1}/dashboard/hazards",
    "GET /dashboard",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
]
# docs/API.md, "Additions" (README.md, "Additions to the contract")
ADDITIONS = [
    f"GET {V1}/audit",
    f"POST {V1}/tokens",
    f"GET {V1}/tokens",
    f"POST {V1}/tokens/{{id}}/revocation",
    f"POST {V1}/imports/{{source}}",
    f"GET {V1}/programmes",
    f"GET {V1}/programmes/{{id}}/milestones",
    f"GET {V1}/associations",
    f"GET {V1}/associations/{{id}}",
    f"GET {V1}/brand-cultivations",
    f"GET {V1}/brand-cultivations/{{id}}",
    f"GET {V1}/standards/{{id}}",
    f"GET {V1}/standards/{{id}}/milestones",
]
# docs/API.md, "Pages for people (v1)": served as HTML, not in the OpenAPI document
PAGES = [
    "GET /login",
    "POST /login",
    "POST /logout",
    "GET /desk",
    "GET /desk/reports",
    "GET /desk/cases/{id}",
    "GET /recalls",
    "GET /recalls/{id}",
    "GET /recalls.atom",
    "GET /desk/standards/{id}",
    "GET /standards/{id}/comment",
    "POST /standards/{id}/comment",
    "GET /desk/programmes/{id}",
    "GET /desk/associations/{id}",
    "GET /desk/brand-cultivations/{id}",
    "POST /desk/programmes/start_programme",
]
METHODS = {"get", "post", "put", "patch", "delete"}


def shape(path: str) -> str:
    """Parameter names are the app's to choose: `/cases/{case_id}` is `/cases/{id}`."""
    return re.sub(r"{[^}]+}", "{}", path)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data_dir: Path = tmp_path_factory.mktemp("contract")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite+aiosqlite:///{data_dir}/r.db")
    return create_app(settings)  # never started: no database, no Temporal


@pytest.fixture(scope="module")
def openapi(app: FastAPI) -> dict:
    return app.openapi()


def operations(document: dict) -> set[str]:
    return {
        f"{method.upper()} {shape(path)}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def test_lists_hold_no_duplicates() -> None:
    listed = [shape(entry) for entry in CONTRACT + ADDITIONS]
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("entry", CONTRACT + ADDITIONS)
def test_contract_operation_is_in_openapi(openapi: dict, entry: str) -> None:
    assert shape(entry) in operations(openapi)


def test_contract_paths_are_in_docs_api_md() -> None:
    """Each listed path is written in docs/API.md (relative to /api/v1 in its tables)."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "API.md").read_text(encoding="utf-8")
    written = {shape(p) for p in re.findall(r"(/[a-z][a-z0-9\-{}_/.|]*)", text)}
    for entry in CONTRACT + ADDITIONS:
        path = shape(entry.split(" ", 1)[1])
        assert path in written or path.removeprefix(V1) in written, entry


def test_every_operation_says_what_it_does(openapi: dict) -> None:
    """A summary or a description of its own: FastAPI's automatic summary (the function's name,
    title-cased: "Get Association") does not count."""

    def automatic(path: str, method: str, operation: dict) -> str:
        # FastAPI's default operationId is the function's name, then the path and the method.
        suffix = re.sub(r"\W", "_", path) + f"_{method}"
        return operation.get("operationId", "").removesuffix(suffix).replace("_", " ").title()

    bare = [
        f"{method.upper()} {path}"
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS
        and not operation.get("description", "").strip()
        and operation.get("summary", "").strip() in ("", automatic(path, method, operation))
    ]
    assert bare == []


@pytest.mark.parametrize("entry", PAGES)
def test_contract_page_is_served(app: FastAPI, entry: str) -> None:
    method, path = entry.split(" ", 1)
    scope = {"type": "http", "method": method, "path": path.replace("{id}", "x"), "headers": []}
    assert any(route.matches(scope)[0] == Match.FULL for route in app.routes)
