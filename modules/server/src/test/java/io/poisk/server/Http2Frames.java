package io.poisk.server;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Just enough HTTP/2 (RFC 9113) over a TLS socket with ALPN "h2" for connection-lifetime tests: the client preface,
 * a GET with literal HPACK headers (no Huffman, no dynamic table), and reading frames until a stream ends or the
 * server closes the connection. SETTINGS frames are acknowledged; everything else is read and skipped.
 */
final class Http2Frames implements AutoCloseable {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0, HEADERS = 0x1, SETTINGS = 0x4;
    private static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private Http2Frames(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static Http2Frames open(SSLContext ssl, int port) throws IOException {
        SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(params);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) throw new IOException("the server did not choose h2: " + socket.getApplicationProtocol());
        Http2Frames frames = new Http2Frames(socket);
        frames.out.write(PREFACE);
        frames.frame(SETTINGS, 0, 0, new byte[0]);
        return frames;
    }

    /** A GET of {@code path} on {@code stream} (odd, increasing), ending the stream. */
    void get(int stream, String path, String authority) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET (static table 2)
        block.write(0x87); // :scheme https (7)
        literal(block, 4, path); // :path, name from static table 4
        literal(block, 1, authority); // :authority (1)
        frame(HEADERS, END_STREAM | END_HEADERS, stream, block.toByteArray());
    }

    /** True once a frame ends {@code stream}; false if the connection closed first. */
    boolean readUntilEndOfStream(int stream, long timeoutMs) throws IOException {
        socket.setSoTimeout((int) timeoutMs);
        while (true) {
            int[] head = readFrame();
            if (head == null) return false;
            if ((head[0] == DATA || head[0] == HEADERS) && head[2] == stream && (head[1] & END_STREAM) != 0) return true;
        }
    }

    /** Reads (and answers SETTINGS) until the server closes the connection; fails if it is still open after {@code timeoutMs}. */
    void readUntilClosed(long timeoutMs) throws IOException {
        socket.setSoTimeout((int) timeoutMs);
        try {
            while (readFrame() != null) {
                // skipped: the server's settings, window updates, and its GOAWAY before it closes
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for " + timeoutMs + " ms", e);
        }
    }

    /** {type, flags, stream} of the next frame (its payload read and dropped), or null at the end of the stream. */
    private int[] readFrame() throws IOException {
        byte[] header = new byte[9];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException) throw e;
            return null; // reset by the server: closed as well
        }
        int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
        int type = header[3] & 0xff, flags = header[4] & 0xff;
        int stream = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | (header[8] & 0xff);
        in.readFully(new byte[length]);
        if (type == SETTINGS && (flags & ACK) == 0) frame(SETTINGS, ACK, 0, new byte[0]);
        return new int[] {type, flags, stream};
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        try {
            out.write(header);
            out.write(payload);
            out.flush();
        } catch (IOException e) {
            if (type != SETTINGS) throw e; // an acknowledgement the closing server no longer reads
        }
    }

    /** A literal header field without indexing, its name from the static table (RFC 7541 6.2.2), value < 127 bytes. */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        block.write(nameIndex); // 0000 + 4-bit index
        block.write(v.length);
        block.write(v, 0, v.length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
