"""The ``cytokg`` command line. Exit codes: 0 success, 1 a gate failed, 2 bad usage or bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from cytokg.errors import GateFailure, InputError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

ONTOLOGY_OPTION = click.option(
    "--ontology-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("ontology"),
    show_default=True,
    help="Curated sources: cytokg-edit.ttl, data/, imports/.",
)
BUILD_OPTION = click.option(
    "--build-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Where release files, the store and reports are written.",
)
SHAPES_OPTION = click.option(
    "--shapes-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("shapes"),
    show_default=True,
    help="SHACL shapes (*.ttl).",
)
QUERIES_OPTION = click.option(
    "--queries-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("queries"),
    show_default=True,
    help="Curated SPARQL: qc/, stats/, examples/.",
)
REFDATA_OPTION = click.option(
    "--refdata",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("../shared/refdata"),
    show_default=True,
    help="Reference data folder (HGNC, RO, ECO, GO...).",
)

GRAPH_OPTION = click.option(
    "--graph",
    default="https://w3id.org/cytokg/graph/asserted",
    show_default=True,
    help="Named graph of the asserted triples in the external store.",
)
INFERRED_GRAPH_OPTION = click.option(
    "--inferred-graph",
    default="https://w3id.org/cytokg/graph/inferred",
    show_default=True,
    help="Named graph of the reasoner's inferred memberships in the external store.",
)
USER_OPTION = click.option(
    "--user", envvar="CYTOKG_STORE_USER", default=None, help="Store account [env CYTOKG_STORE_USER]."
)
PASSWORD_OPTION = click.option(
    "--password", envvar="CYTOKG_STORE_PASSWORD", default=None, help="Its password [env CYTOKG_STORE_PASSWORD]."
)
TOKEN_OPTION = click.option(
    "--token", envvar="CYTOKG_STORE_TOKEN", default=None, help="Bearer token instead [env CYTOKG_STORE_TOKEN]."
)


def _progress(message: str) -> None:
    click.echo(f"… {message}", err=True)


def _friendly(function: F) -> F:
    """Turn input errors into one line and exit 2, gate failures into exit 1."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except InputError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except GateFailure as error:
            click.echo(f"gate failed: {error}", err=True)
            sys.exit(1)
        except FileNotFoundError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _release(build_dir: Path) -> Path:
    """The current release folder in ``build_dir`` (recovered first), read by this command alone."""
    from cytokg.publish import current_release

    return current_release(build_dir)


def _report_gates(reports: list[Any], where: Path) -> None:
    for report in reports:
        how = "reused: inputs unchanged" if report.reused else f"{report.seconds:.1f} s"
        click.echo(f"{report.name:10s} {report.status} ({how})")
        if not report.ok:
            for line in report.lines[:40]:
                if not line.startswith("inferred\t"):
                    click.echo(f"    {line}")
    failed = [r.name for r in reports if not r.ok and r.status != "skipped"]
    if failed:
        raise GateFailure(", ".join(failed) + f" (reports in {where}/)")


@click.group()
@click.version_option()
def main() -> None:
    """CytoKG: build, check, query and serve the cytokine knowledge graph."""


@main.command()
@ONTOLOGY_OPTION
@BUILD_OPTION
@SHAPES_OPTION
@QUERIES_OPTION
@click.option(
    "--release-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Release date YYYY-MM-DD [default: SOURCE_DATE_EPOCH or today].",
)
@_friendly
def build(
    ontology_dir: Path, build_dir: Path, shapes_dir: Path, queries_dir: Path, release_date: datetime | None
) -> None:
    """Compile the curated sources into build/, gate them, and promote only a passing build."""
    from cytokg.build import FAILED_REPORTS
    from cytokg.build import build as run_build
    from cytokg.compile.pipeline import release_date_default
    from cytokg.gates.suite import Layout, check_layout

    layout = Layout(shapes_dir, queries_dir)
    _progress("checking the shapes and QC queries")
    check_layout(layout)
    date = release_date.date().isoformat() if release_date else release_date_default()
    reports = run_build(ontology_dir, build_dir, layout, date, _progress)
    _report_gates(reports, build_dir / ("reports" if all(r.ok for r in reports) else FAILED_REPORTS))
    click.echo(f"built {build_dir}/")


@main.command()
@BUILD_OPTION
@SHAPES_OPTION
@QUERIES_OPTION
@click.option(
    "--reports-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the gate reports are written [default: BUILD_DIR/check-reports; the release is never changed].",
)
@_friendly
def check(build_dir: Path, shapes_dir: Path, queries_dir: Path, reports_dir: Path | None) -> None:
    """Run every gate (reasoning, SHACL, QC, OWL 2 DL) on the current release in build/.

    A gate whose inputs (release files, shapes, QC queries, gate code) are unchanged since the build or an
    earlier check reuses that report (build/gate-cache); the others run, side by side.
    """
    from cytokg.gates.cache import CHECK_REPORTS
    from cytokg.gates.suite import Layout, check_layout, check_release

    layout = Layout(shapes_dir, queries_dir)
    check_layout(layout)
    target = reports_dir or build_dir / CHECK_REPORTS
    _report_gates(check_release(_release(build_dir), layout, target, _progress), target)


@main.command()
@BUILD_OPTION
@SHAPES_OPTION
@_friendly
def validate(build_dir: Path, shapes_dir: Path) -> None:
    """Validate the built graph against the SHACL shapes (asserted types only)."""
    from cytokg.gates.shacl import validate as run_validate
    from cytokg.graphs import load_built_graph

    result = run_validate(load_built_graph(_release(build_dir)), shapes_dir)
    for line in result.violations:
        click.echo(f"violation: {line}")
    for line in result.warnings:
        click.echo(f"warning: {line}")
    if not result.conforms:
        raise GateFailure(f"{len(result.violations)} SHACL violations")
    click.echo("conforms")


@main.command()
@BUILD_OPTION
@QUERIES_OPTION
@_friendly
def qc(build_dir: Path, queries_dir: Path) -> None:
    """Run the QC queries in queries/qc; any row is a failure."""
    from cytokg.gates.qc import run_qc
    from cytokg.store import open_store

    failed = 0
    for result in run_qc(open_store(_release(build_dir) / "oxigraph"), queries_dir / "qc"):
        click.echo(f"{result.name}: {len(result.rows)} rows")
        for row in result.rows:
            click.echo("    " + "\t".join(row) + f"\t(fix: {result.fix})")
        failed += bool(result.rows)
    if failed:
        raise GateFailure(f"{failed} QC checks returned rows")


@main.command()
@BUILD_OPTION
@click.option("--rl/--no-rl", default=True, show_default=True, help="Also write the OWL 2 RL closure (owlrl; slow).")
@_friendly
def reason(build_dir: Path, rl: bool) -> None:
    """Run HermiT; with --rl also write build/cytokg-inferred.ttl (the OWL 2 RL closure)."""
    from cytokg.gates.reason import materialise_rl, run_hermit
    from cytokg.graphs import load_built_graph
    from cytokg.serialize import write_graph

    release = _release(build_dir)
    graph = load_built_graph(release)
    _progress("HermiT: consistency and class memberships")
    result = run_hermit(release / "cytokg.owl", graph)
    click.echo(
        f"consistent: {result.consistent}; unsatisfiable own classes: {len(result.unsatisfiable)}; "
        f"inferred memberships: {len(result.inferred_types)}"
    )
    for clash in result.clashes:
        click.echo(f"inconsistent: {clash}")
    if not result.consistent or result.unsatisfiable:
        raise GateFailure("reasoning")
    if rl:
        _progress(f"owlrl: OWL 2 RL closure of {len(graph)} triples (this can take minutes)")
        write_graph(materialise_rl(graph), build_dir / "cytokg-inferred.ttl")
        click.echo(f"wrote {build_dir / 'cytokg-inferred.ttl'}")


@main.command()
@click.argument("query_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@BUILD_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option(
    "--update-readme",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also write the answer into this README's first-query block.",
)
@_friendly
def query(query_file: Path, build_dir: Path, fmt: str, update_readme: Path | None) -> None:
    """Run a SPARQL query file against the built graph."""
    from cytokg.docs import replace_block
    from cytokg.queries import format_results, run_query_text
    from cytokg.reading import read_text
    from cytokg.release import SEARCH_FILE
    from cytokg.search import TextSearchError, expand_text_search
    from cytokg.store import open_store

    release = _release(build_dir)
    try:
        text = expand_text_search(read_text(query_file), release / SEARCH_FILE)
    except TextSearchError as error:
        raise InputError(query_file, None, f"SPARQL syntax error: {error}", "correct the query") from error
    answer = format_results(run_query_text(open_store(release / "oxigraph"), text, query_file), fmt)
    click.echo(answer, nl=False)
    if update_readme:
        shown = "".join(line.rstrip() + "\n" for line in answer.splitlines())
        replace_block(update_readme, "first-query", f"```\n{shown}```\n")


@main.command()
@BUILD_OPTION
@QUERIES_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json"]), default="table", show_default=True)
@click.option(
    "--update-readme",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also write the table into this README's stats block.",
)
@_friendly
def stats(build_dir: Path, queries_dir: Path, fmt: str, update_readme: Path | None) -> None:
    """Print the graph's contents as counts (queries/stats/*.rq)."""
    from cytokg.docs import update_readme as write_block
    from cytokg.queries import compute_stats, format_stats
    from cytokg.store import open_store

    counts = compute_stats(open_store(_release(build_dir) / "oxigraph"), queries_dir / "stats")
    click.echo(format_stats(counts, fmt), nl=False)
    if update_readme:
        write_block(update_readme, format_stats(counts, "table"))


@main.command()
@BUILD_OPTION
@QUERIES_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=48, show_default=True, type=click.IntRange(min=1), help="Request threads.")
@click.option("--query-timeout", default=30.0, show_default=True, type=float, help="Seconds before a query is stopped.")
@click.option("--max-rows", default=100_000, show_default=True, type=int, help="Result rows before truncation.")
@click.option("--max-query-bytes", default=65_536, show_default=True, type=int, help="Largest query text accepted.")
@click.option(
    "--client-budget",
    default=60.0,
    show_default=True,
    type=float,
    help="Seconds of server time each client may use per minute (quick lookups cost almost nothing).",
)
@click.option("--client-parallel", default=4, show_default=True, type=int, help="Requests per client at once.")
@click.option(
    "--client-heavy",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Long-running (heavy-lane) queries per client at once.",
)
@click.option(
    "--limiter-storage",
    default="memory://",
    show_default=True,
    help="Where client budgets are kept: memory:// or a shared store such as redis://HOST:6379 (several servers).",
)
@click.option("--trusted-proxy", default=None, help="Address of the reverse proxy whose X-Forwarded-For to trust.")
@click.option(
    "--trusted-proxy-count", default=1, show_default=True, type=int, help="Proxies in front (X-Forwarded-For hops)."
)
@click.option(
    "--web-memory",
    default=1024,
    show_default=True,
    type=click.IntRange(min=64),
    help="MB a web process may hold before it is replaced (it exits at once past half as much again).",
)
@click.option(
    "--query-memory",
    default=2048,
    show_default=True,
    type=click.IntRange(min=0),
    help="MB of data each query process may hold (at least 256); a query that needs more is stopped (0: no limit).",
)
@click.option(
    "--query-threads/--no-query-threads",
    default=True,
    show_default=True,
    help="Run plainly safe queries on threads of the web process (fast; a query abandoned there is bounded by "
    "--web-memory, not --query-memory), or every query in a query process.",
)
@click.option("--allow-service", multiple=True, help="SERVICE endpoint IRI to allow (repeatable); none by default.")
@click.option(
    "--backend",
    envvar="CYTOKG_BACKEND",
    default=None,
    help="Query an external store (sparql+http://HOST:PORT/PATH, filled by `cytokg load`) instead of build/oxigraph.",
)
@GRAPH_OPTION
@INFERRED_GRAPH_OPTION
@USER_OPTION
@PASSWORD_OPTION
@TOKEN_OPTION
@_friendly
def serve(
    build_dir: Path,
    queries_dir: Path,
    host: str,
    port: int,
    threads: int,
    query_timeout: float,
    max_rows: int,
    max_query_bytes: int,
    client_budget: float,
    client_parallel: int,
    client_heavy: int,
    limiter_storage: str,
    trusted_proxy: str | None,
    trusted_proxy_count: int,
    web_memory: int,
    query_memory: int,
    query_threads: bool,
    allow_service: tuple[str, ...],
    backend: str | None,
    graph: str,
    inferred_graph: str,
    user: str | None,
    password: str | None,
    token: str | None,
) -> None:
    """Serve CytoKG (SPARQL endpoint, pages, downloads) with waitress."""
    from cytokg.web.serve import ServerSettings
    from cytokg.web.serve import serve as run_server

    if 0 < query_memory < 256:  # an idle query process holds about 90 MB of data
        raise click.BadParameter("at least 256 MB, or 0 for no limit", param_hint="--query-memory")

    config: dict[str, Any] = {
        "QUERY_TIMEOUT": query_timeout,
        "QUERY_MEMORY": query_memory,
        "QUERY_THREADS": query_threads,
        "MAX_ROWS": max_rows,
        "MAX_QUERY_BYTES": max_query_bytes,
        "CLIENT_BUDGET": client_budget,
        "CLIENT_PARALLEL": client_parallel,
        "CLIENT_HEAVY": client_heavy,
        "LIMITER_STORAGE": limiter_storage,
        "ALLOWED_SERVICES": frozenset(allow_service),
    }
    if backend:
        if not backend.startswith(("sparql+http://", "sparql+https://")):
            raise click.BadParameter("use sparql+http://HOST:PORT/PATH or sparql+https://…", param_hint="--backend")
        config |= {"BACKEND": backend, "BACKEND_GRAPHS": [graph, inferred_graph]}
        config["BACKEND_CREDENTIALS"] = [user, password, token]
        from cytokg.backends.base import QueryTimeout
        from cytokg.backends.remote import Credentials, Graphs, StoreError, connect

        try:  # fail here, with one clear line
            connect(backend, Graphs(graph, inferred_graph), Credentials(user, password, token), query_timeout)
        except (StoreError, QueryTimeout) as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
    elif not (_release(build_dir) / "oxigraph").exists():
        raise FileNotFoundError(f"{build_dir / 'oxigraph'}: no store; run `cytokg build` first")
    settings = ServerSettings(
        host,
        port,
        threads,
        trusted_proxy=trusted_proxy,
        trusted_proxy_count=trusted_proxy_count,
        memory_mb=web_memory,
    )
    run_server(build_dir, queries_dir, settings, config)


@main.command()
@click.option("--endpoint", required=True, help="The store's SPARQL endpoint URL (queries; also updates by default).")
@click.option("--update-endpoint", default=None, help="SPARQL Update URL, if not --endpoint.")
@click.option("--gsp-endpoint", default=None, help="Graph Store Protocol URL; without it, data goes by SPARQL Update.")
@GRAPH_OPTION
@INFERRED_GRAPH_OPTION
@USER_OPTION
@PASSWORD_OPTION
@TOKEN_OPTION
@BUILD_OPTION
@QUERIES_OPTION
@click.option(
    "--chunk-size",
    default=None,
    type=click.IntRange(min=1),
    help="Triples a request [default: 10000 by the Graph Store Protocol, 1000 by SPARQL Update].",
)
@click.option(
    "--verify-queries",
    default=8,
    show_default=True,
    type=click.IntRange(min=0),
    help="Example queries to check against their expected answers after loading.",
)
@click.option(
    "--verify-query", "verify_names", multiple=True, help="Check this example query (file stem; repeatable) instead."
)
@_friendly
def load(
    endpoint: str,
    update_endpoint: str | None,
    gsp_endpoint: str | None,
    graph: str,
    inferred_graph: str,
    user: str | None,
    password: str | None,
    token: str | None,
    build_dir: Path,
    queries_dir: Path,
    chunk_size: int | None,
    verify_queries: int,
    verify_names: tuple[str, ...],
) -> None:
    """Load the built graph into an external SPARQL 1.1 store, replacing the previous copy, and verify it."""
    from cytokg.backends.base import QueryTimeout
    from cytokg.backends.load import Target, graph_files
    from cytokg.backends.load import load as run_load
    from cytokg.backends.remote import Credentials, Graphs, SparqlClient, StoreError

    graphs = Graphs(graph, inferred_graph)
    build_dir = _release(build_dir)
    total = sum(path.read_bytes().count(b"\n") for path in graph_files(build_dir, graphs).values())
    client = SparqlClient(Credentials(user, password, token))
    target = Target(endpoint, update_endpoint or endpoint, gsp_endpoint)
    try:
        with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
            report = run_load(
                build_dir,
                queries_dir / "examples",
                target,
                graphs,
                client,
                chunk_size=chunk_size,
                verify_queries=verify_queries,
                verify_names=verify_names,
                say=_progress,
                advance=bar.update,
            )
    except (StoreError, QueryTimeout) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    finally:
        client.close()
    for name, count in report.counts.items():
        click.echo(f"<{name}>: {count} triples (as built)")
    if report.checked:
        click.echo(f"{len(report.checked)} example queries give their expected answers: {', '.join(report.checked)}")
    click.echo(f"loaded by {report.protocol} in {report.seconds:.1f} s; verified")


@main.group()
def curate() -> None:
    """Refresh the committed identifier tables from reference data."""


@curate.command("hgnc")
@click.argument("complete_set", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@ONTOLOGY_OPTION
@_friendly
def curate_hgnc_command(complete_set: Path, ontology_dir: Path) -> None:
    """Write ontology/data/hgnc_genes.tsv from HGNC's hgnc_complete_set.txt."""
    from cytokg.compile.curated import read_parts
    from cytokg.curation.hgnc import curate_hgnc

    data = ontology_dir / "data"
    count = curate_hgnc(complete_set, read_parts(data, "gene_products.tsv"), data / "hgnc_genes.tsv")
    click.echo(f"wrote {count} genes to {data / 'hgnc_genes.tsv'}")


@curate.command("terms")
@ONTOLOGY_OPTION
@REFDATA_OPTION
@_friendly
def curate_terms_command(ontology_dir: Path, refdata: Path) -> None:
    """Write ontology/imports/external_terms.tsv with reference labels, definitions, synonyms and ancestors."""
    from cytokg.curation.terms import curate_terms

    count = curate_terms(ontology_dir, refdata)
    click.echo(f"wrote {count} external terms to {ontology_dir / 'imports' / 'external_terms.tsv'}")


@curate.command("go-reviewed")
@click.option(
    "--go-db",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="GO.sqlite of a GO release (Debian's r-bioc-go.db ships one under GO.db/extdata).",
)
@ONTOLOGY_OPTION
@REFDATA_OPTION
@_friendly
def curate_go_reviewed_command(go_db: Path, ontology_dir: Path, refdata: Path) -> None:
    """Fill the aspect, parents and definition of the reviewed GO terms in ontology/imports/go_reviewed.tsv."""
    from cytokg.curation.go_release import review_go_terms
    from cytokg.curation.obo import read_obo

    _, partial = read_obo(next((refdata / "go_partial").glob("*.obo")))
    path = ontology_dir / "imports" / "go_reviewed.tsv"
    count = review_go_terms(path, go_db, partial)
    click.echo(f"filled {count} reviewed GO terms in {path}")


@curate.command("ligand-receptors")
@ONTOLOGY_OPTION
@REFDATA_OPTION
@_friendly
def curate_ligand_receptors_command(ontology_dir: Path, refdata: Path) -> None:
    """Write ontology/data/ligand_receptor_listings.tsv: the pairs with a cytokine ligand that the expert
    resources list (CellPhoneDB, CellChatDB, ICELLNET, Kirouac 2010, Guide to Pharmacology)."""
    from cytokg.compile.curated import read_parts
    from cytokg.curation.ligand_receptors import curate_listings

    data = ontology_dir / "data"
    catalog = {row["symbol"] for row in read_parts(data, "gene_products.tsv") if row["kind"] == "cytokine"}
    output = data / "ligand_receptor_listings.tsv"
    omnipath = refdata / "ligand_receptor" / "omni_resource.csv"
    count = curate_listings(omnipath, refdata / "hgnc" / "hgnc_cytokines.tsv", catalog, output)
    click.echo(f"wrote {count} listed pairs to {output}")


@curate.command("cell-evidence")
@ONTOLOGY_OPTION
@REFDATA_OPTION
@_friendly
def curate_cell_evidence_command(ontology_dir: Path, refdata: Path) -> None:
    """Write ontology/data/cell_link_evidence.tsv: the cell links (cell_links*.tsv) that the Cell Ontology
    states itself, by an axiom of the cell type or a sentence of its definition."""
    from cytokg.curation.cell_evidence import curate_cell_evidence

    output = ontology_dir / "data" / "cell_link_evidence.tsv"
    count = curate_cell_evidence(refdata, ontology_dir, output)
    click.echo(f"wrote {count} supported cell links to {output}")


@curate.command("claims")
@click.argument("facts", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@ONTOLOGY_OPTION
@_friendly
def curate_claims_command(facts: Path, ontology_dir: Path) -> None:
    """Write ontology/data/source_claims.tsv from the curation record (FACTS.md §1)."""
    from cytokg.curation.claims import curate_claims

    count = curate_claims(facts, ontology_dir / "data" / "source_claims.tsv")
    click.echo(f"wrote {count} claims to {ontology_dir / 'data' / 'source_claims.tsv'}")


@main.command()
@ONTOLOGY_OPTION
@click.option(
    "--architecture",
    is_flag=True,
    help="Draw the package's rooms and the imports between them instead (docs/development.md).",
)
@click.option(
    "--update",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Write the diagram into this Markdown file's block (docs/model.md, or docs/development.md).",
)
@_friendly
def diagram(ontology_dir: Path, architecture: bool, update: Path | None) -> None:
    """Print the model (from ontology/cytokg-edit.ttl) or the package's architecture as a Mermaid diagram."""
    from cytokg.compile.pipeline import parse_turtle
    from cytokg.docs import architecture_diagram, model_diagram, replace_block

    if architecture:
        text = architecture_diagram(Path(__file__).parent)
    else:
        text = model_diagram(parse_turtle(ontology_dir / "cytokg-edit.ttl"))
    click.echo(text, nl=False)
    if update:
        replace_block(update, "architecture" if architecture else "model", f"```mermaid\n{text}```\n")


@main.command()
@click.argument("old", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for changes.md and changes.json [default: print the Markdown only].",
)
@_friendly
def diff(old: Path, new: Path, out: Path | None) -> None:
    """Compare two releases fact by fact: bindings, cell links, regulations, diseases, drugs, classes, labels, mappings.

    OLD and NEW are release folders (build/releases/<time>) or build folders (their current release is used).
    """
    from cytokg.exports.diff import diff_releases, write_changes

    changes = diff_releases(_release(old), _release(new))
    if out is None:
        click.echo(changes.markdown(), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    write_changes(changes, out)
    click.echo(f"wrote {out / 'changes.md'} and {out / 'changes.json'}")


@main.group()
def export() -> None:
    """Write the built graph in other formats."""


@export.command("kgx")
@BUILD_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for cytokg_nodes.tsv and cytokg_edges.tsv [default: BUILD_DIR/kgx].",
)
@_friendly
def export_kgx_command(build_dir: Path, out: Path | None) -> None:
    """Write the graph as Biolink KGX TSV: nodes and edges with knowledge source, level and agent type."""
    from cytokg.exports.kgx import export_kgx
    from cytokg.store import open_store

    out = out or build_dir / "kgx"
    summary = export_kgx(open_store(_release(build_dir) / "oxigraph"), out, build_dir / "oxigraph")
    for name, count in sorted(summary.categories.items()) + sorted(summary.predicates.items()):
        click.echo(f"{name:45s} {count:>6}")
    click.echo(f"wrote {out / 'cytokg_nodes.tsv'} and {out / 'cytokg_edges.tsv'}")


@export.command("obo")
@BUILD_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The OBO file [default: BUILD_DIR/cytokg-ontology.obo].",
)
@_friendly
def export_obo_command(build_dir: Path, out: Path | None) -> None:
    """Write the ontology (TBox) as OBO 1.4 with the OWL API, for OBO tooling."""
    from cytokg.exports.obo import export_obo

    source = _release(build_dir) / "cytokg-ontology.owl"
    if not source.exists():
        raise click.UsageError(f"{source} not found: run 'cytokg build' first")
    out = out or build_dir / "cytokg-ontology.obo"
    export_obo(source, out)
    click.echo(f"wrote {out}")
