package io.poisk.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Translator;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a card's tokenizer and weights on DJL: the engine set-up every model kind shares. */
final class DjlModels {
    private static final Logger log = LoggerFactory.getLogger(DjlModels.class);

    private DjlModels() {}

    /**
     * The card's tokenizer, never padding (batches pad themselves); truncating to {@code maxLength}
     * tokens when it is positive (pairs longest-first), not at all otherwise.
     */
    static HuggingFaceTokenizer tokenizer(ModelCard card, int maxLength) throws IOException {
        HuggingFaceTokenizer.Builder builder = HuggingFaceTokenizer.builder()
                .optTokenizerPath(card.tokenizerPath())
                .optAddSpecialTokens(true)
                .optPadding(false);
        if (maxLength > 0) builder.optTruncation(true).optMaxLength(maxLength);
        else builder.optTruncation(false);
        return builder.build();
    }

    /** The one id the tokenizer gives this token (special tokens included); BAD_REQUEST when it is not one token. */
    static long tokenId(HuggingFaceTokenizer tokenizer, ModelCard card, String token, String field) {
        long[] ids = tokenizer.encode(token, false, false).getIds();
        if (ids.length != 1) {
            throw PoiskException.badRequest("model card '" + card.id() + "': " + field + " '" + token
                    + "' is " + ids.length + " tokens in its tokenizer; it must be exactly one");
        }
        return ids[0];
    }

    /**
     * Loads the weights with the translator, on the device {@code inference.device} chose, each forward call on
     * {@code threads} intra-op threads ({@link InferenceThreads}).
     */
    static <O> ZooModel<TokenBatch, O> load(ModelCard card, Class<O> output, Translator<TokenBatch, O> translator,
                                            InferenceDevice devices, int threads)
            throws IOException, ModelNotFoundException, MalformedModelException {
        String engineName = card.engine().djlName();
        // Read once when the PyTorch engine starts (ONNX Runtime starts it too, for NDArray ops it lacks),
        // so they must be set before either engine's first use.
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        // The profiling graph executor re-optimises for every new input shape; ours change per batch.
        setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
        Engine engine = Engine.getEngine(engineName);
        Device device = devices.resolve(engine, card.id());
        String artifact = card.artifact();
        String modelName = artifact.substring(0, artifact.lastIndexOf('.'));
        ZooModel<TokenBatch, O> model;
        if (card.engine() == ModelEngine.ONNX) {
            model = loadOnnx(card, modelName, device, threads, translator);
        } else {
            model = Criteria.builder()
                    .setTypes(TokenBatch.class, output)
                    .optModelPath(card.directory())
                    .optModelName(modelName)
                    .optEngine(engineName)
                    .optDevice(device)
                    .optTranslator(translator)
                    .optOption("mapLocation", "true") // CPU-saved TorchScript onto a GPU
                    .build().loadModel();
        }
        log.info("loaded model '{}' ({} {} on {}, {} threads)", card.id(), card.kind(), engineName, device, threads);
        return model;
    }

    /**
     * ONNX Runtime through DJL with session options DJL's string options cannot set: its intra-op pool
     * must not spin. A spinning worker keeps a core busy between operators, which on a machine with as
     * many cores as threads (or one shared with other work) takes the core from the caller thread and
     * from everything else; measured about 3x slower per text at batch 1 on a busy 2-core machine.
     * {@code poisk.onnx.spinning=true} restores ONNX Runtime's default.
     */
    private static <O> ZooModel<TokenBatch, O> loadOnnx(ModelCard card, String modelName, Device device, int threads,
                                                         Translator<TokenBatch, O> translator)
            throws IOException, MalformedModelException {
        String spinning = Boolean.getBoolean("poisk.onnx.spinning") ? "1" : "0";
        Model model = Model.newInstance(modelName, device, "OnnxRuntime");
        // The session copies its options when it is created, so they are closed right after loading.
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", spinning);
            options.addConfigEntry("session.inter_op.allow_spinning", spinning);
            model.load(card.directory(), modelName, Map.of(
                    "sessionOptions", options,
                    "intraOpNumThreads", Integer.toString(threads),
                    "interOpNumThreads", "1"));
            return new ZooModel<>(model, translator);
        } catch (OrtException e) {
            model.close();
            throw new MalformedModelException("ONNX Runtime rejects the session options: " + e.getMessage(), e);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** What a model class builds once its tokenizer is open; may throw what DJL's loading throws. */
    interface TokenizerBound<T> {
        T open(HuggingFaceTokenizer tokenizer) throws IOException, ModelNotFoundException, MalformedModelException;
    }

    /**
     * Opens the card's tokenizer and builds {@code T} from it. On any failure the tokenizer is closed;
     * a load failure becomes {@code UNAVAILABLE} naming the card, a {@link PoiskException} passes as is.
     */
    static <T> T openWithTokenizer(ModelCard card, int maxLength, TokenizerBound<T> build) {
        HuggingFaceTokenizer tokenizer = null;
        try {
            tokenizer = tokenizer(card, maxLength);
            return build.open(tokenizer);
        } catch (PoiskException e) {
            if (tokenizer != null) tokenizer.close();
            throw e;
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            if (tokenizer != null) tokenizer.close();
            throw unavailable(card, e);
        }
    }

    static PoiskException unavailable(ModelCard card, Exception e) {
        return new PoiskException(ErrorCode.UNAVAILABLE, "model '" + card.id() + "' cannot be loaded from "
                + card.directory() + ": " + e.getMessage(), e);
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }
}
