package io.ringpool.telephony.asterisk;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small Asterisk Manager Interface on loopback speaking the real line protocol: the greeting
 * line, {@code Action: Login} answered {@code Response: Success} or {@code Error}, then events the
 * test writes as {@code Key: Value} lines and an empty line, all {@code \r\n}-terminated.
 */
final class FakeAmiServer implements AutoCloseable {
    private final ServerSocket server;
    private final String username;
    private final String secret;
    private final BlockingQueue<Socket> loggedIn = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    volatile int logins;
    volatile int refusedLogins;

    FakeAmiServer(String username, String secret) throws IOException {
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.username = username;
        this.secret = secret;
        this.acceptor = Thread.ofPlatform().daemon(true).name("fake-ami").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon(true).start(() -> greet(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void greet(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write("Asterisk Call Manager/5.0.4\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            Map<String, String> login = new LinkedHashMap<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                login.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
            if ("Login".equals(login.get("Action")) && username.equals(login.get("Username")) && secret.equals(login.get("Secret"))) {
                logins++; // counted before the answer, so a test that sees the client logged in sees the count
                write(s, "Response: Success", "ActionID: " + login.get("ActionID"), "Message: Authentication accepted");
                write(s, "Event: FullyBooted", "Privilege: system,all", "Status: Fully Booted");
                loggedIn.add(s);
                // Keep reading (Ping actions) until the client or the test closes the socket.
                while (in.readLine() != null) {
                    // ignore
                }
            } else {
                refusedLogins++;
                write(s, "Response: Error", "ActionID: " + login.get("ActionID"), "Message: Authentication failed");
                s.close();
            }
        } catch (IOException ended) {
            // the test dropped it, or the client left
        }
    }

    /** The next logged-in connection (waits for the client to log in). */
    Socket nextSession() throws InterruptedException {
        Socket s = loggedIn.poll(15, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the AMI client did not log in");
        }
        return s;
    }

    static void write(Socket s, String... lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        s.getOutputStream().write(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
