package io.ringpool.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code config/jvm.options}, read the way {@code bin/jvm-options} reads it: one option per line,
 * {@code #} starts a comment, a line {@code [N+] option} applies only on a JDK N or newer (older
 * ones refuse to start with an option they do not know), and {@code ${RINGPOOL_DATA_DIR}} is the
 * data directory. When the operator's own options name a collector, the file's is left out: the
 * JVM refuses two.
 */
final class JvmOptionsFile {
    private static final Pattern FROM_VERSION = Pattern.compile("^\\[(\\d+)\\+\\]\\s*(.*)$");
    private static final Pattern COLLECTOR = Pattern.compile("^-XX:\\+Use[A-Za-z0-9]+GC$");
    private static final String DATA_DIR = "${RINGPOOL_DATA_DIR}";

    private JvmOptionsFile() {}

    /**
     * @param dataDir the data directory, or null when it does not exist yet: options that write
     *                into it (the GC log) are then left out, because the JVM will not start with a
     *                log file it cannot open, and creating the directory here would create it
     *                before the server knows it can have its port
     */
    static List<String> options(String text, int javaFeature, Path dataDir, List<String> operatorOptions) {
        boolean otherCollector = operatorOptions.stream().anyMatch(o -> COLLECTOR.matcher(o).matches());
        List<String> options = new ArrayList<>();
        for (String raw : text.split("\n")) {
            int comment = raw.indexOf('#');
            String line = (comment >= 0 ? raw.substring(0, comment) : raw).strip();
            Matcher fromVersion = FROM_VERSION.matcher(line);
            if (fromVersion.matches()) {
                if (javaFeature < Integer.parseInt(fromVersion.group(1))) {
                    continue;
                }
                line = fromVersion.group(2).strip();
            }
            if (line.isEmpty() || otherCollector && COLLECTOR.matcher(line).matches()) {
                continue;
            }
            if (line.contains(DATA_DIR)) {
                if (dataDir == null) {
                    continue;
                }
                line = line.replace(DATA_DIR, dataDir.toString());
            }
            options.add(line);
        }
        return options;
    }
}
