package io.ringpool;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's Main-Class: checks the Java version, then runs {@link Main}. Compiled for Java 8 (its
 * own compiler execution in server/pom.xml), so that an older JVM runs this class and says what is
 * wrong in one line, instead of failing to load Main (class file version 65) with the JVM's
 * UnsupportedClassVersionError (audit R #7). Nothing else in the jar loads on such a JVM.
 */
public final class Launcher {
    static final int NEEDED = 21;

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version", "?");
        if (major(version) < NEEDED) {
            System.err.println("ringpool: Ringpool needs Java " + NEEDED + " or newer; this is Java " + version
                    + " (" + System.getProperty("java.home") + ")");
            System.exit(2);
            return;
        }
        try {
            Class.forName("io.ringpool.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // Main's own failure, as if Main had been started directly
        }
    }

    /** 8 for "1.8", 17 for "17"; 0 when unreadable (refused: a JVM this old names itself oddly). */
    static int major(String specificationVersion) {
        String major = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = major.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? major : major.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
