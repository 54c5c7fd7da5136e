package io.ringpool.report;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The field sets a sealed day is counted by. One set of all the fields would give a group for
 * nearly every visit (landing page × browser × OS × source: 2.4 rows a visit measured, more bytes
 * than the visits themselves); these three give the groupings the dashboard asks for. A grouped
 * report whose fields all lie in one cube reads sealed days; any other grouping (say source ×
 * browser) reports only what the facts hold.
 */
enum DayCube {
    SOURCES(true, EnumSet.of(Dimension.SOURCE, Dimension.MEDIUM, Dimension.CAMPAIGN, Dimension.TERM, Dimension.CONTENT, Dimension.CHANNEL,
            Dimension.DEVICE)),
    LANDING(true, EnumSet.of(Dimension.LANDING_PAGE, Dimension.DEVICE)),
    /** Device fields are the visit's own under every model: counted once, as last_click. */
    DEVICES(false, EnumSet.of(Dimension.DEVICE, Dimension.BROWSER, Dimension.OS));

    private final boolean perModel;
    private final boolean[] has = new boolean[Dimension.COUNT];

    DayCube(boolean perModel, Set<Dimension> dimensions) {
        this.perModel = perModel;
        dimensions.forEach(d -> has[d.ordinal()] = true);
    }

    String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean has(int dimension) {
        return has[dimension];
    }

    /** The models this cube is counted for. */
    List<Model> models() {
        return perModel ? List.of(Model.values()) : List.of(Model.LAST_CLICK);
    }

    /** The model to read for a report credited by {@code model}. */
    Model stored(Model model) {
        return perModel ? model : Model.LAST_CLICK;
    }

    /** The first cube holding every field of {@code groupBy}; empty when none does. */
    static Optional<DayCube> serving(List<Dimension> groupBy) {
        for (DayCube cube : values()) {
            if (groupBy.stream().allMatch(d -> cube.has(d.ordinal()))) {
                return Optional.of(cube);
            }
        }
        return Optional.empty();
    }
}
