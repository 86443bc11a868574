package io.poisk.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a simulation runs against and how hard, from {@code -D} system properties (the Gatling Maven
 * plugin passes the Maven command line's {@code -D} flags on to the simulation JVM).
 *
 * @param baseUrl   {@code poisk.url}: the server, e.g. {@code http://127.0.0.1:8080}
 * @param users     {@code users}: concurrent virtual users (closed model)
 * @param duration  {@code seconds}: how long the measured load lasts
 * @param xquadFile {@code poisk.xquad}: XQuAD-ru SQuAD JSON (queries for search, text for ingest)
 */
public record LoadSettings(URI baseUrl, int users, Duration duration, Path xquadFile) {

    public LoadSettings {
        String host = baseUrl.getHost();
        // Load is only ever generated against this machine.
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            throw new IllegalArgumentException("poisk.url must point at 127.0.0.1 or localhost, got " + baseUrl);
        }
        if (users < 1) throw new IllegalArgumentException("users must be at least 1, got " + users);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("seconds must be positive, got " + duration);
    }

    public static LoadSettings fromSystemProperties(int defaultUsers) {
        String data = System.getProperty("poisk.data.dir", System.getenv().getOrDefault("POISK_DATA_FILES", "data"));
        return new LoadSettings(
                URI.create(stripTrailingSlash(System.getProperty("poisk.url", "http://127.0.0.1:8080"))),
                Integer.getInteger("users", defaultUsers),
                Duration.ofSeconds(Long.getLong("seconds", 60)),
                Path.of(System.getProperty("poisk.xquad", data + "/xquad-ru/xquad.ru.json")));
    }

    /** A positive integer property, for the knobs one simulation alone has. */
    public static int nonNegativeInt(String name, int defaultValue) {
        int value = Integer.getInteger(name, defaultValue);
        if (value < 0) throw new IllegalArgumentException(name + " must be at least 0, got " + value);
        return value;
    }

    public static int positiveInt(String name, int defaultValue) {
        int value = Integer.getInteger(name, defaultValue);
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        return value;
    }

    public String url() {
        return baseUrl.toString();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
