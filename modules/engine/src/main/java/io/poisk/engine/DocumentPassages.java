package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.PassageOptions;
import io.poisk.index.PassageVector;
import io.poisk.models.PassageSplitter;

import java.util.ArrayList;
import java.util.List;

/**
 * The texts one ingest slice sends to the model, and how their vectors become indexed documents: a document
 * whose stored text is unchanged keeps its stored passages; one that fits the model's window is one text
 * (one vector for the whole text, as before passages); a longer one, where the collection has passages on,
 * is one text per passage, each with its character range.
 */
final class DocumentPassages {
    private final List<Document> documents;
    private final List<List<PassageVector>> reused;
    /** Per document: its passages to embed (null where reused; one whole span: embedded as the whole text). */
    private final List<List<PassageSplitter.Span>> spans;
    private final List<String> texts = new ArrayList<>();

    private DocumentPassages(List<Document> documents, List<List<PassageVector>> reused, List<List<PassageSplitter.Span>> spans) {
        this.documents = documents;
        this.reused = reused;
        this.spans = spans;
        for (int j = 0; j < documents.size(); j++) {
            if (spans.get(j) == null) continue;
            String text = documents.get(j).text();
            for (PassageSplitter.Span s : spans.get(j)) texts.add(text.substring(s.start(), s.end()));
        }
    }

    /**
     * Plans a slice. {@code splitter} null (a model without a tokenizer of its own) or passages off: one text
     * per document, cut at the model's window as before.
     */
    static DocumentPassages plan(List<Document> documents, List<List<PassageVector>> reused, PassageSplitter splitter,
                                 PassageOptions options) {
        List<List<PassageSplitter.Span>> spans = new ArrayList<>(documents.size());
        for (int j = 0; j < documents.size(); j++) {
            String text = documents.get(j).text();
            if (reused.get(j) != null) spans.add(null);
            else if (splitter == null || !options.enabled()) spans.add(List.of(new PassageSplitter.Span(0, text.length())));
            else spans.add(splitter.split(text, options.maxTokens(), options.overlapTokens()));
        }
        return new DocumentPassages(documents, reused, spans);
    }

    /** The texts to embed, in order. */
    List<String> texts() {
        return texts;
    }

    /** Documents that kept their stored vectors (no inference). */
    int reusedCount() {
        int n = 0;
        for (List<PassageVector> r : reused) if (r != null) n++;
        return n;
    }

    /** The indexed documents, given one vector per {@link #texts()} entry. */
    List<EmbeddedDocument> assemble(float[][] vectors) {
        if (vectors.length != texts.size()) throw new IllegalStateException(vectors.length + " vectors for " + texts.size() + " passages");
        List<EmbeddedDocument> out = new ArrayList<>(documents.size());
        int next = 0;
        for (int j = 0; j < documents.size(); j++) {
            Document d = documents.get(j);
            List<PassageSplitter.Span> s = spans.get(j);
            if (s == null) {
                out.add(new EmbeddedDocument(d, reused.get(j)));
            } else if (s.size() == 1) {
                out.add(new EmbeddedDocument(d, vectors[next++])); // the whole text: stored as before passages existed
            } else {
                List<PassageVector> passages = new ArrayList<>(s.size());
                for (PassageSplitter.Span span : s) passages.add(new PassageVector(vectors[next++], span.start(), span.end()));
                out.add(new EmbeddedDocument(d, passages));
            }
        }
        return out;
    }
}
