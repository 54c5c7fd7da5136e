package io.ringpool.loadtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The seeded model of a site's traffic: who arrives when, how long they stay, what their browser
 * does, and whether and when they phone. Pure: {@link #plan()} turns the parameters and the seed
 * into the same list of {@link Visit}s every time; the {@link Simulation} then plays it against a
 * server and keeps the truth.
 *
 * <p>Arrivals are a non-homogeneous Poisson process (rate = visitors per day × the hour's share of
 * the {@code hourlyCurve}), drawn by thinning. Session length is log-normal (median and σ given).
 * Everything random about one visit is drawn from its own generator, split from the seed, so
 * changing one share does not reshuffle every other visit.
 */
final class TrafficModel {

    /** Share of a day's visitors arriving in each hour 00–23 (relative weights), a typical B2C site. */
    static final double[] DEFAULT_HOURLY_CURVE = {
        0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.0, 1.6, 2.0, 2.2, 2.3,
        2.3, 2.2, 2.2, 2.1, 2.0, 1.9, 1.8, 1.9, 2.0, 1.8, 1.3, 0.8};

    /** When in the visit a call is made, relative to what the simulated visitor was doing. */
    enum Timing { DURING, AFTER, REPEAT }

    /**
     * All knobs. Shares are probabilities in [0, 1]; times are seconds.
     *
     * @param frozenShare       of hidden tabs, the share the browser freezes or discards (no more
     *                          heartbeats, no end beacon): their lease ends by TTL
     * @param endBeaconShare    share of leaving visitors whose {@code pagehide} beacon arrives
     * @param repeatShare       of callers, the share who phone again days later (to the same number)
     */
    record Params(
            long seed,
            double days,
            double visitorsPerDay,
            double[] hourlyCurve,
            double medianSessionSeconds,
            double sessionSigma,
            double minSessionSeconds,
            double maxSessionSeconds,
            double meanPageviews,
            double returningShare,
            double multiTabShare,
            double hiddenShare,
            double frozenShare,
            double endBeaconShare,
            double botShare,
            double callShare,
            double callDuringShare,
            double intentShare,
            double afterDelayMedianSeconds,
            double afterDelaySigma,
            double repeatShare,
            double repeatMinDays,
            double repeatMaxDays,
            double talkMedianSeconds) {

        Params {
            if (hourlyCurve.length != 24) {
                throw new IllegalArgumentException("hourly curve needs 24 weights, got " + hourlyCurve.length);
            }
            if (days <= 0 || visitorsPerDay < 0 || medianSessionSeconds <= 0) {
                throw new IllegalArgumentException("days and median session must be positive");
            }
        }

        static Params defaults(long seed) {
            return new Params(seed, 2, 4000, DEFAULT_HOURLY_CURVE, 180, 1.0, 5, 4 * 3600, 3,
                    0.2, 0.1, 0.25, 0.3, 0.9, 0.05,
                    0.08, 0.6, 0.7, 120, 1.0, 0.1, 0.5, 1.5, 90);
        }

        /** Reads every parameter from the command line, defaulting to {@link #defaults}. */
        static Params from(Options o) {
            Params d = defaults(0);
            return new Params(
                    o.longOpt("seed", 42, "random seed; the same seed plays the same traffic"),
                    o.dbl("days", d.days, "simulated days of traffic"),
                    o.dbl("visitors-per-day", d.visitorsPerDay, "visits per simulated day"),
                    curve(o.str("hourly-curve", "default", "24 comma-separated relative weights, hour 00..23")),
                    o.dbl("session-median", d.medianSessionSeconds, "median session length, s (log-normal)"),
                    o.dbl("session-sigma", d.sessionSigma, "σ of ln(session length)"),
                    o.dbl("session-min", d.minSessionSeconds, "shortest session, s"),
                    o.dbl("session-max", d.maxSessionSeconds, "longest session, s"),
                    o.dbl("pageviews-mean", d.meanPageviews, "mean page views per visit (geometric, ≥1)"),
                    o.dbl("returning-share", d.returningShare, "share of visits by a visitor seen before"),
                    o.dbl("multitab-share", d.multiTabShare, "share of visits that open a second tab"),
                    o.dbl("hidden-share", d.hiddenShare, "share of visits whose tab goes to the background (heartbeat throttled to 60 s)"),
                    o.dbl("frozen-share", d.frozenShare, "of hidden tabs, share frozen by the browser (heartbeats stop, no end beacon)"),
                    o.dbl("end-beacon-share", d.endBeaconShare, "share of leaving visitors whose end beacon arrives"),
                    o.dbl("bot-share", d.botShare, "share of visits by bots (bot User-Agent)"),
                    o.dbl("call-share", d.callShare, "share of human visits that lead to a call"),
                    o.dbl("call-during-share", d.callDuringShare, "of calls, share made during the visit (rest: after leaving)"),
                    o.dbl("intent-share", d.intentShare, "of calls during the visit, share preceded by a tel: click"),
                    o.dbl("after-delay-median", d.afterDelayMedianSeconds, "median delay of a call after leaving, s (log-normal)"),
                    o.dbl("after-delay-sigma", d.afterDelaySigma, "σ of ln(delay after leaving)"),
                    o.dbl("repeat-share", d.repeatShare, "share of callers who phone again days later"),
                    o.dbl("repeat-min-days", d.repeatMinDays, "earliest repeat call, days after the first"),
                    o.dbl("repeat-max-days", d.repeatMaxDays, "latest repeat call, days after the first"),
                    o.dbl("talk-median", d.talkMedianSeconds, "median talk time of answered calls, s"));
        }

        private static double[] curve(String s) {
            if (s.equals("default")) {
                return DEFAULT_HOURLY_CURVE.clone();
            }
            return Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
        }
    }

    /** A planned call: when (seconds from the start of the simulation) and how it relates to the visit. */
    record CallPlan(Timing timing, double at, boolean intent, double ringSeconds, double talkSeconds) {}

    /**
     * One visit as planned. Times are seconds since the simulation start; offsets are NaN when the
     * thing does not happen.
     *
     * @param visitor     the visitor's index (a returning visit reuses an earlier index)
     * @param secondTabAt when a second tab opens (it starts the same visitor's session again)
     * @param hiddenAt    when the tab goes to the background; frozenAt when the browser freezes it
     * @param pageviews   times of page views after the landing page
     * @param landing     the landing URL (UTM tags, click ids) and referrer
     */
    record Visit(
            int index,
            int visitor,
            boolean returning,
            boolean bot,
            double arrival,
            double leave,
            double secondTabAt,
            double hiddenAt,
            double frozenAt,
            boolean sendsEnd,
            double[] pageviews,
            String landing,
            String referrer,
            CallPlan call,
            CallPlan repeat) {

        boolean calls() {
            return call != null;
        }
    }

    /** Landing pages with their referrers: paid search, organic, social, direct, email. */
    private static final String[][] SOURCES = {
        {"https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=Cj0K", "https://www.google.com/"},
        {"https://example.com/prices?utm_source=yandex&utm_medium=cpc&utm_campaign=generic&yclid=71", "https://yandex.ru/"},
        {"https://example.com/", "https://www.google.com/"},
        {"https://example.com/about", "https://yandex.ru/"},
        {"https://example.com/", ""},
        {"https://example.com/promo", "https://vk.com/"},
        {"https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=nov", ""},
    };

    private final Params p;

    TrafficModel(Params p) {
        this.p = p;
    }

    Params params() {
        return p;
    }

    /** Arrival times (seconds) over the simulated days, non-homogeneous Poisson by thinning. */
    double[] arrivals() {
        Random r = new Random(p.seed());
        double sum = Arrays.stream(p.hourlyCurve()).sum();
        double max = Arrays.stream(p.hourlyCurve()).max().orElse(1);
        double ratePerSecondMax = p.visitorsPerDay() * (max / sum) / 3600.0;
        double end = p.days() * 86_400;
        List<Double> out = new ArrayList<>();
        if (ratePerSecondMax <= 0) {
            return new double[0];
        }
        double t = 0;
        while (true) {
            t += -Math.log(1 - r.nextDouble()) / ratePerSecondMax;
            if (t >= end) {
                break;
            }
            int hour = (int) ((t % 86_400) / 3600);
            if (r.nextDouble() * max < p.hourlyCurve()[hour]) {
                out.add(t);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The whole plan, in arrival order. */
    List<Visit> plan() {
        double[] arrivals = arrivals();
        List<Visit> visits = new ArrayList<>(arrivals.length);
        SplittableRandom root = new SplittableRandom(p.seed() ^ 0x5DEECE66DL);
        Random returning = new Random(p.seed() * 31 + 7);
        List<Integer> humans = new ArrayList<>(); // visitor indexes of earlier human visits
        int nextVisitor = 0;
        for (int i = 0; i < arrivals.length; i++) {
            SplittableRandom r = root.split();
            double t = arrivals[i];
            boolean bot = r.nextDouble() < p.botShare();
            int visitor;
            boolean isReturning = false;
            if (!bot && !humans.isEmpty() && returning.nextDouble() < p.returningShare()) {
                visitor = humans.get(returning.nextInt(humans.size()));
                isReturning = true;
            } else {
                visitor = nextVisitor++;
            }
            Visit v = visit(i, visitor, isReturning, bot, t, r);
            if (!bot && !isReturning) {
                humans.add(visitor);
            }
            visits.add(v);
        }
        return visits;
    }

    private Visit visit(int index, int visitor, boolean isReturning, boolean bot, double t, SplittableRandom r) {
        double length = clamp(logNormal(r, p.medianSessionSeconds(), p.sessionSigma()), p.minSessionSeconds(), p.maxSessionSeconds());
        if (bot) {
            // A bot fetches a page or two and never runs timers: one session start, nothing else.
            String[] src = SOURCES[r.nextInt(SOURCES.length)];
            return new Visit(index, visitor, false, true, t, t + length, Double.NaN, Double.NaN, Double.NaN,
                    false, new double[0], src[0], src[1], null, null);
        }
        double leave = t + length;
        int pages = geometric(r, p.meanPageviews()) - 1; // the landing page is the session start
        double[] views = new double[pages];
        for (int k = 0; k < pages; k++) {
            views[k] = t + length * r.nextDouble();
        }
        Arrays.sort(views);
        double secondTab = r.nextDouble() < p.multiTabShare() ? t + length * (0.1 + 0.6 * r.nextDouble()) : Double.NaN;
        double hidden = Double.NaN;
        double frozen = Double.NaN;
        if (r.nextDouble() < p.hiddenShare()) {
            hidden = t + length * (0.2 + 0.7 * r.nextDouble());
            if (r.nextDouble() < p.frozenShare()) {
                // Chrome freezes background tabs after about 5 minutes (intensive throttling).
                frozen = hidden + 60 + 240 * r.nextDouble();
            }
        }
        boolean sendsEnd = r.nextDouble() < p.endBeaconShare();
        String[] src = SOURCES[r.nextInt(SOURCES.length)];
        CallPlan call = null;
        CallPlan repeat = null;
        if (r.nextDouble() < p.callShare()) {
            double ring = 3 + 12 * r.nextDouble();
            double talk = logNormal(r, p.talkMedianSeconds(), 0.8);
            if (r.nextDouble() < p.callDuringShare()) {
                double at = t + length * (0.2 + 0.8 * r.nextDouble());
                call = new CallPlan(Timing.DURING, at, r.nextDouble() < p.intentShare(), ring, talk);
            } else {
                double delay = logNormal(r, p.afterDelayMedianSeconds(), p.afterDelaySigma());
                call = new CallPlan(Timing.AFTER, leave + delay, false, ring, talk);
            }
            if (r.nextDouble() < p.repeatShare()) {
                double later = 86_400 * (p.repeatMinDays() + (p.repeatMaxDays() - p.repeatMinDays()) * r.nextDouble());
                repeat = new CallPlan(Timing.REPEAT, call.at() + later, false, 3 + 12 * r.nextDouble(),
                        logNormal(r, p.talkMedianSeconds(), 0.8));
            }
        }
        return new Visit(index, visitor, isReturning, false, t, leave, secondTab, hidden, frozen, sendsEnd, views,
                src[0], src[1], call, repeat);
    }

    static double logNormal(SplittableRandom r, double median, double sigma) {
        return median * Math.exp(sigma * gaussian(r));
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
        double u1 = 1 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** 1, 2, 3… with the given mean (≥ 1). */
    static int geometric(SplittableRandom r, double mean) {
        if (mean <= 1) {
            return 1;
        }
        double q = 1 / mean;
        int n = 1;
        while (r.nextDouble() > q && n < 200) {
            n++;
        }
        return n;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
