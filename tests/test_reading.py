"""The strict reader and the clash finder, in-process: each bad input is one InputError naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cytokg.errors import InputError
from cytokg.gates.reason import find_clashes
from cytokg.reading import parse_turtle_text, read_query, read_text

TEXT_CASES = [
    ("latin1", b"a\tb\nc\xe9\td\n", 2, "byte 0xe9 at column 2 is not UTF-8"),
    ("bom", b"\xef\xbb\xbfa\tb\n", 1, "byte-order mark (BOM)"),
    ("lone-cr", b"a\tb\nc\rd\n", 2, "carriage return"),
    ("nul", b"a\tb\nc\td\x00\n", 2, "U+0000 (NUL) at column 4"),
    ("line-separator", "a\tb\nc\u2028d\n".encode(), 2, "U+2028"),
    ("delete-char", b"a\tb\n\n\nc\x7f\n", 4, "U+007F"),
]


@pytest.mark.parametrize(("data", "line", "says"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES])
def test_read_text_rejects(tmp_path: Path, data: bytes, line: int, says: str) -> None:
    path = tmp_path / "table.tsv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert caught.value.line == line
    assert says in caught.value.problem
    assert str(caught.value).startswith(f"{path}:{line}: ") and "(fix: " in str(caught.value)


def test_read_text_accepts_utf8_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "ok.tsv"
    path.write_text("symbol\tname\nIL6\tinterleukin 6 — β\n", encoding="utf-8")
    assert read_text(path).endswith("β\n")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_text(tmp_path / "absent.ttl")


def test_turtle_error_keeps_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "edit.ttl"
    path.write_text("@prefix a: <http://a/> .\n\na:x a:y a:z .\na:x a:y b:z .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_turtle_text(path, Graph())
    assert caught.value.line == 4
    assert 'Prefix "b:" not bound' in caught.value.problem


def test_invalid_iri_is_one_error_not_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "edit.ttl"
    path.write_text("@prefix a: <http://a/> .\na:x a:y <http://a/b c> .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_turtle_text(path, Graph())
    assert caught.value.line == 2 and "<http://a/b c> is not valid" in caught.value.problem
    assert not caplog.records


@pytest.mark.parametrize(
    ("query", "line", "says"),
    [
        ("# Check: x\n\n", 1, "empty"),
        ("SELECT ?s WHERE {\n  ?s a ex:Thing\n}\n", 2, "prefix ex: is not declared"),
        ("SELECT ?s WHERE {\n  ?s ?p \n}\n", 3, "SPARQL syntax error"),
    ],
    ids=["empty", "undeclared-prefix", "syntax"],
)
def test_read_query_rejects(tmp_path: Path, query: str, line: int, says: str) -> None:
    path = tmp_path / "check.rq"
    path.write_text(query, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_query(path)
    assert caught.value.line == line and says in caught.value.problem


EX = "https://w3id.org/cytokg/vocab/"


def test_find_clashes_names_the_individual_and_the_disjoint_classes() -> None:
    graph = Graph()
    a, b, sub, thing = (URIRef(EX + name) for name in ("A", "B", "SubA", "thing"))
    graph.add((a, OWL.disjointWith, b))
    graph.add((sub, RDFS.subClassOf, a))
    graph.add((thing, RDF.type, sub))
    graph.add((thing, RDF.type, b))
    (line,) = find_clashes(graph)
    assert line.startswith(f"<{thing}> ")
    assert f"both <{a}> and <{b}>, which are disjoint" in line and "fix: " in line


def test_find_clashes_says_when_it_finds_none() -> None:
    graph = Graph()
    graph.add((URIRef(EX + "A"), OWL.disjointWith, URIRef(EX + "B")))
    graph.add((URIRef(EX + "thing"), RDF.type, URIRef(EX + "A")))
    (line,) = find_clashes(graph)
    assert line.startswith("no individual is in two disjoint classes") and "fix: " in line
