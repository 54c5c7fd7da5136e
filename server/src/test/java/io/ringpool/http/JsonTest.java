package io.ringpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ringpool.failure.DomainFailure;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a client is told about a body that is not one JSON object: the reason and where, never Jackson's Java. */
class JsonTest {

    private static DomainFailure refusal(String body) {
        return catchThrowableOfType(DomainFailure.class, () -> Json.parseObject(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void contentAfterTheObjectIsMalformedJsonWithoutNamingJavaTypesOrFeatures() {
        // Found by BadInputSweepTest: the message quoted "bound as `com.fasterxml.jackson.databind.JsonNode`" and a feature name.
        DomainFailure twoDocuments = refusal("{}{}");

        assertThat(twoDocuments.code()).isEqualTo("malformed_json");
        assertThat(twoDocuments.kind()).isEqualTo(DomainFailure.Kind.MALFORMED);
        assertThat(twoDocuments.getMessage()).contains("more after the first value").contains("line 1")
                .doesNotContain("com.fasterxml", "JsonNode", "DeserializationFeature", "Exception");
    }

    /** Audit K #10: "Unrecognized token 'email': was expecting (JSON String, Number, Array, Object or token 'null', …)". */
    @Test
    void aSyntaxErrorIsToldInOurWordsAndSaysWhere() {
        DomainFailure broken = refusal("{\"name\": }");

        assertThat(broken.code()).isEqualTo("malformed_json");
        assertThat(broken.getMessage()).isEqualTo("the body is not valid JSON: '}' is where a value should be (line 1, column 10)");
        assertThat(refusal("email=a&password=b").getMessage())
                .isEqualTo("the body is not valid JSON: 'email' is not a JSON value (line 1, column 1)");
        assertThat(refusal("{\"a\":1,\"a\":2}").getMessage()).contains("the field 'a' appears twice");
    }

    /**
     * Audit 27 A, item 13: an unclosed object was described with the parser's source description
     * ("[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, ...]");
     * others named its features ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow").
     */
    @Test
    void whatTheParserSaysWithItsInternalsIsToldInWordsWithWhere() {
        assertThat(refusal("{").getMessage())
                .isEqualTo("the body is not valid JSON: it ends before the object opened at line 1, column 1 is closed (line 1, column 2)");
        assertThat(refusal("{\"a\":[1,2}").getMessage())
                .isEqualTo("the body is not valid JSON: '}' does not close the array opened at line 1, column 6 (expected ']') (line 1, column 10)");
        assertThat(refusal("{\"a\":\"abc").getMessage()).isEqualTo("the body is not valid JSON: it ends inside a string (line 1, column 10)");
        assertThat(refusal("{\"a\":NaN}").getMessage()).isEqualTo("the body is not valid JSON: 'NaN' is not a JSON value (line 1, column 9)");
        assertThat(refusal("{\"a\":1 /* why */}").getMessage()).isEqualTo("the body is not valid JSON: JSON has no comments (line 1, column 8)");
        assertThat(refusal("{\"a\":+1}").getMessage()).startsWith("the body is not valid JSON: '+' is not allowed in a number");
        assertThat(refusal("{'a':1}").getMessage())
                .startsWith("the body is not valid JSON: \"'\" is where a field name in double quotes should be");
        assertThat(refusal("{\"a\":\"x\ny\"}").getMessage()).contains("a control character (code 10) must be escaped inside a string");
        for (String broken : new String[] {"{", "{\"a\":", "{\"a\":[", "{\"ab", "{\"a\":\"\\", "{\"a\":1]", "{\"a\":[1}", "{\"a\":NaN}",
                "{\"a\":Infinity}", "{\"a\":+1}", "{\"a\":1 // x\n}", "{\"a\":1 # x\n}", "{\"a\":01}", "{\"a\":\"\\q\"}", "{\"a\":tru}",
                "{'a':1}", "{a:1}", "{\"a\":1,}", "{\"a\":1}}", "{\"a\":\"\\u12\"}", "{\"a\":.5}", "email=a&password=b", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{\"a\":\"x\ty\"}"}) {
            assertThat(refusal(broken).getMessage()).as(broken)
                    .startsWith("the body is not valid JSON")
                    .containsPattern("\\(line \\d+, column \\d+\\)$")
                    .doesNotContain("Source", "REDACTED", "Feature", "`", "VALUE_", "START_", "END_", "com.fasterxml", "Exception")
                    .doesNotContain("Unexpected", "Unrecognized", "expecting", "Illegal", "JSON String", "token", "marker");
        }
    }

    @Test
    void tooDeepAndNotAnObjectAreTheirOwnAnswers() {
        assertThat(refusal("[".repeat(10_000) + "]".repeat(10_000)).code()).isEqualTo("too_deep");
        assertThat(refusal("[]").getMessage()).isEqualTo("the body must be a JSON object");
        assertThat(refusal("").code()).isEqualTo("empty_body");
    }
}
