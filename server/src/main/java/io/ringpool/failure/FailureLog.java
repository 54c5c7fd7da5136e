package io.ringpool.failure;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warnings of work that fails over and over while the store is away (the outbox's poll every
 * 250 ms, the cluster's beats and change polls, a request's {@code store_unavailable}): one line per
 * event and reason per {@link #INTERVAL_SECONDS}, the next one after it saying how many were held
 * back ({@code repeated=N}). A 36 s PostgreSQL outage wrote 209 lines, ~6 a second, an hour's
 * ~20,000, burying the first line that said what happened (audit AM3 F2).
 *
 * <p>The reason is told in words, the messages of the failure and its causes, never a Java class
 * name, on one line and without a stack trace. {@link #heldBackSinceLastAsked} gives the store probe
 * the count of lines held back for its one line when the store is back.
 */
public final class FailureLog {
    /** At most one line per event and reason in this many seconds. */
    public static final long INTERVAL_SECONDS = 30;
    /** Longest reason kept: a driver's message can quote a whole statement. */
    static final int MAX_REASON_CHARS = 300;
    /** Distinct events and reasons remembered at most; past it they are forgotten (a line may then come early). */
    static final int MAX_KEYS = 1_000;

    /** The one the server's components share: a flood is one flood whichever component meets it. */
    public static final FailureLog SHARED = new FailureLog(System::nanoTime);

    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** When a key's last line was written, and how many were held back since. */
    private static final class Window {
        long loggedAtNanos;
        long heldBack;
    }

    public FailureLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** {@code event reason=…}, unless the same event and reason was logged less than the interval ago. */
    public void warn(Logger log, String event, Throwable failure) {
        warn(log, event, "", failure);
    }

    /**
     * {@code event detail reason=…}; {@code detail} ({@code site=st_x}) is part of what makes two
     * warnings the same.
     */
    public void warn(Logger log, String event, String detail, Throwable failure) {
        String reason = reason(failure);
        String key = event + '\u0000' + detail + '\u0000' + reason;
        long now = nanoTime.getAsLong();
        long repeated;
        if (windows.size() >= MAX_KEYS && !windows.containsKey(key)) {
            windows.clear();
        }
        Window window = windows.computeIfAbsent(key, k -> new Window());
        synchronized (window) {
            boolean first = window.loggedAtNanos == 0 && window.heldBack == 0;
            if (!first && now - window.loggedAtNanos < TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS)) {
                window.heldBack++;
                return;
            }
            repeated = window.heldBack;
            window.heldBack = 0;
            window.loggedAtNanos = now == 0 ? 1 : now;
        }
        log.warn("{}{} reason={}{}", event, detail.isEmpty() ? "" : " " + detail, reason,
                repeated > 0 ? " repeated=" + repeated + " (lines held back in the last " + INTERVAL_SECONDS + " s or more)" : "");
    }

    /**
     * The lines held back since the last call, over every event, and forgets them: a warning after
     * this is logged at once. For the store probe's line when the store is back.
     */
    public long heldBackSinceLastAsked() {
        long total = 0;
        for (var it = windows.values().iterator(); it.hasNext(); ) {
            Window window = it.next();
            synchronized (window) {
                total += window.heldBack;
            }
            it.remove();
        }
        return total;
    }

    /**
     * A failure in words: its message and its causes' messages, each once, joined by ": ", on one
     * line, without class names ({@code StoreException: database read failed} was
     * {@code reason=io.ringpool.store.StoreException: database read failed}). A failure with no
     * message anywhere is named by its simple class name, the only words there are.
     */
    public static String reason(Throwable failure) {
        Set<String> parts = new LinkedHashSet<>();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 8; t = t.getCause() == t ? null : t.getCause(), depth++) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                continue;
            }
            // A wrapper's message is often its cause's toString() ("java.io.IOException: No space …").
            String line = message.replaceAll("\\s+", " ").strip()
                    .replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ", "");
            if (parts.stream().noneMatch(p -> p.contains(line))) {
                parts.add(line);
            }
        }
        String words = parts.isEmpty() ? (failure == null ? "unknown" : failure.getClass().getSimpleName()) : String.join(": ", parts);
        return words.length() > MAX_REASON_CHARS ? words.substring(0, MAX_REASON_CHARS) + "…" : words;
    }
}
