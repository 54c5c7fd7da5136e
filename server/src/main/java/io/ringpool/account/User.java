package io.ringpool.account;

import java.time.Instant;

/** A person who signs in. {@code email} is lower case; {@code passwordHash} an Argon2id PHC string. */
public record User(String userId, String email, String name, String passwordHash, Instant createdAt) {}
