package io.ringpool.call;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * What an erased person's calls and leads keep in place of their phone and e-mail, so that the
 * {@code contacts} metric of past reports stays as it was (docs/leads.md: "counts stay"): that
 * metric asks whether an earlier call or lead shared a phone or e-mail, and an erased row
 * otherwise shares nothing with anyone.
 *
 * <p>The key is a salted hash, and the salt lives only as long as one erasure (one request, or
 * one retention run over a site) and is never stored. So rows erased together keep matching each
 * other exactly, while nobody can test a phone number against a key: an unsalted hash of a
 * ten-digit number is undone by trying them all.
 */
public final class PersonPseudonym {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] salt;

    private PersonPseudonym(byte[] salt) {
        this.salt = salt;
    }

    /** A pseudonym for one erasure; forgotten with it. */
    public static PersonPseudonym fresh() {
        byte[] salt = new byte[32];
        RANDOM.nextBytes(salt);
        return new PersonPseudonym(salt);
    }

    /** The key of an E.164 phone number. */
    public long ofPhone(String e164) {
        return key("p:" + e164);
    }

    /** The key of a (normalised) e-mail address. */
    public long ofEmail(String email) {
        return key("e:" + email);
    }

    private long key(String value) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        sha.update(salt);
        byte[] d = sha.digest(value.getBytes(StandardCharsets.UTF_8));
        long k = 0;
        for (int i = 0; i < 8; i++) {
            k = (k << 8) | (d[i] & 0xff);
        }
        // 0 means "no person" to the reports.
        return k == 0 ? 1 : k;
    }
}
