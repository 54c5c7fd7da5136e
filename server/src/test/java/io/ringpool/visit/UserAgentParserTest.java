package io.ringpool.visit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UserAgentParserTest {

    private final UserAgentParser parser = new UserAgentParser();

    @ParameterizedTest(name = "{0}: {2} / {3} / {4}")
    @CsvSource(delimiter = '|', textBlock = """
        Chrome on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 | desktop | Chrome | Windows
        Edge on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67 | desktop | Edge | Windows
        legacy Edge on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041 | desktop | Edge | Windows
        Opera on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 OPR/108.0.0.0 | desktop | Opera | Windows
        Yandex Browser on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36 | desktop | Yandex Browser | Windows
        Firefox on Windows | Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0 | desktop | Firefox | Windows
        Internet Explorer 11 | Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko | desktop | Internet Explorer | Windows
        Safari on macOS | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15 | desktop | Safari | macOS
        Chrome on macOS | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 | desktop | Chrome | macOS
        Firefox on macOS | Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0 | desktop | Firefox | macOS
        Firefox on Ubuntu | Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0 | desktop | Firefox | Linux
        Chrome on Linux | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 | desktop | Chrome | Linux
        Chrome on a Chromebook | Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 | desktop | Chrome | ChromeOS
        Safari on iPhone | Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1 | mobile | Safari | iOS
        Chrome on iPhone | Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1 | mobile | Chrome | iOS
        Firefox on iPhone | Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15 | mobile | Firefox | iOS
        Edge on iPhone | Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/124.2478.50 Mobile/15E148 Safari/605.1.15 | mobile | Edge | iOS
        Safari on iPad | Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1 | tablet | Safari | iPadOS
        Chrome on an Android phone | Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 | mobile | Chrome | Android
        Chrome on an Android tablet | Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 | tablet | Chrome | Android
        Samsung Internet on a Galaxy | Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36 | mobile | Samsung Internet | Android
        Yandex Browser on Android | Mozilla/5.0 (Linux; arm_64; Android 13; 2201117TY) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.1.5.70.00 SA/3 Mobile Safari/537.36 | mobile | Yandex Browser | Android
        Opera on Android | Mozilla/5.0 (Linux; Android 10; VOG-L29) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 OPR/80.4.4244.77863 | mobile | Opera | Android
        Firefox on an Android phone | Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0 | mobile | Firefox | Android
        Firefox on an Android tablet | Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0 | tablet | Firefox | Android
        Edge on Android | Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64 | mobile | Edge | Android
        Silk on a Kindle Fire | Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/123.2.1 like Chrome/123.0.6312.118 Safari/537.36 | tablet | Chrome | Android
        an Android WebView in an app | Mozilla/5.0 (Linux; Android 12; SM-A125F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 | mobile | Chrome | Android
        the old Android stock browser | Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30 | mobile | Other | Android
        a Cubot phone | Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36 | mobile | Chrome | Android
        the Yandex app | Mozilla/5.0 (Linux; arm_64; Android 12; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.289 YaApp_Android/23.65.1 YaSearchBrowser/23.65.1 BroPP/1.0 SA/3 Mobile Safari/537.36 | mobile | Yandex Browser | Android
        Windows Phone | Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063 | mobile | Edge | Other
        Googlebot smartphone | Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) | bot | Chrome | Android
        headless Chrome | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36 | bot | Chrome | Linux
        curl | curl/8.5.0 | desktop | Other | Other
        """)
    void readsDeviceTypeBrowserAndOsFromRealUserAgents(String story, String userAgent, String type, String browser, String os) {
        assertThat(parser.parse(userAgent)).isEqualTo(new Device(type, browser, os));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void aMissingUserAgentIsAnUnknownDevice(String userAgent) {
        assertThat(parser.parse(userAgent)).isEqualTo(new Device("unknown", "Other", "Other"));
    }

    @Test
    void anUnfamiliarUserAgentIsADesktopOfOtherBrowserAndOs() {
        assertThat(parser.parse("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)"))
                .isEqualTo(new Device("desktop", "Other", "Other"));
    }

    /**
     * Only a bounded prefix is read, so a huge hostile header costs what a normal one does. Pinned by
     * what is read, not by a stopwatch: a timed bound failed on a loaded box (2 cores, two test forks).
     */
    @Test
    void aHugeHostileUserAgentIsReadOnlyUpToItsBoundedPrefix() {
        String hostile = "Mozilla/5.0 (" + "Android Mobi Chrome/ ".repeat(50_000) + ")";
        String prefix = hostile.substring(0, BotDetector.MAX_INSPECTED_CHARS);
        assertThat(parser.parse(hostile)).isEqualTo(parser.parse(prefix));
        // What lies past the prefix is never seen: an iPhone named there changes nothing.
        String tailOnly = prefix.replace("Android", "Xndroid").replace("Mobi", "Xobi") + " (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile";
        assertThat(parser.parse(tailOnly)).isEqualTo(parser.parse(tailOnly.substring(0, BotDetector.MAX_INSPECTED_CHARS)));
    }
}
