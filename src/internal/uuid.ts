/**
 * Belvo's ids, the one definition every module checks them with: the 8-4-4-4-12 hexadecimal shape
 * in any case, without checking the version and variant bits, so an id Belvo sends is never
 * refused over them. (The page decoder's fast path checks the same shape without a regex.)
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** A UUID string, as a schema. */
export const Uuid = Schema.String.check(Schema.isGUID({ expected: "a UUID" }))

/** Whether `value` is a UUID string. */
export const isUuid: (value: unknown) => value is string = Schema.is(Uuid)
