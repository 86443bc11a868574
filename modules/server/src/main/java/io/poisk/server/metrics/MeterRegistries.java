package io.poisk.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.poisk.core.PoiskConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one registry of a server and the Vert.x instance that reports into it. With {@code metrics.enabled} a
 * Prometheus registry gets Vert.x's HTTP, WebSocket and event-bus meters (vertx-micrometer-metrics), the JVM's,
 * and the engine's; without, the engine's meters go to an in-memory registry (for /stats) and Vert.x
 * records nothing.
 */
public final class MeterRegistries {
    /** Vert.x timers exported with histogram buckets. */
    private static final Set<String> HISTOGRAMS = Set.of("vertx.http.server.response.time", "vertx.eventbus.processing.time");

    private MeterRegistries() {
    }

    public static MeterRegistry create(PoiskConfig config) {
        if (!enabled(config)) return new SimpleMeterRegistry();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Vert.x's timers carry no buckets of their own; with them, histogram_quantile works on HTTP latency too
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!HISTOGRAMS.contains(id.getName())) return config;
                return DistributionStatisticConfig.builder().percentilesHistogram(true)
                        .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                        .maximumExpectedValue((double) Duration.ofSeconds(60).toNanos()).build().merge(config);
            }
        });
        return registry;
    }

    public static Vertx vertx(VertxOptions options, MeterRegistry registry) {
        return builder(options, registry).build();
    }

    /** A Vert.x builder with {@code options} and, when {@code registry} is Prometheus, Vert.x's meters in it (a clustered one is built from this). */
    public static VertxBuilder builder(VertxOptions options, MeterRegistry registry) {
        if (!(registry instanceof PrometheusMeterRegistry)) return Vertx.builder().with(options);
        // route, not path: the route pattern (/collections/:name/search) keeps the label set small
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_ADDRESS, Label.EB_FAILURE,
                        Label.POOL_TYPE, Label.POOL_NAME)); // without the pool labels two pools' gauges would collide
        return Vertx.builder().with(options.setMetricsOptions(metrics)).withMetrics(new MicrometerMetricsFactory(registry));
    }

    private static boolean enabled(PoiskConfig config) {
        return Boolean.parseBoolean(config.string("metrics.enabled").trim());
    }
}
