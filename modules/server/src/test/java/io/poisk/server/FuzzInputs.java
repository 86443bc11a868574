package io.poisk.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of hostile request parts: JSON (valid shapes, mutated, deep, huge numbers, strings and
 * names, wrong types, duplicate keys), raw bytes (invalid UTF-8, BOM), odd ids and path segments, methods and
 * headers. The same seed gives the same cases, so a failure names its seed and case number and replays.
 */
final class FuzzInputs {
    private static final String[] FIELD_NAMES = {"id", "text", "fields", "documents", "query", "instruction", "k", "filter",
            "mode", "fusion", "rerank", "model", "language", "top_n", "method", "and", "or", "not", "term", "in", "range",
            "exists", "gte", "lt", "tag", "year", "collection", "action", "name"};
    private static final String[] ODD_STRINGS = {"", " ", ".", "..", "...", "/", "%", "%2e%2e", "%2F", "\\", "\u0000", "\u007f",
            "\u0085", "\ud800", "\udfff", "\ufeff", "\u202e", "🚀", "ж", "\r\n", "\t", "null", "true", "[]", "{}", "-1", "1e309",
            "NaN", "../../etc/passwd", "<script>", "' OR 1=1", "%00", "\u2028", "dense", "lexical", "hybrid", "rrf", "weighted"};
    static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "get", "M-SEARCH"};
    static final String[] CONTENT_TYPES = {null, "application/json", "application/json; charset=utf-8", "application/x-ndjson",
            "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/JSON", "*/*",
            ";;;", "application/json; charset=latin1", "x".repeat(300)};

    private final Random random;

    FuzzInputs(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    int below(int n) {
        return random.nextInt(n);
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A random JSON value (as Java maps, lists and scalars) up to {@code depth} levels. */
    Object value(int depth) {
        int kind = random.nextInt(depth <= 0 ? 6 : 8);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt(2001) - 1000;
            case 3 -> random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
            case 4 -> string();
            case 5 -> random.nextLong();
            case 6 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) list.add(value(depth - 1));
                yield list;
            }
            default -> object(depth - 1);
        };
    }

    Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) m.put(random.nextInt(4) == 0 ? string() : pick(FIELD_NAMES), value(depth));
        return m;
    }

    String string() {
        return switch (random.nextInt(5)) {
            case 0 -> pick(ODD_STRINGS);
            case 1 -> "word" + random.nextInt(100);
            case 2 -> unicode(1 + random.nextInt(20));
            case 3 -> pick(ODD_STRINGS) + unicode(random.nextInt(5)) + pick(ODD_STRINGS);
            default -> "the quick brown fox " + random.nextInt(10);
        };
    }

    /** Random code points from every plane, surrogate halves and controls included. */
    String unicode(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> random.nextInt(0x10000);
                default -> random.nextInt(0x110000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** A request body shaped like the API's, with parts swapped for random values of the wrong type now and then. */
    Map<String, Object> apiShaped() {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (random.nextInt(3)) {
            case 0 -> {
                List<Object> docs = new ArrayList<>();
                for (int i = random.nextInt(3); i >= 0; i--) {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", random.nextInt(3) == 0 ? value(1) : id());
                    d.put("text", random.nextInt(3) == 0 ? value(1) : string());
                    if (random.nextBoolean()) d.put("fields", random.nextInt(3) == 0 ? value(2) : Map.of("tag", string(), "year", random.nextInt(3000)));
                    docs.add(d);
                }
                body.put("documents", random.nextInt(5) == 0 ? value(2) : docs);
            }
            case 1 -> {
                body.put("query", random.nextInt(4) == 0 ? value(1) : string());
                if (random.nextBoolean()) body.put("k", random.nextInt(4) == 0 ? value(1) : random.nextInt(1200) - 100);
                if (random.nextBoolean()) body.put("mode", random.nextInt(4) == 0 ? value(1) : pick(new String[]{"dense", "lexical", "hybrid", "x"}));
                if (random.nextBoolean()) body.put("filter", random.nextInt(3) == 0 ? value(3) : Map.of("tag", string()));
                if (random.nextInt(4) == 0) body.put("fusion", random.nextBoolean() ? value(2) : Map.of("method", "rrf", "k", random.nextInt(100)));
                if (random.nextInt(4) == 0) body.put("rerank", value(2));
                if (random.nextInt(4) == 0) body.put("instruction", value(1));
            }
            default -> {
                if (random.nextBoolean()) body.put("model", value(1));
                if (random.nextBoolean()) body.put("language", random.nextBoolean() ? "ru" : value(1));
                if (random.nextBoolean()) body.put("fields", random.nextBoolean() ? Map.of("tag", "keyword") : value(2));
            }
        }
        if (random.nextInt(4) == 0) body.put(string(), value(2));
        return body;
    }

    /** An id: mostly valid, sometimes on the rule's edges or past them. */
    String id() {
        return switch (random.nextInt(6)) {
            case 0 -> pick(ODD_STRINGS);
            case 1 -> "x".repeat(500 + random.nextInt(30));
            case 2 -> unicode(1 + random.nextInt(200));
            default -> "doc-" + random.nextInt(50);
        };
    }

    /** A collection name as sent: mostly one of a few (so fuzzing creates few collections), else odd or invalid. */
    String name() {
        return random.nextInt(3) == 0 ? segment() : pick(new String[]{"fuzz", "fuzz", "fuzz", "missing", "fuzz-b", "UPPER", "a%20b"});
    }

    /** A path segment as sent: raw odd text, percent-encoded text, or encoded dots and slashes. */
    String segment() {
        return switch (random.nextInt(6)) {
            case 0 -> pick(new String[]{"..", ".", "%2e%2e", "%2E%2e", ".%2e", "%2e", "..%2f..", "%2f", "%00", "%ff", "%", "%zz", ";", "%c0%ae%c0%ae"});
            case 1 -> java.net.URLEncoder.encode(unicode(1 + random.nextInt(30)), StandardCharsets.UTF_8);
            case 2 -> "x".repeat(random.nextInt(3) == 0 ? 5000 : 65 + random.nextInt(600));
            case 3 -> java.net.URLEncoder.encode(id(), StandardCharsets.UTF_8);
            default -> pick(new String[]{"fuzz", "docs", "missing", "UPPER", "a b", "-x", "fuzz_2"});
        };
    }

    /** Bytes of a body: JSON of a random or API-shaped value, then maybe mutated or made hostile. */
    byte[] body() {
        Object value = random.nextInt(4) == 0 ? value(4) : apiShaped();
        byte[] json;
        try {
            json = ApiClient.json(value).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return hostile(); // e.g. a lone surrogate Jackson will not write
        }
        return switch (random.nextInt(10)) {
            case 0 -> mutate(json);
            case 1 -> truncate(json);
            case 2 -> hostile();
            default -> json;
        };
    }

    byte[] mutate(byte[] json) {
        byte[] out = json.clone();
        for (int i = 1 + random.nextInt(4); i > 0 && out.length > 0; i--) out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        return out;
    }

    byte[] truncate(byte[] json) {
        return java.util.Arrays.copyOf(json, json.length == 0 ? 0 : random.nextInt(json.length));
    }

    /** One of the bodies that used to be 500s: deep, long numbers, names or strings, bad UTF-8, BOM, duplicates. */
    byte[] hostile() {
        String s = switch (random.nextInt(9)) {
            case 0 -> "{\"query\":" + "[".repeat(60 + random.nextInt(3000)) + "]".repeat(random.nextInt(10)) + "}";
            case 1 -> "{\"query\":\"x\",\"k\":" + "9".repeat(50 + random.nextInt(6000)) + "}";
            case 2 -> "{\"query\":\"x\",\"k\":-0." + "1".repeat(random.nextInt(3000)) + "e" + "9".repeat(random.nextInt(50)) + "}";
            case 3 -> "{\"" + "n".repeat(100 + random.nextInt(60_000)) + "\":1}";
            case 4 -> "{\"documents\":[{\"id\":\"a\",\"text\":\"" + "t".repeat(random.nextInt(300_000)) + "\"}]}";
            case 5 -> "{\"query\":\"a\",\"query\":\"b\"}";
            case 6 -> "{\"filter\":{\"or\":[" + "{\"tag\":\"a\"},".repeat(random.nextInt(2000)) + "{\"tag\":\"b\"}]},\"query\":\"x\"}";
            case 7 -> "{\"query\":\"" + "w ".repeat(random.nextInt(3000)) + "\",\"mode\":\"lexical\"}";
            default -> "{\"a\":" + "{\"a\":".repeat(random.nextInt(3000)) + "1}";
        };
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(4)) {
            case 0 -> concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes);
            case 1 -> concat(bytes, new byte[]{(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF8});
            default -> bytes;
        };
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
