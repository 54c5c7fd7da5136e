package io.ringpool.upload;

/**
 * A destination setting the platform would not take as it is, by today's rules (a destination
 * made before a rule existed may break it): shown with the destination, and nothing is sent to
 * the destination until it is fixed.
 *
 * @param field   the setting, as POST and PATCH name it ({@code eventName})
 * @param message what is wrong with it
 */
public record DestinationProblem(String field, String message) {}
