package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Slow, idle and too many clients are cut off by the limits.* keys (short values here, so the test is quick). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class ConnectionLimitsTest {
    static final int MAX_CONNECTIONS = 16;
    static final int HEADER_TIMEOUT_MS = 1000;
    static final int BODY_TIMEOUT_MS = 1500;
    static final int IDLE_TIMEOUT_MS = 2000;

    @TempDir
    static Path dataDir;
    PoiskServer server;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of(
                "limits.max_connections", String.valueOf(MAX_CONNECTIONS),
                "limits.header_timeout_ms", String.valueOf(HEADER_TIMEOUT_MS),
                "limits.body_timeout_ms", String.valueOf(BODY_TIMEOUT_MS),
                "limits.idle_timeout_ms", String.valueOf(IDLE_TIMEOUT_MS))));
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void slowLorisIsClosedWithinTheHeaderTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(100);
            OutputStream out = s.getOutputStream();
            byte[] head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) { // one byte every 100 ms: never idle, never a whole head
                try {
                    out.write(head[Math.min(i, head.length - 1)]);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                closed = endOfStream(s.getInputStream());
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(closed).as("connection closed").isTrue();
            assertThat(ms).isBetween((long) HEADER_TIMEOUT_MS - 100, (long) HEADER_TIMEOUT_MS + 1500);
        }
    }

    @Test
    void slowBodyGets408AndTheConnectionCloses() {
        long start = System.nanoTime();
        var r = RawHttp.exchange(server.port(), "POST /collections/any/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"query\":", 10_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).as(r.text()).isEqualTo(408);
        assertThat(r.text()).contains("request_timeout").contains("limits.body_timeout_ms");
        assertThat(r.closed()).isTrue();
        assertThat(ms).isBetween((long) BODY_TIMEOUT_MS - 100, (long) BODY_TIMEOUT_MS + 3000);

        // A streamed body that stops arriving is cut off the same way.
        var nd = RawHttp.exchange(server.port(), "POST /collections/any/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"id\"\r\n", 10_000);
        assertThat(nd.status()).as(nd.text()).isEqualTo(408);
        assertThat(nd.closed()).isTrue();
    }

    /**
     * A bulk NDJSON load whose embedding takes longer than the idle timeout gets its reply: the server's own time on a
     * request is not idleness. (The whole body sits in the server's buffers at once, so no byte moves while it embeds;
     * Vert.x's idle timeout closed such a connection with no reply.)
     */
    @Test
    void anNdjsonLoadThatEmbedsForLongerThanTheIdleTimeoutGetsItsReply() throws Exception {
        // closed at the end, so its kept-alive connection does not count against the cap in the next test
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            ndjsonLoadGetsItsReply(http);
        }
    }

    private void ndjsonLoadGetsItsReply(java.net.http.HttpClient http) throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        var created = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/collections/bulk"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        StringBuilder lines = new StringBuilder();
        int docs = 300;
        for (int i = 0; i < docs; i++) {
            String text = ("Document " + i + " of a bulk load about rivers, mountains, harbours and the trade between them. ").repeat(4);
            lines.append("{\"id\":\"d").append(i).append("\",\"text\":\"").append(text).append("\"}\n");
        }
        long start = System.nanoTime();
        var reply = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/collections/bulk/documents"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(lines.toString())).header("Content-Type", "application/x-ndjson")
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).contains("\"indexed\":" + docs);
        // the load must have outlasted the idle timeout, or this test proved nothing
        assertThat(ms).as("ingest time").isGreaterThan(IDLE_TIMEOUT_MS);
    }

    @Test
    void idleKeptAliveConnectionIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(IDLE_TIMEOUT_MS + HEADER_TIMEOUT_MS + 3000);
            var reply = RawHttp.read(s.getInputStream());
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.closed()).as("closed after being idle").isTrue();
        }
    }

    @Test
    void connectionsOverTheCapAreClosedAtOnceAndRoomReturns() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // Each held connection is served one request and kept alive: it counts, and no timeout closes it yet.
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                held.add(s);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                s.setSoTimeout(5000);
                byte[] head = new byte[12];
                assertThat(s.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
                assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            }
            try (Socket extra = new Socket("127.0.0.1", server.port())) {
                extra.setSoTimeout(2000);
                long start = System.nanoTime();
                assertThat(endOfStream(extra.getInputStream())).as("the connection over the cap is closed").isTrue();
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(HEADER_TIMEOUT_MS);
            }
        } finally {
            for (Socket s : held) s.close();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        int status = -1;
        while (status != 200 && System.nanoTime() < deadline) {
            status = RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2000).status();
            if (status != 200) Thread.sleep(50);
        }
        assertThat(status).isEqualTo(200);
    }

    /** True when the peer closed (or reset) the connection; false when nothing arrived within the socket timeout. */
    private static boolean endOfStream(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
