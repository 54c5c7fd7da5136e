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

    @Test
    void aSyntaxErrorKeepsTheParsersOwnWordsAndSaysWhere() {
        DomainFailure broken = refusal("{\"name\": }");

        assertThat(broken.code()).isEqualTo("malformed_json");
        assertThat(broken.getMessage()).startsWith("the body is not valid JSON: Unexpected character").contains("(line 1, column");
        assertThat(refusal("{\"a\":1,\"a\":2}").getMessage()).contains("Duplicate field 'a'");
    }

    @Test
    void tooDeepAndNotAnObjectAreTheirOwnAnswers() {
        assertThat(refusal("[".repeat(10_000) + "]".repeat(10_000)).code()).isEqualTo("too_deep");
        assertThat(refusal("[]").getMessage()).isEqualTo("the body must be a JSON object");
        assertThat(refusal("").code()).isEqualTo("empty_body");
    }
}
