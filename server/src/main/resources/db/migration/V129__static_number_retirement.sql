-- A static number can be retired (session 37, audit finding 2): DELETE …/static-numbers/{e164}
-- stamps retired_at and gives the number's claim up (claimed_numbers), as retiring a pool number
-- does. The row stays, so the calls it was given keep their history and the number can come back
-- as this site's static number; NULL is a static number in use, as every row was before.
ALTER TABLE static_numbers ADD COLUMN retired_at BIGINT;
