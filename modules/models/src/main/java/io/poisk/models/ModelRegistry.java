package io.poisk.models;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models found under a models folder: one sub-folder per model, each with its card.json. Cards are
 * read once at construction; a bad card is logged and skipped (and named when asked for), so one broken
 * folder does not take the others down. Embedders load on first use and are shared.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    public static final String CARD_FILE = "card.json";

    private final Path modelsDir;
    private final Map<String, ModelCard> cards;
    private final Map<String, String> brokenCards = new LinkedHashMap<>();
    private final Map<String, Embedder> embedders = new ConcurrentHashMap<>();
    private final Map<String, Reranker> rerankers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final InferenceDevice device;
    private final InferenceThreads threads;

    public ModelRegistry(Path modelsDir) {
        this(modelsDir, InferenceDevice.AUTO);
    }

    /** Models under {@code modelsDir} whose weights load on {@code device} ({@code inference.device}), each call on all cores. */
    public ModelRegistry(Path modelsDir, InferenceDevice device) {
        this(modelsDir, device, InferenceThreads.allCores());
    }

    /** As {@link #ModelRegistry(Path, InferenceDevice)}, each forward call on the intra-op threads {@code threads} gives its kind. */
    public ModelRegistry(Path modelsDir, InferenceDevice device, InferenceThreads threads) {
        this.device = device;
        this.threads = threads;
        this.modelsDir = modelsDir.toAbsolutePath();
        this.cards = scan();
        log.info("model registry at {}: {}", this.modelsDir, cards.keySet());
    }

    private Map<String, ModelCard> scan() {
        Map<String, ModelCard> found = new LinkedHashMap<>();
        if (!Files.isDirectory(modelsDir)) {
            log.warn("models folder {} does not exist; no models are available", modelsDir);
            return found;
        }
        List<Path> cardFiles;
        try (Stream<Path> folders = Files.list(modelsDir)) {
            cardFiles = folders.map(folder -> folder.resolve(CARD_FILE)).filter(Files::isRegularFile)
                    .sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list models folder " + modelsDir, e);
        }
        for (Path cardFile : cardFiles) {
            try {
                ModelCard card = ModelCard.load(cardFile);
                ModelCard earlier = found.putIfAbsent(card.id(), card);
                if (earlier != null) {
                    log.warn("model card {} repeats id '{}' of {}; ignored", cardFile, card.id(), earlier.directory());
                }
            } catch (PoiskException e) {
                String folder = cardFile.getParent().getFileName().toString();
                // Kept for clients asking for this model: paths relative to the models folder, never the server's own paths.
                brokenCards.put(folder, e.getMessage().replace(modelsDir + java.io.File.separator, "").replace(modelsDir.toString(), "models_dir"));
                log.warn("skipping model folder {}: {}", folder, e.getMessage());
            }
        }
        return found;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    /** The card with this id; {@link UnknownModelException} naming the available ones when there is none. */
    public ModelCard card(String id) {
        ModelCard card = id == null ? null : cards.get(id);
        if (card != null) return card;
        String broken = id == null ? null : brokenCards.get(id);
        if (broken != null) {
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "model '" + id + "' has a bad card: " + broken);
        }
        throw new UnknownModelException("unknown model '" + id + "'; available: " + (cards.isEmpty() ? "none" : String.join(", ", cards.keySet())));
    }

    public List<ModelCard> cards() {
        return new ArrayList<>(cards.values());
    }

    /** The cards of models that embed (kind "embedder"): the ones a collection can be created with. */
    public List<EmbedderCard> embedderCards() {
        return cards.values().stream().filter(EmbedderCard.class::isInstance).map(EmbedderCard.class::cast).toList();
    }

    /** The cards of rerankers (kind "cross_encoder" or "llm_reranker"). */
    public List<RerankerCard> rerankerCards() {
        return cards.values().stream().filter(RerankerCard.class::isInstance).map(RerankerCard.class::cast).toList();
    }

    /**
     * The passage splitter of an embedding model without its weights: only its tokenizer, for a node that cuts
     * documents into passages but leaves inference to remote workers. The caller closes it.
     */
    public PassageSplitter splitter(String id) {
        if (!(card(id) instanceof EmbedderCard embedder)) throw PoiskException.badRequest("model '" + id + "' is not an embedder");
        try {
            return PassageSplitter.forCard(embedder);
        } catch (IOException e) {
            throw DjlModels.unavailable(embedder, e);
        }
    }

    /** The embedder of this model, loaded on first use (seconds) and cached; BAD_REQUEST for a reranker's id. */
    public Embedder embedder(String id) {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "model registry is closed");
        ModelCard card = card(id);
        if (!(card instanceof EmbedderCard embedder)) {
            throw PoiskException.badRequest("model '" + id + "' is a " + card.kind() + ", not an embedder");
        }
        return embedders.computeIfAbsent(embedder.id(), key -> DjlEmbedder.open(embedder, device, threads.embedder()));
    }

    /** The reranker of this model, loaded on first use and cached; BAD_REQUEST for an embedder's id. */
    public Reranker reranker(String id) {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "model registry is closed");
        if (!(card(id) instanceof RerankerCard reranker)) {
            throw PoiskException.badRequest("model '" + id + "' is an embedder, not a reranker; rerankers: "
                    + rerankerCards().stream().map(ModelCard::id).toList());
        }
        return rerankers.computeIfAbsent(reranker.id(), key -> switch (reranker) {
            case CrossEncoderCard crossEncoder -> CrossEncoderReranker.open(crossEncoder, device, threads.reranker());
            case LlmRerankerCard llm -> LlmYesNoReranker.open(llm, device, threads.reranker());
        });
    }

    @Override
    public void close() {
        closed = true;
        for (Embedder embedder : embedders.values()) {
            try {
                embedder.close();
            } catch (RuntimeException e) {
                log.warn("closing model '{}' failed", embedder.card().id(), e);
            }
        }
        embedders.clear();
        for (Reranker reranker : rerankers.values()) {
            try {
                reranker.close();
            } catch (RuntimeException e) {
                log.warn("closing reranker '{}' failed", reranker.card().id(), e);
            }
        }
        rerankers.clear();
    }
}
