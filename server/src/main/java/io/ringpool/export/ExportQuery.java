package io.ringpool.export;

import io.ringpool.failure.DomainFailure;
import io.ringpool.report.ReportRange;
import java.util.Objects;

/**
 * Which calls an export holds (time range on the call's start; tag, target, unique and
 * unique-target filters, each null for "any") and how to name them.
 *
 * @param conversionName the conversion's name in the file; null for the format's default
 * @param idType         for Yandex, which id column; null for {@link IdType#CLIENT_ID}. Not for Google formats.
 */
public record ExportQuery(ExportFormat format, ReportRange range, String tag, Boolean target, Boolean unique, Boolean uniqueTarget,
        String conversionName, IdType idType) {

    static final String DEFAULT_GOOGLE_CONVERSION = "Phone call";
    static final String DEFAULT_YANDEX_TARGET = "call";

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
    }
}
