package io.ringpool.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.loadtest.AccuracyClassifier.ServerAttribution;
import io.ringpool.loadtest.AccuracyClassifier.Truth;
import io.ringpool.loadtest.TrafficModel.CallPlan;
import io.ringpool.loadtest.TrafficModel.Timing;
import io.ringpool.loadtest.TrafficModel.Visit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Plays a {@link TrafficModel} plan against a server in accelerated simulated time and judges every
 * call's attribution against the truth.
 *
 * <h2>Accelerated time</h2>
 * The server runs with {@code RINGPOOL_TEST_CLOCK=true}. Simulated time advances in steps of
 * {@code stepSeconds}: {@code POST /v1/test/clock {"advanceSeconds": step}} moves the server clock
 * and runs its sweeper once; then every event due in that step is sent, in time order, one request
 * at a time (so which visitor gets which number does not depend on thread timing, and a run
 * repeats). When nothing is due for a while (night), the clock jumps to the next event's step.
 * Consequence: every request of a step carries the step's end time (resolution = the step), and
 * the server's own real-time sweeper may also run between steps (harmless: it uses the same clock).
 *
 * <h2>The script, as simulated</h2>
 * Mirrors js-snippet/README.md: a session start on landing; heartbeats every
 * {@code heartbeatSeconds} only while the page is visible, and one at once when it becomes visible
 * again; a 410 starts a new session for the same visitor (possibly a new number, which the page then
 * shows); every further page view = end beacon of the old page, heartbeat and page view from the new
 * one; a second tab = heartbeat + page view (the first tab is then in the background), closing it
 * sends an end beacon; a {@code tel:} click sends an intent and hides the page until the call ends;
 * leaving sends the end beacon unless the browser froze the tab or the beacon was lost.
 */
final class Simulation {

    /** One session as the simulator saw it, with the server's expiry rule mirrored to judge "shared" numbers. */
    static final class SessionTruth {
        final String sessionId;
        final int visitor;
        final String number;
        final double start;
        volatile double expires;
        volatile double intentUntil;

        SessionTruth(String sessionId, int visitor, String number, double start, double expires) {
            this.sessionId = sessionId;
            this.visitor = visitor;
            this.number = number;
            this.start = start;
            this.expires = expires;
        }
    }

    private enum Kind { ARRIVE, HEARTBEAT, PAGEVIEW, SECOND_TAB, CLOSE_TAB, HIDE, SHOW, INTENT, LEAVE, CALL, CALL_END }

    private record Event(double at, long seq, Kind kind, VisitState visit, int generation, CallPlan call, String callId,
            String number) {}

    private static final class VisitState {
        final Visit plan;
        final String visitorId;
        final String ip;
        SessionTruth current;        // shown now (null = default number / not started)
        boolean visible = true;
        boolean left;
        boolean frozen;
        int generation;              // heartbeat timer generation; bumped when the page hides
        String calledNumber;         // the number of the first call, for a repeat call
        Truth firstTruth;

        VisitState(Visit plan, String visitorId, String ip) {
            this.plan = plan;
            this.visitorId = visitorId;
            this.ip = ip;
        }
    }

    private final ServerApi api;
    private final ServerApi.Site site;
    private final TrafficModel model;
    private final int stepSeconds;
    private final Progress progress;
    private final SiteTimes times;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Double.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<String, SessionTruth> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, List<SessionTruth>> shows = new java.util.concurrent.ConcurrentHashMap<>();
    private final AccuracyClassifier.Tally tally = new AccuracyClassifier.Tally();
    private final Map<String, Long> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
    private double now;
    private Instant serverNow;
    private volatile double simClock;

    /** The site's lease timings (seconds), to mirror the server's expiry rule. */
    record SiteTimes(int heartbeat, int leaseTtl, int endGrace, int coolDown, int intentHold) {
        static SiteTimes defaults() {
            return new SiteTimes(30, 180, 30, 900, 1800);
        }
    }

    Simulation(ServerApi api, ServerApi.Site site, TrafficModel model, int stepSeconds, SiteTimes times, Progress progress) {
        this.api = api;
        this.site = site;
        this.model = model;
        this.stepSeconds = stepSeconds;
        this.times = times;
        this.progress = progress;
    }

    String simTime() {
        double t = simClock;
        return String.format("sim day %d %02d:%02d", (int) (t / 86_400) + 1, (int) (t % 86_400 / 3600), (int) (t % 3600 / 60));
    }

    AccuracyClassifier.Tally tally() {
        return tally;
    }

    Map<String, Long> counters() {
        return counters;
    }

    /** Runs the whole plan; calls are placed only if {@code withCalls}. */
    void run(boolean withCalls) {
        double end = model.params().days() * 86_400;
        for (Visit v : model.plan()) {
            VisitState s = new VisitState(v, String.format("vis%d-%07d%s", model.params().seed(), v.visitor(), v.bot() ? "b" : ""),
                    ServerApi.ipOf(v.index() + 1));
            schedule(v.arrival(), Kind.ARRIVE, s);
            if (!v.bot() && withCalls && v.call() != null) {
                if (v.call().timing() == Timing.DURING && v.call().intent()) {
                    schedule(v.call().at() - 3, Kind.INTENT, s);
                }
                schedule(new Event(v.call().at(), seq.getAndIncrement(), Kind.CALL, s, 0, v.call(), null, null));
                if (v.repeat() != null) {
                    if (v.repeat().at() <= end) {
                        schedule(new Event(v.repeat().at(), seq.getAndIncrement(), Kind.CALL, s, 0, v.repeat(), null, null));
                    } else {
                        count("repeat_calls_beyond_simulated_days");
                    }
                }
            }
        }
        serverNow = api.advanceClock(0);
        while (!queue.isEmpty()) {
            double nextAt = queue.peek().at;
            double target = Math.max(now + stepSeconds, Math.ceil(nextAt / stepSeconds) * stepSeconds);
            serverNow = api.advanceClock(Math.round(target - now));
            progress.requests.increment();
            now = target;
            simClock = now;
            List<Event> due = new ArrayList<>();
            synchronized (queue) {
                while (!queue.isEmpty() && queue.peek().at <= now) {
                    due.add(queue.poll());
                }
            }
            // Arrivals first, one at a time in time order: which visitor gets which number must not
            // depend on thread timing. Then every visit's other events, visits in parallel (each
            // visit's own events in order), so the server's group commit sees concurrent work.
            Map<VisitState, List<Event>> byVisit = new LinkedHashMap<>();
            for (Event e : due) {
                if (e.kind == Kind.ARRIVE) {
                    handleSafely(e);
                } else {
                    byVisit.computeIfAbsent(e.visit, k -> new ArrayList<>()).add(e);
                }
            }
            if (byVisit.size() == 1) {
                byVisit.values().iterator().next().forEach(this::handleSafely);
            } else if (!byVisit.isEmpty()) {
                List<java.util.concurrent.Future<?>> running = new ArrayList<>(byVisit.size());
                for (List<Event> events : byVisit.values()) {
                    running.add(workers.submit(() -> events.forEach(this::handleSafely)));
                }
                for (var f : running) {
                    try {
                        f.get();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    } catch (java.util.concurrent.ExecutionException ex) {
                        throw new IllegalStateException(ex.getCause());
                    }
                }
            }
        }
        workers.close();
    }

    private final java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private void handleSafely(Event e) {
        try {
            handle(e);
        } catch (RuntimeException ex) {
            progress.errors.increment();
            String key = "errors_" + e.kind.name().toLowerCase();
            count(key);
            if (counters.get(key) <= 3) {
                System.err.println("\n" + e.kind + " failed: " + ex);
            }
        }
    }

    private void schedule(double at, Kind kind, VisitState s) {
        schedule(new Event(at, seq.getAndIncrement(), kind, s, s.generation, null, null, null));
    }

    private void schedule(Event e) {
        synchronized (queue) {
            queue.add(e);
        }
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    private LoadClient.Reply call(java.util.concurrent.CompletableFuture<LoadClient.Reply> f) {
        LoadClient.Reply r = f.join();
        progress.requests.increment();
        if (r.status() >= 500) {
            progress.errors.increment();
            count("http_5xx");
        }
        return r;
    }

    private void handle(Event e) {
        VisitState s = e.visit;
        Visit v = s.plan;
        switch (e.kind) {
            case ARRIVE -> {
                startSession(s);
                if (v.bot()) {
                    return;
                }
                scheduleHeartbeat(s, now + times.heartbeat());
                for (double p : v.pageviews()) {
                    schedule(p, Kind.PAGEVIEW, s);
                }
                if (!Double.isNaN(v.secondTabAt())) {
                    schedule(v.secondTabAt(), Kind.SECOND_TAB, s);
                }
                if (!Double.isNaN(v.hiddenAt())) {
                    schedule(v.hiddenAt(), Kind.HIDE, s);
                }
                schedule(v.leave(), Kind.LEAVE, s);
            }
            case HEARTBEAT -> {
                if (s.left || !s.visible || e.generation != s.generation) {
                    return;
                }
                heartbeat(s);
                scheduleHeartbeat(s, now + times.heartbeat());
            }
            case PAGEVIEW -> {
                if (s.left || !s.visible || s.current == null) {
                    return;
                }
                // The old page's pagehide beacon, then the new page confirms the session and counts the view.
                if (v.sendsEnd()) {
                    end(s);
                }
                heartbeat(s);
                if (s.current != null) {
                    call(api.pageview(s.current.sessionId, s.ip, "https://example.com/page"));
                }
            }
            case SECOND_TAB -> {
                if (s.left || s.current == null) {
                    return;
                }
                count("second_tabs");
                heartbeat(s);
                if (s.current != null) {
                    call(api.pageview(s.current.sessionId, s.ip, "https://example.com/other-tab"));
                }
                SplittableRandom r = new SplittableRandom(v.index() * 7919L);
                schedule(now + 30 + 270 * r.nextDouble(), Kind.CLOSE_TAB, s);
            }
            case CLOSE_TAB -> {
                if (s.left || s.current == null) {
                    return;
                }
                // The closed tab's pagehide ends the session; the first tab comes to the front and heartbeats at once.
                if (v.sendsEnd()) {
                    end(s);
                }
                show(s);
            }
            case HIDE -> {
                if (s.left) {
                    return;
                }
                hide(s);
                if (!Double.isNaN(v.frozenAt())) {
                    s.frozen = true; // discarded: never visible again, no end beacon
                    count("frozen_tabs");
                } else {
                    double back = now + TrafficModel.logNormal(new SplittableRandom(v.index() * 31L + 1), 90, 1.0);
                    if (back < v.leave()) {
                        schedule(back, Kind.SHOW, s);
                    }
                }
            }
            case SHOW -> {
                if (!s.left && !s.frozen && !s.visible) {
                    show(s);
                }
            }
            case INTENT -> {
                if (s.left || s.current == null) {
                    return;
                }
                call(api.intent(s.current.sessionId, s.ip));
                s.current.intentUntil = now + times.intentHold();
                s.current.expires = Math.max(s.current.expires, s.current.intentUntil);
                hide(s); // the phone app comes to the front
                schedule(now + 3 + e.visit.plan.call().ringSeconds() + e.visit.plan.call().talkSeconds(), Kind.SHOW, s);
            }
            case LEAVE -> {
                if (v.sendsEnd() && !s.frozen && s.current != null) {
                    end(s);
                }
                s.left = true;
                s.visible = false;
            }
            case CALL -> placeCall(s, e.call);
            case CALL_END -> {
                long duration = Math.round(e.call.ringSeconds() + e.call.talkSeconds());
                String body = ServerApi.callBody(e.callId, "completed", callerOf(s), e.number, serverNow, duration,
                        Math.round(e.call.talkSeconds()));
                LoadClient.Reply r = call(api.callEvent(site, serverNow.getEpochSecond(), body));
                if (r.status() != 200) {
                    count("call_end_http_" + r.status());
                }
            }
        }
    }

    private void scheduleHeartbeat(VisitState s, double at) {
        schedule(at, Kind.HEARTBEAT, s);
    }

    private void hide(VisitState s) {
        s.visible = false;
        s.generation++;
    }

    private void show(VisitState s) {
        s.visible = true;
        s.generation++;
        heartbeat(s);
        scheduleHeartbeat(s, now + times.heartbeat());
    }

    private void startSession(VisitState s) {
        Visit v = s.plan;
        LoadClient.Reply r = call(api.startSession(site, s.visitorId, v.landing(), v.referrer(), s.ip, v.bot()));
        JsonNode n = ServerApi.parse(r);
        if (r.status() == 201 && n.path("tracked").asBoolean(false)) {
            if (v.bot()) {
                count("bots_leased");
            }
            String id = n.get("sessionId").asText();
            SessionTruth st = sessions.get(id);
            if (st == null) {
                st = new SessionTruth(id, v.visitor(), n.get("number").asText(), now, now + times.leaseTtl());
                sessions.put(id, st);
                shows.computeIfAbsent(st.number, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(st);
                count("sessions_started");
            } else {
                st.expires = Math.max(st.expires, now + times.leaseTtl());
                count("sessions_joined");
            }
            s.current = st;
        } else if (r.status() == 200) {
            count((v.bot() ? "bot_" : "untracked_") + n.path("reason").asText("unknown"));
            if (!v.bot()) {
                s.current = null;
            }
        } else {
            count("session_start_http_" + r.status());
            progress.errors.increment();
        }
    }

    private void heartbeat(VisitState s) {
        if (s.current == null) {
            return;
        }
        LoadClient.Reply r = call(api.heartbeat(s.current.sessionId, s.ip));
        if (r.status() == 200) {
            s.current.expires = Math.max(now + times.leaseTtl(), s.current.intentUntil);
        } else if (r.status() == 410 || r.status() == 404) {
            count("heartbeat_410_new_session");
            startSession(s);
        } else {
            count("heartbeat_http_" + r.status());
        }
    }

    private void end(VisitState s) {
        if (s.current == null) {
            return;
        }
        call(api.end(s.current.sessionId, s.ip));
        s.current.expires = Math.min(s.current.expires, Math.max(now + times.endGrace(), s.current.intentUntil));
    }

    private static String callerOf(VisitState s) {
        return "+7916" + String.format("%07d", s.plan.visitor());
    }

    private void placeCall(VisitState s, CallPlan plan) {
        String number;
        Truth truth;
        if (plan.timing() == Timing.REPEAT) {
            if (s.firstTruth == null) {
                return;
            }
            number = s.calledNumber;
            truth = new Truth(s.firstTruth.sessionId(), s.visitorId, Timing.REPEAT, number != null && shared(number, s.firstTruth.sessionId()));
        } else {
            SessionTruth shown = s.current;
            number = shown == null ? null : shown.number;
            truth = new Truth(shown == null ? null : shown.sessionId, s.visitorId, plan.timing(),
                    shown != null && shared(shown.number, shown.sessionId));
            s.firstTruth = truth;
            s.calledNumber = number;
        }
        count("calls_" + plan.timing().name().toLowerCase());
        if (number == null) {
            // The visitor saw the site's default number: the call reaches the business untracked.
            tally.add(truth, ServerAttribution.untracked(), AccuracyClassifier.judge(truth, ServerAttribution.untracked()));
            return;
        }
        String callId = "c" + model.params().seed() + "-" + s.plan.index() + "-" + plan.timing().name().charAt(0);
        String body = ServerApi.callBody(callId, "ringing", callerOf(s), number, serverNow, -1, 0);
        LoadClient.Reply r = call(api.callEvent(site, serverNow.getEpochSecond(), body));
        if (r.status() != 200) {
            count("call_http_" + r.status());
            progress.errors.increment();
            return;
        }
        ServerAttribution a = ServerApi.attribution(ServerApi.parse(r));
        tally.add(truth, a, AccuracyClassifier.judge(truth, a));
        schedule(new Event(now + plan.ringSeconds() + plan.talkSeconds(), seq.getAndIncrement(), Kind.CALL_END, s, 0, plan, callId, number));
    }

    /**
     * Whether the number is shared at the call: the caller's own lease is still a candidate (live or
     * within its cool-down) and another visitor's session of the number also is (started before now,
     * ended at most a cool-down ago), by the server's expiry rules as the simulator mirrors them.
     */
    private boolean shared(String number, String truthSession) {
        SessionTruth t = sessions.get(truthSession);
        if (t == null || t.expires + times.coolDown() < now) {
            return false; // the caller's own lease is past its cool-down: not a candidate, so not "shared"
        }
        for (SessionTruth o : shows.getOrDefault(number, List.of())) {
            if (o.sessionId.equals(truthSession) || o.visitor == t.visitor) {
                continue;
            }
            if (o.start <= now && o.expires + times.coolDown() >= now) {
                return true;
            }
        }
        return false;
    }

    Map<String, Object> countersJson() {
        return new TreeMap<>(counters);
    }
}
