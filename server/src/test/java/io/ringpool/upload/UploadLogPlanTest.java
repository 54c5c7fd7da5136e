package io.ringpool.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringpool.store.Database;
import io.ringpool.store.QueryPlans;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session 38: the upload log pages newest first from a cursor. A page walks an index that starts
 * with the destination, in order, and stops at its end, rather than reading and sorting every
 * upload of the destination (each holds up to a megabyte of rows).
 */
class UploadLogPlanTest {
    private static final Pattern SCAN_COUNT = Pattern.compile("scanCount: (\\d+)");

    @TempDir
    Path dir;

    @Test
    void aPageReadsTheDestinationsIndexInOrderAndStopsAtItsEnd() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            long t0 = 1_700_000_000_000L;
            db.inTransaction(c -> {
                for (String destination : List.of("dst_page", "dst_other")) {
                    for (int i = 0; i < 400; i++) {
                        // pairs share a millisecond: the id orders them
                        UploadStore.insertUpload(c, new UploadStore.Upload(String.format("upl_%s_%04d", destination, i), destination,
                                Instant.ofEpochMilli(t0 + i / 2), "sent", 1, 0, List.of(), List.of(), 200, "ok", null), "st_x");
                    }
                }
                return null;
            });
            long cursorAt = t0 + 150;
            for (Object[] args : List.of(new Object[] {"dst_page", Long.MAX_VALUE, Long.MAX_VALUE, "", 11},
                    new Object[] {"dst_page", cursorAt, cursorAt, "upl_dst_page_0301", 11})) {
                String plan = analyze(db, args);
                assertThat(plan).as(plan).contains("UPLOADS_DESTINATION").contains("DESTINATION_ID = ?1").contains("index sorted");
                Matcher scanned = SCAN_COUNT.matcher(plan);
                assertThat(scanned.find()).as(plan).isTrue();
                assertThat(Integer.parseInt(scanned.group(1))).as("rows read for a page of 10 out of 400:%n%s", plan).isLessThanOrEqualTo(14);
            }
        }
    }

    /** Uploads of one millisecond are told apart by id: walking the pages gives each once, newest first. */
    @Test
    void pagesOfUploadsThatShareAMillisecondMissNoneAndRepeatNone() {
        try (Database db = QueryPlans.migratedStore(dir)) {
            long t0 = 1_700_000_000_000L;
            List<String> newestFirst = new ArrayList<>();
            db.inTransaction(c -> {
                for (int i = 0; i < 9; i++) {
                    String id = String.format("upl_%02d", i);
                    newestFirst.add(0, id);
                    UploadStore.insertUpload(c, new UploadStore.Upload(id, "dst_ties", Instant.ofEpochMilli(t0 + i / 3), "sent", 1, 0,
                            List.of(), List.of(), 200, "ok", null), "st_x");
                }
                return null;
            });
            for (int limit : new int[] {1, 2, 4}) {
                List<String> walked = new ArrayList<>();
                UploadStore.Position at = null;
                do {
                    UploadStore.Position from = at;
                    UploadStore.UploadPage page = db.read(c -> UploadStore.uploads(c, "dst_ties", from, limit));
                    page.uploads().forEach(u -> walked.add(u.uploadId()));
                    at = page.next();
                } while (at != null && walked.size() <= 9);
                assertThat(walked).as("pages of %d", limit).isEqualTo(newestFirst);
            }
        }
    }

    /** H2's plan of a page read with the rows it actually read ({@code EXPLAIN ANALYZE}: scanCount). */
    private static String analyze(Database db, Object[] args) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + UploadStore.PAGE)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
    }
}
