package io.ringpool.recording;

import io.ringpool.call.KeywordRule;
import java.util.List;

/**
 * A site's recording settings (README, "Site settings").
 *
 * @param recordCalls    ask the provider to record calls from answer, and keep the recordings
 *                       providers report; off by default (recording is personal data and, in many
 *                       places, needs the caller told first)
 * @param notice         what the caller hears before being connected: text (spoken with
 *                       {@code <Say>}) or an http(s) URL of an audio file ({@code <Play>}); null = none
 * @param retentionDays  recordings older than this are deleted (the call stays, marked); 1..3650
 * @param keywordRules   transcript keyword rules that tag calls
 */
public record RecordingSettings(boolean recordCalls, String notice, int retentionDays, List<KeywordRule> keywordRules) {
    public static final int DEFAULT_RETENTION_DAYS = 90;
    public static final int MAX_NOTICE_CHARS = 1000;
    public static final RecordingSettings DEFAULTS = new RecordingSettings(false, null, DEFAULT_RETENTION_DAYS, List.of());

    public RecordingSettings {
        keywordRules = keywordRules == null ? List.of() : List.copyOf(keywordRules);
    }

    /** True when the notice is an audio file to play rather than text to speak. */
    public boolean noticeIsAudio() {
        return notice != null && notice.regionMatches(true, 0, "http://", 0, 7) || notice != null && notice.regionMatches(true, 0, "https://", 0, 8);
    }
}
