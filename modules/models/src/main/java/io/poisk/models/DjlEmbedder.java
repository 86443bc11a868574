package io.poisk.models;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An {@link Embedder} on DJL: ONNX Runtime for {@code .onnx} cards, PyTorch for TorchScript
 * {@code .pt} cards, on a GPU when the engine sees one. Tokenises with the card's tokenizer.json
 * (truncated to max_length, the card's EOS token appended where it says so, padded here per batch on
 * the card's side), pools and normalises in plain Java.
 */
public final class DjlEmbedder implements Embedder {
    private static final int MAX_FORWARD_BATCH = 64;
    /**
     * Padded tokens per forward call on a CPU. Larger calls cost more per text there, not less: a call's activations
     * (attention scores grow with batch × length²) outgrow the caches. On XQuAD-ru paragraphs and questions, 2
     * threads, e5-small-v2 embedded 21-23 texts/s (fp32) and 37-47 (int8) in calls of 16-32 texts without a cap,
     * 30-31 and 59-64 with this one; caps of 256 and 1,024 did about as well, 2,048 as badly as none (session 14).
     * A GPU gets the whole batch.
     */
    static final int CPU_MAX_FORWARD_TOKENS = 512;

    private final EmbedderCard card;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<TokenBatch, HiddenStates> model;
    private final Pooling pooling;
    /** Appended to every sequence; -1 for none. */
    private final long eosId;
    /** The token that ends the prefix for prefix_mean pooling; -1 otherwise. */
    private final long separatorId;
    /** {@link #CPU_MAX_FORWARD_TOKENS} on a CPU; no cap on a GPU. */
    private final long maxForwardTokens;
    /** Made on first use: a second, untruncated tokenizer that query-only use and model readiness need not wait for. */
    private volatile PassageSplitter splitter;
    private boolean closed; // guarded by this

    private DjlEmbedder(EmbedderCard card, HuggingFaceTokenizer tokenizer, ZooModel<TokenBatch, HiddenStates> model,
                        long eosId, long separatorId) {
        this.card = card;
        this.tokenizer = tokenizer;
        this.model = model;
        this.pooling = card.pooling();
        this.eosId = eosId;
        this.separatorId = separatorId;
        this.maxForwardTokens = model.getNDManager().getDevice().isGpu() ? Long.MAX_VALUE : CPU_MAX_FORWARD_TOKENS;
    }

    /** Loads the card's tokenizer and weights; UNAVAILABLE when the engine cannot load them. */
    public static DjlEmbedder open(EmbedderCard card) {
        return open(card, InferenceDevice.AUTO);
    }

    /** As {@link #open(EmbedderCard)}, on the given device. */
    public static DjlEmbedder open(EmbedderCard card, InferenceDevice device) {
        return open(card, device, InferenceThreads.allCores().embedder());
    }

    /** As {@link #open(EmbedderCard)}, on the given device, each forward call on {@code threads} intra-op threads. */
    public static DjlEmbedder open(EmbedderCard card, InferenceDevice device, int threads) {
        // One place is kept for the appended EOS token, as the models' own code truncates one shorter.
        return DjlModels.openWithTokenizer(card, card.maxLength() - (card.eosToken() == null ? 0 : 1), tokenizer -> {
            long eosId = card.eosToken() == null ? -1 : DjlModels.tokenId(tokenizer, card, card.eosToken(), "eos_token");
            long separatorId = card.prefixSeparator() == null ? -1
                    : DjlModels.tokenId(tokenizer, card, card.prefixSeparator(), "prefix_separator");
            boolean onnx = card.engine() == ModelEngine.ONNX;
            ZooModel<TokenBatch, HiddenStates> model = DjlModels.load(card, HiddenStates.class,
                    new HiddenStateTranslator(onnx, card.inputs()), device, threads);
            return new DjlEmbedder(card, tokenizer, model, eosId, separatorId);
        });
    }

    @Override
    public EmbedderCard card() {
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
        for (Encoding e : encodings) tokens.add(withEos(e.getIds(), e.getTypeIds()));

        // Shortest first, cut where padding to the next text would more than double the work, or past the token cap.
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> tokens.get(i).length()));
        try (Predictor<TokenBatch, HiddenStates> predictor = model.newPredictor()) {
            int start = 0;
            long realTokens = 0;
            for (int k = 0; k < order.length; k++) {
                int length = tokens.get(order[k]).length();
                int count = k - start;
                if (count > 0 && (count == MAX_FORWARD_BATCH || (long) (count + 1) * length > 2 * (realTokens + length)
                        || (long) (count + 1) * length > maxForwardTokens)) {
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

    private TokenBatch.Tokens withEos(long[] ids, long[] types) {
        if (eosId < 0) return new TokenBatch.Tokens(ids, types);
        long[] longer = Arrays.copyOf(ids, ids.length + 1);
        longer[ids.length] = eosId;
        long[] longerTypes = Arrays.copyOf(types, types.length + 1);
        longerTypes[types.length] = types.length == 0 ? 0 : types[types.length - 1];
        return new TokenBatch.Tokens(longer, longerTypes);
    }

    private void forward(Predictor<TokenBatch, HiddenStates> predictor, List<TokenBatch.Tokens> tokens,
                         Integer[] order, int from, int to, float[][] out) throws TranslateException {
        List<TokenBatch.Tokens> rows = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) rows.add(tokens.get(order[k]));
        TokenBatch batch = TokenBatch.pad(rows, Math.max(eosId, 0L), card.leftPadding());
        HiddenStates hidden = predictor.predict(batch);
        long[] poolMask = separatorId < 0 ? batch.attentionMask()
                : Pooling.maskThroughSeparator(batch.inputIds(), batch.attentionMask(), batch.batchSize(), batch.sequenceLength(), separatorId);
        if (hidden.hiddenSize() < card.dimension()) {
            throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' returns " + hidden.hiddenSize()
                    + "-d hidden states but its card says dimension " + card.dimension());
        }
        for (int r = 0; r < rows.size(); r++) {
            // A card dimension below the hidden size keeps the leading features (Matryoshka models).
            float[] vector = pooling.pool(hidden.values(), poolMask, r, hidden.sequenceLength(),
                    hidden.hiddenSize(), card.dimension());
            out[order[from + r]] = card.normalize() ? Pooling.normalize(vector) : vector;
        }
    }

    @Override
    public PassageSplitter splitter() {
        PassageSplitter s = splitter;
        if (s != null) return s;
        synchronized (this) {
            if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "model '" + card.id() + "' is closed");
            if (splitter == null) {
                try {
                    splitter = PassageSplitter.forCard(card);
                } catch (java.io.IOException e) {
                    throw DjlModels.unavailable(card, e);
                }
            }
            return splitter;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (splitter != null) splitter.close();
        }
        model.close();
        tokenizer.close();
    }
}
