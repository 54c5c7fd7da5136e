package io.ringpool.site;

/**
 * A site to create: its name and settings as given ({@code values.name()} and
 * {@code values.defaultNumber()} are required), and, for the demo site only, credentials chosen in
 * advance instead of generated.
 */
public record NewSite(SiteChanges values, SiteService.FixedKeys fixedKeys) {

    public NewSite(SiteChanges values) {
        this(values, null);
    }
}
