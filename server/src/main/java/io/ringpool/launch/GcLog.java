package io.ringpool.launch;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GC log ({@code gc.log} in the data directory, one line per pause, five files of 10 MB),
 * started by the server once it holds the data directory, not by the JVM's command line.
 *
 * <p>Why not {@code -Xlog:gc:file=…}: a JVM opens (and rotates) that file before any Java code
 * runs, so every JVM started with it moved the running server's live gc.log aside: a second start
 * refused because the directory is held, {@code ringpool backup}, {@code ringpool compact}; after
 * five of them the running server's log was deleted while it still wrote to it (audit P #8,
 * P2 #2). {@code config/jvm.options} passes {@code -Dringpool.gcLog=true} instead, and the same
 * log is switched on here through the JVM's {@code VM.log} diagnostic command.
 */
public final class GcLog {
    private static final Logger LOG = LoggerFactory.getLogger(GcLog.class);
    static final String PROPERTY = "ringpool.gcLog";

    private GcLog() {}

    /** Starts the GC log in {@code dataDir} when this JVM was given {@code -Dringpool.gcLog=true}; otherwise does nothing. */
    public static void startIfAsked(Path dataDir) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        Path file = dataDir.toAbsolutePath().normalize().resolve("gc.log");
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmLog",
                    new Object[] {new String[] {"output=file=" + file, "output_options=filecount=5,filesize=10m", "what=gc",
                            "decorators=time,uptime,level,tags"}},
                    new String[] {String[].class.getName()});
        } catch (Exception | LinkageError e) {
            LOG.warn("gc_log_not_started file={} reason={}", file, e.toString());
        }
    }
}
