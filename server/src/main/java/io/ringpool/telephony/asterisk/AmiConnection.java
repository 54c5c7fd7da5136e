package io.ringpool.telephony.asterisk;

import io.ringpool.call.CallEvent;
import java.io.IOException;
import java.io.OutputStream;
import io.ringpool.outbound.AddressPolicy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One site's connection to its PBX's Asterisk Manager Interface (AMI, a line protocol over TCP).
 *
 * <pre>
 *            connect ok, banner, Login Success
 *  CONNECTING ─────────────────────────────────> CONNECTED
 *      ^   │ refused / timeout / Login Error          │ EOF, reset, no answer to Ping
 *      │   v                                          v
 *      └─ DISCONNECTED (or AUTH_FAILED) <─────────────┘   waits the backoff, then CONNECTING
 *                         close() from any state -> CLOSED (final)
 * </pre>
 * The protocol: the PBX greets with one line ({@code Asterisk Call Manager/x.y}); we send
 * {@code Action: Login} with {@code Username}, {@code Secret} and {@code Events: call,cdr}; every
 * packet is {@code Key: Value} lines ended by an empty line ({@code \r\n}). We read events and, when
 * the line is quiet for {@link #PING_EVERY}, send {@code Action: Ping}; a connection silent for two
 * of those is dead.
 *
 * <p>Backoff between attempts doubles from the initial delay up to {@link #MAX_BACKOFF}, and is reset
 * only by a session that stayed logged in for {@link #STABLE_SESSION}: a PBX that accepts the login
 * and drops the line at once is retried ever more slowly, not once per initial delay forever. One
 * virtual thread per connection; events are ingested on it, in order. An event the tracker cannot
 * read is logged and skipped; it never ends the connection (the events after it would be lost).
 */
final class AmiConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AmiConnection.class);

    /** Connection states, for /health and the metric {@code ringpool_asterisk_connected}. */
    enum State { CONNECTING, CONNECTED, DISCONNECTED, AUTH_FAILED, CLOSED }

    /** A quiet line gets a Ping this often; two quiet periods in a row end the connection. */
    static final Duration PING_EVERY = Duration.ofSeconds(30);

    /** Longest wait between attempts. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** TCP connect timeout. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** A session logged in at least this long resets the backoff when it ends. */
    static final Duration STABLE_SESSION = Duration.ofSeconds(30);

    /** A packet with more lines than this is not AMI; the connection is dropped. */
    static final int MAX_LINES_PER_PACKET = 500;

    private final String siteId;
    private final String host;
    private final AddressPolicy policy;
    private final int port;
    private final String username;
    private final String secret;
    private final Duration initialBackoff;
    private final Consumer<CallEvent> sink;
    private final AmiCallTracker tracker;
    private final AtomicReference<State> state = new AtomicReference<>(State.DISCONNECTED);
    private final AtomicReference<Instant> since;
    private final Clock clock;
    private volatile Socket socket;
    private volatile boolean closed;
    private Thread thread;
    /** The back-off between connections waits on this, so {@link #close} can end it without an interrupt. */
    private final Object backoffWait = new Object();

    /** Longest {@link #close} waits for an event being stored to finish before it returns. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    AmiConnection(String siteId, String host, int port, String username, String secret, Duration initialBackoff,
            Predicate<String> isTrackingNumber, Consumer<CallEvent> sink, Clock clock) {
        this(siteId, host, port, username, secret, initialBackoff, isTrackingNumber, sink, clock, null);
    }

    /** @param policy the outbound address policy each connection's address is checked against; null: none (tests of the protocol) */
    AmiConnection(String siteId, String host, int port, String username, String secret, Duration initialBackoff,
            Predicate<String> isTrackingNumber, Consumer<CallEvent> sink, Clock clock, AddressPolicy policy) {
        this.policy = policy;
        this.siteId = siteId;
        this.host = host;
        this.port = port;
        this.username = username;
        this.secret = secret;
        this.initialBackoff = initialBackoff;
        this.sink = sink;
        this.clock = clock;
        this.tracker = new AmiCallTracker(isTrackingNumber, clock);
        this.since = new AtomicReference<>(clock.instant());
    }

    /**
     * Where to connect: the host resolved once, and with a policy only an allowed address of it, the
     * very one connected to (a name that resolved to a public address when the settings were saved
     * may resolve to an internal one now).
     */
    private InetSocketAddress checkedAddress() throws IOException {
        if (policy == null) {
            return new InetSocketAddress(host, port);
        }
        AddressPolicy.Verdict verdict = policy.resolve(host);
        if (verdict.anyRefused() || verdict.allowed().isEmpty()) {
            throw new IOException("address_refused " + (verdict.refused().isEmpty() ? host : verdict.refused().get(0).getHostAddress())
                    + " (allow it with outbound.allow)");
        }
        return new InetSocketAddress(verdict.allowed().get(0), port);
    }

    void start() {
        thread = Thread.ofVirtual().name("ringpool-ami-" + siteId).start(this::run);
    }

    State state() {
        return state.get();
    }

    Instant since() {
        return since.get();
    }

    private void become(State s) {
        if (state.getAndSet(s) != s) {
            since.set(clock.instant());
        }
    }

    private void run() {
        Duration backoff = initialBackoff;
        while (!closed) {
            become(State.CONNECTING);
            boolean loggedIn = false;
            Instant loggedInAt = null;
            try (Socket s = new Socket()) {
                socket = s;
                s.connect(checkedAddress(), (int) CONNECT_TIMEOUT.toMillis());
                s.setSoTimeout((int) PING_EVERY.toMillis());
                AmiLines in = new AmiLines(s.getInputStream());
                OutputStream out = s.getOutputStream();
                String banner = in.next();
                if (banner == null || !banner.startsWith("Asterisk Call Manager")) {
                    throw new IOException("not an AMI greeting");
                }
                send(out, Map.of("Action", "Login", "ActionID", "ringpool-login", "Username", username, "Secret", secret,
                        "Events", "call,cdr"));
                AmiMessage reply = readUntilResponse(in);
                if (!"Success".equalsIgnoreCase(reply.get("Response"))) {
                    become(State.AUTH_FAILED);
                    LOG.warn("ami_login_failed site={} host={} message={}", siteId, host, reply.get("Message"));
                } else {
                    loggedIn = true;
                    loggedInAt = clock.instant();
                    become(State.CONNECTED);
                    LOG.info("ami_connected site={} host={} port={}", siteId, host, port);
                    readEvents(in, out);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.info("ami_disconnected site={} host={} reason={}", siteId, host, e.toString());
                }
            } finally {
                socket = null;
            }
            if (closed) {
                break;
            }
            if (state.get() != State.AUTH_FAILED || loggedIn) {
                become(State.DISCONNECTED);
            }
            if (loggedInAt != null && Duration.between(loggedInAt, clock.instant()).compareTo(STABLE_SESSION) >= 0) {
                backoff = initialBackoff; // the line was up a good while: the PBX restarted, so come back soon
            }
            try {
                synchronized (backoffWait) {
                    if (!closed) {
                        backoffWait.wait(backoff.toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        become(State.CLOSED);
    }

    private void readEvents(AmiLines in, OutputStream out) throws IOException {
        int quiet = 0;
        while (!closed) {
            AmiMessage m;
            try {
                m = read(in);
            } catch (SocketTimeoutException silence) {
                if (++quiet >= 2) {
                    throw new IOException("no answer to Ping for " + PING_EVERY.multipliedBy(2).toSeconds() + " s");
                }
                send(out, Map.of("Action", "Ping", "ActionID", "ringpool-ping"));
                continue;
            }
            if (m == null) {
                throw new IOException("connection closed by the PBX");
            }
            quiet = 0;
            List<CallEvent> events;
            try {
                events = tracker.on(m);
            } catch (RuntimeException unreadable) {
                LOG.warn("ami_event_unreadable site={} event={} reason={}", siteId, printable(m.get("Event")), unreadable.toString());
                continue;
            }
            for (CallEvent e : events) {
                try {
                    sink.accept(e);
                } catch (RuntimeException failed) {
                    LOG.warn("ami_event_not_stored site={} call={} kind={} reason={}", siteId, e.providerCallId(), e.kind().wireName(),
                            failed.toString());
                }
            }
        }
    }

    /** A PBX's text fit for one log line: control characters shown as '?', at most 64 characters. */
    private static String printable(String s) {
        if (s == null) {
            return "-";
        }
        String cut = s.length() > 64 ? s.substring(0, 64) : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static AmiMessage readUntilResponse(AmiLines in) throws IOException {
        for (int i = 0; i < 100; i++) {
            AmiMessage m = read(in);
            if (m == null) {
                throw new IOException("connection closed during login");
            }
            if (m.get("Response") != null) {
                return m;
            }
        }
        throw new IOException("no answer to Login");
    }

    /**
     * The next packet, or null at the end of the stream. Fields without a value read as absent
     * ({@link AmiMessage#get} gives null), but the message knows they were sent
     * ({@link AmiMessage#sentEmpty}): a CDR's empty {@code DestinationChannel} says the leg had no one
     * on the other end.
     */
    static AmiMessage read(AmiLines in) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        boolean anyValue = false;
        int lines = 0;
        while (true) {
            String line = in.next();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (!anyValue) {
                    fields.clear();
                    lines = 0; // nothing readable yet: what came before was not a packet
                    continue;
                }
                return AmiMessage.of(fields);
            }
            if (++lines > MAX_LINES_PER_PACKET) {
                throw new IOException("packet too long");
            }
            int colon = line == AmiLines.OVERLONG ? -1 : line.indexOf(':');
            if (colon > 0) {
                String value = line.substring(colon + 1).strip();
                fields.putIfAbsent(line.substring(0, colon).strip(), value);
                anyValue |= !value.isEmpty();
            }
        }
    }

    private static void send(OutputStream out, Map<String, String> fields) throws IOException {
        StringBuilder b = new StringBuilder();
        // Action first: Asterisk reads the action name from the first line.
        b.append("Action: ").append(fields.get("Action")).append("\r\n");
        fields.forEach((k, v) -> {
            if (!k.equals("Action")) {
                b.append(k).append(": ").append(v).append("\r\n");
            }
        });
        out.write(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Stops the connection: closes the socket (which ends a blocking read or connect at once) and
     * wakes the back-off, then waits up to {@link #CLOSE_WAIT} for the thread to end. Never
     * interrupts it: the thread may be storing an event, and an interrupt that lands inside a
     * file channel operation (the store's reads, the call path's writes) closes that channel for
     * everyone — the failure a clean stop of the sweeper and compactor had (issue 17).
     */
    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        synchronized (backoffWait) {
            backoffWait.notifyAll();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!t.join(CLOSE_WAIT)) {
                    LOG.warn("ami_close_slow site={} waitedMillis={}", siteId, CLOSE_WAIT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        become(State.CLOSED);
    }
}
