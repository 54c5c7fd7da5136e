package io.ringpool.account;

/**
 * What a request presented, read off the wire by {@code AccessApi}: a bearer key, a session
 * cookie and the CSRF header. A bearer key wins over a cookie (machines send keys; a browser that
 * also holds a cookie is not asking as the person then).
 *
 * @param stateChanging whether the method changes state (anything but GET and HEAD): those need the CSRF token with a cookie
 * @param address       the client address, for the throttle and the audit log
 */
public record Credentials(String bearer, String sessionToken, String csrfToken, boolean stateChanging, String address) {}
