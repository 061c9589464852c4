-- Nothing that writes is executable by PUBLIC. The tables and views grant
-- nothing to PUBLIC by default; see docs/sql-reference.md for granting.
REVOKE ALL ON FUNCTION mql.set_stage(bigint, mql.stage, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.force_stage(bigint, mql.stage, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.rescore(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.rescore_leads(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION mql.core_selftest(text) FROM PUBLIC;
