package io.ringpool.launch;

import java.io.IOException;
import java.io.InputStream;

/**
 * In a server started by {@link ServerJvm}: halts the server when its launcher dies. The launcher
 * holds the write end of this process's standard input and never writes to it; the kernel closes
 * that end when the launcher exits for any reason, {@code kill -9} included, and a read here then
 * ends. Halting (no shutdown hooks) is what {@code kill -9} of the server itself would have done:
 * everything acknowledged is already committed, and a restart gives every live lease back.
 */
public final class ParentWatch {
    private ParentWatch() {}

    /** Starts the watch when this JVM was started by a launcher; does nothing otherwise. */
    public static void startIfLaunched() {
        if (System.getProperty(ServerJvm.PARENT_PID_PROPERTY) == null) {
            return;
        }
        InputStream launcher = System.in;
        Thread.ofPlatform().name("ringpool-launcher-watch").daemon(true).start(() -> {
            byte[] ignored = new byte[64];
            try {
                while (launcher.read(ignored) >= 0) {
                    // the launcher never writes; only the end of the stream matters
                }
            } catch (IOException e) {
                // a broken pipe is the launcher gone as well
            }
            System.err.println("ringpool: the launching JVM (pid " + System.getProperty(ServerJvm.PARENT_PID_PROPERTY)
                    + ") is gone; halting");
            Runtime.getRuntime().halt(137);
        });
    }

    /** The launcher's view of whether a person is at a terminal, when this JVM was launched (its own stdin is a pipe). */
    public static Boolean launcherTerminal() {
        String value = System.getProperty(ServerJvm.TERMINAL_PROPERTY);
        return value == null ? null : Boolean.valueOf(value);
    }
}
