/**
 * ReQL functions for the RethinkDB test double: a FUNC term closes over the
 * scope it was evaluated in; calling it binds its variable numbers (and, for a
 * one-argument function, r.row / IMPLICIT_VAR) to the arguments.
 */
import { ReqlError } from './datum.js';

/** Variable scope: VAR numbers and the implicit variable (r.row). */
export interface Env {
  vars: Map<number, unknown>;
  implicit: unknown;
}

/** An evaluated FUNC term. */
export class Func {
  readonly params: number[];
  readonly body: unknown;
  readonly env: Env;
  /** True when a datum stood where a function was expected (r.expr(x) as a function). */
  readonly constant: boolean;
  constructor(params: number[], body: unknown, env: Env, constant = false) {
    this.params = params;
    this.body = body;
    this.env = env;
    this.constant = constant;
  }
}

/**
 * Call `f` with `args`; `run` evaluates the body in the new scope.
 * @throws ReqlError when the arity differs, worded as RethinkDB words it
 */
export function callFunc(f: Func, args: unknown[], run: (body: unknown, env: Env) => unknown): unknown {
  if (f.constant) return f.body;
  if (f.params.length !== args.length) {
    const n = f.params.length;
    throw new ReqlError(`Expected function with ${args.length} argument${args.length === 1 ? '' : 's'} but found function with ${n} argument${n === 1 ? '' : 's'}.`);
  }
  const vars = new Map(f.env.vars);
  f.params.forEach((p, i) => vars.set(p, args[i]));
  return run(f.body, { vars, implicit: args.length === 1 ? args[0] : f.env.implicit });
}
