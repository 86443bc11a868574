package io.poisk.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Embedder} on DJL: ONNX Runtime for {@code .onnx} cards, PyTorch for TorchScript
 * {@code .pt} cards, on a GPU when the engine sees one. Tokenises with the card's tokenizer.json
 * (truncated to max_length, padded here per batch), pools and normalises in plain Java.
 */
public final class DjlEmbedder implements Embedder {
    private static final Logger log = LoggerFactory.getLogger(DjlEmbedder.class);
    private static final int MAX_FORWARD_BATCH = 64;

    private final ModelCard card;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<TokenBatch, HiddenStates> model;
    private final Pooling pooling;

    private DjlEmbedder(ModelCard card, HuggingFaceTokenizer tokenizer, ZooModel<TokenBatch, HiddenStates> model) {
        this.card = card;
        this.tokenizer = tokenizer;
        this.model = model;
        this.pooling = Pooling.of(card.pooling());
    }

    /** Loads the card's tokenizer and weights; UNAVAILABLE when the engine cannot load them. */
    public static DjlEmbedder open(ModelCard card) {
        String engineName = card.engine().equals("onnx") ? "OnnxRuntime" : "PyTorch";
        int threads = Integer.getInteger("poisk.inference.threads", Runtime.getRuntime().availableProcessors());
        // Read once when the PyTorch engine starts (ONNX Runtime starts it too, for NDArray ops it lacks),
        // so they must be set before either engine's first use.
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        // The profiling graph executor re-optimises for every new input shape; ours change per batch.
        setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
        HuggingFaceTokenizer tokenizer = null;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(card.tokenizerPath())
                    .optAddSpecialTokens(true)
                    .optPadding(false) // padded per batch in TokenBatch
                    .optTruncation(true)
                    .optMaxLength(card.maxLength())
                    .build();
            Engine engine = Engine.getEngine(engineName);
            Device device = engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            String artifact = card.artifact();
            Criteria.Builder<TokenBatch, HiddenStates> criteria = Criteria.builder()
                    .setTypes(TokenBatch.class, HiddenStates.class)
                    .optModelPath(card.directory())
                    .optModelName(artifact.substring(0, artifact.lastIndexOf('.')))
                    .optEngine(engineName)
                    .optDevice(device)
                    .optTranslator(new HiddenStateTranslator(engineName.equals("OnnxRuntime")));
            if (engineName.equals("OnnxRuntime")) {
                criteria.optOption("intraOpNumThreads", Integer.toString(threads))
                        .optOption("interOpNumThreads", "1");
            } else {
                criteria.optOption("mapLocation", "true"); // CPU-saved TorchScript onto a GPU
            }
            ZooModel<TokenBatch, HiddenStates> model = criteria.build().loadModel();
            log.info("loaded model '{}' ({} on {}, {} threads)", card.id(), engineName, device, threads);
            return new DjlEmbedder(card, tokenizer, model);
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            if (tokenizer != null) tokenizer.close();
            throw new PoiskException(ErrorCode.UNAVAILABLE, "model '" + card.id() + "' cannot be loaded from "
                    + card.directory() + ": " + e.getMessage(), e);
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }

    @Override
    public ModelCard card() {
        return card;
    }

    @Override
    public float[][] embed(List<String> texts, EmbeddingRole role, String instruction) {
        float[][] out = new float[texts.size()][];
        if (texts.isEmpty()) return out;
        String[] rendered = new String[texts.size()];
        for (int i = 0; i < rendered.length; i++) rendered[i] = card.render(texts.get(i), role, instruction);
        Encoding[] encodings = tokenizer.batchEncode(rendered);
        List<TokenBatch.Tokens> tokens = new ArrayList<>(encodings.length);
        for (Encoding e : encodings) tokens.add(new TokenBatch.Tokens(e.getIds(), e.getTypeIds()));

        // Shortest first, cut where padding to the next text would more than double the work.
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> tokens.get(i).length()));
        try (Predictor<TokenBatch, HiddenStates> predictor = model.newPredictor()) {
            int start = 0;
            long realTokens = 0;
            for (int k = 0; k < order.length; k++) {
                int length = tokens.get(order[k]).length();
                int count = k - start;
                if (count > 0 && (count == MAX_FORWARD_BATCH || (long) (count + 1) * length > 2 * (realTokens + length))) {
                    forward(predictor, tokens, order, start, k, out);
                    start = k;
                    realTokens = 0;
                }
                realTokens += length;
            }
            forward(predictor, tokens, order, start, order.length, out);
        } catch (TranslateException e) {
            throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' failed to embed: " + e.getMessage(), e);
        }
        return out;
    }

    private void forward(Predictor<TokenBatch, HiddenStates> predictor, List<TokenBatch.Tokens> tokens,
                         Integer[] order, int from, int to, float[][] out) throws TranslateException {
        List<TokenBatch.Tokens> rows = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) rows.add(tokens.get(order[k]));
        TokenBatch batch = TokenBatch.pad(rows, 0L);
        HiddenStates hidden = predictor.predict(batch);
        if (hidden.hiddenSize() < card.dimension()) {
            throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' returns " + hidden.hiddenSize()
                    + "-d hidden states but its card says dimension " + card.dimension());
        }
        for (int r = 0; r < rows.size(); r++) {
            // A card dimension below the hidden size keeps the leading features (Matryoshka models).
            float[] vector = pooling.pool(hidden.values(), batch.attentionMask(), r, hidden.sequenceLength(),
                    hidden.hiddenSize(), card.dimension());
            out[order[from + r]] = card.normalize() ? Pooling.normalize(vector) : vector;
        }
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
