package io.ringpool.telephony;

import io.ringpool.telephony.mango.MangoProvider;
import io.ringpool.telephony.provider.Providers;
import io.ringpool.telephony.provider.TelephonyProvider;
import java.util.List;

/**
 * The providers this server speaks. Adding one: write its package ({@code telephony.<name>}, one
 * {@link TelephonyProvider}), and add one line here.
 */
public final class ProviderCatalog {

    private ProviderCatalog() {}

    public static Providers standard() {
        return new Providers(List.<TelephonyProvider>of(
                new MangoProvider()));
    }
}
