package io.ringpool.config;

import io.ringpool.datadir.OwnerOnly;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code RINGPOOL_LOG_*} variables that {@code config/logback*.xml} read, checked like every
 * other setting before Logback sees them. Logback takes a bad value with a status dump of dozens
 * of lines and then runs with its own default, or with no log at all: a log file that cannot be
 * opened left a server running that wrote nothing anywhere, and a missing Logback file gave DEBUG
 * from every library (audit P #2, P2 #1).
 *
 * <p>The values Logback is to use are returned normalised ({@link #properties}); Main sets them as
 * system properties, which Logback reads before the environment, so a blank variable means its
 * default here as it does in the table of README "Configuration".
 */
public final class LogSettings {
    /** Logback's levels; Logback takes anything else silently, as DEBUG. */
    public static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    /** Logback's FixedWindowRollingPolicy keeps at most 20 rolled files, and cuts a larger window with a warning. */
    static final int MAX_FILES = 20;
    static final long MIN_FILE_SIZE_BYTES = 1024;
    /** 1024GB: far beyond any sensible log file, and small enough that no number of bytes overflows. */
    static final long MAX_FILE_SIZE_BYTES = 1L << 40;
    // Any number of digits, so that a huge number is refused as too large rather than as no size at all.
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    private final Map<String, String> properties;
    private final String configurationFile;

    private LogSettings(Map<String, String> properties, String configurationFile) {
        this.properties = properties;
        this.configurationFile = configurationFile;
    }

    /**
     * Checks the logging variables of {@code env}.
     *
     * @param chosenConfiguration a Logback file already chosen by the operator
     *                            ({@code -Dlogback.configurationFile}), or null
     * @throws ConfigException naming the variable, for a value Logback would not take as meant
     */
    public static LogSettings read(Map<String, String> env, String chosenConfiguration) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("RINGPOOL_LOG_LEVEL", level(env, "RINGPOOL_LOG_LEVEL"));
        properties.put("RINGPOOL_HTTP_LOG_LEVEL", level(env, "RINGPOOL_HTTP_LOG_LEVEL"));
        properties.put("RINGPOOL_LOG_MAX_FILE_SIZE", fileSize(env));
        properties.put("RINGPOOL_LOG_MAX_FILES", maxFiles(env));
        String configuration = chosenConfiguration;
        if (configuration == null) {
            String own = blankAsNull(env.get("RINGPOOL_LOG_CONFIG"));
            if (own != null) {
                requireReadableFile(own);
                configuration = own;
            }
        }
        String logFile = blankAsNull(env.get("RINGPOOL_LOG_FILE"));
        if (configuration == null) {
            if (logFile != null) {
                properties.put("RINGPOOL_LOG_FILE", requireWritableLogFile(logFile).toString());
            }
            configuration = logFile == null ? "defaults/logback.xml" : "defaults/logback-file.xml";
        }
        return new LogSettings(properties, configuration);
    }

    /** Logback's variables as Logback is to read them. */
    public Map<String, String> properties() {
        return properties;
    }

    /** The Logback file to configure from: the operator's, else one shipped in the jar. */
    public String configurationFile() {
        return configurationFile;
    }

    private static String level(Map<String, String> env, String variable) {
        String value = blankAsNull(env.get(variable));
        if (value == null) {
            return "INFO";
        }
        String level = value.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new ConfigException(variable, "must be one of " + String.join(", ", LEVELS) + " (got " + value + ")");
        }
        return level;
    }

    private static String fileSize(Map<String, String> env) {
        String value = blankAsNull(env.get("RINGPOOL_LOG_MAX_FILE_SIZE"));
        if (value == null) {
            return "50MB";
        }
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            throw new ConfigException("RINGPOOL_LOG_MAX_FILE_SIZE", "must be a size such as 500KB, 50MB or 1GB: a whole number with KB, MB or GB,"
                    + " or bytes without a unit (got " + value + ")");
        }
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "KB" -> 1L << 10;
            case "MB" -> 1L << 20;
            case "GB" -> 1L << 30;
            default -> 1;
        };
        BigInteger bytes = new BigInteger(m.group(1)).multiply(BigInteger.valueOf(multiplier));
        if (bytes.compareTo(BigInteger.valueOf(MAX_FILE_SIZE_BYTES)) > 0) {
            throw new ConfigException("RINGPOOL_LOG_MAX_FILE_SIZE", "is too large: at most 1024GB (got " + value + ")");
        }
        if (bytes.longValueExact() < MIN_FILE_SIZE_BYTES) {
            throw new ConfigException("RINGPOOL_LOG_MAX_FILE_SIZE", "must be at least 1KB (got " + value + ")");
        }
        return m.group(1) + unit;
    }

    private static String maxFiles(Map<String, String> env) {
        String value = blankAsNull(env.get("RINGPOOL_LOG_MAX_FILES"));
        if (value == null) {
            return "10";
        }
        int files;
        try {
            files = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            files = -1;
        }
        if (files < 1 || files > MAX_FILES) {
            throw new ConfigException("RINGPOOL_LOG_MAX_FILES", "must be a whole number from 1 to " + MAX_FILES
                    + " (rolled files kept; Logback keeps no more than " + MAX_FILES + ") (got " + value + ")");
        }
        return Integer.toString(files);
    }

    private static void requireReadableFile(String name) {
        Path file = path("RINGPOOL_LOG_CONFIG", name);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException("RINGPOOL_LOG_CONFIG", "names " + name + ", which is not a readable file"
                    + (Files.exists(file) ? "" : " (it does not exist)"));
        }
        // A file Logback cannot parse leaves a server that logs nothing at all, after a stack trace.
        try {
            javax.xml.parsers.DocumentBuilderFactory factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            javax.xml.parsers.DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // throws on a fatal error, prints nothing
            builder.parse(file.toFile());
        } catch (org.xml.sax.SAXException e) {
            throw new ConfigException("RINGPOOL_LOG_CONFIG", "names " + name + ", which is no well-formed Logback XML file ("
                    + e.getMessage() + ")");
        } catch (javax.xml.parsers.ParserConfigurationException | java.io.IOException e) {
            throw new ConfigException("RINGPOOL_LOG_CONFIG", "names " + name + ", which cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * Opens the log file for appending, creating it and its missing directories (owner-only, like
     * everything else Ringpool writes), as Logback is about to: what cannot be done here is a
     * server with no log, found out only when the log is needed.
     */
    private static Path requireWritableLogFile(String name) {
        Path file = path("RINGPOOL_LOG_FILE", name).toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw new ConfigException("RINGPOOL_LOG_FILE", "names " + name + ", which is a directory; name a file in it, e.g. "
                    + file.resolve("ringpool.log"));
        }
        Path dir = file.getParent();
        try {
            if (!Files.isDirectory(dir)) {
                OwnerOnly.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new ConfigException("RINGPOOL_LOG_FILE", "names " + name + ", but its directory " + dir + " cannot be created ("
                    + reason(e) + ")");
        }
        try {
            OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
        } catch (IOException e) {
            throw new ConfigException("RINGPOOL_LOG_FILE", "names " + name + ", which cannot be written (" + reason(e) + ")");
        }
        return file;
    }

    private static Path path(String variable, String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new ConfigException(variable, "is not a file name (" + e.getReason() + ")");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    private static String blankAsNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
