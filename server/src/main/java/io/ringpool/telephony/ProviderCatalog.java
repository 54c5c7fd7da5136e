package io.ringpool.telephony;

import io.ringpool.telephony.asterisk.AsteriskProvider;
import io.ringpool.telephony.freeswitch.FreeswitchProvider;
import io.ringpool.telephony.mango.MangoProvider;
import io.ringpool.telephony.megapbx.MegapbxProvider;
import io.ringpool.telephony.plivo.PlivoProvider;
import io.ringpool.telephony.signalwire.SignalwireProvider;
import io.ringpool.telephony.telnyx.TelnyxProvider;
import io.ringpool.telephony.uis.UisProvider;
import io.ringpool.telephony.vonage.VonageProvider;
import io.ringpool.telephony.zadarma.ZadarmaProvider;
import io.ringpool.telephony.provider.Providers;
import io.ringpool.telephony.provider.TelephonyProvider;
import java.util.List;

/**
 * The providers this server speaks. Adding one: write its package ({@code telephony.<name>}, one
 * {@link TelephonyProvider}), and add one line here. A provider Ringpool connects out to (Asterisk)
 * also has its connector started in the composition root.
 */
public final class ProviderCatalog {

    private ProviderCatalog() {}

    /** @param outbound the address policy of hosts Ringpool connects out to (the Asterisk PBX) */
    public static Providers standard(io.ringpool.outbound.AddressPolicy outbound) {
        return new Providers(List.<TelephonyProvider>of(
                new MangoProvider(),
                new ZadarmaProvider(),
                new TelnyxProvider(),
                new VonageProvider(),
                new PlivoProvider(),
                new SignalwireProvider(),
                new FreeswitchProvider(),
                new UisProvider(),
                new MegapbxProvider(),
                new AsteriskProvider(outbound)));
    }
}
