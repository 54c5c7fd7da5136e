package io.ringpool.export;

import io.ringpool.call.AttributionMethod;
import io.ringpool.call.CallState;

/**
 * What an export keeps beyond its time range, as its query string names it ({@code tag},
 * {@code target}, {@code unique}, {@code uniqueTarget}, {@code idType}, {@code leads},
 * {@code leadConversionName}, the call log's {@code status}, {@code method} and {@code caller}, and
 * {@code ambiguous});
 * each null for the export's default. A feed stores one, so the file a platform fetches on its
 * schedule holds what the marketer would download by hand with the same parameters (only target
 * calls as conversions, say), not every call.
 *
 * @param caller E.164, as {@link io.ringpool.call.CallFilterParameters#caller} writes it
 */
public record ExportFilters(String tag, Boolean target, Boolean unique, Boolean uniqueTarget, ExportQuery.IdType idType, Boolean leads,
        String leadConversionName, CallState.Status status, AttributionMethod method, String caller, Boolean ambiguous) {

    /** No filter: every call (and lead, where the format has a place for them). */
    public static final ExportFilters NONE = new ExportFilters(null, null, null, null, null, null, null, null, null, null, null);

    /** The export of {@code format} over {@code range} with these filters. */
    ExportQuery query(ExportFormat format, io.ringpool.report.ReportRange range, String conversionName) {
        return new ExportQuery(format, range, tag, target, unique, uniqueTarget, conversionName, idType, leads, leadConversionName, status,
                method, caller, ambiguous);
    }
}
