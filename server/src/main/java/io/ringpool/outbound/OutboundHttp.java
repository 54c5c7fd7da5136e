package io.ringpool.outbound;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small blocking HTTP/1.1 client for everything Ringpool sends out (webhooks, uploads, OAuth).
 *
 * <p>Why not {@code java.net.http.HttpClient}: it resolves the host name itself when it connects,
 * and offers no hook to check the address it connects to, so a check made beforehand can be
 * defeated by DNS rebinding (public address at the check, 127.0.0.1 at the connect). This client
 * resolves once, asks {@link AddressPolicy}, and opens the socket to that checked address; TLS
 * still verifies the certificate against the host name (SNI and HTTPS endpoint identification).
 *
 * <p>Contract: one request per connection ({@code Connection: close}); redirects are never
 * followed (a 3xx is returned like any other status); at most {@code maxResponseBytes} of the body
 * are read (the rest is dropped and {@link Response#truncated()} set); the whole exchange — connect,
 * TLS, sending and reading — must finish within the timeout. Blocks the calling thread.
 */
public final class OutboundHttp {
    /** Longest status or header line accepted from a server, bytes. */
    private static final int MAX_LINE = 8 * 1024;
    /** Most header lines accepted from a server. */
    private static final int MAX_HEADERS = 100;

    /** A request to send. Header names as given; values must not contain CR or LF. */
    public record Request(String method, URI uri, Map<String, String> headers, byte[] body) {
        public Request {
            headers = Map.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }
    }

    /** A server's answer; header names lower case, body at most the limit asked for. */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean truncated) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    /** The target's address is one Ringpool may not reach (see {@link AddressPolicy}). */
    public static final class AddressRefused extends IOException {
        private static final long serialVersionUID = 1L;

        public AddressRefused(String message) {
            super(message);
        }
    }

    private final AddressPolicy policy;
    private final Duration timeout;
    private final SSLContext tls;

    public OutboundHttp(AddressPolicy policy, Duration timeout) {
        this.policy = policy;
        this.timeout = timeout;
        try {
            this.tls = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    public AddressPolicy policy() {
        return policy;
    }

    /**
     * Sends {@code request} and reads the answer.
     *
     * @throws AddressRefused       when every address of the host is refused by the policy
     * @throws UnknownHostException when the host does not resolve
     * @throws IOException          on a network failure or timeout
     */
    public Response send(Request request, int maxResponseBytes) throws IOException {
        URI uri = request.uri();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IOException("only absolute http and https URLs can be reached");
        }
        String host = AddressPolicy.stripBrackets(uri.getHost());
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        long deadline = System.nanoTime() + timeout.toNanos();

        AddressPolicy.Verdict verdict = policy.resolve(host);
        if (verdict.allowed().isEmpty()) {
            throw new AddressRefused("address_refused: " + host + " resolves to " + verdict.refused().get(0).getHostAddress()
                    + ", which outbound.allow does not allow");
        }
        Socket socket = connect(verdict.allowed(), port, deadline);
        try {
            if (scheme.equals("https")) {
                socket = startTls(socket, host, port, deadline);
            }
            write(socket.getOutputStream(), request, uri, host, port, scheme);
            return read(socket, deadline, maxResponseBytes);
        } finally {
            socket.close();
        }
    }

    private static Socket connect(List<InetAddress> addresses, int port, long deadline) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(address, port), remainingMillis(deadline));
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw last;
    }

    private Socket startTls(Socket plain, String host, int port, long deadline) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        return ssl;
    }

    private static void write(OutputStream out, Request request, URI uri, String host, int port, String scheme) throws IOException {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        StringBuilder head = new StringBuilder(256);
        head.append(request.method()).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        head.append("Connection: close\r\n");
        head.append("Content-Length: ").append(request.body().length).append("\r\n");
        boolean agent = false;
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            String name = h.getKey();
            String value = h.getValue();
            if (!name.matches("[A-Za-z0-9-]+") || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IOException("header " + name + " is not a valid HTTP header");
            }
            if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("connection")) {
                continue;
            }
            agent |= name.equalsIgnoreCase("user-agent");
            head.append(name).append(": ").append(value).append("\r\n");
        }
        if (!agent) {
            head.append("User-Agent: Ringpool\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(request.body());
        out.flush();
    }

    private static Response read(Socket socket, long deadline, int max) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        socket.setSoTimeout(remainingMillis(deadline));
        String statusLine = line(in, socket, deadline);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + abbreviate(statusLine));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; ; i++) {
            String h = line(in, socket, deadline);
            if (h.isEmpty()) {
                break;
            }
            if (i >= MAX_HEADERS) {
                throw new IOException("too many response headers");
            }
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        if (status / 100 == 1) {
            return read(socket, deadline, max); // 100 Continue and friends: the real answer follows
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean truncated;
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            truncated = readChunked(in, socket, deadline, body, max);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            copy(in, socket, deadline, body, Math.min(length, max));
            truncated = length > max;
        } else {
            truncated = copy(in, socket, deadline, body, max) && in.read() >= 0;
        }
        return new Response(status, Map.copyOf(headers), body.toByteArray(), truncated);
    }

    /** Copies up to {@code limit} bytes; true when it stopped at the limit rather than at the end. */
    private static boolean copy(InputStream in, Socket socket, long deadline, ByteArrayOutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[8192];
        long left = limit;
        while (left > 0) {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                return false;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
        return true;
    }

    private static boolean readChunked(InputStream in, Socket socket, long deadline, ByteArrayOutputStream out, int max)
            throws IOException {
        while (true) {
            String sizeLine = line(in, socket, deadline);
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size");
            }
            if (size == 0) {
                return false;
            }
            long room = max - out.size();
            if (size > room) {
                copy(in, socket, deadline, out, room);
                return true;
            }
            copy(in, socket, deadline, out, size);
            line(in, socket, deadline); // CRLF after the chunk
        }
    }

    private static String line(InputStream in, Socket socket, long deadline) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int c = in.read();
            if (c < 0) {
                if (sb.isEmpty()) {
                    throw new IOException("connection closed before the response was complete");
                }
                return sb.toString();
            }
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) c);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("no complete answer within the timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }
}
