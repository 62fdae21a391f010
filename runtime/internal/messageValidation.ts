// Checking a message's payload against the receiver's schema, compiled once per actor definition: the
// first step of every delivery, so it is kept cheap (no copy of a payload the schema does not transform).
import { Either, ParseResult, SchemaAST } from "effect"
import type { Schema } from "effect"
import type { ParseOptions } from "effect/SchemaAST"
import type { MessageSchemas } from "../Plugin.js"

export type Validator = (payload: unknown) => Either.Either<unknown, ParseResult.ParseIssue>

/** A payload must match its schema exactly: an undeclared property is refused, not silently dropped. */
const parseOptions: ParseOptions = { onExcessProperty: "error", errors: "all" }

export const compileValidator = (schema: Schema.Schema.AnyNoContext): Validator => {
  const decode = ParseResult.decodeUnknownEither(schema, parseOptions)
  if (SchemaAST.typeAST(schema.ast) !== schema.ast) return decode
  // Without transformations, decoding only copies the value: checking it and keeping the sender's (plain,
  // not to be mutated after sending) value spares a copy per message and its garbage on the hot path.
  const is = ParseResult.is(schema, parseOptions)
  return (payload) => (is(payload) ? Either.right(payload) : decode(payload))
}

/** The payload of a message sent without one. */
export const NO_PAYLOAD: unknown = Object.freeze({})

const compiled = new WeakMap<MessageSchemas, ReadonlyMap<string, Validator>>()

/** Decoders compiled once per definition, shared by all its actors (children can number thousands). */
export const validatorsFor = (accepts: MessageSchemas): ReadonlyMap<string, Validator> => {
  let validators = compiled.get(accepts)
  if (validators === undefined) {
    validators = new Map(Object.entries(accepts).map(([type, schema]) => [type, compileValidator(schema)]))
    compiled.set(accepts, validators)
  }
  return validators
}

export const formatIssue = (issue: ParseResult.ParseIssue): string =>
  ParseResult.TreeFormatter.formatIssueSync(issue)
