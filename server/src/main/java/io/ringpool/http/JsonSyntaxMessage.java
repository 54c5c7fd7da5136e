package io.ringpool.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client is told about a body that does not parse as JSON: what is wrong and where, in our
 * own words (API.md: never in the parser's own terms). The parser's sentences are matched and
 * told again: "Unrecognized token 'email': was expecting (JSON String, Number, Array, Object or
 * token 'null', 'true' or 'false')" becomes "'email' is not a JSON value" (audit K #10). A sentence
 * we do not know gets no detail, only "the body is not valid JSON" and where, so no wording of a
 * future parser version, nor its internals (a source description, feature or token type names),
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
    /** The character the parser stopped at: "('}' (code 125))", "'q' (code 113)" or "((CTRL-CHAR, code 10))". */
    private static final String CHARACTER = "\\(?(?:'(.)' \\(code \\d+\\)|\\(CTRL-CHAR, code (\\d+)\\))\\)?";
    private static final Pattern UNEXPECTED_CHARACTER = Pattern.compile("Unexpected character " + CHARACTER + "(.*)", Pattern.DOTALL);
    private static final Pattern UNQUOTED_CONTROL = Pattern.compile("Illegal unquoted character " + CHARACTER + ".*", Pattern.DOTALL);
    private static final Pattern ESCAPE = Pattern.compile("Unrecognized character escape " + CHARACTER + ".*", Pattern.DOTALL);
    private static final Pattern NOT_A_VALUE = Pattern.compile("(?:Non-standard|Unrecognized) token '([^']*)'.*", Pattern.DOTALL);
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'.*", Pattern.DOTALL);
    /** What must never reach a client, whatever we matched (looked for outside the quoted parts, which are the sender's). */
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
        Matcher notAValue = NOT_A_VALUE.matcher(original);
        if (notAValue.matches()) {
            return "'" + notAValue.group(1) + "' is not a JSON value";
        }
        Matcher duplicate = DUPLICATE.matcher(original);
        if (duplicate.matches()) {
            return "the field '" + duplicate.group(1) + "' appears twice";
        }
        if (original.contains("Leading zeroes")) {
            return "a number does not begin with 0";
        }
        Matcher escape = ESCAPE.matcher(original);
        if (escape.matches()) {
            return "'\\" + (escape.group(1) != null ? escape.group(1) : "") + "' is not an escape JSON has";
        }
        Matcher control = UNQUOTED_CONTROL.matcher(original);
        if (control.matches()) {
            return character(control) + " must be escaped inside a string";
        }
        if (original.contains("Invalid UTF-8")) {
            return "it is not valid UTF-8";
        }
        Matcher unexpected = UNEXPECTED_CHARACTER.matcher(original);
        if (unexpected.matches()) {
            return character(unexpected) + expectedInstead(unexpected.group(3));
        }
        return null;
    }

    /** Where the parser stopped, in words: the character (quoted), or a control character by its code. */
    private static String character(Matcher m) {
        return m.group(1) != null ? quoted(m.group(1)) : "a control character (code " + m.group(2) + ")";
    }

    /** What the parser expected where it stopped, from the rest of its sentence; "is not expected here" when unsure. */
    private static String expectedInstead(String rest) {
        if (rest.contains("numeric value")) {
            return " is not allowed in a number";
        }
        if (rest.contains("start field name")) {
            return " is where a field name in double quotes should be";
        }
        if (rest.contains("separate Object entries")) {
            return " is where ',' or '}' should be";
        }
        if (rest.contains("separate Array entries")) {
            return " is where ',' or ']' should be";
        }
        if (rest.contains("colon to separate")) {
            return " is where ':' should be";
        }
        if (rest.contains("hex-digit")) {
            return " is where a hex digit of a \\u escape should be";
        }
        if (rest.contains("value")) {
            return " is where a value should be";
        }
        return " is not expected here";
    }

    private static String quoted(String character) {
        return "'".equals(character) ? "\"'\"" : "'" + character + "'";
    }

    private static String kind(String parserWord) {
        return "Object".equals(parserWord) ? "object" : "array";
    }
}
