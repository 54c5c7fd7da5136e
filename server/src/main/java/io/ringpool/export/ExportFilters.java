package io.ringpool.export;

/**
 * What an export keeps beyond its time range, as its query string names it ({@code tag},
 * {@code target}, {@code unique}, {@code uniqueTarget}, {@code idType}, {@code leads},
 * {@code leadConversionName}); each null for the export's default. A feed stores one, so the file a
 * platform fetches on its schedule holds what the marketer would download by hand with the same
 * parameters (only target calls as conversions, say), not every call.
 */
public record ExportFilters(String tag, Boolean target, Boolean unique, Boolean uniqueTarget, ExportQuery.IdType idType, Boolean leads,
        String leadConversionName) {

    /** No filter: every call (and lead, where the format has a place for them). */
    public static final ExportFilters NONE = new ExportFilters(null, null, null, null, null, null, null);

    /** The export of {@code format} over {@code range} with these filters. */
    ExportQuery query(ExportFormat format, io.ringpool.report.ReportRange range, String conversionName) {
        return new ExportQuery(format, range, tag, target, unique, uniqueTarget, conversionName, idType, leads, leadConversionName);
    }
}
