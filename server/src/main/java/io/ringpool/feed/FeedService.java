package io.ringpool.feed;

import io.ringpool.account.CreatedBy;
import io.ringpool.call.CallFilterParameters;
import io.ringpool.export.ExportFilters;
import io.ringpool.export.ExportFormat;
import io.ringpool.export.ExportService;
import io.ringpool.failure.DomainFailure;
import io.ringpool.site.Keys;
import io.ringpool.store.SiteRowLock;
import io.ringpool.store.ChangeLog;
import io.ringpool.site.Site;
import io.ringpool.site.SiteRegistry;
import io.ringpool.store.Database;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds: a URL per site and export format that Google Ads Data Manager or Yandex's conversion
 * centre fetch on their schedule with a username and password. The answer is the export service's
 * CSV over a rolling window ending at the fetch: the export of that format as it is, or in Data
 * Manager's layout when the feed was created for it ({@link FeedLayout}).
 */
public final class FeedService {
    private static final Logger LOG = LoggerFactory.getLogger(FeedService.class);

    static final int DEFAULT_WINDOW_DAYS = 30;
    /** Google's click conversions must be imported within 90 days of the click; a longer window only repeats rows. */
    static final int MAX_WINDOW_DAYS = 90;
    static final int MAX_PER_SITE = 20;

    /**
     * @param layout  {@link FeedLayout}'s wire name; null for the export's own
     * @param filters as the export's query string names them; {@link ExportFilters#NONE} for every call
     * @param caller  the call log's {@code caller} as the user wrote it (read in the site's country here); null for any
     */
    public record NewFeed(String format, Integer windowDays, String conversionName, String layout, ExportFilters filters, String caller) {

        /** Without a caller filter. */
        public NewFeed(String format, Integer windowDays, String conversionName, String layout, ExportFilters filters) {
            this(format, windowDays, conversionName, layout, filters, null);
        }
    }

    /** A created feed with its URL and credentials, shown exactly once. */
    public record Created(Feed feed, String url, String username, String password) {}

    private final Database db;
    private final ExportService exports;
    private final SiteRegistry sites;
    private final String publicUrl;
    private final Clock clock;
    /** May the person (user id) still manage the site's integrations (site id)? */
    private final BiPredicate<String, String> creatorMayManage;

    /** @param creatorMayManage whether a person who created a feed may still manage its site: their feed is refused otherwise */
    public FeedService(Database db, ExportService exports, SiteRegistry sites, String publicUrl, Clock clock,
            BiPredicate<String, String> creatorMayManage) {
        this.creatorMayManage = creatorMayManage;
        this.db = db;
        this.exports = exports;
        this.sites = sites;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    public Created create(String siteId, NewFeed request, CreatedBy createdBy) {
        ExportFormat format = request.format() == null ? null : ExportFormat.byUrlName(request.format()).orElse(null);
        if (format == null) {
            throw DomainFailure.invalid("format", "'format' must be one of " + String.join(", ", formats()));
        }
        FeedLayout layout = request.layout() == null ? FeedLayout.EXPORT : FeedLayout.byWireName(request.layout())
                .orElseThrow(() -> DomainFailure.invalid("layout", "'layout' must be one of " + String.join(", ", FeedLayout.wireNames())));
        if (layout == FeedLayout.DATA_MANAGER && !format.google()) {
            throw DomainFailure.invalid("layout", "'layout' data-manager applies to the Google formats only");
        }
        int window = request.windowDays() == null ? DEFAULT_WINDOW_DAYS : request.windowDays();
        if (window < 1 || window > MAX_WINDOW_DAYS) {
            throw DomainFailure.invalid("windowDays", "'windowDays' must be between 1 and " + MAX_WINDOW_DAYS);
        }
        String conversionName = request.conversionName() == null || request.conversionName().isBlank() ? null
                : request.conversionName().strip();
        if (conversionName != null && conversionName.length() > 100) {
            throw DomainFailure.invalid("conversionName", "'conversionName' is longer than 100 characters");
        }
        ExportFilters filters = request.filters() == null ? ExportFilters.NONE : request.filters();
        if (filters.idType() != null && format.google()) {
            throw DomainFailure.invalid("idType", "'idType' applies to the Yandex formats only");
        }
        format.refuseLeadsWithoutPlace(filters.leads());
        if (request.caller() != null) {
            Site site = sites.byId(siteId).map(SiteRegistry.Entry::site).orElseThrow(() -> DomainFailure.notFound("site"));
            String caller = CallFilterParameters.caller(request.caller(), site);
            filters = new ExportFilters(filters.tag(), filters.target(), filters.unique(), filters.uniqueTarget(), filters.idType(),
                    filters.leads(), filters.leadConversionName(), filters.status(), filters.method(), caller, filters.ambiguous());
        }
        String password = Keys.random("", 24);
        Feed feed = new Feed(Keys.id("fd_"), siteId, request.format(), window, conversionName, layout, filters, Keys.random("feed_", 9),
                clock.instant(), null, null, 0, createdBy);
        db.inTransaction(c -> {
            SiteRowLock.hold(c, siteId); // creates of one site count and insert in turn, or both may pass the limit
            if (FeedStore.ofSite(c, siteId).size() >= MAX_PER_SITE) {
                throw DomainFailure.conflict("too_many_feeds", "a site may have at most " + MAX_PER_SITE + " feeds", null);
            }
            FeedStore.insert(c, feed, Keys.sha256Hex(password));
            ChangeLog.record(c, ChangeLog.FEED, siteId, feed.feedId(), clock.millis());
            return null;
        });
        LOG.info("feed_created site={} feed={} format={} layout={} windowDays={}", siteId, feed.feedId(), feed.format(),
                layout.wireName(), window);
        return new Created(feed, url(feed), feed.username(), password);
    }

    public List<Feed> list(String siteId) {
        return db.read(c -> FeedStore.ofSite(c, siteId));
    }

    public String url(Feed feed) {
        return publicUrl + "/v1/feeds/" + feed.feedId() + ".csv";
    }

    public void revoke(String siteId, String feedId) {
        boolean revoked = db.inTransaction(c -> {
            boolean r = FeedStore.revoke(c, siteId, feedId, clock.millis());
            if (r) {
                ChangeLog.record(c, ChangeLog.FEED, siteId, feedId, clock.millis());
            }
            return r;
        });
        if (!revoked) {
            throw DomainFailure.notFound("feed");
        }
        LOG.info("feed_revoked site={} feed={}", siteId, feedId);
    }

    /**
     * Revokes the feeds in use that the person {@code userId} created on the sites where
     * {@code mayManage} is now false (audit AM2 F10: removed from the workspace, they went on
     * downloading callers' numbers with the feed's password); the ones revoked.
     */
    public List<Feed> revokeCreatedBy(String userId, Predicate<String> mayManage) {
        List<Feed> revoked = new ArrayList<>();
        for (Feed f : db.read(c -> FeedStore.createdByPerson(c, userId))) {
            if (mayManage.test(f.siteId())) {
                continue;
            }
            boolean done = db.inTransaction(c -> {
                boolean r = FeedStore.revoke(c, f.siteId(), f.feedId(), clock.millis());
                if (r) {
                    ChangeLog.record(c, ChangeLog.FEED, f.siteId(), f.feedId(), clock.millis());
                }
                return r;
            });
            if (done) {
                revoked.add(f);
                LOG.info("feed_revoked site={} feed={} reason=creator_access_ended", f.siteId(), f.feedId());
            }
        }
        return revoked;
    }

    /** A feed whose credentials were right, ready to be written. */
    public record Opened(Feed feed, Site site) {}

    /**
     * The feed when the credentials are right. Unknown feed, revoked feed, wrong username or
     * password all fail the same way (UNAUTHENTICATED), compared in constant time, so a caller
     * learns nothing about which part was wrong. Separate from {@link #write} so the refusal is
     * known before any byte of the CSV is sent.
     */
    public Opened open(String feedId, String username, String password) {
        FeedStore.Stored stored = db.read(c -> FeedStore.byId(c, feedId)).orElse(null);
        boolean userOk = stored != null && Keys.constantTimeEquals(stored.feed().username(), username == null ? "" : username);
        boolean passOk = stored != null && Keys.constantTimeEquals(stored.passwordHash(), Keys.sha256Hex(password == null ? "" : password));
        SiteRegistry.Entry site = stored == null ? null : sites.byId(stored.feed().siteId()).orElse(null);
        // A feed whose creator may no longer manage the site is refused even before it is revoked:
        // one made in the moment its creator was being removed escaped the revocation.
        boolean creatorOk = !userOk || !passOk || stored.feed().createdBy() == null || !CreatedBy.PERSON.equals(stored.feed().createdBy().kind())
                || creatorMayManage.test(stored.feed().createdBy().id(), stored.feed().siteId());
        if (!userOk || !passOk || !stored.feed().active() || site == null || !creatorOk) {
            LOG.info("feed_refused feed={} reason={}", feedId, stored == null ? "unknown_feed" : !stored.feed().active() ? "revoked"
                    : !userOk || !passOk ? "bad_credentials" : !creatorOk ? "creator_access_ended" : "unknown_site");
            throw new DomainFailure(DomainFailure.Kind.UNAUTHENTICATED, "unauthorized", "wrong or missing feed credentials");
        }
        return new Opened(stored.feed(), site.site());
    }

    /** Writes an opened feed's CSV (its window up to now) to {@code out}, row by row, and notes the fetch. */
    public ExportService.Result write(Opened opened, OutputStream out) {
        Feed feed = opened.feed();
        long now = clock.millis();
        // The export's own CSV, or Data Manager's layout when the feed was made for it (FeedLayout).
        ExportService.Result result = exports.writeRecent(opened.site(), ExportFormat.byUrlName(feed.format()).orElseThrow(),
                feed.windowDays(), feed.conversionName(), feed.filters(), feed.layout() == FeedLayout.DATA_MANAGER, now, out);
        db.inTransaction(c -> {
            FeedStore.fetched(c, feed.feedId(), now);
            return null;
        });
        LOG.info("feed_fetched site={} feed={} rows={} skipped={}", feed.siteId(), feed.feedId(), result.rows(), result.skipped());
        return result;
    }

    static List<String> formats() {
        return Arrays.stream(ExportFormat.values()).map(ExportFormat::urlName).toList();
    }
}
