package io.ringpool.snippet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A content blocker as a visitor runs one, reduced to the rule that refuses the script's beacons:
 * EasyPrivacy's {@code $ping,third-party} ("Block ping", section {@code easyprivacy_trackingservers.txt};
 * js-snippet/README.md, "When ad blockers are in the way"), written as the declarativeNetRequest rule
 * a Manifest V3 blocker (uBlock Origin Lite, AdGuard) compiles it to: block every request of type
 * {@code ping} (what {@code navigator.sendBeacon} sends) to another site than the page's.
 *
 * <p>The browser applies it in its network layer, after {@code sendBeacon} has queued the request
 * and returned true, as every extension does; DevTools URL blocking ({@link ChromiumBrowser#blockRequests})
 * refuses in the page instead, and {@code sendBeacon} then returns false.
 */
final class PingBlocker {
    private static final String MANIFEST = """
            {
              "manifest_version": 3,
              "name": "Ringpool test: $ping,third-party",
              "version": "1.0",
              "permissions": ["declarativeNetRequest"],
              "host_permissions": ["<all_urls>"],
              "declarative_net_request": {"rule_resources": [{"id": "easyprivacy_ping", "enabled": true, "path": "rules.json"}]}
            }
            """;
    private static final String RULES = """
            [{"id": 1, "priority": 1, "action": {"type": "block"},
              "condition": {"resourceTypes": ["ping"], "domainType": "thirdParty"}}]
            """;

    private PingBlocker() {
    }

    /** Writes the unpacked extension into a new temporary directory and returns it. */
    static Path unpacked() throws IOException {
        Path dir = Files.createTempDirectory("ringpool-ping-blocker");
        Files.writeString(dir.resolve("manifest.json"), MANIFEST);
        Files.writeString(dir.resolve("rules.json"), RULES);
        dir.toFile().deleteOnExit();
        dir.resolve("manifest.json").toFile().deleteOnExit();
        dir.resolve("rules.json").toFile().deleteOnExit();
        return dir;
    }
}
