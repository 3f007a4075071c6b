// CytoKG's reasoning gate: HermiT (the jar owlready2 ships, with its own OWL API 3) on the logical axioms.
// Prints "inconsistent", or each entailed membership of a declared own individual in an own class
// ("member\tINDIVIDUAL\tCLASS") and each unsatisfiable own class ("unsatisfiable\tCLASS").
// Only these are asked for, so HermiT does not classify the whole hierarchy first: the TBox has nominals
// (owl:hasValue), so each of classification's ~1,000 tests would carry the whole ABox. HermiT reads the members
// off one model of the ABox and tests only the possible ones; a class with a member is satisfiable, the others
// are tested. With --realise it classifies and realises first (HermiT's full path, the tests' reference).
// Usage: java -cp HermiT.jar:CLASSES HermitMemberships FILE BASE_IRI [--realise]
import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLDeclarationAxiom;
import org.semanticweb.owlapi.model.OWLNamedIndividual;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.reasoner.InferenceType;

public class HermitMemberships {
    public static void main(String[] args) throws Exception {
        String base = args[1];
        OWLOntology ontology = OWLManager.createOWLOntologyManager().loadOntologyFromOntologyDocument(new File(args[0]));
        Reasoner reasoner = new Reasoner(new Configuration(), ontology);
        if (!reasoner.isConsistent()) {
            System.out.println("inconsistent");
            return;
        }
        if (args.length > 2 && args[2].equals("--realise")) {
            reasoner.precomputeInferences(InferenceType.CLASS_HIERARCHY, InferenceType.CLASS_ASSERTIONS);
        }
        Set<OWLNamedIndividual> declared = new HashSet<>();  // owlready2's individuals: declared NamedIndividuals
        for (OWLDeclarationAxiom declaration : ontology.getAxioms(AxiomType.DECLARATION)) {
            if (declaration.getEntity().isOWLNamedIndividual() && own(declaration.getEntity().getIRI().toString(), base)) {
                declared.add(declaration.getEntity().asOWLNamedIndividual());
            }
        }
        StringBuilder out = new StringBuilder();
        List<OWLClass> empty = new ArrayList<>();
        for (OWLClass cls : ontology.getClassesInSignature()) {
            if (!own(cls.getIRI().toString(), base)) {
                continue;
            }
            Set<OWLNamedIndividual> members = reasoner.getInstances(cls, false).getFlattened();
            if (members.isEmpty()) {
                empty.add(cls);
            }
            for (OWLNamedIndividual individual : members) {
                if (declared.contains(individual)) {
                    out.append("member\t").append(individual.getIRI()).append('\t').append(cls.getIRI()).append('\n');
                }
            }
        }
        for (OWLClass cls : empty) {
            if (!reasoner.isSatisfiable(cls)) {
                out.append("unsatisfiable\t").append(cls.getIRI()).append('\n');
            }
        }
        System.out.print(out);
    }

    private static boolean own(String iri, String base) {
        return iri.startsWith(base);
    }
}
