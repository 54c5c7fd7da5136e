package io.ringpool.lead;

/**
 * What the site script sent as a form's phone, kept only when it can be one. Checkout pages give
 * their card field {@code type="tel"} (for the numeric keypad), so a card number could reach us as
 * a "phone" (audit J #1): stored with the lead, shown in the lead log and sent in webhooks. And an
 * input mask left empty ({@code +7 (___) ___-__-__}) or a one-time code is no phone either.
 */
final class FormPhone {
    /** Fewer digits are no phone: an empty mask has one or two, a one-time code four. */
    static final int MIN_DIGITS = 5;

    private FormPhone() {}

    /** {@code value}, or null when it is no phone: too few digits, or a payment card number. */
    static String keep(String value) {
        if (value == null) {
            return null;
        }
        String digits = value.replaceAll("[^0-9]", "");
        if (digits.length() < MIN_DIGITS || isCardNumber(value)) {
            return null;
        }
        return value;
    }

    /**
     * A payment card number: 16 to 19 digits (Visa, Mastercard, Mir, UnionPay…), or 15 starting
     * 34 or 37 (American Express), that pass the Luhn check. No phone number has 16 digits or more
     * (E.164 allows 15 with the country code); a 15-digit one starting 34 or 37 is Spanish or
     * Sudanese with a trunk prefix at most, and would also have to pass the check (one in ten).
     */
    static boolean isCardNumber(String value) {
        String digits = value.replaceAll("[^0-9]", "");
        int n = digits.length();
        boolean amex = n == 15 && (digits.startsWith("34") || digits.startsWith("37"));
        // No card is written with a '+': a number that has one is a phone whatever its length.
        boolean shortCard = !value.strip().startsWith("+") && shortCard(digits);
        return (amex || shortCard || (n >= 16 && n <= 19)) && luhn(digits);
    }

    /**
     * The shorter card numbers still issued or tested against: Diners Club's 14 digits (30, 36, 38,
     * 39) and Visa's old 13 (4) (audit AH1 #1: both were stored as a lead's phone). A phone of that
     * length and start written without its '+' would also have to pass the check: one in ten of
     * rare forms, against a card number kept in clear; one written with its '+' is never taken.
     */
    private static boolean shortCard(String digits) {
        int n = digits.length();
        return n == 14 && (digits.startsWith("30") || digits.startsWith("36") || digits.startsWith("38") || digits.startsWith("39"))
                || n == 13 && digits.startsWith("4");
    }

    private static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }
}
