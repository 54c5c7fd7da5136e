package io.ringpool.report;

/**
 * An open-addressing map from long to int without boxing: a million visitor ids cost 16 bytes
 * each instead of ~100 as {@code HashMap<String, Integer>}. Key 0 is reserved as "empty"; callers
 * hash their keys so 0 does not occur in practice (and map it to 1 if it does).
 */
final class LongIntMap {
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
    }

    static long nonZero(long key) {
        return key == 0 ? 1 : key;
    }

    /** The value for {@code key}, or {@code missing}. */
    int get(long key, int missing) {
        long k = nonZero(key);
        int mask = keys.length - 1;
        for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
            long found = keys[i];
            if (found == k) {
                return values[i];
            }
            if (found == 0) {
                return missing;
            }
        }
    }

    void put(long key, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long k = nonZero(key);
        int mask = keys.length - 1;
        for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == k) {
                values[i] = value;
                return;
            }
            if (keys[i] == 0) {
                keys[i] = k;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    /**
     * A copy whose values went through {@code remap}; entries it maps below 0 are left out (the
     * facts' trim drops a visitor whose last held visit was evicted).
     */
    LongIntMap remapped(java.util.function.IntUnaryOperator remap) {
        LongIntMap out = new LongIntMap(Math.max(16, size));
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                int value = remap.applyAsInt(values[i]);
                if (value >= 0) {
                    out.put(keys[i], value);
                }
            }
        }
        return out;
    }

    void writeTo(SnapshotIo.Out out) throws java.io.IOException {
        out.writeInt(keys.length);
        out.writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.writeLong(keys[i]);
                out.writeInt(values[i]);
            }
        }
    }

    /** Replaces the content with what {@link #writeTo} wrote. */
    void readFrom(SnapshotIo.In in) throws java.io.IOException {
        int capacity = in.readInt();
        int count = in.readInt();
        if (Integer.bitCount(capacity) != 1 || count < 0 || count * 2L > capacity) {
            throw new java.io.IOException("not a map: capacity " + capacity + ", size " + count);
        }
        keys = new long[capacity];
        values = new int[capacity];
        size = 0;
        for (int i = 0; i < count; i++) {
            long k = in.readLong();
            put(k, in.readInt());
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return "LongIntMap(size=" + size + ", capacity=" + keys.length + ")";
    }
}
