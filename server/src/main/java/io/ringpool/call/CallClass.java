package io.ringpool.call;

/** How a call counts in reports (PRODUCT.md §2); computed by {@link CallClassifier}. */
public record CallClass(boolean firstTime, boolean unique, boolean target, boolean uniqueTarget) {}
