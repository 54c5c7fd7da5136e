package io.ringpool.telephony.asterisk;

import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import java.util.List;
import java.util.Optional;

/**
 * Asterisk / FreePBX, reached the other way round: Ringpool connects to the PBX's Asterisk Manager
 * Interface ({@link AmiConnection}) with {@code {"host", "port", "username", "secret"}}. No
 * webhooks; {@link AsteriskConnections} keeps one connection per configured site.
 */
public final class AsteriskProvider implements TelephonyProvider {

    public static final String NAME = "asterisk";

    /** AMI's registered port. */
    static final int DEFAULT_PORT = 5038;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        return ProviderSettingsSpec.of(
                ProviderSettingsSpec.Field.plain("host").checked(h -> h.matches("[A-Za-z0-9.:\\[\\]-]{1,253}") ? Optional.empty()
                        : Optional.of("must be a host name or IP address")),
                ProviderSettingsSpec.Field.plain("port").optional().checked(p -> p.matches("[0-9]{1,5}") && Integer.parseInt(p) >= 1
                        && Integer.parseInt(p) <= 65_535 ? Optional.empty() : Optional.of("must be a TCP port, 1 to 65535")),
                ProviderSettingsSpec.Field.plain("username").checked(u -> u.matches("[^\\r\\n]{1,100}") ? Optional.empty()
                        : Optional.of("must be one line")),
                ProviderSettingsSpec.Field.secret("secret").checked(s -> s.matches("[^\\r\\n]{1,200}") ? Optional.empty()
                        : Optional.of("must be one line")));
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of();
    }
}
