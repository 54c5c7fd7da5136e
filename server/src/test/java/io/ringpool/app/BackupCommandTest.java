package io.ringpool.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.config.ConfigLoader;
import io.ringpool.config.RingpoolConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backup and restore commands on a PostgreSQL store point to PostgreSQL's own tools, in plain words. */
class BackupCommandTest {
    /** Audit E #7: the refusal read "back up it with pg_dump / pg_restore …; ringpool back handles the embedded H2 store". */
    @Test
    void onPostgresqlBackupAndRestoreNameTheToolsThatDoItAndTheCommandAsTyped() {
        RingpoolConfig config = ConfigLoader.defaultsWith(Map.of("store.url", "jdbc:postgresql://127.0.0.1:1/ringpool"));
        assertThatThrownBy(() -> BackupCommand.requireH2(config, "backup")).isInstanceOf(StartupFailure.class)
                .hasMessage("the store is PostgreSQL: back it up with pg_dump or base backups (README, Backups); "
                        + "'ringpool backup' handles the embedded H2 store only");
        assertThatThrownBy(() -> BackupCommand.requireH2(config, "restore"))
                .hasMessage("the store is PostgreSQL: restore it with pg_restore or base backups (README, Backups); "
                        + "'ringpool restore' handles the embedded H2 store only");
    }
}
