package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class TwiMLTest {

    @Test
    void forwardsToTheSiteNumberWithStatusCallbacks() {
        String xml = TwiML.forward("+74951112233", "https://rp.example.com/", "site_1", null);
        assertThat(xml).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
                + "<Dial answerOnBridge=\"true\" timeout=\"30\">"
                + "<Number statusCallback=\"https://rp.example.com/v1/telephony/twilio/site_1/status\""
                + " statusCallbackEvent=\"initiated ringing answered completed\" statusCallbackMethod=\"POST\">"
                + "+74951112233</Number></Dial></Response>");
    }

    @Test
    void escapesEverythingItEmbedsSoTheXmlStaysWellFormed() throws Exception {
        String xml = TwiML.forward("+7<&>", "https://rp.example.com/a?x=1&y=\"2\"", "s/ 1", "+1'\"");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element dial = (Element) doc.getElementsByTagName("Dial").item(0);
        Element number = (Element) doc.getElementsByTagName("Number").item(0);
        assertThat(dial.getAttribute("callerId")).isEqualTo("+1'\"");
        assertThat(number.getTextContent()).isEqualTo("+7<&>");
        assertThat(number.getAttribute("statusCallback"))
                .isEqualTo("https://rp.example.com/a?x=1&y=\"2\"/v1/telephony/twilio/s%2F%201/status");
    }

    @Test
    void dropsCharactersXmlCannotCarry() {
        assertThat(io.ringpool.telephony.provider.Xml.escape("a\u0000b\u0007c")).isEqualTo("abc");
    }

    @Test
    void rejectIsWellFormed() throws Exception {
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(TwiML.reject().getBytes(StandardCharsets.UTF_8)));
        assertThat(TwiML.reject()).contains("<Reject reason=\"busy\"/>");
    }
}
