/** Where a request acts: ECS state is partitioned by account and region. */
export interface Scope {
  accountId: string;
  region: string;
}

/**
 * The key of `scope` (or of `id` within it) in an in-memory map or a lock. One separator
 * everywhere, NUL, which no account, region, name or id can hold.
 */
export function scopeKey(scope: Scope, id?: string): string {
  return id === undefined ? `${scope.accountId}\0${scope.region}` : `${scope.accountId}\0${scope.region}\0${id}`;
}
