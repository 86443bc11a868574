package io.poisk.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** A WebSocket client over a plain socket that can send frames a real client never would (bad bits, bad UTF-8, huge lengths). */
final class RawWebSocket implements AutoCloseable {
    static final int NO_CLOSE_FRAME = -1;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawWebSocket open(int port, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        ws.out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) head.write(ws.in.readUnsignedByte());
        if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no WebSocket upgrade: " + head);
        }
        return ws;
    }

    /** Writes one frame: {@code first} is the FIN/RSV/opcode byte; client frames are masked unless {@code masked} is false. */
    void frame(int first, byte[] payload, boolean masked) throws IOException {
        frameHeader(first, payload.length, masked);
        byte[] key = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(key);
            out.write(key);
        }
        byte[] body = payload.clone();
        if (masked) for (int i = 0; i < body.length; i++) body[i] ^= key[i % 4];
        out.write(body);
        out.flush();
    }

    /** Only a header declaring {@code length} bytes (a masked frame), for length limits checked before the payload. */
    void frameHeader(int first, long length, boolean masked) throws IOException {
        out.write(first);
        int mask = masked ? 0x80 : 0;
        if (length < 126) {
            out.write(mask | (int) length);
        } else if (length < 65536) {
            out.write(mask | 126);
            out.write((int) (length >> 8));
            out.write((int) length);
        } else {
            out.write(mask | 127);
            for (int i = 7; i >= 0; i--) out.write((int) (length >> (8 * i)));
        }
        out.flush();
    }

    void readTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    void text(String message) throws IOException {
        frame(0x81, message.getBytes(StandardCharsets.UTF_8), true);
    }

    /** The next text message, skipping pings; null when a close frame or the end of the stream comes first. */
    String nextText() throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            byte[] payload = payload();
            if ((first & 0x0f) == 0x1) return new String(payload, StandardCharsets.UTF_8);
            if ((first & 0x0f) == 0x8) return null;
        }
    }

    /** The status of the server's close frame, skipping other frames; {@link #NO_CLOSE_FRAME} if the socket ended without one. */
    int closeCode() throws IOException {
        try {
            while (true) {
                int first = in.readUnsignedByte();
                byte[] payload = payload();
                if ((first & 0x0f) == 0x8) return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        } catch (EOFException | SocketTimeoutException e) {
            return NO_CLOSE_FRAME;
        } catch (IOException e) {
            return NO_CLOSE_FRAME; // reset
        }
    }

    private byte[] payload() throws IOException {
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) length = in.readUnsignedShort();
        else if (length == 127) length = in.readLong();
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
