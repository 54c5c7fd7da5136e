package io.ringpool.telephony;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringpool.call.CallEvent;
import io.ringpool.call.CallJson;
import io.ringpool.call.CallService;
import io.ringpool.journal.CallJournal;
import io.ringpool.failure.DomainFailure;
import io.ringpool.failure.DomainFailure.Kind;
import io.ringpool.http.JsonBody;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.inbound.SignedUrls;
import io.ringpool.recording.RecordingService;
import io.ringpool.recording.RecordingSettings;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.site.UnknownSite;
import io.ringpool.telephony.provider.WebhookLog;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telephony webhooks (API.md, Telephony): Twilio's voice and status callbacks, and our generic
 * signed JSON events. Every request is authenticated before anything is read or stored; a
 * rejection is counted ({@code ringpool.webhooks.rejected{provider,reason}}) and logged as
 * {@code webhook_rejected} with its reason.
 *
 * <p>Status codes for signatures: Twilio → 403 for a missing or wrong signature (Twilio never
 * retries a 4xx, and there is no other credential to be missing); generic → 401 when the
 * {@code X-Ringpool-Signature} header is missing or malformed (no credentials), 403 when it is
 * well-formed but does not match or is more than 5 minutes old.
 */
public final class TelephonyApi {
    /** How long a transcript waits for its call's journaled events to reach the store. */
    private static final java.time.Duration TRANSCRIPT_WAIT = java.time.Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(TelephonyApi.class);

    /** TwiML's media type; the XML prolog names the encoding (UTF-8). */
    static final String TWIML_TYPE = "text/xml";

    private final SiteRegistry sites;
    private final CallService calls;
    private final RingpoolSignature signatures;
    private final SenderClocks senderClocks;
    private final String publicUrl;
    private final boolean publicUrlGuessed;
    private final Clock clock;
    private final io.ringpool.telephony.provider.RejectionLines rejectionLines;
    private final MeterRegistry registry;
    private final CallJournal journal;
    private final Executor callLane;
    private final RecordingService recordings;
    private final WebhookLog webhookLog;

    /**
     * @param publicUrl the external base URL Twilio calls ({@code RINGPOOL_PUBLIC_URL}), no trailing '/'
     * @param journal   where events that must not wait for the store are kept
     * @param callLane  the executor of webhooks answered from memory, apart from the store-bound workers
     */
    public TelephonyApi(SiteRegistry sites, CallService calls, CallJournal journal, Executor callLane, String publicUrl, Clock clock,
            MeterRegistry registry) {
        this(sites, calls, journal, callLane, publicUrl, clock, registry, null);
    }

    /** @param recordings the sites' recording settings (record or not, notice, keyword rules); null = never record */
    public TelephonyApi(SiteRegistry sites, CallService calls, CallJournal journal, Executor callLane, String publicUrl, Clock clock,
            MeterRegistry registry, RecordingService recordings) {
        this(sites, calls, journal, callLane, publicUrl, false, clock, registry, recordings);
    }

    /**
     * @param publicUrlGuessed {@code server.publicUrl} is not configured, so {@code publicUrl} is the
     *                         server's own guess: signatures over the request's {@code Host} are accepted too
     *                         ({@link SignedUrls})
     */
    public TelephonyApi(SiteRegistry sites, CallService calls, CallJournal journal, Executor callLane, String publicUrl,
            boolean publicUrlGuessed, Clock clock, MeterRegistry registry, RecordingService recordings) {
        this(sites, calls, journal, callLane, publicUrl, publicUrlGuessed, clock, registry, recordings, new WebhookLog());
    }

    /**
     * @param webhookLog the webhook diagnostics log the provider adapters write too ({@code GET
     *                   /v1/sites/{siteId}/telephony/events}): Twilio's and the generic route's
     *                   requests of known sites go there as well (audit AN3 F4)
     */
    public TelephonyApi(SiteRegistry sites, CallService calls, CallJournal journal, Executor callLane, String publicUrl,
            boolean publicUrlGuessed, Clock clock, MeterRegistry registry, RecordingService recordings, WebhookLog webhookLog) {
        this.webhookLog = webhookLog;
        this.publicUrlGuessed = publicUrlGuessed;
        this.recordings = recordings;
        this.sites = sites;
        this.calls = calls;
        this.journal = journal;
        this.callLane = callLane;
        this.signatures = new RingpoolSignature(clock);
        this.senderClocks = new SenderClocks(RingpoolSignature.DEFAULT_TOLERANCE, registry);
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.clock = clock;
        this.rejectionLines = new io.ringpool.telephony.provider.RejectionLines(clock::millis);
        this.registry = registry;
    }

    public void routes(Router router) {
        router.postOnLane(callLane, TWILIO_VOICE, diagnosed(TwilioForm.PROVIDER, TWILIO_VOICE, this::twilioVoice));
        router.postOnLane(callLane, TWILIO_STATUS, diagnosed(TwilioForm.PROVIDER, TWILIO_STATUS, this::twilioStatus));
        router.post(TWILIO_RECORDING, diagnosed(TwilioForm.PROVIDER, TWILIO_RECORDING, this::twilioRecording));
        router.post(TWILIO_TRANSCRIPTION, diagnosed(TwilioForm.PROVIDER, TWILIO_TRANSCRIPTION, this::twilioTranscription));
        router.post(GENERIC, diagnosed(GenericEvent.PROVIDER, GENERIC, this::genericEvent));
    }

    private static final String TWILIO_VOICE = "/v1/telephony/twilio/{siteId}/voice";
    private static final String TWILIO_STATUS = "/v1/telephony/twilio/{siteId}/status";
    private static final String TWILIO_RECORDING = "/v1/telephony/twilio/{siteId}/recording";
    private static final String TWILIO_TRANSCRIPTION = "/v1/telephony/twilio/{siteId}/transcription";
    private static final String GENERIC = "/v1/telephony/{siteId}/events";

    /**
     * The route, with each request of a known site written to the webhook diagnostics log, as the
     * provider adapters' are (audit AN3 F4: a failing Twilio signature, the commonest setup error,
     * showed nowhere an operator is pointed to). An unknown site's requests are not: anyone can
     * send them, and the log is per site.
     */
    private io.ringpool.http.Endpoint diagnosed(String provider, String route, io.ringpool.http.Endpoint endpoint) {
        return request -> {
            String siteId = request.pathParam("siteId");
            Response response;
            try {
                response = endpoint.handle(request);
            } catch (DomainFailure refused) {
                if (!(refused instanceof UnknownSite)) {
                    diagnose(siteId, provider, route, "refused", refused.code(), refused.getMessage());
                }
                throw refused;
            } catch (io.ringpool.store.StoreException down) {
                diagnose(siteId, provider, route, "refused", "store_unavailable", "the call could not be stored; retry later");
                throw down;
            }
            diagnose(siteId, provider, route, "accepted", null, "answered " + response.status());
            return response;
        };
    }

    private void diagnose(String siteId, String provider, String route, String outcome, String reason, String message) {
        if (webhookLog != null && sites.byId(siteId).isPresent()) {
            webhookLog.add(siteId, new WebhookLog.Entry(clock.instant(), provider, route, outcome, reason, message, null, List.of(), null,
                    null));
        }
    }

    // ---- Twilio ------------------------------------------------------------------------------

    /**
     * Incoming call: answer TwiML that dials the site's real number, from memory, whatever the
     * store is doing (up, slow, down); the call's record goes to the journal first (fsynced) and
     * reaches the store, attributed, when it can take it. A number the site does not track is
     * still put through (a caller is never dropped) but not recorded.
     */
    private Response twilioVoice(Request request) {
        Site site = twilioSite(request);
        TwilioForm form = twilioForm(request, site);
        String sid = form.first("CallSid").filter(s -> !s.isBlank()).orElseThrow(
                () -> reject(TwilioForm.PROVIDER, site.siteId(), "invalid_body", Kind.INVALID, "missing_field", "'CallSid' is required", "CallSid"));
        CallEvent event = form.toEvent(clock).orElseGet(() -> new CallEvent(TwilioForm.PROVIDER, sid.trim(), CallEvent.Kind.RINGING,
                clock.instant(), form.first("From").orElse(null), form.first("To").orElse(null), null, null, null));
        String forwardTo = site.settings().forwardTo() != null ? site.settings().forwardTo() : site.settings().defaultNumber();
        RecordingSettings recording = recordings == null ? RecordingSettings.DEFAULTS : recordings.settingsFromMemory(site.siteId());
        String twiml = forwardTo == null ? TwiML.reject()
                : TwiML.forward(forwardTo, publicUrl, site.siteId(), null, recording.recordCalls(),
                        recording.recordCalls() ? recording.notice() : null); // the notice announces recording; none without it
        try {
            keep(site, event);
        } catch (DomainFailure unknownNumber) {
            // counted and logged by keep(); the caller goes through all the same
        }
        return Response.text(200, TWIML_TYPE, twiml);
    }

    /**
     * Status callbacks of the call and of the forwarded leg: state, duration, recording. Journaled
     * like the voice webhook, not refused with 503 while the store is down: Twilio retries a
     * callback only on a connection failure (not on a 5xx, by default), so a 503 would lose the
     * call's end and duration. 503 only when the journal itself is full. A post that is no status
     * callback (no {@code CallSid}, an unknown {@code CallStatus}, a {@code CallDuration} that is
     * not whole seconds) is 422 naming the field, nothing kept: a 204 would say it was.
     */
    private Response twilioStatus(Request request) {
        Site site = twilioSite(request);
        TwilioForm form = twilioForm(request, site);
        form.statusFault().ifPresent(fault -> {
            throw reject(TwilioForm.PROVIDER, site.siteId(), "invalid_body", Kind.INVALID, fault.code(), fault.message(),
                    fault.field());
        });
        CallEvent event = form.toEvent(clock).orElseThrow(); // statusFault() found nothing, so there is an event
        if (keep(site, event) == CallJournal.Kept.FULL) {
            throw new DomainFailure(Kind.UNAVAILABLE, "journal_full", "the server cannot keep this event now; retry later", null, 60);
        }
        return Response.noContent();
    }

    /**
     * Journals an event after checking, in memory, that its dialled number is the site's (422
     * {@code unknown_number} otherwise, nothing kept: one site never writes into another's calls).
     */
    private CallJournal.Kept keep(Site site, CallEvent event) {
        if (event.to() != null && !event.to().isBlank()) {
            try {
                calls.trackingNumber(site, event);
            } catch (DomainFailure e) {
                count(event.provider(), "unknown_number", site.siteId());
                LOG.info("webhook_rejected provider={} site={} reason=unknown_number code={}", event.provider(), site.siteId(), e.code());
                // Named as the form sent it (Twilio's parameter is To), not as the event calls it.
                throw "to".equals(e.field()) ? new DomainFailure(e.kind(), e.code(), e.getMessage(), "To") : e;
            }
        }
        return journal.record(site, event);
    }

    /**
     * Twilio's recording status callback ({@code recordingStatusCallback} of the {@code <Dial>}):
     * {@code RecordingStatus=completed} with {@code RecordingUrl} and the caller's {@code CallSid}.
     * The URL joins the call like any provider's recording (and is queued for download).
     */
    private Response twilioRecording(Request request) {
        Site site = twilioSite(request);
        TwilioForm form = twilioForm(request, site);
        String status = form.first("RecordingStatus").orElse("completed");
        String url = form.first("RecordingUrl").filter(u -> !u.isBlank()).orElse(null);
        String sid = form.first("ParentCallSid").filter(s -> !s.isBlank()).or(() -> form.first("CallSid").filter(s -> !s.isBlank()))
                .orElseThrow(() -> reject(TwilioForm.PROVIDER, site.siteId(), "invalid_body", Kind.INVALID, "missing_field",
                        "'CallSid' is required", "CallSid"));
        if (!"completed".equals(status) || url == null) {
            LOG.info("twilio_recording_ignored site={} status={}", site.siteId(), status);
            return Response.noContent();
        }
        ingest(site, new CallEvent(TwilioForm.PROVIDER, sid.trim(), CallEvent.Kind.COMPLETED, clock.instant(), null, null, null, null,
                url.trim()), false);
        return Response.noContent();
    }

    /**
     * Twilio's transcription callback ({@code TranscriptionText}, {@code TranscriptionStatus},
     * {@code CallSid}): kept with the call, and the site's keyword rules applied to it.
     */
    private Response twilioTranscription(Request request) {
        Site site = twilioSite(request);
        TwilioForm form = twilioForm(request, site);
        String status = form.first("TranscriptionStatus").orElse("completed");
        String text = form.first("TranscriptionText").orElse(null);
        String sid = form.first("ParentCallSid").filter(s -> !s.isBlank()).or(() -> form.first("CallSid").filter(s -> !s.isBlank()))
                .orElseThrow(() -> reject(TwilioForm.PROVIDER, site.siteId(), "invalid_body", Kind.INVALID, "missing_field",
                        "'CallSid' is required", "CallSid"));
        if (!"completed".equals(status) || text == null || text.isBlank()) {
            LOG.info("twilio_transcription_ignored site={} status={}", site.siteId(), status);
            return Response.noContent();
        }
        keepTranscript(site, TwilioForm.PROVIDER, sid.trim(), text);
        return Response.noContent();
    }

    /**
     * Keeps a transcript with its call. The call's own events are answered once journaled and
     * reach the store a moment later (much later while the store is down), so a transcript that
     * finds no call while the journal still holds <em>that call's</em> events waits for them
     * briefly, and when the call is still not stored it is refused with 503 (retry later) rather
     * than acknowledged and lost. A transcript of a call the journal does not hold (never rung, or
     * to a number the site does not track) is ignored at once, however busy the journal is with
     * other calls: waiting for those would only turn a busy moment into 503s.
     */
    private void keepTranscript(Site site, String provider, String providerCallId, String text) {
        List<io.ringpool.call.KeywordRule> rules = recordings == null ? List.of() : recordings.settings(site.siteId()).keywordRules();
        if (calls.transcript(site, provider, providerCallId, text, rules).isPresent()) {
            return;
        }
        if (journal.holdsCall(site.siteId(), provider, providerCallId)) {
            try {
                journal.awaitCallDelivered(site.siteId(), provider, providerCallId, TRANSCRIPT_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (journal.holdsCall(site.siteId(), provider, providerCallId)) {
                throw new DomainFailure(Kind.UNAVAILABLE, "call_not_stored_yet",
                        "the call's events are not stored yet; send the transcript again later", null, 30);
            }
        }
        // The call's events may have reached the store between the first look and the journal's answer.
        if (calls.transcript(site, provider, providerCallId, text, rules).isPresent()) {
            return;
        }
        LOG.info("transcript_ignored site={} provider={} reason=unknown_call", site.siteId(), provider);
    }

    private Site twilioSite(Request request) {
        String siteId = request.pathParam("siteId");
        SiteRegistry.Entry entry = sites.byId(siteId).orElseThrow(() -> {
            count(TwilioForm.PROVIDER, "unknown_site", siteId);
            return new UnknownSite();
        });
        String token = entry.secrets().twilioAuthToken();
        if (token == null || token.isBlank()) {
            throw reject(TwilioForm.PROVIDER, siteId, "not_configured", Kind.FORBIDDEN, "twilio_not_configured",
                    "this site has no Twilio auth token, so Twilio requests cannot be verified; set 'twilioAuthToken' with "
                            + "PATCH /v1/sites/" + siteId, null);
        }
        return entry.site();
    }

    /** The form, once its {@code X-Twilio-Signature} checks out; 403 and nothing stored otherwise. */
    private TwilioForm twilioForm(Request request, Site site) {
        String header = request.header("x-twilio-signature");
        if (header == null || header.isBlank()) {
            throw reject(TwilioForm.PROVIDER, site.siteId(), "missing", Kind.FORBIDDEN, "invalid_signature",
                    "the X-Twilio-Signature header is missing", null);
        }
        TwilioForm form;
        try {
            form = TwilioForm.parse(request.body());
        } catch (IllegalArgumentException broken) {
            throw reject(TwilioForm.PROVIDER, site.siteId(), "mismatch", Kind.FORBIDDEN, "invalid_signature",
                    "the X-Twilio-Signature does not match this request", null);
        }
        List<String> tokens = sites.byId(site.siteId()).map(e -> e.secrets().twilioAuthTokens(clock.instant())).orElse(List.of());
        boolean valid = false;
        for (String token : tokens) {
            for (String url : signedUrls(request)) {
                valid |= TwilioSignature.verify(token, url, form.fields(), header);
            }
        }
        if (!valid) {
            throw reject(TwilioForm.PROVIDER, site.siteId(), "mismatch", Kind.FORBIDDEN, "invalid_signature",
                    "the X-Twilio-Signature does not match this request (verified against " + publicUrl + request.target()
                            + "; set RINGPOOL_PUBLIC_URL to the base URL configured at Twilio)", null);
        }
        return form;
    }

    /** The URLs Twilio may have signed: {@link SignedUrls} over the target as received. */
    Set<String> signedUrls(Request request) {
        return SignedUrls.of(publicUrl, request.target(), publicUrlGuessed ? request.header("host") : null);
    }

    // ---- generic JSON ------------------------------------------------------------------------

    private Response genericEvent(Request request) {
        String siteId = request.pathParam("siteId");
        SiteRegistry.Entry entry = sites.byId(siteId).orElseThrow(() -> {
            count(GenericEvent.PROVIDER, "unknown_site", siteId);
            return new UnknownSite();
        });
        Instant received = clock.instant();
        RingpoolSignature.Result result = signatures.verify(request.header("x-ringpool-signature"), request.body(),
                entry.secrets().webhookSecrets(received));
        switch (result) {
            case VALID -> { }
            case MISSING -> throw reject(GenericEvent.PROVIDER, siteId, result.wireName(), Kind.UNAUTHENTICATED, "missing_signature",
                    "the X-Ringpool-Signature header is missing: send t=<unix seconds>,v1=<hex HMAC-SHA256(webhookSecret, t + \".\" + body)>", null);
            case MALFORMED -> throw reject(GenericEvent.PROVIDER, siteId, result.wireName(), Kind.UNAUTHENTICATED, "malformed_signature",
                    "the X-Ringpool-Signature header is not t=<unix seconds>,v1=<64 hex digits>", null);
            case STALE -> throw reject(GenericEvent.PROVIDER, siteId, result.wireName(), Kind.FORBIDDEN, "stale_signature",
                    "the signature's timestamp is more than 5 minutes from the server's time; sign each request when sending it", null);
            case MISMATCH -> throw reject(GenericEvent.PROVIDER, siteId, result.wireName(), Kind.FORBIDDEN, "invalid_signature",
                    "the X-Ringpool-Signature does not match the body under this site's webhook secret", null);
        }
        CallEvent event;
        JsonBody sentBody;
        boolean datedOnReceipt;
        try {
            sentBody = JsonBody.cleaned(request);
            GenericEvent sent = genericEvent(sentBody);
            event = sent.toCallEvent(clock);
            datedOnReceipt = !sent.dated();
            long offset = senderClocks.measure(siteId, RingpoolSignature.signedAt(request.header("x-ringpool-signature")).orElseThrow(),
                    received);
            if (sent.dated()) {
                // the sender's own time for the event, moved onto ours; without one it is our receive time already
                event = new CallEvent(event.provider(), event.providerCallId(), event.kind(), SenderClocks.corrected(event.at(), offset),
                        event.from(), event.to(), event.durationSeconds(), event.talkSeconds(), event.recordingUrl());
            }
        } catch (DomainFailure invalid) {
            count(GenericEvent.PROVIDER, "invalid_body", siteId);
            LOG.info("webhook_rejected provider={} site={} reason=invalid_body code={} field={}", GenericEvent.PROVIDER, siteId,
                    invalid.code(), invalid.field());
            throw invalid;
        }
        CallService.Ingested ingested = ingest(entry.site(), event, true, datedOnReceipt);
        String transcript = sentBody.optionalString("transcript", 100_000);
        if (transcript != null && !transcript.isBlank() && ingested.call() != null) {
            keepTranscript(entry.site(), event.provider(), event.providerCallId(), transcript);
            ingested = new CallService.Ingested(ingested.provider(), ingested.providerCallId(),
                    calls.call(entry.site().siteId(), ingested.call().callId()).orElse(ingested.call()), ingested.duplicate());
        }
        if (ingested.call() == null) {
            Map<String, Object> pending = new LinkedHashMap<>();
            pending.put("callId", null);
            pending.put("providerCallId", ingested.providerCallId());
            pending.put("status", "pending");
            return Response.json(202, pending);
        }
        Map<String, Object> body = CallJson.of(ingested.call());
        body.put("duplicate", ingested.duplicate());
        return Response.json(200, body);
    }

    /**
     * The body read into a {@link GenericEvent}; {@code at} may be text (ISO-8601) or a number
     * (unix seconds). The sizes here bound what is read; the event judges its values.
     */
    static GenericEvent genericEvent(JsonBody body) {
        String at = null;
        Double atSeconds = null;
        if (body.has("at")) {
            try {
                at = body.optionalString("at", 64);
            } catch (DomainFailure notText) {
                atSeconds = body.optionalNumber("at", -Double.MAX_VALUE, Double.MAX_VALUE);
            }
        }
        // The call id exactly as sent: it is the sender's own key, and one with a control character is refused
        // (GenericEvent), not quietly made into another id as the body's other text is (JsonBody.cleaned).
        String callId = body.requiredExactString("callId", GenericEvent.MAX_CALL_ID).trim();
        if (callId.isEmpty()) {
            throw DomainFailure.missing("callId");
        }
        return new GenericEvent(
                callId,
                body.requiredString("event", 20),
                body.optionalString("from", GenericEvent.MAX_NUMBER_CHARS),
                body.optionalString("to", GenericEvent.MAX_NUMBER_CHARS),
                at,
                atSeconds,
                body.optionalInt("durationSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                body.optionalInt("talkSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                body.optionalString("recordingUrl", 2000));
    }

    // ---- shared ------------------------------------------------------------------------------

    private CallService.Ingested ingest(Site site, CallEvent event, boolean requireNumberForNewCall) {
        return ingest(site, event, requireNumberForNewCall, false);
    }

    private CallService.Ingested ingest(Site site, CallEvent event, boolean requireNumberForNewCall, boolean datedOnReceipt) {
        try {
            return datedOnReceipt ? calls.ingestDatedOnReceipt(site, event, requireNumberForNewCall)
                    : calls.ingest(site, event, requireNumberForNewCall);
        } catch (DomainFailure e) {
            String reason = "unknown_number".equals(e.code()) ? "unknown_number" : "invalid_body";
            count(event.provider(), reason, site.siteId());
            LOG.info("webhook_rejected provider={} site={} reason={} code={}", event.provider(), site.siteId(), reason, e.code());
            throw e;
        }
    }

    private DomainFailure reject(String provider, String siteId, String reason, Kind kind, String code, String message, String field) {
        count(provider, reason, siteId);
        // A refusal of a request that did not authenticate is written once a minute per site and reason (audit
        // AJ1 #2: forged Twilio and generic posts wrote a line each); a real provider's bad body is written each time.
        long suppressed = "invalid_body".equals(reason) ? 0 : rejectionLines.admit(provider, siteId, reason);
        if (suppressed >= 0) {
            LOG.info("webhook_rejected provider={} site={} reason={} suppressed={}", provider, siteId, reason, suppressed);
        }
        return new DomainFailure(kind, code, message, field);
    }

    private void count(String provider, String reason, String siteId) {
        WebhookRejections.count(registry, provider, reason);
    }
}
