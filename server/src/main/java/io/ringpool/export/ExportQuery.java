package io.ringpool.export;

import io.ringpool.call.AttributionMethod;
import io.ringpool.call.CallState;
import io.ringpool.failure.DomainFailure;
import io.ringpool.report.ReportRange;
import java.util.Objects;

/**
 * Which calls an export holds (time range on the call's start; tag, target, unique,
 * unique-target, status, method and caller filters, each null for "any") and how to name them.
 *
 * @param conversionName the conversion's name in the file; null for the format's default
 * @param idType         for Yandex, which id column; null for {@link IdType#CLIENT_ID}. Not for Google formats.
 * @param leads          true: leads follow the calls whatever the call-only filters; false: no leads;
 *                       null: leads follow unless a call-only filter is set (see {@link #includesLeads})
 * @param status         the call log's {@code status}: calls only
 * @param method         the call log's {@code method} (how the call was attributed): calls only
 * @param caller         the call log's {@code caller} (E.164): calls from it, and leads that gave that phone
 * @param ambiguous      false: no call attributed {@code ambiguous} (one visit chosen among several); true: only those;
 *                       calls only, and no reason to leave leads out (a lead's visit is its own)
 */
public record ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
        String conversionName, IdType idType, Boolean leads, String leadConversionName, CallState.Status status, AttributionMethod method,
        String caller, Boolean ambiguous) {

    /** Without the {@code ambiguous} filter. */
    public ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
            String conversionName, IdType idType, Boolean leads, String leadConversionName, CallState.Status status, AttributionMethod method,
            String caller) {
        this(format, range, tag, target, unique, uniqueTarget, conversionName, idType, leads, leadConversionName, status, method, caller,
                null);
    }

    static final String DEFAULT_GOOGLE_CONVERSION = "Phone call";
    static final String DEFAULT_YANDEX_TARGET = "call";
    static final String DEFAULT_GOOGLE_LEAD_CONVERSION = "Lead";
    static final String DEFAULT_YANDEX_LEAD_TARGET = "lead";

    /** As before leads: calls only, the lead options at their defaults. */
    public ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
            String conversionName, IdType idType) {
        this(format, range, tag, target, unique, uniqueTarget, conversionName, idType, null, null);
    }

    /** Without the call log's status, method and caller filters (a feed's). */
    public ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
            String conversionName, IdType idType, Boolean leads, String leadConversionName) {
        this(format, range, tag, target, unique, uniqueTarget, conversionName, idType, leads, leadConversionName, null, null, null);
    }

    /** The visitor id a Yandex file matches calls by. */
    public enum IdType {
        /** Yandex Metrica's ClientId ({@code _ym_uid}), kept from the visit. */
        CLIENT_ID("clientId"),
        /** The ad click id Yandex Direct adds to landing URLs. */
        YCLID("yclid");

        private final String wireName;

        IdType(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public ExportQuery {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(range, "range");
        if (idType != null && format.google()) {
            throw DomainFailure.invalid("idType", "'idType' applies to the Yandex formats only");
        }
        if (conversionName == null) {
            conversionName = format.google() ? DEFAULT_GOOGLE_CONVERSION : DEFAULT_YANDEX_TARGET;
        }
        if (idType == null) {
            idType = IdType.CLIENT_ID;
        }
        if (leadConversionName == null) {
            leadConversionName = format.google() ? DEFAULT_GOOGLE_LEAD_CONVERSION : DEFAULT_YANDEX_LEAD_TARGET;
        }
    }

    /**
     * Whether leads follow the calls: only in the formats with a place for them, and then as
     * {@code leads} says, as a destination's {@code filter.leads} does: {@code true} yes (the
     * call-only filters, {@code target}, {@code uniqueTarget}, {@code status} and {@code method}, do
     * not apply to a lead, which has no talk time, status or attribution of a call), {@code false}
     * no. Without it, leads follow unless a call-only filter is set: an export asked for "target
     * calls" (a feed set up that way before leads existed, say) keeps holding just those, and a
     * platform importing it does not start counting leads unasked.
     */
    public boolean includesLeads() {
        if (!format.carriesLeads() || Boolean.FALSE.equals(leads)) {
            return false;
        }
        return Boolean.TRUE.equals(leads) || (target == null && uniqueTarget == null && status == null && method == null);
    }
}
