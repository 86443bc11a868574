package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** log.format: json makes every line a JSON object (Logback's JsonEncoder) with the access log's key-values; text keeps lines. */
class LogFormatTest {
    private final PrintStream original = System.err;

    @AfterEach
    void restore() {
        System.setErr(original);
        LogFormat.apply("text");
    }

    @Test
    void jsonLinesCarryTheAccessLogFields() throws Exception {
        String out = logged("json");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) lines.add(new ObjectMapper().readTree(line));
        JsonNode access = lines.stream().filter(l -> "poisk.access".equals(l.path("loggerName").asText())).findFirst().orElseThrow();
        assertThat(access.path("level").asText()).isEqualTo("INFO");
        assertThat(access.path("kvpList").toString()).contains("\"path\":\"/health\"").contains("\"status\":\"200\"");
    }

    @Test
    void textLinesShowKeyValues() {
        assertThat(logged("text")).contains("INFO  poisk.access - path=/health status=200 GET");
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThatThrownBy(() -> LogFormat.apply("xml")).isInstanceOf(PoiskException.class).hasMessageContaining("text or json");
    }

    private String logged(String format) {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        System.setErr(new PrintStream(copy, true, StandardCharsets.UTF_8));
        LogFormat.apply(format); // the console appender binds System.err when it starts
        LoggerFactory.getLogger("poisk.access").atInfo().setMessage("GET").addKeyValue("path", "/health").addKeyValue("status", 200).log();
        System.err.flush();
        return copy.toString(StandardCharsets.UTF_8);
    }
}
