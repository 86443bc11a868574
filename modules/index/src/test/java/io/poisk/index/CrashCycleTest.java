package io.poisk.index;

import io.poisk.core.Hit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 again and again: a child JVM upserts and deletes (flushes and merges run behind it) and is killed at
 * a random point; after each kill the collection must hold every acknowledged write, nothing acknowledged
 * deleted, no document nobody wrote, and an unacknowledged write either whole or not at all.
 */
@Tag("process")
class CrashCycleTest {
    private static final Logger log = LoggerFactory.getLogger(CrashCycleTest.class);

    @TempDir
    Path tmp;

    /** Every id written so far: true present, false deleted (both acknowledged). */
    private final Map<String, Boolean> state = new LinkedHashMap<>();
    /** Ids whose last write was in flight at the kill. */
    private final Set<String> uncertain = new HashSet<>();

    @Test
    void tenKillCyclesLoseNothingAcknowledgedAndInventNothing() throws Exception {
        cycles(10, 1, 400);
    }

    @Test
    @Tag("slow")
    void hundredKillCycles() throws Exception {
        cycles(100, 2, 1500);
    }

    private void cycles(int n, long seed, int maxAcksPerCycle) throws Exception {
        Random random = new Random(seed);
        Path dir = tmp.resolve("c");
        long started = System.nanoTime();
        for (int cycle = 0; cycle < n; cycle++) {
            int acked = runAndKill(dir, cycle * 1_000_000, 50 + random.nextInt(maxAcksPerCycle));
            verify(dir, random);
            log.info("cycle {}: killed after {} acknowledged upserts; {} documents checked", cycle, acked, state.size());
        }
        log.info("{} kill cycles in {} s", n, (System.nanoTime() - started) / 1_000_000_000);
    }

    private int runAndKill(Path dir, int firstNumber, int killAfterAcks) throws Exception {
        Process child = ChildJvm.start(CrashCycleWriter.class, tmp.resolve("child.err"), dir.toString(), Integer.toString(firstNumber));
        List<String> lines = new ArrayList<>();
        int acks = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("child did not start; see %s", tmp.resolve("child.err")).isEqualTo("ready");
            while (acks < killAfterAcks && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("+")) acks++;
            }
            ChildJvm.kill9(child);
            while ((line = out.readLine()) != null) lines.add(line); // what it wrote before it died
        } finally {
            child.destroyForcibly();
        }
        assertThat(acks).as("the child died early; see %s", tmp.resolve("child.err")).isEqualTo(killAfterAcks);
        for (String l : lines) {
            if (l.startsWith("?+")) {
                int first = Integer.parseInt(l.substring(2));
                for (int i = first; i < first + CrashCycleWriter.BATCH; i++) uncertain.add("c" + i);
            } else if (l.startsWith("?-")) {
                uncertain.add(l.substring(2));
            } else if (l.startsWith("+") || l.startsWith("-")) {
                String id = l.substring(1);
                uncertain.remove(id);
                state.put(id, l.startsWith("+"));
            }
        }
        return acks;
    }

    private void verify(Path dir, Random random) throws Exception {
        try (CollectionIndex c = CollectionIndex.open(dir, CrashCycleWriter.OPTS)) {
            assertThat(c.readOnlyReason()).isEmpty();
            assertThat(c.quarantined()).isEmpty();
            for (String id : uncertain) {
                boolean present = c.get(id).isPresent();
                if (present) assertThat(c.get(id).get().text()).as(id).isEqualTo(CrashCycleWriter.textOf(id));
                state.put(id, present); // from now on what the disk says is what was written
            }
            uncertain.clear();
            List<String> present = new ArrayList<>();
            for (var e : state.entrySet()) {
                var doc = c.get(e.getKey());
                assertThat(doc.isPresent()).as("%s acknowledged as %s", e.getKey(), e.getValue() ? "written" : "deleted")
                        .isEqualTo(e.getValue());
                if (e.getValue()) {
                    assertThat(doc.get().text()).isEqualTo(CrashCycleWriter.textOf(e.getKey()));
                    present.add(e.getKey());
                }
            }
            assertThat(c.documentCount()).as("documents nobody wrote (phantoms)").isEqualTo(present.size());
            for (int i = 0; i < 10 && !present.isEmpty(); i++) {
                String id = present.get(random.nextInt(present.size()));
                float[] v = CrashingWriter.vectorOf(Integer.parseInt(id.substring(1)));
                assertThat(c.search(v, 10)).extracting(Hit::id).as("search finds %s", id).contains(id);
            }
        }
    }
}
