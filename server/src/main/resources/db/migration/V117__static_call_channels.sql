-- Calls to a static number stored before a static number's calls got their channel (68e8941, audit
-- G #7a) have channel NULL: the call log, its channel filter and the reports showed them as "(none)"
-- though their source and medium are known. Their channel is the one the code now stores for such a
-- call, TrafficSourceParser.channelOfTags(source, medium), a function of the call row's own source and
-- medium (copied from the static number when the call came, unchanged since), so it is filled exactly:
--   paid     the medium, lowercased, is cpc, ppc, cpm, cpv, cpa, display, banner, or paid and then
--            anything on one line (Java's "paid.*")
--   email    e-mail, email, newsletter
--   social   social, social-network/_network/ network, social-media/_media/ media, sm, smm
--   referral anything else: a static number always has a source (required by the API since the first
--            release), and a named source tagged on purpose is referral
-- Lowercasing is Java's toLowerCase(Locale.ROOT) compared with ASCII words, which only an ASCII case
-- variant of the word passes (no other character lowercases to one of these letters), so it is done
-- here by TRANSLATE on A-Z alone: the same in H2 and PostgreSQL, whatever their locale (LOWER follows
-- it: a Turkish one lowercases I to a dotless i). A "paid…" medium whose rest is not printable ASCII
-- is left NULL: Java's "." stops at line terminators (\n, \r, U+0085, U+2028, U+2029), and the last
-- two cannot be named in a script every PostgreSQL encoding accepts; a call left so shows no channel,
-- as before, rather than a wrong one. (Its rest is printable ASCII when TRANSLATE turns every such
-- character into an x and leaves only x's: H2's TRANSLATE deletes nothing when given no replacement.)
UPDATE calls SET channel = CASE
        WHEN TRANSLATE(medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('cpc', 'ppc', 'cpm', 'cpv', 'cpa', 'display', 'banner')
            OR SUBSTRING(TRANSLATE(medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 1, 4) = 'paid' THEN 'paid'
        WHEN TRANSLATE(medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('email', 'e-mail', 'newsletter') THEN 'email'
        WHEN TRANSLATE(medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') IN ('social', 'social-network', 'social_network', 'social network',
            'social-media', 'social_media', 'social media', 'sm', 'smm') THEN 'social'
        ELSE 'referral'
    END
WHERE method = 'static' AND channel IS NULL AND source IS NOT NULL
    AND (medium IS NULL OR SUBSTRING(TRANSLATE(medium, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 1, 4) <> 'paid'
        OR TRANSLATE(SUBSTRING(medium, 5), ' !"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
            'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') = REPEAT('x', LENGTH(SUBSTRING(medium, 5))));
