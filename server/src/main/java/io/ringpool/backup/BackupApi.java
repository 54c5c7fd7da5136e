package io.ringpool.backup;

import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.account.AccessApi;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/admin/backup} (admin key): an online backup of the H2 store into
 * {@code dataDir/backups/}; answers 201 {@code {"file", "bytes", "takenAt"}}. {@code ringpool
 * backup FILE} calls it and moves the file where the operator asked.
 */
public final class BackupApi {
    private static final Logger LOG = LoggerFactory.getLogger(BackupApi.class);

    private final StoreBackup backup;
    private final AccessApi access;

    public BackupApi(StoreBackup backup, AccessApi access) {
        this.backup = backup;
        this.access = access;
    }

    public void routes(Router router) {
        router.post("/v1/admin/backup", this::take);
    }

    private Response take(Request request) {
        access.admin(request); // a signed-in person or a site key: 403, as on every admin route
        StoreBackup.Taken taken = backup.take(); // on PostgreSQL a CONFLICT naming pg_dump
        LOG.info("backup_taken file={} bytes={}", taken.file(), taken.bytes());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("file", taken.file().toString());
        body.put("bytes", taken.bytes());
        body.put("takenAt", taken.takenAt());
        return Response.created(body);
    }
}
