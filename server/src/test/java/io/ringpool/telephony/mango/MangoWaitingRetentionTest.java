package io.ringpool.telephony.mango;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.app.TestServer.Reply;
import io.ringpool.telephony.provider.ProviderTestKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit AI1 #4, the part the adapter cannot decide: Mango's recording notice names neither a line
 * nor a direction, so the recording of an employee's outgoing call is kept, waiting for a call that
 * never comes. Retention (PRODUCT.md §5: data ages out) deletes it once it waited a week; before,
 * nothing ever did.
 */
class MangoWaitingRetentionTest {
    static final String KEY = "mango-vpbx-api-key-0002";
    static final String SALT = "mango-vpbx-api-salt-0002";

    @TempDir
    Path dir;
    ProviderTestKit kit;

    @BeforeEach
    void start() {
        kit = new ProviderTestKit(dir);
        kit.configure("mango", Map.of("apiKey", KEY, "apiSalt", SALT));
    }

    @AfterEach
    void stop() {
        kit.close();
    }

    Reply recording(String entry, long ts) throws Exception {
        String json = "{\"entry_id\":\"" + entry + "\",\"call_id\":\"o1\",\"extension\":\"101\",\"recording_id\":\"REC-" + entry
                + "\",\"recording_state\":\"Completed\",\"seq\":3,\"timestamp\":" + ts + "}";
        String sign = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest((KEY + json + SALT).getBytes(StandardCharsets.UTF_8)));
        return kit.postForm("/v1/telephony/mango/" + kit.siteId + "/events/recording",
                ProviderTestKit.params("vpbx_api_key", KEY, "sign", sign, "json", json), Map.of());
    }

    long waiting() {
        return kit.server.count("SELECT COUNT(*) FROM call_events_waiting WHERE site_id = ?", kit.siteId);
    }

    @Test
    void aRecordingWhoseCallNeverCameIsDeletedByRetentionAfterAWeek() throws Exception {
        assertThat(recording("OUT-1", kit.server.clock.instant().getEpochSecond()).status()).isEqualTo(200);
        assertThat(waiting()).isEqualTo(1);

        kit.server.clock.advance(Duration.ofDays(6));
        assertThat(recording("OUT-2", kit.server.clock.instant().getEpochSecond()).status()).isEqualTo(200);
        kit.server.app.applyRetention();
        assertThat(waiting()).as("a week has not passed for either").isEqualTo(2);

        kit.server.clock.advance(Duration.ofDays(2));
        kit.server.app.applyRetention();
        assertThat(waiting()).as("OUT-1 waited 8 days, OUT-2 2 days").isEqualTo(1);
    }
}
