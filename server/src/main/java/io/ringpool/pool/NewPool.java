package io.ringpool.pool;

import java.util.List;
import java.util.Map;

/**
 * A pool to create. Every part may be null: the name defaults to "Pool n", the priority to 0, the
 * match rule to "every visit" (see {@link PoolMatch} for its keys), the numbers to none yet.
 */
public record NewPool(String name, Integer priority, Map<String, String> match, List<String> numbers) {}
