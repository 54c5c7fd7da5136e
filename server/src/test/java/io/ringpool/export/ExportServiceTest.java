package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.CallStoreFixture;
import io.ringpool.failure.DomainFailure;
import io.ringpool.report.ReportRange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ExportService} over a real H2 store, without HTTP. */
class ExportServiceTest {
    static final String NUMBER = "+74954000001";
    static final String OTHER = "+74954000002";

    @TempDir
    Path dir;

    @Test
    void aTimeInTheHourAFallBackRepeatsCarriesItsOffsetAndOtherTimesDoNot() {
        java.time.ZoneId ny = java.time.ZoneId.of("America/New_York");
        long firstPass = Instant.parse("2027-11-07T05:30:40Z").toEpochMilli(); // 01:30:40 EDT
        long secondPass = Instant.parse("2027-11-07T06:30:52Z").toEpochMilli(); // 01:30:52 EST
        assertThat(ExportService.googleTime(false, firstPass, ny)).isEqualTo("2027-11-07 01:30:40-0400");
        assertThat(ExportService.googleTime(false, secondPass, ny)).isEqualTo("2027-11-07 01:30:52-0500");
        assertThat(ExportService.googleTime(false, Instant.parse("2027-11-07T08:00:00Z").toEpochMilli(), ny))
                .isEqualTo("2027-11-07 03:00:00");
        assertThat(ExportService.googleTime(true, secondPass, ny)).isEqualTo("2027-11-07T01:30:52-05:00");
    }

    @Test
    void googleAdsClicksHasOneRowPerCallWithAGclidAndCountsTheCallsWithoutOne() {
        try (CallStoreFixture f = new CallStoreFixture(dir, "st_export", List.of(NUMBER, OTHER))) {
            Instant start = f.clock.instant();
            f.visit("s_1", "v_1", NUMBER, start, null, "google", "cpc", "paid", "GCLID-1");
            f.call("c-1", "+79160000001", NUMBER, start.plusSeconds(60), 45);
            f.call("c-2", "+79160000002", OTHER, start.plusSeconds(120), 45); // no visit, no gclid
            ReportRange range = ReportRange.of(start.minus(Duration.ofDays(1)), start.plus(Duration.ofDays(1)),
                    f.site.settings().timeZone(), f.clock.instant());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExportService.Result result = new ExportService(f.db).write(f.site,
                    new ExportQuery(ExportFormat.GOOGLE_ADS_CLICKS, range, null, null, null, null, null, null), out);

            assertThat(result).isEqualTo(new ExportService.Result(1, 1));
            String csv = out.toString(StandardCharsets.UTF_8);
            assertThat(csv).startsWith("Parameters:TimeZone=Europe/Moscow").contains("GCLID-1,Phone call,2026-11-26 12:01:00");
        }
    }

    @Test
    void anIdTypeOnAGoogleFormatIsInvalidAndYandexDefaultsToTheClientId() {
        ReportRange range = ReportRange.of(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-02T00:00:00Z"),
                java.time.ZoneOffset.UTC, Instant.parse("2026-11-26T00:00:00Z"));
        assertThatThrownBy(() -> new ExportQuery(ExportFormat.GOOGLE_ADS_CALLS, range, null, null, null, null, null,
                ExportQuery.IdType.YCLID)).isInstanceOfSatisfying(DomainFailure.class, e -> assertThat(e.field()).isEqualTo("idType"));
        ExportQuery yandex = new ExportQuery(ExportFormat.YANDEX_OFFLINE, range, null, null, null, null, null, null);
        assertThat(yandex.idType()).isEqualTo(ExportQuery.IdType.CLIENT_ID);
        assertThat(yandex.conversionName()).isEqualTo("call");
    }
}
