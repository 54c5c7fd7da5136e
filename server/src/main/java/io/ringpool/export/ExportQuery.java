package io.ringpool.export;

import io.ringpool.http.ApiException;
import io.ringpool.http.Request;
import io.ringpool.report.ReportRange;
import java.util.Locale;
import java.util.Set;

/**
 * A validated export request (with {@code dataManagerLayout}, a feed for Google Ads Data Manager:
 * the header on the first line and times in ISO-8601 with their offset, instead of the upload
 * template's {@code Parameters:TimeZone=} line): which calls (time range on the call's start, tag, target and unique
 * flags) and how to name them ({@code conversionName}; for Yandex, which id column: {@code idType}
 * = {@code clientId} (default) or {@code yclid}).
 */
record ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
        String conversionName, String idType, boolean dataManagerLayout) {

    static final String DEFAULT_GOOGLE_CONVERSION = "Phone call";
    static final String DEFAULT_YANDEX_TARGET = "call";
    static final Set<String> KNOWN = Set.of("from", "to", "tag", "target", "unique", "uniqueTarget", "conversionName", "idType");

    static ExportQuery of(ExportFormat format, Request request, java.time.ZoneId zone, long now) {
        ReportRange.rejectUnknown(request, KNOWN);
        ReportRange range = ReportRange.of(request, zone, now);
        String name = text(request, "conversionName", 100);
        if (name == null) {
            name = format.google() ? DEFAULT_GOOGLE_CONVERSION : DEFAULT_YANDEX_TARGET;
        }
        String idType = text(request, "idType", 20);
        if (idType == null) {
            idType = "clientId";
        } else if (!idType.equals("clientId") && !idType.equals("yclid")) {
            throw ApiException.invalid("idType", "'idType' must be clientId or yclid");
        } else if (format.google()) {
            throw ApiException.invalid("idType", "'idType' applies to the Yandex formats only");
        }
        return new ExportQuery(format, range, text(request, "tag", 50), bool(request, "target"), bool(request, "unique"),
                bool(request, "uniqueTarget"), name, idType, false);
    }

    private static String text(Request request, String name, int max) {
        String v = request.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.length() > max) {
            throw ApiException.invalid(name, "'" + name + "' is longer than " + max + " characters");
        }
        return v.trim();
    }

    private static Boolean bool(Request request, String name) {
        String v = text(request, name, 10);
        if (v == null) {
            return null;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiException.invalid(name, "'" + name + "' must be true or false");
        };
    }
}
