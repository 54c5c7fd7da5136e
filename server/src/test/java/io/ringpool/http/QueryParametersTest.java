package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.failure.DomainFailure;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryParametersTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

    static QueryParameters query(Set<String> known, String... nameValuePairs) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            query.computeIfAbsent(nameValuePairs[i], k -> new java.util.ArrayList<>()).add(nameValuePairs[i + 1]);
        }
        return QueryParameters.of(query, known);
    }

    static void refused(Runnable read, DomainFailure.Kind kind, String code, String field) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(DomainFailure.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.field()).isEqualTo(field);
        });
    }

    @Test
    void anUnknownParameterIsMalformedNamingItAndListingTheKnownOnes() {
        refused(() -> query(Set.of("from", "to"), "frm", "2026-11-20"), DomainFailure.Kind.MALFORMED, "unknown_parameter", "frm");
        assertThatThrownBy(() -> query(Set.of("to", "from"), "colour", "red")).hasMessageContaining("known: from, to");
    }

    @Test
    void aDateIsADayInTheGivenZoneAndAsAnEndItIncludesThatWholeDay() {
        QueryParameters q = query(Set.of("from", "to"), "from", "2026-11-26", "to", "2026-11-26");
        assertThat(q.range(MOSCOW)).isEqualTo(new QueryParameters.Range(Instant.parse("2026-11-25T21:00:00Z"),
                Instant.parse("2026-11-26T21:00:00Z")));
    }

    @Test
    void aTimeWithAnOffsetIsAnInstantAndOneWithoutIsLocalToTheZone() {
        QueryParameters q = query(Set.of("a", "b", "c"), "a", "2026-11-26T03:15:00Z", "b", "2026-11-26T03:15:00+03:00",
                "c", "2026-11-26T03:15:00");
        assertThat(q.time("a", MOSCOW, QueryParameters.Bound.START)).isEqualTo(Instant.parse("2026-11-26T03:15:00Z"));
        assertThat(q.time("b", MOSCOW, QueryParameters.Bound.START)).isEqualTo(Instant.parse("2026-11-26T00:15:00Z"));
        assertThat(q.time("c", MOSCOW, QueryParameters.Bound.END)).isEqualTo(Instant.parse("2026-11-26T00:15:00Z"));
    }

    /**
     * Audit AG3 #5 (also): a time without an offset is kept, as api.md documents it, so a client that
     * writes wall-clock times keeps working; in a fall-back hour it is the earlier instant, in a
     * spring-forward gap it moves on by the gap.
     */
    @Test
    void aTimeWithoutAnOffsetInARepeatedHourIsTheEarlierInstantAndInAGapMovesOnByTheGap() {
        ZoneId newYork = ZoneId.of("America/New_York");
        QueryParameters q = query(Set.of("fallBack", "gap"), "fallBack", "2026-11-01T01:30", "gap", "2026-03-08T02:30:00");
        assertThat(q.time("fallBack", newYork, QueryParameters.Bound.START)).isEqualTo(Instant.parse("2026-11-01T05:30:00Z"));
        assertThat(q.time("gap", newYork, QueryParameters.Bound.START)).isEqualTo(Instant.parse("2026-03-08T07:30:00Z"));
    }

    @Test
    void absentValuesAreAbsentAndValuesAreTrimmed() {
        QueryParameters q = query(Set.of("tag", "from", "limit", "unique", "source", "groupBy"), "source", " google ");
        assertThat(q.text("tag")).isNull();
        assertThat(q.text("source")).isEqualTo("google");
        assertThat(q.time("from", MOSCOW, QueryParameters.Bound.START)).isNull();
        assertThat(q.limit("limit", 50, 500)).isEqualTo(50);
        assertThat(q.bool("unique")).isNull();
        assertThat(q.list("groupBy", 10)).isEmpty();
    }

    /**
     * Audit AG3 #5: {@code tag=} (a script's unset variable) was read as no tag filter, and
     * {@code from=&to=} as the last 30 days: a full, plausible answer to another question. Every
     * reader refuses an empty or blank value naming the parameter; leaving it out asks for the default.
     */
    @Test
    void anEmptyOrBlankValueIsInvalidNamingTheParameterNotReadAsAbsent() {
        Set<String> known = Set.of("v");
        Map<String, java.util.function.Consumer<QueryParameters>> readers = new LinkedHashMap<>();
        readers.put("text", q -> q.text("v"));
        readers.put("time", q -> q.time("v", MOSCOW, QueryParameters.Bound.START));
        readers.put("limit", q -> q.limit("v", 50, 500));
        readers.put("integer", q -> q.integer("v", 0, 1, 1440));
        readers.put("bool", q -> q.bool("v"));
        readers.put("choice", q -> q.choice("v", Map.of("asc", true, "desc", false), true));
        readers.put("cursor", q -> q.cursor("v", 2, p -> p));
        readers.put("list", q -> q.list("v", 10));
        for (String empty : List.of("", " ", "\t")) {
            readers.forEach((reader, read) -> assertThatThrownBy(() -> read.accept(query(known, "v", empty)))
                    .as(reader + " of '" + empty + "'").isInstanceOfSatisfying(DomainFailure.class, e -> {
                        assertThat(e.kind()).isEqualTo(DomainFailure.Kind.INVALID);
                        assertThat(e.code()).isEqualTo("invalid_value");
                        assertThat(e.field()).isEqualTo("v");
                        assertThat(e.getMessage()).contains("'v'").contains("empty");
                    }));
        }
        refused(() -> query(Set.of("from", "to"), "from", "", "to", "").range(MOSCOW), DomainFailure.Kind.INVALID, "invalid_value",
                "from");
        refused(() -> query(Set.of("from", "to"), "to", "").range(MOSCOW), DomainFailure.Kind.INVALID, "invalid_value", "to");
    }

    /** A list with an empty item ({@code groupBy=source,} from {@code groupBy=$A,$B} with B unset) is refused too. */
    @Test
    void aListWithAnEmptyItemIsInvalidNamingTheParameter() {
        for (String[] values : List.of(new String[] {"source,"}, new String[] {","}, new String[] {"source,,medium"},
                new String[] {" , medium"}, new String[] {"source", ""})) {
            Map<String, List<String>> raw = new LinkedHashMap<>();
            raw.put("groupBy", List.of(values));
            refused(() -> QueryParameters.of(raw, Set.of("groupBy")).list("groupBy", 10), DomainFailure.Kind.INVALID, "invalid_value",
                    "groupBy");
        }
    }

    @Test
    void badValuesAreInvalidNamingTheParameter() {
        Set<String> known = Set.of("from", "to", "limit", "unique", "order", "tag");
        refused(() -> query(known, "from", "tomorrow").range(MOSCOW), DomainFailure.Kind.INVALID, "invalid_value", "from");
        refused(() -> query(known, "from", "2026-13-01").range(MOSCOW), DomainFailure.Kind.INVALID, "invalid_value", "from");
        refused(() -> query(known, "from", "2026-11-27", "to", "2026-11-26").range(MOSCOW), DomainFailure.Kind.INVALID,
                "invalid_value", "to");
        refused(() -> query(known, "limit", "0").limit("limit", 50, 500), DomainFailure.Kind.INVALID, "invalid_value", "limit");
        refused(() -> query(known, "limit", "501").limit("limit", 50, 500), DomainFailure.Kind.INVALID, "invalid_value", "limit");
        refused(() -> query(known, "limit", "ten").limit("limit", 50, 500), DomainFailure.Kind.INVALID, "invalid_value", "limit");
        refused(() -> query(known, "unique", "maybe").bool("unique"), DomainFailure.Kind.INVALID, "invalid_value", "unique");
        refused(() -> query(known, "order", "up").choice("order", Map.of("asc", 1, "desc", 2), 0), DomainFailure.Kind.INVALID,
                "invalid_value", "order");
        refused(() -> query(known, "tag", "x".repeat(51)).text("tag", 50), DomainFailure.Kind.INVALID, "invalid_value", "tag");
    }

    @Test
    void aSingleValuedParameterGivenTwiceIsInvalidRatherThanSilentlyTakingOne() {
        refused(() -> query(Set.of("from"), "from", "2026-11-01", "from", "2026-11-20").range(MOSCOW), DomainFailure.Kind.INVALID,
                "invalid_value", "from");
    }

    @Test
    void aListMayBeRepeatedOrCommaSeparatedAndKeepsItsOrderWithoutRepeats() {
        QueryParameters q = query(Set.of("groupBy"), "groupBy", "source, medium", "groupBy", "campaign", "groupBy", "source");
        assertThat(q.list("groupBy", 10)).containsExactly("source", "medium", "campaign");
        refused(() -> q.list("groupBy", 2), DomainFailure.Kind.INVALID, "invalid_value", "groupBy");
    }

    @Test
    void booleansAndChoicesIgnoreCase() {
        QueryParameters q = query(Set.of("a", "b", "c", "order"), "a", "TRUE", "b", "no", "c", "1", "order", "DESC");
        assertThat(q.bool("a")).isTrue();
        assertThat(q.bool("b")).isFalse();
        assertThat(q.bool("c")).isTrue();
        assertThat(q.choice("order", Map.of("asc", true, "desc", false), true)).isFalse();
    }

    @Test
    void aCursorRoundTripsAndAForgedOneIsInvalid() {
        String cursor = QueryParameters.cursor("1795835700123", "call:abc");
        List<String> parts = query(Set.of("cursor"), "cursor", cursor).cursor("cursor", 2, p -> p);
        assertThat(parts).containsExactly("1795835700123", "call:abc");
        refused(() -> query(Set.of("cursor"), "cursor", "!!!").cursor("cursor", 2, p -> p), DomainFailure.Kind.INVALID,
                "invalid_value", "cursor");
        String onePart = QueryParameters.cursor("only");
        refused(() -> query(Set.of("cursor"), "cursor", onePart).cursor("cursor", 2, p -> p), DomainFailure.Kind.INVALID,
                "invalid_value", "cursor");
        refused(() -> query(Set.of("cursor"), "cursor", cursor).cursor("cursor", 2, p -> Long.parseLong(p.get(1))),
                DomainFailure.Kind.INVALID, "invalid_value", "cursor");
    }
}
