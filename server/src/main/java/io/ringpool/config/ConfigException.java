package io.ringpool.config;

/** A configuration value is missing or invalid; the message names the key. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public ConfigException(String key, String problem) {
        super("configuration key '" + key + "' " + problem);
        this.key = key;
        this.problem = problem;
    }

    private ConfigException(String key, String variable, String problem) {
        super("configuration key '" + key + "' (" + variable + ") " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The dotted key (or the variable, for settings that have no key) the message names. */
    public String key() {
        return key;
    }

    /**
     * The same problem, naming also the environment variable the value came from: the operator
     * set {@code RINGPOOL_PORT}, not {@code server.port} (audit P2 #4).
     */
    ConfigException setBy(String variable) {
        ConfigException named = new ConfigException(key, variable, problem);
        named.setStackTrace(getStackTrace());
        return named;
    }
}
