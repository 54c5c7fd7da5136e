package io.ringpool.telephony.asterisk;

import io.ringpool.outbound.AddressPolicy;
import io.ringpool.telephony.provider.ProviderRoute;
import io.ringpool.telephony.provider.ProviderSettingsSpec;
import io.ringpool.telephony.provider.TelephonyProvider;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Asterisk / FreePBX, reached the other way round: Ringpool connects to the PBX's Asterisk Manager
 * Interface ({@link AmiConnection}) with {@code {"host", "port", "username", "secret"}}. No
 * webhooks; {@link AsteriskConnections} keeps one connection per configured site.
 */
public final class AsteriskProvider implements TelephonyProvider {

    public static final String NAME = "asterisk";

    private final AddressPolicy policy;

    /**
     * @param policy the outbound address policy: the PBX is a host Ringpool connects to, so a host
     *        given in a site's settings must not reach the operator's own network unless the operator
     *        allowed it ({@code outbound.allow}, {@code RINGPOOL_OUTBOUND_ALLOW}), as for webhooks
     */
    public AsteriskProvider(AddressPolicy policy) {
        this.policy = policy;
    }

    /** AMI's registered port. */
    static final int DEFAULT_PORT = 5038;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderSettingsSpec settings() {
        // Host and port say where the secret goes, the username whose it is: changing them needs the keys permission.
        return ProviderSettingsSpec.of(
                ProviderSettingsSpec.Field.plain("host").asCredential().checked(this::checkHost),
                ProviderSettingsSpec.Field.plain("port").asCredential().optional().checked(p -> p.matches("[0-9]{1,5}")
                        && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 65_535 ? Optional.empty()
                        : Optional.of("must be a TCP port, 1 to 65535")),
                ProviderSettingsSpec.Field.plain("username").asCredential().checked(u -> u.matches("[^\\r\\n]{1,100}")
                        ? Optional.empty() : Optional.of("must be one line")),
                ProviderSettingsSpec.Field.secret("secret").checked(s -> s.matches("[^\\r\\n]{1,200}") ? Optional.empty()
                        : Optional.of("must be one line")));
    }

    private Optional<String> checkHost(String host) {
        if (!host.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            return Optional.of("must be a host name or IP address");
        }
        return refusal(policy, host);
    }

    /**
     * Why {@code host} may not be connected to under {@code policy}, or empty when it may: it must
     * resolve, and to allowed addresses only.
     */
    static Optional<String> refusal(AddressPolicy policy, String host) {
        try {
            AddressPolicy.Verdict verdict = policy.resolve(host);
            if (verdict.anyRefused() || verdict.allowed().isEmpty()) {
                return Optional.of("resolves to a loopback, private, link-local or otherwise internal address; the operator may allow it"
                        + " with outbound.allow (RINGPOOL_OUTBOUND_ALLOW)");
            }
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.of("does not resolve");
        }
    }

    @Override
    public List<ProviderRoute> routes() {
        return List.of();
    }
}
