package io.ringpool.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The body of a {@link Response.StreamedBody} on its way to the socket: the stream its writer
 * writes to, on the worker thread that runs it.
 *
 * <p>The first {@link #WHOLE_BYTES} are held: a body that ends within them is sent whole (with a
 * Content-Length, and the writer's late headers as ordinary headers). Past them the headers are
 * sent ({@code commit}) and then the body in chunks of {@link #CHUNK_BYTES}, each in a buffer of
 * Netty's pool. Backpressure: at most {@link #IN_FLIGHT_BYTES} may be handed to Netty and not yet
 * written to the socket; a write beyond that waits for the client to read, so a slow client slows
 * the writer (and its database cursor) instead of filling the heap. A client that stops reading
 * altogether is closed by the connection's idle timeout, which fails the waiting write.
 *
 * <p>A writer that is still short of {@link #WHOLE_BYTES} when half the request timeout has gone
 * ({@code commitBy}) commits then with what it has: a big file read from a cold cache (a 20,000-call
 * {@code calls.csv} just after a restart) produced rows but had not filled the first MiB in 10 s,
 * and was answered 503 timeout although it was on its way (audit AN2 F3).
 */
public final class ChunkedBodyOutput extends OutputStream {
    /** The header naming the headers that come as trailers; dropped when the body is sent whole. */
    static final String TRAILER_NAMES = "Trailer";
    /** Bodies up to this size are sent whole, with their late headers as headers. */
    public static final int WHOLE_BYTES = 1024 * 1024;
    static final int CHUNK_BYTES = 64 * 1024;
    static final int IN_FLIGHT_BYTES = 1024 * 1024;
    /** How long a write waits for the client before giving up, should the idle timeout not have closed it. */
    private static final long STALL_SECONDS = 300;

    /** Sends the response's headers, once, when the body turns out to need streaming. */
    interface Commit {
        void headers() throws IOException;
    }

    /** Thrown into the writer once a HEAD request's headers are out: nothing more is wanted. */
    static final class HeadersOnly extends IOException {
        private static final long serialVersionUID = 1L;

        HeadersOnly() {
            super("HEAD: headers sent");
        }
    }

    /**
     * Thrown into the writer when its headers would go out but the request timed out first: the
     * 503 timeout is the answer already, this writer's work is no longer wanted.
     */
    static final class AnsweredByTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        AnsweredByTimeout() {
            super("the request timed out before its body began");
        }
    }

    private final ChannelHandlerContext ctx;
    private final boolean head;
    private final Commit commit;
    private final long commitByNanos;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_BYTES);
    private byte[] held = new byte[8 * 1024];
    private int heldLength;
    private ByteBuf chunk;
    private boolean committed;
    private long bytes;
    private volatile Throwable failure;

    /** @param commitByNanos the {@link System#nanoTime} after which a body with anything in it is committed, however short */
    ChunkedBodyOutput(ChannelHandlerContext ctx, boolean head, Commit commit, long commitByNanos) {
        this.ctx = ctx;
        this.head = head;
        this.commit = commit;
        this.commitByNanos = commitByNanos;
    }

    boolean committed() {
        return committed;
    }

    /** Body bytes written by the writer so far. */
    long bytes() {
        return bytes;
    }

    /** The body held so far (all of it when not committed). */
    byte[] heldBytes() {
        return Arrays.copyOf(held, heldLength);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        bytes += len;
        if (!committed) {
            if (heldLength + len <= WHOLE_BYTES && (heldLength == 0 || System.nanoTime() - commitByNanos < 0)) {
                if (heldLength + len > held.length) {
                    held = Arrays.copyOf(held, Math.min(WHOLE_BYTES, Math.max(heldLength + len, held.length * 2)));
                }
                System.arraycopy(b, off, held, heldLength, len);
                heldLength += len;
                return;
            }
            commit.headers();
            committed = true;
            if (head) {
                throw new HeadersOnly();
            }
            byte[] first = held;
            int firstLength = heldLength;
            held = new byte[0];
            heldLength = 0;
            append(first, 0, firstLength);
        }
        append(b, off, len);
    }

    private void append(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (chunk == null) {
                chunk = ctx.alloc().buffer(CHUNK_BYTES, CHUNK_BYTES);
            }
            int n = Math.min(len, chunk.writableBytes());
            chunk.writeBytes(b, off, n);
            off += n;
            len -= n;
            if (!chunk.isWritable()) {
                sendChunk();
            }
        }
    }

    private void sendChunk() throws IOException {
        ByteBuf out = chunk;
        chunk = null;
        int size = out.readableBytes();
        try {
            if (!inFlight.tryAcquire(size, STALL_SECONDS, TimeUnit.SECONDS)) {
                out.release();
                throw new IOException("the client stopped reading");
            }
        } catch (InterruptedException e) {
            out.release();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the client was reading", e);
        }
        checkOpen(out);
        ctx.writeAndFlush(new DefaultHttpContent(out)).addListener(f -> {
            inFlight.release(size);
            if (!f.isSuccess()) {
                failure = f.cause();
            }
        });
    }

    private void checkOpen() throws IOException {
        checkOpen(null);
    }

    private void checkOpen(ByteBuf toRelease) throws IOException {
        Throwable f = failure;
        if (f != null) {
            if (toRelease != null) {
                toRelease.release();
            }
            throw new IOException("the client went away: " + f, f);
        }
    }

    /** Nothing to do: the writer's end is known when it returns; {@link #end} finishes the body. */
    @Override
    public void close() {}

    /** Sends what is left and the end of the chunked body, with the trailers; committed bodies only. */
    ChannelFuture end(Map<String, String> trailers) throws IOException {
        if (chunk != null && chunk.isReadable()) {
            sendChunk();
        } else if (chunk != null) {
            chunk.release();
            chunk = null;
        }
        LastHttpContent last = new DefaultLastHttpContent();
        trailers.forEach(last.trailingHeaders()::set);
        return ctx.writeAndFlush(last);
    }

    /** Gives up on a committed body: closing the connection before the last chunk tells the client it is incomplete. */
    void abort() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
        ctx.close();
    }
}
