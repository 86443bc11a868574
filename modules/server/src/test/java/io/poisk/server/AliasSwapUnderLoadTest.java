package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An alias re-pointed 20 times between two collections of different contents while client threads search
 * through it: no search fails, and every answer comes wholly from one collection (the alias is resolved once
 * per search, at the engine's boundary).
 */
@Tag("model")
class AliasSwapUnderLoadTest {
    private static final int SWAPS = 20;
    private static final int CLIENTS = 3;
    private static final String[] QUERIES = {"garden note", "violin lessons", "marathon training", "roman history",
            "bicycle repair", "note about tomatoes"};

    @TempDir
    Path dataDir;

    @Test
    void everySearchSucceedsAndIsAnsweredByOneCollectionWhileTheAliasSwaps() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            AliasTest.createWithDocs(api, "left", "left");
            AliasTest.createWithDocs(api, "right", "right");
            assertThat(api.put("/aliases/live", json(Map.of("collection", "left"))).status()).isEqualTo(201);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger searches = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            Set<String> answeredBy = ConcurrentHashMap.newKeySet();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> running = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    ApiClient own = new ApiClient(server.port());
                    // Bounded in count and time; the swapper ends it sooner.
                    for (int i = 0; i < 5000 && !stop.get() && System.nanoTime() < deadline; i++) {
                        String query = QUERIES[(client + i) % QUERIES.length];
                        var r = own.post("/collections/live/search", json(Map.of("query", query, "k", 10)));
                        searches.incrementAndGet();
                        if (r.status() != 200) {
                            failures.add(r.status() + " " + r.raw());
                            continue;
                        }
                        Set<String> collections = new java.util.HashSet<>();
                        r.body().path("hits").forEach(h -> collections.add(h.path("id").asText().split("-")[0]));
                        if (collections.size() != 1) failures.add("hits from " + collections + ": " + r.raw());
                        answeredBy.addAll(collections);
                    }
                }));
            }
            int swapped = 0;
            for (int s = 1; s <= SWAPS && System.nanoTime() < deadline; s++) {
                int before = searches.get();
                // A few searches between swaps, so each swap lands among running ones.
                while (searches.get() < before + CLIENTS && System.nanoTime() < deadline) Thread.sleep(2);
                var r = api.put("/aliases/live", json(Map.of("collection", s % 2 == 1 ? "right" : "left")));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                swapped++;
            }
            stop.set(true);
            for (Future<?> f : running) f.get(60, TimeUnit.SECONDS);
            clients.shutdown();

            assertThat(swapped).isEqualTo(SWAPS);
            assertThat(failures).isEmpty();
            assertThat(searches.get()).as("searches ran across the swaps").isGreaterThan(SWAPS * CLIENTS);
            assertThat(answeredBy).as("both collections answered through the alias").containsExactlyInAnyOrder("left", "right");
            assertThat(api.get("/aliases/live").body().path("collection").asText()).isEqualTo("left"); // 20 swaps: back where it started
            System.out.printf("alias swap under load: %d swaps, %d searches by %d clients, 0 failed%n", swapped, searches.get(), CLIENTS);
        }
    }
}
