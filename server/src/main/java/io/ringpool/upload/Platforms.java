package io.ringpool.upload;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The upload platforms by destination type. */
final class Platforms {
    static final List<String> TYPES = List.of(YandexMetricaCallsUpload.TYPE, YandexMetricaOfflineUpload.TYPE, Ga4Upload.TYPE,
            GoogleAdsCallsUpload.TYPE, GoogleAdsClicksUpload.TYPE);

    private final Map<String, Platform> byType = new LinkedHashMap<>();

    Platforms(Clock clock) {
        GoogleOAuth oauth = new GoogleOAuth(clock);
        for (Platform p : List.of(new YandexMetricaCallsUpload(), new YandexMetricaOfflineUpload(), new Ga4Upload(),
                new GoogleAdsCallsUpload(oauth), new GoogleAdsClicksUpload(oauth))) {
            byType.put(p.type(), p);
        }
    }

    Optional<Platform> of(String type) {
        return Optional.ofNullable(type == null ? null : byType.get(type));
    }
}
