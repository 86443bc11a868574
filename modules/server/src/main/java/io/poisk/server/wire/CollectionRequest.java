package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.PoiskException;
import io.poisk.core.Similarity;
import io.poisk.engine.Engine;
import io.poisk.engine.RerankRequest;
import io.poisk.index.CollectionOptions;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The body of {@code PUT /collections/{name}}: {@code {"model":"…","language":"ru|en|auto","fields":{"year":"long",…},
 * "rerank":{"model":"<reranker id>","top_n":n}}}, every part optional. {@code model} is null for the engine's default
 * model; {@code rerank} is the collection's default reranker (the engine checks that it names a reranker card).
 * {@code "model": null} with {@code "dimension"} and {@code "similarity"} (cosine, dot, euclidean) is a collection
 * without a model, whose documents bring their vectors: {@code withoutModel} says its vectors (null otherwise).
 */
public record CollectionRequest(String model, CollectionOptions options, OwnVectors withoutModel, Sharding sharding) {
    private static final List<String> PROPERTIES = List.of("model", "dimension", "similarity", "language", "fields", "rerank", "passages",
            "shards", "replicas");
    static final int MAX_SHARDS = 64;
    static final int MAX_REPLICAS = 8;

    /** The vectors of a collection without a model. */
    public record OwnVectors(int dimension, Similarity similarity) {
    }

    /** {@code "shards"} and {@code "replicas"}: a collection sharded across the cluster (cluster mode only). */
    public record Sharding(int shards, int replicas) {
    }

    public CollectionRequest(String model, CollectionOptions options) {
        this(model, options, null, null);
    }

    static CollectionRequest defaults() {
        return new CollectionRequest(null, CollectionOptions.defaults());
    }

    /** Creates the collection this request describes (see {@link Engine#createCollection}). */
    public CompletableFuture<Boolean> createIn(Engine engine, String name) {
        if (sharding != null) {
            return engine.createShardedCollection(name, model, withoutModel == null ? 0 : withoutModel.dimension(),
                    withoutModel == null ? null : withoutModel.similarity(), options, sharding.shards(), sharding.replicas());
        }
        return withoutModel == null ? engine.createCollection(name, model, options)
                : engine.createCollectionWithoutModel(name, withoutModel.dimension(), withoutModel.similarity(), options);
    }

    /** Parses a body; an empty one is the defaults. Unknown properties, bad languages and field types are 400s. */
    public static CollectionRequest parse(byte[] body, RequestDecoder decoder) {
        if (body == null || isBlank(body)) return defaults();
        JsonNode root = decoder.object(body, "request body");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!PROPERTIES.contains(name)) {
                throw PoiskException.badRequest("unknown property '" + name + "'; accepted: " + String.join(", ", PROPERTIES)
                        + " (e.g. {\"model\":\"e5-small-v2\",\"language\":\"ru\",\"fields\":{\"year\":\"long\",\"tag\":\"keyword\"}})");
            }
        }
        String model = RequestDecoder.collectionModel(root);
        OwnVectors own = ownVectors(root, model);
        JsonNode language = root.get("language");
        if (language != null && !language.isNull() && !language.isTextual()) {
            throw PoiskException.badRequest("'language' must be a string: ru, en or auto; got " + RequestDecoder.typeName(language));
        }
        JsonNode fields = root.get("fields");
        if (fields != null && !fields.isNull() && !fields.isObject()) {
            throw PoiskException.badRequest("'fields' must be an object of field name to type (keyword, long, double, date, boolean); got "
                    + RequestDecoder.typeName(fields));
        }
        JsonNode rerank = root.get("rerank");
        if (rerank != null && !rerank.isNull()) {
            String shape = "; expected \"rerank\":{\"model\":\"<reranker card id>\",\"top_n\":<1.." + RerankRequest.MAX_TOP_N + ">}";
            if (!rerank.isObject()) throw PoiskException.badRequest("'rerank' must be an object, got " + RequestDecoder.typeName(rerank) + shape);
            JsonNode topN = rerank.get("top_n");
            if (topN != null && !topN.isNull() && (!topN.isIntegralNumber() || !topN.canConvertToInt())) {
                throw PoiskException.badRequest("'rerank.top_n' must be an integer between 1 and " + RerankRequest.MAX_TOP_N
                        + ", got " + (topN.isTextual() ? "the string " + topN : topN.toString()));
            }
            JsonNode rerankModel = rerank.get("model");
            if (rerankModel == null || !rerankModel.isTextual() || rerankModel.asText().isBlank()) {
                throw PoiskException.badRequest("'rerank.model' must be a reranker card id (a non-empty string), got "
                        + (rerankModel == null ? "none" : RequestDecoder.typeName(rerankModel)) + shape);
            }
        }
        JsonNode passages = root.get("passages");
        if (passages != null && !passages.isNull() && !passages.isObject()) {
            throw PoiskException.badRequest("'passages' must be an object {\"enabled\":true,\"max_tokens\":n,\"overlap_tokens\":n}, got "
                    + RequestDecoder.typeName(passages));
        }
        Map<String, Object> options = decoder.toMap(root);
        options.remove("model");
        options.remove("dimension");
        options.remove("similarity");
        options.remove("shards");
        options.remove("replicas");
        options.values().removeIf(java.util.Objects::isNull);
        return new CollectionRequest(model, CollectionOptions.fromMap(options), own, sharding(root));
    }

    /** {@code "shards"} (1-64) with optional {@code "replicas"} (1-8, default 1); null when neither is given. */
    private static Sharding sharding(JsonNode root) {
        JsonNode shards = root.get("shards");
        JsonNode replicas = root.get("replicas");
        boolean shardsGiven = shards != null && !shards.isNull();
        boolean replicasGiven = replicas != null && !replicas.isNull();
        if (!shardsGiven && !replicasGiven) return null;
        if (!shardsGiven) throw PoiskException.badRequest("'replicas' needs 'shards': a sharded collection is {\"shards\": 1.."
                + MAX_SHARDS + ", \"replicas\": 1.." + MAX_REPLICAS + "}");
        return new Sharding(bounded(shards, "shards", MAX_SHARDS), replicasGiven ? bounded(replicas, "replicas", MAX_REPLICAS) : 1);
    }

    private static int bounded(JsonNode n, String name, int max) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > max) {
            throw PoiskException.badRequest("'" + name + "' must be an integer between 1 and " + max + ", got "
                    + (n.isTextual() ? "the string " + n : n.toString()));
        }
        return n.asInt();
    }

    /**
     * {@code "model": null} (present, null) is a collection without a model and needs {@code dimension} and
     * {@code similarity}; with a model (named or the default) the card fixes both, so neither may be given.
     */
    private static OwnVectors ownVectors(JsonNode root, String model) {
        boolean explicitNull = root.has("model") && root.get("model").isNull();
        JsonNode dimension = root.get("dimension");
        JsonNode similarity = root.get("similarity");
        boolean dimensionGiven = dimension != null && !dimension.isNull();
        boolean similarityGiven = similarity != null && !similarity.isNull();
        if (!explicitNull) {
            if (dimensionGiven || similarityGiven) {
                throw PoiskException.badRequest("'dimension' and 'similarity' are for a collection without a model: send \"model\": null"
                        + " with them; a model" + (model == null ? " (here the default one)" : " ('" + model + "')")
                        + " fixes its own dimension and compares by cosine");
            }
            return null;
        }
        String shape = "; a collection without a model is {\"model\": null, \"dimension\": 1.." + Similarity.MAX_DIMENSION
                + ", \"similarity\": \"cosine\"|\"dot\"|\"euclidean\"}";
        if (!dimensionGiven) throw PoiskException.badRequest("'model' is null but 'dimension' is missing" + shape);
        if (!dimension.isIntegralNumber() || !dimension.canConvertToInt() || dimension.asInt() < 1
                || dimension.asInt() > Similarity.MAX_DIMENSION) {
            throw PoiskException.badRequest("'dimension' must be an integer between 1 and " + Similarity.MAX_DIMENSION + ", got "
                    + (dimension.isTextual() ? "the string " + dimension : dimension.toString()) + shape);
        }
        if (!similarityGiven) throw PoiskException.badRequest("'model' is null but 'similarity' is missing" + shape);
        if (!similarity.isTextual()) {
            throw PoiskException.badRequest("'similarity' must be a string (cosine, dot or euclidean), got " + RequestDecoder.typeName(similarity));
        }
        return new OwnVectors(dimension.asInt(), Similarity.parse(similarity.asText()));
    }

    /** An empty body means "defaults"; only JSON whitespace counts as empty, so a BOM or stray byte is still parsed (and refused). */
    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return true;
    }
}
