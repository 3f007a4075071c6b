// Save an OWL ontology in OBO format 1.4 with the OWL API's OBO writer, for OBO tooling.
// Usage: java -cp CLASSPATH OboExport IN.owl OUT.obo   (exit 0 when written)
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.OBODocumentFormat;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;

public class OboExport {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        manager.saveOntology(ontology, new OBODocumentFormat(), IRI.create(new File(args[1])));
    }
}
