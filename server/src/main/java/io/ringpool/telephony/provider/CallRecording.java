package io.ringpool.telephony.provider;

import java.util.Locale;

/**
 * What a site decided about recording, as forwarding markup needs it: record or not, and the notice
 * played to the caller first (text to speak, or an http(s) URL of audio to play; null for none).
 * The notice is only given when recording: it announces the recording.
 */
public record CallRecording(boolean record, String notice) {

    public static final CallRecording OFF = new CallRecording(false, null);

    public CallRecording {
        notice = record && notice != null && !notice.isBlank() ? notice.strip() : null;
    }

    /** The notice is an audio file to play rather than text to speak. */
    public boolean noticeIsAudio() {
        if (notice == null) {
            return false;
        }
        String n = notice.toLowerCase(Locale.ROOT);
        return n.startsWith("http://") || n.startsWith("https://");
    }
}
