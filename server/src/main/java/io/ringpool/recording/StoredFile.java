package io.ringpool.recording;

/** A recording's file as kept: where ({@code file:recordings/ab/<sha256>}), its checksum, type and size. */
record StoredFile(String location, String sha256, String contentType, long size) {}
