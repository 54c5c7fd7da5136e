package io.ringpool.telephony.asterisk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AMI on loopback whose every connection plays the next script the test queued (a hostile PBX:
 * a bad greeting, a login never answered "Success", a stream cut mid-packet...). With no script
 * queued, a connection is greeted, logged in and held open. It counts connections, when each was
 * made, and how many were open at once (a connector that leaks its loop would open several).
 */
final class ScriptedAmiServer implements AutoCloseable {

    /** What one connection does; it may return while the socket stays open (the server then holds it until the client leaves). */
    @FunctionalInterface
    interface Script {
        void play(Session s) throws IOException, InterruptedException;
    }

    /** One accepted connection, seen from the PBX. */
    static final class Session {
        final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void raw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Bytes one write (and one flush) at a time: the client sees the packet split at every byte. */
        void byteByByte(String text) throws IOException {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                out.write(b);
                out.flush();
            }
        }

        void greet() throws IOException {
            raw("Asterisk Call Manager/5.0.4\r\n");
        }

        /** Reads the client's Login action up to its empty line; returns its ActionID. */
        String readAction() throws IOException {
            StringBuilder packet = new StringBuilder();
            int previous = -1;
            int c;
            while ((c = in.read()) >= 0) {
                packet.append((char) c);
                if (c == '\n' && packet.toString().endsWith("\r\n\r\n")) {
                    break;
                }
                previous = c;
            }
            for (String line : packet.toString().split("\r\n")) {
                if (line.startsWith("ActionID:")) {
                    return line.substring(9).strip();
                }
            }
            return previous < 0 ? null : "";
        }

        /** Greets, takes the login and answers it with Success. */
        void logIn() throws IOException {
            greet();
            String id = readAction();
            raw(packet("Response: Success", "ActionID: " + id, "Message: Authentication accepted"));
        }

        void close() throws IOException {
            socket.close();
        }
    }

    static String packet(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private final ServerSocket server;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Session> held = new LinkedBlockingQueue<>();
    final List<Long> connectedAtNanos = new CopyOnWriteArrayList<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger mostOpenAtOnce = new AtomicInteger();
    private final Thread acceptor;

    ScriptedAmiServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon(true).name("scripted-ami").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    void then(Script script) {
        scripts.add(script);
    }

    /** The next connection that a default (or returning) script left open, waiting up to 20 s. */
    Session nextHeld() throws InterruptedException {
        Session s = held.poll(20, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the AMI client did not connect");
        }
        return s;
    }

    int connections() {
        return connectedAtNanos.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connectedAtNanos.add(System.nanoTime());
                mostOpenAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
                Script script = scripts.poll();
                Thread.ofPlatform().daemon(true).name("scripted-ami-session").start(() -> serve(socket, script));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket, Script script) {
        try (socket) {
            Session s = new Session(socket);
            if (script == null) {
                s.logIn();
            } else {
                script.play(s);
            }
            if (!socket.isClosed()) {
                held.add(s);
                // Hold the line (reading the client's Pings) until the client or the test closes it.
                while (socket.getInputStream().read() >= 0) {
                    // ignore
                }
            }
        } catch (IOException | InterruptedException ended) {
            // the test cut it, or the client left
        } finally {
            open.decrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
