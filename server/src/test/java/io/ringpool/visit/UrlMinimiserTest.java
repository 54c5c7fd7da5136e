package io.ringpool.visit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlMinimiserTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "https://shop.example/p?email=a%40b.c&utm_source=ya&yclid=42|https://shop.example/p?utm_source=ya&yclid=42",
        "https://shop.example/p?UTM_Medium=cpc&Phone=%2B7916|https://shop.example/p?UTM_Medium=cpc",
        "https://shop.example/p?gbraid=G&wbraid=W&msclkid=M&ttclid=T&sclid=S&_openstat=O|https://shop.example/p?gbraid=G&wbraid=W&msclkid=M&ttclid=T&sclid=S&_openstat=O",
        "https://shop.example/p?name=Jane|https://shop.example/p",
        "https://jane:secret@shop.example:8443/p?x=1#frag|https://shop.example:8443/p",
        "/relative/path?utm_source=a&token=abc|/relative/path?utm_source=a",
        "https://shop.example/p?&&utm_source=a&&|https://shop.example/p?utm_source=a",
        "not a url at all?session=1|not a url at all",
    })
    void keepsOnlyTheParametersRingpoolReads(String given, String kept) {
        assertThat(UrlMinimiser.minimise(given)).isEqualTo(kept);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "https://shop.example/p?ref=partner&order=9|https://shop.example/p?ref=partner",
    })
    void aSitesAllowListAddsParameters(String given, String kept) {
        assertThat(UrlMinimiser.minimise(given, List.of("ref"))).isEqualTo(kept);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "https://www.google.com/search?q=jane+doe|https://www.google.com/search",
        "https://u:p@yandex.ru/?text=x#y|https://yandex.ru/",
    })
    void referrersKeepNoQuery(String given, String kept) {
        assertThat(UrlMinimiser.withoutQuery(given)).isEqualTo(kept);
    }
}
