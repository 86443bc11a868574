package io.poisk.server;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Copies what the server logs (slf4j-simple writes to the current System.err) so a test can check that bad
 * input produced no ERROR line and no stack trace: those are for the server's own faults.
 */
final class ServerLogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    ServerLogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (copy) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (copy) {
                    copy.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Everything logged since this capture began. */
    String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /** ERROR lines and stack-trace lines logged since this capture began. */
    List<String> errorsAndStackTraces() {
        String text;
        synchronized (copy) {
            text = copy.toString(StandardCharsets.UTF_8);
        }
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(" ERROR ") || l.startsWith("\tat ")).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
