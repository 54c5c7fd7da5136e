package io.ringpool.telephony.asterisk;

import io.ringpool.call.CallEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns AMI events into call events for inbound calls to tracking numbers. Single-threaded: one
 * tracker per connection, fed in the order Asterisk wrote the events.
 *
 * <pre>
 * Newchannel whose Exten is a tracking number   -> ringing (from CallerIDNum, to Exten); the call is
 *                                                  its Linkedid (Uniqueid before Asterisk 12)
 * Newstate Up (ChannelState 6) of another channel
 *   of a tracked call                           -> answered (an extension picked up; the caller's own
 *                                                  channel going Up is the PBX answering, e.g. an IVR)
 * Hangup of the caller's channel                -> completed if answered; else Cause 17 busy,
 *                                                  16/19/21/... missed, other failed
 * Cdr of a tracked call                         -> the same final kind by Disposition, with
 *                                                  Duration and BillableSeconds (talk; none from a
 *                                                  leg with an empty DestinationChannel: the IVR's)
 * </pre>
 * Times come from the event's {@code Timestamp} (manager.conf {@code timestampevents=yes}) when
 * present, else from our clock. Calls not to a tracking number (internal, outgoing) are not
 * followed. At most {@link #MAX_CALLS} calls are remembered; the oldest are forgotten first.
 */
final class AmiCallTracker {

    /** Live and recently ended calls remembered: far more than a PBX carries at once. */
    static final int MAX_CALLS = 10_000;

    /** Asterisk's AST_STATE_UP. */
    private static final String STATE_UP = "6";

    private static final class Tracked {
        final String callerChannel;
        boolean answered;

        Tracked(String callerChannel) {
            this.callerChannel = callerChannel;
        }
    }

    private final Predicate<String> isTrackingNumber;
    private final Clock clock;
    private final LinkedHashMap<String, Tracked> calls = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Tracked> eldest) {
            return size() > MAX_CALLS;
        }
    };

    AmiCallTracker(Predicate<String> isTrackingNumber, Clock clock) {
        this.isTrackingNumber = isTrackingNumber;
        this.clock = clock;
    }

    /** The call events this AMI event means (often none). */
    List<CallEvent> on(AmiMessage m) {
        List<CallEvent> out = new ArrayList<>();
        String unique = m.get("Uniqueid");
        String linked = m.get("Linkedid") != null ? m.get("Linkedid") : unique;
        if (linked == null) {
            return out;
        }
        Instant at = time(m);
        if (m.isEvent("Newchannel")) {
            String exten = m.get("Exten");
            if (!calls.containsKey(linked) && linked.equals(unique) && exten != null && exten.matches("\\+?[0-9]{6,15}")
                    && isTrackingNumber.test(exten)) {
                calls.put(linked, new Tracked(unique));
                out.add(new CallEvent(AsteriskProvider.NAME, linked, CallEvent.Kind.RINGING, at, m.get("CallerIDNum"), exten, null, null, null));
            }
        } else if (m.isEvent("Newstate")) {
            Tracked t = calls.get(linked);
            if (t != null && STATE_UP.equals(m.get("ChannelState")) && !t.callerChannel.equals(unique) && !t.answered) {
                t.answered = true;
                out.add(new CallEvent(AsteriskProvider.NAME, linked, CallEvent.Kind.ANSWERED, at, null, null, null, null, null));
            }
        } else if (m.isEvent("Hangup")) {
            Tracked t = calls.get(linked);
            if (t != null && t.callerChannel.equals(unique)) {
                CallEvent.Kind kind = t.answered ? CallEvent.Kind.COMPLETED : switch (String.valueOf(m.get("Cause"))) {
                    case "17" -> CallEvent.Kind.BUSY;
                    case "16", "18", "19", "21", "0" -> CallEvent.Kind.MISSED;
                    default -> CallEvent.Kind.FAILED;
                };
                out.add(new CallEvent(AsteriskProvider.NAME, linked, kind, at, null, null, null, t.answered ? null : Integer.valueOf(0), null));
            }
        } else if (m.isEvent("Cdr")) {
            String id = m.get("UniqueID") != null ? m.get("UniqueID") : unique;
            Tracked t = id == null ? null : calls.get(id);
            if (t != null) {
                Integer duration = seconds(m.get("Duration"));
                Integer talk = seconds(m.get("BillableSeconds"));
                CallEvent.Kind kind = switch (String.valueOf(m.get("Disposition")).toUpperCase(java.util.Locale.ROOT)) {
                    case "ANSWERED" -> t.answered ? CallEvent.Kind.COMPLETED : CallEvent.Kind.MISSED;
                    case "BUSY" -> CallEvent.Kind.BUSY;
                    case "NO ANSWER" -> CallEvent.Kind.MISSED;
                    default -> CallEvent.Kind.FAILED;
                };
                // A CDR "ANSWERED" means the caller's channel was answered, by anyone (an IVR too):
                // talk time counts only when an extension answered. Asterisk 12+ writes a CDR per leg:
                // the caller's time with the IVR or voicemail alone has an empty DestinationChannel, and
                // its BillableSeconds are no conversation (audit AI1 #3: 40 s of IVR and 10 s of talk
                // were stored as talk 40). A CDR without the field at all (a trimmed event) is read as before.
                boolean pbxAlone = m.sentEmpty("DestinationChannel");
                Integer legTalk = t.answered && !pbxAlone ? talk : Integer.valueOf(0);
                out.add(new CallEvent(AsteriskProvider.NAME, id, kind, at, null, null, duration, legTalk, null));
            }
        }
        return out;
    }

    private Instant time(AmiMessage m) {
        String ts = m.get("Timestamp");
        if (ts != null) {
            try {
                double seconds = Double.parseDouble(ts.strip());
                return Instant.ofEpochMilli(Math.round(seconds * 1000));
            } catch (NumberFormatException unreadable) {
                // fall through
            }
        }
        return clock.instant();
    }

    private static Integer seconds(String s) {
        try {
            int v = Integer.parseInt(s == null ? "" : s.strip());
            return v >= 0 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
