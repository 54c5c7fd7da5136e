package io.ringpool.pool;

/** A number to dedicate to one source; {@code number} and {@code source} are required. */
public record NewStaticNumber(String number, String source, String medium, String campaign, String label) {}
