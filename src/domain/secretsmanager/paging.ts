// NextToken/MaxResults over a list in a stable order, with the cursor every paged list of berth's
// uses (src/domain/pagination.ts): a page boundary holds while items before it come and go. A
// token berth did not make is InvalidNextTokenException, as Secrets Manager answers it.
import { pageAfter, type Page } from "../pagination.js";
import { SecretsRefusal } from "./refusal.js";

export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, nextToken: string | undefined, maxResults: number): Page<T> {
  return pageAfter(items, keyOf, nextToken, maxResults, invalidToken);
}

const invalidToken = () => new SecretsRefusal("InvalidNextTokenException", "The NextToken value is invalid.");
