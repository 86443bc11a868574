package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * HTTPS from PEM files made at test time by openssl: a client that asks for HTTP/2 gets it over ALPN, an
 * HTTP/1.1 client keeps HTTP/1.1, both trusting only that self-signed certificate; plain HTTP is not served.
 */
@Tag("model")
class TlsHttp2Test {
    static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir
    Path dir;

    @Test
    void http2OverAlpnWithPemCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);

        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"),
                Map.of("tls.cert_path", cert.toString(), "tls.key_path", key.toString())))) {
            SSLContext trustingOurCert = sslContextTrusting(cert);
            URI health = URI.create("https://127.0.0.1:" + server.port() + "/health");
            for (HttpClient.Version asked : java.util.List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
                try (HttpClient client = HttpClient.newBuilder().version(asked).sslContext(trustingOurCert)
                        .connectTimeout(Duration.ofSeconds(10)).build()) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.version()).as("protocol when the client asks for %s", asked).isEqualTo(asked);
                    assertThat(r.body()).contains("\"status\":\"up\"");
                }
            }
            // plain HTTP on the TLS port is not a way around it
            try (HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()) {
                assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void halfAConfigurationIsRefusedAtStart() {
        assertThatThrownBy(() -> PoiskServer.start(TestServers.config(dir.resolve("data2"), Map.of("tls.cert_path", dir.resolve("nope.pem").toString()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls.key_path");
    }

    /**
     * HTTP/2 connections are timed as HTTP/1 ones are: one that never sends a request is closed after the head
     * timeout, and one whose last stream ended is closed after the idle timeout plus the head timeout, not before.
     * Raw frames over an ALPN "h2" socket, so that the test sees the server close the connection.
     */
    @Test
    void idleHttp2ConnectionsAreClosed() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        selfSigned(cert, key);
        long headMs = 1_000, idleMs = 2_000;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of("tls.cert_path", cert.toString(),
                "tls.key_path", key.toString(), "limits.header_timeout_ms", String.valueOf(headMs), "limits.idle_timeout_ms",
                String.valueOf(idleMs))))) {
            SSLContext ssl = sslContextTrusting(cert);
            try (Http2Frames silent = Http2Frames.open(ssl, server.port())) {
                long t0 = System.nanoTime();
                silent.readUntilClosed(headMs + 10_000);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("a connection that never asks closed after the head timeout").isBetween(headMs - 200, headMs + 5_000);
            }
            try (Http2Frames asking = Http2Frames.open(ssl, server.port())) {
                asking.get(1, "/health", "127.0.0.1:" + server.port());
                assertThat(asking.readUntilEndOfStream(1, 10_000)).as("the response").isTrue();
                long t0 = System.nanoTime();
                asking.readUntilClosed(idleMs + headMs + 10_000);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("closed after idle + head timeout, not before").isBetween(idleMs + headMs - 300, idleMs + headMs + 5_000);
            }
        }
    }

    static void selfSigned(Path cert, Path key) throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "needs /usr/bin/openssl to make a self-signed certificate");
        Path log = cert.resolveSibling("openssl.log");
        Process p = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }

    private static SSLContext sslContextTrusting(Path certPem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            trust.setCertificateEntry("poisk", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
