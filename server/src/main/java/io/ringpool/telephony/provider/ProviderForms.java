package io.ringpool.telephony.provider;

import io.ringpool.telephony.FormField;
import io.ringpool.telephony.TwilioForm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Form-encoded bodies ({@code application/x-www-form-urlencoded}, UTF-8). */
public final class ProviderForms {

    private ProviderForms() {}

    /** Every field in body order, repeats kept; {@link WebhookRefused#unreadable} on a broken escape. */
    public static List<FormField> fields(byte[] body) {
        try {
            return TwilioForm.parse(body).fields();
        } catch (IllegalArgumentException broken) {
            throw WebhookRefused.unreadable("the form body has a broken percent escape");
        }
    }

    /** The first value of each name. */
    public static Map<String, String> first(List<FormField> fields) {
        Map<String, String> out = new LinkedHashMap<>();
        for (FormField f : fields) {
            out.putIfAbsent(f.name(), f.value());
        }
        return out;
    }
}
