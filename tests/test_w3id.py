"""The w3id.org redirect rules (issue 17, point 6): every rule's target is a route the app answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cytokg.release import DOWNLOAD_FILES, EXAMPLES_FILE, MAPPING_FILE, VOID_FILE
from cytokg.web.app import create_app
from cytokg.web.pages import OWN_KINDS

from .conftest import RELEASE_DATE, ROOT

HTACCESS = ROOT / "deploy" / "w3id" / "cytokg" / ".htaccess"
DEPLOYMENT = "https://cytokg.example.org"
#: One request per rule: (path under https://w3id.org/cytokg/, Accept) → the path it must reach on the server.
EXAMPLES = {
    ("protein/HGNC_6018", "text/turtle"): "/protein/HGNC_6018.ttl",
    ("protein/HGNC_6018", "application/rdf+xml"): "/protein/HGNC_6018.rdf",
    ("vocab/Cytokine", "application/ld+json"): "/vocab/Cytokine.jsonld",
    ("vocab/Cytokine", "application/n-triples"): "/vocab/Cytokine.nt",
    ("vocab/Cytokine", "text/html,application/xhtml+xml"): "/vocab/Cytokine",
    ("cytokg.owl", "*/*"): "/downloads/cytokg.owl",
    ("cytokg-base.owl", "*/*"): "/downloads/cytokg-base.owl",
    (f"releases/{RELEASE_DATE}/cytokg.owl", "*/*"): f"/releases/{RELEASE_DATE}/cytokg.owl",
    ("sparql", "*/*"): "/sparql",
    (".well-known/sparql-examples/cq07-interleukin-etymology", "text/turtle"): (
        "/.well-known/sparql-examples/cq07-interleukin-etymology"
    ),
    ("graph/inferred", "text/turtle"): "/graph/inferred",
    ("", "text/html"): "/",
}


@dataclass(frozen=True)
class Rule:
    """One RewriteRule with the Accept patterns its RewriteCond lines require."""

    pattern: re.Pattern[str]
    target: str
    accepts: tuple[re.Pattern[str], ...]


def _rules(text: str) -> tuple[str, list[Rule]]:
    """The deployment address and the redirect rules, in order, as mod_rewrite reads them."""
    deployment, rules, conditions = "", [], []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "RewriteCond":
            assert words[1] == "%{HTTP_ACCEPT}", f"only Accept conditions are expected: {line}"
            conditions.append(re.compile(words[2]))
        elif words[0] == "RewriteRule" and words[2] == "-":
            deployment = words[3].removeprefix("[E=CYTOKG:").removesuffix("]").replace("\\:", ":")
        elif words[0] == "RewriteRule":
            assert words[3] == "[R=303,L]", f"every rule is a 303 that ends the rewriting: {line}"
            rules.append(Rule(re.compile(words[1]), words[2], tuple(conditions)))
            conditions = []
    return deployment, rules


def _resolve(rules: list[Rule], deployment: str, path: str, accept: str) -> tuple[int, str]:
    """The rule that answers ``path`` with this Accept header, and where it redirects."""
    for number, rule in enumerate(rules):
        match = rule.pattern.search(path)
        if match and all(condition.search(accept) for condition in rule.accepts):
            target = match.expand(re.sub(r"\$(\d)", r"\\\1", rule.target))
            return number, target.replace("%{ENV:CYTOKG}", deployment)
    raise AssertionError(f"no rule for {path!r} ({accept})")


def test_every_rule_reaches_a_route_of_the_app() -> None:
    deployment, rules = _rules(HTACCESS.read_text(encoding="utf-8"))
    assert deployment == DEPLOYMENT
    app = Flask(__name__)
    from cytokg.web.described import described
    from cytokg.web.downloads import downloads
    from cytokg.web.pages import pages
    from cytokg.web.sparql import sparql

    for blueprint in (pages, downloads, sparql, described):
        app.register_blueprint(blueprint)
    routes = app.url_map.bind("cytokg.example.org")
    used = set()
    for (path, accept), expected in EXAMPLES.items():
        number, target = _resolve(rules, deployment, path, accept)
        used.add(number)
        assert target == DEPLOYMENT + expected, (path, accept)
        routes.match(expected, method="GET")  # raises NotFound if the app has no such route
    assert used == set(range(len(rules))), "a rule no example exercises"


def test_the_rules_name_every_kind_and_release_file() -> None:
    text = HTACCESS.read_text(encoding="utf-8")
    for alternation in re.findall(r"\((vocab\|[a-z|]+)\)", text):
        assert alternation.split("|") == list(OWN_KINDS)
    files = {name.replace("\\.", ".") for group in re.findall(r"\((cytokg[^)]+)\)", text) for name in group.split("|")}
    assert files == set(DOWNLOAD_FILES) - {MAPPING_FILE, VOID_FILE, EXAMPLES_FILE}  # the ontology and its data


@pytest.fixture(scope="module")
def client(built: Path) -> Iterator[FlaskClient]:
    app = create_app(built, ROOT / "queries")
    try:
        yield app.test_client()
    finally:
        app.extensions["cytokg"].close()


@pytest.mark.parametrize(("path", "accept"), sorted(EXAMPLES))
def test_every_target_answers_on_a_build(client: FlaskClient, path: str, accept: str) -> None:
    answer = client.get(EXAMPLES[(path, accept)], headers={"Accept": accept}, follow_redirects=True)
    assert answer.status_code == 200, answer.data[:200]  # perhaps after the app's own 303 (a graph: /sparql)


def test_a_version_path_is_checked_strictly(client: FlaskClient) -> None:
    for path in (
        "/releases/2026-1-21/cytokg.owl",
        "/releases/..%2F..%2Fetc/cytokg.owl",
        f"/releases/{RELEASE_DATE}/release.json",
        f"/releases/{RELEASE_DATE}/..%2Fcytokg.owl",
        "/releases/1999-01-01/cytokg.owl",
    ):
        assert client.get(path).status_code == 404, path
