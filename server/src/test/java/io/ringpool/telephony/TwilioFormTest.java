package io.ringpool.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringpool.call.CallEvent;
import io.ringpool.call.CallEvent.Kind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioFormTest {

    static final Instant NOW = Instant.parse("2026-11-26T04:30:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void decodesUtf8PlusAndPercentAndKeepsRepeatsInOrder() {
        TwilioForm form = TwilioForm.parse("From=%2B79161234567&Name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F&X=1&X=2&Empty=&Bare&&");
        assertThat(form.first("From")).contains("+79161234567");
        assertThat(form.first("Name")).contains("Иван П");
        assertThat(form.all("X")).containsExactly("1", "2");
        assertThat(form.first("Empty")).contains("");
        assertThat(form.first("Bare")).contains("");
        assertThat(form.first("Missing")).isEmpty();
        assertThat(form.fields()).hasSize(6);
    }

    @Test
    void anEmptyBodyHasNoFields() {
        assertThat(TwilioForm.parse("").fields()).isEmpty();
        assertThat(TwilioForm.parse((byte[]) null).fields()).isEmpty();
    }

    @Test
    void aBrokenPercentEscapeIsRejected() {
        assertThatThrownBy(() -> TwilioForm.parse("From=%ZZ")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "queued, RINGING", "initiated, RINGING", "ringing, RINGING", "in-progress, ANSWERED",
        "completed, COMPLETED", "busy, BUSY", "failed, FAILED", "no-answer, MISSED", "canceled, MISSED",
        "Completed, COMPLETED",
    })
    void mapsEveryTwilioCallStatus(String status, Kind kind) {
        assertThat(TwilioForm.kindOf(status)).contains(kind);
    }

    @Test
    void anUnknownStatusMapsToNothing() {
        assertThat(TwilioForm.kindOf("answered-by-robot")).isEmpty();
        assertThat(TwilioForm.kindOf(null)).isEmpty();
        assertThat(TwilioForm.parse("CallSid=CA1&CallStatus=weird").toEvent(clock)).isEmpty();
    }

    @Test
    void theVoiceWebhookBecomesARingingEventWithCallerAndTrackingNumber() {
        CallEvent e = TwilioForm.parse("CallSid=CA1&From=%2B79161234567&To=%2B74950000001&CallStatus=ringing&Direction=inbound")
                .toEvent(clock).orElseThrow();
        assertThat(e).isEqualTo(new CallEvent("twilio", "CA1", Kind.RINGING, NOW, "+79161234567", "+74950000001",
                null, null, null));
    }

    @Test
    void aDialedLegStatusCallbackIsFiledUnderTheParentCallWithTalkTime() {
        CallEvent e = TwilioForm.parse("CallSid=CA2&ParentCallSid=CA1&From=%2B79161234567&To=%2B74951112233"
                        + "&CallStatus=completed&CallDuration=42&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2Frec%2FRE1"
                        + "&Timestamp=Thu%2C+26+Nov+2026+04%3A31%3A15+%2B0000&SequenceNumber=3")
                .toEvent(clock).orElseThrow();
        assertThat(e.providerCallId()).isEqualTo("CA1");
        assertThat(e.kind()).isEqualTo(Kind.COMPLETED);
        assertThat(e.at()).isEqualTo(Instant.parse("2026-11-26T04:31:15Z"));
        assertThat(e.from()).isNull(); // the forward leg's numbers are ours, not the caller's
        assertThat(e.to()).isNull();
        assertThat(e.durationSeconds()).as("the business's leg, not the call").isNull();
        assertThat(e.talkSeconds()).isEqualTo(42);
        assertThat(e.recordingUrl()).isEqualTo("https://api.twilio.com/rec/RE1");
    }

    @Test
    void aParentCallCompletedEndsTheCallAsMissedWithItsDurationAndNoClaimedTalkTime() {
        // Twilio completes the caller's call once our TwiML has run, answered by the business or not (audit B, F2).
        CallEvent e = TwilioForm.parse("CallSid=CA1&CallStatus=completed&CallDuration=50").toEvent(clock).orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.MISSED);
        assertThat(e.durationSeconds()).isEqualTo(50);
        assertThat(e.talkSeconds()).isNull();
    }

    @Test
    void aParentCallInProgressIsNoAnswerButTheForwardedLegsIs() {
        // Twilio answers the caller's call to play a recording notice before the <Dial>: the business has not answered yet.
        assertThat(TwilioForm.parse("CallSid=CA1&CallStatus=in-progress").toEvent(clock).orElseThrow().kind()).isEqualTo(Kind.RINGING);
        assertThat(TwilioForm.parse("CallSid=CA2&ParentCallSid=CA1&CallStatus=in-progress").toEvent(clock).orElseThrow().kind())
                .isEqualTo(Kind.ANSWERED);
    }

    @ParameterizedTest
    @CsvSource({"busy, BUSY", "failed, FAILED", "no-answer, MISSED", "canceled, MISSED"})
    void aParentCallsOtherEndsAreTakenAsTheySay(String status, Kind kind) {
        assertThat(TwilioForm.parse("CallSid=CA1&CallStatus=" + status).toEvent(clock).orElseThrow().kind()).isEqualTo(kind);
    }

    @Test
    void garbageTimestampAndDurationFallBackInsteadOfFailing() {
        CallEvent e = TwilioForm.parse("CallSid=CA1&CallStatus=completed&CallDuration=-3&Timestamp=yesterday")
                .toEvent(clock).orElseThrow();
        assertThat(e.at()).isEqualTo(NOW);
        assertThat(e.durationSeconds()).isNull();
    }

    @Test
    void noCallSidNoEvent() {
        assertThat(TwilioForm.parse("CallStatus=ringing").toEvent(clock)).isEmpty();
        assertThat(TwilioForm.parse("CallSid=&CallStatus=ringing").toEvent(clock)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CallStatus=completed&CallDuration=3       | missing_field | CallSid",
        "CallSid=&CallStatus=completed             | missing_field | CallSid",
        "CallSid=CA1                               | missing_field | CallStatus",
        "CallSid=CA1&CallStatus=weird              | invalid_value | CallStatus",
        "CallSid=CA1&CallStatus=completed&CallDuration=abc | invalid_value | CallDuration",
        "CallSid=CA1&CallStatus=completed&CallDuration=-4  | invalid_value | CallDuration",
        "CallSid=CA1&CallStatus=completed&CallDuration=99999999999999999999 | invalid_value | CallDuration",
        "CallSid=CA1&CallStatus=completed&CallDuration=%2B5 | invalid_value | CallDuration"})
    void aStatusCallbackWithoutItsFieldsNamesTheFieldAtFault(String body, String code, String field) {
        TwilioForm.Fault fault = TwilioForm.parse(body).statusFault().orElseThrow();
        assertThat(fault.code()).isEqualTo(code);
        assertThat(fault.field()).isEqualTo(field);
    }

    @Test
    void aStatusCallbackAsTwilioSendsItHasNoFault() {
        assertThat(TwilioForm.parse("CallSid=CA2&ParentCallSid=CA1&CallStatus=no-answer&CallDuration=0").statusFault()).isEmpty();
        assertThat(TwilioForm.parse("CallSid=CA1&CallStatus=ringing&CallDuration=").statusFault()).isEmpty();
        assertThat(TwilioForm.parse("CallSid=CA1&CallStatus=Completed&CallDuration=2147483647").statusFault()).isEmpty();
    }
}
