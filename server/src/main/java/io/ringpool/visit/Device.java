package io.ringpool.visit;

import java.util.Objects;

/**
 * The device of a visit, as far as its User-Agent tells, for the audience reports
 * (device / browser / OS). Values come from a closed vocabulary so reports group cleanly.
 *
 * @param type    {@code "desktop"}, {@code "mobile"}, {@code "tablet"}, {@code "bot"} or {@code "unknown"}
 * @param browser {@code "Chrome"}, {@code "Safari"}, {@code "Firefox"}, {@code "Edge"}, {@code "Opera"},
 *                {@code "Yandex Browser"}, {@code "Samsung Internet"}, {@code "Internet Explorer"} or
 *                {@code "Other"}
 * @param os      {@code "Windows"}, {@code "macOS"}, {@code "iOS"}, {@code "iPadOS"}, {@code "Android"},
 *                {@code "Linux"}, {@code "ChromeOS"} or {@code "Other"}
 */
public record Device(String type, String browser, String os) {

    public Device {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(browser, "browser");
        Objects.requireNonNull(os, "os");
    }
}
