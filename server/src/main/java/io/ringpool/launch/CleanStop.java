package io.ringpool.launch;

import java.util.function.IntSupplier;
import sun.misc.Signal;

/**
 * SIGTERM is how systemd, Docker and Kubernetes ask a server to stop. The JVM's own handler runs
 * the shutdown hooks (the server's clean stop) and then exits with status 143 (128 + 15), which
 * systemd records as a failure ({@code status=143}) unless the unit says
 * {@code SuccessExitStatus=143} (audit E #4). This handler asks for the same shutdown through
 * {@link System#exit}: the same hooks run the same way, and the process exits with the status the
 * caller gives, 0 for a stop that was asked for. SIGINT (Ctrl-C, 130) and the rest keep the JVM's
 * handling. {@code sun.misc.Signal} is in {@code jdk.unsupported}, which the JDK keeps for such
 * uses; javac warns about it all the same.
 */
public final class CleanStop {
    private CleanStop() {}

    /**
     * From now on SIGTERM exits with {@code status}, asked for on the signal's own thread once the
     * signal comes (it may wait, for a launcher whose server is stopping). Does nothing in a JVM
     * that leaves signals alone ({@code -Xrs}): there SIGTERM keeps its 143.
     */
    public static void onSigterm(IntSupplier status) {
        try {
            Signal.handle(new Signal("TERM"), signal -> System.exit(status.getAsInt()));
        } catch (IllegalArgumentException signalsReserved) {
            // -Xrs, or a platform without SIGTERM: the JVM's handling stays
        }
    }
}
