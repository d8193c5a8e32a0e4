/**
 * `@keyscope/core/rules`: the domain rules of keyscope, each defined once, for the packages and
 * stores that apply them outside the core (a database store, the dashboard, a custom store): what
 * a valid id, entity, display name, expiry and revocation instant are (with the same
 * `InvalidArgumentError` messages everywhere), how an id is quoted in a message, when two key
 * records are the same, the account and scopes a key grants, whether a key is active, and the
 * per-app limit of active keys. The verifier and core's own stores use these very functions.
 *
 * @example
 * ```ts
 * import { checkEntity, checkKeyLimit, countActiveKeys } from '@keyscope/core/rules';
 *
 * const entity = checkEntity(input.entity); // InvalidArgumentError with the core's message
 * checkKeyLimit(entity.id, countActiveKeys(keys, entity.id, new Date()), 10); // KeyLimitError
 * ```
 */
export {
  checkDisplayName,
  checkExpiresAt,
  checkRevocationInstant,
  isValidDate,
  MAX_DISPLAY_NAME_LENGTH,
} from './arguments.js';
export {
  checkEntity,
  checkId,
  ENTITY_TYPES,
  isEntityType,
  isId,
  MAX_ID_LENGTH,
} from './identifiers.js';
export {
  checkKeyLimit,
  countActiveKeys,
  DEFAULT_MAX_ACTIVE_KEYS_PER_APP,
  type KeyInstants,
  type KeyState,
  keyState,
} from './key-state.js';
export { quote } from './quote.js';
export { accountOf, keyScope, sameRecord, tokenScopes } from './records.js';
