package io.ringpool.lead;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request to record a lead, already checked for shape by the API (lengths, types, enumerations).
 *
 * @param origin     who sent it: the site script (a session) or a server with the site key
 * @param externalId the sender's id; a repeat returns the lead it made. Null for script leads
 * @param formId     the form's id, name or index on the page; with the person it defines "the same form" for duplicates
 * @param at         when the request was made; null = when it arrives
 * @param phone      as typed or as the sender has it; normalised by the service
 * @param email      as typed; normalised by the service
 * @param value      what the lead is worth, in {@code currency} (the site's when null)
 */
public record NewLead(
        LeadKind kind,
        Origin origin,
        String externalId,
        String formId,
        String pageUrl,
        Instant at,
        String phone,
        String email,
        String name,
        String message,
        Identifiers ids,
        Double value,
        String currency,
        List<String> tags) {

    public enum Origin {
        SCRIPT,
        API;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What ties a lead to a visit, in the order {@link LeadAttributor} tries them.
     *
     * @param clientIds analytics client ids ({@code ym}: Metrica ClientID, {@code ga}) as the script saw them
     * @param landingUrl the visit's landing URL as a server captured it (a script that was blocked):
     *                   its UTM tags and click ids name a lead no visit was found for; null when not given
     * @param referrer   that landing's referrer as the server captured it; null when not given
     */
    public record Identifiers(String sessionId, String visitorId, Map<String, String> clientIds, String gclid, String yclid,
            String landingUrl, String referrer) {
        public Identifiers {
            clientIds = clientIds == null ? Map.of() : Map.copyOf(clientIds);
        }

        /** Without a landing URL or referrer (the script's leads: their session has them). */
        public Identifiers(String sessionId, String visitorId, Map<String, String> clientIds, String gclid, String yclid) {
            this(sessionId, visitorId, clientIds, gclid, yclid, null, null);
        }

        public static Identifiers none() {
            return new Identifiers(null, null, Map.of(), null, null);
        }
    }

    public NewLead {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        ids = ids == null ? Identifiers.none() : ids;
        // A tag named twice is one tag, as a PATCH makes it: stored twice it broke the lead's key (503).
        tags = tags == null ? List.of() : List.copyOf(new LinkedHashSet<>(tags));
    }
}
