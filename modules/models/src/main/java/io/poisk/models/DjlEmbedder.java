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
    /**
     * The most padded tokens a forward call may hold per real token, where the call has more than one thread (or a
     * GPU): texts of different lengths go into one call until padding would more than double its work. Batching
     * pays there by giving the call's threads enough work to share; a call on one CPU thread has nothing to share,
     * so it takes only texts of one length (padding 1). Measured with the model alone on 192 XQuAD-ru questions
     * (session 16, texts/s, two rounds each): one thread per call, batches of 4 / 16: 50-52 / 56-60 padded up to 2x,
     * 63-65 / 61-63 unpadded, 63-65 one at a time; two threads per call, batches of 16 / 32: 57 / 61 padded, 52 / 54
     * unpadded.
     */
    static final double MAX_PADDING_SHARED = 2;

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
    /** Padded tokens per real token a forward call may hold: {@link #MAX_PADDING_SHARED}, or 1 for one CPU thread. */
    private final double maxPadding;
    /** Made on first use: a second, untruncated tokenizer that query-only use and model readiness need not wait for. */
    private volatile PassageSplitter splitter;
    private boolean closed; // guarded by this

    private DjlEmbedder(EmbedderCard card, HuggingFaceTokenizer tokenizer, ZooModel<TokenBatch, HiddenStates> model,
                        long eosId, long separatorId, int threads) {
        this.card = card;
        this.tokenizer = tokenizer;
        this.model = model;
        this.pooling = card.pooling();
        this.eosId = eosId;
        this.separatorId = separatorId;
        boolean gpu = model.getNDManager().getDevice().isGpu();
        this.maxForwardTokens = gpu ? Long.MAX_VALUE : CPU_MAX_FORWARD_TOKENS;
        this.maxPadding = gpu || threads > 1 ? MAX_PADDING_SHARED : 1;
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
            return new DjlEmbedder(card, tokenizer, model, eosId, separatorId, threads);
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

        // Shortest first, so that each forward call takes texts of similar length.
        Integer[] order = new Integer[tokens.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> tokens.get(i).length()));
        int[] lengths = new int[order.length];
        for (int k = 0; k < order.length; k++) lengths[k] = tokens.get(order[k]).length();
        int[] ends = forwardCallEnds(lengths, maxPadding, maxForwardTokens);
        try (Predictor<TokenBatch, HiddenStates> predictor = model.newPredictor()) {
            int start = 0;
            for (int end : ends) {
                forward(predictor, tokens, order, start, end, out);
                start = end;
            }
        } catch (TranslateException e) {
            throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' failed to embed: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Where the forward calls over texts of {@code sortedLengths} (ascending) end: a call takes the next text unless
     * it would then hold more than {@link #MAX_FORWARD_BATCH} texts, more than {@code maxPadding} padded tokens per real token,
     * or more than {@code maxTokens} padded tokens. A text longer than {@code maxTokens} is a call of its own.
     */
    static int[] forwardCallEnds(int[] sortedLengths, double maxPadding, long maxTokens) {
        int[] ends = new int[sortedLengths.length];
        int calls = 0, start = 0;
        long realTokens = 0;
        for (int k = 0; k < sortedLengths.length; k++) {
            int length = sortedLengths[k];
            int count = k - start;
            if (count > 0 && (count == MAX_FORWARD_BATCH || (count + 1) * (double) length > maxPadding * (realTokens + length)
                    || (long) (count + 1) * length > maxTokens)) {
                ends[calls++] = k;
                start = k;
                realTokens = 0;
            }
            realTokens += length;
        }
        if (sortedLengths.length > 0) ends[calls++] = sortedLengths.length;
        return Arrays.copyOf(ends, calls);
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
