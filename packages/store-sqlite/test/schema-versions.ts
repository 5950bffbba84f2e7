/** Takes a version 5 file back to version 4, as the release before usage limits left it. */
export const dropVersion5 = `
  DROP TABLE usage_counts;
  DROP INDEX api_keys_credit_balance_id;
  ALTER TABLE api_keys DROP COLUMN credit_balance_id;
  DROP TABLE credit_balances;
  ALTER TABLE api_keys DROP COLUMN rate_limits;
  ALTER TABLE accounts DROP COLUMN rate_limits;
  PRAGMA user_version = 4;
`
