package io.ringpool.journal;

import io.ringpool.call.CallEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One journaled call event and its binary form. A frame on disk is
 * {@code [int payloadLength][int crc32c(payload)][payload]}; the payload is versioned so a later
 * server can still replay what an older one wrote.
 *
 * @param siteId     the site the event belongs to (looked up again on delivery)
 * @param event      the normalised event, its time already corrected (never re-derived on replay)
 * @param receivedAt when this server received it
 */
public record JournalRecord(String siteId, CallEvent event, Instant receivedAt) {

    private static final byte VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(siteId);
            out.writeUTF(event.provider());
            out.writeUTF(event.providerCallId());
            out.writeByte(event.kind().ordinal());
            out.writeLong(event.at().toEpochMilli());
            writeNullable(out, event.from());
            writeNullable(out, event.to());
            writeNullable(out, event.durationSeconds());
            writeNullable(out, event.talkSeconds());
            writeNullable(out, event.recordingUrl());
            out.writeLong(receivedAt.toEpochMilli());
        } catch (IOException e) {
            // Only a field longer than 64 KiB of UTF-8 gets here; webhook bodies are smaller.
            throw new UncheckedIOException("event too large to journal", e);
        }
        return bytes.toByteArray();
    }

    static JournalRecord decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown journal record version " + version);
        }
        String siteId = in.readUTF();
        String provider = in.readUTF();
        String providerCallId = in.readUTF();
        int kind = in.readUnsignedByte();
        if (kind >= CallEvent.Kind.values().length) {
            throw new IOException("unknown event kind " + kind);
        }
        Instant at = Instant.ofEpochMilli(in.readLong());
        String from = readNullableString(in);
        String to = readNullableString(in);
        Integer duration = readNullableInt(in);
        Integer talk = readNullableInt(in);
        String recording = readNullableString(in);
        Instant received = Instant.ofEpochMilli(in.readLong());
        return new JournalRecord(siteId, new CallEvent(provider, providerCallId, CallEvent.Kind.values()[kind], at, from, to,
                duration, talk, recording), received);
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static void writeNullable(DataOutputStream out, Integer value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeInt(value);
        }
    }

    private static String readNullableString(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static Integer readNullableInt(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readInt() : null;
    }
}
