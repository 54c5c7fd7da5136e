package io.ringpool.recording;

import io.ringpool.http.FileResponses;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
import io.ringpool.site.SiteAccess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Playing a call's recording. {@code GET /v1/sites/{siteId}/calls/{callId}/recording} answers the
 * audio with byte ranges (so players can seek) to the site key, or to a playback link from
 * {@code POST …/recording/link} (an audio element cannot send the key). Another site's key, a
 * wrong or expired link: 401/404 as for any site route. When accounts exist, only roles that may
 * see callers may play, and each play goes to the audit log (issue 14).
 */
public final class RecordingApi {
    private static final Set<String> PLAY_PARAMETERS = Set.of("access");
    private final RecordingService recordings;
    private final SiteAccess access;

    public RecordingApi(RecordingService recordings, SiteAccess access) {
        this.recordings = recordings;
        this.access = access;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls/{callId}/recording", this::play);
        router.post("/v1/sites/{siteId}/calls/{callId}/recording/link", this::link);
    }

    private Response play(Request request) {
        String siteId = request.pathParam("siteId");
        String callId = request.pathParam("callId");
        String token = QueryParameters.of(request, PLAY_PARAMETERS).text("access", 200);
        if (token == null || request.bearerToken() != null) {
            access.requireSite(request.bearerToken(), siteId);
        } else if (!recordings.linkValid(siteId, callId, token)) {
            throw new io.ringpool.failure.DomainFailure(io.ringpool.failure.DomainFailure.Kind.UNAUTHENTICATED, "invalid_link",
                    "this playback link is wrong or has expired; ask for a new one with POST .../recording/link");
        }
        RecordingService.Playable audio = recordings.playable(siteId, callId);
        Map<String, String> headers = new LinkedHashMap<>();
        // Personal data: never in a shared cache, and not kept by the browser past the page.
        headers.put("Cache-Control", "private, no-store");
        headers.put("Content-Disposition", "inline; filename=\"" + callId.replaceAll("[^A-Za-z0-9_-]", "") + extension(audio.contentType()) + "\"");
        return FileResponses.serve(request, audio.file(), audio.size(), audio.contentType(), headers);
    }

    private Response link(Request request) {
        String siteId = request.pathParam("siteId");
        String callId = request.pathParam("callId");
        access.requireSite(request.bearerToken(), siteId);
        PlaybackLinks.Link link = recordings.link(siteId, callId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", "/v1/sites/" + segment(siteId) + "/calls/" + segment(callId) + "/recording?access="
                + URLEncoder.encode(link.access(), StandardCharsets.UTF_8));
        out.put("expiresAt", link.expiresAt());
        return Response.ok(out);
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String extension(String contentType) {
        return switch (contentType) {
            case "audio/mpeg", "audio/mp3" -> ".mp3";
            case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave" -> ".wav";
            case "audio/ogg" -> ".ogg";
            default -> "";
        };
    }
}
