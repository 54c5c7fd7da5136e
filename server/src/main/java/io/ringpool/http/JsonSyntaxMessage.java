package io.ringpool.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client is told about a body that does not parse as JSON: what is wrong and where, in
 * words a person sending JSON knows. The parser's own sentences are mostly that ("Duplicate field
 * 'a'", "Unexpected character '}': expected a value"), but some carry its internals: a source
 * description ({@code [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`
 * disabled); line: 1, column: 1]}), the names of its features ("enable
 * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow") and of its token types
 * ({@code VALUE_STRING}). Those are rewritten here; a sentence that would still show any of them
 * falls back to the plain "the body is not valid JSON", so no wording of a future parser version
 * reaches a client. The location is added by the caller.
 */
final class JsonSyntaxMessage {
    private JsonSyntaxMessage() {}

    /** "[Source: …; line: 1, column: 6]": the parser's description of where something began. */
    private static final String SOURCE_AT = "\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]";
    private static final Pattern UNCLOSED = Pattern.compile(
            "expected close marker for (Object|Array) \\(start marker at " + SOURCE_AT + "\\)");
    private static final Pattern WRONG_CLOSE = Pattern.compile(
            "Unexpected close marker '(.)': expected '(.)' \\(for (Object|Array) starting at " + SOURCE_AT + "\\)");
    /** "('}' (code 125))" and "'q' (code 113)": the character is enough. */
    private static final Pattern CHARACTER_CODE = Pattern.compile("\\(?'(.)' \\(code \\d+\\)\\)?");
    private static final Pattern CONTROL_CHARACTER = Pattern.compile("\\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern NON_STANDARD_TOKEN = Pattern.compile("Non-standard token '([^']*)'.*");
    /** "…: enable `JsonReadFeature.X` to allow" and "(not recognized as one since Feature 'X' not enabled for parser)". */
    private static final Pattern FEATURE_HINT = Pattern.compile(
            ":? enable `[^`]*` to allow| ?\\(not recognized as one since Feature '[^']*' not enabled for parser\\)");
    /** What must never reach a client, whatever the parser says (looked for outside the quoted parts, which are the sender's). */
    private static final Pattern INTERNALS = Pattern.compile("Source:|REDACTED|Feature|`|\\b[A-Z]+_[A-Z_]+\\b|fasterxml|Exception|Jackson");
    private static final Pattern QUOTED = Pattern.compile("\"'\"|'[^']*'");

    /** The sentence after "the body is not valid JSON", or null when there is none worth saying. */
    static String of(JsonProcessingException e) {
        String original = e.getOriginalMessage();
        if (original == null || original.isBlank()) {
            return null;
        }
        String said = e instanceof JsonEOFException ? endedEarly(original) : rewritten(original);
        return said == null || INTERNALS.matcher(QUOTED.matcher(said).replaceAll("")).find() ? null : said;
    }

    private static String endedEarly(String original) {
        Matcher unclosed = UNCLOSED.matcher(original);
        if (unclosed.find()) {
            return "it ends before the " + kind(unclosed.group(1)) + " opened at line " + unclosed.group(2) + ", column "
                    + unclosed.group(3) + " is closed";
        }
        if (original.contains("VALUE_STRING") || original.contains("closing quote")) {
            return "it ends inside a string";
        }
        if (original.contains("field name")) {
            return "it ends inside a field name";
        }
        if (original.contains("Object entries")) {
            return "it ends inside an object";
        }
        if (original.contains("Array entries")) {
            return "it ends inside an array";
        }
        return "it ends too early";
    }

    private static String rewritten(String original) {
        Matcher wrongClose = WRONG_CLOSE.matcher(original);
        if (wrongClose.find()) {
            return "'" + wrongClose.group(1) + "' does not close the " + kind(wrongClose.group(3)) + " opened at line "
                    + wrongClose.group(4) + ", column " + wrongClose.group(5) + " (expected '" + wrongClose.group(2) + "')";
        }
        if (original.contains("(non-standard) comment")) {
            return "JSON has no comments";
        }
        Matcher nonStandard = NON_STANDARD_TOKEN.matcher(original);
        if (nonStandard.matches()) {
            return "'" + nonStandard.group(1) + "' is not a JSON value";
        }
        String said = FEATURE_HINT.matcher(original).replaceAll("");
        said = CONTROL_CHARACTER.matcher(said).replaceAll("(a control character, code $1)");
        return CHARACTER_CODE.matcher(said).replaceAll(match -> Matcher.quoteReplacement(quoted(match.group(1))));
    }

    private static String quoted(String character) {
        return "'".equals(character) ? "\"'\"" : "'" + character + "'";
    }

    private static String kind(String parserWord) {
        return "Object".equals(parserWord) ? "object" : "array";
    }
}
