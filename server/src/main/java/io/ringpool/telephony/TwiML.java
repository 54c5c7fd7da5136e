package io.ringpool.telephony;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The TwiML answers to Twilio's voice webhook (content type {@code text/xml}).
 *
 * <p>{@link #forward} answers an incoming call by dialling the site's real number:
 * <pre>{@code
 * <?xml version="1.0" encoding="UTF-8"?>
 * <Response><Dial answerOnBridge="true" timeout="30"><Number statusCallback="{publicUrl}/v1/telephony/twilio/{siteId}/status"
 *   statusCallbackEvent="initiated ringing answered completed" statusCallbackMethod="POST">+7…</Number></Dial></Response>
 * }</pre>
 * Attributes and why:
 * <ul>
 *   <li>{@code answerOnBridge="true"}: the caller hears ringing until the business answers, and
 *       the caller's call is only answered then, so a missed call looks missed to everyone.</li>
 *   <li>{@code timeout="30"}: seconds to ring the business before giving up (Twilio's default,
 *       written out so the behaviour is visible here).</li>
 *   <li>no {@code callerId} by default: Twilio then passes the caller's number through, so the
 *       business sees who is calling. A site may pass one (must be a number it owns at Twilio).</li>
 *   <li>no {@code action}: when the dial ends the call ends; outcomes come from the status
 *       callbacks of the {@code <Number>} leg, which carry {@code ParentCallSid}.</li>
 *   <li>no {@code record} unless the site's {@code recordCalls} is on (recording is personal data
 *       and needs the site's decision): then {@code record="record-from-answer-dual"} (from the
 *       moment the business answers, caller and business on separate channels, so listening can
 *       tell who said what) with {@code recordingStatusCallback} to our recording endpoint, which
 *       queues the download. A {@code recordingNotice} is spoken ({@code <Say>}) or played
 *       ({@code <Play>}) before the {@code <Dial>}; note that it answers the caller's leg first.</li>
 * </ul>
 */
public final class TwiML {

    /** Seconds Twilio rings the forward number; Twilio's own default. */
    static final int DIAL_TIMEOUT_SECONDS = 30;

    private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

    private TwiML() {}

    /**
     * TwiML that forwards the call to {@code forwardTo} with status callbacks to our status endpoint.
     *
     * @param forwardTo the site's real number (E.164)
     * @param publicUrl our external base URL ({@code RINGPOOL_PUBLIC_URL}); a trailing '/' is ignored
     * @param siteId    the site whose status endpoint gets the callbacks
     * @param callerId  the number shown to the business, or null to pass the caller's own through
     */
    public static String forward(String forwardTo, String publicUrl, String siteId, String callerId) {
        return forward(forwardTo, publicUrl, siteId, callerId, false, null);
    }

    /**
     * As {@link #forward(String, String, String, String)}, recording from answer when {@code record},
     * after {@code notice} (text to speak, or an http(s) audio URL to play; null for none).
     */
    public static String forward(String forwardTo, String publicUrl, String siteId, String callerId, boolean record, String notice) {
        Objects.requireNonNull(forwardTo, "forwardTo");
        StringBuilder x = new StringBuilder(PROLOG).append("<Response>");
        x.append(noticeVerb(notice));
        x.append("<Dial answerOnBridge=\"true\" timeout=\"").append(DIAL_TIMEOUT_SECONDS).append('"');
        if (record) {
            x.append(" record=\"record-from-answer-dual\" recordingStatusCallback=\"")
                    .append(escape(callbackUrl(publicUrl, siteId, "recording")))
                    .append("\" recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"");
        }
        if (callerId != null && !callerId.isBlank()) {
            x.append(" callerId=\"").append(escape(callerId.trim())).append('"');
        }
        x.append("><Number statusCallback=\"").append(escape(statusCallbackUrl(publicUrl, siteId)))
                .append("\" statusCallbackEvent=\"initiated ringing answered completed\" statusCallbackMethod=\"POST\">")
                .append(escape(forwardTo.trim()))
                .append("</Number></Dial></Response>");
        return x.toString();
    }

    /** {@code <Say>text</Say>} or {@code <Play>url</Play>} for a notice, "" for none (also cXML and TeXML). */
    public static String noticeVerb(String notice) {
        if (notice == null || notice.isBlank()) {
            return "";
        }
        String n = notice.strip();
        boolean audio = n.regionMatches(true, 0, "http://", 0, 7) || n.regionMatches(true, 0, "https://", 0, 8);
        return audio ? "<Play>" + escape(n) + "</Play>" : "<Say>" + escape(n) + "</Say>";
    }

    /** TwiML that rejects the call (busy tone, not billed), for a site that cannot take calls. */
    public static String reject() {
        return PROLOG + "<Response><Reject reason=\"busy\"/></Response>";
    }

    /** {@code {publicUrl}/v1/telephony/twilio/{siteId}/status}, the site id encoded as a path segment. */
    public static String statusCallbackUrl(String publicUrl, String siteId) {
        return callbackUrl(publicUrl, siteId, "status");
    }

    /** {@code {publicUrl}/v1/telephony/twilio/{siteId}/{tail}}. */
    public static String callbackUrl(String publicUrl, String siteId, String tail) {
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(siteId, "siteId");
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        // URLEncoder is a form encoder; '+' for space is wrong in a path, so use %20.
        String segment = URLEncoder.encode(siteId, StandardCharsets.UTF_8).replace("+", "%20");
        return base + "/v1/telephony/twilio/" + segment + "/" + tail;
    }

    /** Escapes text for an XML attribute or element. Drops characters XML 1.0 cannot carry. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean legal = c == 0x9 || c == 0xA || c == 0xD
                            || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
                    if (legal) {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
