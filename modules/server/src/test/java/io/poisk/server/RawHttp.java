package io.poisk.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP over a plain socket, for requests no HTTP client will send (bad chunk sizes, dot segments, raw bytes). */
final class RawHttp {
    /** What came back: the status (-1 when the server closed without a reply) and the whole text. */
    record Reply(int status, String text, boolean closed) {
    }

    private RawHttp() {
    }

    /** Sends the bytes, then reads until the server closes the connection or {@code timeoutMs} passes. */
    static Reply exchange(int port, byte[] request, int timeoutMs) {
        return exchange(port, request, timeoutMs, false);
    }

    /** As above; with {@code halfClose} the client then shuts its output, as a client that sent all it will. */
    static Reply exchange(int port, byte[] request, int timeoutMs, boolean halfClose) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(timeoutMs);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                if (halfClose) socket.shutdownOutput();
            } catch (IOException e) {
                // the server may close before reading all of a refused request; what it answered is still readable
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply exchange(int port, String request, int timeoutMs) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), timeoutMs);
    }

    static Reply read(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean closed = false;
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // still open
        } catch (IOException e) {
            closed = true; // reset
        }
        String text = out.toString(StandardCharsets.UTF_8);
        return new Reply(status(text), text, closed);
    }

    static int status(String text) {
        if (!text.startsWith("HTTP/1.")) return -1;
        int sp = text.indexOf(' ');
        return Integer.parseInt(text.substring(sp + 1, sp + 4));
    }
}
