"""``cytokg curate cell-evidence``: which curated cell links the Cell Ontology itself states.

Reads the CL editors' file (``cl-edit.owl``, OWL functional syntax) and the flat term table ``cl_terms.tsv``, and
writes the committed table ``cell_link_evidence.tsv``: one row per cell link (``cell_links*.tsv``) that CL supports,
quoting its axioms if it has any, else its definition:

* an *axiom* of the cell type itself (never inherited): ``capable of`` (RO:0002215) some GO production or secretion
  process whose GO label names the cytokine, for ``producedBy``; ``has plasma membrane part`` (RO:0002104) some PR
  protein that is a chain of one of the cytokine's receptor complexes, for ``actsOn``;
* or its textual *definition*: a sentence that names the cytokine with a verb of production (``producedBy``), or a
  receptor chain as expressed or ``-positive`` (``actsOn``); sentences with a negation are left out.

GO labels come from ``go_partial`` (plus CytoKG's reviewed ``go_reviewed.tsv``); a GO term with no label there is
skipped, never guessed. PR terms map to genes by their definition ("translation product of the human X gene").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cytokg.compile.curated import read_parts
from cytokg.compile.genes import read_hgnc_table
from cytokg.compile.tables import Row, split_multi
from cytokg.errors import InputError
from cytokg.writing import write_atomic

__all__ = ["EVIDENCE_COLUMNS", "Support", "cl_release", "curate_cell_evidence", "find_support"]

EVIDENCE_COLUMNS = ("symbol", "relation", "cell", "basis", "quote", "cl_release")
_CAPABLE_OF = "RO_0002215"
_MEMBRANE_PART = "RO_0002104"
_AXIOM = re.compile(r"^(SubClassOf|EquivalentClasses)\((?:Annotation\([^()]*\) )*obo:(CL_[0-9]{7}) ")
_SOME = re.compile(r"ObjectSomeValuesFrom\(obo:(RO_[0-9]{7}) obo:((?:GO|PR)_[0-9]{7,9})\)")
_PRODUCTION = re.compile(r"^(.+) (production|secretion)$")
_PR_GENE = re.compile(r"translation product of the (?:human )?([A-Za-z0-9-]+) gene")
_MAKES = re.compile(r"\b(secret|produc|releas|synthesi)", re.IGNORECASE)
_EXPRESSES = re.compile(r"\bexpress", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|no|lacks?|lacking|without|cannot)\b", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Support:
    """One cell link and where CL states it: ``axiom`` or ``definition``, with the words of CL."""

    symbol: str
    relation: str
    cell: str
    basis: str
    quote: str


def _norm(name: str) -> str:
    """A name compared loosely: lower case, without spaces, hyphens and Greek-letter spelling differences."""
    greek = {"\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma"}
    return re.sub(r"[\s\-]", "", "".join(greek.get(char, char) for char in name.lower()))


def cl_release(manifest: Path) -> str:
    """The data date of ``cl-edit.owl`` as the reference data's MANIFEST.md gives it (YYYY-MM-DD)."""
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `cl-edit.owl`"):
            found = re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", line)
            if found:
                return found.group(0)
    raise InputError(manifest, None, "no dated row for cl-edit.owl", "pass ../shared/refdata/cell_ontology")


def _depth_ok(line: str, start: int) -> bool:
    """Whether a restriction at ``start`` is said of the cell itself: a direct argument of the axiom or a
    conjunct of its top-level intersection, not nested inside a part or another restriction."""
    stack: list[str] = []
    for match in re.finditer(r"([A-Za-z]*)\(|\)", line[:start]):
        if match.group(0) == ")":
            stack.pop()
        else:
            stack.append(match.group(1))
    return len(stack) == 1 or (len(stack) == 2 and stack[1] == "ObjectIntersectionOf")


def read_cell_axioms(owl: Path) -> dict[str, list[tuple[str, str, str]]]:
    """For each CL cell: its own (relation, filler CURIE, axiom text) restrictions on RO:0002215 and RO:0002104."""
    if not owl.exists():
        raise InputError(owl, None, "Cell Ontology editors' file not found", "pass ../shared/refdata/cell_ontology")
    axioms: dict[str, list[tuple[str, str, str]]] = {}
    for line in owl.read_text(encoding="utf-8").splitlines():
        head = _AXIOM.match(line)
        if not head:
            continue
        cell = head.group(2).replace("_", ":")
        for some in _SOME.finditer(line):
            if some.group(1) in (_CAPABLE_OF, _MEMBRANE_PART) and _depth_ok(line, some.start()):
                filler = some.group(2).replace("_", ":")
                axioms.setdefault(cell, []).append((some.group(1), filler, line.split(" ", 1)[0]))
    return axioms


def read_definitions(terms: Path) -> dict[str, tuple[str, str]]:
    """CL id → (label, definition) from ``cl_terms.tsv``, live terms only."""
    with terms.open(encoding="utf-8", newline="") as handle:
        return {
            row["id"]: (row["label"], row["definition"])
            for row in csv.DictReader(handle, delimiter="\t")
            if row["obsolete"] == "false"
        }


def read_go_labels(go_obo: Path, reviewed: Path) -> dict[str, str]:
    """GO id → label from the partial GO (OBO) and CytoKG's reviewed GO terms."""
    labels: dict[str, str] = {}
    current = ""
    for line in go_obo.read_text(encoding="utf-8").splitlines():
        if line.startswith("id: "):
            current = line[4:].strip()
        elif line.startswith("name: ") and current:
            labels[current] = line[6:].strip()
            current = ""
    with reviewed.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if parts[0].startswith("GO:") and len(parts) > 1:
                labels.setdefault(parts[0], parts[1])
    return labels


def read_pr_genes(pr_files: Iterable[Path]) -> dict[str, tuple[str, str]]:
    """PR id → (gene symbol, label), from PR definitions 'translation product of the human X gene'."""
    genes: dict[str, tuple[str, str]] = {}
    for path in pr_files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".obo":
            blocks = [(b.group(1), b.group(0)) for b in re.finditer(r"^id: (PR:[0-9]+)\n(?:.+\n)*", text, re.MULTILINE)]
        else:
            pattern = r'<owl:Class rdf:about="http://purl.obolibrary.org/obo/(PR_[0-9]+)">(.*?)</owl:Class>'
            blocks = [(b.group(1).replace("_", ":"), b.group(2)) for b in re.finditer(pattern, text, re.DOTALL)]
        for curie, block in blocks:
            gene = _PR_GENE.search(block)
            label = re.search(r"^name: (.+)$|<rdfs:label[^>]*>([^<]+)</rdfs:label>", block, re.MULTILINE)
            if gene and label and curie not in genes:
                genes[curie] = (gene.group(1), label.group(1) or label.group(2))
    return genes


def _names(symbol: str, common_names: dict[str, list[str]]) -> list[str]:
    """The names a definition may use for a gene: its symbol, its common names, and 'interleukin-N' for 'IL-N'."""
    names = [symbol, *common_names.get(symbol, [])]
    names += [re.sub(r"^IL-", "interleukin-", name) for name in names if name.startswith("IL-")]
    return sorted(set(names), key=lambda name: (-len(name), name))


def _sentence_naming(definition: str, names: Iterable[str], verb: re.Pattern[str]) -> str | None:
    """The first sentence of ``definition`` that names one of ``names`` (as a whole word) next to ``verb``,
    without a negation; or None."""
    for sentence in re.split(r"(?<=\.)\s+", definition):
        if _NEGATION.search(sentence):
            continue
        for name in names:
            spelled = re.sub(r"\\[ -]|-", r"[\\s-]", re.escape(name))
            named = re.search(rf"(?<![\w-]){spelled}(?![\w])", sentence, re.IGNORECASE)
            if not named:
                continue
            after = sentence[named.end() :]
            if re.match(r"-?negative|\u2212|-(?!positive|high)", after):
                continue
            positive = re.match(r"\+|-positive|-high|hi\b", after)
            if verb.search(sentence) or (verb is _EXPRESSES and positive):
                return sentence.strip()
    return None


def _receptor_chains(data: Path) -> dict[str, set[str]]:
    """Cytokine symbol → the genes of every receptor complex it binds (ligand_receptors, receptor_complexes)."""
    forms = {row["form_id"]: row["symbol"] for row in read_parts(data, "protein_forms.tsv")}
    complexes = {
        row["complex_id"]: {
            forms.get(token, token)
            for column in ("ligand_binding", "signal_transducing")
            for token in split_multi(row[column])
        }
        for row in read_parts(data, "receptor_complexes.tsv")
    }
    chains: dict[str, set[str]] = {}
    for row in read_parts(data, "ligand_receptors.tsv"):
        ligand = forms.get(row["ligand"], row["ligand"])
        chains.setdefault(ligand, set()).update(complexes.get(row["complex_id"], set()))
    return chains


@dataclass(frozen=True)
class _Reference:
    """What the reference data says, read once."""

    axioms: dict[str, list[tuple[str, str, str]]]
    definitions: dict[str, tuple[str, str]]
    go_labels: dict[str, str]
    pr_genes: dict[str, tuple[str, str]]


def _produced_by(link: Row, ref: _Reference, names: list[str]) -> Iterator[Support]:
    """CL's support for 'SYMBOL producedBy CELL'."""
    symbol, cell = link["symbol"], link["cell"]
    label = ref.definitions.get(cell, ("", ""))[0]
    for relation, filler, _ in ref.axioms.get(cell, []):
        go_label = ref.go_labels.get(filler, "")
        process = _PRODUCTION.match(go_label)
        if relation == _CAPABLE_OF and process and _norm(process.group(1)) in {_norm(n) for n in names}:
            quote = f"{label} ({cell}) capable of {go_label} ({filler})"
            yield Support(symbol, "producedBy", cell, "axiom", quote)
    sentence = _sentence_naming(ref.definitions.get(cell, ("", ""))[1], names, _MAKES)
    if sentence:
        yield Support(symbol, "producedBy", cell, "definition", sentence)


def _acts_on(link: Row, ref: _Reference, chains: set[str], common_names: dict[str, list[str]]) -> Iterator[Support]:
    """CL's support for 'SYMBOL actsOn CELL'."""
    symbol, cell = link["symbol"], link["cell"]
    label = ref.definitions.get(cell, ("", ""))[0]
    for relation, filler, _ in ref.axioms.get(cell, []):
        gene, pr_label = ref.pr_genes.get(filler, ("", ""))
        if relation == _MEMBRANE_PART and gene in chains:
            quote = f"{label} ({cell}) has plasma membrane part {pr_label} ({filler}, {gene})"
            yield Support(symbol, "actsOn", cell, "axiom", quote)
    names = [name for chain in sorted(chains) for name in _names(chain, common_names)]
    sentence = _sentence_naming(ref.definitions.get(cell, ("", ""))[1], names, _EXPRESSES)
    if sentence:
        yield Support(symbol, "actsOn", cell, "definition", sentence)


def find_support(data: Path, ref: _Reference) -> list[Support]:
    """Every cell link that CL states, one row per link, sorted."""
    approved = {symbol: row["name"] for symbol, (row, _) in read_hgnc_table(data / "hgnc_genes.tsv").items()}
    common_names = {
        row["symbol"]: [*split_multi(row["common_names"]), *filter(None, [approved.get(row["symbol"], "")])]
        for row in read_parts(data, "gene_products.tsv")
    }
    chains = _receptor_chains(data)
    found: set[Support] = set()
    for link in read_parts(data, "cell_links.tsv"):
        symbol = link["symbol"]
        if link["relation"] == "producedBy":
            found.update(_produced_by(link, ref, _names(symbol, common_names)))
        elif link["relation"] == "actsOn" and chains.get(symbol):
            found.update(_acts_on(link, ref, chains[symbol], common_names))
    return _one_per_link(found)


def _one_per_link(found: Iterable[Support]) -> list[Support]:
    """One row per cell link, sorted: its axioms if CL has any (quotes joined by '; '), else its definition."""
    by_link: dict[tuple[str, str, str], list[Support]] = {}
    for support in sorted(found):
        by_link.setdefault((support.symbol, support.relation, support.cell), []).append(support)
    rows = []
    for (symbol, relation, cell), supports in sorted(by_link.items()):
        basis = "axiom" if any(s.basis == "axiom" for s in supports) else "definition"
        quote = "; ".join(s.quote for s in supports if s.basis == basis)
        rows.append(Support(symbol, relation, cell, basis, quote))
    return rows


def read_reference(refdata: Path, imports: Path) -> _Reference:
    """Read CL's axioms and definitions, GO labels and PR genes from ``refdata``."""
    cl = refdata / "cell_ontology"
    pr = refdata / "pro_subsets"
    return _Reference(
        axioms=read_cell_axioms(cl / "cl-edit.owl"),
        definitions=read_definitions(cl / "cl_terms.tsv"),
        go_labels=read_go_labels(
            refdata / "go_partial" / "go_import_from_mondo_2021-08-03.obo", imports / "go_reviewed.tsv"
        ),
        pr_genes=read_pr_genes(sorted(pr.glob("pr_import_from_*"))),
    )


def curate_cell_evidence(refdata: Path, ontology_dir: Path, output: Path) -> int:
    """Write ``cell_link_evidence.tsv`` from the reference data; return the number of rows.

    :param refdata: ``../shared/refdata`` (cell_ontology, go_partial, pro_subsets).
    :param ontology_dir: CytoKG's ``ontology/`` (its cell links, receptors and reviewed GO terms).
    :param output: the committed table.
    """
    release = cl_release(refdata / "cell_ontology" / "MANIFEST.md")
    rows = find_support(ontology_dir / "data", read_reference(refdata, ontology_dir / "imports"))
    lines = [
        "# Generated by `cytokg curate cell-evidence`; do not edit. Cell links (cell_links*.tsv) that the Cell",
        f"# Ontology states itself, from cl-edit.owl ({release}): basis 'axiom' (the cell's own capable-of or",
        "# has-plasma-membrane-part axiom, quoted in words; several joined by '; ') or else 'definition' (the",
        "# sentence of its textual definition).",
        "\t".join(EVIDENCE_COLUMNS),
    ]
    lines += [f"{s.symbol}\t{s.relation}\t{s.cell}\t{s.basis}\t{s.quote}\t{release}" for s in rows]
    write_atomic(output, ("\n".join(lines) + "\n").encode("utf-8"))
    return len(rows)
