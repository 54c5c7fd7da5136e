package io.ringpool.call;

import io.ringpool.inbound.StorableText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One call event from a telephony provider, normalised: the same shape whether it came from
 * Twilio's form posts or our generic signed JSON.
 *
 * <p>Ingestion is idempotent per {@link #dedupKey()} (provider, provider call id, kind), and the
 * {@link CallStateMerger} folds events in any order.
 *
 * @param provider        {@code twilio}, {@code generic}, ... (lower case, stable: part of the dedup key)
 * @param providerCallId  the provider's id of the call (Twilio: the parent CallSid)
 * @param kind            what happened
 * @param at              when it happened, by the provider's clock if it said, else ours on receipt
 * @param from            the caller as the provider sent it (raw, not yet normalised); null when
 *                        this event does not describe the caller (e.g. Twilio's forwarded leg)
 * @param to              the dialled tracking number as sent (raw); null when not described
 * @param durationSeconds whole call length in seconds, if the provider said; null = unknown
 * @param talkSeconds     talk (answered) time in seconds, if the provider said; null = unknown
 * @param recordingUrl    where the provider keeps a recording; null = none
 */
public record CallEvent(
        String provider,
        String providerCallId,
        Kind kind,
        Instant at,
        String from,
        String to,
        Integer durationSeconds,
        Integer talkSeconds,
        String recordingUrl) {

    /**
     * What happened to the call. Terminal kinds end the call; see {@link CallStateMerger}.
     * {@link #END_UNKNOWN} is no provider's: Ringpool files it when a call's end never came
     * ({@link UnendedCalls}); no provider can send it ({@link #fromWire} does not know it), and it is
     * last so the journal's ordinals of the others stay as they were.
     */
    public enum Kind {
        RINGING(false), ANSWERED(false), COMPLETED(true), MISSED(true), BUSY(true), FAILED(true), END_UNKNOWN(true);

        private final boolean terminal;

        Kind(boolean terminal) {
            this.terminal = terminal;
        }

        public boolean isTerminal() {
            return terminal;
        }

        /** The API name: {@code ringing}, {@code answered}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether a provider may report it: every kind but {@link #END_UNKNOWN}, which only Ringpool writes. */
        public boolean reportable() {
            return this != END_UNKNOWN;
        }

        /** The kind for a provider's or the API's name (case-insensitive), or empty when unknown or not {@link #reportable}. */
        public static Optional<Kind> fromWire(String name) {
            return fromStored(name).filter(Kind::reportable);
        }

        /** The kind of a stored event's name, {@link #END_UNKNOWN} included, or empty when unknown. */
        static Optional<Kind> fromStored(String name) {
            if (name == null) {
                return Optional.empty();
            }
            for (Kind k : values()) {
                if (k.wireName().equalsIgnoreCase(name.trim())) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    public CallEvent {
        requireText(provider, "provider");
        requireText(providerCallId, "providerCallId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
        // The store keeps milliseconds. An event kept to the microsecond (Telnyx sends them) must
        // not be folded against its stored siblings at a finer grain than they were kept: 36.130
        // minus 06.130013 would floor a 30 s talk to 29 s, depending on the events' order of arrival.
        at = at.truncatedTo(ChronoUnit.MILLIS);
        if (durationSeconds != null && durationSeconds < 0) {
            throw new IllegalArgumentException("durationSeconds must be >= 0: " + durationSeconds);
        }
        if (talkSeconds != null && talkSeconds < 0) {
            throw new IllegalArgumentException("talkSeconds must be >= 0: " + talkSeconds);
        }
    }

    /** Longest provider call id the store keeps as sent (the {@code provider_call_id} columns). */
    public static final int MAX_STORED_CALL_ID = 100;

    /** Longest recording link the store keeps (the URL columns). */
    public static final int MAX_RECORDING_URL_CHARS = 2000;

    /**
     * Event times kept as sent lie after this instant: a provider's 0 means "no time", and nothing
     * before it is a call's time.
     */
    public static final Instant EARLIEST_AT = Instant.EPOCH;

    /**
     * ... and no later than this: the last second of year 9999, the last time every column, export
     * and client can write (ISO-8601 four-digit years). Past it an event time is garbage, and at
     * the far end of {@link Instant}'s range it no longer fits in epoch milliseconds at all.
     */
    public static final Instant LATEST_AT = Instant.parse("9999-12-31T23:59:59Z");

    /** Characters of an over-long call id kept readable in front of its digest. */
    private static final int LONG_ID_HEAD = 40;

    /**
     * The provider call id as the store keeps it: as sent when it fits and is
     * {@linkplain StorableText#isStorable text both stores keep as it is}, else its first
     * {@value #LONG_ID_HEAD} characters (without control characters or a half surrogate pair),
     * '~' and the base64url SHA-256 of the whole id (84 at most). Deterministic, so every event and
     * transcript of the call finds the same row; collision-free in practice, so two calls never
     * merge. Providers that sign their requests are believed about their ids: refusing a long one,
     * or one with a NUL in it (which PostgreSQL cannot store), would make the provider retry until
     * it gives up, and lose the call.
     */
    public static String storedCallId(String providerCallId) {
        if (providerCallId.length() <= MAX_STORED_CALL_ID && StorableText.isStorable(providerCallId)) {
            return providerCallId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(providerCallId.getBytes(StandardCharsets.UTF_8));
            String head = StorableText.storable(providerCallId.substring(0, Math.min(LONG_ID_HEAD, providerCallId.length())), false);
            return head + '~' + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * This event as the store can keep it: the call id in its {@link #storedCallId stored form},
     * a recording link too long for any URL column (a cut link would only point nowhere) or not
     * {@link #isRecordingLink a link at all} left out, caller and dialled number without control
     * characters or unpaired surrogates (no phone number has them, and PostgreSQL cannot store a
     * NUL: {@link StorableText#storable}), and a time outside {@link #EARLIEST_AT}..{@link #LATEST_AT} replaced by
     * {@code receivedAt}, as adapters already do with a time they cannot read. The call itself is
     * what must not be lost: a signed provider retries a refused event until it gives up. Which
     * times a call can have is {@link CallEventTimes}'s rule, which applies this one first.
     *
     * @param receivedAt when the event reached us
     */
    public CallEvent withinStoreLimits(Instant receivedAt) {
        String id = storedCallId(providerCallId);
        boolean linkFits = recordingUrl == null || (recordingUrl.length() <= MAX_RECORDING_URL_CHARS && isRecordingLink(recordingUrl)
                && StorableText.isStorable(recordingUrl));
        boolean timeFits = hasStorableTime();
        String fromKept = StorableText.storable(from, false);
        String toKept = StorableText.storable(to, false);
        if (id.equals(providerCallId) && linkFits && timeFits && Objects.equals(fromKept, from) && Objects.equals(toKept, to)) {
            return this;
        }
        return new CallEvent(provider, id, kind, timeFits ? at : receivedAt, fromKept, toKept, durationSeconds, talkSeconds,
                linkFits ? recordingUrl : null);
    }

    /**
     * Whether a provider's recording link is one the call may show: an absolute {@code http(s)} URL,
     * or an adapter's own reference ({@code mango-recording:…}, {@code zadarma-recording:…}) that the
     * recordings fetcher resolves. Anything else ({@code javascript:…}, a relative path) would be
     * served by the API as the call's {@code recordingUrl} to whatever renders it as a link.
     */
    static boolean isRecordingLink(String link) {
        String lower = link.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") || lower.matches("[a-z]+-recording:[^\\s]+");
    }

    /** Whether {@link #at} is a time the store keeps as sent (see {@link #withinStoreLimits}). */
    public boolean hasStorableTime() {
        return at.isAfter(EARLIEST_AT) && !at.isAfter(LATEST_AT);
    }

    /** The idempotency key: a repeat of the same (provider, call, kind) is the same event. */
    public String dedupKey() {
        return provider + ":" + providerCallId + ":" + kind.wireName();
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
