package io.ringpool.recording;

import io.ringpool.account.AccessApi;
import io.ringpool.account.AuditLog;
import io.ringpool.account.Permission;
import io.ringpool.account.SiteGrant;
import io.ringpool.http.FileResponses;
import io.ringpool.http.QueryParameters;
import io.ringpool.http.Request;
import io.ringpool.http.Response;
import io.ringpool.http.Router;
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
    private final AccessApi access;
    private final AuditLog audit;

    public RecordingApi(RecordingService recordings, AccessApi access, AuditLog audit) {
        this.recordings = recordings;
        this.access = access;
        this.audit = audit;
    }

    public void routes(Router router) {
        router.get("/v1/sites/{siteId}/calls/{callId}/recording",
                access.siteOr(Permission.RECORDINGS, request -> request.queryParam("access") != null, this::play));
        router.post("/v1/sites/{siteId}/calls/{callId}/recording/link", access.site(Permission.RECORDINGS, this::link));
    }

    /** {@code grant} is null when the request came with a playback link instead of a key or a session. */
    private Response play(Request request, SiteGrant grant) {
        String siteId = request.pathParam("siteId");
        String callId = request.pathParam("callId");
        String token = QueryParameters.of(request, PLAY_PARAMETERS).text("access", 200);
        if (grant == null && !recordings.linkValid(siteId, callId, token)) {
            throw new io.ringpool.failure.DomainFailure(io.ringpool.failure.DomainFailure.Kind.UNAUTHENTICATED, "invalid_link",
                    "this playback link is wrong or has expired; ask for a new one with POST .../recording/link");
        }
        RecordingService.Playable audio = recordings.playable(siteId, callId);
        if (grant != null && !"HEAD".equals(request.method()) && request.header("range") == null) {
            audit.onSite(grant.caller(), siteId, request.clientIp(), "recording.play", callId, null);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        // Personal data: never in a shared cache, and not kept by the browser past the page.
        headers.put("Cache-Control", "private, no-store");
        // The client's name when the request says who is asking (a playback link carries the site's id only).
        String ext = extension(audio.contentType());
        String name = io.ringpool.http.DownloadName.of("recording", grant == null ? null : grant.site().name(), siteId,
                callId.replaceAll("[^A-Za-z0-9_-]", ""), ext.isEmpty() ? "" : ext.substring(1));
        headers.put("Content-Disposition", io.ringpool.http.DownloadName.contentDisposition("inline",
                ext.isEmpty() ? name.substring(0, name.length() - 1) : name));
        return FileResponses.serve(request, audio.file(), audio.size(), audio.contentType(), headers);
    }

    private Response link(Request request, SiteGrant grant) {
        String siteId = grant.siteId();
        String callId = request.pathParam("callId");
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
