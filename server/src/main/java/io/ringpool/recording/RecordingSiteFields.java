package io.ringpool.recording;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringpool.call.KeywordRule;
import io.ringpool.failure.DomainFailure;
import io.ringpool.http.PlainText;
import io.ringpool.site.SiteFields;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recording settings as site fields: {@code recordCalls} (boolean), {@code recordingNotice}
 * (text to speak or an http(s) audio URL; null or "" removes it), {@code recordingRetentionDays}
 * (1..3650) and {@code keywordRules} ({@code [{"tag", "any": [...]}]}, replacing the list).
 */
final class RecordingSiteFields implements SiteFields {
    static final Set<String> FIELDS = Set.of("recordCalls", "recordingNotice", "recordingRetentionDays", "keywordRules");

    private final RecordingSettingsStore store;
    private final Clock clock;

    RecordingSiteFields(RecordingSettingsStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    @Override
    public void validate(Map<String, JsonNode> given) {
        merge(RecordingSettings.DEFAULTS, given);
    }

    @Override
    public void apply(String siteId, Map<String, JsonNode> given) {
        store.write(siteId, merge(store.of(siteId), given), clock.millis());
    }

    @Override
    public Map<String, Object> describe(String siteId) {
        RecordingSettings s = store.of(siteId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordCalls", s.recordCalls());
        out.put("recordingNotice", s.notice());
        out.put("recordingRetentionDays", s.retentionDays());
        out.put("keywordRules", s.keywordRules().stream().map(KeywordRule::asMap).toList());
        return out;
    }

    static RecordingSettings merge(RecordingSettings base, Map<String, JsonNode> given) {
        boolean record = base.recordCalls();
        String notice = base.notice();
        int retention = base.retentionDays();
        List<KeywordRule> rules = base.keywordRules();
        JsonNode v = given.get("recordCalls");
        if (v != null) {
            if (!v.isBoolean()) {
                throw DomainFailure.invalid("recordCalls", "'recordCalls' must be true or false");
            }
            record = v.asBoolean();
        }
        v = given.get("recordingNotice");
        if (v != null) {
            if (!v.isNull() && !v.isTextual()) {
                throw DomainFailure.invalid("recordingNotice", "'recordingNotice' must be text, an http(s) audio URL, or null");
            }
            // Read off the raw node, not through JsonBody: the common text rule is applied here (audit AB1 #3).
            notice = v.isNull() || v.asText().isBlank() ? null : PlainText.requireClean(v.asText().strip(), "recordingNotice");
            if (notice != null && notice.length() > RecordingSettings.MAX_NOTICE_CHARS) {
                throw DomainFailure.invalid("recordingNotice", "'recordingNotice' is longer than " + RecordingSettings.MAX_NOTICE_CHARS
                        + " characters");
            }
            if (notice != null && notice.contains("://") && !notice.matches("(?i)https?://\\S+")) {
                throw DomainFailure.invalid("recordingNotice", "an audio 'recordingNotice' must be one http(s) URL");
            }
        }
        v = given.get("recordingRetentionDays");
        if (v != null) {
            if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 3650) {
                throw DomainFailure.invalid("recordingRetentionDays", "'recordingRetentionDays' must be a whole number from 1 to 3650");
            }
            retention = v.asInt();
        }
        v = given.get("keywordRules");
        if (v != null) {
            rules = rules(v);
        }
        return new RecordingSettings(record, notice, retention, rules);
    }

    private static List<KeywordRule> rules(JsonNode v) {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > KeywordRule.MAX_RULES) {
            throw DomainFailure.invalid("keywordRules", "'keywordRules' must be a list of at most " + KeywordRule.MAX_RULES
                    + " rules like {\"tag\": \"spam\", \"any\": [\"wrong number\"]}");
        }
        List<KeywordRule> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode r = v.get(i);
            String field = "keywordRules[" + i + "]";
            if (!r.isObject() || !r.path("tag").isTextual() || !r.path("any").isArray()) {
                throw DomainFailure.invalid(field, "'" + field + "' must be {\"tag\": \"...\", \"any\": [\"phrase\", ...]}");
            }
            r.fieldNames().forEachRemaining(name -> {
                if (!name.equals("tag") && !name.equals("any")) {
                    throw DomainFailure.invalid(field + "." + name, "'" + field + "' has an unknown field '" + name + "'");
                }
            });
            List<String> phrases = new ArrayList<>();
            for (JsonNode p : r.get("any")) {
                if (!p.isTextual()) {
                    throw DomainFailure.invalid(field + ".any", "'" + field + ".any' must list text phrases");
                }
                phrases.add(PlainText.requireClean(p.asText(), field + ".any[" + phrases.size() + "]"));
            }
            try {
                out.add(new KeywordRule(r.get("tag").asText(), phrases));
            } catch (DomainFailure bad) {
                throw DomainFailure.invalid(field + "." + bad.field(), bad.getMessage());
            }
        }
        return List.copyOf(out);
    }
}
