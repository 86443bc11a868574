package io.poisk.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading the file kinds datasets ship in: UTF-8 text (with or without a BOM), JSON, JSON lines, qrels TSV. */
final class DatasetFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final char BOM = '\uFEFF';

    private DatasetFiles() {
    }

    static String readText(Path file) {
        requireFile(file);
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return !s.isEmpty() && s.charAt(0) == BOM ? s.substring(1) : s;
        } catch (IOException e) {
            throw PoiskException.badRequest("cannot read " + file + ": " + e.getMessage());
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(readText(file));
        } catch (IOException e) {
            throw PoiskException.badRequest("invalid JSON in " + file + ": " + e.getMessage());
        }
    }

    /** One JSON object per non-blank line. */
    static List<JsonNode> readJsonLines(Path file) {
        List<JsonNode> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line : readText(file).split("\n")) {
            lineNo++;
            if (line.isBlank()) continue;
            try {
                JsonNode node = JSON.readTree(line);
                if (node == null || !node.isObject()) throw new IOException("not a JSON object");
                rows.add(node);
            } catch (IOException e) {
                throw PoiskException.badRequest(file + " line " + lineNo + ": expected one JSON object per line (" + e.getMessage() + ")");
            }
        }
        return rows;
    }

    /** BEIR qrels: tab-separated {@code query-id corpus-id score}, with or without that header line. */
    static Map<String, Map<String, Integer>> readQrels(Path file) {
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        requireFile(file);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == BOM) line = line.substring(1);
                if (line.isBlank()) continue;
                String[] cols = line.split("\t");
                if (cols.length < 3) {
                    throw PoiskException.badRequest(file + " line " + lineNo + ": expected 'query-id<TAB>corpus-id<TAB>score'");
                }
                if (lineNo == 1 && cols[0].trim().equals("query-id")) continue;
                int score;
                try {
                    score = (int) Math.round(Double.parseDouble(cols[cols.length - 1].trim()));
                } catch (NumberFormatException e) {
                    throw PoiskException.badRequest(file + " line " + lineNo + ": score '" + cols[cols.length - 1] + "' is not a number");
                }
                qrels.computeIfAbsent(cols[0].trim(), q -> new LinkedHashMap<>()).put(cols[1].trim(), score);
            }
        } catch (IOException e) {
            throw PoiskException.badRequest("cannot read " + file + ": " + e.getMessage());
        }
        return qrels;
    }

    static String requiredText(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw PoiskException.badRequest(file + ": a row lacks '" + field + "': " + abbreviate(node.toString()));
        return v.asText();
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) throw PoiskException.badRequest("dataset file " + file + " does not exist");
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
