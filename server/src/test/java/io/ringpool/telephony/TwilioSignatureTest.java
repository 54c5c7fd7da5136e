package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioSignatureTest {

    // The published vector, PRODUCT.md §4 (Twilio's webhook security docs).
    static final String TOKEN = "12345";
    static final String URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final String EXPECTED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
    static final List<FormField> PARAMS = List.of(
            new FormField("CallSid", "CA1234567890ABCDE"),
            new FormField("Caller", "+12349013030"),
            new FormField("Digits", "1234"),
            new FormField("From", "+12349013030"),
            new FormField("To", "+18005551212"));

    @Test
    void computesThePublishedTestVector() {
        assertThat(TwilioSignature.compute(TOKEN, URL, PARAMS)).isEqualTo(EXPECTED);
    }

    @Test
    void acceptsThePublishedVectorWhateverTheParameterOrder() {
        List<FormField> shuffled = new ArrayList<>(PARAMS);
        Collections.reverse(shuffled);
        assertThat(TwilioSignature.verify(TOKEN, URL, shuffled, EXPECTED)).isTrue();
    }

    @Test
    void acceptsAParsedBody() {
        TwilioForm form = TwilioForm.parse(
                "To=%2B18005551212&From=%2B12349013030&CallSid=CA1234567890ABCDE&Digits=1234&Caller=%2B12349013030");
        assertThat(TwilioSignature.verify(TOKEN, URL, form.fields(), EXPECTED)).isTrue();
    }

    @Test
    void rejectsATamperedParameter() {
        List<FormField> tampered = new ArrayList<>(PARAMS);
        tampered.set(4, new FormField("To", "+18005551213"));
        assertThat(TwilioSignature.verify(TOKEN, URL, tampered, EXPECTED)).isFalse();
    }

    @Test
    void rejectsAnAddedParameter() {
        List<FormField> more = new ArrayList<>(PARAMS);
        more.add(new FormField("CallStatus", "completed"));
        assertThat(TwilioSignature.verify(TOKEN, URL, more, EXPECTED)).isFalse();
    }

    @Test
    void rejectsAnotherUrlOrToken() {
        assertThat(TwilioSignature.verify(TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=3", PARAMS, EXPECTED))
                .isFalse();
        assertThat(TwilioSignature.verify("54321", URL, PARAMS, EXPECTED)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "not base64!!", "0/KCTR6DLpKmkAf8muzZqo1nDgQ", "AAAA", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=="})
    void missingOrGarbageHeaderIsFalseNotAnException(String header) {
        assertThat(TwilioSignature.verify(TOKEN, URL, PARAMS, header)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    void missingTokenIsFalse(String token) {
        assertThat(TwilioSignature.verify(token, URL, PARAMS, EXPECTED)).isFalse();
    }

    @Test
    void repeatedNamesAreSortedByValueSoTheirOrderDoesNotMatter() {
        List<FormField> ab = List.of(new FormField("X", "a"), new FormField("X", "b"), new FormField("A", "z"));
        List<FormField> ba = List.of(new FormField("X", "b"), new FormField("A", "z"), new FormField("X", "a"));
        String sig = TwilioSignature.compute(TOKEN, URL, ab);
        assertThat(TwilioSignature.verify(TOKEN, URL, ba, sig)).isTrue();
        // and the signed string is url + "Az" + "Xa" + "Xb":
        assertThat(sig).isEqualTo(TwilioSignature.compute(TOKEN, URL + "AzXaX", List.of(new FormField("", "b"))));
    }

    @Test
    void acceptsTheUrlWithOrWithoutTheDefaultPort() {
        String withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assertThat(TwilioSignature.verify(TOKEN, withPort, PARAMS, EXPECTED)).isTrue();
        String signedWithPort = TwilioSignature.compute(TOKEN, withPort, PARAMS);
        assertThat(TwilioSignature.verify(TOKEN, URL, PARAMS, signedWithPort)).isTrue();
        assertThat(TwilioSignature.verify(TOKEN, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", PARAMS, EXPECTED))
                .isFalse();
    }
}
