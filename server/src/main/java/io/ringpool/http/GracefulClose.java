package io.ringpool.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection once its last response is written, without losing that response. A client
 * may still be sending (the body behind a request line we refused with 414, or after a 413):
 * closing with its bytes unread makes the kernel answer with a reset, and a reset can destroy the
 * response before the client has read it, so the client sees the connection drop instead of the
 * error. So the output is shut first (the client reads the response and then end-of-stream), what
 * still arrives is read and dropped by the caller, and the channel closes when the client closes
 * its side (Netty then closes ours) or after {@code lingerMillis}. A response that said
 * {@code Connection: close} is thus followed by end-of-stream at once, not after the idle timeout.
 */
final class GracefulClose {
    private GracefulClose() {}

    static void after(ChannelFuture lastResponse, long lingerMillis) {
        Channel channel = lastResponse.channel();
        lastResponse.addListener(written -> {
            if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
                channel.close();
                return;
            }
            duplex.shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess()) {
                    channel.close();
                    return;
                }
                channel.eventLoop().schedule(() -> {
                    channel.close();
                }, lingerMillis, TimeUnit.MILLISECONDS);
            });
        });
    }
}
