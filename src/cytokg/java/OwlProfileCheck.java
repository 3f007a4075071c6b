// CytoKG's OWL 2 DL gate: load each file with the OWL API (the library under Protégé) and fail on
// load errors, unparsed triples, missing imports or any OWL 2 DL profile violation.
// Usage: java -cp CLASSPATH OwlProfileCheck FILE...   (exit 0 only when every file is clean)
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfileCheck {
    public static void main(String[] args) {
        int failed = 0;
        for (String path : args) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
            List<String> missing = new ArrayList<>();
            manager.addMissingImportListener(e -> missing.add(e.getImportedOntologyURI().toString()));
            OWLOntology ontology;
            try {
                ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(new File(path)), config);
            } catch (Exception e) {
                System.out.println(path + "\tload-failed\t" + String.valueOf(e.getMessage()).split("\n")[0]);
                failed++;
                continue;
            }
            long unparsed = 0;
            OWLDocumentFormat format = manager.getOntologyFormat(ontology);
            if (format instanceof RDFDocumentFormat) {
                RDFParserMetaData meta = (RDFParserMetaData) format.getOntologyLoaderMetaData().orElse(null);
                if (meta != null) {
                    unparsed = meta.getUnparsedTriples().count();
                    meta.getUnparsedTriples().limit(20).forEach(t -> System.out.println(path + "\tunparsed-triple\t" + t));
                }
            }
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println(path + "\tdl-violation\t" + violation.toString().replace('\n', ' '));
            }
            for (String iri : missing) {
                System.out.println(path + "\tmissing-import\t" + iri);
            }
            System.out.println(path + "\tsummary\taxioms=" + ontology.getAxiomCount()
                + " classes=" + ontology.getClassesInSignature().size()
                + " individuals=" + ontology.getIndividualsInSignature().size()
                + " unparsed=" + unparsed + " missingImports=" + missing.size()
                + " dlViolations=" + report.getViolations().size());
            if (!report.isInProfile() || unparsed > 0 || !missing.isEmpty()) {
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
