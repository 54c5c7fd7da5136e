package io.ringpool.account;

import io.ringpool.failure.DomainFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (Bouncy Castle's implementation), stored as PHC strings
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, unpadded base64) so the parameters
 * travel with each hash and can be raised later without breaking old ones.
 *
 * <p>The parameters are OWASP's first recommendation for Argon2id (19 MiB, 2 passes, 1 lane):
 * about 50–100 ms on this project's 2-core machines, which bounds a guesser far more than the
 * sign-in throttle alone. {@link #verifyDummy} spends the same time for an unknown e-mail, so the
 * answer's timing does not tell which addresses have accounts.
 *
 * <p>Each hash holds 19 MiB while it runs, so at most {@link #defaultConcurrency} run at once (one
 * per core, at least two); a request that waits {@link #WAIT} for its turn is refused 503
 * {@code busy} with Retry-After. Unbounded, 250 sign-in attempts spread over addresses and e-mails
 * (so no throttle stops them: no account or key needed) filled a 512 MB heap and the process died
 * of OutOfMemoryError, taking every site's script and every provider's webhook with it (audit AN4 F20).
 */
public final class PasswordHasher {
    /** Memory in KiB, passes, lanes: OWASP Password Storage Cheat Sheet, Argon2id option 1. */
    static final int MEMORY_KIB = 19_456;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How long a hash waits for its turn before its request is refused: several hashes' time, well under a client's patience. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private final Semaphore running;
    private final String dummy;

    public PasswordHasher() {
        this(new Semaphore(defaultConcurrency()));
    }

    /** @param running permits for hashes at once (tests hold them to see the refusal) */
    PasswordHasher(Semaphore running) {
        this.running = running;
        this.dummy = hash("not a password of anyone " + RANDOM.nextLong());
    }

    /** One hash per core, at least two: more would only queue for the CPU while holding their memory. */
    static int defaultConcurrency() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] out = deriveInTurn(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether {@code password} matches {@code encoded}; false for anything that is not an Argon2id PHC string. */
    public boolean verify(String password, String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        try {
            for (String kv : parts[3].split(",")) {
                int v = Integer.parseInt(kv.substring(2));
                switch (kv.substring(0, 2)) {
                    case "m=" -> m = v;
                    case "t=" -> t = v;
                    case "p=" -> p = v;
                    default -> {
                        return false;
                    }
                }
            }
            byte[] salt = B64D.decode(parts[4]);
            byte[] expected = B64D.decode(parts[5]);
            if (m < 8 || t < 1 || p < 1 || expected.length < 16) {
                return false;
            }
            byte[] derived = deriveInTurn(password, salt, m, t, p, expected.length);
            return MessageDigest.isEqual(expected, derived);
        } catch (DomainFailure busy) {
            throw busy; // not a wrong password: nothing may count it as a failed guess
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** Does the work of one verification and fails: the answer for an e-mail nobody has. */
    public void verifyDummy(String password) {
        verify(password, dummy);
    }

    private byte[] deriveInTurn(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        boolean turn;
        try {
            turn = running.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            turn = false;
        }
        if (!turn) {
            throw new DomainFailure(DomainFailure.Kind.UNAVAILABLE, "busy",
                    "too many sign-ins and password changes at once; retry in a moment", null, 1);
        }
        try {
            return derive(password, salt, memoryKib, iterations, parallelism, length);
        } finally {
            running.release();
        }
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
