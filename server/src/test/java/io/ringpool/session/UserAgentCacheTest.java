package io.ringpool.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserAgentCacheTest {
    @Test
    void theCacheKeyIsTheTruncatedUserAgentSoEndlessUniqueLongHeadersShareBoundedKeys() {
        UserAgentCache cache = new UserAgentCache();
        String chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
        String padded = chrome + " " + "x".repeat(8000);
        assertThat(cache.truncated(padded)).hasSize(UserAgentCache.MAX_CHARS);
        assertThat(cache.truncated(padded + "unique-suffix-1")).isEqualTo(cache.truncated(padded + "unique-suffix-2"));
        assertThat(cache.truncated(chrome)).isEqualTo(chrome);
        assertThat(cache.read(padded).device().browser()).isEqualTo(cache.read(chrome).device().browser());
    }
}
