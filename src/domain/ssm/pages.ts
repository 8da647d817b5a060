// Parameter Store's pages, with the cursor every paged list of berth's uses
// (src/domain/pagination.ts): a token berth did not make is InvalidNextToken, as SSM answers it.
import { pageAfter, pageInKeyOrder, type Page } from "../pagination.js";
import { SsmError } from "./errors.js";

/** Lists ordered by name: a boundary holds while parameters come and go. */
export function pageByName<T>(items: readonly T[], nameOf: (item: T) => string, max: number, token: string | undefined): Page<T> {
  return pageInKeyOrder(items, nameOf, token, max, invalidToken);
}

/** A list in a fixed order (a parameter's versions, oldest first): the token names the last one given. */
export function pageInOrder<T>(items: readonly T[], keyOf: (item: T) => string, max: number, token: string | undefined): Page<T> {
  return pageAfter(items, keyOf, token, max, invalidToken);
}

const invalidToken = () => new SsmError("InvalidNextToken", "The specified token isn't valid.");
