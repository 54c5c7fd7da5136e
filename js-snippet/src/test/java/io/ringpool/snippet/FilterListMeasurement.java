package io.ringpool.snippet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs whole filter lists against every request of the script ({@link ScriptRequests#from}, and
 * marked as such the ones only a browser without fetch keepalive sends), for the figures in
 * {@code js-snippet/README.md} ("When ad blockers are in the way"). The lists are not in the
 * repository (licence and size); name their files, comma-separated:
 * {@code ./mvnw -B -pl js-snippet test -Dtest=FilterListMeasurement -Dringpool.filterLists=a.txt,b.txt}.
 * Writes {@code target/filter-lists.md}. Skipped without the property.
 */
@EnabledIfSystemProperty(named = "ringpool.filterLists", matches = ".+")
class FilterListMeasurement {
    /** Prefixes an operator might choose for first-party serving, and host names for third-party. */
    private static final List<String> CANDIDATES = List.of(
            "https://shop.example/ringpool/", "https://shop.example/calltracking/", "https://shop.example/call-tracking/",
            "https://shop.example/track/", "https://shop.example/tracking/", "https://shop.example/analytics/",
            "https://shop.example/stats/", "https://shop.example/stat/", "https://shop.example/metrika/",
            "https://shop.example/collect/", "https://shop.example/pixel/", "https://shop.example/counter/",
            "https://shop.example/zaraz/", "https://shop.example/phone/",
            "https://tracking.example-agency.com/", "https://analytics.example-agency.com/",
            "https://stats.example-agency.com/", "https://metrics.example-agency.com/",
            "https://tracker.example-agency.com/", "https://counter.example-agency.com/",
            "https://ringpool.example-agency.com/", "https://calltracking.example-agency.com/",
            "https://track.shop.example/", "https://calls.shop.example/");
    @Test
    void reportsWhichRulesOfTheNamedListsMatchTheScriptsRequests() throws IOException {
        StringBuilder report = new StringBuilder();
        for (String file : System.getProperty("ringpool.filterLists").split(",")) {
            List<FilterRule> rules = new ArrayList<>();
            int lines = 0;
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                lines++;
                Optional<FilterRule> rule = FilterRule.parse(line);
                rule.ifPresent(rules::add);
            }
            long generic = rules.stream().filter(FilterRule::generic).count();
            report.append("## ").append(file).append('\n')
                    .append(lines).append(" lines, ").append(rules.size()).append(" network rules, ")
                    .append(generic).append(" generic\n");
            List<String> bases = new ArrayList<>();
            for (ScriptRequests.Placement placement : ScriptRequests.Placement.values()) {
                bases.add(placement.base);
            }
            bases.addAll(CANDIDATES);
            for (String base : bases) {
                List<FilterRule.Request> current = ScriptRequests.from(base);
                List<FilterRule.Request> all = new ArrayList<>(current);
                ScriptRequests.withoutKeepalive(base).stream().filter(r -> !current.contains(r)).forEach(all::add);
                for (FilterRule.Request request : all) {
                    for (FilterRule rule : rules) {
                        if (rule.matches(request)) {
                            report.append(current.contains(request) ? "" : "(only without fetch keepalive) ")
                                    .append(request.type()).append(' ')
                                    .append(request.url()).append(rule.exception ? "  ALLOWED BY  " : "  BLOCKED BY  ")
                                    .append(rule.text).append('\n');
                        }
                    }
                }
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "filter-lists.md"), report);
        System.out.println(report);
    }
}
