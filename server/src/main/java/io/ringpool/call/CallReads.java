package io.ringpool.call;

import io.ringpool.call.CallService.Page;
import io.ringpool.store.Database;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of calls: pages of the call log, one call, the leads before calls. Reads only, on
 * pooled connections, taking no lock: what they see is committed (a 2xx of a write means
 * committed), so they need no ordering with ingestion. Thread-safe.
 */
final class CallReads {
    private final Database db;
    private final CallRecords records;
    private final CallLogQuery logQuery = new CallLogQuery();
    private final ContactLeads contactLeads;

    CallReads(Database db, CallRecords records, ContactLeads contactLeads) {
        this.db = db;
        this.records = records;
        this.contactLeads = contactLeads;
    }

    Page log(CallQuery query) {
        List<StoredCall> rows = db.read(c -> logQuery.read(c, query));
        if (rows.size() <= query.limit()) {
            return new Page(rows, null);
        }
        List<StoredCall> page = rows.subList(0, query.limit());
        StoredCall last = page.get(page.size() - 1);
        return new Page(List.copyOf(page), new CallQuery.Position(last.startedAt(), last.callId()));
    }

    Optional<StoredCall> call(String siteId, String callId) {
        return db.read(c -> records.byId(c, siteId, callId));
    }

    Map<String, List<ContactLeads.Lead>> leadsBefore(String siteId, Collection<StoredCall> calls) {
        return db.read(c -> contactLeads.before(c, siteId, calls));
    }
}
