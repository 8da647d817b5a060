/** Where a request acts: ECS state is partitioned by account and region. */
export interface Scope {
  accountId: string;
  region: string;
}
