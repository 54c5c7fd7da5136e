package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Audit AI4 F11: the site in a download's name, safe in a header and on every file system. */
class DownloadNameTest {

    @Test
    void aLatinNameIsKeptWithEveryOtherRunOfCharactersOneDash() {
        assertThat(DownloadName.of("calls", "Sofa shop / Moscow (new)", "st_1", "2026-11-07_2026-12-06", "csv"))
                .isEqualTo("calls_Sofa-shop-Moscow-new_2026-11-07_2026-12-06.csv");
        assertThat(DownloadName.contentDisposition("attachment", "calls_Sofa-shop_all.csv"))
                .isEqualTo("attachment; filename=\"calls_Sofa-shop_all.csv\"");
    }

    @Test
    void aCyrillicNameIsTransliteratedInFilenameAndExactInFilenameStar() {
        String name = DownloadName.of("leads", "Стоматология «Улыбка»", "st_1", null, "csv");
        assertThat(name).isEqualTo("leads_Стоматология-Улыбка.csv");
        assertThat(DownloadName.contentDisposition("attachment", name)).isEqualTo("attachment; filename=\"leads_Stomatologiya-Ulybka.csv\"; "
                + "filename*=UTF-8''leads_%D0%A1%D1%82%D0%BE%D0%BC%D0%B0%D1%82%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F-"
                + "%D0%A3%D0%BB%D1%8B%D0%B1%D0%BA%D0%B0.csv");
    }

    @Test
    void aNameWithNothingWritableGivesTheSiteIdAndNothingBreaksTheHeader() {
        assertThat(DownloadName.of("calls", "東京", "st_AbC-1", null, "csv")).isEqualTo("calls_st_AbC-1.csv");
        assertThat(DownloadName.of("calls", "\"; rm -rf /", "st_1", null, "csv")).isEqualTo("calls_rm-rf.csv");
        assertThat(DownloadName.of("calls", null, null, null, "csv")).isEqualTo("calls_site.csv");
        assertThat(DownloadName.sitePart("x".repeat(100), "st_1")).hasSize(DownloadName.SITE_CHARS);
    }
}
