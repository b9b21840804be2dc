import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the filter compiler (filter/filter-sql.compiler.ts) needs beyond the first users table:
 *
 * - `work_emails_lower`: the lower-cased `value` of every `emails` element whose `type` is "work", so Entra's
 *   matching filter `emails[type eq "work"].value eq "x"` is an index lookup (ENTRA.md "A provisioning cycle").
 *   An array, not the first work email only: RFC 7644 §3.4.2.2 matches when ANY element matches, and a user may
 *   have two work emails. GIN, because an array containment (`@>`) is what it indexes; the tenant is checked on
 *   the few rows it returns.
 * - `scim_date_time_millis(text)`: reads an xsd:dateTime (RFC 7643 §2.3.5) stored in jsonb as epoch milliseconds,
 *   or NULL when it is not one, so a filter never fails on a stored value (a plain ::timestamptz cast raises).
 *   It reads as libs/scim's parseDateTime does (no zone means UTC; fractions truncated to milliseconds; 24:00:00
 *   is the next midnight; years of four digits, or a minus and six), except that a day the month does not have
 *   (2021-02-29) is not a date, as xsd:dateTime says, where V8's Date.parse rolls it over into the next month.
 */
export class AddUserFilterSupport1763900002000 implements MigrationInterface {
  name = 'AddUserFilterSupport1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scim_users ADD COLUMN work_emails_lower text[] NOT NULL DEFAULT '{}'`);
    // Rows written before this column existed. The projection computes it with String#toLowerCase (what the
    // filter evaluator compares with); lower() agrees on everything but a few special cases (İ, final Σ).
    await queryRunner.query(`
      UPDATE scim_users SET work_emails_lower = ARRAY(
        SELECT lower(element ->> 'value')
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(attributes -> 'emails') = 'array' THEN attributes -> 'emails' ELSE '[]'::jsonb END) AS element
        WHERE jsonb_typeof(element -> 'type') = 'string' AND lower(element ->> 'type') = 'work'
          AND jsonb_typeof(element -> 'value') = 'string')
      WHERE jsonb_typeof(attributes -> 'emails') = 'array'`);
    await queryRunner.query(`CREATE INDEX scim_users_work_emails_lower ON scim_users USING gin (work_emails_lower)`);
    await queryRunner.query(`
      CREATE FUNCTION scim_date_time_millis(value text) RETURNS bigint
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $function$
      DECLARE
        part text[] := regexp_match(value,
          '^([0-9]{4}|-[0-9]{6})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]+))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))?$');
        year int; month int; day int; hour int; minute int; second int; millisecond int; days_in_month int;
        offset_minutes int := 0;
        shifted_year int; era int; year_of_era int; day_of_year int; day_of_era int;
        result bigint;
      BEGIN
        IF part IS NULL OR part[1] = '-000000' THEN RETURN NULL; END IF;
        year := part[1]::int; month := part[2]::int; day := part[3]::int;
        hour := part[4]::int; minute := part[5]::int; second := part[6]::int;
        millisecond := left(coalesce(part[7], '') || '000', 3)::int;
        IF month NOT BETWEEN 1 AND 12 OR hour > 24 OR minute > 59 OR second > 59 THEN RETURN NULL; END IF;
        days_in_month := CASE
          WHEN month = 2 AND (year % 4 = 0 AND year % 100 <> 0 OR year % 400 = 0) THEN 29
          WHEN month = 2 THEN 28
          WHEN month IN (4, 6, 9, 11) THEN 30
          ELSE 31 END;
        IF day < 1 OR day > days_in_month THEN RETURN NULL; END IF;
        IF hour = 24 AND (minute > 0 OR second > 0 OR coalesce(part[7], '') ~ '[1-9]') THEN RETURN NULL; END IF;
        IF part[8] IS NOT NULL THEN
          IF part[9]::int > 23 OR part[10]::int > 59 THEN RETURN NULL; END IF;
          offset_minutes := (part[9]::int * 60 + part[10]::int) * CASE part[8] WHEN '-' THEN -1 ELSE 1 END;
        END IF;
        -- Days since 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil).
        shifted_year := year - CASE WHEN month <= 2 THEN 1 ELSE 0 END;
        era := floor(shifted_year / 400.0);
        year_of_era := shifted_year - era * 400;
        day_of_year := (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
        day_of_era := year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        result := (era::bigint * 146097 + day_of_era - 719468) * 86400000
          + hour * 3600000::bigint + minute * 60000 + second * 1000 + millisecond - offset_minutes * 60000::bigint;
        -- ECMAScript's time value range (ECMA-262 §21.4.1.22): Date.parse gives NaN beyond it.
        IF abs(result) > 8640000000000000 THEN RETURN NULL; END IF;
        RETURN result;
      END
      $function$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION scim_date_time_millis(text)`);
    await queryRunner.query(`DROP INDEX scim_users_work_emails_lower`);
    await queryRunner.query(`ALTER TABLE scim_users DROP COLUMN work_emails_lower`);
  }
}
