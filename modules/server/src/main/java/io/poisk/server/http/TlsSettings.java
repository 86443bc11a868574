package io.poisk.server.http;

import io.poisk.core.PoiskConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * HTTPS from PEM files ({@code tls.cert_path}, {@code tls.key_path}). With TLS on, ALPN offers HTTP/2 first
 * and HTTP/1.1 after it, so a client that asks gets h2 and every other one keeps HTTP/1.1; clear-text h2c
 * stays off (see HttpApiVerticle). Both paths empty: plain HTTP.
 */
public record TlsSettings(Path certPath, Path keyPath) {
    public static final TlsSettings NONE = new TlsSettings(null, null);

    public static TlsSettings from(PoiskConfig config) {
        String cert = config.string("tls.cert_path").trim();
        String key = config.string("tls.key_path").trim();
        if (cert.isEmpty() && key.isEmpty()) return NONE;
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("TLS needs both tls.cert_path and tls.key_path (got cert '" + cert + "', key '" + key + "')");
        }
        for (String p : List.of(cert, key)) {
            if (!Files.isReadable(Path.of(p))) throw new IllegalArgumentException("TLS file " + Path.of(p).toAbsolutePath() + " is not readable");
        }
        return new TlsSettings(Path.of(cert), Path.of(key));
    }

    public boolean enabled() {
        return certPath != null;
    }

    /** Adds the key, the certificate and ALPN (h2, http/1.1) to the server options; nothing when TLS is off. */
    HttpServerOptions applyTo(HttpServerOptions options) {
        if (!enabled()) return options;
        return options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath.toString()).setKeyPath(keyPath.toString()));
    }
}
