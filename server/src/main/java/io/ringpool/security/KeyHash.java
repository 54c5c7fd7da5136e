package io.ringpool.security;

import java.security.SecureRandom;

/**
 * A 64-bit hash of a key string, for tables that must remember many keys (client addresses,
 * sessions) without holding the strings: a key string costs 60-80 bytes of heap, its hash 8.
 *
 * <p>Two distinct keys meet on one hash with probability about n²/2⁶⁵ — for a million keys, one in
 * ten million — and then merely share a budget. The seed is drawn per process, so nobody can work
 * out from outside which addresses would collide with a victim's.
 */
public final class KeyHash {
    private static final long SEED = new SecureRandom().nextLong();

    private KeyHash() {}

    /** Never 0, so tables may use 0 for an empty slot. */
    public static long of(String key) {
        long h = SEED ^ 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        h = mix(h ^ key.length());
        return h == 0 ? 1 : h;
    }

    /** The same, for a key made of two parts (as if joined by a character neither contains). */
    public static long of(String first, String second) {
        long h = of(first);
        for (int i = 0; i < second.length(); i++) {
            h = (h ^ second.charAt(i)) * 0x100000001b3L;
        }
        h = mix(h ^ ((long) second.length() << 32));
        return h == 0 ? 1 : h;
    }

    /** Spreads every input bit over the whole word (MurmurHash3's finaliser). */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
