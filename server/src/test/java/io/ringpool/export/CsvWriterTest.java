package io.ringpool.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvWriterTest {

    @Test
    void fieldsWithCommasQuotesAndLineBreaksAreQuotedAndReadBackIntact() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(out)) {
            csv.header("a", "b");
            csv.text("x, y").text("say \"hi\"\r\nbye").endRow();
            csv.value("").text(null).endRow();
            csv.text("Москва").value("1").endRow();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).isEqualTo("a,b\r\n\"x, y\",\"say \"\"hi\"\"\r\nbye\"\r\n,\r\nМосква,1\r\n");
        assertThat(Csv.parse(text)).containsExactly(List.of("a", "b"), List.of("x, y", "say \"hi\"\r\nbye"), List.of("", ""),
                List.of("Москва", "1"));
    }

    @Test
    void cellsThatASpreadsheetWouldRunAsFormulasGetALeadingApostrophe() {
        for (String payload : List.of("=HYPERLINK(\"x\")", "+1", "-1", "@SUM(1)", "\tx", "\rx")) {
            assertThat(CsvWriter.neutralise(payload)).isEqualTo("'" + payload);
        }
        assertThat(CsvWriter.neutralise("lead")).isEqualTo("lead");
        assertThat(CsvWriter.neutralise("1+1")).isEqualTo("1+1");
    }

    @Test
    void realE164NumbersKeepTheirPlusAndAnythingElseInAPhoneColumnIsNeutralised() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(out)) {
            csv.phone("+79161234567").phone("+1 (555) =cmd").phone("-1").endRow();
        }
        assertThat(Csv.parse(out.toString(StandardCharsets.UTF_8)).get(0)).containsExactly("+79161234567", "'+1 (555) =cmd", "'-1");
    }

    /** Audit AM2 F3: Excel in a Russian locale splits a .csv at ';', so a value holding one is quoted, whatever the separator. */
    @Test
    void aValueWithASemicolonIsQuotedSoNoLocaleSplitsItIntoAFormula() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvWriter csv = new CsvWriter(out)) {
            csv.text("x;=1+2").text("t;=cmd|' /C calc'!A0").endRow();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("\"x;=1+2\",\"t;=cmd|' /C calc'!A0\"\r\n");
    }
}
